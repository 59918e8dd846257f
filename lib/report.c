/* Aggregation of authentication audit records for bhxhctl report.
 *
 * The log is untrusted input (it holds records forwarded from the whole
 * fleet): every line is checked before libauparse sees it, names are
 * bounded, and the number of distinct keys is capped. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <auparse.h>
#include <libaudit.h>

#include "report.h"
#include "util.h"

/* A growable table of named counters: open addressing over an index of
 * positions into a dense array, so that the array can be sorted at the end. */
struct table {
	struct bhxh_report_entry *v;
	size_t n, cap;
	uint32_t *idx; /* position + 1; 0 = empty */
	size_t idxcap; /* power of two */
	bool sorted;
};

struct bhxh_report {
	struct bhxh_report_filter f;
	auparse_state_t *au;
	struct table users, hosts, sources;
	struct bhxh_report_totals t;
	char *carry; /* a line split across two feeds */
	size_t carrylen;
	bool carry_skip; /* the carried line is already too long: drop it */
	bool oom;
	bool finished;
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int table_grow_index(struct table *t)
{
	size_t ncap = t->idxcap ? t->idxcap * 2 : 256;
	uint32_t *nidx = calloc(ncap, sizeof(*nidx));

	if (nidx == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = hash_str(t->v[i].name) & (ncap - 1);

		while (nidx[j] != 0)
			j = (j + 1) & (ncap - 1);
		nidx[j] = (uint32_t)(i + 1);
	}
	free(t->idx);
	t->idx = nidx;
	t->idxcap = ncap;
	return 0;
}

/* The entry named name, created when missing; NULL when the table is full
 * or memory ran out. */
static struct bhxh_report_entry *table_get(struct table *t, const char *name, bool *oom)
{
	size_t j;

	if (t->idxcap > 0) {
		j = hash_str(name) & (t->idxcap - 1);
		while (t->idx[j] != 0) {
			struct bhxh_report_entry *e = &t->v[t->idx[j] - 1];

			if (strcmp(e->name, name) == 0)
				return e;
			j = (j + 1) & (t->idxcap - 1);
		}
	}
	if (t->n >= BHXH_REPORT_KEYS_MAX)
		return NULL;
	if ((t->n + 1) * 10 > t->idxcap * 7 && table_grow_index(t) < 0)
		goto oom;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct bhxh_report_entry *nv = realloc(t->v, ncap * sizeof(*nv));

