/* Aggregation of authentication audit records for bhxhctl report:
 * counters per account, machine and source, the failures-over-time series
 * and the fleet alerts.  Reading the log is in report_parse.c.
 *
 * The log is untrusted input (it holds records forwarded from the whole
 * fleet): names are bounded and cleaned to UTF-8, and everything kept is
 * charged to one memory budget (BHXH_REPORT_MEM_MAX). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaudit.h>

#include "report_priv.h"
#include "util.h"

/* ---- memory budget -------------------------------------------------- */

/* Charge n bytes; false (nothing charged) when the budget would be passed. */
static bool charge(struct bhxh_report *r, size_t n)
{
	if (n > BHXH_REPORT_MEM_MAX || r->t.memory > BHXH_REPORT_MEM_MAX - n)
		return false;
	r->t.memory += n;
	return true;
}

static void *budget_calloc(struct bhxh_report *r, size_t n)
{
	void *p;

	if (!charge(r, n))
		return NULL;
	p = calloc(1, n);
	if (p == NULL) {
		r->t.memory -= n;
		r->oom = true;
	}
	return p;
}

/* ---- tables ---------------------------------------------------------- */

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int table_grow_index(struct bhxh_report *r, struct report_table *t)
{
	size_t ncap = t->idxcap ? t->idxcap * 2 : 256;
	uint32_t *nidx;

	if (!charge(r, ncap * sizeof(*nidx)))
		return -E2BIG;
	nidx = calloc(ncap, sizeof(*nidx));
	if (nidx == NULL) {
		r->t.memory -= ncap * sizeof(*nidx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t j = hash_str(t->v[i].name) & (ncap - 1);

		while (nidx[j] != 0)
			j = (j + 1) & (ncap - 1);
		nidx[j] = (uint32_t)(i + 1);
	}
	free(t->idx);
	r->t.memory -= t->idxcap * sizeof(*nidx);
	t->idx = nidx;
	t->idxcap = ncap;
	return 0;
}

/* The entry named name, created when missing; NULL when the table is full,
 * the memory budget is spent or memory ran out (then r->oom). */
static struct bhxh_report_entry *table_get(struct bhxh_report *r, struct report_table *t,
					   const char *name)
{
	size_t j, len = strlen(name) + 1;
	int e;

	if (t->idxcap > 0) {
		j = hash_str(name) & (t->idxcap - 1);
		while (t->idx[j] != 0) {
			struct bhxh_report_entry *x = &t->v[t->idx[j] - 1];

			if (strcmp(x->name, name) == 0)
				return x;
			j = (j + 1) & (t->idxcap - 1);
		}
	}
	if (t->n >= BHXH_REPORT_KEYS_MAX)
		return NULL;
	if ((t->n + 1) * 10 > t->idxcap * 7 && (e = table_grow_index(r, t)) < 0) {
		r->oom |= e == -ENOMEM;
		return NULL;
	}
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct bhxh_report_entry *nv;

		if (!charge(r, (ncap - t->cap) * sizeof(*nv)))
			return NULL;
		nv = realloc(t->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			r->t.memory -= (ncap - t->cap) * sizeof(*nv);
			r->oom = true;
			return NULL;
		}
		t->v = nv;
		t->cap = ncap;
	}
	if (!charge(r, len))
		return NULL;
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	t->v[t->n].name = strdup(name);
	if (t->v[t->n].name == NULL) {
		r->oom = true;
		return NULL;
	}
	j = hash_str(name) & (t->idxcap - 1);
	while (t->idx[j] != 0)
		j = (j + 1) & (t->idxcap - 1);
	t->idx[j] = (uint32_t)(t->n + 1);
	return &t->v[t->n++];
}

static void table_free(struct report_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].st.reasons);
		free(t->v[i].series);
		for (size_t k = 0; k < BHXH_ARRAY_SIZE(t->v[i].trk); k++)
			free(t->v[i].trk[k]);
	}
	free(t->v);
	free(t->idx);
	memset(t, 0, sizeof(*t));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct bhxh_report_entry *)a)->name,
		      ((const struct bhxh_report_entry *)b)->name);
}

