/* Audit glue: one record per decision (audit area).
 *
 * pam_bhxh's own decision records are TRUSTED_APP records: Debian's libpam
 * already writes one USER_AUTH / USER_ACCT / USER_CHAUTHTOK per stack call,
 * and aureport counts exactly those types (plus USER_LOGIN, GRP_AUTH...),
 * so a TRUSTED_APP record adds the reason without adding an attempt.  With
 * audit_standard (for a libpam built without audit) pam_bhxh also writes
 * the standard record of the phase itself.
 *
 * When a record cannot reach auditd, the record goes to syslog instead and,
 * with audit_unavailable=deny, the caller is told to refuse. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libaudit.h>

#include "audit_glue.h"

#define STD_AUTH_DONE "pam_bhxh_audit_std_auth"
#define CONN_DATA "pam_bhxh_audit_conn"
/* A handle kept for a whole session (sshd) asks the kernel's audit status
 * again for records written this long after the last query. */
#define STATUS_MAX_AGE 60

struct std_record {
	const char *prefix; /* of pam_bhxh's op */
	int type;
	const char *op;     /* libpam's op */
};

static const struct std_record std_records[] = {
	{ "PAM:bhxh_preauth", AUDIT_USER_AUTH, "PAM:authentication" },
	{ "PAM:bhxh_authfail", AUDIT_USER_AUTH, "PAM:authentication" },
	{ "PAM:bhxh_authsucc", AUDIT_USER_AUTH, "PAM:authentication" },
	{ "PAM:bhxh_account", AUDIT_USER_ACCT, "PAM:accounting" },
	{ "PAM:bhxh_chauthtok", AUDIT_USER_CHAUTHTOK, "PAM:chauthtok" },
	{ "PAM:bhxh_session_open", AUDIT_USER_START, "PAM:session_open" },
	{ "PAM:bhxh_session_close", AUDIT_USER_END, "PAM:session_close" },
};

static const char *type_name(int type)
{
	const char *n = audit_msg_type_to_name(type);

	return n ? n : "?";
}

/* The record did not reach auditd: keep it in syslog (the values are the
 * encoded ones of the record, so nothing here can forge a log line). */
static int unavailable(struct bhxh_pam *ctx, int type, const struct bhxh_audit_msg *m, int err)
{
	char body[BHXH_AUDIT_MSG_MAX], host[2 * 256 + 1] = "?", tty[2 * 64 + 1] = "?";
	bool deny = ctx->conf.audit.unavailable == BHXH_AUDIT_DENY;

	(void)bhxh_audit_format(body, sizeof(body), m);
	if (m->rhost != NULL && m->rhost[0] != '\0')
		(void)bhxh_audit_encode_word(host, sizeof(host), m->rhost);
	if (m->tty != NULL && m->tty[0] != '\0')
		(void)bhxh_audit_encode_word(tty, sizeof(tty), m->tty);
	pam_syslog(ctx->pamh, deny ? LOG_ERR : LOG_WARNING,
		   "audit unavailable (%s)%s: type=%s %s hostname=%s addr=%s terminal=%s res=%s",
		   strerror(-err), deny ? ", refusing" : "", type_name(type), body, host,
		   bhxh_audit_addr(m->rhost), tty, m->success ? "success" : "failed");
	return deny ? PAM_SYSTEM_ERR : PAM_SUCCESS;
}

/* One audit connection per PAM handle (pam_set_data), closed by pam_end():
 * a failed authentication writes up to three records, and each used to cost
 * a socket and a status query.  A process that forked after the socket was
 * opened (sshd's privilege separation) opens its own, so that two processes
 * never read each other's replies on one socket. */
struct conn {
	struct bhxh_audit_conn c;
	pid_t pid;
	long long asked_at; /* CLOCK_MONOTONIC seconds */
};

static void conn_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	struct conn *k = data;

	(void)pamh;
	(void)error_status;
	/* in a forked child the socket is a copy: closing it is still right */
	bhxh_audit_conn_close(&k->c);
	free(k);
}

static long long mono_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/* Where a good audit status is shared between logins (lib/audit.h). */
static const char *run_dir(void)
{
#ifdef BHXH_TESTING
	const char *t = secure_getenv("BHXH_TEST_RUN_DIR");

	if (t != NULL && t[0] == '/')
		return t;
#endif
	return BHXH_RUN_DIR;
}

static void conn_setup(struct bhxh_pam *ctx, struct bhxh_audit_conn *c)
{
	bhxh_audit_conn_init(c);
	c->cache_dir = run_dir();
	c->cache_ttl = (unsigned)ctx->conf.audit.status_cache;
}

static struct bhxh_audit_conn *handle_conn(struct bhxh_pam *ctx, struct bhxh_audit_conn *tmp)
{
	const void *d = NULL;
	struct conn *k;

