/* Password phase (pw area): quality and history.
 *
 *   password requisite pam_bhxh.so [options]          # asks, checks, sets PAM_AUTHTOK
 *   password requisite pam_unix.so use_authtok yescrypt
 *   password optional  pam_bhxh.so record [options]   # history, after the change
 *
 * PAM_PRELIM_CHECK: refuse early when min_days forbids a change (so the user
 * does not type two new passwords for nothing).  PAM_UPDATE_AUTHTOK: the
 * first line gets the new password (use_authtok: from an earlier module
 * only; try_first_pass: an earlier one first, then ask), checks it with
 * lib/pwcheck and the history, asks for confirmation and hands it on.  The
 * "record" line runs after pam_unix and records the password in the history
 * only when the change took effect: for a local account it checks that the
 * shadow hash now matches; for others it relies on pam_unix being requisite.
 * Every decision is audited with a reason code, never the password. */
#include "config.h"

#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_modutil.h>

#include "glue.h"
#include "history.h"
#include "i18n.h"
#include "pwcheck.h"
#include "util.h"

#define OP "PAM:bhxh_chauthtok"
#define GECOS_MAX 256

/* Audit one decision; a refusal stays a refusal, an acceptance becomes the
 * audit failure code when the configuration says so. */
static int decide(struct bhxh_pam *ctx, enum bhxh_pw_reason reason, const char *extra, int rc)
{
	int a = bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, OP, bhxh_pw_reason_code(reason), extra,
			       rc == PAM_SUCCESS);

	return rc == PAM_SUCCESS && a != PAM_SUCCESS ? a : rc;
}

static void tell_refused(struct bhxh_pam *ctx, const struct bhxh_pw_verdict *v)
{
	char why[768];

	bhxh_pw_explain(v, why, sizeof(why));
	bhxh_pam_error(ctx, "%s", why);
}

static bool caller_is_root(void)
{
	return getuid() == 0;
}

static bool history_wanted(const struct bhxh_pam *ctx, int remember)
{
	return ctx->user_valid && (remember > 0 || ctx->conf.expiry.min_days != BHXH_DAYS_UNSET);
}

/* min_days: refuse when the last recorded change is too recent.  root
 * (an administrator resetting a password) is not held back. */
static int check_too_soon(struct bhxh_pam *ctx)
{
	uint64_t days = ctx->conf.expiry.min_days;
	long long last = -1;
	bool found;
	int r;

	if (days == BHXH_DAYS_UNSET || days == 0 || !ctx->user_valid || caller_is_root())
		return PAM_SUCCESS;
	r = bhxh_history_check(ctx->conf.pw.history_dir, ctx->user, "", 0, &found, &last);
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "password history %s unreadable: %s; refusing",
			 ctx->conf.pw.history_dir, strerror(-r));
		return decide(ctx, BHXH_PW_POLICY_ERROR, "history", PAM_AUTHTOK_ERR);
	}
	if (last > 0 && ctx->now - last < (long long)days * 86400) {
		struct bhxh_pw_verdict v = { .reason = BHXH_PW_TOO_SOON };

		tell_refused(ctx, &v);
		return decide(ctx, BHXH_PW_TOO_SOON, NULL, PAM_AUTHTOK_ERR);
	}
	return PAM_SUCCESS;
}

/* Check one candidate: quality, then history.  Returns 0 and fills v
 * (v->reason OK or the refusal), or -errno on an error that must refuse. */
static int check_one(struct bhxh_pam *ctx, const struct bhxh_pw_policy *pol, const char *pass,
		     const char *oldpass, const char *gecos, struct bhxh_pw_verdict *v)
{
	const struct bhxh_pw_params *q = bhxh_pw_policy_params(pol);
	bool found = false;
	long long last;
	int r;

	r = bhxh_pw_check(pol, pass, oldpass, ctx->user, gecos, v);
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "cannot check the password of %.100s: %s", ctx->user,
			 v->detail);
		return r;
	}
	if (v->reason != BHXH_PW_OK || q->remember <= 0 || !ctx->user_valid)
		return 0;
	/* the newest record is the current password, then `remember` older ones */
	r = bhxh_history_check(ctx->conf.pw.history_dir, ctx->user, pass,
			       (unsigned)q->remember + 1, &found, &last);
	if (r < 0) {
		v->reason = BHXH_PW_POLICY_ERROR;
		bhxh_log(ctx, LOG_ERR, "password history %s unreadable: %s; refusing",
			 ctx->conf.pw.history_dir, strerror(-r));
		return r;
	}
	if (found)
		v->reason = BHXH_PW_REUSED;
	return 0;
}

/* A refused password for root with enforce_for_root=0: root is told plainly
 * what is wrong and that it is accepted anyway; never "BAD PASSWORD". */
