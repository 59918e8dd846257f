/* Unit tests of the audit area: record formatting and encoding (checked
 * against libaudit itself), the audit options, and bhxhctl report's
 * aggregation on small synthetic logs. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <libaudit.h>

#include "audit.h"
#include "conf.h"
#include "report.h"
#include "report_time.h"
#include "util.h"

/* Our encoding of a value must be libaudit's, byte for byte. */
START_TEST(encode_matches_libaudit)
{
	static const char *const names[] = {
		"alice", "a b", "\"q\"", "Nguyễn Văn A", "tab\there", "x\x7fy", "a'b", "a=b",
		"ROOT", "-x", "0123456789abcdef",
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(names); i++) {
		char ours[256], theirs[300];
		char *nv = audit_encode_nv_string("acct", names[i], 0);

		ck_assert_ptr_nonnull(nv);
		ck_assert_int_eq(bhxh_audit_encode(ours, sizeof(ours), names[i]), 0);
		snprintf(theirs, sizeof(theirs), "acct=%s", ours);
		ck_assert_msg(strcmp(nv, theirs) == 0, "'%s': libaudit %s, ours %s", names[i], nv,
			      theirs);
		free(nv);
	}
}
END_TEST

START_TEST(format_odd_accounts)
{
	char buf[BHXH_AUDIT_MSG_MAX], longname[300];
	struct bhxh_audit_msg m = { .op = "PAM:bhxh_authfail", .acct = "a b", .id = -1,
				    .reason = "wrong_password" };

	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=612062 reason=wrong_password");
	m.acct = "o'neil";
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=\"o'neil\" reason=wrong_password");
	m.acct = "";
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=\"\" reason=wrong_password");
	m.acct = NULL;
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=\"?\" reason=wrong_password");
	/* very long: the first 32 bytes, as libaudit (and libpam) keep them */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	m.acct = longname;
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" "
			      "reason=wrong_password");
	/* long and non-ASCII: 32 bytes hex-encoded, even mid-character */
	for (size_t i = 0; i + 2 < sizeof(longname); i += 2)
		memcpy(longname + i, "\xc3\xa9", 2);
	longname[298] = '\0';
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=C3A9C3A9C3A9C3A9C3A9C3A9C3A9C3A9C3A9C3A9"
			      "C3A9C3A9C3A9C3A9C3A9C3A9 reason=wrong_password");
	/* service is encoded too */
	m.acct = "bob";
	m.id = 1000;
	m.service = "my svc";
	m.extra = "failures=3";
	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), 0);
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=\"bob\" id=1000 reason=wrong_password "
			      "grantors=bhxh service=6D7920737663 failures=3");
}
END_TEST

START_TEST(format_too_small)
{
	char buf[40];
	struct bhxh_audit_msg m = { .op = "PAM:bhxh_authfail", .acct = "alice", .id = 1000,
				    .reason = "wrong_password", .service = "sshd" };

	ck_assert_int_eq(bhxh_audit_format(buf, sizeof(buf), &m), -ENAMETOOLONG);
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	ck_assert_str_eq(buf, "op=PAM:bhxh_authfail acct=\"alice\"");
}
END_TEST

START_TEST(host_and_terminal_words)
{
	char buf[128];

	ck_assert_int_eq(bhxh_audit_encode_word(buf, sizeof(buf), "10.0.0.5"), 0);
	ck_assert_str_eq(buf, "10.0.0.5");
	ck_assert_int_eq(bhxh_audit_encode_word(buf, sizeof(buf), "pc-12.bhxh.vn"), 0);
	ck_assert_str_eq(buf, "pc-12.bhxh.vn");
	/* a crafted host name cannot add a field */
	ck_assert_int_eq(bhxh_audit_encode_word(buf, sizeof(buf), "x res=success"), 0);
	ck_assert_str_eq(buf, "78207265733D73756363657373");
	ck_assert_int_eq(bhxh_audit_encode_word(buf, sizeof(buf), "res=success"), 0);
	ck_assert_str_eq(buf, "7265733D73756363657373");
	ck_assert_int_eq(bhxh_audit_encode_word(buf, sizeof(buf), "a'b"), 0);
	ck_assert_str_eq(buf, "612762");
	ck_assert_int_eq(bhxh_audit_encode_word(buf, 4, "abcd"), -ENAMETOOLONG);

	ck_assert_str_eq(bhxh_audit_addr("192.0.2.7"), "192.0.2.7");
	ck_assert_str_eq(bhxh_audit_addr("2001:db8::1"), "2001:db8::1");
	ck_assert_str_eq(bhxh_audit_addr("::ffff:192.0.2.7"), "::ffff:192.0.2.7");
	ck_assert_str_eq(bhxh_audit_addr("pc-12.bhxh.vn"), "?");
	ck_assert_str_eq(bhxh_audit_addr("192.0.2.7 "), "?");
	ck_assert_str_eq(bhxh_audit_addr(""), "?");
	ck_assert_str_eq(bhxh_audit_addr(NULL), "?");
}
END_TEST