	if (pam_get_data(ctx->pamh, CONN_DATA, &d) == PAM_SUCCESS && d != NULL) {
		k = (struct conn *)d;
		if (k->pid == getpid()) {
			if (k->c.asked && mono_now() - k->asked_at > STATUS_MAX_AGE)
				k->c.asked = false;
			if (!k->c.asked)
				k->asked_at = mono_now();
			return &k->c;
		}
	}
	k = calloc(1, sizeof(*k));
	if (k != NULL) {
		conn_setup(ctx, &k->c);
		k->pid = getpid();
		k->asked_at = mono_now();
		if (pam_set_data(ctx->pamh, CONN_DATA, k, conn_cleanup) == PAM_SUCCESS)
			return &k->c;
		free(k);
	}
	/* no memory for the handle's copy: one connection for this record */
	conn_setup(ctx, tmp);
	return tmp;
}

/* The lockout benchmark's ablation (tests/bench/lockout_bench.sh, row
 * tmpfs-norec): no record and no audit socket, to show what the records
 * cost in place.  Test-hook builds only: the packaged module has no such
 * switch (tests/deb/install.sh checks). */
static bool test_no_records(void)
{
#ifdef BHXH_TESTING
	return secure_getenv("BHXH_TEST_NO_AUDIT_RECORDS") != NULL;
#else
	return false;
#endif
}

static int send_one(struct bhxh_pam *ctx, int type, const struct bhxh_audit_msg *m)
{
	struct bhxh_audit_conn tmp, *c;
	int r;

	if (test_no_records())
		return PAM_SUCCESS;
	c = handle_conn(ctx, &tmp);
	r = bhxh_audit_send_conn(c, type, m);

	if (c == &tmp)
		bhxh_audit_conn_close(&tmp);
	return r < 0 ? unavailable(ctx, type, m, r) : PAM_SUCCESS;
}

static const struct std_record *std_of(const char *op)
{
	for (size_t i = 0; op != NULL && i < BHXH_ARRAY_SIZE(std_records); i++)
		if (strncmp(op, std_records[i].prefix, strlen(std_records[i].prefix)) == 0)
			return &std_records[i];
	return NULL;
}

/* With audit_standard: one USER_AUTH per attempt.  preauth marks the
 * attempt when it writes one (a refusal), so that authfail/authsucc later
 * in the same stack do not write a second. */
static bool std_wanted(struct bhxh_pam *ctx, const struct std_record *s, const char *op)
{
	const void *done = NULL;

	if (s->type != AUDIT_USER_AUTH)
		return true;
	if (strncmp(op, "PAM:bhxh_preauth", 16) == 0) {
		(void)pam_set_data(ctx->pamh, STD_AUTH_DONE, (void *)1, NULL);
		return true;
	}
	if (pam_get_data(ctx->pamh, STD_AUTH_DONE, &done) == PAM_SUCCESS && done != NULL) {
		(void)pam_set_data(ctx->pamh, STD_AUTH_DONE, NULL, NULL);
		return false;
	}
	return true;
}

void bhxh_pam_audit_prepare(struct bhxh_pam *ctx)
{
	struct bhxh_audit_conn tmp, *c;

	if (test_no_records())
		return;
	c = handle_conn(ctx, &tmp);
	if (c == &tmp) {
		bhxh_audit_conn_close(&tmp);
		return;
	}
	(void)bhxh_audit_conn_begin(c); /* failures show when a record is sent */
}

void bhxh_pam_audit_begin(struct bhxh_pam *ctx)
{
	(void)pam_set_data(ctx->pamh, STD_AUTH_DONE, NULL, NULL);
}

int bhxh_pam_audit(struct bhxh_pam *ctx, int type, const char *op, const char *reason,
		   const char *extra, bool success)
{
	struct bhxh_audit_msg m = {
		.op = op,
		.acct = ctx->user ? ctx->user : "?",
		.id = ctx->known ? (long long)ctx->uid : -1,
		.reason = reason,
		.extra = extra,
		.service = ctx->service,
		.tty = ctx->tty,
		.rhost = ctx->rhost,
		.success = success,
	};
	const struct std_record *s;
	int rc;

	rc = send_one(ctx, type == BHXH_AUDIT_DECISION ? AUDIT_TRUSTED_APP : type, &m);
	if (type != BHXH_AUDIT_DECISION || !ctx->conf.audit.standard)
		return rc;
	s = std_of(op);
	if (s != NULL && std_wanted(ctx, s, op)) {
		struct bhxh_audit_msg std = {
			.op = s->op,
			.acct = m.acct,
			.id = -1,
			.extra = "grantors=pam_bhxh",
			.tty = m.tty,
			.rhost = m.rhost,
			.success = success,
		};
		int r = send_one(ctx, s->type, &std);

		if (rc == PAM_SUCCESS)
			rc = r;
	}
	return rc;
}