static bool root_override(struct bhxh_pam *ctx, const struct bhxh_pw_params *q,
			  const struct bhxh_pw_verdict *v)
{
	char why[768];

	if (q->enforce_for_root || !caller_is_root() || v->reason == BHXH_PW_MISMATCH)
		return false;
	bhxh_pw_explain(v, why, sizeof(why));
	bhxh_pam_info(ctx, _("Warning: %s This password is accepted only because you are root "
			     "and enforce_for_root is off."),
		      why);
	return true;
}

/* Ask for a password.  A reply longer than BHXH_PASS_MAX bytes is refused
 * whole (told, audited as too_long, wiped with the length received) and
 * never cut: a cut value would be judged and handed on as if typed.
 * Returns PAM_SUCCESS, PAM_AUTHTOK_ERR (too long: ask again) or the
 * conversation's error. */
static int ask(struct bhxh_pam *ctx, const char *prompt, char **ret)
{
	struct bhxh_pw_verdict v = { .reason = BHXH_PW_TOO_LONG, .need = BHXH_PASS_MAX };
	char *resp = NULL;
	size_t len;
	int r = pam_prompt(ctx->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", prompt);

	*ret = NULL;
	if (r != PAM_SUCCESS || resp == NULL) {
		bhxh_free_secret(resp);
		return r == PAM_SUCCESS ? PAM_CONV_ERR : r;
	}
	len = strlen(resp);
	if (len <= BHXH_PASS_MAX) {
		*ret = resp;
		return PAM_SUCCESS;
	}
	bhxh_wipe(resp, len);
	free(resp);
	tell_refused(ctx, &v);
	bhxh_debug(ctx, "password of %.100s refused: %zu bytes, at most %d accepted", ctx->user,
		   len, BHXH_PASS_MAX);
	return decide(ctx, BHXH_PW_TOO_LONG, NULL, PAM_AUTHTOK_ERR);
}

/* The verdict on one candidate as a PAM outcome: PAM_SUCCESS (accepted;
 * audited here only when by root override, else by the caller once the
 * password is confirmed), PAM_AUTHTOK_ERR (refused, told and audited). */
static int judge(struct bhxh_pam *ctx, const struct bhxh_pw_policy *pol, const char *pass,
		 const char *oldpass, const char *gecos, bool *ret_audited)
{
	const struct bhxh_pw_params *q = bhxh_pw_policy_params(pol);
	struct bhxh_pw_verdict v;
	char extra[64];

	*ret_audited = false;
	if (check_one(ctx, pol, pass, oldpass, gecos, &v) < 0) {
		tell_refused(ctx, &v);
		return decide(ctx, BHXH_PW_POLICY_ERROR, NULL, PAM_AUTHTOK_ERR);
	}
	if (v.reason == BHXH_PW_OK)
		return PAM_SUCCESS;
	if (root_override(ctx, q, &v)) {
		snprintf(extra, sizeof(extra), "root_override=%s", bhxh_pw_reason_code(v.reason));
		*ret_audited = true;
		return decide(ctx, v.reason, extra, PAM_SUCCESS);
	}
	tell_refused(ctx, &v);
	bhxh_debug(ctx, "password of %.100s refused: %s (%u characters, %u bits) %s", ctx->user,
		   bhxh_pw_reason_code(v.reason), v.chars, v.bits, v.detail);
	return decide(ctx, v.reason, NULL, PAM_AUTHTOK_ERR);
}

static int update(struct bhxh_pam *ctx)
{
	struct bhxh_pw_policy *pol = NULL;
	const struct bhxh_pw_params *q;
	const void *item = NULL;
	const char *oldpass = NULL;
	char gecos[GECOS_MAX] = "";
	char err[BHXH_ERR_MAX];
	char *pass = NULL, *again = NULL;
	bool audited = false;
	int rc = PAM_AUTHTOK_ERR, r;

	r = bhxh_pw_policy_new(&ctx->conf.pw, &pol, err, sizeof(err));
	if (r < 0) {
		struct bhxh_pw_verdict v = { .reason = BHXH_PW_POLICY_ERROR };

		bhxh_log(ctx, LOG_ERR, "password policy unusable, refusing changes: %s", err);
		tell_refused(ctx, &v);
		return decide(ctx, BHXH_PW_POLICY_ERROR, NULL, PAM_SERVICE_ERR);
	}
	q = bhxh_pw_policy_params(pol);
	if (ctx->known) {
		struct passwd *pw = pam_modutil_getpwnam(ctx->pamh, ctx->user);

		if (pw != NULL && pw->pw_gecos != NULL)
			(void)bhxh_strlcpy(gecos, pw->pw_gecos, sizeof(gecos));
	}
	if (pam_get_item(ctx->pamh, PAM_OLDAUTHTOK, &item) == PAM_SUCCESS)
		oldpass = item;

	/* a password from an earlier module */
	item = NULL;
	if ((ctx->conf.pw.use_authtok || ctx->conf.pw.try_first_pass) &&
	    pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL) {
		rc = judge(ctx, pol, item, oldpass, gecos[0] ? gecos : NULL, &audited);
		if (rc == PAM_SUCCESS) {
			if (!audited)
				rc = decide(ctx, BHXH_PW_OK, NULL, PAM_SUCCESS);
			goto out;
		}
		if (ctx->conf.pw.use_authtok)
			goto out;
		(void)pam_set_item(ctx->pamh, PAM_AUTHTOK, NULL);
	} else if (ctx->conf.pw.use_authtok) {
		bhxh_log(ctx, LOG_ERR, "use_authtok: no new password from an earlier module");
		rc = decide(ctx, BHXH_PW_POLICY_ERROR, "no_authtok", PAM_AUTHTOK_ERR);
		goto out;
	}

	for (int tries = 0; tries < q->retry; tries++) {
		bhxh_free_secret(pass);
		bhxh_free_secret(again);
		pass = again = NULL;
		rc = ask(ctx, _("New password: "), &pass);
		if (rc == PAM_AUTHTOK_ERR)
			continue;
		if (rc != PAM_SUCCESS)
			goto out;
		rc = judge(ctx, pol, pass, oldpass, gecos[0] ? gecos : NULL, &audited);
		if (rc != PAM_SUCCESS) {
			if (rc != PAM_AUTHTOK_ERR)
				goto out;
			continue;
		}
		rc = ask(ctx, _("Retype new password: "), &again);
		if (rc == PAM_AUTHTOK_ERR)
			continue;
		if (rc != PAM_SUCCESS)
			goto out;
		if (strcmp(pass, again) != 0) {
			struct bhxh_pw_verdict v = { .reason = BHXH_PW_MISMATCH };

			tell_refused(ctx, &v);
			rc = decide(ctx, BHXH_PW_MISMATCH, NULL, PAM_AUTHTOK_ERR);
			continue;
		}
		rc = pam_set_item(ctx->pamh, PAM_AUTHTOK, pass);
		if (rc != PAM_SUCCESS) {
			bhxh_log(ctx, LOG_ERR, "cannot set PAM_AUTHTOK: %s",
				 pam_strerror(ctx->pamh, rc));
			goto out;
		}
		if (!audited)
			rc = decide(ctx, BHXH_PW_OK, NULL, PAM_SUCCESS);
		goto out;
	}
	rc = PAM_AUTHTOK_ERR;
out:
	bhxh_free_secret(pass);
	bhxh_free_secret(again);
	bhxh_pw_policy_free(pol);
	return rc;
}

/* Has the change taken effect?  For a local account the shadow hash must
 * now match the new password; other accounts: trust the stack. */
static bool change_took_effect(struct bhxh_pam *ctx, const char *pass)
{
	struct spwd *sp = getspnam(ctx->user);
	struct crypt_data *cd;
	const char *h;
	bool ok;

	if (sp == NULL || sp->sp_pwdp == NULL)
		return true;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return false;
	h = crypt_rn(pass, sp->sp_pwdp, cd, (int)sizeof(*cd));
	ok = h != NULL && h[0] != '*' && strcmp(h, sp->sp_pwdp) == 0;
	bhxh_wipe(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static int record(struct bhxh_pam *ctx)
{
	struct bhxh_pw_params prof;
	const void *item = NULL;
	int64_t remember = ctx->conf.pw.remember;
	int r;

	if (remember == BHXH_PW_UNSET)
		remember = bhxh_pw_profile(ctx->conf.pw.profile, &prof) == 0 ? prof.remember : 0;
	if (!history_wanted(ctx, (int)remember))
		return PAM_IGNORE;
	if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == NULL)
		return PAM_IGNORE;
	if (!change_took_effect(ctx, item)) {
		bhxh_log(ctx, LOG_NOTICE,
			 "password of %.100s not recorded in the history: the change did not take "
			 "effect", ctx->user);
		return PAM_IGNORE;
	}
	r = bhxh_history_add(ctx->conf.pw.history_dir, ctx->user, item, ctx->now,
			     (unsigned)remember + 1);
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "cannot record the password history of %.100s in %s: %s",
			 ctx->user, ctx->conf.pw.history_dir, strerror(-r));
		return PAM_SYSTEM_ERR;
	}
	bhxh_debug(ctx, "password of %.100s recorded in the history", ctx->user);
	return PAM_SUCCESS;
}

int bhxh_pam_password(struct bhxh_pam *ctx)
{
	if (ctx->conf.lockout.local_users_only && !bhxh_pam_user_is_local(ctx)) {
		bhxh_debug(ctx, "%.100s is not a local user: password checks skipped", ctx->user);
		return PAM_IGNORE;
	}
	if (!ctx->user_valid) {
		bhxh_log(ctx, LOG_NOTICE, "invalid user name, refusing the password change");
		return PAM_USER_UNKNOWN;
	}
	if (ctx->flags & PAM_PRELIM_CHECK)
		return ctx->conf.pw.record ? PAM_SUCCESS : check_too_soon(ctx);
	if (!(ctx->flags & PAM_UPDATE_AUTHTOK))
		return PAM_SERVICE_ERR;
	return ctx->conf.pw.record ? record(ctx) : update(ctx);
}
