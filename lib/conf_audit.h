/* Configuration of the audit area (see conf.h). */
#ifndef BHXH_CONF_AUDIT_H
#define BHXH_CONF_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

/* What to do with a decision whose audit record cannot reach auditd. */
enum bhxh_audit_fallback {
	BHXH_AUDIT_SYSLOG = 0, /* write the record to syslog (authpriv) and go on */
	BHXH_AUDIT_DENY,       /* the same, and refuse the login (fail closed) */
};

/* Seconds a good audit status (audit enabled, auditd running) asked by one
 * login is believed by the next ones (lib/audit.h). */
#define BHXH_AUDIT_STATUS_CACHE_DEFAULT 10

struct bhxh_audit_conf {
	enum bhxh_audit_fallback unavailable; /* audit_unavailable= */
	bool standard; /* audit_standard: also write USER_AUTH, USER_ACCT... */
	uint64_t status_cache; /* audit_status_cache= seconds; 0 = ask at every handle */
};

#endif
