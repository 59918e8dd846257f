/* The alert detectors of the fleet report: "at least k distinct items
 * within w seconds" over a stream of records, in O(k) memory per key.
 * Pure functions (no clock, no I/O), unit-tested at their boundaries. */
#include "config.h"

#include "report.h"

unsigned bhxh_win_add(struct bhxh_win_slot *slot, unsigned *n, unsigned k, uintptr_t id,
		      long long t, long long w)
{
	unsigned i, j, oldest = 0;
	long long from = t - w;

	/* forget what left the window (keeping the order does not matter) */
	for (i = 0, j = 0; i < *n; i++)
		if (slot[i].t >= from)
			slot[j++] = slot[i];
	*n = j;
	for (i = 0; i < *n; i++)
		if (slot[i].id == id) {
			if (t > slot[i].t)
				slot[i].t = t;
			slot[i].count++;
			return *n;
		}
	if (*n < k) {
		slot[*n] = (struct bhxh_win_slot){ .id = id, .t = t, .count = 1 };
		return ++*n;
	}
	for (i = 1; i < *n; i++)
		if (slot[i].t < slot[oldest].t)
			oldest = i;
	slot[oldest] = (struct bhxh_win_slot){ .id = id, .t = t, .count = 1 };
	return *n;
}

enum bhxh_alert_step bhxh_alert_feed(struct bhxh_alert_track *tr, unsigned k, long long w,
				     uintptr_t id, long long t)
{
	unsigned got;

	if (tr->alert >= 0) {
		if (t - tr->last <= w) {
			(void)bhxh_win_add(tr->slot, &tr->n, k, id, t, w);
			if (t > tr->last)
				tr->last = t;
			return BHXH_ALERT_EXTEND;
		}
		tr->alert = -1; /* a quiet gap longer than the window ends it */
	}
	got = bhxh_win_add(tr->slot, &tr->n, k, id, t, w);
	if (got < k)
		return BHXH_ALERT_NONE;
	tr->last = t;
	return BHXH_ALERT_OPEN;
}

const char *bhxh_alert_kind_name(enum bhxh_alert_kind k)
{
	static const char *const names[] = {
		[BHXH_ALERT_SPRAY] = "password_spraying",
		[BHXH_ALERT_SPREAD] = "account_failing_on_many_hosts",
		[BHXH_ALERT_LOCK_STORM] = "lock_storm",
		[BHXH_ALERT_REVOKED_LOGIN] = "revoked_account_login",
		[BHXH_ALERT_EXPIRED_LOGIN] = "expired_account_login",
		[BHXH_ALERT_PW_REJECTIONS] = "password_changes_refused_in_bulk",
	};

	return (unsigned)k < BHXH_ALERT_KINDS ? names[k] : "unknown";
}
