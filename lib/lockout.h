/* Lockout policy: pure functions over a tally, with "now" passed in. */
#ifndef BHXH_LOCKOUT_H
#define BHXH_LOCKOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tally.h"

/* The policy that applies to one account (root and admin-group members may
 * have their own unlock time). */
struct bhxh_lock_policy {
	uint64_t deny;          /* 0: never lock */
	uint64_t fail_interval; /* seconds */
	uint64_t unlock_time;   /* seconds; 0: until an administrator resets */
};

enum bhxh_lock_state {
	BHXH_UNLOCKED = 0,
	BHXH_LOCKED,
	BHXH_LOCK_EXPIRED, /* was locked for a time that has now passed */
};

/* Locked, unlocked, or a timed lock that has run out.  *ret_unlock_in is
 * the number of seconds left (-1 for "until reset"), written when locked. */
enum bhxh_lock_state bhxh_lockout_state(const struct bhxh_tally *t, int64_t now,
					int64_t *ret_unlock_in);

/* Failures within fail_interval before now (the "window").
 *
 * deny= goes up to 65535 (pam_faillock's range) while a tally keeps the
 * newest BHXH_TALLY_RECORDS failures in detail.  A failure that no longer
 * fits joins the "older" ones, kept as a count and the time of the newest of
 * them; they leave the window together, when that time does.  So the count
 * is exact while the failures of the window fit in the records, and above
 * that it can only be too high (an older failure counts until the newest of
 * them leaves the window): the lock may come earlier than pam_faillock's,
 * never later.  pam_faillock itself grows its file by one record per
 * failure. */
unsigned bhxh_lockout_failures(const struct bhxh_tally *t, const struct bhxh_lock_policy *p,
			       int64_t now);

/* Is the tally locked at now (a timed lock that ran out is not)? */
bool bhxh_lockout_is_locked(const struct bhxh_tally *t, int64_t now);

/* Record one failure at now.  Records outside the window are dropped, the
 * oldest join the older failures when the table is full.  An attempt while
 * locked is not recorded (as in pam_faillock: it never counts twice).
 * Returns true when this failure locked the account. */
bool bhxh_lockout_add_failure(struct bhxh_tally *t, const struct bhxh_lock_policy *p,
			      int64_t now, const char *service, const char *source);

/* Attempts left before the lock (0 when locked or lockout is off). */
unsigned bhxh_lockout_remaining(const struct bhxh_tally *t, const struct bhxh_lock_policy *p,
				int64_t now);

struct bhxh_lockout_conf;

/* The policy for one account from the configuration; false when lockout does
 * not apply to it (deny=0, or root/admin-group without even_deny_root). */
bool bhxh_lockout_policy(const struct bhxh_lockout_conf *lc, bool privileged,
			 struct bhxh_lock_policy *ret);

/* Is the account root or a member of admin_group (NSS lookups)? */
bool bhxh_lockout_privileged(const struct bhxh_lockout_conf *lc, const char *user, uid_t uid,
			     gid_t gid);

/* Minutes to show a user for a lock of `seconds` (rounded up, at least 1). */
unsigned bhxh_lockout_minutes(int64_t seconds);

#endif
