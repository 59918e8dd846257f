/* Unit tests of the fleet report: the alert detectors at their boundaries
 * (threshold - 1 / threshold, window edge, gaps), the alerts raised from
 * synthetic fleet logs, UTF-8 cleaning, the memory budget and the time
 * series.  Pure: no auditd, no files. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "report.h"
#include "util.h"

/* ---- the sliding window ------------------------------------------------ */

START_TEST(win_distinct_and_edges)
{
	struct bhxh_win_slot s[4];
	unsigned n = 0;

	/* window 10 s, k = 3 */
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 1, 100, 10), 1);
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 1, 101, 10), 1); /* same item */
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 2, 105, 10), 2);
	/* t - w = 100: item 1 was last seen at 101, still in */
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 3, 110, 10), 3);
	/* exactly at the edge: 111 - 10 = 101 >= 101, item 1 stays */
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 4, 111, 10), 3);
	/* one second later item 1 (101) and 2 (105)... */
	n = 0;
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 1, 100, 10), 1);
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 2, 110, 10), 2); /* 100 >= 100: in */
	ck_assert_uint_eq(bhxh_win_add(s, &n, 3, 3, 111, 10), 2); /* 100 < 101: out */
	/* full: the oldest gives way, the count stays at k */
	n = 0;
	for (uintptr_t i = 1; i <= 10; i++)
		ck_assert_uint_eq(bhxh_win_add(s, &n, 3, i, 200 + (long long)i, 100),
				  i < 3 ? i : 3);
	ck_assert_uint_eq(n, 3);
	/* counts per item */
	n = 0;
	bhxh_win_add(s, &n, 3, 7, 1, 100);
	bhxh_win_add(s, &n, 3, 7, 2, 100);
	bhxh_win_add(s, &n, 3, 7, 3, 100);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(s[0].count, 3);
}
END_TEST

static struct bhxh_alert_track *track(unsigned k)
{
	struct bhxh_alert_track *t = calloc(1, sizeof(*t) + k * sizeof(t->slot[0]));

	ck_assert_ptr_nonnull(t);
	t->alert = -1;
	return t;
}

START_TEST(alert_threshold_boundary)
{
	struct bhxh_alert_track *t = track(5);

	/* threshold - 1 distinct items: nothing */
	for (uintptr_t i = 1; i <= 4; i++)
		ck_assert_int_eq(bhxh_alert_feed(t, 5, 60, i, 1000 + (long long)i), BHXH_ALERT_NONE);
	/* a repeat does not count */
	ck_assert_int_eq(bhxh_alert_feed(t, 5, 60, 4, 1010), BHXH_ALERT_NONE);
	/* the threshold: an alert opens */
	ck_assert_int_eq(bhxh_alert_feed(t, 5, 60, 5, 1020), BHXH_ALERT_OPEN);
	t->alert = 0;
	/* within the window of the last record: the same alert */
	ck_assert_int_eq(bhxh_alert_feed(t, 5, 60, 6, 1080), BHXH_ALERT_EXTEND);
	ck_assert_int_eq(bhxh_alert_feed(t, 5, 60, 6, 1140), BHXH_ALERT_EXTEND); /* gap = w */
	/* a gap longer than the window closes it; alone, no new alert */
	ck_assert_int_eq(bhxh_alert_feed(t, 5, 60, 1, 1201), BHXH_ALERT_NONE);
	ck_assert_int_eq(t->alert, -1);
	free(t);

	/* spread over more than the window: never */
	t = track(3);
	ck_assert_int_eq(bhxh_alert_feed(t, 3, 60, 1, 0), BHXH_ALERT_NONE);
	ck_assert_int_eq(bhxh_alert_feed(t, 3, 60, 2, 40), BHXH_ALERT_NONE);
	ck_assert_int_eq(bhxh_alert_feed(t, 3, 60, 3, 61), BHXH_ALERT_NONE); /* 0 left */
	ck_assert_int_eq(bhxh_alert_feed(t, 3, 60, 4, 100), BHXH_ALERT_OPEN); /* 40..100 */
	free(t);

	/* k = 1: the first record opens */
	t = track(1);
	ck_assert_int_eq(bhxh_alert_feed(t, 1, 60, 9, 5), BHXH_ALERT_OPEN);
	free(t);
}
END_TEST

/* ---- alerts from logs -------------------------------------------------- */

static char logbuf[1 << 20];
static size_t loglen;

