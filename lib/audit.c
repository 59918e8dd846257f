/* Audit records: pure formatting, and delivery through libaudit with a
 * check that the record really reaches auditd. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <libaudit.h>

#include "audit.h"

/* libaudit's rule (audit_value_needs_encoding): a quote, a space or control
 * byte, DEL, or any byte >= 0x80. */
static bool needs_encoding(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '"' || s[i] <= 0x20 || s[i] >= 0x7f)
			return true;
	return false;
}

/* bare: a safe value is written without quotes, and '=' or '\'' make it
 * unsafe too (hostname= and terminal= are not quoted by libaudit). */
static int encode_n(char *buf, size_t len, const char *value, size_t n, bool bare)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *v = (const unsigned char *)value;

	if (n == 0) {
		if (len < 3)
			return -ENAMETOOLONG;
		snprintf(buf, len, "\"\"");
		return 0;
	}
	if (!needs_encoding(v, n) && (!bare || memchr(v, '=', n) == NULL) &&
	    (!bare || memchr(v, '\'', n) == NULL)) {
		if (n + (bare ? 0 : 2) + 1 > len)
			return -ENAMETOOLONG;
		if (bare)
			snprintf(buf, len, "%.*s", (int)n, value);
		else
			snprintf(buf, len, "\"%.*s\"", (int)n, value);
		return 0;
	}
	if (2 * n + 1 > len)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = hex[v[i] >> 4];
		buf[2 * i + 1] = hex[v[i] & 0xf];
	}
	buf[2 * n] = '\0';
	return 0;
}

int bhxh_audit_encode(char *buf, size_t len, const char *value)
{
	return encode_n(buf, len, value, strlen(value), false);
}

int bhxh_audit_encode_word(char *buf, size_t len, const char *value)
{
	return encode_n(buf, len, value, strlen(value), true);
}

const char *bhxh_audit_addr(const char *rhost)
{
	unsigned char b[sizeof(struct in6_addr)];

	if (rhost != NULL && (inet_pton(AF_INET, rhost, b) == 1 || inet_pton(AF_INET6, rhost, b) == 1))
		return rhost;
	return "?";
}