static int by_failures(const void *a, const void *b)
{
	const struct bhxh_report_entry *x = a, *y = b;

	if (x->failures != y->failures)
		return x->failures > y->failures ? -1 : 1;
	return strcmp(x->name, y->name);
}

static size_t table_sorted(struct report_table *t, int (*cmp)(const void *, const void *),
			   const struct bhxh_report_entry **ret)
{
	if (!t->sorted && t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp);
	t->sorted = true; /* the index is stale from here on: no more adds */
	*ret = t->v;
	return t->n;
}

/* ---- classification ------------------------------------------------ */

static bool starts_with(const char *s, const char *p)
{
	return s != NULL && strncmp(s, p, strlen(p)) == 0;
}

static bool is_expiry_reason(const char *r)
{
	static const char *const v[] = { "password_expired", "account_expired", "inactive",
					 "password_inactive", "must_change_now" };

	for (size_t i = 0; r != NULL && i < BHXH_ARRAY_SIZE(v); i++)
		if (strcmp(r, v[i]) == 0)
			return true;
	return false;
}

/* The account is unusable (not merely asked to change its password): a
 * login of it is worth an alert. */
static bool is_dead_account_reason(const char *r)
{
	return r != NULL && (strcmp(r, "account_expired") == 0 || strcmp(r, "inactive") == 0 ||
			     strcmp(r, "password_inactive") == 0);
}

static bool is_password_op(const char *op)
{
	return op != NULL && starts_with(op, "PAM:bhxh_") &&
	       (strstr(op, "chauthtok") != NULL || strstr(op, "password") != NULL);
}

static void add_reason(struct bhxh_report *r, struct bhxh_report_stats *s, const char *reason)
{
	size_t i;

	if (s->reasons == NULL) {
		s->reasons = budget_calloc(r, BHXH_REPORT_REASONS * sizeof(*s->reasons));
		if (s->reasons == NULL) {
			s->reasons_other++;
			return;
		}
	}
	for (i = 0; i < BHXH_REPORT_REASONS && s->reasons[i].name[0] != '\0'; i++)
		if (strcmp(s->reasons[i].name, reason) == 0) {
			s->reasons[i].count++;
			return;
		}
	if (i == BHXH_REPORT_REASONS) {
		s->reasons_other++;
		return;
	}
	if (bhxh_strlcpy(s->reasons[i].name, reason, sizeof(s->reasons[i].name)) < 0) {
		s->reasons[i].name[0] = '\0';
		s->reasons_other++;
		return;
	}
	s->reasons[i].count = 1;
}

const char *bhxh_report_posture_reason(unsigned i)
{
	static const char *const names[BHXH_REPORT_POSTURE_KINDS] = {
		"posture_av_missing", "posture_av_stale", "posture_wifi",
	};

	return i < BHXH_REPORT_POSTURE_KINDS ? names[i] : "posture";
}

/* Apply one record to a set of counters (s NULL: only say whether it
 * counts).  Returns false when the record says nothing the report counts. */
