/* Password aging and account status: pure date arithmetic (see expiry.h).
 *
 * Every sum of days goes through add_sat(): shadow fields are attacker-
 * or typo-controlled longs (99999, LONG_MAX), and a wrapped sum would turn
 * "never" into "long ago". */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "expiry.h"

/* a + b for b >= 0, stopping at BHXH_NEVER. */
static int64_t add_sat(int64_t a, int64_t b)
{
	if (a == BHXH_NEVER || b == BHXH_NEVER || a > BHXH_NEVER - b)
		return BHXH_NEVER;
	return a + b;
}

static int64_t mul_day(uint64_t days)
{
	if (days > (uint64_t)(BHXH_NEVER / BHXH_DAY_SECONDS))
		return BHXH_NEVER;
	return (int64_t)days * BHXH_DAY_SECONDS;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t bhxh_expiry_day(int64_t seconds)
{
	int64_t d = seconds / BHXH_DAY_SECONDS;

	if (seconds % BHXH_DAY_SECONDS < 0)
		d--;
	return d;
}

/* The password's lifetime in days: the stricter of shadow and policy, or
 * BHXH_NEVER. */
static int64_t effective_max(const struct bhxh_shadow *sp, const struct bhxh_expiry_conf *pol,
			     bool *ret_policy)
{
	int64_t smax = BHXH_NEVER, pmax = BHXH_NEVER;

	if (sp->max >= 0 && sp->max < BHXH_SHADOW_MAX_NEVER)
		smax = sp->max;
	if (pol->max_days != BHXH_DAYS_UNSET && sp->has_password &&
	    pol->max_days < (uint64_t)BHXH_NEVER)
		pmax = (int64_t)pol->max_days;
	*ret_policy = pmax < smax;
	return min64(smax, pmax);
}

/* Days of warning: the longer of shadow and policy (warning is never a
 * restriction), but never longer than the password's whole lifetime, so a
 * huge sp_warn cannot make every login print a warning. */
static int64_t warn_window(const struct bhxh_shadow *sp, const struct bhxh_expiry_conf *pol,
			   int64_t max)
{
	int64_t w = 0;

	if (sp->warn >= 0)
		w = sp->warn;
	if (pol->warn_days != BHXH_DAYS_UNSET && pol->warn_days < (uint64_t)BHXH_NEVER &&
	    (int64_t)pol->warn_days > w)
		w = (int64_t)pol->warn_days;
	return min64(w, max);
}

int bhxh_expiry_check(const struct bhxh_shadow *sp, const struct bhxh_expiry_conf *pol,
		      const struct bhxh_activity *act, int64_t now,
		      struct bhxh_expiry_result *ret)
{
	struct bhxh_expiry_result r = {
		.verdict = BHXH_EXPIRY_OK,
		.reason = BHXH_EXPIRY_REASON_NONE,
		.pw_expire_day = BHXH_NEVER,
		.pw_disable_day = BHXH_NEVER,
		.acct_expire_day = BHXH_NEVER,
		.activity = -1,
		.inactive_at = BHXH_NEVER,
	};
	int64_t lstchg = -1, max;

	if (sp == NULL || pol == NULL || ret == NULL || now < 0)
		return -EINVAL;
	r.today = bhxh_expiry_day(now);

	/* sp_expire: the account stops on that day.  0 (1970-01-01) is a
	 * date like any other, as pam_unix and chage -E 0 read it. */
	if (sp->expire >= 0)
		r.acct_expire_day = sp->expire;

	/* Password aging needs the day of the last change; an empty field
	 * disables aging (shadow(5)), so it never produces a warning. */
	if (sp->lstchg > 0) {
		lstchg = sp->lstchg;
		if (lstchg > r.today) {
			/* A change in the future (clock skew, bad import) must
			 * not buy extra lifetime: count it as today. */
			lstchg = r.today;
			r.lstchg_future = true;
		}
	}
	max = effective_max(sp, pol, &r.policy_max);
	if (lstchg > 0 && max != BHXH_NEVER) {
		r.pw_expire_day = add_sat(lstchg, max);
		if (sp->inact >= 0)
			r.pw_disable_day = add_sat(r.pw_expire_day, sp->inact);
	}

	/* Activity: the latest of the last login, the password change and the
	 * day records began; nothing known means no verdict of inactivity. */
	if (act != NULL) {
		int64_t a = act->last_login >= 0 ? act->last_login : -1;

		if (act->baseline > a)
			a = act->baseline;
		if (lstchg > 0 && mul_day((uint64_t)lstchg) > a)
			a = mul_day((uint64_t)lstchg);
		r.activity = a;
		if (a >= 0 && !act->exempt && pol->inactive_days != BHXH_DAYS_UNSET)
			r.inactive_at = add_sat(a, mul_day(pol->inactive_days));
	}

	if (r.today >= r.acct_expire_day) {
		r.verdict = BHXH_EXPIRY_ACCOUNT_EXPIRED;
	} else if (r.today >= r.pw_disable_day) {
		r.verdict = BHXH_EXPIRY_PASSWORD_INACTIVE;
	} else if (r.inactive_at != BHXH_NEVER && now >= r.inactive_at) {
		r.verdict = BHXH_EXPIRY_INACTIVE;
	} else if (sp->lstchg == 0) {
		r.verdict = BHXH_EXPIRY_MUST_CHANGE;
		r.reason = BHXH_EXPIRY_REASON_LSTCHG_ZERO;
	} else if (r.today >= r.pw_expire_day) {
		r.verdict = BHXH_EXPIRY_MUST_CHANGE;
		r.reason = BHXH_EXPIRY_REASON_EXPIRED;
	} else if (r.pw_expire_day != BHXH_NEVER) {
		int64_t left = r.pw_expire_day - r.today; /* >= 1 here */

		if (left <= warn_window(sp, pol, max)) {
			r.verdict = BHXH_EXPIRY_WARN;
			r.days_left = left;
		}
	}
	*ret = r;
	return 0;
}

const char *bhxh_expiry_verdict_name(const struct bhxh_expiry_result *r)
{
	switch (r->verdict) {
	case BHXH_EXPIRY_OK:
		return "allowed";
	case BHXH_EXPIRY_WARN:
		return "warn_expiry";
	case BHXH_EXPIRY_MUST_CHANGE:
		return r->reason == BHXH_EXPIRY_REASON_LSTCHG_ZERO ? "must_change_now"
								    : "password_expired";
	case BHXH_EXPIRY_ACCOUNT_EXPIRED:
		return "account_expired";
	case BHXH_EXPIRY_PASSWORD_INACTIVE:
		return "password_inactive";
	case BHXH_EXPIRY_INACTIVE:
		return "inactive";
	}
	return "unknown";
}

const char *bhxh_expiry_date(int64_t day, char *buf, size_t len)
{
	struct tm tm;
	time_t t;

	if (day == BHXH_NEVER) {
		snprintf(buf, len, "never");
		return buf;
	}
	/* years 0..9999 only: anything else is not a date a person can use */
	if (day < -719528 || day > 2932896) {
		snprintf(buf, len, "?");
		return buf;
	}
	t = (time_t)(day * BHXH_DAY_SECONDS);
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}
