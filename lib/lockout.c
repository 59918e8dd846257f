#include "config.h"

#include <grp.h>
#include <limits.h>
#include <string.h>

#include "conf.h"

#include "lockout.h"

enum bhxh_lock_state bhxh_lockout_state(const struct bhxh_tally *t, int64_t now,
					int64_t *ret_unlock_in)
{
	if (t->lock_until == 0)
		return BHXH_UNLOCKED;
	if (t->lock_until == BHXH_LOCK_FOREVER) {
		*ret_unlock_in = -1;
		return BHXH_LOCKED;
	}
	/* locked through lock_until itself: pam_faillock unlocks once
	 * latest failure + unlock_time < now */
	if (now > t->lock_until)
		return BHXH_LOCK_EXPIRED;
	*ret_unlock_in = t->lock_until - now;
	return BHXH_LOCKED;
}

static bool in_window(int64_t when, const struct bhxh_lock_policy *p, int64_t now)
{
	/* (now - fail_interval, now]; times in the future (clock stepped back)
	 * still count: dropping them would let a clock change erase failures.
	 * fail_interval=0 is an empty window: nothing counts, nothing locks
	 * (pam_faillock's meaning). */
	if (p->fail_interval == 0)
		return false;
	return when > now - (int64_t)p->fail_interval;
}

unsigned bhxh_lockout_failures(const struct bhxh_tally *t, const struct bhxh_lock_policy *p,
			       int64_t now)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < t->nrec && i < BHXH_TALLY_RECORDS; i++)
		if (in_window(t->rec[i].time, p, now))
			n++;
	/* the older failures leave together, with the newest of them */
	if (t->older > 0 && in_window(t->older_newest, p, now))
		n += t->older;
	return n > UINT_MAX ? UINT_MAX : (unsigned)n;
}

bool bhxh_lockout_is_locked(const struct bhxh_tally *t, int64_t now)
{
	return t->lock_until != 0 && (t->lock_until == BHXH_LOCK_FOREVER || now <= t->lock_until);
}

bool bhxh_lockout_add_failure(struct bhxh_tally *t, const struct bhxh_lock_policy *p,
			      int64_t now, const char *service, const char *source)
{
	struct bhxh_tally_rec *r;
	uint32_t keep = 0;

	/* an attempt while locked is refused, not counted (pam_faillock) */
	if (bhxh_lockout_is_locked(t, now))
		return false;
	/* drop what fell out of the window */
	for (uint32_t i = 0; i < t->nrec && i < BHXH_TALLY_RECORDS; i++)
		if (in_window(t->rec[i].time, p, now))
			t->rec[keep++] = t->rec[i];
	t->nrec = keep;
	if (t->older > 0 && !in_window(t->older_newest, p, now)) {
		t->older = 0;
		t->older_newest = 0;
	}
	if (t->nrec == BHXH_TALLY_RECORDS) {
		/* the oldest record makes room and joins the older ones */
		t->older++;
		t->older_newest = t->rec[0].time;
		memmove(&t->rec[0], &t->rec[1], sizeof(t->rec[0]) * (BHXH_TALLY_RECORDS - 1));
		t->nrec--;
	}
	r = &t->rec[t->nrec++];
	memset(r, 0, sizeof(*r));
	r->time = now;
	(void)bhxh_strlcpy(r->service, service ? service : "", sizeof(r->service));
	(void)bhxh_strlcpy(r->source, source ? source : "", sizeof(r->source));
	t->total++;

	if (p->deny == 0)
		return false;
	if (bhxh_lockout_failures(t, p, now) < p->deny)
		return false;
	t->lock_since = now;
	t->lock_until = p->unlock_time == 0 ? BHXH_LOCK_FOREVER : now + (int64_t)p->unlock_time;
	return true;
}

unsigned bhxh_lockout_remaining(const struct bhxh_tally *t, const struct bhxh_lock_policy *p,
				int64_t now)
{
	unsigned n = bhxh_lockout_failures(t, p, now);

	if (p->deny == 0 || p->fail_interval == 0 || bhxh_lockout_is_locked(t, now))
		return 0;
	return n >= p->deny ? 0 : (unsigned)(p->deny - n);
}

unsigned bhxh_lockout_minutes(int64_t seconds)
{
	if (seconds <= 60)
		return 1;
	return (unsigned)((seconds + 59) / 60);
}

bool bhxh_lockout_policy(const struct bhxh_lockout_conf *lc, bool privileged,
			 struct bhxh_lock_policy *ret)
{
	ret->deny = lc->deny;
	ret->fail_interval = lc->fail_interval;
	ret->unlock_time = lc->unlock_time;
	if (lc->deny == 0)
		return false;
	if (privileged) {
		if (!lc->even_deny_root)
			return false;
		if (lc->root_unlock_time != BHXH_UNSET)
			ret->unlock_time = lc->root_unlock_time;
	}
	return true;
}

bool bhxh_lockout_privileged(const struct bhxh_lockout_conf *lc, const char *user, uid_t uid,
			     gid_t gid)
{
	struct group *gr;

	if (uid == 0)
		return true;
	if (lc->admin_group[0] == '\0')
		return false;
	gr = getgrnam(lc->admin_group);
	if (gr == NULL)
		return false;
	if (gr->gr_gid == gid)
		return true;
	for (char **m = gr->gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return false;
}