static bool apply(struct bhxh_report *r, struct bhxh_report_stats *s,
		  const struct bhxh_report_rec *rec)
{
	struct bhxh_report_stats dummy;
	bool probe = s == NULL;

	if (probe) {
		memset(&dummy, 0, sizeof(dummy));
		s = &dummy;
	}
	switch (rec->type) {
	case AUDIT_USER_AUTH:
		if (rec->result == 1)
			s->auth_successes++;
		else if (rec->result == 0)
			s->auth_failures++;
		else
			return false;
		return true;
	case AUDIT_USER_ACCT:
		if (rec->result != 0)
			return false;
		s->acct_refusals++;
		return true;
	case AUDIT_USER_CHAUTHTOK:
		if (rec->result != 1 || !starts_with(rec->op, "PAM:chauthtok"))
			return false;
		s->password_changes++;
		return true;
	case AUDIT_RESP_ACCT_LOCK:
	case AUDIT_RESP_ACCT_LOCK_TIMED:
		s->locks++;
		return true;
	case AUDIT_RESP_ACCT_UNLOCK_TIMED:
	case AUDIT_ACCT_UNLOCK:
		s->unlocks++;
		return true;
	case AUDIT_TRUSTED_APP:
		/* posture findings count whether the login went on (warn) or
		 * not (deny): a machine out of posture is the finding */
		if (starts_with(rec->op, "PAM:bhxh_posture") && rec->reason != NULL) {
			for (unsigned i = 0; i < BHXH_REPORT_POSTURE_KINDS; i++)
				if (strcmp(rec->reason, bhxh_report_posture_reason(i)) == 0) {
					s->posture[i]++;
					return true;
				}
			return false;
		}
		if (!starts_with(rec->op, "PAM:bhxh_") || rec->result != 0 || rec->reason == NULL)
			return false;
		if (is_password_op(rec->op)) {
			s->password_rejections++;
			if (!probe)
				add_reason(r, s, rec->reason);
		} else if (is_expiry_reason(rec->reason))
			s->expired_refusals++;
		else if (strcmp(rec->reason, "revoked") == 0)
			s->revoked_refusals++;
		else if (strcmp(rec->reason, "account_locked") == 0 ||
			 strcmp(rec->reason, "tally_corrupt") == 0)
			s->locked_refusals++;
		else
			return false;
		return true;
	default:
		return false;
	}
}

/* ---- failures over time -------------------------------------------- */

static void rebucket(uint32_t *v, long long ostart, long long olen, long long nstart,
		     long long nlen)
{
	uint32_t tmp[BHXH_REPORT_BUCKETS] = { 0 };

	for (size_t i = 0; i < BHXH_REPORT_BUCKETS; i++) {
		long long j;

		if (v[i] == 0)
			continue;
		j = (ostart + (long long)i * olen - nstart) / nlen;
		if (j < 0)
			j = 0;
		if (j >= BHXH_REPORT_BUCKETS)
			j = BHXH_REPORT_BUCKETS - 1;
		tmp[j] += v[i];
	}
	memcpy(v, tmp, sizeof(tmp));
}

static long long floor_to(long long t, long long len)
{
	long long q = t / len;

	if (t % len < 0)
		q--;
	return q * len;
}

/* The bucket of time t, moving or widening the buckets (of every series)
 * when t falls outside them.  The span always covers every failure counted
 * so far; a quarter of room is left below for slightly older records
 * (a collector's log is only roughly in time order). */
static size_t bucket_of(struct bhxh_report *r, long long t)
{
	struct bhxh_report_totals *T = &r->t;
	long long len, start, lo, hi, ns;

	if (T->bucket_len == 0) {
		lo = r->f.since != 0 ? r->f.since : t;
		hi = r->f.until != 0 ? r->f.until : t;
		if (hi < lo)
			hi = lo;
		len = 60;
		while (floor_to(lo, len) + BHXH_REPORT_BUCKETS * len <= hi)
			len *= 2;
		T->bucket_len = len;
		T->series_start = floor_to(lo, len);
		if (r->f.since == 0 && T->series_start - (BHXH_REPORT_BUCKETS / 4) * len +
						  BHXH_REPORT_BUCKETS * len > hi)
			T->series_start -= (BHXH_REPORT_BUCKETS / 4) * len;
		r->tmin = r->tmax = t;
	}
	if (t < r->tmin)
		r->tmin = t;
	if (t > r->tmax)
		r->tmax = t;
	start = T->series_start;
	len = T->bucket_len;
	if (t >= start && t < start + BHXH_REPORT_BUCKETS * len)
		return (size_t)((t - start) / len);
	lo = r->tmin;
	hi = r->tmax;
	if (t >= start)
		lo = start; /* moving forward: the start stays */
	while (floor_to(lo, len) + BHXH_REPORT_BUCKETS * len <= hi && len < (1LL << 40))
		len *= 2;
	ns = floor_to(lo, len);
	if (t < start && ns - (BHXH_REPORT_BUCKETS / 4) * len + BHXH_REPORT_BUCKETS * len > hi)
		ns -= (BHXH_REPORT_BUCKETS / 4) * len;
	rebucket(T->series, start, T->bucket_len, ns, len);
	for (size_t i = 0; i < r->hosts.n; i++)
		if (r->hosts.v[i].series != NULL)
			rebucket(r->hosts.v[i].series, start, T->bucket_len, ns, len);
	T->series_start = start = ns;
	T->bucket_len = len;
	if (t < start)
		return 0;
	if (t >= start + BHXH_REPORT_BUCKETS * len)
		return BHXH_REPORT_BUCKETS - 1;
	return (size_t)((t - start) / len);
}

