/* bhxhctl report: aggregation of authentication audit records.
 *
 * Raw auditd log text goes in (any chunking, any number of files); lines
 * that are not well-formed audit records are skipped and counted, the
 * counted record types (all single-record user messages) are read by a
 * small field scanner and counted per account, per machine and per failure
 * source, with the fleet alerts and a failures-over-time series.  No
 * output, no time(): the caller passes "now" and prints the result.  Built
 * into its own convenience library for bhxhctl and the tests, so the PAM
 * module never links it. */
#ifndef BHXH_REPORT_H
#define BHXH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf_report.h"

/* Longest log line accepted (auditd's own limit is about 8970 bytes). */
#define BHXH_REPORT_LINE_MAX 16384
/* Distinct accounts, machines and sources kept; more are counted in
 * "overflow" so that a hostile log cannot exhaust memory. */
#define BHXH_REPORT_KEYS_MAX (1u << 20)
/* Memory the report may allocate for what it keeps (names, counters,
 * alert windows, time series): past this, new names are counted in
 * "overflow" instead.  With the 1 MiB read buffer and the program itself,
 * bhxhctl report stays under 200 MB resident whatever the input. */
#define BHXH_REPORT_MEM_MAX (128u << 20)
/* Distinct rejection reasons kept per account or machine. */
#define BHXH_REPORT_REASONS 16
/* Longest account, host or reason name kept (longer ones are cut on a
 * UTF-8 character boundary). */
#define BHXH_REPORT_NAME_MAX 256
/* Buckets of the failures-over-time series (the bucket length doubles
 * as the time span grows). */
#define BHXH_REPORT_BUCKETS 96

/* Login posture findings counted per account and machine, in this order:
 * posture_av_missing, posture_av_stale, posture_wifi. */
#define BHXH_REPORT_POSTURE_KINDS 3
/* The audit reason of posture kind i ("posture_av_missing", ...). */
const char *bhxh_report_posture_reason(unsigned i);

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
	/* pam_bhxh login posture findings (warned or refused), by kind */
	uint64_t posture[BHXH_REPORT_POSTURE_KINDS];
	/* rejected passwords by reason: BHXH_REPORT_REASONS entries, or NULL
	 * while there is none */
	struct bhxh_report_reason *reasons;
	uint64_t reasons_other;
};

struct bhxh_alert_track;

struct bhxh_report_entry {
	char *name; /* valid UTF-8 */
	struct bhxh_report_stats st;
	uint64_t failures; /* sources: failed USER_AUTH from this host/address */
	/* hosts: failed authentications per time bucket, or NULL when none */
	uint32_t *series;
	/* users: the latest password expiry announced (warn_expiry), as
	 * "YYYY-MM-DD", with its days_left and when it was seen; "" if none */
	char expires[12];
	long long expires_days_left, expires_seen;
	struct bhxh_alert_track *trk[3]; /* alert windows (private) */
};

/* What to count.  Times are seconds since the epoch, inclusive; 0 = open. */
struct bhxh_report_filter {
	long long since, until;
	const char *user;  /* exact account name, or NULL */
	const char *host;  /* machine (node=) or remote host/address, or NULL */
	const char *local_node; /* machine name for records without node= */
	/* alert thresholds (bhxh.conf); NULL: no alerts */
	const struct bhxh_report_conf *alerts;
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
	const char *expires; /* expires= of a warn_expiry decision, or NULL */
	long long days_left; /* days_left= of the same */
	int result;        /* 1 success, 0 failed, -1 not given */
};

/* Kinds of alert (see bhxhctl(8), "Alerts"). */
enum bhxh_alert_kind {
	BHXH_ALERT_SPRAY = 0,       /* one source failing against many accounts */
	BHXH_ALERT_SPREAD,          /* one account failing on many hosts */
	BHXH_ALERT_LOCK_STORM,      /* many accounts locked in a short time */
	BHXH_ALERT_REVOKED_LOGIN,   /* logins of a revoked account */
	BHXH_ALERT_EXPIRED_LOGIN,   /* logins of an expired or disabled account */
	BHXH_ALERT_PW_REJECTIONS,   /* password changes refused in bulk */
	BHXH_ALERT_KINDS
};

/* Names kept per alert; more are counted but not named. */
#define BHXH_ALERT_NAMES_MAX 256
/* Alerts kept; more are counted in alerts_dropped. */
#define BHXH_ALERTS_MAX 10000

struct bhxh_report_alert {
	enum bhxh_alert_kind kind;
	const char *key;       /* source or account; NULL when fleet-wide */
	long long first, last; /* the window the alert covers */
	uint64_t events;       /* records in the alert */
	/* distinct accounts and hosts involved (names: the first
	 * BHXH_ALERT_NAMES_MAX of each; counts stop there too) */
	const char **accounts, **hosts;
	size_t naccounts, nhosts;
};