static void rec(const char *node, const char *type, long long t, const char *body)
{
	static unsigned serial;

	loglen += (size_t)snprintf(logbuf + loglen, sizeof(logbuf) - loglen,
				   "node=%s type=%s msg=audit(%lld.000:%u): pid=1 uid=0 "
				   "auid=4294967295 ses=4294967295 msg='%s'\n",
				   node, type, t, ++serial, body);
	ck_assert_uint_lt(loglen, sizeof(logbuf));
}

static void fail_login(const char *node, long long t, const char *acct, const char *src)
{
	char b[1024];

	snprintf(b, sizeof(b),
		 "op=PAM:authentication grantors=? acct=\"%s\" exe=\"/usr/sbin/sshd\" "
		 "hostname=%s addr=%s terminal=ssh res=failed",
		 acct, src, src);
	rec(node, "USER_AUTH", t, b);
}

static struct bhxh_report *run(const struct bhxh_report_conf *c)
{
	struct bhxh_report_filter f = { .local_node = "central", .alerts = c };
	struct bhxh_report *r = bhxh_report_new(&f);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(bhxh_report_feed(r, logbuf, loglen), 0);
	ck_assert_int_eq(bhxh_report_finish(r), 0);
	return r;
}

static struct bhxh_report_conf defaults(void)
{
	struct bhxh_conf c;

	bhxh_conf_init(&c);
	return c.report;
}

START_TEST(alert_spraying)
{
	struct bhxh_report_conf c = defaults();
	struct bhxh_report *r;
	const struct bhxh_report_alert *a;
	char acct[16], node[16];

	c.spray_accounts = 10;
	c.spray_window = 600;
	/* 9 accounts from 203.0.113.5 within 10 minutes: below */
	loglen = 0;
	for (int i = 0; i < 9; i++) {
		snprintf(acct, sizeof(acct), "nv%02d", i);
		snprintf(node, sizeof(node), "may%03d", i % 4);
		fail_login(node, 1000 + i * 60, acct, "203.0.113.5");
	}
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 0);
	bhxh_report_free(r);
	/* a tenth, 601 s after the first: the first left the window */
	fail_login("may009", 1000 + 601, "nv09", "203.0.113.5");
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 0);
	bhxh_report_free(r);
	/* an eleventh at 1000 + 605 makes 10 within [1005, 1605]: alert */
	fail_login("may010", 1000 + 605, "nv10", "203.0.113.5");
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 1);
	a = bhxh_report_alert(r, 0);
	ck_assert_int_eq(a->kind, BHXH_ALERT_SPRAY);
	ck_assert_str_eq(a->key, "203.0.113.5");
	ck_assert_uint_eq(a->naccounts, 10);
	ck_assert_uint_eq(a->nhosts, 6); /* may000..3, may009, may010 */
	ck_assert_int_eq(a->first, 1060);
	ck_assert_int_eq(a->last, 1605);
	ck_assert_uint_eq(a->events, 10);
	ck_assert_str_eq(bhxh_alert_kind_name(a->kind), "password_spraying");
	bhxh_report_free(r);
	/* off: threshold 0 */
	c.spray_accounts = 0;
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 0);
	bhxh_report_free(r);
}
END_TEST

START_TEST(alert_spread_and_storm)
{
	struct bhxh_report_conf c = defaults();
	struct bhxh_report *r;
	const struct bhxh_report_alert *a;
	char node[16], acct[16], b[256];

	c.spread_hosts = 5;
	c.spread_window = 3600;
	c.lock_storm_accounts = 3;
	c.lock_storm_window = 60;
	loglen = 0;
	/* tranh fails twice on each of 5 machines in 50 minutes (stays under
	 * each machine's deny=3), from different addresses */
	for (int i = 0; i < 10; i++) {
		snprintf(node, sizeof(node), "may%03d", i / 2);
		snprintf(b, sizeof(b), "10.0.0.%d", i);
		fail_login(node, 5000 + i * 300, "tranh", b);
	}
	/* three accounts locked within 60 s on two machines */
	for (int i = 0; i < 3; i++) {
		snprintf(acct, sizeof(acct), "lk%d", i);
		snprintf(b, sizeof(b),
			 "op=PAM:bhxh_lockout acct=\"%s\" reason=locked_timed grantors=bhxh "
			 "service=\"sshd\" failures=3 exe=\"/usr/sbin/sshd\" hostname=? addr=? "
			 "terminal=ssh res=success",
			 acct);
		rec(i ? "pc2" : "pc1", "RESP_ACCT_LOCK_TIMED", 20000 + i * 30, b);
	}
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 2);
	a = bhxh_report_alert(r, 0);
	ck_assert_int_eq(a->kind, BHXH_ALERT_SPREAD);
	ck_assert_str_eq(a->key, "tranh");
	ck_assert_uint_eq(a->nhosts, 5);
	ck_assert_uint_eq(a->events, 10); /* 9 reached the 5th machine, the 10th extends */
	a = bhxh_report_alert(r, 1);
	ck_assert_int_eq(a->kind, BHXH_ALERT_LOCK_STORM);
	ck_assert_ptr_null(a->key);
	ck_assert_uint_eq(a->naccounts, 3);
	ck_assert_uint_eq(a->nhosts, 2);
	ck_assert_int_eq(a->first, 20000);
	ck_assert_int_eq(a->last, 20060);
	bhxh_report_free(r);
	/* 61 s apart: no storm */
	c.lock_storm_window = 59;
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 1);
	bhxh_report_free(r);
}
END_TEST

