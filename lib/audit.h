/* Audit records.  Formatting is pure (unit-tested); sending goes through
 * libaudit.  A record never contains a password. */
#ifndef BHXH_AUDIT_H
#define BHXH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#define BHXH_AUDIT_MSG_MAX 2048
/* libaudit's audit_log_acct_message() -- and so libpam's USER_AUTH records
 * -- keep the first UT_NAMESIZE (32) bytes of an account name; ours do the
 * same so that both records of one attempt name the account alike. */
#define BHXH_AUDIT_ACCT_MAX 32
/* Longest executable path written as it is in exe= (a longer one is "?"). */
#define BHXH_AUDIT_EXE_MAX 1024

struct bhxh_audit_msg {
	const char *op;       /* e.g. "PAM:bhxh_lockout"; required */
	const char *acct;     /* account name as given; encoded as libaudit does */
	long long id;         /* uid, or -1 when unknown */
	const char *reason;   /* machine-readable reason code, or NULL */
	const char *extra;    /* further pre-formatted "key=value" pairs, or NULL */
	const char *service;  /* PAM service, or NULL */
	const char *tty;      /* terminal, or NULL */
	const char *rhost;    /* remote host or address as given (no DNS), or NULL */
	bool success;
};

/* Write "op=... acct=... [id=...] [reason=...] [grantors=bhxh service=...]
 * [extra]" into buf: the part of the record before the exe=, hostname=,
 * addr=, terminal= and res= fields that libaudit appends.  The account
 * (its first BHXH_AUDIT_ACCT_MAX bytes) is hex-encoded when libaudit would
 * encode it (spaces, quotes, control or non-ASCII bytes), and quoted
 * otherwise.  Returns 0 or -ENAMETOOLONG (buf then holds a truncated but
 * well-formed record). */
int bhxh_audit_format(char *buf, size_t len, const struct bhxh_audit_msg *m);

/* Encode one value the way libaudit's audit_encode_value() does for
 * untrusted strings: "quoted" when safe, otherwise upper-case hex. */
int bhxh_audit_encode(char *buf, size_t len, const char *value);

/* The hostname= and terminal= values: as given when made of safe bytes
 * (no space, quote, '=', control or non-ASCII byte), else upper-case hex,
 * so that a crafted PAM_RHOST cannot add fields such as "res=success"
 * (libaudit copies these two verbatim).  Returns 0 or -ENAMETOOLONG. */
int bhxh_audit_encode_word(char *buf, size_t len, const char *value);

/* The addr= value: the remote host when it is an IPv4 or IPv6 literal,
 * else "?" -- never NULL or empty, which would make libaudit resolve the
 * host name (a DNS query at every login). */
const char *bhxh_audit_addr(const char *rhost);

/* Send one record of the given AUDIT_* type.  Returns 0 when auditd has it,
 * or -errno when the record could not be delivered to auditd; the caller
 * applies the configured fallback:
 *   -EPROTONOSUPPORT  no audit in this kernel (or not in this namespace)
 *   -ECONNREFUSED     kernel audit disabled (auditctl -e 0): not sent
 *   -ENOTCONN         no auditd running: sent, but only to the kernel log
 *   -EPERM            no CAP_AUDIT_WRITE
 * When the kernel's state cannot be asked (no CAP_AUDIT_CONTROL, a
 * container), only the sending itself is checked. */
int bhxh_audit_send(int type, const struct bhxh_audit_msg *m);

/* A connection kept for several records (the PAM module keeps one per PAM
 * handle): one netlink socket, and the kernel's audit status asked once --
 * again only after a send failed, or when the caller clears `asked` (a
 * handle that lives for a whole session asks again after a while). */
struct bhxh_audit_conn {
	int fd;            /* -1 until the first record */
	/* Optional status cache (bhxh_audit_status_load/save): the
	 * directory, and how long a saved good status is believed (0: the
	 * kernel is asked at every connection).  Set after init. */
	const char *cache_dir;
	unsigned cache_ttl;
	bool cached;       /* the status below came from the cache */
	unsigned seq;      /* of the last message sent */
	char exe[2 * BHXH_AUDIT_EXE_MAX + 3]; /* the exe= value, read at the first record */
	bool asked;        /* status below is current */
	bool pending;      /* a status request was sent, its answer not read */
	int status;        /* 0, or -errno of the status query */
	unsigned enabled;  /* when status == 0 */
	unsigned pid;      /* auditd's pid, 0 when none; when status == 0 */
	unsigned queries;  /* status queries made (tests and benchmarks) */
};

void bhxh_audit_conn_init(struct bhxh_audit_conn *c);

/* The kernel answers an audit status request from a kernel thread it
 * creates for the purpose (tens of microseconds of the caller's time, the
 * largest fixed cost of a login's audit records).  A status known good --
 * audit enabled, auditd running -- is therefore shared between processes
 * through one small file, BHXH_AUDIT_STATUS_FILE in dir (root's, 0644, on
 * tmpfs: /run/bhxh), written by whoever asked the kernel last.  A reader
 * believes it for ttl seconds from the file's mtime, and only while the
 * auditd it names is alive (kill(pid, 0)): auditd stopping or restarting
 * is seen at once; only "auditctl -e 0" may go unseen for up to ttl.  A bad
 * state (disabled, no auditd) is never saved: every login asks again.
 * load: 0 and *enabled, *pid, or -ENOENT (no usable, fresh, live entry),
 * -EPERM (wrong type, owner or mode), -errno.  save: 0 or -errno (atomic
 * rename; the directory must exist, be root's and not writable by
 * others -- it is made 0755 when missing). */
#define BHXH_AUDIT_STATUS_FILE "audit-status"
int bhxh_audit_status_load(const char *dir, unsigned ttl, unsigned *enabled, unsigned *pid);
int bhxh_audit_status_save(const char *dir, unsigned enabled, unsigned pid);
/* Open the socket and send the status request without waiting for the
 * answer (read by the next bhxh_audit_send_conn()), so that the kernel
 * answers while the caller does other work.  0 or -errno of the open. */
int bhxh_audit_conn_begin(struct bhxh_audit_conn *c);
/* Same as bhxh_audit_send(), on c (opened on first use). */
int bhxh_audit_send_conn(struct bhxh_audit_conn *c, int type, const struct bhxh_audit_msg *m);
/* Close the socket (if any) and reset c. */
void bhxh_audit_conn_close(struct bhxh_audit_conn *c);

#endif
