/* Unit tests of the expiry area: the aging arithmetic at its boundaries and
 * the last-login store. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "expiry.h"
#include "lastlogin.h"
#include "util.h"

/* 2024-10-04 (day 20000), at noon. */
#define D 20000LL
#define NOW (D * BHXH_DAY_SECONDS + 43200)
#define E (-1LL) /* empty field */
#define U BHXH_DAYS_UNSET

enum { OK = BHXH_EXPIRY_OK, WARN = BHXH_EXPIRY_WARN, CHG = BHXH_EXPIRY_MUST_CHANGE,
       AEXP = BHXH_EXPIRY_ACCOUNT_EXPIRED, PINA = BHXH_EXPIRY_PASSWORD_INACTIVE,
       INA = BHXH_EXPIRY_INACTIVE };

static const struct {
	const char *what;
	int64_t lstchg, max, warn, inact, expire;
	bool has_pw;
	uint64_t pmax, pwarn;
	int verdict;
	int64_t days_left; /* for WARN */
} aging[] = {
	{ "all empty", E, E, E, E, E, true, U, 7, OK, 0 },
	{ "all empty, policy", E, E, E, E, E, true, 90, 7, OK, 0 },
	{ "empty lstchg never warns", E, 30, 7, E, E, true, 90, 7, OK, 0 },
	{ "negative fields are empty", -5, -30, -7, -2, -9, true, U, 7, OK, 0 },
	{ "fresh", D - 10, 30, 7, E, E, true, U, 7, OK, 0 },
	{ "one day before the window", D - 22, 30, 7, E, E, true, U, 7, OK, 0 },
	{ "first warning day", D - 23, 30, 7, E, E, true, U, 7, WARN, 7 },
	{ "last warning day", D - 29, 30, 7, E, E, true, U, 7, WARN, 1 },
	{ "day of expiry", D - 30, 30, 7, E, E, true, U, 7, CHG, 0 },
	{ "after expiry", D - 31, 30, 7, E, E, true, U, 7, CHG, 0 },
	{ "lstchg 0", 0, 30, 7, E, E, true, U, 7, CHG, 0 },
	{ "lstchg 0, no max", 0, E, E, E, E, true, U, 7, CHG, 0 },
	{ "lstchg 0 but account expired", 0, 30, 7, E, D, true, U, 7, AEXP, 0 },
	{ "account expires tomorrow", D - 1, E, E, E, D + 1, true, U, 7, OK, 0 },
	{ "account expires today", D - 1, E, E, E, D, true, U, 7, AEXP, 0 },
	{ "account expire 0 is 1970", D - 1, E, E, E, 0, true, U, 7, AEXP, 0 },
	{ "account expire LONG_MAX", D - 1, E, E, E, LONG_MAX, true, U, 7, OK, 0 },
	{ "99999 still expires by policy", D - 100, 99999, 7, E, E, true, 90, 7, CHG, 0 },
	{ "99999 without policy", D - 100, 99999, 7, E, E, true, U, 7, OK, 0 },
	{ "99999 and huge warn: no absurd count", D - 100, 99999, 99999, E, E, true, U, 7, OK, 0 },
	{ "9999 is a real limit", D - 10000, 9999, 7, E, E, true, U, 7, CHG, 0 },
	{ "policy warns from its window", D - 85, 99999, 3, E, E, true, 90, 7, WARN, 5 },
	{ "shadow stricter than policy", D - 31, 30, 7, E, E, true, 90, 7, CHG, 0 },
	{ "policy stricter than shadow", D - 61, 60, 7, E, E, true, 60, 14, CHG, 0 },
	{ "policy skips locked password", D - 100, 99999, 7, E, E, false, 90, 7, OK, 0 },
	{ "shadow applies to locked password", D - 31, 30, 7, E, E, false, 90, 7, CHG, 0 },
	{ "no warning window", D - 29, 30, 0, E, E, true, U, 0, OK, 0 },
	{ "warn wider than life", D - 1, 5, 100, E, E, true, U, 7, WARN, 4 },
	{ "lstchg in the future", D + 100, 30, 7, E, E, true, U, 7, OK, 0 },
	{ "lstchg LONG_MAX", LONG_MAX, LONG_MAX, LONG_MAX, LONG_MAX, E, true, U, 7, OK, 0 },
	{ "max LONG_MAX", D - 1, LONG_MAX, E, E, E, true, 36500, 7, OK, 0 },
	{ "inact LONG_MAX", D - 31, 30, 7, LONG_MAX, E, true, U, 7, CHG, 0 },
	{ "grace: last day", D - 35, 30, 7, 6, E, true, U, 7, CHG, 0 },
	{ "grace: passed", D - 35, 30, 7, 5, E, true, U, 7, PINA, 0 },
	{ "grace 0: disabled on the day of expiry", D - 30, 30, 7, 0, E, true, U, 7, PINA, 0 },
	{ "grace counts from the policy expiry", D - 100, 99999, 7, 10, E, true, 90, 7, PINA, 0 },
	{ "grace with empty lstchg", E, 30, 7, 0, E, true, U, 7, OK, 0 },
};

