#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <libaudit.h>

#include "audit.h"

static bool needs_encoding(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '"' || *p <= 0x20 || *p >= 0x7f)
			return true;
	return false;
}

int bhxh_audit_encode(char *buf, size_t len, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(value), need;

	if (!needs_encoding(value) && n > 0) {
		need = n + 3;
		if (need > len)
			return -ENAMETOOLONG;
		snprintf(buf, len, "\"%s\"", value);
		return 0;
	}
	need = 2 * n + 1;
	if (need > len)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = hex[((unsigned char)value[i]) >> 4];
		buf[2 * i + 1] = hex[((unsigned char)value[i]) & 0xf];
	}
	buf[2 * n] = '\0';
	if (n == 0)
		snprintf(buf, len, "\"\"");
	return 0;
}

int bhxh_audit_format(char *buf, size_t len, const struct bhxh_audit_msg *m)
{
	/* an account name is bounded by the caller; 256 bytes encode into 513 */
	char acct[520];
	size_t used;
	int n;

	if (m->acct == NULL || bhxh_audit_encode(acct, sizeof(acct), m->acct) < 0)
		snprintf(acct, sizeof(acct), "\"?\"");
	n = snprintf(buf, len, "op=%s acct=%s", m->op ? m->op : "?", acct);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	used = (size_t)n;
	if (m->id >= 0) {
		n = snprintf(buf + used, len - used, " id=%lld", m->id);
		if (n < 0 || (size_t)n >= len - used)
			return -ENAMETOOLONG;
		used += (size_t)n;
	}
	if (m->reason != NULL) {
		n = snprintf(buf + used, len - used, " reason=%s", m->reason);
		if (n < 0 || (size_t)n >= len - used)
			return -ENAMETOOLONG;
		used += (size_t)n;
	}
	if (m->service != NULL) {
		char svc[160];

		if (bhxh_audit_encode(svc, sizeof(svc), m->service) < 0)
			snprintf(svc, sizeof(svc), "\"?\"");
		n = snprintf(buf + used, len - used, " grantors=bhxh service=%s", svc);
		if (n < 0 || (size_t)n >= len - used)
			return -ENAMETOOLONG;
		used += (size_t)n;
	}
	if (m->extra != NULL) {
		n = snprintf(buf + used, len - used, " %s", m->extra);
		if (n < 0 || (size_t)n >= len - used)
			return -ENAMETOOLONG;
	}
	return 0;
}

static bool is_ip_literal(const char *s)
{
	unsigned char b[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

int bhxh_audit_send(int type, const struct bhxh_audit_msg *m)
{
	char msg[BHXH_AUDIT_MSG_MAX];
	int fd, r, saved;

	(void)bhxh_audit_format(msg, sizeof(msg), m);
	fd = audit_open();
	if (fd < 0) {
		/* kernel without audit support, or no permission to open */
		return errno == EINVAL || errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT
			       ? -EPROTONOSUPPORT
			       : -errno;
	}
	/* libaudit resolves the host name when no address is given; pass the
	 * remote host as the address when it is a literal one, and "?"
	 * otherwise, so that no DNS lookup ever happens at login. */
	r = audit_log_user_message(fd, type, msg, m->rhost ? m->rhost : "?",
				   (m->rhost && is_ip_literal(m->rhost)) ? m->rhost : "?",
				   m->tty ? m->tty : "?", m->success ? 1 : 0);
	saved = errno;
	audit_close(fd);
	if (r <= 0)
		return saved != 0 ? -saved : -EIO;
	return 0;
}