START_TEST(alert_revoked_and_bulk_rejections)
{
	struct bhxh_report_conf c = defaults();
	struct bhxh_report *r;
	const struct bhxh_report_alert *a;
	char b[256];

	c.refused_logins = 2;
	c.pw_rejections = 3;
	c.pw_rejections_window = 100;
	loglen = 0;
	rec("pc1", "TRUSTED_APP", 100,
	    "op=PAM:bhxh_account acct=\"old\" reason=revoked grantors=bhxh exe=\"/usr/sbin/sshd\" "
	    "hostname=? addr=? terminal=ssh res=failed");
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 0); /* one attempt: below 2 */
	bhxh_report_free(r);
	/* a day later, elsewhere: revoked-account alerts never time out */
	rec("pc7", "TRUSTED_APP", 100 + 86400,
	    "op=PAM:bhxh_account acct=\"old\" reason=revoked grantors=bhxh exe=\"/usr/sbin/sshd\" "
	    "hostname=? addr=? terminal=ssh res=failed");
	rec("pc7", "TRUSTED_APP", 200 + 86400,
	    "op=PAM:bhxh_account acct=\"gone\" reason=account_expired grantors=bhxh "
	    "exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=failed");
	for (int i = 0; i < 3; i++) {
		snprintf(b, sizeof(b),
			 "op=PAM:bhxh_chauthtok acct=\"u%d\" reason=too_short grantors=bhxh "
			 "exe=\"/usr/bin/passwd\" hostname=? addr=? terminal=pts/0 res=failed",
			 i);
		rec("pc3", "TRUSTED_APP", 1000 + i * 50, b);
	}
	r = run(&c);
	/* in the order raised (log order) */
	ck_assert_uint_eq(bhxh_report_nalerts(r), 2);
	a = bhxh_report_alert(r, 0);
	ck_assert_int_eq(a->kind, BHXH_ALERT_REVOKED_LOGIN);
	ck_assert_str_eq(a->key, "old");
	ck_assert_uint_eq(a->events, 2);
	ck_assert_uint_eq(a->nhosts, 2);
	a = bhxh_report_alert(r, 1);
	ck_assert_int_eq(a->kind, BHXH_ALERT_PW_REJECTIONS);
	ck_assert_uint_eq(a->events, 3);
	ck_assert_uint_eq(a->naccounts, 3);
	ck_assert_ptr_null(a->key);
	bhxh_report_free(r);
	c.refused_logins = 1;
	r = run(&c);
	ck_assert_uint_eq(bhxh_report_nalerts(r), 3); /* + the expired account */
	ck_assert_int_eq(bhxh_report_alert(r, 1)->kind, BHXH_ALERT_EXPIRED_LOGIN);
	ck_assert_str_eq(bhxh_report_alert(r, 1)->key, "gone");
	bhxh_report_free(r);
}
END_TEST

/* Posture findings (pam_bhxh(8), LOGIN POSTURE) counted per machine and
 * account, warned (res=success) or refused (res=failed) alike; other
 * posture reasons and other ops are not posture findings. */