START_TEST(aging_table)
{
	const struct bhxh_shadow sp = {
		.lstchg = aging[_i].lstchg, .max = aging[_i].max, .warn = aging[_i].warn,
		.inact = aging[_i].inact, .expire = aging[_i].expire,
		.has_password = aging[_i].has_pw,
	};
	struct bhxh_expiry_conf pol = { .max_days = aging[_i].pmax, .min_days = U,
					.warn_days = aging[_i].pwarn, .inactive_days = U };
	struct bhxh_expiry_result r;

	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, NOW, &r), 0);
	ck_assert_msg((int)r.verdict == aging[_i].verdict, "%s: verdict %d, want %d (%s)",
		      aging[_i].what, r.verdict, aging[_i].verdict, bhxh_expiry_verdict_name(&r));
	if (r.verdict == BHXH_EXPIRY_WARN) {
		ck_assert_msg(r.days_left == aging[_i].days_left, "%s: days_left %lld want %lld",
			      aging[_i].what, (long long)r.days_left,
			      (long long)aging[_i].days_left);
		ck_assert(r.days_left >= 1);
	}
	ck_assert_int_eq(r.today, D);
}
END_TEST

static struct bhxh_expiry_conf policy(uint64_t max, uint64_t inactive)
{
	return (struct bhxh_expiry_conf){ .max_days = max, .min_days = U, .warn_days = 7,
					  .inactive_days = inactive };
}

START_TEST(day_boundaries_and_leap_days)
{
	/* the account expires on 2024-02-29 (day 19782), a leap day */
	struct bhxh_shadow sp = { .lstchg = 19700, .max = E, .warn = E, .inact = E,
				  .expire = 19782, .has_password = true };
	struct bhxh_expiry_conf pol = policy(U, U);
	struct bhxh_expiry_result r;
	char buf[16];

	ck_assert_str_eq(bhxh_expiry_date(19782, buf, sizeof(buf)), "2024-02-29");
	ck_assert_str_eq(bhxh_expiry_date(19783, buf, sizeof(buf)), "2024-03-01");
	ck_assert_str_eq(bhxh_expiry_date(0, buf, sizeof(buf)), "1970-01-01");
	ck_assert_str_eq(bhxh_expiry_date(BHXH_NEVER, buf, sizeof(buf)), "never");
	ck_assert_str_eq(bhxh_expiry_date(LONG_MAX / 2, buf, sizeof(buf)), "?");

	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, 19782 * 86400LL - 1, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK); /* 2024-02-28 23:59:59 */
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, 19782 * 86400LL, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_ACCOUNT_EXPIRED);

	/* a 90-day password changed on 2023-12-01 (19692) expires on 2024-02-29 */
	sp = (struct bhxh_shadow){ .lstchg = 19692, .max = 90, .warn = 7, .inact = E,
				   .expire = E, .has_password = true };
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, 19781 * 86400LL + 86399, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_WARN);
	ck_assert_int_eq(r.days_left, 1);
	ck_assert_str_eq(bhxh_expiry_date(r.pw_expire_day, buf, sizeof(buf)), "2024-02-29");
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, 19782 * 86400LL, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_MUST_CHANGE);
	ck_assert_int_eq(r.reason, BHXH_EXPIRY_REASON_EXPIRED);
	ck_assert_str_eq(bhxh_expiry_verdict_name(&r), "password_expired");

	ck_assert_int_eq(bhxh_expiry_day(0), 0);
	ck_assert_int_eq(bhxh_expiry_day(86399), 0);
	ck_assert_int_eq(bhxh_expiry_day(86400), 1);
	ck_assert_int_eq(bhxh_expiry_day(-1), -1);
	ck_assert_int_eq(bhxh_expiry_day(INT64_MAX), INT64_MAX / 86400);
}
END_TEST

