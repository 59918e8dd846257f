/* bhxhctl report: aggregation of authentication audit records.
 *
 * Raw auditd log text goes in (any chunking, any number of files); lines
 * that are not well-formed audit records are skipped and counted, the rest
 * are assembled into events by libauparse (AUSOURCE_FEED) and counted per
 * account, per machine and per failure source.  No output, no time():
 * the caller passes "now" and prints the result.  Built into bhxhctl and
 * the unit tests only, so the PAM module never links libauparse. */
#ifndef BHXH_REPORT_H
#define BHXH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest log line accepted (auditd's own limit is about 8970 bytes). */
#define BHXH_REPORT_LINE_MAX 16384
/* Distinct accounts, machines and sources kept; more are counted in
 * "overflow" so that a hostile log cannot exhaust memory. */
#define BHXH_REPORT_KEYS_MAX (1u << 20)
/* Distinct rejection reasons kept per account or machine. */
#define BHXH_REPORT_REASONS 16
/* Longest account, host or reason name kept (longer ones are cut). */
#define BHXH_REPORT_NAME_MAX 256

struct bhxh_report_reason {
	char name[40];
	uint64_t count;
};

struct bhxh_report_stats {
	uint64_t auth_successes;   /* USER_AUTH res=success */
	uint64_t auth_failures;    /* USER_AUTH res=failed */
	uint64_t acct_refusals;    /* USER_ACCT res=failed */
	uint64_t locks;            /* RESP_ACCT_LOCK(_TIMED) */
	uint64_t unlocks;          /* RESP_ACCT_UNLOCK_TIMED, ACCT_UNLOCK */
	uint64_t password_changes; /* USER_CHAUTHTOK res=success */
	uint64_t password_rejections; /* pam_bhxh chauthtok decisions, failed */
	uint64_t expired_refusals; /* pam_bhxh: password/account expired, inactive */
	uint64_t revoked_refusals; /* pam_bhxh: revoked */
	uint64_t locked_refusals;  /* pam_bhxh: account_locked, tally_corrupt */
	struct bhxh_report_reason reasons[BHXH_REPORT_REASONS]; /* rejected passwords */
	uint64_t reasons_other;
};

struct bhxh_report_entry {
	char *name;
	struct bhxh_report_stats st;
	uint64_t failures; /* sources: failed USER_AUTH from this host/address */
};

/* What to count.  Times are seconds since the epoch, inclusive; 0 = open. */
struct bhxh_report_filter {
	long long since, until;
	const char *user;  /* exact account name, or NULL */
	const char *host;  /* machine (node=) or remote host/address, or NULL */
	const char *local_node; /* machine name for records without node= */
};

struct bhxh_report;

/* One decoded audit record of interest (for bhxh_report_add). */
struct bhxh_report_rec {
	int type;          /* AUDIT_* */
	long long time;
	const char *node;  /* NULL: filter->local_node */
	const char *acct;  /* decoded */
	const char *op;
	const char *reason;
	const char *rhost; /* hostname= or addr=, "?" or NULL when none */
	int result;        /* 1 success, 0 failed, -1 not given */
};

/* Returns NULL when out of memory.  The filter's strings must outlive r. */
struct bhxh_report *bhxh_report_new(const struct bhxh_report_filter *f);
void bhxh_report_free(struct bhxh_report *r);

/* Feed raw log text, in chunks of any size.  Returns 0 or -ENOMEM. */
int bhxh_report_feed(struct bhxh_report *r, const char *buf, size_t len);
/* End of input: a last line without a newline is truncated and counted as
 * malformed; pending events are flushed.  Call once, before reading the
 * results.  Returns 0 or -ENOMEM. */
int bhxh_report_finish(struct bhxh_report *r);

/* Count one record (used by the event callback; public for the tests). */
void bhxh_report_add(struct bhxh_report *r, const struct bhxh_report_rec *rec);

/* Is this one line (without its newline) a well-formed audit record
 * header, with a closed msg='...' when it has one? */
bool bhxh_report_line_ok(const char *line, size_t len);

/* Decode an account field as written by libaudit: "quoted" or upper-case
 * hex.  "?" and unparsable values give "?".  Returns 0 or -ENAMETOOLONG
 * (out holds a truncated name). */
int bhxh_report_decode_acct(const char *raw, char *out, size_t outlen);

/* Results.  Arrays are sorted (users and hosts by name, sources by failures
 * then name) and stay valid until bhxh_report_free(). */
struct bhxh_report_totals {
	uint64_t lines;          /* lines read */
	uint64_t malformed;      /* skipped */
	uint64_t events;         /* events assembled by libauparse */
	uint64_t records;        /* records counted (after filters) */
	uint64_t overflow;       /* records not counted: too many distinct keys */
	struct bhxh_report_stats all;
};
const struct bhxh_report_totals *bhxh_report_totals(const struct bhxh_report *r);
size_t bhxh_report_users(struct bhxh_report *r, const struct bhxh_report_entry **ret);
size_t bhxh_report_hosts(struct bhxh_report *r, const struct bhxh_report_entry **ret);
size_t bhxh_report_sources(struct bhxh_report *r, const struct bhxh_report_entry **ret);

/* The rotation number of a file name in auditd's log directory: 0 for
 * base itself ("audit.log"), N for "audit.log.N" (1..1000000), -1 for any
 * other name.  Reading in decreasing order reads the oldest first. */
long bhxh_report_rotation(const char *base, const char *name);

/* The log_file setting of an auditd.conf text (one line at a time, as read
 * from the file): 1 and the path in out when line sets it, 0 when it does
 * not, -EINVAL when it sets something that is not an absolute path. */
int bhxh_report_conf_log_file(const char *line, char *out, size_t outlen);

/* Parse a --since/--until value: ISO 8601 ("2026-11-25", "2026-11-25T08:00",
 * "2026-11-25 08:00:00", optional "Z" or "+07:00"), auditd's forms ("now",
 * "recent" = 10 minutes ago, "today", "yesterday", "this-week", "week-ago",
 * "this-month", "this-year", "MM/DD/YYYY", "MM/DD/YY") and a following
 * time "HH:MM[:SS]" given in time (or NULL).  Local time unless a zone is
 * given.  Returns 0 or -EINVAL; *ret written only on success. */
int bhxh_report_parse_time(const char *date, const char *time, long long now,
			   long long *ret);

#endif
