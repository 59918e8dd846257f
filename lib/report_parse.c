/* Reading auditd's log for bhxhctl report: each line is checked (header,
 * closed msg='...', length, no NUL) so malformed lines are counted and
 * skipped; the record types the report counts are then read by a small
 * field scanner (every one of them is a single-record user message, so no
 * event assembly is needed), everything else costs a few memcmp()s. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libaudit.h>

#include "report_priv.h"
#include "util.h"

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

/* ---- line checking ---------------------------------------------------- */

static const char *skip_digits(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q >= '0' && *q <= '9')
		q++;
	return q > p ? q : NULL;
}

/* The opening quote of the first field msg='...' that starts a word in
 * [p, end), or NULL.  Kernel records (SYSCALL, PATH...) hold no quote at
 * all: one memchr() says so. */
static const char *user_msg(const char *p, const char *end)
{
	const char *q = p;

	while ((q = memchr(q, '\'', (size_t)(end - q))) != NULL) {
		if (q - p >= 4 && memcmp(q - 4, "msg=", 4) == 0 && (q - 4 == p || q[-5] == ' '))
			return q;
		q++;
	}
	return NULL;
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
	q = user_msg(p, end);
	return q == NULL || memchr(q + 1, '\'', (size_t)(end - q - 1)) != NULL;
}

/* The record types counted, by name as written after "type=". */
static const struct {
	const char *name;
	size_t len;
	int type;
} wanted[] = {
#define W(n, t) { n " ", sizeof(n), t }
	W("USER_AUTH", AUDIT_USER_AUTH),
	W("USER_ACCT", AUDIT_USER_ACCT),
	W("USER_CHAUTHTOK", AUDIT_USER_CHAUTHTOK),
	W("TRUSTED_APP", AUDIT_TRUSTED_APP),
	W("RESP_ACCT_LOCK", AUDIT_RESP_ACCT_LOCK),
	W("RESP_ACCT_LOCK_TIMED", AUDIT_RESP_ACCT_LOCK_TIMED),
	W("RESP_ACCT_UNLOCK_TIMED", AUDIT_RESP_ACCT_UNLOCK_TIMED),
	W("ACCT_UNLOCK", AUDIT_ACCT_UNLOCK),
#undef W
};

/* The AUDIT_* type of a well-formed line when the report counts it, else
 * 0.  *body is set to the text after "type=". */
static int wanted_type(const char *line, size_t len, const char **body)
{
	const char *p = line, *end = line + len;

	if (len > 5 && memcmp(line, "node=", 5) == 0) {
		p = memchr(line, ' ', len);
		if (p == NULL)
			return 0;
		p++;
	}
	p += 5; /* "type=", checked by bhxh_report_line_ok() */
	*body = p;
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(wanted); i++)
		if ((size_t)(end - p) > wanted[i].len && memcmp(p, wanted[i].name, wanted[i].len) == 0)
			return wanted[i].type;
	return 0;
}

/* ---- fields ------------------------------------------------------------ */

