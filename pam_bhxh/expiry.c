/* Account phase: password aging, account expiry and inactivity (the expiry
 * area).  The arithmetic is lib/expiry.c; this file reads the shadow entry
 * through NSS, reads and writes the last-login records, and maps the
 * verdict to a message, an audit record and a PAM code.
 *
 * Decisions (see pam_bhxh(8)):
 *  - an unknown user, or a name that is not a valid user name, is
 *    PAM_USER_UNKNOWN (the account phase runs after authentication, so this
 *    reveals nothing the auth phase did not);
 *  - a shadow entry that cannot be read (not root, NSS error) fails closed
 *    with PAM_AUTHINFO_UNAVAIL; no entry at all means no password aging;
 *  - account expired, grace after password expiry passed, and no login for
 *    inactive_days all return PAM_ACCT_EXPIRED, each with its own message
 *    and audit reason: the account is unusable until IT acts;
 *  - last-login state that cannot be read fails closed (PAM_SYSTEM_ERR) when
 *    inactive_days is set, like the lockout state;
 *  - a login is recorded when the account phase allows it (so SSH-key logins
 *    that skip auth count) and after a correct password (authsucc), but never
 *    for an account that is already disabled: a correct password must not
 *    revive an inactive account. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "expiry.h"
#include "glue.h"
#include "i18n.h"
#include "lastlogin.h"

/* The shadow entry (bhxh_shadow_read): PAM_SUCCESS (an absent entry is
 * all-empty, for root), or PAM_AUTHINFO_UNAVAIL when NSS could not answer
 * or, without root, said "no entry". */
static int read_shadow(struct bhxh_pam *ctx, struct bhxh_shadow *ret)
{
	int r = bhxh_shadow_read(ctx->user, ret);

	if (r == 0)
		return PAM_SUCCESS;
	if (r == -ENOENT) {
		bhxh_debug(ctx, "no shadow entry for %.100s: no password aging", ctx->user);
		return PAM_SUCCESS;
	}
	if (r == -EACCES)
		bhxh_log(ctx, LOG_ERR, "no shadow entry for %.100s readable without root: refusing",
			 ctx->user);
	else
		bhxh_log(ctx, LOG_ERR, "cannot read the shadow entry of %.100s: %s", ctx->user,
			 strerror(-r));
	return PAM_AUTHINFO_UNAVAIL;
}

static bool inactivity_on(const struct bhxh_pam *ctx)
{
	return ctx->conf.expiry.inactive_days != BHXH_DAYS_UNSET;
}

/* Open the last-login store (creating it and its baseline on first use) and
 * fill act.  *ret_dirfd is -1 when inactivity is off. */