int bhxh_audit_format(char *buf, size_t len, const struct bhxh_audit_msg *m)
{
	/* BHXH_AUDIT_ACCT_MAX bytes encode into at most 2 * 32 + 1 */
	char acct[2 * BHXH_AUDIT_ACCT_MAX + 3];
	size_t used, n;
	int k;

	if (len == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (m->acct == NULL)
		snprintf(acct, sizeof(acct), "\"?\"");
	else {
		n = strnlen(m->acct, BHXH_AUDIT_ACCT_MAX);
		(void)encode_n(acct, sizeof(acct), m->acct, n, false);
	}
	k = snprintf(buf, len, "op=%s acct=%s", m->op ? m->op : "?", acct);
	if (k < 0 || (size_t)k >= len)
		goto toolong;
	used = (size_t)k;
	if (m->id >= 0) {
		k = snprintf(buf + used, len - used, " id=%lld", m->id);
		if (k < 0 || (size_t)k >= len - used)
			goto toolong;
		used += (size_t)k;
	}
	if (m->reason != NULL) {
		k = snprintf(buf + used, len - used, " reason=%s", m->reason);
		if (k < 0 || (size_t)k >= len - used)
			goto toolong;
		used += (size_t)k;
	}
	if (m->service != NULL) {
		char svc[2 * 64 + 3];

		if (encode_n(svc, sizeof(svc), m->service, strnlen(m->service, 64), false) < 0)
			snprintf(svc, sizeof(svc), "\"?\"");
		k = snprintf(buf + used, len - used, " grantors=bhxh service=%s", svc);
		if (k < 0 || (size_t)k >= len - used)
			goto toolong;
		used += (size_t)k;
	}
	if (m->extra != NULL) {
		k = snprintf(buf + used, len - used, " %s", m->extra);
		if (k < 0 || (size_t)k >= len - used)
			goto toolong;
	}
	return 0;
toolong:
	/* cut at the last complete field so the record stays parseable */
	{
		char *sp = strrchr(buf, ' ');

		if (sp != NULL && strlen(buf) >= len - 1)
			*sp = '\0';
	}
	return -ENAMETOOLONG;
}

/* Wait for the kernel's answer to an audit status request sent on fd: 0 and
 * the enabled flag and auditd pid, or -errno (-EPERM without
 * CAP_AUDIT_CONTROL or outside the initial pid namespace).  Never waits
 * more than about a quarter of a second.  The acknowledgement of the
 * request itself (an NLMSG_ERROR of 0) is read and skipped on the way. */
static int status_reply(int fd, unsigned *ret_enabled, unsigned *ret_pid)
{
	struct audit_reply rep;
	int r;

	for (int i = 0; i < 25; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		r = poll(&p, 1, 10);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		r = audit_get_reply(fd, &rep, GET_REPLY_NONBLOCKING, 0);
		if (r > 0 && rep.type == AUDIT_GET && rep.status != NULL) {
			*ret_enabled = rep.status->enabled;
			*ret_pid = rep.status->pid;
			return 0;
		}
		if (r > 0 && rep.type == NLMSG_ERROR && rep.error != NULL && rep.error->error != 0)
			return rep.error->error;
		if (r < 0 && r != -EAGAIN && r != -EINTR)
			return r;
	}
	return -ETIMEDOUT;
}

void bhxh_audit_conn_init(struct bhxh_audit_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int bhxh_audit_conn_begin(struct bhxh_audit_conn *c)
{
	if (c->fd < 0) {
		/* audit_open() sets FD_CLOEXEC: no descriptor reaches a child */
		c->fd = audit_open();
		if (c->fd < 0) {
			/* a kernel without audit support */
			c->fd = -1;
			return errno == EINVAL || errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT
				       ? -EPROTONOSUPPORT
				       : -errno;
		}
		c->asked = false;
		c->pending = false;
	}
	if (!c->asked && !c->pending) {
		/* the kernel answers from a thread of its own (tens of
		 * microseconds, more on a busy machine): the answer is read
		 * when the first record is sent */
		if (audit_request_status(c->fd) < 0)
			return 0; /* status unknown: only the sending is checked */
		c->pending = true;
		c->queries++;
	}
	return 0;
}

void bhxh_audit_conn_close(struct bhxh_audit_conn *c)
{
	if (c->fd >= 0)
		audit_close(c->fd);
	bhxh_audit_conn_init(c);
}

int bhxh_audit_send_conn(struct bhxh_audit_conn *c, int type, const struct bhxh_audit_msg *m)
{
	char msg[BHXH_AUDIT_MSG_MAX], host[2 * 256 + 1], tty[2 * 64 + 1];
	int r, saved, rc = 0;
	const char *h = "?", *t = NULL;

	(void)bhxh_audit_format(msg, sizeof(msg), m);
	if (m->rhost != NULL && m->rhost[0] != '\0' &&
	    bhxh_audit_encode_word(host, sizeof(host), m->rhost) == 0)
		h = host;
	if (m->tty != NULL && m->tty[0] != '\0')
		t = bhxh_audit_encode_word(tty, sizeof(tty), m->tty) == 0 ? tty : "?";

	r = bhxh_audit_conn_begin(c);
	if (r < 0)
		return r;
	if (!c->asked) {
		c->enabled = 1;
		c->pid = 1;
		c->status = c->pending ? status_reply(c->fd, &c->enabled, &c->pid) : -EIO;
		c->pending = false;
		c->asked = true;
	}
	if (c->status == 0 && c->enabled == 0)
		return -ECONNREFUSED; /* the kernel would drop it silently */
	if (c->status == 0 && c->pid == 0)
		rc = -ENOTCONN; /* still sent: the kernel log keeps it */
	/* addr is never empty, so libaudit never resolves the host name */
	errno = 0;
	r = audit_log_user_message(c->fd, type, msg, h, bhxh_audit_addr(m->rhost), t,
				   m->success ? 1 : 0);
	saved = errno;
	if (r <= 0 && rc == 0) {
		/* libaudit reports "audit not configured" (ECONNREFUSED, also
		 * what a user namespace gets) and, for non-root callers,
		 * EPERM as 0 with errno 0 */
		if (saved != 0 && saved != ECONNREFUSED)
			rc = -saved;
		else if (saved == 0 && getuid() != 0)
			rc = -EPERM;
		else
			rc = -EPROTONOSUPPORT;
	}
	if (r <= 0)
		c->asked = false; /* ask again next time: the state may have changed */
	return rc;
}

int bhxh_audit_send(int type, const struct bhxh_audit_msg *m)
{
	struct bhxh_audit_conn c;
	int r;

	bhxh_audit_conn_init(&c);
	r = bhxh_audit_send_conn(&c, type, m);
	bhxh_audit_conn_close(&c);
	return r;
}
