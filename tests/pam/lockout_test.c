/* Integration tests of the lockout: the real built pam_bhxh.so in real PAM
 * stacks through pam_wrapper (private service directory, pam_matrix as the
 * password backend) and nss_wrapper (private passwd/group). */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpamtest.h>

#include "lockout.h"
#include "tally.h"

static char work[64];   /* scratch directory */
static char svcdir[256]; /* pam_wrapper service directory */
static char tally[256];  /* state directory */
static char conf[256];   /* empty bhxh.conf */
static char passdb[256];
static char module[256];

#define USER "nguyenvana"
#define PASS "Dung-Mat-Khau-Nay-2026"

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	/* also used before the tests run: no ck_assert here */
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 || chmod(path, mode) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(99);
	}
}

/* A service named name with extra module arguments for every pam_bhxh line. */
static void make_service(const char *name, const char *args)
{
	char path[512], text[8192];

	snprintf(text, sizeof(text),
		 "auth requisite %s preauth dir=%s conf=%s nodelay %s\n"
		 "auth [success=1 default=bad] %s passdb=%s\n"
		 "auth [default=die] %s authfail dir=%s conf=%s nodelay %s\n"
		 "auth sufficient %s authsucc dir=%s conf=%s nodelay %s\n"
		 "auth required %s/pam_deny.so\n"
		 "account required %s dir=%s conf=%s %s\n",
		 module, tally, conf, args, getenv("PAM_MATRIX_SO"), passdb, module, tally, conf,
		 args, module, tally, conf, args, getenv("PAM_SYSMODDIR"), module, tally, conf, args);
	snprintf(path, sizeof(path), "%s/%s", svcdir, name);
	write_file(path, text, 0644);
}

/* Everything pam_wrapper and nss_wrapper read at start-up is made once,
 * before the process re-executes itself under them. */
static void prepare(const char *dir)
{
	const char *top = getenv("top_builddir");

	snprintf(work, sizeof(work), "%s", dir);
	snprintf(module, sizeof(module), "%s/pam_bhxh/.libs/pam_bhxh.so", top);
	snprintf(svcdir, sizeof(svcdir), "%s/pam.d", work);
	snprintf(tally, sizeof(tally), "%s/tally", work);
	snprintf(conf, sizeof(conf), "%s/bhxh.conf", work);
	snprintf(passdb, sizeof(passdb), "%s/passdb", work);
}

static void make_world(void)
{
	char path[512];

	if (mkdir(svcdir, 0755) != 0)
		exit(99);
	snprintf(path, sizeof(path), "%s/passwd", work);
	write_file(path, "root:x:0:0:root:/root:/bin/sh\n"
			 USER ":x:1500:1500:Nguyen Van A:/home/" USER ":/bin/sh\n"
			 "remoteuser:x:1501:1500:Remote:/home/remoteuser:/bin/sh\n"
			 "quantri:x:1502:1502:Admin:/home/quantri:/bin/sh\n", 0644);
	setenv("NSS_WRAPPER_PASSWD", path, 1);
	snprintf(path, sizeof(path), "%s/group", work);
	write_file(path, "root:x:0:\nstaff:x:1500:\nwheel:x:1502:quantri\n", 0644);
	setenv("NSS_WRAPPER_GROUP", path, 1);
	setenv("PAM_WRAPPER_SERVICE_DIR", svcdir, 1);
	make_service("bhxh-test", "");
	make_service("bhxh-root", "even_deny_root root_unlock_time=60");
	make_service("bhxh-admin", "admin_group=wheel");
	make_service("bhxh-never", "unlock_time=never");
	make_service("bhxh-local", "local_users_only");
	make_service("bhxh-bad", "deny=lots");
	make_service("bhxh-bad2", "no_such_option");
	make_service("bhxh-many", "deny=64");
}