static void count_failure_time(struct bhxh_report *r, struct bhxh_report_entry *h, long long t)
{
	size_t b = bucket_of(r, t);

	r->t.series[b]++;
	if (h->series == NULL)
		h->series = budget_calloc(r, BHXH_REPORT_BUCKETS * sizeof(*h->series));
	if (h->series != NULL)
		h->series[b]++;
}

/* ---- alerts ------------------------------------------------------------ */

static void name_add(const char ***v, size_t *n, size_t *cap, struct bhxh_report *r,
		     const char *name)
{
	if (name == NULL || *n >= BHXH_ALERT_NAMES_MAX)
		return;
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == name) /* interned: one pointer per name */
			return;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 4 : 4;
		const char **nv;

		if (ncap > BHXH_ALERT_NAMES_MAX)
			ncap = BHXH_ALERT_NAMES_MAX;
		if (!charge(r, (ncap - *cap) * sizeof(*nv)))
			return;
		nv = realloc(*v, ncap * sizeof(*nv));
		if (nv == NULL) {
			r->oom = true;
			return;
		}
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = name;
}

static struct bhxh_alert_track *track_get(struct bhxh_report *r, struct bhxh_alert_track **p,
					  unsigned k)
{
	if (*p == NULL) {
		*p = budget_calloc(r, sizeof(**p) + k * sizeof((*p)->slot[0]));
		if (*p != NULL)
			(*p)->alert = -1;
	}
	return *p;
}

/* One record for one detector: opens or extends an alert. */
static void detect(struct bhxh_report *r, enum bhxh_alert_kind kind, struct bhxh_alert_track **p,
		   uint64_t k, uint64_t w, const char *key, uintptr_t item, long long t,
		   const char *acct, const char *host)
{
	struct bhxh_alert_track *tr;
	struct report_alert *a;
	enum bhxh_alert_step step;

	if (k == 0)
		return;
	if ((tr = track_get(r, p, (unsigned)k)) == NULL) {
		r->t.alerts_dropped++;
		return;
	}
	step = bhxh_alert_feed(tr, (unsigned)k, (long long)w, item, t);
	/* the slot of this item names its last record */
	for (unsigned i = 0; i < tr->n; i++)
		if (tr->slot[i].id == item) {
			tr->slot[i].acct = acct;
			tr->slot[i].host = host;
		}
	if (step == BHXH_ALERT_NONE)
		return;
	if (step == BHXH_ALERT_EXTEND) {
		if ((size_t)tr->alert >= r->nalerts)
			return; /* an alert that could not be kept */
		a = &r->alerts[tr->alert];
		a->pub.events++;
		if (t > a->pub.last)
			a->pub.last = t;
		name_add(&a->pub.accounts, &a->pub.naccounts, &a->acap, r, acct);
		name_add(&a->pub.hosts, &a->pub.nhosts, &a->hcap, r, host);
		return;
	}
	/* a new alert, from what is in the window */
	tr->alert = BHXH_ALERTS_MAX;
	if (r->nalerts == BHXH_ALERTS_MAX) {
		r->t.alerts_dropped++;
		return;
	}
	if (r->nalerts == r->alertcap) {
		size_t ncap = r->alertcap ? r->alertcap * 2 : 16;
		struct report_alert *nv;

		if (!charge(r, (ncap - r->alertcap) * sizeof(*nv))) {
			r->t.alerts_dropped++;
			return;
		}
		nv = realloc(r->alerts, ncap * sizeof(*nv));
		if (nv == NULL) {
			r->oom = true;
			return;
		}
		r->alerts = nv;
		r->alertcap = ncap;
	}
	a = &r->alerts[r->nalerts];
	memset(a, 0, sizeof(*a));
	a->pub.kind = kind;
	a->pub.key = key;
	a->pub.first = a->pub.last = t;
	for (unsigned i = 0; i < tr->n; i++) {
		const struct bhxh_win_slot *s = &tr->slot[i];

		a->pub.events += s->count;
		if (s->t < a->pub.first)
			a->pub.first = s->t;
	}
	/* names in time order of the window */
	for (unsigned i = 0; i < tr->n; i++) {
		name_add(&a->pub.accounts, &a->pub.naccounts, &a->acap, r, tr->slot[i].acct);
		name_add(&a->pub.hosts, &a->pub.nhosts, &a->hcap, r, tr->slot[i].host);
	}
	tr->alert = (long)r->nalerts++;
}