/* The machine-readable name of a kind ("password_spraying", ...). */
const char *bhxh_alert_kind_name(enum bhxh_alert_kind k);

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
	uint64_t events;         /* records of the counted types read */
	uint64_t records;        /* records counted (after filters) */
	uint64_t overflow;       /* records not counted: too many distinct keys */
	uint64_t alerts_dropped; /* alerts beyond BHXH_ALERTS_MAX */
	struct bhxh_report_stats all;
	/* the failures-over-time series: bucket i covers
	 * [series_start + i * bucket_len, + bucket_len) */
	long long series_start, bucket_len;
	uint32_t series[BHXH_REPORT_BUCKETS]; /* all hosts */
	size_t memory;           /* bytes kept (at most BHXH_REPORT_MEM_MAX) */
};
const struct bhxh_report_totals *bhxh_report_totals(const struct bhxh_report *r);
size_t bhxh_report_users(struct bhxh_report *r, const struct bhxh_report_entry **ret);
size_t bhxh_report_hosts(struct bhxh_report *r, const struct bhxh_report_entry **ret);
size_t bhxh_report_sources(struct bhxh_report *r, const struct bhxh_report_entry **ret);
/* Alerts in the order they were raised (by time of the record that raised
 * them): how many, and the i-th (NULL past the end). */
size_t bhxh_report_nalerts(const struct bhxh_report *r);
const struct bhxh_report_alert *bhxh_report_alert(const struct bhxh_report *r, size_t i);

/* ---- pure helpers (lib/report_alert.c, lib/report_text.c) ------------ */

/* One slot of a sliding window: an item (an interned name or a record
 * number), the last time it was seen and how often in the window. */
struct bhxh_win_slot {
	uintptr_t id;
	long long t;
	uint64_t count;
	const char *acct, *host; /* of the item's last record */
};

/* Add item id seen at time t to a window of w seconds holding at most k
 * (1..BHXH_ALERT_THRESHOLD_MAX) distinct items in slot[0..*n).  Items
 * last seen before t - w are forgotten first; when k items are already in
 * the window, the oldest gives way.  Returns the number of distinct items
 * seen in [t - w, t], at most k. */
unsigned bhxh_win_add(struct bhxh_win_slot *slot, unsigned *n, unsigned k, uintptr_t id,
		      long long t, long long w);

/* What one record does to an alert detector. */
enum bhxh_alert_step {
	BHXH_ALERT_NONE = 0, /* below the threshold */
	BHXH_ALERT_OPEN,     /* the threshold is reached: a new alert */
	BHXH_ALERT_EXTEND,   /* within w of the open alert's last record */
};
/* The detector state of one key: an open alert lasts while records keep
 * coming within w seconds of each other. */
struct bhxh_alert_track {
	unsigned n;   /* slots in use */
	long alert;   /* index of the open alert, or -1 */
	long long last; /* time of the open alert's last record */
	struct bhxh_win_slot slot[]; /* k of them */
};
/* Feed one record (item id at time t) to a detector of threshold k and
 * window w.  Pure: the caller creates or extends the alert. */
enum bhxh_alert_step bhxh_alert_feed(struct bhxh_alert_track *tr, unsigned k, long long w,
				     uintptr_t id, long long t);

/* Copy at most outlen-1 bytes of in[0..len) as valid UTF-8: each byte of
 * an invalid or incomplete sequence becomes U+FFFD, NUL becomes '?', and
 * the copy is cut on a character boundary.  Returns the length written. */
size_t bhxh_utf8_clean(const char *in, size_t len, char *out, size_t outlen);
/* The length of s[0..len) without a last character that was cut short
 * (for text truncated at a byte count): len when it ends on a character
 * boundary. */
size_t bhxh_utf8_cut(const char *s, size_t len);
/* Length of the valid UTF-8 sequence at s[0..len): 1..4, or 0 when it is
 * invalid (overlong, surrogate, beyond U+10FFFF, cut short). */
size_t bhxh_utf8_seq(const unsigned char *s, size_t len);

/* The rotation number of a file name in auditd's log directory: 0 for
 * base itself ("audit.log"), N for "audit.log.N" (1..1000000), -1 for any
 * other name.  Reading in decreasing order reads the oldest first. */
long bhxh_report_rotation(const char *base, const char *name);

/* The log_file setting of an auditd.conf text (one line at a time, as read
 * from the file): 1 and the path in out when line sets it, 0 when it does
 * not, -EINVAL when it sets something that is not an absolute path. */
int bhxh_report_conf_log_file(const char *line, char *out, size_t outlen);

#endif