static void setup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tally);
	ck_assert_int_eq(system(cmd), 0);
	write_file(conf, "# empty: built-in defaults\n", 0644);
	write_file(passdb, USER ":" PASS ":bhxh-test\nroot:" PASS ":bhxh-test\n"
			   "remoteuser:" PASS ":bhxh-test\n" USER ":" PASS ":bhxh-never\n"
			   USER ":" PASS ":bhxh-local\n" USER ":" PASS ":bhxh-many\n"
			   "root:" PASS ":bhxh-root\nquantri:" PASS ":bhxh-admin\n", 0600);
	unsetenv("BHXH_TEST_NOW");
}

static void teardown(void)
{
}

/* Run auth (+ account) with one password; returns the auth result and
 * collects the error messages into errs (joined by '\n'). */
static int try_login(const char *svc, const char *user, const char *pass, int *acct_rc,
		     char *errs, size_t errlen)
{
	const char *answers[] = { pass, NULL };
	static char err_buf[16][PAM_MAX_MSG_SIZE], info_buf[16][PAM_MAX_MSG_SIZE];
	char *err_out[17] = { NULL }, *info_out[17] = { NULL };
	struct pamtest_conv_data conv = {
		.in_echo_off = pass ? answers : (const char *[]){ NULL },
		.out_err = err_out,
		.out_info = info_out,
	};
	struct pam_testcase tests[] = {
		pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
		pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS),
	};
	enum pamtest_err perr;

	/* libpamtest copies messages into caller-provided buffers */
	for (int i = 0; i < 16; i++) {
		err_buf[i][0] = info_buf[i][0] = '\0';
		err_out[i] = err_buf[i];
		info_out[i] = info_buf[i];
	}
	perr = run_pamtest(svc, user, &conv, tests, NULL);
	ck_assert_msg(perr == PAMTEST_ERR_OK || perr == PAMTEST_ERR_CASE, "pamtest: %s",
		      pamtest_strerror(perr));
	if (errs != NULL) {
		errs[0] = '\0';
		for (int i = 0; i < 16 && err_out[i][0]; i++) {
			strncat(errs, err_out[i], errlen - strlen(errs) - 2);
			strncat(errs, "\n", errlen - strlen(errs) - 1);
		}
	}
	if (acct_rc != NULL)
		*acct_rc = tests[0].op_rv == PAM_SUCCESS ? tests[1].op_rv : -1;
	return tests[0].op_rv;
}

static int acct_only(const char *svc, const char *user)
{
	struct pamtest_conv_data conv = { .in_echo_off = (const char *[]){ NULL } };
	struct pam_testcase tests[] = { pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS) };

	(void)run_pamtest(svc, user, &conv, tests, NULL);
	return tests[0].op_rv;
}

static void set_now(long long t)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", t);
	setenv("BHXH_TEST_NOW", buf, 1);
}

static int read_tally(const char *user, bool known, struct bhxh_tally *t)
{
	char fname[128];
	int dirfd = bhxh_tally_open_dir(tally, false), fd, r;

	if (dirfd < 0)
		return dirfd;
	bhxh_tally_file_name(user, known, fname, sizeof(fname));
	fd = bhxh_tally_open(dirfd, fname, false);
	close(dirfd);
	if (fd < 0)
		return fd;
	r = bhxh_tally_read(fd, user, t);
	close(fd);
	return r;
}