static int read_activity(struct bhxh_pam *ctx, struct bhxh_activity *act, int *ret_dirfd)
{
	const char *dir = ctx->conf.expiry.lastlogin_dir;
	int dirfd = -1, r, rc = PAM_SUCCESS;

	*act = (struct bhxh_activity){ .last_login = -1, .baseline = -1 };
	*ret_dirfd = -1;
	if (!inactivity_on(ctx))
		return PAM_SUCCESS;
	act->exempt = ctx->uid == 0 || ctx->uid < ctx->conf.expiry.inactive_min_uid;

	dirfd = bhxh_lastlogin_open_dir(dir, true, ctx->now);
	if (dirfd < 0) {
		bhxh_log(ctx, LOG_ERR, "last-login directory %s unusable: %s", dir,
			 strerror(-dirfd));
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	r = bhxh_lastlogin_read(dirfd, ctx->user, &act->last_login);
	if (r < 0 && r != -ENOENT) {
		/* Damaged or foreign state does not get to say "active". */
		bhxh_log(ctx, LOG_ERR, "last-login record %s/%.100s unusable: %s", dir, ctx->user,
			 strerror(-r));
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	r = bhxh_lastlogin_baseline(dirfd, &act->baseline);
	if (r < 0 && r != -ENOENT) {
		bhxh_log(ctx, LOG_ERR, "last-login baseline in %s unusable: %s", dir,
			 strerror(-r));
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	*ret_dirfd = dirfd;
	dirfd = -1;
out:
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

/* Shadow entry + activity -> verdict.  On PAM_SUCCESS *ret_dirfd is the
 * open store (or -1) for the caller to close. */
static int evaluate(struct bhxh_pam *ctx, struct bhxh_expiry_result *res, int *ret_dirfd)
{
	struct bhxh_shadow sp;
	struct bhxh_activity act;
	int rc, dirfd = -1;

	*ret_dirfd = -1;
	rc = read_shadow(ctx, &sp);
	if (rc != PAM_SUCCESS)
		goto out;
	rc = read_activity(ctx, &act, &dirfd);
	if (rc != PAM_SUCCESS)
		goto out;
	if (bhxh_expiry_check(&sp, &ctx->conf.expiry, &act, ctx->now < 0 ? 0 : ctx->now,
			      res) < 0) {
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	if (res->lstchg_future)
		bhxh_log(ctx, LOG_WARNING,
			 "shadow entry of %.100s has a last change in the future; counted as today",
			 ctx->user);
	*ret_dirfd = dirfd;
	dirfd = -1;
out:
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

static void record_login(struct bhxh_pam *ctx, int dirfd)
{
	int r;

	if (dirfd < 0)
		return;
	r = bhxh_lastlogin_write(dirfd, ctx->user, ctx->now < 0 ? 0 : ctx->now);
	if (r < 0)
		bhxh_log(ctx, LOG_ERR, "cannot record the login of %.100s in %s: %s", ctx->user,
			 ctx->conf.expiry.lastlogin_dir, strerror(-r));
}

static bool refused(const struct bhxh_expiry_result *res)
{
	return res->verdict == BHXH_EXPIRY_ACCOUNT_EXPIRED ||
	       res->verdict == BHXH_EXPIRY_PASSWORD_INACTIVE ||
	       res->verdict == BHXH_EXPIRY_INACTIVE;
}

/* A date for people, in the user's language's customary order. */
static const char *user_date(int64_t day, char *buf, size_t len)
{
	struct tm tm;
	time_t t;

	if (day == BHXH_NEVER || day < 0 || day > 2932896)
		return bhxh_expiry_date(day, buf, len);
	t = (time_t)(day * BHXH_DAY_SECONDS);
	/* TRANSLATORS: strftime(3) format of the dates in expiry messages. */
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, _("%Y-%m-%d"), &tm) == 0)
		return bhxh_expiry_date(day, buf, len);
	return buf;
}

/* Message, audit record and PAM code of one verdict. */
static int apply_verdict(struct bhxh_pam *ctx, const struct bhxh_expiry_result *res)
{
	char d1[32], d2[32], extra[160];
	const char *reason = bhxh_expiry_verdict_name(res);
	bool ok = false;
	int rc = PAM_SUCCESS, r;

	extra[0] = '\0';
	switch (res->verdict) {
	case BHXH_EXPIRY_ACCOUNT_EXPIRED:
		snprintf(extra, sizeof(extra), "expired=%s",
			 bhxh_expiry_date(res->acct_expire_day, d1, sizeof(d1)));
		bhxh_pam_error(ctx, "%s",
			       _("Your account has expired; please contact the IT department."));
		rc = PAM_ACCT_EXPIRED;
		break;
	case BHXH_EXPIRY_PASSWORD_INACTIVE:
		snprintf(extra, sizeof(extra), "password_expired=%s disabled=%s",
			 bhxh_expiry_date(res->pw_expire_day, d1, sizeof(d1)),
			 bhxh_expiry_date(res->pw_disable_day, d2, sizeof(d2)));
		bhxh_pam_error(ctx,
			       _("Your password expired on %s and was not changed in time; the "
				 "account is disabled. Please contact the IT department."),
			       user_date(res->pw_expire_day, d1, sizeof(d1)));
		rc = PAM_ACCT_EXPIRED;
		break;
	case BHXH_EXPIRY_INACTIVE: {
		unsigned long n = (unsigned long)ctx->conf.expiry.inactive_days;
		int64_t day = bhxh_expiry_day(res->activity);

		snprintf(extra, sizeof(extra), "last_activity=%s inactive_days=%lu",
			 bhxh_expiry_date(day, d1, sizeof(d1)), n);
		bhxh_pam_error(ctx,
			       P_("Your account is disabled: no successful login for more than %lu "
				  "day (last activity %s). Please contact the IT department.",
				  "Your account is disabled: no successful login for more than %lu "
				  "days (last activity %s). Please contact the IT department.",
				  n),
			       n, user_date(day, d1, sizeof(d1)));
		rc = PAM_ACCT_EXPIRED;
		break;
	}
	case BHXH_EXPIRY_MUST_CHANGE:
		if (res->reason == BHXH_EXPIRY_REASON_LSTCHG_ZERO) {
			snprintf(extra, sizeof(extra), "lstchg=0");
			bhxh_pam_error(ctx, "%s",
				       _("You must change your password now (required by the "
					 "administrator)."));
		} else {
			snprintf(extra, sizeof(extra), "password_expired=%s%s",
				 bhxh_expiry_date(res->pw_expire_day, d1, sizeof(d1)),
				 res->policy_max ? " limit=policy" : " limit=shadow");
			bhxh_pam_error(ctx,
				       _("Your password expired on %s. You must change it now."),
				       user_date(res->pw_expire_day, d1, sizeof(d1)));
		}
		rc = PAM_NEW_AUTHTOK_REQD;
		ok = true; /* allowed once the password is changed */
		break;
	case BHXH_EXPIRY_WARN:
		snprintf(extra, sizeof(extra), "days_left=%lld expires=%s",
			 (long long)res->days_left,
			 bhxh_expiry_date(res->pw_expire_day, d1, sizeof(d1)));
		if (res->days_left <= 1)
			bhxh_pam_info(ctx, "%s",
				      _("Your password expires today. Please change it now."));
		else
			bhxh_pam_info(ctx,
				      P_("Your password will expire in %ld day, on %s. Please "
					 "change it soon.",
					 "Your password will expire in %ld days, on %s. Please "
					 "change it soon.",
					 (unsigned long)res->days_left),
				      (long)res->days_left,
				      user_date(res->pw_expire_day, d1, sizeof(d1)));
		ok = true;
		break;
	case BHXH_EXPIRY_OK:
		ok = true;
		break;
	}
	bhxh_debug(ctx, "expiry verdict for %.100s: %s %s", ctx->user, reason, extra);
	if (!ok)
		bhxh_log(ctx, LOG_NOTICE, "account %.100s refused: %s %s", ctx->user, reason,
			 extra);
	/* with audit_unavailable=deny an allowed login that cannot be audited
	 * is refused: bhxh_pam_audit() says so */
	r = bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_account", reason,
			   extra[0] ? extra : NULL, rc == PAM_SUCCESS);
	if (rc == PAM_SUCCESS && r != PAM_SUCCESS)
		rc = r;
	return rc;
}

int bhxh_pam_expiry_account(struct bhxh_pam *ctx)
{
	struct bhxh_expiry_result res;
	int rc, dirfd = -1;

	if (!ctx->user_valid || !ctx->known) {
		bhxh_debug(ctx, "account phase: unknown user %.100s", ctx->user);
		bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_account", "user_unknown", NULL,
			       false);
		return PAM_USER_UNKNOWN;
	}
	rc = evaluate(ctx, &res, &dirfd);
	if (rc != PAM_SUCCESS) {
		bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_account",
			       rc == PAM_AUTHINFO_UNAVAIL ? "shadow_unavailable" : "state_error",
			       NULL, false);
		return rc;
	}
	rc = apply_verdict(ctx, &res);
	if (rc == PAM_SUCCESS)
		record_login(ctx, dirfd);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

void bhxh_pam_expiry_auth_success(struct bhxh_pam *ctx)
{
	struct bhxh_expiry_result res;
	int dirfd = -1;

	if (!ctx->user_valid || !ctx->known || !inactivity_on(ctx))
		return;
	if (evaluate(ctx, &res, &dirfd) != PAM_SUCCESS)
		return; /* logged; the account phase will refuse */
	if (!refused(&res))
		record_login(ctx, dirfd);
	else
		bhxh_debug(ctx, "%.100s is disabled (%s): login not recorded", ctx->user,
			   bhxh_expiry_verdict_name(&res));
	if (dirfd >= 0)
		close(dirfd);
}