		if (nv == NULL)
			goto oom;
		t->v = nv;
		t->cap = ncap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	t->v[t->n].name = strndup(name, BHXH_REPORT_NAME_MAX);
	if (t->v[t->n].name == NULL)
		goto oom;
	j = hash_str(t->v[t->n].name) & (t->idxcap - 1);
	while (t->idx[j] != 0)
		j = (j + 1) & (t->idxcap - 1);
	t->idx[j] = (uint32_t)(t->n + 1);
	return &t->v[t->n++];
oom:
	*oom = true;
	return NULL;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
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

static size_t table_sorted(struct table *t, int (*cmp)(const void *, const void *),
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

static bool is_password_op(const char *op)
{
	return op != NULL && starts_with(op, "PAM:bhxh_") &&
	       (strstr(op, "chauthtok") != NULL || strstr(op, "password") != NULL);
}

static void add_reason(struct bhxh_report_stats *s, const char *reason)
{
	size_t i;

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

/* Apply one record to a set of counters.  Returns false when the record
 * says nothing the report counts. */
static bool apply(struct bhxh_report_stats *s, const struct bhxh_report_rec *rec)
{
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
		if (!starts_with(rec->op, "PAM:bhxh_") || rec->result != 0 || rec->reason == NULL)
			return false;
		if (is_password_op(rec->op)) {
			s->password_rejections++;
			add_reason(s, rec->reason);
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

void bhxh_report_add(struct bhxh_report *r, const struct bhxh_report_rec *rec)
{
	const char *node = rec->node ? rec->node : r->f.local_node ? r->f.local_node : "?";
	const char *acct = rec->acct ? rec->acct : "?";
	const char *src = rec->rhost && strcmp(rec->rhost, "?") != 0 ? rec->rhost : NULL;
	struct bhxh_report_stats probe;
	struct bhxh_report_entry *u, *h;

	if (r->users.sorted || r->hosts.sorted || r->sources.sorted)
		return; /* results were read: the report is closed */
	if ((r->f.since != 0 && rec->time < r->f.since) ||
	    (r->f.until != 0 && rec->time > r->f.until))
		return;
	if (r->f.user != NULL && strcmp(r->f.user, acct) != 0)
		return;
	if (r->f.host != NULL && strcmp(r->f.host, node) != 0 &&
	    (src == NULL || strcmp(r->f.host, src) != 0))
		return;
	memset(&probe, 0, sizeof(probe));
	if (!apply(&probe, rec))
		return;
	u = table_get(&r->users, acct, &r->oom);
	h = table_get(&r->hosts, node, &r->oom);
	if (u == NULL || h == NULL) {
		r->t.overflow++;
		return;
	}
	r->t.records++;
	apply(&u->st, rec);
	apply(&h->st, rec);
	apply(&r->t.all, rec);
	if (rec->type == AUDIT_USER_AUTH && rec->result == 0 && src != NULL) {
		struct bhxh_report_entry *s = table_get(&r->sources, src, &r->oom);

		if (s != NULL)
			s->failures++;
		else
			r->t.overflow++;
	}
}

/* ---- decoding -------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bhxh_report_decode_acct(const char *raw, char *out, size_t outlen)
{
	size_t n = raw ? strlen(raw) : 0;

	if (outlen == 0)
		return -ENAMETOOLONG;
	if (n >= 2 && raw[0] == '"' && raw[n - 1] == '"') {
		size_t k = n - 2;

		if (k >= outlen) {
			memcpy(out, raw + 1, outlen - 1);
			out[outlen - 1] = '\0';
			return -ENAMETOOLONG;
		}
		memcpy(out, raw + 1, k);
		out[k] = '\0';
		return 0;
	}
	if (n == 0 || n % 2 != 0 || strcmp(raw, "?") == 0)
		goto unknown;
	for (size_t i = 0; i < n; i++)
		if (hexval((unsigned char)raw[i]) < 0)
			goto unknown;
	for (size_t i = 0; i < n / 2; i++) {
		int c = hexval((unsigned char)raw[2 * i]) * 16 + hexval((unsigned char)raw[2 * i + 1]);

		if (i + 1 >= outlen) {
			out[i] = '\0';
			return -ENAMETOOLONG;
		}
		out[i] = c == 0 ? '?' : (char)c;
		out[i + 1] = '\0';
	}
	return 0;
unknown:
	snprintf(out, outlen, "?");
	return 0;
}

/* ---- libauparse events ------------------------------------------------ */

static bool interesting(int type)
{
	switch (type) {
	case AUDIT_USER_AUTH:
	case AUDIT_USER_ACCT:
	case AUDIT_USER_CHAUTHTOK:
	case AUDIT_TRUSTED_APP:
	case AUDIT_RESP_ACCT_LOCK:
	case AUDIT_RESP_ACCT_LOCK_TIMED:
	case AUDIT_RESP_ACCT_UNLOCK_TIMED:
	case AUDIT_ACCT_UNLOCK:
		return true;
	default:
		return false;
	}
}

static void copy_field(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);

	/* strip the quotes of "value"; a trailing ' ends a user message */
	if (n > 0 && v[n - 1] == '\'')
		n--;
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static void one_record(struct bhxh_report *r, auparse_state_t *au, int type)
{
	char acct[BHXH_REPORT_NAME_MAX + 1], op[64], reason[40], host[BHXH_REPORT_NAME_MAX + 1];
	char addr[64];
	const char *node;
	struct bhxh_report_rec rec = { .type = type, .result = -1 };

	acct[0] = op[0] = reason[0] = host[0] = addr[0] = '\0';
	rec.time = (long long)auparse_get_time(au);
	if (auparse_first_field(au) <= 0)
		return;
	do {
		const char *name = auparse_get_field_name(au);
		const char *v = auparse_get_field_str(au);

		if (name == NULL || v == NULL)
			continue;
		switch (name[0]) {
		case 'a':
			if (strcmp(name, "acct") == 0) {
				char tmp[2 * BHXH_REPORT_NAME_MAX + 3];

				copy_field(tmp, sizeof(tmp), v);
				if (v[0] == '"') /* copy_field removed the quotes */
					bhxh_strlcpy(acct, tmp, sizeof(acct));
				else
					bhxh_report_decode_acct(tmp, acct, sizeof(acct));
			} else if (strcmp(name, "addr") == 0)
				copy_field(addr, sizeof(addr), v);
			break;
		case 'h':
			if (strcmp(name, "hostname") == 0)
				copy_field(host, sizeof(host), v);
			break;
		case 'o':
			if (strcmp(name, "op") == 0)
				copy_field(op, sizeof(op), v);
			break;
		case 'r':
			if (strcmp(name, "reason") == 0)
				copy_field(reason, sizeof(reason), v);
			else if (strcmp(name, "res") == 0)
				rec.result = starts_with(v, "success") || starts_with(v, "yes") ? 1
					     : starts_with(v, "fail") || starts_with(v, "no") ? 0
											    : -1;
			break;
		default:
			break;
		}
	} while (auparse_next_field(au) > 0);

	rec.acct = acct[0] ? acct : NULL;
	rec.op = op[0] ? op : NULL;
	rec.reason = reason[0] ? reason : NULL;
	/* the address when there is one, else the name as given */
	rec.rhost = addr[0] && strcmp(addr, "?") != 0 ? addr : host[0] ? host : NULL;
	node = auparse_get_node(au);
	rec.node = node;
	bhxh_report_add(r, &rec);
	free((void *)node);
}

static void on_event(auparse_state_t *au, auparse_cb_event_t cb, void *data)
{
	struct bhxh_report *r = data;

	if (cb != AUPARSE_CB_EVENT_READY)
		return;
	r->t.events++;
	if (auparse_first_record(au) <= 0)
		return;
	do {
		int type = auparse_get_type(au);

		if (interesting(type))
			one_record(r, au, type);
	} while (auparse_next_record(au) > 0);
}

/* ---- line checking and feeding -------------------------------------- */

static const char *skip_digits(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q >= '0' && *q <= '9')
		q++;
	return q > p ? q : NULL;
}

bool bhxh_report_line_ok(const char *line, size_t len)
{
	const char *end = line + len, *p, *q;
	static const char tag[] = "msg=audit(";

	if (len == 0 || len > BHXH_REPORT_LINE_MAX || memchr(line, '\0', len) != NULL)
		return false;
	if (len > 5 && memcmp(line, "node=", 5) == 0) {
		p = memchr(line, ' ', len);
		if (p == NULL)
			return false;
		p++;
	} else
		p = line;
	if ((size_t)(end - p) < 5 || memcmp(p, "type=", 5) != 0)
		return false;
	q = memchr(p, ' ', (size_t)(end - p));
	if (q == NULL || (size_t)(end - q) < sizeof(tag) || memcmp(q + 1, tag, sizeof(tag) - 1) != 0)
		return false;
	p = q + sizeof(tag);
	if ((p = skip_digits(p, end)) == NULL || p >= end || *p++ != '.')
		return false;
	if ((p = skip_digits(p, end)) == NULL || p >= end || *p++ != ':')
		return false;
	if ((p = skip_digits(p, end)) == NULL || end - p < 2 || p[0] != ')' || p[1] != ':')
		return false;
	p += 2;
	/* a user message: msg='...' must be closed, or the line was cut */
	for (q = p; (q = memchr(q, 'm', (size_t)(end - q))) != NULL; q++) {
		if ((size_t)(end - q) >= 5 && memcmp(q, "msg='", 5) == 0 &&
		    (q == p || q[-1] == ' '))
			return memchr(q + 5, '\'', (size_t)(end - q - 5)) != NULL;
	}
	return true;
}

/* Only these record types are counted: other lines (SYSCALL, PATH...) are
 * not handed to libauparse at all, which is most of the speed. */
static bool wanted_type(const char *line, size_t len)
{
	static const char *const names[] = {
		"USER_AUTH ", "USER_ACCT ", "USER_CHAUTHTOK ", "TRUSTED_APP ", "RESP_ACCT_LOCK ",
		"RESP_ACCT_LOCK_TIMED ", "RESP_ACCT_UNLOCK_TIMED ", "ACCT_UNLOCK ",
	};
	const char *p = line;

	if (len > 5 && memcmp(line, "node=", 5) == 0) {
		p = memchr(line, ' ', len);
		if (p == NULL)
			return false;
		p++;
	}
	p += 5; /* "type=", checked by bhxh_report_line_ok() */
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i]);

		if ((size_t)(line + len - p) > n && memcmp(p, names[i], n) == 0)
			return true;
	}
	return false;
}

static int feed_run(struct bhxh_report *r, const char *buf, size_t len)
{
	if (len > 0 && auparse_feed(r->au, buf, len) < 0)
		return -ENOMEM;
	return 0;
}

/* One complete line (with its newline, or at end of input without). */
static int one_line(struct bhxh_report *r, const char *line, size_t len, bool has_nl)
{
	r->t.lines++;
	if (!has_nl || !bhxh_report_line_ok(line, len - 1)) {
		r->t.malformed++;
		return 0;
	}
	if (!wanted_type(line, len - 1))
		return 0;
	return feed_run(r, line, len);
}

int bhxh_report_feed(struct bhxh_report *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *run = buf, *nl;
	int rc = 0;

	if (r->finished)
		return -EINVAL;
	/* finish a line carried over from the previous chunk */
	if (r->carrylen > 0 || r->carry_skip) {
		nl = memchr(p, '\n', len);
		size_t take = nl ? (size_t)(nl - p + 1) : len;

		if (!r->carry_skip && r->carrylen + take <= BHXH_REPORT_LINE_MAX + 1) {
			memcpy(r->carry + r->carrylen, p, take);
			r->carrylen += take;
		} else
			r->carry_skip = true;
		p += take;
		run = p;
		if (nl == NULL)
			return 0;
		if (r->carry_skip) {
			r->t.lines++;
			r->t.malformed++;
		} else
			rc = one_line(r, r->carry, r->carrylen, true);
		r->carrylen = 0;
		r->carry_skip = false;
		if (rc < 0)
			return rc;
	}
	/* feed runs of good lines straight from the caller's buffer */
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t n = (size_t)(nl - p);
		bool ok = bhxh_report_line_ok(p, n);

		r->t.lines++;
		if (!ok)
			r->t.malformed++;
		if (!ok || !wanted_type(p, n)) {
			if ((rc = feed_run(r, run, (size_t)(p - run))) < 0)
				return rc;
			run = nl + 1;
		}
		p = nl + 1;
	}
	if ((rc = feed_run(r, run, (size_t)(p - run))) < 0)
		return rc;
	if (p < end) {
		size_t rest = (size_t)(end - p);

		if (rest <= BHXH_REPORT_LINE_MAX + 1) {
			memcpy(r->carry, p, rest);
			r->carrylen = rest;
		} else
			r->carry_skip = true;
	}
	return r->oom ? -ENOMEM : 0;
}

int bhxh_report_finish(struct bhxh_report *r)
{
	if (r->finished)
		return 0;
	if (r->carry_skip) {
		r->t.lines++;
		r->t.malformed++;
	} else if (r->carrylen > 0)
		(void)one_line(r, r->carry, r->carrylen, false);
	r->carrylen = 0;
	r->carry_skip = false;
	auparse_flush_feed(r->au);
	r->finished = true;
	return r->oom ? -ENOMEM : 0;
}

struct bhxh_report *bhxh_report_new(const struct bhxh_report_filter *f)
{
	struct bhxh_report *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->f = *f;
	r->carry = malloc(BHXH_REPORT_LINE_MAX + 2);
	r->au = auparse_init(AUSOURCE_FEED, NULL);
	if (r->carry == NULL || r->au == NULL) {
		bhxh_report_free(r);
		return NULL;
	}
	auparse_add_callback(r->au, on_event, r, NULL);
	return r;
}

void bhxh_report_free(struct bhxh_report *r)
{
	if (r == NULL)
		return;
	if (r->au != NULL)
		auparse_destroy(r->au);
	table_free(&r->users);
	table_free(&r->hosts);
	table_free(&r->sources);
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

/* ---- log files -------------------------------------------------------- */

long bhxh_report_rotation(const char *base, const char *name)
{
	size_t n = strlen(base);
	uint64_t v;

	if (strncmp(name, base, n) != 0)
		return -1;
	if (name[n] == '\0')
		return 0;
	if (name[n] != '.' || bhxh_parse_uint(name + n + 1, 1, 1000000, &v) < 0)
		return -1;
	return (long)v;
}

int bhxh_report_conf_log_file(const char *line, char *out, size_t outlen)
{
	const char *p = line, *v;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "log_file", 8) != 0)
		return 0;
	p += 8;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	v = p;
	n = strcspn(v, " \t\r\n#");
	if (n == 0 || v[0] != '/' || n >= outlen)
		return -EINVAL;
	memcpy(out, v, n);
	out[n] = '\0';
	return 1;
}

