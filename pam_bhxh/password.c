/* Password phase (pw area): quality and history.
 *
 *   password requisite pam_bhxh.so [options]          # asks, checks, sets PAM_AUTHTOK
 *   password requisite pam_unix.so use_authtok yescrypt
 *   password optional  pam_bhxh.so record [options]   # history, after the change
 *
 * or, in pam_pwquality's and pam_pwhistory's own places, with only the
 * module name changed:
 *
 *   password requisite pam_bhxh.so retry=3
 *   password required  pam_bhxh.so remember=5 use_authtok
 *   password [success=1 default=ignore] pam_unix.so obscure use_authtok yescrypt
 *
 * PAM_PRELIM_CHECK: refuse early when min_days forbids a change (so the user
 * does not type two new passwords for nothing).  PAM_UPDATE_AUTHTOK: the
 * checking line takes a new password from an earlier module when there is
 * one (as pam_get_authtok does; use_authtok/use_first_pass: never ask),
 * else asks; checks it with lib/pwcheck and the history, asks for
 * confirmation and hands it on.
 *
 * History without a record line: the checking line first saves the shadow
 * hash being replaced (the current password, set by a change that did
 * succeed), once (bhxh_history_add_hash skips a hash already newest), then
 * refuses the current password and the `remember` before it.  A new
 * password is never saved before the change: the record line (after
 * pam_unix) saves the new shadow hash only when it matches, and without a
 * record line it is saved as "the hash being replaced" at the next change.
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
	{
		/* without a record line, the current password's change is known
		 * from the shadow entry only */
		struct spwd *sp = getspnam(ctx->user);

		if (sp != NULL && sp->sp_lstchg > 0 && (long long)sp->sp_lstchg * 86400 > last)
			last = (long long)sp->sp_lstchg * 86400;
	}
	if (last > 0 && ctx->now - last < (long long)days * 86400) {
		struct bhxh_pw_verdict v = { .reason = BHXH_PW_TOO_SOON };

		tell_refused(ctx, &v);
		return decide(ctx, BHXH_PW_TOO_SOON, NULL, PAM_AUTHTOK_ERR);
	}
	return PAM_SUCCESS;
}

/* The user's current shadow hash when it is a usable crypt(3) string
 * (not locked, not empty), and the time it was set. */
static bool current_hash(struct bhxh_pam *ctx, char *buf, size_t size, long long *ret_when)
{
	struct spwd *sp;

	if (!ctx->known)
		return false;
	sp = getspnam(ctx->user);
	if (sp == NULL || sp->sp_pwdp == NULL || sp->sp_pwdp[0] != '$' ||
	    bhxh_strlcpy(buf, sp->sp_pwdp, size) < 0)
		return false;
	*ret_when = sp->sp_lstchg > 0 ? (long long)sp->sp_lstchg * 86400 : 0;
	return true;
}

/* Save the hash being replaced (see the top of the file).  PAM_SUCCESS, or
 * PAM_AUTHTOK_ERR when the history cannot be written: a history that
 * silently stops growing is no history. */
static int save_replaced(struct bhxh_pam *ctx, const struct bhxh_pw_params *q)
{
	char hash[256];
	long long when;
	int r;

	if (q->remember <= 0 || !ctx->user_valid || !current_hash(ctx, hash, sizeof(hash), &when))
		return PAM_SUCCESS;
	r = bhxh_history_add_hash(ctx->conf.pw.history_dir, ctx->user, hash, when,
				  (unsigned)q->remember + 1);
	bhxh_wipe(hash, sizeof(hash));
	if (r < 0) {
		struct bhxh_pw_verdict v = { .reason = BHXH_PW_POLICY_ERROR };

		bhxh_log(ctx, LOG_ERR, "cannot save the password history of %.100s in %s: %s; "
			 "refusing", ctx->user, ctx->conf.pw.history_dir, strerror(-r));
		tell_refused(ctx, &v);
		return decide(ctx, BHXH_PW_POLICY_ERROR, "history", PAM_AUTHTOK_ERR);
	}
	return PAM_SUCCESS;
}

/* Check one candidate: quality, then history (the newest record is the
 * current password: "same as the old one"; the `remember` before it:
 * "used recently").  Returns 0 and fills v (v->reason OK or the refusal;
 * *ret_history says a history refusal), or -errno on an error that must
 * refuse. */
static int check_one(struct bhxh_pam *ctx, const struct bhxh_pw_policy *pol, const char *pass,
		     const char *oldpass, const char *gecos, struct bhxh_pw_verdict *v,
		     bool *ret_history)
{
	const struct bhxh_pw_params *q = bhxh_pw_policy_params(pol);
	bool found = false;
	long long last;
	int r;

	*ret_history = false;
	r = bhxh_pw_check(pol, pass, oldpass, ctx->user, gecos, v);
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "cannot check the password of %.100s: %s", ctx->user,
			 v->detail);
		return r;
	}
	if (v->reason != BHXH_PW_OK || q->remember <= 0 || !ctx->user_valid)
		return 0;
	r = bhxh_history_check(ctx->conf.pw.history_dir, ctx->user, pass, 1, &found, &last);
	if (r == 0 && found) {
		v->reason = BHXH_PW_SAME_AS_OLD;
		*ret_history = true;
		return 0;
	}
	if (r == 0)
		r = bhxh_history_check(ctx->conf.pw.history_dir, ctx->user, pass,
				       (unsigned)q->remember + 1, &found, &last);
	if (r < 0) {
		v->reason = BHXH_PW_POLICY_ERROR;
		bhxh_log(ctx, LOG_ERR, "password history %s unreadable: %s; refusing",
			 ctx->conf.pw.history_dir, strerror(-r));
		return r;
	}
	if (found) {
		v->reason = BHXH_PW_REUSED;
		*ret_history = true;
	}
	return 0;
}