START_TEST(audit_options)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(&c);
	ck_assert_int_eq(c.audit.unavailable, BHXH_AUDIT_SYSLOG);
	ck_assert(!c.audit.standard);
	ck_assert_int_eq(bhxh_conf_apply(&c, "audit_unavailable=deny", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), 0);
	ck_assert_int_eq(c.audit.unavailable, BHXH_AUDIT_DENY);
	ck_assert_int_eq(bhxh_conf_apply(&c, "audit_unavailable = syslog", BHXH_SCOPE_FILE, "f:3",
					 err, sizeof(err)), 0);
	ck_assert_int_eq(c.audit.unavailable, BHXH_AUDIT_SYSLOG);
	ck_assert_int_eq(bhxh_conf_apply(&c, "audit_unavailable=ignore", BHXH_SCOPE_FILE, "f:4",
					 err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "f:4") != NULL && strstr(err, "syslog or deny") != NULL, "%s",
		      err);
	ck_assert_int_eq(bhxh_conf_apply(&c, "audit_unavailable", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "audit_standard", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), 0);
	ck_assert(c.audit.standard);
	ck_assert_int_eq(bhxh_conf_apply(&c, "audit_standard=maybe", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), -EINVAL);
}
END_TEST

/* ---- report ---------------------------------------------------------- */

#define HDR(node, type, t, serial) "node=" node " type=" type " msg=audit(" t ":" serial "): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='"
#define PAMREC(op, acct, host, res) "op=" op " grantors=? acct=" acct " exe=\"/usr/sbin/sshd\" hostname=" host " addr=" host " terminal=ssh res=" res "'\n"
#define BHXH(op, reason, acct, host, res) "op=" op " acct=" acct " reason=" reason " grantors=bhxh service=\"sshd\" exe=\"/usr/sbin/sshd\" hostname=" host " addr=" host " terminal=ssh res=" res "'\n"