START_TEST(bad_arguments)
{
	struct bhxh_shadow sp = { .lstchg = E, .max = E, .warn = E, .inact = E, .expire = E };
	struct bhxh_expiry_conf pol = policy(U, U);
	struct bhxh_expiry_result r = { .verdict = BHXH_EXPIRY_INACTIVE };

	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, -1, &r), -EINVAL);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_INACTIVE); /* untouched */
	ck_assert_int_eq(bhxh_expiry_check(NULL, &pol, NULL, NOW, &r), -EINVAL);
	ck_assert_int_eq(bhxh_expiry_check(&sp, NULL, NULL, NOW, &r), -EINVAL);
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, NOW, NULL), -EINVAL);
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, INT64_MAX, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK);
	sp.lstchg = D - 10;
	sp.max = 30;
	pol.warn_days = 36500; /* the window stops at the lifetime */
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, NULL, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_WARN);
	ck_assert_int_eq(r.days_left, 20);
}
END_TEST

START_TEST(inactivity)
{
	struct bhxh_shadow sp = { .lstchg = D - 400, .max = E, .warn = E, .inact = E,
				  .expire = E, .has_password = true };
	struct bhxh_expiry_conf pol = policy(U, 30);
	struct bhxh_activity act = { .last_login = NOW - 30 * 86400LL, .baseline = 0 };
	struct bhxh_expiry_result r;

	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_INACTIVE);
	ck_assert_str_eq(bhxh_expiry_verdict_name(&r), "inactive");
	ck_assert_int_eq(r.activity, act.last_login);
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW - 1, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK);

	act.exempt = true; /* root, system accounts */
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK);
	act.exempt = false;

	/* nothing known about the account: no verdict of inactivity */
	act = (struct bhxh_activity){ .last_login = -1, .baseline = -1 };
	sp.lstchg = E;
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK);
	/* no record: counted from the baseline */
	act.baseline = NOW - 31 * 86400LL;
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_INACTIVE);
	act.baseline = NOW - 29 * 86400LL;
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK);
	/* a recent password change is activity */
	act.baseline = 0;
	sp.lstchg = D - 2;
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK);
	/* a huge inactive_days does not overflow */
	pol.inactive_days = UINT64_MAX - 1;
	act.last_login = 0;
	sp.lstchg = E;
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_OK);
	ck_assert(r.inactive_at == BHXH_NEVER);
	/* account expiry wins over inactivity */
	pol.inactive_days = 1;
	sp.expire = D;
	ck_assert_int_eq(bhxh_expiry_check(&sp, &pol, &act, NOW, &r), 0);
	ck_assert_int_eq(r.verdict, BHXH_EXPIRY_ACCOUNT_EXPIRED);
}
END_TEST

START_TEST(lastlogin_parse)
{
	static const struct {
		const char *s;
		int r;
		int64_t v;
	} t[] = {
		{ "1 0\n", 0, 0 },
		{ "1 1700000000\n", 0, 1700000000 },
		{ "1 9223372036854775807\n", 0, INT64_MAX },
		{ "1 9223372036854775808\n", -EBADMSG, 0 },
		{ "1 -1\n", -EBADMSG, 0 },
		{ "1 12", -EBADMSG, 0 },
		{ "2 12\n", -EBADMSG, 0 },
		{ "1  12\n", -EBADMSG, 0 },
		{ "1 12x\n", -EBADMSG, 0 },
		{ "", -EBADMSG, 0 },
		{ "1 \n", -EBADMSG, 0 },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(t); i++) {
		int64_t v = 77;
		int r = bhxh_lastlogin_parse(t[i].s, strlen(t[i].s), &v);

		ck_assert_msg(r == t[i].r, "'%s': %d", t[i].s, r);
		ck_assert(v == (r == 0 ? t[i].v : 77));
	}
}
END_TEST

static char scratch[64];