START_TEST(posture_per_machine)
{
	struct bhxh_report_conf c = defaults();
	const struct bhxh_report_entry *e;
	struct bhxh_report *r;
	size_t n;

	loglen = 0;
	rec("pc1", "TRUSTED_APP", 100,
	    "op=PAM:bhxh_posture acct=\"an\" id=1001 reason=posture_wifi grantors=bhxh "
	    "ifname=\"wlan0\" count=1 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh "
	    "res=success");
	rec("pc1", "TRUSTED_APP", 101,
	    "op=PAM:bhxh_posture acct=\"an\" id=1001 reason=posture_av_stale grantors=bhxh "
	    "age_days=30 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=failed");
	rec("pc2", "TRUSTED_APP", 102,
	    "op=PAM:bhxh_posture acct=\"binh\" id=1002 reason=posture_av_missing grantors=bhxh "
	    "av=\"clamd\" exe=\"/bin/login\" hostname=? addr=? terminal=tty1 res=success");
	rec("pc2", "TRUSTED_APP", 103,
	    "op=PAM:bhxh_posture acct=\"binh\" id=1002 reason=posture_other grantors=bhxh "
	    "exe=\"/bin/login\" hostname=? addr=? terminal=tty1 res=success");
	rec("pc3", "TRUSTED_APP", 104,
	    "op=PAM:bhxh_account acct=\"chi\" id=1003 reason=posture_wifi grantors=bhxh "
	    "exe=\"/bin/login\" hostname=? addr=? terminal=tty1 res=failed");
	r = run(&c);
	n = bhxh_report_hosts(r, &e);
	ck_assert_uint_eq(n, 2); /* pc3's record counts nothing: no entry */
	ck_assert_str_eq(e[0].name, "pc1");
	ck_assert_uint_eq(e[0].st.posture[0], 0);
	ck_assert_uint_eq(e[0].st.posture[1], 1);
	ck_assert_uint_eq(e[0].st.posture[2], 1);
	ck_assert_str_eq(e[1].name, "pc2");
	ck_assert_uint_eq(e[1].st.posture[0], 1);
	ck_assert_uint_eq(e[1].st.posture[1] + e[1].st.posture[2], 0);
	ck_assert_uint_eq(bhxh_report_totals(r)->all.posture[2], 1);
	ck_assert_str_eq(bhxh_report_posture_reason(2), "posture_wifi");
	bhxh_report_free(r);
}
END_TEST

/* ---- text --------------------------------------------------------------- */