/* A refused password for root with enforce_for_root=0: root is told plainly
 * what is wrong and that it is accepted anyway; never "BAD PASSWORD". */
static bool root_override(struct bhxh_pam *ctx, const struct bhxh_pw_params *q,
			  const struct bhxh_pw_verdict *v)
{
	char why[768];

	if (q->enforce_for_root || !caller_is_root() || v->reason == BHXH_PW_MISMATCH ||
	    (ctx->flags & PAM_CHANGE_EXPIRED_AUTHTOK))
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
 * audited here when by root override or enforcing=0, else by the caller
 * once the password is confirmed), PAM_AUTHTOK_ERR (refused, told and
 * audited; *ret_history says the history refused it). */
static int judge(struct bhxh_pam *ctx, const struct bhxh_pw_policy *pol, const char *pass,
		 const char *oldpass, const char *gecos, bool *ret_audited, bool *ret_history)
{
	const struct bhxh_pw_params *q = bhxh_pw_policy_params(pol);
	struct bhxh_pw_verdict v;
	char extra[64];

	*ret_audited = false;
	if (check_one(ctx, pol, pass, oldpass, gecos, &v, ret_history) < 0) {
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
	/* pwquality's enforcing=0: quality is only a warning (history is not) */
	if (!q->enforcing && !*ret_history && v.reason != BHXH_PW_POLICY_ERROR) {
		tell_refused(ctx, &v);
		snprintf(extra, sizeof(extra), "not_enforced=%s", bhxh_pw_reason_code(v.reason));
		*ret_audited = true;
		return decide(ctx, v.reason, extra, PAM_SUCCESS);
	}
	tell_refused(ctx, &v);
	bhxh_debug(ctx, "password of %.100s refused: %s (%u characters, %u bits) %s", ctx->user,
		   bhxh_pw_reason_code(v.reason), v.chars, v.bits, v.detail);
	return decide(ctx, v.reason, NULL, PAM_AUTHTOK_ERR);
}

/* The peers' return code once every try was refused: the history's refusal
 * is pam_pwhistory's PAM_MAXTRIES; a quality refusal is pam_pwquality's
 * PAM_MAXTRIES after several tries, PAM_AUTHTOK_ERR after one or when the
 * password came from an earlier module (use_authtok). */
static int refused_code(const struct bhxh_pw_params *q, bool history, bool from_earlier)
{
	if (history)
		return PAM_MAXTRIES;
	return q->retry > 1 && !from_earlier ? PAM_MAXTRIES : PAM_AUTHTOK_ERR;
}

static int update(struct bhxh_pam *ctx)
{
	struct bhxh_pw_policy *pol = NULL;
	const struct bhxh_pw_params *q;
	const void *item = NULL;
	const char *oldpass = NULL;
	const char *type = ctx->conf.pw.authtok_type;
	char gecos[GECOS_MAX] = "";
	char err[BHXH_ERR_MAX];
	char prompt[128], prompt2[128];
	char *pass = NULL, *again = NULL;
	bool audited = false, history = false;
	int rc = PAM_AUTHTOK_ERR, r, tries = 0;

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
	rc = save_replaced(ctx, q);
	if (rc != PAM_SUCCESS)
		goto out;

	/* a new password from an earlier module is used first, as
	 * pam_get_authtok does for pam_pwquality and pam_pwhistory */
	item = NULL;
	if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL) {
		rc = judge(ctx, pol, item, oldpass, gecos[0] ? gecos : NULL, &audited, &history);
		if (rc == PAM_SUCCESS) {
			if (!audited)
				rc = decide(ctx, BHXH_PW_OK, NULL, PAM_SUCCESS);
			goto out;
		}
		/* refused: no later module may set it */
		(void)pam_set_item(ctx->pamh, PAM_AUTHTOK, NULL);
		tries = 1;
		if (ctx->conf.pw.use_authtok || tries >= q->retry) {
			rc = refused_code(q, history, true);
			goto out;
		}
	} else if (ctx->conf.pw.use_authtok) {
		bhxh_log(ctx, LOG_ERR, "use_authtok: no new password from an earlier module");
		rc = decide(ctx, BHXH_PW_POLICY_ERROR, "no_authtok", PAM_AUTHTOK_ERR);
		goto out;
	}

	/* authtok_type= names the type and passes it on (PAM_AUTHTOK_TYPE), as
	 * pam_get_authtok does; without it, a type set earlier is used */
	if (type[0] != '\0')
		(void)pam_set_item(ctx->pamh, PAM_AUTHTOK_TYPE, type);
	else if (pam_get_item(ctx->pamh, PAM_AUTHTOK_TYPE, &item) == PAM_SUCCESS && item != NULL)
		type = item;
	if (type[0] != '\0') {
		snprintf(prompt, sizeof(prompt), _("New %s password: "), type);
		snprintf(prompt2, sizeof(prompt2), _("Retype new %s password: "), type);
	} else {
		snprintf(prompt, sizeof(prompt), "%s", _("New password: "));
		snprintf(prompt2, sizeof(prompt2), "%s", _("Retype new password: "));
	}
	for (; tries < q->retry; tries++) {
		bhxh_free_secret(pass);
		bhxh_free_secret(again);
		pass = again = NULL;
		history = false;
		rc = ask(ctx, prompt, &pass);
		if (rc == PAM_AUTHTOK_ERR)
			continue;
		if (rc != PAM_SUCCESS)
			goto out;
		rc = judge(ctx, pol, pass, oldpass, gecos[0] ? gecos : NULL, &audited, &history);
		if (rc != PAM_SUCCESS) {
			if (rc != PAM_AUTHTOK_ERR)
				goto out;
			continue;
		}
		rc = ask(ctx, prompt2, &again);
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
	rc = refused_code(q, history, false);
out:
	bhxh_free_secret(pass);
	bhxh_free_secret(again);
	bhxh_pw_policy_free(pol);
	return rc;
}

/* Has the change taken effect?  For a local account the shadow hash must
 * now match the new password (and is then what the history keeps, so the
 * next change's "hash being replaced" is the same string); other accounts:
 * trust the stack. */
static bool change_took_effect(struct bhxh_pam *ctx, const char *pass, char *ret_hash,
			       size_t size)
{
	struct spwd *sp = getspnam(ctx->user);
	struct crypt_data *cd;
	const char *h;
	bool ok;

	ret_hash[0] = '\0';
	if (sp == NULL || sp->sp_pwdp == NULL)
		return true;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return false;
	h = crypt_rn(pass, sp->sp_pwdp, cd, (int)sizeof(*cd));
	ok = h != NULL && h[0] != '*' && strcmp(h, sp->sp_pwdp) == 0;
	if (ok && bhxh_strlcpy(ret_hash, sp->sp_pwdp, size) < 0)
		ret_hash[0] = '\0';
	bhxh_wipe(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static int record(struct bhxh_pam *ctx)
{
	struct bhxh_pw_params prof;
	const void *item = NULL;
	int64_t remember = ctx->conf.pw.remember;
	char hash[256];
	int r;

	if (remember == BHXH_PW_UNSET)
		remember = bhxh_pw_profile(ctx->conf.pw.profile, &prof) == 0 ? prof.remember : 0;
	remember = remember > 400 ? 400 : remember;
	if (!history_wanted(ctx, (int)remember))
		return PAM_IGNORE;
	if (pam_get_item(ctx->pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == NULL)
		return PAM_IGNORE;
	if (!change_took_effect(ctx, item, hash, sizeof(hash))) {
		bhxh_log(ctx, LOG_NOTICE,
			 "password of %.100s not recorded in the history: the change did not take "
			 "effect", ctx->user);
		return PAM_IGNORE;
	}
	if (hash[0] == '$')
		r = bhxh_history_add_hash(ctx->conf.pw.history_dir, ctx->user, hash, ctx->now,
					  (unsigned)(remember < 0 ? 0 : remember) + 1);
	else
		r = bhxh_history_add(ctx->conf.pw.history_dir, ctx->user, item, ctx->now,
				     (unsigned)(remember < 0 ? 0 : remember) + 1);
	bhxh_wipe(hash, sizeof(hash));
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "cannot record the password history of %.100s in %s: %s",
			 ctx->user, ctx->conf.pw.history_dir, strerror(-r));
		return PAM_SYSTEM_ERR;
	}
	bhxh_debug(ctx, "password of %.100s recorded in the history", ctx->user);
	return PAM_SUCCESS;
}

int bhxh_pam_password(struct bhxh_pam *ctx, int argc, const char **argv)
{
	char err[BHXH_ERR_MAX];
	bool silent = ctx->conf.silent;

	/* the password phase also reads pwquality.conf and pwhistory.conf
	 * (other phases do not: a typo there must not stop logins) */
	if (bhxh_conf_load_pw(&ctx->conf, argc, argv, err, sizeof(err)) < 0) {
		bhxh_log(ctx, LOG_ERR, "configuration error, refusing: %s", err);
		return PAM_SERVICE_ERR;
	}
	ctx->conf.silent |= silent;
	bhxh_pam_set_lang(ctx);
	if (ctx->conf.dirpw.directory)
		return bhxh_pam_dir_password(ctx); /* dirpw.c: directory accounts */
	if ((ctx->conf.lockout.local_users_only || ctx->conf.pw.local_users_only) &&
	    !bhxh_pam_user_is_local(ctx)) {
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