static void make_scratch(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/bhxh-expiry-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_scratch(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(lastlogin_store)
{
	char dir[128], path[192];
	int64_t v;
	int fd, fd2;

	make_scratch();
	snprintf(dir, sizeof(dir), "%s/ll", scratch);
	ck_assert_int_eq(bhxh_lastlogin_open_dir(dir, false, 1000), -ENOENT);
	fd = bhxh_lastlogin_open_dir(dir, true, 1000);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bhxh_lastlogin_baseline(fd, &v), 0);
	ck_assert_int_eq(v, 1000);
	/* the baseline is written once */
	fd2 = bhxh_lastlogin_open_dir(dir, true, 5000);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_eq(bhxh_lastlogin_baseline(fd2, &v), 0);
	ck_assert_int_eq(v, 1000);
	close(fd2);

	ck_assert_int_eq(bhxh_lastlogin_read(fd, "alice", &v), -ENOENT);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "alice", 100000), 0);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "alice", &v), 0);
	ck_assert_int_eq(v, 100000);
	/* within the granularity: not rewritten */
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "alice", 100000 + 3599), 0);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "alice", &v), 0);
	ck_assert_int_eq(v, 100000);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "alice", 100000 + 3600), 0);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "alice", &v), 0);
	ck_assert_int_eq(v, 103600);
	/* the clock went back: rewritten */
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "alice", 50), 0);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "alice", &v), 0);
	ck_assert_int_eq(v, 50);

	/* names that are not user names never reach the file system */
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "../alice", &v), -EINVAL);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, ".since", &v), -EINVAL);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "a/b", 1), -EINVAL);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "", 1), -EINVAL);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "bob", -1), -EINVAL);

	/* a symbolic link is refused */
	snprintf(path, sizeof(path), "%s/mallory", dir);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "mallory", &v), -EPERM);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "mallory", 100000), -EPERM);
	/* a group-writable record is refused */
	snprintf(path, sizeof(path), "%s/carol", dir);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "carol", 100000), 0);
	ck_assert_int_eq(chmod(path, 0620), 0);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "carol", &v), -EPERM);
	/* a damaged record is reported, and replaced by the next login */
	snprintf(path, sizeof(path), "%s/dave", dir);
	fd2 = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_eq(write(fd2, "garbage", 7), 7);
	close(fd2);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "dave", &v), -EBADMSG);
	ck_assert_int_eq(bhxh_lastlogin_write(fd, "dave", 7), 0);
	ck_assert_int_eq(bhxh_lastlogin_read(fd, "dave", &v), 0);
	ck_assert_int_eq(v, 7);
	/* the file is private */
	{
		struct stat st;

		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mode & 07777, 0600);
	}
	close(fd);

	/* a group-writable directory is refused */
	ck_assert_int_eq(chmod(dir, 0770), 0);
	ck_assert_int_eq(bhxh_lastlogin_open_dir(dir, true, 1), -EPERM);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	/* a symbolic link to the directory is refused */
	snprintf(path, sizeof(path), "%s/link", scratch);
	ck_assert_int_eq(symlink(dir, path), 0);
	ck_assert_int_lt(bhxh_lastlogin_open_dir(path, false, 1), 0);
	ck_assert_int_eq(bhxh_lastlogin_open_dir("relative", false, 1), -EINVAL);
	remove_scratch();
}
END_TEST

/* Many processes writing at once: every read sees a whole record. */
START_TEST(lastlogin_concurrency)
{
	char dir[128];
	int fd, status;
	pid_t pids[8];

	make_scratch();
	snprintf(dir, sizeof(dir), "%s/ll", scratch);
	fd = bhxh_lastlogin_open_dir(dir, true, 1);
	ck_assert_int_ge(fd, 0);
	for (int p = 0; p < 8; p++) {
		pids[p] = fork();
		if (pids[p] < 0) /* no ck_assert in the child: it would write to Check's channel */
			ck_abort_msg("fork: %s", strerror(errno));
		if (pids[p] == 0) {
			int bad = 0;

			for (int i = 0; i < 200; i++) {
				int64_t v;
				int r;

				/* steps of an hour so that every write happens */
				if (bhxh_lastlogin_write(fd, "shared", (int64_t)(p * 1000 + i) * 7200) < 0)
					bad++;
				r = bhxh_lastlogin_read(fd, "shared", &v);
				if (r < 0)
					bad++;
			}
			_exit(bad ? 1 : 0);
		}
	}
	for (int p = 0; p < 8; p++) {
		ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed", p);
	}
	close(fd);
	remove_scratch();
}
END_TEST

START_TEST(conf_options)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(&c);
	ck_assert_int_eq(c.expiry.inactive_min_uid, 1000);
	ck_assert_str_eq(c.expiry.lastlogin_dir, LOCALSTATEDIR "/lib/bhxh/lastlogin");
	ck_assert_int_eq(bhxh_conf_apply(&c, "lastlogin_dir=/tmp/x", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), 0);
	ck_assert_str_eq(c.expiry.lastlogin_dir, "/tmp/x");
	ck_assert_int_eq(bhxh_conf_apply(&c, "lastlogin_dir=tmp/x", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "inactive_min_uid=0", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), 0);
	ck_assert_int_eq(bhxh_conf_apply(&c, "max_days=0", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "max_days=99999", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "inactive_days=45", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), 0);
	ck_assert_int_eq(c.expiry.inactive_days, 45);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("expiry");
	TCase *tc = tcase_create("expiry");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, aging_table, 0, (int)BHXH_ARRAY_SIZE(aging));
	tcase_add_test(tc, day_boundaries_and_leap_days);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, inactivity);
	tcase_add_test(tc, lastlogin_parse);
	tcase_add_test(tc, lastlogin_store);
	tcase_add_test(tc, lastlogin_concurrency);
	tcase_add_test(tc, conf_options);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