START_TEST(wrong_passwords_lock_then_timed_unlock)
{
	char errs[2048];
	int acct;

	set_now(1800000000);
	ck_assert_int_eq(try_login("bhxh-test", USER, "sai1", NULL, errs, sizeof(errs)), PAM_AUTH_ERR);
	ck_assert_ptr_null(strstr(errs, "locked"));
	ck_assert_int_eq(try_login("bhxh-test", USER, "sai2", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", USER, "sai3", NULL, errs, sizeof(errs)), PAM_AUTH_ERR);
	ck_assert_msg(strstr(errs, "locked after 3 failed logins") != NULL, "%s", errs);
	ck_assert_msg(strstr(errs, "10 minutes") != NULL, "%s", errs);

	/* the right password no longer helps, and the account phase refuses */
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, errs, sizeof(errs)), PAM_AUTH_ERR);
	ck_assert_msg(strstr(errs, "locked") != NULL, "%s", errs);
	ck_assert_int_eq(acct_only("bhxh-test", USER), PAM_PERM_DENIED);

	/* one second before the end: still locked */
	set_now(1800000000 + 599);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, errs, sizeof(errs)), PAM_AUTH_ERR);
	ck_assert_msg(strstr(errs, "1 minute") != NULL, "%s", errs);
	/* the last second of unlock_time is still locked (pam_faillock unlocks
	 * once latest failure + unlock_time < now) */
	set_now(1800000000 + 600);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, errs, sizeof(errs)), PAM_AUTH_ERR);
	/* after unlock_time: in, and the tally is clean */
	set_now(1800000000 + 601);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, &acct, NULL, 0), PAM_SUCCESS);
	ck_assert_int_eq(acct, PAM_SUCCESS);
	{
		struct bhxh_tally t;

		ck_assert_int_eq(read_tally(USER, true, &t), 0);
		ck_assert_uint_eq(t.nrec, 0);
		ck_assert_int_eq(t.lock_until, 0);
	}
}
END_TEST