START_TEST(utf8_clean)
{
	char out[16];

	ck_assert_uint_eq(bhxh_utf8_clean("abc", 3, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "abc");
	/* FF FE 41: two bad bytes, then A */
	ck_assert_uint_eq(bhxh_utf8_clean("\xff\xfe" "A", 3, out, sizeof(out)), 7);
	ck_assert_str_eq(out, "\xef\xbf\xbd\xef\xbf\xbd" "A");
	/* Vietnamese kept */
	ck_assert_uint_eq(bhxh_utf8_clean("Nguy\xe1\xbb\x85n", 8, out, sizeof(out)), 8);
	/* cut between characters: room for 5 bytes, "ễ" would end at 7 */
	ck_assert_uint_eq(bhxh_utf8_clean("Nguy\xe1\xbb\x85n", 8, out, 6), 4);
	ck_assert_str_eq(out, "Nguy");
	/* a sequence cut short by the end of input, overlong, surrogate, >10FFFF */
	ck_assert_uint_eq(bhxh_utf8_clean("a\xe1\xbb", 3, out, sizeof(out)), 7);
	ck_assert_uint_eq(bhxh_utf8_seq((const unsigned char *)"\xc0\xaf", 2), 0);
	ck_assert_uint_eq(bhxh_utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3), 0);
	ck_assert_uint_eq(bhxh_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3), 0);
	ck_assert_uint_eq(bhxh_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
	ck_assert_uint_eq(bhxh_utf8_seq((const unsigned char *)"\xf4\x8f\xbf\xbf", 4), 4);
	ck_assert_uint_eq(bhxh_utf8_seq((const unsigned char *)"\xef\xbf\xbd", 3), 3);
	/* NUL is not kept */
	ck_assert_uint_eq(bhxh_utf8_clean("a\0b", 3, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "a?b");
	ck_assert_uint_eq(bhxh_utf8_clean("abc", 3, out, 1), 0);
	/* cut: a last character cut short goes, a whole one stays */
	ck_assert_uint_eq(bhxh_utf8_cut("Nguy\xe1\xbb\x85", 7), 7);
	ck_assert_uint_eq(bhxh_utf8_cut("Nguy\xe1\xbb", 6), 4);
	ck_assert_uint_eq(bhxh_utf8_cut("Nguy\xe1", 5), 4);
	ck_assert_uint_eq(bhxh_utf8_cut("ab", 2), 2);
	ck_assert_uint_eq(bhxh_utf8_cut("", 0), 0);
	ck_assert_uint_eq(bhxh_utf8_cut("\xf0\x9f\x98", 3), 0);
	ck_assert_uint_eq(bhxh_utf8_cut("a\xf0\x9f\x98\x80", 5), 5);
	ck_assert_uint_eq(bhxh_utf8_cut("a\x80\x80\x80\x80", 5), 5); /* not UTF-8: kept */
}
END_TEST

START_TEST(report_names_are_utf8)
{
	struct bhxh_report *r;
	const struct bhxh_report_entry *e;
	char longname[1200];

	loglen = 0;
	rec("pc1", "USER_AUTH", 1,
	    "op=PAM:authentication grantors=? acct=FFFE41 exe=\"/usr/sbin/sshd\" hostname=? "
	    "addr=? terminal=ssh res=failed");
	/* 150 x "ễ" (450 bytes) hex-encoded: cut to 256 bytes on a character
	 * boundary */
	for (size_t i = 0; i < 150; i++)
		memcpy(&longname[i * 6], "E1BB85", 6);
	longname[6 * 150] = '\0';
	{
		char b[1400];

		snprintf(b, sizeof(b),
			 "op=PAM:authentication grantors=? acct=%s exe=\"/usr/sbin/sshd\" "
			 "hostname=? addr=? terminal=ssh res=failed",
			 longname);
		rec("pc1", "USER_AUTH", 2, b);
	}
	r = run(NULL);
	ck_assert_uint_eq(bhxh_report_users(r, &e), 2);
	for (int i = 0; i < 2; i++) {
		size_t n = strlen(e[i].name), k = 0;

		while (k < n) {
			size_t q = bhxh_utf8_seq((const unsigned char *)e[i].name + k, n - k);

			ck_assert_uint_ne(q, 0);
			k += q;
		}
		ck_assert_uint_le(n, BHXH_REPORT_NAME_MAX);
		/* the long name: whole characters only, no U+FFFD at the cut */
		ck_assert_ptr_null(strstr(e[i].name, "\xe1\xbb\x85\xef\xbf\xbd"));
	}
	bhxh_report_free(r);
}
END_TEST

START_TEST(series_and_budget)
{
	struct bhxh_report *r;
	const struct bhxh_report_totals *t;
	uint64_t sum = 0;

	loglen = 0;
	/* out of order, spread over two days */
	fail_login("pc1", 100000, "a", "10.0.0.1");
	fail_login("pc1", 100030, "a", "10.0.0.1");
	fail_login("pc2", 99000, "b", "10.0.0.2");
	fail_login("pc2", 100000 + 2 * 86400, "b", "10.0.0.2");
	r = run(NULL);
	t = bhxh_report_totals(r);
	for (size_t i = 0; i < BHXH_REPORT_BUCKETS; i++)
		sum += t->series[i];
	ck_assert_uint_eq(sum, 4);
	ck_assert_int_le(t->series_start, 99000);
	ck_assert_int_gt(t->series_start + BHXH_REPORT_BUCKETS * t->bucket_len, 100000 + 2 * 86400);
	ck_assert_uint_gt(t->memory, 0);
	ck_assert_uint_le(t->memory, BHXH_REPORT_MEM_MAX);
	bhxh_report_free(r);
}
END_TEST

/* Many distinct names: the budget holds, the rest is overflow. */
START_TEST(memory_budget_holds)
{
	struct bhxh_report_filter f = { .local_node = "c" };
	struct bhxh_report *r = bhxh_report_new(&f);
	char line[600], name[300];
	uint64_t n = 0;

	ck_assert_ptr_nonnull(r);
	memset(name, 'x', 250);
	name[250] = '\0';
	/* 250-byte names: 600,000 distinct need more than the budget */
	for (unsigned i = 0; i < 600000; i++) {
		int k = snprintf(line, sizeof(line),
				 "type=USER_AUTH msg=audit(1.0:1): pid=1 msg='op=PAM:authentication "
				 "acct=\"%.240s%u\" hostname=? addr=? res=failed'\n",
				 name, i);
		ck_assert_int_eq(bhxh_report_feed(r, line, (size_t)k), 0);
		n++;
	}
	ck_assert_int_eq(bhxh_report_finish(r), 0);
	ck_assert_uint_gt(bhxh_report_totals(r)->overflow, 0);
	ck_assert_uint_le(bhxh_report_totals(r)->memory, BHXH_REPORT_MEM_MAX);
	ck_assert_uint_eq(bhxh_report_totals(r)->records + bhxh_report_totals(r)->overflow, n);
	bhxh_report_free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("pure");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, win_distinct_and_edges);
	tcase_add_test(tc, alert_threshold_boundary);
	tcase_add_test(tc, alert_spraying);
	tcase_add_test(tc, alert_spread_and_storm);
	tcase_add_test(tc, alert_revoked_and_bulk_rejections);
	tcase_add_test(tc, utf8_clean);
	tcase_add_test(tc, report_names_are_utf8);
	tcase_add_test(tc, series_and_budget);
	tcase_add_test(tc, memory_budget_holds);
	tcase_add_test(tc, posture_per_machine);
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