/* ---- time arguments -------------------------------------------------- */

static long long local_midnight(long long t, int days_back, int align)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return t;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= days_back;
	if (align == 1) /* week: back to Sunday, as ausearch in the C locale */
		tm.tm_mday -= tm.tm_wday;
	else if (align == 2)
		tm.tm_mday = 1;
	else if (align == 3) {
		tm.tm_mday = 1;
		tm.tm_mon = 0;
	}
	tm.tm_isdst = -1;
	return (long long)mktime(&tm);
}

/* n digits exactly into *v */
static const char *digits(const char *p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return NULL;
		*v = *v * 10 + (p[i] - '0');
	}
	return p + n;
}

/* "HH:MM" or "HH:MM:SS" at p; returns the end or NULL */
static const char *parse_hms(const char *p, struct tm *tm)
{
	int h, m, s = 0;

	if ((p = digits(p, 2, &h)) == NULL || *p++ != ':' || (p = digits(p, 2, &m)) == NULL)
		return NULL;
	if (*p == ':' && (p = digits(p + 1, 2, &s)) == NULL)
		return NULL;
	if (h > 23 || m > 59 || s > 60)
		return NULL;
	tm->tm_hour = h;
	tm->tm_min = m;
	tm->tm_sec = s;
	return p;
}

