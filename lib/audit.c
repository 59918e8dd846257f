/* Audit records: pure formatting, and delivery through libaudit with a
 * check that the record really reaches auditd. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>

#include <libaudit.h>

#include "audit.h"
#include "util.h"

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

/* "ENABLED PID\n", both decimal, nothing else */
static int parse_status(char *buf, unsigned *enabled, unsigned *pid)
{
	char *sp = strchr(buf, ' '), *nl = strchr(buf, '\n');
	uint64_t e, p;

	if (sp == NULL || nl == NULL || nl < sp || nl[1] != '\0')
		return -EINVAL;
	*sp = '\0';
	*nl = '\0';
	if (bhxh_parse_uint(buf, 0, 2, &e) < 0 || bhxh_parse_uint(sp + 1, 0, INT_MAX, &p) < 0)
		return -EINVAL;
	*enabled = (unsigned)e;
	*pid = (unsigned)p;
	return 0;
}

int bhxh_audit_status_load(const char *dir, unsigned ttl, unsigned *enabled, unsigned *pid)
{
	char path[PATH_MAX], buf[64];
	struct timespec now;
	struct stat st;
	unsigned e, p;
	ssize_t n;
	int fd;

	if (dir == NULL || ttl == 0)
		return -ENOENT;
	if (snprintf(path, sizeof(path), "%s/%s", dir, BHXH_AUDIT_STATUS_FILE) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bhxh_open_regular(AT_FDCWD, path, O_RDONLY, 0, &st);
	if (fd < 0)
		return fd;
	if (st.st_uid != 0 || (st.st_mode & 022) != 0 || st.st_nlink > 1 ||
	    st.st_size >= (off_t)sizeof(buf)) {
		(void)close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	/* fresh: written within ttl seconds (a clock set back makes it
	 * look written in the future: not believed either) */
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		return -ENOENT;
	{
		long long age_ms = (long long)(now.tv_sec - st.st_mtim.tv_sec) * 1000 +
				   (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000;

		if (age_ms < -1000 || age_ms > (long long)ttl * 1000)
			return -ENOENT;
	}
	if (parse_status(buf, &e, &p) < 0 || e == 0 || p == 0)
		return -ENOENT;
	/* the auditd it names still runs (a stopped or restarted auditd
	 * is seen at once) */
	if (kill((pid_t)p, 0) < 0 && errno != EPERM)
		return -ENOENT;
	*enabled = e;
	*pid = p;
	return 0;
}

int bhxh_audit_status_save(const char *dir, unsigned enabled, unsigned pid)
{
	char tmp[32], line[32];
	struct stat st;
	int dfd, r = 0, len;

	if (dir == NULL || enabled == 0 || enabled > 2 || pid == 0 || pid > INT_MAX)
		return -EINVAL;
	if (geteuid() != 0)
		return -EPERM;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (dfd < 0)
		return -errno;
	if (fstat(dfd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022) != 0) {
		r = -EPERM;
		goto out;
	}
	len = snprintf(line, sizeof(line), "%u %u\n", enabled, pid);
	(void)snprintf(tmp, sizeof(tmp), "%s.%ld", BHXH_AUDIT_STATUS_FILE, (long)getpid());
	r = bhxh_replace_file(dfd, tmp, BHXH_AUDIT_STATUS_FILE, line, (size_t)len, 0644, false);
out:
	(void)close(dfd);
	return r;
}

void bhxh_audit_conn_init(struct bhxh_audit_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int bhxh_audit_conn_begin(struct bhxh_audit_conn *c)
{
	if (c->fd < 0) {
		/* close-on-exec from the start, so no descriptor reaches a
		 * child (audit_open() sets it with a second system call) */
		c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
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
	if (!c->asked && !c->pending && c->cache_ttl > 0 &&
	    bhxh_audit_status_load(c->cache_dir, c->cache_ttl, &c->enabled, &c->pid) == 0) {
		c->status = 0;
		c->asked = true;
		c->cached = true;
		return 0;
	}
	if (!c->asked && !c->pending) {
		c->cached = false;
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

/* The exe= value as libaudit writes it: the executable's path, quoted when
 * safe, else hex. */
static void exe_value(char *buf, size_t len)
{
	char path[BHXH_AUDIT_EXE_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path));

	if (n <= 0 || (size_t)n >= sizeof(path) || encode_n(buf, len, path, (size_t)n, false) < 0)
		snprintf(buf, len, "\"?\"");
}

/* The terminal= value when the caller names none: libaudit's guess, the
 * terminal of standard input, output or error without "/dev/". */
static const char *guess_tty(char *buf, size_t len)
{
	for (int fd = 0; fd < 3; fd++)
		if (ttyname_r(fd, buf, len) == 0)
			return strncmp(buf, "/dev/", 5) == 0 ? buf + 5 : buf;
	return NULL;
}

/* One record on the audit socket.  libaudit's audit_log_user_message()
 * asks the kernel for an acknowledgement of every record and waits for it
 * (the kernel builds the reply; a poll and two reads here).  The kernel
 * handles a message to the audit socket synchronously, within sendto():
 * when sendto() returns the record is queued -- or refused, and a refusal
 * is queued on this socket as an error message whether or not an
 * acknowledgement was asked for.  So the record goes without NLM_F_ACK and
 * one non-blocking read tells a refusal (-errno) from a success (0).  The
 * text is libaudit's, byte for byte (its NUL included). */
static int send_record(int fd, unsigned *seq, int type, const char *text)
{
	struct {
		struct nlmsghdr nlh;
		char data[NLMSG_ALIGN(MAX_AUDIT_MESSAGE_LENGTH)]; /* with the padding */
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t len = strlen(text) + 1;
	bool retried = false;

	if (len > MAX_AUDIT_MESSAGE_LENGTH)
		len = MAX_AUDIT_MESSAGE_LENGTH;
again:
	memset(&req.nlh, 0, sizeof(req.nlh));
	req.nlh.nlmsg_len = (uint32_t)NLMSG_SPACE(len);
	req.nlh.nlmsg_type = (uint16_t)type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	/* far from libaudit's own counter (the status request) */
	req.nlh.nlmsg_seq = 0x40000000u + ++*seq;
	_Static_assert(sizeof(req.nlh) == NLMSG_HDRLEN, "the text follows the header");
	memcpy(req.data, text, len);
	req.data[len - 1] = '\0';
	/* the alignment padding is sent too: never the stack's old bytes */
	memset(req.data + len, 0, NLMSG_ALIGN(len) - len);
	for (;;) {
		ssize_t n = sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
				   sizeof(kernel));

		if (n >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	for (;;) {
		/* a refusal echoes the whole record after the error code: only
		 * the header and the code are needed, the rest may be cut off
		 * by the buffer (the length in the header is then larger than
		 * what was read -- still this record's refusal) */
		union {
			struct nlmsghdr h;
			char buf[512];
		} rep;
		ssize_t n = recv(fd, &rep, sizeof(rep), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if ((size_t)n < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
		    rep.h.nlmsg_type != NLMSG_ERROR || rep.h.nlmsg_seq != req.nlh.nlmsg_seq)
			continue; /* not about this record: a late reply */
		{
			const struct nlmsgerr *e = NLMSG_DATA(&rep.h);

			/* a kernel that does not know the type (libaudit
			 * falls back the same way) */
			if (e->error == -EINVAL && !retried && type >= AUDIT_FIRST_USER_MSG &&
			    type <= AUDIT_LAST_USER_MSG) {
				retried = true;
				type = AUDIT_USER;
				goto again;
			}
			return e->error;
		}
	}
}

int bhxh_audit_send_conn(struct bhxh_audit_conn *c, int type, const struct bhxh_audit_msg *m)
{
	char msg[BHXH_AUDIT_MSG_MAX], host[2 * 256 + 1], tty[2 * 64 + 1], ttybuf[64];
	char text[MAX_AUDIT_MESSAGE_LENGTH];
	int r, rc = 0;
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
		/* a good state is shared with the next logins (best effort) */
		if (c->status == 0 && c->enabled != 0 && c->pid != 0 && c->cache_ttl > 0)
			(void)bhxh_audit_status_save(c->cache_dir, c->enabled, c->pid);
	}
	if (c->status == 0 && c->enabled == 0)
		return -ECONNREFUSED; /* the kernel would drop it silently */
	if (c->status == 0 && c->pid == 0)
		rc = -ENOTCONN; /* still sent: the kernel log keeps it */
	if (c->exe[0] == '\0')
		exe_value(c->exe, sizeof(c->exe));
	if (t == NULL)
		t = guess_tty(ttybuf, sizeof(ttybuf));
	/* libaudit's layout; addr is never empty (bhxh_audit_addr), so no
	 * host name is ever resolved */
	snprintf(text, sizeof(text), "%s exe=%s hostname=%s addr=%s terminal=%s res=%s", msg, c->exe,
		 h, bhxh_audit_addr(m->rhost), t != NULL ? t : "?",
		 m->success ? "success" : "failed");
	r = send_record(c->fd, &c->seq, type, text);
	if (r < 0 && rc == 0)
		/* "audit not configured": what a user namespace gets too */
		rc = r == -ECONNREFUSED ? -EPROTONOSUPPORT : r;
	if (r < 0)
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