/* Copy a value (quotes removed) into dst, cut to size-1 bytes. */
static void put(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static long long parse_ll(const char *v, size_t n)
{
	long long x = 0;
	bool neg = n > 0 && v[0] == '-';

	for (size_t i = neg ? 1 : 0; i < n && i < 12; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		x = x * 10 + (v[i] - '0');
	}
	return neg ? -x : x;
}

/* Bytes that end an unquoted value: space, the quote closing msg='...',
 * and the separator of auditd's enriched fields. */
static const bool ends_value[256] = { [' '] = true, ['\''] = true, ['\x1d'] = true };

/* One counted record: its fields, then bhxh_report_add(). */
static void one_record(struct bhxh_report *r, const char *line, size_t len, int type,
		       const char *body)
{
	char acct[BHXH_REPORT_NAME_MAX + 1], rawacct[2 * BHXH_REPORT_NAME_MAX + 3];
	char op[64], reason[40], host[BHXH_REPORT_NAME_MAX + 1], addr[64], node[BHXH_REPORT_NAME_MAX + 1];
	char expires[12];
	const char *end = line + len, *p, *q;
	bool quoted_acct = false;
	struct bhxh_report_rec rec = { .type = type, .result = -1 };

	acct[0] = rawacct[0] = op[0] = reason[0] = host[0] = addr[0] = node[0] = '\0';
	expires[0] = '\0';
	r->t.events++;
	if (body != line + 5) /* "node=NAME type=" */
		put(node, sizeof(node), line + 5, (size_t)(body - 5 - 1 - (line + 5)));
	/* the seconds of msg=audit(SECONDS.MS:SERIAL): checked well-formed */
	p = (const char *)memchr(body, '(', (size_t)(end - body)) + 1;
	rec.time = parse_ll(p, strspn(p, "0123456789"));
	p = (const char *)memchr(p, ')', (size_t)(end - p)) + 2;
	/* the header's pid= uid= auid= ses= subj= are not needed: straight to
	 * the user message's own fields when there is one */
	q = user_msg(p, end);
	if (q != NULL)
		p = q + 1;
	while (p < end) {
		const char *k, *v;
		size_t kn, vn;

		while (p < end && (*p == ' ' || *p == '\''))
			p++;
		if (p >= end || *p == '\x1d') /* enriched fields follow: not ours */
			break;
		k = p;
		q = memchr(p, '=', (size_t)(end - p));
		if (q == NULL)
			break;
		kn = (size_t)(q - k);
		v = q + 1;
		if (kn == 3 && memcmp(k, "msg", 3) == 0 && v < end && *v == '\'') {
			p = v + 1; /* the user message's own fields */
			continue;
		}
		if (v < end && *v == '"') {
			v++;
			q = memchr(v, '"', (size_t)(end - v));
			if (q == NULL)
				q = end;
			vn = (size_t)(q - v);
			p = q + 1;
		} else {
			for (q = v; q < end && !ends_value[(unsigned char)*q]; q++)
				;
			vn = (size_t)(q - v);
			p = q;
		}
		if (kn > 9 || memchr(k, ' ', kn) != NULL)
			continue;
		switch (k[0]) {
		case 'a':
			if (kn == 4 && memcmp(k, "acct", 4) == 0) {
				put(rawacct, sizeof(rawacct), v, vn);
				quoted_acct = v > line && v[-1] == '"';
			} else if (kn == 4 && memcmp(k, "addr", 4) == 0)
				put(addr, sizeof(addr), v, vn);
			break;
		case 'd':
			if (kn == 9 && memcmp(k, "days_left", 9) == 0)
				rec.days_left = parse_ll(v, vn);
			break;
		case 'e':
			if (kn == 7 && memcmp(k, "expires", 7) == 0)
				put(expires, sizeof(expires), v, vn);
			break;
		case 'h':
			if (kn == 8 && memcmp(k, "hostname", 8) == 0)
				put(host, sizeof(host), v, vn);
			break;
		case 'o':
			if (kn == 2 && memcmp(k, "op", 2) == 0)
				put(op, sizeof(op), v, vn);
			break;
		case 'r':
			if (kn == 6 && memcmp(k, "reason", 6) == 0)
				put(reason, sizeof(reason), v, vn);
			else if (kn == 3 && memcmp(k, "res", 3) == 0)
				rec.result = (vn >= 7 && memcmp(v, "success", 7) == 0) ||
						     (vn >= 3 && memcmp(v, "yes", 3) == 0)
						     ? 1
					     : (vn >= 4 && memcmp(v, "fail", 4) == 0) ||
						       (vn >= 2 && memcmp(v, "no", 2) == 0)
						     ? 0
						     : -1;
			break;
		default:
			break;
		}
	}
	if (rawacct[0] != '\0' || quoted_acct) {
		int cut = quoted_acct ? bhxh_strlcpy(acct, rawacct, sizeof(acct))
				      : bhxh_report_decode_acct(rawacct, acct, sizeof(acct));

		/* a name cut at a byte count ends on a character boundary */
		if (cut < 0 || strlen(rawacct) >= sizeof(rawacct) - 1)
			acct[bhxh_utf8_cut(acct, strlen(acct))] = '\0';
	}
	rec.acct = acct[0] ? acct : NULL;
	rec.op = op[0] ? op : NULL;
	rec.reason = reason[0] ? reason : NULL;
	rec.expires = expires[0] ? expires : NULL;
	/* the address when there is one, else the name as given */
	rec.rhost = addr[0] && strcmp(addr, "?") != 0 ? addr : host[0] ? host : NULL;
	rec.node = node[0] ? node : NULL;
	bhxh_report_add(r, &rec);
}

/* ---- feeding ------------------------------------------------------------ */

/* One complete line (without its newline; has_nl false at end of input). */
static void one_line(struct bhxh_report *r, const char *line, size_t len, bool has_nl)
{
	const char *body;
	int type;

	r->t.lines++;
	if (!has_nl || !bhxh_report_line_ok(line, len)) {
		r->t.malformed++;
		return;
	}
	if ((type = wanted_type(line, len, &body)) != 0)
		one_record(r, line, len, type, body);
}

int bhxh_report_feed(struct bhxh_report *r, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;

	if (r->finished)
		return -EINVAL;
	/* finish a line carried over from the previous chunk */
	if (r->carrylen > 0 || r->carry_skip) {
		nl = memchr(p, '\n', len);
		size_t take = nl ? (size_t)(nl - p) : len;

		if (!r->carry_skip && r->carrylen + take <= BHXH_REPORT_LINE_MAX) {
			memcpy(r->carry + r->carrylen, p, take);
			r->carrylen += take;
		} else
			r->carry_skip = true;
		if (nl == NULL)
			return 0;
		p = nl + 1;
		if (r->carry_skip) {
			r->t.lines++;
			r->t.malformed++;
		} else
			one_line(r, r->carry, r->carrylen, true);
		r->carrylen = 0;
		r->carry_skip = false;
	}
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		one_line(r, p, (size_t)(nl - p), true);
		p = nl + 1;
	}
	if (p < end) {
		size_t rest = (size_t)(end - p);

		if (rest <= BHXH_REPORT_LINE_MAX) {
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
		one_line(r, r->carry, r->carrylen, false);
	r->carrylen = 0;
	r->carry_skip = false;
	r->finished = true;
	return r->oom ? -ENOMEM : 0;
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