static bool valid_date(int y, int mo, int d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] &&
	       !(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

int bhxh_report_parse_time(const char *date, const char *tod, long long now, long long *ret)
{
	static const struct {
		const char *word;
		int days_back, align;
	} words[] = {
		{ "today", 0, 0 },    { "yesterday", 1, 0 },  { "this-week", 0, 1 },
		{ "week-ago", 7, 0 }, { "this-month", 0, 2 }, { "this-year", 0, 3 },
	};
	struct tm tm;
	const char *p;
	int y, mo, d, zone_sign = 0, zh = 0, zm = 0;
	long long t;

	if (date == NULL)
		return -EINVAL;
	if (tod == NULL) {
		if (strcmp(date, "now") == 0) {
			*ret = now;
			return 0;
		}
		if (strcmp(date, "recent") == 0) {
			*ret = now - 600;
			return 0;
		}
		for (size_t i = 0; i < BHXH_ARRAY_SIZE(words); i++)
			if (strcmp(date, words[i].word) == 0) {
				*ret = local_midnight(now, words[i].days_back, words[i].align);
				return 0;
			}
	}
	memset(&tm, 0, sizeof(tm));
	if ((p = digits(date, 4, &y)) != NULL && *p == '-') {
		/* ISO 8601 */
		if ((p = digits(p + 1, 2, &mo)) == NULL || *p++ != '-' ||
		    (p = digits(p, 2, &d)) == NULL)
			return -EINVAL;
		if (*p == 'T' || *p == ' ') {
			if ((p = parse_hms(p + 1, &tm)) == NULL)
				return -EINVAL;
			if (*p == '.') /* fractions of a second are ignored */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
			if (*p == 'Z') {
				zone_sign = 1;
				p++;
			} else if (*p == '+' || *p == '-') {
				zone_sign = *p == '+' ? 1 : -1;
				if ((p = digits(p + 1, 2, &zh)) == NULL)
					return -EINVAL;
				if (*p == ':')
					p++;
				if (*p != '\0' && (p = digits(p, 2, &zm)) == NULL)
					return -EINVAL;
				if (zh > 14 || zm > 59)
					return -EINVAL;
			}
		}
		if (*p != '\0')
			return -EINVAL;
	} else {
		/* auditd's MM/DD/YYYY or MM/DD/YY, with the time in the same
		 * argument or the next one */
		const char *sp = strchr(date, ' ');
		size_t n = sp ? (size_t)(sp - date) : strlen(date);

		if (sp != NULL) {
			if (tod != NULL)
				return -EINVAL;
			tod = sp + 1;
		}

		if ((p = digits(date, 2, &mo)) == NULL || *p++ != '/' ||
		    (p = digits(p, 2, &d)) == NULL || *p++ != '/')
			return -EINVAL;
		if (n == 10) {
			if ((p = digits(p, 4, &y)) == NULL)
				return -EINVAL;
		} else if (n == 8) {
			if ((p = digits(p, 2, &y)) == NULL)
				return -EINVAL;
			y += y < 70 ? 2000 : 1900;
		} else
			return -EINVAL;
	}
	if (!valid_date(y, mo, d))
		return -EINVAL;
	if (tod != NULL) {
		if (zone_sign != 0 || (p = parse_hms(tod, &tm)) == NULL || *p != '\0')
			return -EINVAL;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	if (zone_sign != 0) {
		t = (long long)timegm(&tm);
		t -= zone_sign * (zh * 3600LL + zm * 60LL);
	} else {
		tm.tm_isdst = -1;
		t = (long long)mktime(&tm);
	}
	if (t == -1)
		return -EINVAL;
	*ret = t;
	return 0;
}
