/* Password phase, directory accounts (dirpw area): the change is written to
 * the central directory (lib/ldap_pw.c), not to /etc/shadow.
 *
 *   password requisite pam_bhxh.so                          # asks, checks, sets PAM_AUTHTOK
 *   password [success=2 ignore=ignore default=die] pam_bhxh.so directory
 *   password requisite pam_unix.so use_authtok yescrypt     # local accounts
 *   password optional  pam_bhxh.so record
 *
 * The "directory" line ignores local accounts (in /etc/passwd: PAM_IGNORE,
 * pam_unix changes them).  For a directory account, PAM_PRELIM_CHECK asks
 * the current password (not for root) and checks it by binding as the
 * account, so a wrong one is refused before the new one is typed;
 * PAM_UPDATE_AUTHTOK takes the new password checked by the line before and
 * changes it with the Password Modify operation.  Success skips pam_unix
 * and the local history (the directory keeps the fleet's history,
 * ppolicy's pwdInHistory).  Every outcome is told to the user and audited
 * with a reason; the passwords never are. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_modutil.h>

#include "glue.h"
#include "i18n.h"
#include "ldap_pw.h"
#include "util.h"

#define OP "PAM:bhxh_chauthtok"

/* What the user is told, by reason. */
static const char *message_of(enum bhxh_ldap_pw_reason r)
{
	switch (r) {
	case BHXH_LDAP_PW_OK:
		return N_("Password changed in the central directory. It works on every machine "
			  "within a few seconds; until then the old password may still work there.");
	case BHXH_LDAP_PW_UNREACHABLE:
		return N_("The central directory cannot be reached: the password was not changed "
			  "and the current one still works. Try again later.");
	case BHXH_LDAP_PW_BAD_OLD:
		return N_("The current password is wrong: the password was not changed.");
	case BHXH_LDAP_PW_NO_ACCOUNT:
		return N_("The account was not found in the central directory: the password was "
			  "not changed.");
	case BHXH_LDAP_PW_EXPIRED:
		return N_("The password has expired in the central directory and can no longer be "
			  "changed with it. Ask the IT department to reset it.");
	case BHXH_LDAP_PW_LOCKED:
		return N_("The account is locked in the central directory: the password was not "
			  "changed. Ask the IT department to unlock it.");
	case BHXH_LDAP_PW_NOT_ALLOWED:
		return N_("The central directory does not allow this password to be changed by its "
			  "user. Ask the IT department.");
	case BHXH_LDAP_PW_NEED_OLD:
		return N_("The central directory requires the current password for this change.");
	case BHXH_LDAP_PW_QUALITY:
		return N_("The central directory refused the new password: it does not meet the "
			  "directory's quality rules.");
	case BHXH_LDAP_PW_TOO_SHORT:
		return N_("The central directory refused the new password: it is shorter than the "
			  "directory's policy allows.");
	case BHXH_LDAP_PW_TOO_LONG:
		return N_("The central directory refused the new password: it is longer than the "
			  "directory's policy allows.");
	case BHXH_LDAP_PW_TOO_YOUNG:
		return N_("The password was changed too recently: the central directory's policy "
			  "does not allow another change yet.");
	case BHXH_LDAP_PW_IN_HISTORY:
		return N_("The central directory refused the new password: it was used before (on "
			  "this or another machine). Choose a password you have not used.");
	case BHXH_LDAP_PW_REFUSED:
		return N_("The central directory refused the password change.");
	default:
		return N_("The password cannot be changed in the central directory now "
			  "(configuration error on this machine): it was not changed. Ask the IT "
			  "department.");
	}
}

/* The PAM code of a failure, by reason. */
static int code_of(enum bhxh_ldap_pw_reason r)
{
	switch (r) {
	case BHXH_LDAP_PW_UNREACHABLE:
		return PAM_AUTHINFO_UNAVAIL;
	case BHXH_LDAP_PW_BAD_OLD:
		return PAM_AUTH_ERR;
	case BHXH_LDAP_PW_NO_ACCOUNT:
		return PAM_USER_UNKNOWN;
	case BHXH_LDAP_PW_EXPIRED:
	case BHXH_LDAP_PW_LOCKED:
	case BHXH_LDAP_PW_NOT_ALLOWED:
		return PAM_PERM_DENIED;
	case BHXH_LDAP_PW_NEED_OLD:
	case BHXH_LDAP_PW_QUALITY:
	case BHXH_LDAP_PW_TOO_SHORT:
	case BHXH_LDAP_PW_TOO_LONG:
	case BHXH_LDAP_PW_TOO_YOUNG:
	case BHXH_LDAP_PW_IN_HISTORY:
	case BHXH_LDAP_PW_REFUSED:
		return PAM_AUTHTOK_ERR;
	default:
		return PAM_SERVICE_ERR;
	}
}

/* Tell, log and audit an outcome; returns the PAM code. */
static int outcome(struct bhxh_pam *ctx, const struct bhxh_ldap_pw_result *res, const char *err,
		   bool by_root)
{
	int rc = res->reason == BHXH_LDAP_PW_OK ? PAM_SUCCESS : code_of(res->reason);
	int a;

	if (rc == PAM_SUCCESS) {
		bhxh_pam_info(ctx, "%s", _(message_of(res->reason)));
		bhxh_log(ctx, LOG_NOTICE, "password of %.100s changed in the directory%s", ctx->user,
			 by_root ? " (by root)" : "");
	} else {
		bhxh_pam_error(ctx, "%s", _(message_of(res->reason)));
		bhxh_log(ctx, rc == PAM_SERVICE_ERR || rc == PAM_AUTHINFO_UNAVAIL ? LOG_ERR
										 : LOG_NOTICE,
			 "password of %.100s not changed in the directory: %s", ctx->user, err);
	}
	a = bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, OP, bhxh_ldap_pw_code(res->reason),
			   by_root ? "store=ldap by=root" : "store=ldap", rc == PAM_SUCCESS);
	return rc == PAM_SUCCESS && a != PAM_SUCCESS ? a : rc;
}