START_TEST(success_resets_the_count)
{
	set_now(1800000000);
	ck_assert_int_eq(try_login("bhxh-test", USER, "x", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", USER, "y", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
	ck_assert_int_eq(try_login("bhxh-test", USER, "x", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", USER, "y", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
}
END_TEST

START_TEST(failures_outside_the_window_do_not_lock)
{
	set_now(1800000000);
	ck_assert_int_eq(try_login("bhxh-test", USER, "x", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", USER, "y", NULL, NULL, 0), PAM_AUTH_ERR);
	set_now(1800000000 + 900); /* the first one falls out of fail_interval */
	ck_assert_int_eq(try_login("bhxh-test", USER, "z", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
}
END_TEST

START_TEST(unknown_users_look_the_same)
{
	char known[2048], unknown[2048];

	set_now(1800000000);
	for (int i = 0; i < 3; i++) {
		int a = try_login("bhxh-test", USER, "wrong", NULL, known, sizeof(known));
		int b = try_login("bhxh-test", "khongtontai", "wrong", NULL, unknown, sizeof(unknown));

		ck_assert_int_eq(a, b);
		ck_assert_str_eq(known, unknown);
	}
	ck_assert_msg(strstr(unknown, "locked") != NULL, "%s", unknown);
	/* an invalid name is handled the same way, and touches no path */
	ck_assert_int_eq(try_login("bhxh-test", "../../etc/passwd", "wrong", NULL, NULL, 0),
			 PAM_AUTH_ERR);
	{
		DIR *d = opendir(tally);
		struct dirent *de;

		ck_assert_ptr_nonnull(d);
		while ((de = readdir(d)) != NULL)
			ck_assert_msg(de->d_name[0] == '.' || strcmp(de->d_name, USER) == 0,
				      "unexpected tally file %s", de->d_name);
		closedir(d);
	}
}
END_TEST

/* A failure counts whatever failed, also when no password was set (the
 * conversation itself did not fail: libpamtest answers with nothing).  A
 * failed conversation is tested through the real libpam in
 * tests/pam/faillock_side_by_side.sh. */
START_TEST(failure_without_password_counts)
{
	struct bhxh_tally t;

	set_now(1800000000);
	for (int i = 0; i < 2; i++)
		ck_assert_int_ne(try_login("bhxh-test", USER, NULL, NULL, NULL, 0), PAM_SUCCESS);
	ck_assert_int_eq(read_tally(USER, true, &t), 0);
	ck_assert_uint_eq(t.nrec, 2);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
}
END_TEST

START_TEST(root_and_admin_group)
{
	set_now(1800000000);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(try_login("bhxh-test", "root", "wrong", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-test", "root", PASS, NULL, NULL, 0), PAM_SUCCESS);

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(try_login("bhxh-root", "root", "wrong", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-root", "root", PASS, NULL, NULL, 0), PAM_AUTH_ERR);
	set_now(1800000000 + 61);
	ck_assert_int_eq(try_login("bhxh-root", "root", PASS, NULL, NULL, 0), PAM_SUCCESS);

	/* admin_group members are treated like root */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(try_login("bhxh-admin", "quantri", "wrong", NULL, NULL, 0),
				 PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-admin", "quantri", PASS, NULL, NULL, 0), PAM_SUCCESS);
}
END_TEST

START_TEST(until_reset)
{
	char cmd[2048];
	const char *top = getenv("top_builddir");

	set_now(1800000000);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(try_login("bhxh-never", USER, "wrong", NULL, NULL, 0), PAM_AUTH_ERR);
	set_now(1800000000 + 10 * 365 * 86400LL);
	ck_assert_int_eq(try_login("bhxh-never", USER, PASS, NULL, NULL, 0), PAM_AUTH_ERR);
	snprintf(cmd, sizeof(cmd), "%s/bhxhctl/bhxhctl --conf %s lockout reset --user %s --dir %s",
		 top, conf, USER, tally);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(try_login("bhxh-never", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
}
END_TEST

START_TEST(local_users_only)
{
	/* the nss_wrapper users are not in /etc/passwd: never locked */
	set_now(1800000000);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(try_login("bhxh-local", USER, "wrong", NULL, NULL, 0), PAM_AUTH_ERR);
	ck_assert_int_eq(try_login("bhxh-local", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
}
END_TEST

START_TEST(bad_configuration_fails_closed)
{
	ck_assert_int_eq(try_login("bhxh-bad", USER, PASS, NULL, NULL, 0), PAM_SERVICE_ERR);
	ck_assert_int_eq(acct_only("bhxh-bad", USER), PAM_SERVICE_ERR);
	ck_assert_int_eq(try_login("bhxh-bad2", USER, PASS, NULL, NULL, 0), PAM_SERVICE_ERR);
	write_file(conf, "deny = 3\nunlock_time = soon\n", 0644);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_SERVICE_ERR);
}
END_TEST

START_TEST(symlinked_state_is_refused)
{
	char path[512];

	set_now(1800000000);
	ck_assert_int_eq(try_login("bhxh-test", USER, "wrong", NULL, NULL, 0), PAM_AUTH_ERR);
	snprintf(path, sizeof(path), "%s/%s", tally, USER);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink("/etc/shadow", path), 0);
	ck_assert_int_ne(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
	ck_assert_int_ne(try_login("bhxh-test", USER, "wrong", NULL, NULL, 0), PAM_SUCCESS);
	{
		struct stat st;

		ck_assert_int_eq(lstat(path, &st), 0);
		ck_assert(S_ISLNK(st.st_mode));
	}
}
END_TEST

START_TEST(corrupt_state_refuses_until_reset)
{
	char path[512], cmd[2048];
	const char *top = getenv("top_builddir");

	set_now(1800000000);
	ck_assert_int_eq(try_login("bhxh-test", USER, "wrong", NULL, NULL, 0), PAM_AUTH_ERR);
	snprintf(path, sizeof(path), "%s/%s", tally, USER);
	write_file(path, "this is not a tally file, it is garbage of some length .....", 0600);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_AUTH_ERR);
	snprintf(cmd, sizeof(cmd), "%s/bhxhctl/bhxhctl --conf %s lockout reset --user %s --dir %s",
		 top, conf, USER, tally);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(try_login("bhxh-test", USER, PASS, NULL, NULL, 0), PAM_SUCCESS);
}
END_TEST

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

START_TEST(no_descriptor_leaks)
{
	int before;

	set_now(1800000000);
	(void)try_login("bhxh-test", USER, PASS, NULL, NULL, 0);
	before = count_fds();
	for (int i = 0; i < 4; i++)
		(void)try_login("bhxh-test", USER, "wrong", NULL, NULL, 0);
	set_now(1800000000 + 601);
	(void)try_login("bhxh-test", USER, PASS, NULL, NULL, 0);
	(void)try_login("bhxh-test", "nobody-here", "wrong", NULL, NULL, 0);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* 40 failing logins of one user at once: every one is counted exactly once.
 * pam_wrapper cannot run that many processes at once (it has 36 scratch
 * directories), so this runs the real libpam through tests/pamdrive with a
 * private service directory (pam_start_confdir). */
START_TEST(concurrent_failures_are_counted_exactly)
{
	enum { N = 40 };
	pid_t pids[N];
	struct bhxh_tally t;
	char drive[512], preload[1024];
	const char *top = getenv("top_builddir"), *san = getenv("SAN_PRELOAD");

	snprintf(drive, sizeof(drive), "%s/tests/pamdrive", top);
	snprintf(preload, sizeof(preload), "%s%s%s", san && *san ? san : "", san && *san ? " " : "",
		 getenv("NSS_WRAPPER_SO"));
	set_now(1800000000);
	for (int i = 0; i < N; i++) {
		int p[2];

		ck_assert_int_eq(pipe(p), 0);
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(p[0], 0);
			dup2(devnull, 1);
			close(p[0]);
			close(p[1]);
			setenv("LD_PRELOAD", preload, 1);
			unsetenv("PAM_WRAPPER");
			execl(drive, drive, "--confdir", svcdir, "bhxh-many", USER, "auth", (char *)NULL);
			_exit(127);
		}
		close(p[0]);
		ck_assert_int_eq(write(p[1], "wrong\n", 6), 6);
		close(p[1]);
	}
	for (int i = 0; i < N; i++) {
		int st;

		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == PAM_AUTH_ERR, "pamdrive status %d",
			      st);
	}
	ck_assert_int_eq(read_tally(USER, true, &t), 0);
	ck_assert_uint_eq(t.total, N);
	ck_assert_uint_eq(t.nrec, N);
	ck_assert_int_eq(t.lock_until, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pam_lockout");
	TCase *tc = tcase_create("stack");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, wrong_passwords_lock_then_timed_unlock);
	tcase_add_test(tc, success_resets_the_count);
	tcase_add_test(tc, failures_outside_the_window_do_not_lock);
	tcase_add_test(tc, unknown_users_look_the_same);
	tcase_add_test(tc, failure_without_password_counts);
	tcase_add_test(tc, root_and_admin_group);
	tcase_add_test(tc, until_reset);
	tcase_add_test(tc, local_users_only);
	tcase_add_test(tc, bad_configuration_fails_closed);
	tcase_add_test(tc, symlinked_state_is_refused);
	tcase_add_test(tc, corrupt_state_refuses_until_reset);
	tcase_add_test(tc, no_descriptor_leaks);
	tcase_add_test(tc, concurrent_failures_are_counted_exactly);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;
	char cmd[600];

	/* Re-execute under pam_wrapper and nss_wrapper. */
	if (getenv("PAM_WRAPPER") == NULL) {
		const char *pw = getenv("PAM_WRAPPER_SO"), *nw = getenv("NSS_WRAPPER_SO");
		const char *san = getenv("SAN_PRELOAD");
		char preload[4096], dir[64];

		if (pw == NULL || nw == NULL || *pw == '\0' || *nw == '\0') {
			fprintf(stderr, "PAM_WRAPPER_SO/NSS_WRAPPER_SO not set\n");
			return 77;
		}
		snprintf(dir, sizeof(dir), "/tmp/bhxh-pamtest-XXXXXX");
		if (mkdtemp(dir) == NULL)
			return 99;
		prepare(dir);
		make_world();
		setenv("BHXH_TEST_WORK", dir, 1);
		snprintf(preload, sizeof(preload), "%s%s%s %s", san && *san ? san : "",
			 san && *san ? " " : "", pw, nw);
		setenv("LD_PRELOAD", preload, 1);
		setenv("PAM_WRAPPER", "1", 1);
		setenv("PAM_WRAPPER_DISABLE_DEEPBIND", "1", 1);
		execv("/proc/self/exe", argv);
		perror("execv");
		return 99;
	}
	(void)argc;
	prepare(getenv("BHXH_TEST_WORK"));
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", work);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