static const char sample_log[] =
	HDR("pc1", "USER_AUTH", "1764000000.000", "1") PAMREC("PAM:authentication", "\"alice\"", "10.0.0.9", "failed")
	HDR("pc1", "TRUSTED_APP", "1764000000.001", "2") BHXH("PAM:bhxh_authfail", "wrong_password", "\"alice\"", "10.0.0.9", "failed")
	HDR("pc1", "USER_AUTH", "1764000001.000", "3") PAMREC("PAM:authentication", "\"alice\"", "10.0.0.9", "failed")
	HDR("pc1", "USER_AUTH", "1764000002.000", "4") PAMREC("PAM:authentication", "\"alice\"", "10.0.0.8", "failed")
	HDR("pc1", "ANOM_LOGIN_FAILURES", "1764000002.001", "5") BHXH("PAM:bhxh_lockout", "too_many_failures", "\"alice\"", "10.0.0.8", "failed")
	HDR("pc1", "RESP_ACCT_LOCK_TIMED", "1764000002.002", "6") BHXH("PAM:bhxh_lockout", "locked_timed", "\"alice\"", "10.0.0.8", "success")
	"garbage line\n"
	HDR("pc1", "TRUSTED_APP", "1764000003.000", "7") "op=PAM:bhxh_preauth acct=\"alice\" reason=account_locked res=fail\n"
	HDR("pc1", "TRUSTED_APP", "1764000004.000", "8") BHXH("PAM:bhxh_preauth", "account_locked", "\"alice\"", "10.0.0.8", "failed")
	HDR("pc1", "RESP_ACCT_UNLOCK_TIMED", "1764000600.000", "9") BHXH("PAM:bhxh_unlock", "lock_expired", "\"alice\"", "?", "success")
	HDR("pc2", "USER_AUTH", "1764000700.000", "10") PAMREC("PAM:authentication", "4E677579E1BB856E", "?", "success")
	HDR("pc2", "USER_ACCT", "1764000700.100", "11") PAMREC("PAM:accounting", "4E677579E1BB856E", "?", "failed")
	HDR("pc2", "TRUSTED_APP", "1764000700.101", "12") BHXH("PAM:bhxh_account", "password_expired", "4E677579E1BB856E", "?", "failed")
	HDR("pc2", "TRUSTED_APP", "1764000800.000", "13") BHXH("PAM:bhxh_chauthtok", "too_short", "4E677579E1BB856E", "?", "failed")
	HDR("pc2", "TRUSTED_APP", "1764000801.000", "14") BHXH("PAM:bhxh_chauthtok", "denylisted", "4E677579E1BB856E", "?", "failed")
	HDR("pc2", "TRUSTED_APP", "1764000802.000", "15") BHXH("PAM:bhxh_chauthtok", "too_short", "4E677579E1BB856E", "?", "failed")
	HDR("pc2", "USER_CHAUTHTOK", "1764000803.000", "16") PAMREC("PAM:chauthtok", "4E677579E1BB856E", "?", "success")
	HDR("pc2", "TRUSTED_APP", "1764000900.000", "17") BHXH("PAM:bhxh_account", "revoked", "\"bob\"", "10.0.0.9", "failed")
	HDR("pc2", "ACCT_UNLOCK", "1764000901.000", "18") "op=bhxhctl:lockout_reset acct=\"alice\" reason=admin_reset exe=\"/usr/sbin/bhxhctl\" hostname=? addr=? terminal=pts/0 res=success'\n"
	"node=pc2 type=SYSCALL msg=audit(1764000902.000:19): arch=c000003e syscall=2 success=yes exit=3 items=0 ppid=1 pid=2 auid=0 uid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)\n"
	"type=USER_AUTH msg=audit(1764000903.000:20): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=pam_unix acct=\"carol\" exe=\"/bin/login\" hostname=? addr=? terminal=tty1 res=success'\n"
	"type=USER_AUTH msg=audit(1764000904.000:21): pid=1 uid=0 msg='op=PAM:authentication acct=\"carol\" res=fail";

struct expect {
	uint64_t lines, malformed;
	uint64_t alice_fail, alice_locks, alice_unlocks, alice_locked;
};

static struct bhxh_report *run_report(const struct bhxh_report_filter *f, size_t chunk)
{
	struct bhxh_report *r = bhxh_report_new(f);
	size_t len = strlen(sample_log);

	ck_assert_ptr_nonnull(r);
	for (size_t off = 0; off < len; off += chunk)
		ck_assert_int_eq(bhxh_report_feed(r, sample_log + off,
						  off + chunk > len ? len - off : chunk), 0);
	ck_assert_int_eq(bhxh_report_finish(r), 0);
	return r;
}

static const struct bhxh_report_entry *find(const struct bhxh_report_entry *e, size_t n,
					    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return &e[i];
	return NULL;
}

/* The shared audit status: believed while fresh, named auditd alive and
 * the file root's and not writable by others; a bad status never saved. */
