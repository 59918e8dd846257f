/* Password aging and account status: pure date arithmetic.
 *
 * Inputs are the fields of a shadow entry (days since 1970-01-01 UTC, -1 or
 * any negative value = empty field), the agency policy (conf_expiry.h), the
 * time of the last successful login and "now"; the output is one verdict.
 * No clock, no I/O, no PAM: the PAM glue and bhxhctl both call this, and the
 * unit tests drive it at its boundaries.
 *
 * The stricter of the shadow entry and the policy applies: the password
 * expires on day lstchg + min(sp_max, max_days).  A shadow sp_max of 10000
 * days or more (the customary 99999) means "never" for the shadow side, as
 * in shadow-utils, so it cannot produce absurd day counts; the policy still
 * applies.  The policy's max_days only applies to an account with a usable
 * password (not locked with '!' or '*'): the age of a password nobody can
 * type means nothing. */
#ifndef BHXH_EXPIRY_H
#define BHXH_EXPIRY_H

#include <stdbool.h>
#include <stdint.h>

#include "conf_expiry.h"

#define BHXH_DAY_SECONDS 86400LL
/* "No such day": a field that is empty, or a date that never comes. */
#define BHXH_NEVER INT64_MAX
/* Shadow sp_max at or above this means "no limit" (shadow-utils does the same). */
#define BHXH_SHADOW_MAX_NEVER 10000

/* The fields of struct spwd that matter, copied out (never the hash). */
struct bhxh_shadow {
	int64_t lstchg; /* day of the last change; 0 = must change; <0 = empty */
	int64_t max;    /* days a password is valid; <0 = empty */
	int64_t warn;   /* days of warning before expiry; <0 = empty */
	int64_t inact;  /* days after expiry the password still works to change it */
	int64_t expire; /* day the account expires; <0 = empty */
	bool has_password; /* the hash is usable: not empty-locked '!...' or '*' */
};

/* The shadow entry of user through NSS (getspnam(), which nss_wrapper
 * interposes in the tests; PAM applications call the account phase from
 * one thread and the entry is copied out at once).  0 with the entry;
 * -ENOENT when there is none (ret all-empty: no aging); -EACCES when the
 * caller is not root and NSS says "no entry" (unreadable is not "none");
 * other -errno when NSS fails. */
int bhxh_shadow_read(const char *user, struct bhxh_shadow *ret);

enum bhxh_expiry_verdict {
	BHXH_EXPIRY_OK = 0,
	BHXH_EXPIRY_WARN,             /* ok, but expires in days_left days */
	BHXH_EXPIRY_MUST_CHANGE,      /* login only after a password change */
	BHXH_EXPIRY_ACCOUNT_EXPIRED,  /* past sp_expire */
	BHXH_EXPIRY_PASSWORD_INACTIVE, /* expired and the sp_inact grace has passed */
	BHXH_EXPIRY_INACTIVE,         /* no successful login for inactive_days */
};

enum bhxh_expiry_reason {
	BHXH_EXPIRY_REASON_NONE = 0,
	BHXH_EXPIRY_REASON_EXPIRED,     /* MUST_CHANGE: older than the limit */
	BHXH_EXPIRY_REASON_LSTCHG_ZERO, /* MUST_CHANGE: chage -d 0 / passwd -e */
};

struct bhxh_expiry_result {
	enum bhxh_expiry_verdict verdict;
	enum bhxh_expiry_reason reason;
	/* WARN: days the password remains valid, today included (1 = today is
	 * the last day; never 0, never more than the warning window). */
	int64_t days_left;
	int64_t today;           /* now as a day number */
	int64_t pw_expire_day;   /* first day the password no longer works, or BHXH_NEVER */
	int64_t pw_disable_day;  /* first day of PASSWORD_INACTIVE, or BHXH_NEVER */
	int64_t acct_expire_day; /* first day of ACCOUNT_EXPIRED, or BHXH_NEVER */
	int64_t activity;        /* last sign of activity (seconds), or -1 unknown */
	int64_t inactive_at;     /* time (seconds) INACTIVE starts, or BHXH_NEVER */
	bool policy_max;         /* the policy's max_days is the stricter limit */
	bool lstchg_future;      /* sp_lstchg was after today: counted as today */
};

/* Everything the verdict needs about the account's activity. */
struct bhxh_activity {
	int64_t last_login; /* seconds; <0 = no record */
	int64_t baseline;   /* seconds since records are kept; <0 = unknown */
	bool exempt;        /* root or below inactive_min_uid: never INACTIVE */
};

/* The verdict at time now (seconds since the epoch, >= 0).  act may be NULL
 * (no inactivity check).  Checks run from the most final to the mildest:
 * account expired, password inactive, login inactive, must change, warn.
 * Returns 0, or -EINVAL for a NULL argument or a negative now; *ret is
 * written only on success. */
int bhxh_expiry_check(const struct bhxh_shadow *sp, const struct bhxh_expiry_conf *pol,
		      const struct bhxh_activity *act, int64_t now,
		      struct bhxh_expiry_result *ret);

/* The day number of a time in seconds (rounded down, also for negative). */
int64_t bhxh_expiry_day(int64_t seconds);

/* Stable lowercase names for audit records and bhxhctl --json. */
const char *bhxh_expiry_verdict_name(const struct bhxh_expiry_result *r);

/* Format a day number as YYYY-MM-DD (UTC) into buf (at least 11 bytes);
 * "never" for BHXH_NEVER, "?" for a day out of range.  Returns buf. */
const char *bhxh_expiry_date(int64_t day, char *buf, size_t len);

#endif