static void alerts_for(struct bhxh_report *r, const struct bhxh_report_rec *rec,
		       struct bhxh_report_entry *u, struct bhxh_report_entry *h,
		       struct bhxh_report_entry *s)
{
	const struct bhxh_report_conf *c = r->f.alerts;
	long long t = rec->time;
	uintptr_t seq = ++r->seq;
	static const long long forever = 1LL << 50;

	if (c == NULL)
		return;
	switch (rec->type) {
	case AUDIT_USER_AUTH:
		if (rec->result != 0)
			return;
		if (s != NULL)
			detect(r, BHXH_ALERT_SPRAY, &s->trk[0], c->spray_accounts, c->spray_window,
			       s->name, (uintptr_t)u->name, t, u->name, h->name);
		detect(r, BHXH_ALERT_SPREAD, &u->trk[0], c->spread_hosts, c->spread_window,
		       u->name, (uintptr_t)h->name, t, u->name, h->name);
		return;
	case AUDIT_RESP_ACCT_LOCK:
	case AUDIT_RESP_ACCT_LOCK_TIMED:
		detect(r, BHXH_ALERT_LOCK_STORM, &r->lock_storm, c->lock_storm_accounts,
		       c->lock_storm_window, NULL, (uintptr_t)u->name, t, u->name, h->name);
		return;
	case AUDIT_TRUSTED_APP:
		if (rec->result != 0 || rec->reason == NULL)
			return;
		if (is_password_op(rec->op))
			detect(r, BHXH_ALERT_PW_REJECTIONS, &r->pw_rejections, c->pw_rejections,
			       c->pw_rejections_window, NULL, seq, t, u->name, h->name);
		else if (strcmp(rec->reason, "revoked") == 0)
			detect(r, BHXH_ALERT_REVOKED_LOGIN, &u->trk[1], c->refused_logins, forever,
			       u->name, seq, t, u->name, h->name);
		else if (is_dead_account_reason(rec->reason))
			detect(r, BHXH_ALERT_EXPIRED_LOGIN, &u->trk[2], c->refused_logins, forever,
			       u->name, seq, t, u->name, h->name);
		return;
	default:
		return;
	}
}

/* ---- one record ---------------------------------------------------- */

/* A password expiry announced to the user (warn_expiry): remembered per
 * account, the latest one wins. */
static void note_expiry(struct bhxh_report *r, const char *acct,
			const struct bhxh_report_rec *rec)
{
	struct bhxh_report_entry *u;

	if (rec->type != AUDIT_TRUSTED_APP || rec->result != 1 || rec->expires == NULL ||
	    rec->reason == NULL || strcmp(rec->reason, "warn_expiry") != 0 ||
	    strlen(rec->expires) != 10)
		return;
	u = table_get(r, &r->users, acct);
	if (u == NULL) {
		r->t.overflow++;
		return;
	}
	if (rec->time >= u->expires_seen) {
		memcpy(u->expires, rec->expires, 11);
		u->expires_days_left = rec->days_left;
		u->expires_seen = rec->time;
	}
}