START_TEST(status_cache)
{
	char dir[] = "/tmp/bhxh-audit-status.XXXXXX", path[128], cmd[160];
	unsigned e = 9, p = 9;
	struct timespec old[2];
	pid_t dead;

	if (geteuid() != 0)
		return; /* only root saves it (and only root asks the kernel) */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/run", dir);
	/* nothing yet; ttl 0 never reads */
	ck_assert_int_eq(bhxh_audit_status_load(path, 10, &e, &p), -ENOENT);
	/* bad states are refused, the directory made on first save */
	ck_assert_int_eq(bhxh_audit_status_save(path, 0, (unsigned)getpid()), -EINVAL);
	ck_assert_int_eq(bhxh_audit_status_save(path, 1, 0), -EINVAL);
	ck_assert_int_eq(bhxh_audit_status_save(path, 1, (unsigned)getpid()), 0);
	ck_assert_int_eq(bhxh_audit_status_load(path, 10, &e, &p), 0);
	ck_assert_uint_eq(e, 1);
	ck_assert_uint_eq(p, (unsigned)getpid());
	ck_assert_int_eq(bhxh_audit_status_load(path, 0, &e, &p), -ENOENT);
	/* the named process gone: not believed */
	dead = fork();
	if (dead < 0) /* no ck_assert in the child: it would write to Check's channel */
		ck_abort_msg("fork: %s", strerror(errno));
	if (dead == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(dead, NULL, 0), dead);
	ck_assert_int_eq(bhxh_audit_status_save(path, 1, (unsigned)dead), 0);
	ck_assert_int_eq(bhxh_audit_status_load(path, 10, &e, &p), -ENOENT);
	/* an ordinary user's process (a screen locker's PAM stack) reads
	 * root's file and believes it: its kill(pid, 0) on root's auditd
	 * fails with EPERM, which still says "alive"; it cannot save */
	ck_assert_int_eq(bhxh_audit_status_save(path, 1, (unsigned)getpid()), 0);
	{
		pid_t child = fork();
		int st;

		if (child < 0) /* no ck_assert in the child: it would write to Check's channel */
			ck_abort_msg("fork: %s", strerror(errno));
		if (child == 0) {
			unsigned ce = 0, cp = 0;
			int ok = setgid(65534) == 0 && setuid(65534) == 0 && geteuid() == 65534 &&
				 bhxh_audit_status_load(path, 10, &ce, &cp) == 0 && ce == 1 &&
				 cp == (unsigned)getppid() &&
				 bhxh_audit_status_save(path, 1, (unsigned)getppid()) == -EPERM;

			_exit(ok ? 0 : 1);
		}
		ck_assert_int_eq(waitpid(child, &st, 0), child);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* older than the ttl: not believed */
	ck_assert_int_eq(bhxh_audit_status_save(path, 2, (unsigned)getpid()), 0);
	snprintf(path, sizeof(path), "%s/run/%s", dir, BHXH_AUDIT_STATUS_FILE);
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= 30;
	old[1] = old[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
	snprintf(cmd, sizeof(cmd), "%s/run", dir);
	ck_assert_int_eq(bhxh_audit_status_load(cmd, 10, &e, &p), -ENOENT);
	ck_assert_int_eq(bhxh_audit_status_load(cmd, 60, &e, &p), 0);
	ck_assert_uint_eq(e, 2);
	/* writable by others, or damaged: refused */
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(bhxh_audit_status_load(cmd, 60, &e, &p), -EPERM);
	ck_assert_int_eq(bhxh_audit_status_save(cmd, 1, (unsigned)getpid()), 0);
	{
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		fputs("1 12x\n", f);
		fclose(f);
	}
	ck_assert_int_eq(bhxh_audit_status_load(cmd, 60, &e, &p), -ENOENT);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(report_counts)
{
	static const size_t chunks[] = { 1, 7, 100, 4096, 1 << 20 };
	struct bhxh_report_filter f = { .local_node = "central" };

	for (size_t c = 0; c < BHXH_ARRAY_SIZE(chunks); c++) {
		struct bhxh_report *r = run_report(&f, chunks[c]);
		const struct bhxh_report_totals *t = bhxh_report_totals(r);
		const struct bhxh_report_entry *e, *a, *n, *b, *h;
		size_t nu, nh, ns;

		ck_assert_uint_eq(t->lines, 22);
		/* garbage, unclosed msg=', and the last line cut short */
		ck_assert_uint_eq(t->malformed, 3);
		nu = bhxh_report_users(r, &e);
		ck_assert_uint_eq(nu, 4); /* alice, bob, carol, Nguyễn */
		a = find(e, nu, "alice");
		n = find(e, nu, "Nguyễn");
		b = find(e, nu, "bob");
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(n);
		ck_assert_ptr_nonnull(b);
		ck_assert_ptr_nonnull(find(e, nu, "carol"));
		ck_assert_uint_eq(a->st.auth_failures, 3);
		ck_assert_uint_eq(a->st.auth_successes, 0);
		ck_assert_uint_eq(a->st.locks, 1);
		ck_assert_uint_eq(a->st.unlocks, 2);
		ck_assert_uint_eq(a->st.locked_refusals, 1);
		ck_assert_uint_eq(n->st.auth_successes, 1);
		ck_assert_uint_eq(n->st.acct_refusals, 1);
		ck_assert_uint_eq(n->st.expired_refusals, 1);
		ck_assert_uint_eq(n->st.password_rejections, 3);
		ck_assert_uint_eq(n->st.password_changes, 1);
		ck_assert_str_eq(n->st.reasons[0].name, "too_short");
		ck_assert_uint_eq(n->st.reasons[0].count, 2);
		ck_assert_str_eq(n->st.reasons[1].name, "denylisted");
		ck_assert_uint_eq(n->st.reasons[1].count, 1);
		ck_assert_uint_eq(b->st.revoked_refusals, 1);
		nh = bhxh_report_hosts(r, &e);
		ck_assert_uint_eq(nh, 3);
		h = find(e, nh, "central"); /* carol's record has no node= */
		ck_assert_ptr_nonnull(h);
		ck_assert_uint_eq(h->st.auth_successes, 1);
		h = find(e, nh, "pc1");
		ck_assert_uint_eq(h->st.auth_failures, 3);
		ns = bhxh_report_sources(r, &e);
		ck_assert_uint_eq(ns, 2);
		ck_assert_str_eq(e[0].name, "10.0.0.9");
		ck_assert_uint_eq(e[0].failures, 2);
		ck_assert_str_eq(e[1].name, "10.0.0.8");
		ck_assert_uint_eq(e[1].failures, 1);
		bhxh_report_free(r);
	}
}
END_TEST

START_TEST(report_filters)
{
	struct bhxh_report_filter f = { .local_node = "central", .user = "alice" };
	struct bhxh_report *r = run_report(&f, 4096);
	const struct bhxh_report_entry *e;

	ck_assert_uint_eq(bhxh_report_users(r, &e), 1);
	ck_assert_str_eq(e[0].name, "alice");
	bhxh_report_free(r);

	f.user = NULL;
	f.host = "10.0.0.8"; /* a remote address */
	r = run_report(&f, 4096);
	ck_assert_uint_eq(bhxh_report_users(r, &e), 1);
	ck_assert_uint_eq(e[0].st.auth_failures, 1);
	ck_assert_uint_eq(e[0].st.locks, 1);
	bhxh_report_free(r);

	f.host = "pc2"; /* a machine */
	r = run_report(&f, 4096);
	ck_assert_uint_eq(bhxh_report_users(r, &e), 3); /* Nguyễn, bob, alice (reset) */
	bhxh_report_free(r);

	f.host = NULL;
	f.since = 1764000600;
	f.until = 1764000800;
	r = run_report(&f, 4096);
	ck_assert_uint_eq(bhxh_report_totals(r)->records, 5);
	bhxh_report_free(r);
}
END_TEST

START_TEST(report_hostile_input)
{
	struct bhxh_report_filter f = { 0 };
	struct bhxh_report *r = bhxh_report_new(&f);
	char *big = malloc(3 * BHXH_REPORT_LINE_MAX);
	static const char nul_line[] = "type=USER_AUTH msg=audit(1.0:1): msg='a\0b'\n";

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(big);
	memset(big, 'A', 3 * BHXH_REPORT_LINE_MAX);
	big[3 * BHXH_REPORT_LINE_MAX - 1] = '\n';
	/* an over-long line, in pieces */
	ck_assert_int_eq(bhxh_report_feed(r, big, BHXH_REPORT_LINE_MAX), 0);
	ck_assert_int_eq(bhxh_report_feed(r, big + BHXH_REPORT_LINE_MAX,
					  2 * BHXH_REPORT_LINE_MAX), 0);
	ck_assert_int_eq(bhxh_report_feed(r, nul_line, sizeof(nul_line) - 1), 0);
	ck_assert_int_eq(bhxh_report_feed(r, "\n\n", 2), 0);
	ck_assert_int_eq(bhxh_report_finish(r), 0);
	ck_assert_uint_eq(bhxh_report_totals(r)->lines, 4);
	ck_assert_uint_eq(bhxh_report_totals(r)->malformed, 4);
	ck_assert_uint_eq(bhxh_report_totals(r)->records, 0);
	bhxh_report_free(r);
	free(big);
}
END_TEST

START_TEST(report_line_check)
{
	static const struct {
		const char *l;
		bool ok;
	} t[] = {
		{ "type=USER_AUTH msg=audit(1764000000.123:45): pid=1 msg='op=x res=success'", true },
		{ "node=pc1 type=USER_AUTH msg=audit(1764000000.123:45): pid=1 msg='a'", true },
		{ "type=SYSCALL msg=audit(1.2:3): arch=c000003e", true },
		{ "type=USER_AUTH msg=audit(1764000000.123:45): pid=1 msg='op=x res=succ", false },
		{ "type=USER_AUTH msg=audit(1764000000.123:45", false },
		{ "type=USER_AUTH msg=audit(.1:2): x", false },
		{ "type=USER_AUTH msg=audit(1.:2): x", false },
		{ "type=USER_AUTH msg=audit(1.2:): x", false },
		{ "type=USER_AUTH msg=audit(1.2:3) x", false },
		{ "node=pc1", false },
		{ "typo=USER_AUTH msg=audit(1.2:3): x", false },
		{ "", false },
		{ "hello world", false },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(t); i++)
		ck_assert_msg(bhxh_report_line_ok(t[i].l, strlen(t[i].l)) == t[i].ok, "%s", t[i].l);
}
END_TEST

START_TEST(report_decode_acct)
{
	char out[8];

	ck_assert_int_eq(bhxh_report_decode_acct("\"bob\"", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "bob");
	ck_assert_int_eq(bhxh_report_decode_acct("612062", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a b");
	ck_assert_int_eq(bhxh_report_decode_acct("61206", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "?");
	ck_assert_int_eq(bhxh_report_decode_acct("6g", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "?");
	ck_assert_int_eq(bhxh_report_decode_acct("?", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "?");
	ck_assert_int_eq(bhxh_report_decode_acct("6100", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a?"); /* a NUL byte never ends the name early */
	ck_assert_int_eq(bhxh_report_decode_acct("\"abcdefghij\"", out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_str_eq(out, "abcdefg");
	ck_assert_int_eq(bhxh_report_decode_acct("61626364656667686969", out, sizeof(out)),
			 -ENAMETOOLONG);
	ck_assert_str_eq(out, "abcdefg");
}
END_TEST

START_TEST(report_times)
{
	/* 2026-11-25 08:30:00 UTC, a Wednesday */
	const long long now = 1795595400;
	static const struct {
		const char *d, *t;
		int r;
		long long v;
	} cases[] = {
		{ "now", NULL, 0, 1795595400 },
		{ "recent", NULL, 0, 1795595400 - 600 },
		{ "today", NULL, 0, 1795564800 },
		{ "yesterday", NULL, 0, 1795564800 - 86400 },
		{ "this-week", NULL, 0, 1795564800 - 3 * 86400 },
		{ "week-ago", NULL, 0, 1795564800 - 7 * 86400 },
		{ "this-month", NULL, 0, 1795564800 - 24 * 86400 },
		{ "this-year", NULL, 0, 1767225600 },
		{ "2026-11-25", NULL, 0, 1795564800 },
		{ "2026-11-25T08:30:00", NULL, 0, 1795595400 },
		{ "2026-11-25 08:30", NULL, 0, 1795595400 },
		{ "2026-11-25T08:30:00Z", NULL, 0, 1795595400 },
		{ "2026-11-25T15:30:00+07:00", NULL, 0, 1795595400 },
		{ "2026-11-25T15:30:00+0700", NULL, 0, 1795595400 },
		{ "2026-11-25T08:30:00.123Z", NULL, 0, 1795595400 },
		{ "11/25/2026", NULL, 0, 1795564800 },
		{ "11/25/2026", "08:30:00", 0, 1795595400 },
		{ "11/25/26", "08:30", 0, 1795595400 },
		{ "11/25/2026 08:30:00", NULL, 0, 1795595400 },
		{ "11/25/2026 08:30:00", "08:30", -EINVAL, 0 },
		{ "11/25/2026 ", NULL, -EINVAL, 0 },
		{ "11/25/2026x", NULL, -EINVAL, 0 },
		{ "2026-02-29", NULL, -EINVAL, 0 },
		{ "2024-02-29", NULL, 0, 1709164800 },
		{ "2026-13-01", NULL, -EINVAL, 0 },
		{ "2026-11-25T24:00", NULL, -EINVAL, 0 },
		{ "2026-11-25T08:30:00+15:00", NULL, -EINVAL, 0 },
		{ "2026-11-25x", NULL, -EINVAL, 0 },
		{ "11/25/2026", "8:30", -EINVAL, 0 },
		{ "13/01/2026", NULL, -EINVAL, 0 },
		{ "tomorrow", NULL, -EINVAL, 0 },
		{ "", NULL, -EINVAL, 0 },
		{ "now", "08:00", -EINVAL, 0 },
	};

	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(cases); i++) {
		long long v = -7;
		int r = bhxh_report_parse_time(cases[i].d, cases[i].t, now, &v);

		ck_assert_msg(r == cases[i].r, "'%s %s': %d", cases[i].d, cases[i].t ? cases[i].t : "",
			      r);
		ck_assert_msg(v == (r == 0 ? cases[i].v : -7), "'%s %s': %lld want %lld", cases[i].d,
			      cases[i].t ? cases[i].t : "", v, cases[i].v);
	}
}
END_TEST

START_TEST(report_log_files)
{
	char out[64];

	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log"), 0);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log.1"), 1);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log.42"), 42);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log.1000000"), 1000000);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log.1000001"), -1);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log.0"), -1);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log."), -1);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.log.1.gz"), -1);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.logx"), -1);
	ck_assert_int_eq(bhxh_report_rotation("audit.log", "audit.lo"), -1);
	ck_assert_int_eq(bhxh_report_rotation("fleet.log", "fleet.log.3"), 3);

	ck_assert_int_eq(bhxh_report_conf_log_file("log_file = /var/log/audit/audit.log\n", out,
						   sizeof(out)), 1);
	ck_assert_str_eq(out, "/var/log/audit/audit.log");
	ck_assert_int_eq(bhxh_report_conf_log_file("  log_file=/srv/fleet.log # central\n", out,
						   sizeof(out)), 1);
	ck_assert_str_eq(out, "/srv/fleet.log");
	ck_assert_int_eq(bhxh_report_conf_log_file("log_format = ENRICHED\n", out, sizeof(out)),
			 0);
	ck_assert_int_eq(bhxh_report_conf_log_file("# log_file = /x\n", out, sizeof(out)), 0);
	ck_assert_int_eq(bhxh_report_conf_log_file("log_file_x = /x\n", out, sizeof(out)), 0);
	ck_assert_int_eq(bhxh_report_conf_log_file("log_file = relative.log\n", out, sizeof(out)),
			 -EINVAL);
	ck_assert_int_eq(bhxh_report_conf_log_file("log_file =\n", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(bhxh_report_conf_log_file("log_file = /a/very/long/path/that/does/not/fit/"
						   "in/sixty/four/bytes/audit.log\n",
						   out, sizeof(out)),
			 -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, encode_matches_libaudit);
	tcase_add_test(tc, format_odd_accounts);
	tcase_add_test(tc, format_too_small);
	tcase_add_test(tc, host_and_terminal_words);
	tcase_add_test(tc, audit_options);
	tcase_add_test(tc, status_cache);
	tcase_add_test(tc, report_counts);
	tcase_add_test(tc, report_filters);
	tcase_add_test(tc, report_hostile_input);
	tcase_add_test(tc, report_line_check);
	tcase_add_test(tc, report_decode_acct);
	tcase_add_test(tc, report_times);
	tcase_add_test(tc, report_log_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