/* root changing a password (passwd as root), not a user whose expired
 * password is changed by a root process at login (sshd, login: they pass
 * PAM_CHANGE_EXPIRED_AUTHTOK), as pam_unix decides. */
static bool caller_is_root(const struct bhxh_pam *ctx)
{
	return getuid() == 0 && !(ctx->flags & PAM_CHANGE_EXPIRED_AUTHTOK);
}

/* The current password: an earlier module's, or asked. */
static int old_password(struct bhxh_pam *ctx, const char **ret)
{
	const void *item = NULL;
	char *resp = NULL;
	int r;

	if (pam_get_item(ctx->pamh, PAM_OLDAUTHTOK, &item) == PAM_SUCCESS && item != NULL) {
		*ret = item;
		return PAM_SUCCESS;
	}
	r = pam_prompt(ctx->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", _("Current password: "));
	if (r != PAM_SUCCESS || resp == NULL) {
		bhxh_free_secret(resp);
		return r == PAM_SUCCESS ? PAM_CONV_ERR : r;
	}
	if (strnlen(resp, BHXH_PASS_MAX + 1) > BHXH_PASS_MAX)
		resp[BHXH_PASS_MAX] = '\0';
	r = pam_set_item(ctx->pamh, PAM_OLDAUTHTOK, resp);
	bhxh_free_secret(resp);
	if (r != PAM_SUCCESS)
		return r;
	if (pam_get_item(ctx->pamh, PAM_OLDAUTHTOK, &item) != PAM_SUCCESS || item == NULL)
		return PAM_SYSTEM_ERR;
	*ret = item;
	return PAM_SUCCESS;
}

static int prelim(struct bhxh_pam *ctx)
{
	struct bhxh_ldap_pw_result res;
	char err[BHXH_ERR_MAX] = "";
	const char *old = NULL;
	int r;

	if (caller_is_root(ctx))
		return PAM_SUCCESS; /* the administrative identity, at the update */
	r = old_password(ctx, &old);
	if (r != PAM_SUCCESS)
		return r;
	r = bhxh_ldap_pw_verify(&ctx->conf.ldap, ctx->user, old, strlen(old), &res, err,
				sizeof(err));
	if (r < 0) {
		/* a wrong current password must be typed again, not kept */
		if (res.reason == BHXH_LDAP_PW_BAD_OLD)
			(void)pam_set_item(ctx->pamh, PAM_OLDAUTHTOK, NULL);
		return outcome(ctx, &res, err, false);
	}
	if (res.must_change)
		bhxh_debug(ctx, "the directory asks %.100s to change the password", ctx->user);
	return PAM_SUCCESS;
}

static int update(struct bhxh_pam *ctx)
{
	struct bhxh_ldap_pw_result res;
	char err[BHXH_ERR_MAX] = "";
	const void *item = NULL;
	const char *old = NULL, *pass;
	bool by_root = caller_is_root(ctx);
	int r;

	if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == NULL) {
		bhxh_log(ctx, LOG_ERR,
			 "directory: no new password from the line before (pam_bhxh.so without "
			 "'directory' must come first)");
		(void)bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, OP, "no_authtok", "store=ldap",
				     false);
		return PAM_AUTHTOK_ERR;
	}
	pass = item;
	if (!by_root) {
		r = old_password(ctx, &old);
		if (r != PAM_SUCCESS)
			return r;
	}
	r = bhxh_ldap_pw_change(&ctx->conf.ldap, ctx->conf.dirpw.admin_dn,
				ctx->conf.dirpw.admin_pw_file, ctx->user, old,
				old != NULL ? strlen(old) : 0, pass, strlen(pass), &res, err,
				sizeof(err));
	if (r < 0 && res.reason == BHXH_LDAP_PW_OK)
		res.reason = BHXH_LDAP_PW_ERROR;
	return outcome(ctx, &res, err, by_root);
}

int bhxh_pam_dir_password(struct bhxh_pam *ctx)
{
	if (!ctx->user_valid) {
		bhxh_log(ctx, LOG_NOTICE, "invalid user name, refusing the password change");
		return PAM_USER_UNKNOWN;
	}
	/* local accounts are pam_unix's */
	if (pam_modutil_check_user_in_passwd(ctx->pamh, ctx->user, NULL) == PAM_SUCCESS) {
		bhxh_debug(ctx, "%.100s is a local account: left to pam_unix", ctx->user);
		return PAM_IGNORE;
	}
	if (!ctx->known) {
		bhxh_debug(ctx, "%.100s is not a known account: ignored", ctx->user);
		return PAM_IGNORE;
	}
	if (ctx->conf.ldap.uri[0] == '\0') {
		bhxh_log(ctx, LOG_ERR,
			 "%.100s is not a local account and ldap_uri is not set: the directory "
			 "password cannot be changed here",
			 ctx->user);
		(void)bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, OP, "ldap_config", "store=ldap",
				     false);
		bhxh_pam_error(ctx, "%s", _(message_of(BHXH_LDAP_PW_CONFIG)));
		return PAM_SERVICE_ERR;
	}
	if (ctx->flags & PAM_PRELIM_CHECK)
		return prelim(ctx);
	if (!(ctx->flags & PAM_UPDATE_AUTHTOK))
		return PAM_SERVICE_ERR;
	return update(ctx);
}