void bhxh_report_add(struct bhxh_report *r, const struct bhxh_report_rec *rec)
{
	char acct[BHXH_REPORT_NAME_MAX + 1], node[BHXH_REPORT_NAME_MAX + 1];
	char src[BHXH_REPORT_NAME_MAX + 1];
	char reason[sizeof(((struct bhxh_report_reason *)0)->name)];
	struct bhxh_report_rec clean = *rec;
	const char *n = rec->node ? rec->node : r->f.local_node ? r->f.local_node : "?";
	const char *a = rec->acct ? rec->acct : "?";
	bool has_src = rec->rhost != NULL && strcmp(rec->rhost, "?") != 0 && rec->rhost[0];
	struct bhxh_report_entry *u, *h, *s = NULL;

	if (r->users.sorted || r->hosts.sorted || r->sources.sorted)
		return; /* results were read: the report is closed */
	if ((r->f.since != 0 && rec->time < r->f.since) ||
	    (r->f.until != 0 && rec->time > r->f.until))
		return;
	/* names as kept and printed: valid UTF-8, cut between characters */
	bhxh_utf8_clean(a, strlen(a), acct, sizeof(acct));
	bhxh_utf8_clean(n, strlen(n), node, sizeof(node));
	if (has_src)
		bhxh_utf8_clean(rec->rhost, strlen(rec->rhost), src, sizeof(src));
	if (rec->reason != NULL) {
		/* reasons are identifiers: anything else is shown as '?' */
		size_t i;

		for (i = 0; i < sizeof(reason) - 1 && rec->reason[i] != '\0'; i++) {
			char c = rec->reason[i];

			reason[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'
					    ? c
					    : '?';
		}
		reason[i] = '\0';
		clean.reason = reason;
	}
	rec = &clean;
	if (r->f.user != NULL && strcmp(r->f.user, acct) != 0)
		return;
	if (r->f.host != NULL && strcmp(r->f.host, node) != 0 &&
	    (!has_src || strcmp(r->f.host, src) != 0))
		return;
	if (!apply(r, NULL, rec)) {
		note_expiry(r, acct, rec);
		return;
	}
	u = table_get(r, &r->users, acct);
	h = table_get(r, &r->hosts, node);
	if (u == NULL || h == NULL) {
		r->t.overflow++;
		return;
	}
	r->t.records++;
	apply(r, &u->st, rec);
	apply(r, &h->st, rec);
	apply(r, &r->t.all, rec);
	if (rec->type == AUDIT_USER_AUTH && rec->result == 0) {
		count_failure_time(r, h, rec->time);
		if (has_src) {
			s = table_get(r, &r->sources, src);
			if (s != NULL)
				s->failures++;
			else
				r->t.overflow++;
		}
	}
	alerts_for(r, rec, u, h, s);
}

/* ---- results ----------------------------------------------------------- */

struct bhxh_report *bhxh_report_new(const struct bhxh_report_filter *f)
{
	struct bhxh_report *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->f = *f;
	r->carry = malloc(BHXH_REPORT_LINE_MAX + 2);
	if (r->carry == NULL) {
		bhxh_report_free(r);
		return NULL;
	}
	return r;
}

void bhxh_report_free(struct bhxh_report *r)
{
	if (r == NULL)
		return;
	table_free(&r->users);
	table_free(&r->hosts);
	table_free(&r->sources);
	for (size_t i = 0; i < r->nalerts; i++) {
		free(r->alerts[i].pub.accounts);
		free(r->alerts[i].pub.hosts);
	}
	free(r->alerts);
	free(r->lock_storm);
	free(r->pw_rejections);
	free(r->t.all.reasons);
	free(r->carry);
	free(r);
}

const struct bhxh_report_totals *bhxh_report_totals(const struct bhxh_report *r)
{
	return &r->t;
}

size_t bhxh_report_users(struct bhxh_report *r, const struct bhxh_report_entry **ret)
{
	return table_sorted(&r->users, by_name, ret);
}

size_t bhxh_report_hosts(struct bhxh_report *r, const struct bhxh_report_entry **ret)
{
	return table_sorted(&r->hosts, by_name, ret);
}

size_t bhxh_report_sources(struct bhxh_report *r, const struct bhxh_report_entry **ret)
{
	return table_sorted(&r->sources, by_failures, ret);
}

size_t bhxh_report_nalerts(const struct bhxh_report *r)
{
	return r->nalerts;
}

const struct bhxh_report_alert *bhxh_report_alert(const struct bhxh_report *r, size_t i)
{
	return i < r->nalerts ? &r->alerts[i].pub : NULL;
}
