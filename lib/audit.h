/* Audit records.  Formatting is pure (unit-tested); sending goes through
 * libaudit.  A record never contains a password. */
#ifndef BHXH_AUDIT_H
#define BHXH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#define BHXH_AUDIT_MSG_MAX 2048

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

/* Write "op=... acct=... [id=...] [reason=...] [extra] [grantors...]" into buf.
 * The account is hex-encoded when libaudit would encode it (spaces, quotes,
 * control or non-ASCII bytes), and quoted otherwise.  Returns 0 or
 * -ENAMETOOLONG (buf then holds a truncated but well-formed record). */
int bhxh_audit_format(char *buf, size_t len, const struct bhxh_audit_msg *m);

/* Encode one value the way libaudit's audit_encode_value() does for
 * untrusted strings: "quoted" when safe, otherwise upper-case hex. */
int bhxh_audit_encode(char *buf, size_t len, const char *value);

/* Send one record of the given AUDIT_* type.  Returns 0, or -errno when the
 * record could not be delivered (no audit in the kernel, auditd not running
 * with audit enabled, no CAP_AUDIT_WRITE): the caller applies the
 * configured fallback.  -ECONNREFUSED means audit is disabled. */
int bhxh_audit_send(int type, const struct bhxh_audit_msg *m);

#endif
