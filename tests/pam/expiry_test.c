/* The account phase of pam_bhxh in a real PAM stack (pam_wrapper), with
 * accounts and shadow entries served by nss_wrapper and the clock injected
 * with BHXH_TEST_NOW.  Run by tests/pam/expiry.sh, which writes the
 * accounts and the services and preloads the wrappers; the messages are
 * checked in English (C) and Vietnamese (vi_VN.UTF-8).
 *
 * Usage: expiry_test NOW0 LASTLOGIN_DIR */
#include "config.h"

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <libpamtest.h>
#include <security/pam_appl.h>

#define DAY 86400LL
#define NMSG 16

static int failures;

#define CHECK(cond, ...)                                                                          \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                     \
			fprintf(stderr, __VA_ARGS__);                                             \
			fputc('\n', stderr);                                                      \
			failures++;                                                               \
		}                                                                                 \
	} while (0)

struct msgs {
	char *info[NMSG + 1];
	char *err[NMSG + 1];
};

static void msgs_init(struct msgs *m)
{
	for (int i = 0; i < NMSG; i++) {
		m->info[i] = calloc(1, PAM_MAX_MSG_SIZE);
		m->err[i] = calloc(1, PAM_MAX_MSG_SIZE);
		if (m->info[i] == NULL || m->err[i] == NULL)
			abort();
	}
	m->info[NMSG] = m->err[NMSG] = NULL;
}

static void msgs_free(struct msgs *m)
{
	for (int i = 0; i < NMSG; i++) {
		free(m->info[i]);
		free(m->err[i]);
	}
}

static bool found(char **arr, const char *needle)
{
	for (int i = 0; i < NMSG; i++)
		if (arr[i][0] != '\0' && strstr(arr[i], needle) != NULL)
			return true;
	return false;
}

static int count(char **arr)
{
	int n = 0;

	for (int i = 0; i < NMSG; i++)
		n += arr[i][0] != '\0';
	return n;
}

static long long now0;

/* Run one operation at now0 + offset in the given locale; check the code and
 * that the messages contain want_err / want_info (NULL: none of that kind). */
static void run(const char *what, const char *service, const char *user, enum pamtest_ops op,
		long long offset, const char *loc, int want_rc, const char *want_err,
		const char *want_info)
{
	struct pam_testcase tests[] = { pam_test(op, want_rc) };
	struct msgs m;
	struct pamtest_conv_data conv = { 0 };
	const char *pw[] = { "secret", NULL };
	char now[32];
	enum pamtest_err perr;

	msgs_init(&m);
	conv.in_echo_off = pw;
	conv.out_info = m.info;
	conv.out_err = m.err;
	snprintf(now, sizeof(now), "%lld", now0 + offset);
	setenv("BHXH_TEST_NOW", now, 1);
	CHECK(setlocale(LC_ALL, loc) != NULL, "%s: locale %s is not available", what, loc);

	perr = run_pamtest(service, user, &conv, tests, NULL);
	CHECK(perr == PAMTEST_ERR_OK, "%s: %s returned %d (%s), want %d (%s)", what, user,
	      tests[0].op_rv, pam_strerror(NULL, tests[0].op_rv), want_rc,
	      pam_strerror(NULL, want_rc));
	if (want_err != NULL)
		CHECK(found(m.err, want_err), "%s: no error message with \"%s\" (got \"%s\")", what,
		      want_err, m.err[0]);
	else
		CHECK(count(m.err) == 0, "%s: unexpected error message \"%s\"", what, m.err[0]);
	if (want_info != NULL)
		CHECK(found(m.info, want_info), "%s: no message with \"%s\" (got \"%s\")", what,
		      want_info, m.info[0]);
	else
		CHECK(count(m.info) == 0, "%s: unexpected message \"%s\"", what, m.info[0]);
	msgs_free(&m);
	setlocale(LC_ALL, "C");
}

#define ACCT PAMTEST_ACCOUNT
#define AUTH PAMTEST_AUTHENTICATE
#define VI "vi_VN.UTF-8"
#define S "bhxh-expiry"
#define I "bhxh-inact"

static void aging(void)
{
	/* now0 is 2026-06-01 12:00 UTC; max_days=90, warn_days=7 */
	run("fresh password", S, "alice", ACCT, 0, "C", PAM_SUCCESS, NULL, NULL);
	run("sp_max 99999 still expires", S, "bob", ACCT, 0, "C", PAM_NEW_AUTHTOK_REQD,
	    "Your password expired on 2026-05-22. You must change it now.", NULL);
	run("sp_max 99999 still expires (vi)", S, "bob", ACCT, 0, VI, PAM_NEW_AUTHTOK_REQD,
	    "Mật khẩu của bạn đã hết hạn vào ngày 22/05/2026. Bạn phải đổi mật khẩu ngay.",
	    NULL);
	run("chage -d 0", S, "carol", ACCT, 0, "C", PAM_NEW_AUTHTOK_REQD,
	    "You must change your password now", NULL);
	run("chage -d 0 (vi)", S, "carol", ACCT, 0, VI, PAM_NEW_AUTHTOK_REQD,
	    "Bạn phải đổi mật khẩu ngay bây giờ", NULL);
	run("account expires today", S, "dave", ACCT, 0, "C", PAM_ACCT_EXPIRED,
	    "Your account has expired; please contact the IT department.", NULL);
	run("account expires today (vi)", S, "dave", ACCT, 0, VI, PAM_ACCT_EXPIRED,
	    "Tài khoản của bạn đã hết hạn", NULL);
	run("the day before the account expires", S, "dave", ACCT, -DAY / 2 - 1, "C",
	    PAM_SUCCESS, NULL, NULL);
	run("warning, 3 days", S, "erin", ACCT, 0, "C", PAM_SUCCESS, NULL,
	    "Your password will expire in 3 days, on 2026-06-04. Please change it soon.");
	run("warning, 3 days (vi)", S, "erin", ACCT, 0, VI, PAM_SUCCESS, NULL,
	    "Mật khẩu của bạn sẽ hết hạn sau 3 ngày, vào ngày 04/06/2026.");
	run("before the warning window", S, "erin", ACCT, -5 * DAY, "C", PAM_SUCCESS, NULL,
	    NULL);
	run("first warning day", S, "erin", ACCT, -4 * DAY, "C", PAM_SUCCESS, NULL,
	    "in 7 days, on 2026-06-04");
	run("last day: today, never 0 days", S, "frank", ACCT, 0, "C", PAM_SUCCESS, NULL,
	    "Your password expires today. Please change it now.");
	run("last day (vi)", S, "frank", ACCT, 0, VI, PAM_SUCCESS, NULL,
	    "Mật khẩu của bạn hết hạn hôm nay.");
	run("the day of expiry", S, "frank", ACCT, DAY, "C", PAM_NEW_AUTHTOK_REQD,
	    "Your password expired on 2026-06-02.", NULL);
	run("grace after expiry passed", S, "grace", ACCT, 0, "C", PAM_ACCT_EXPIRED,
	    "Your password expired on 2026-05-27 and was not changed in time", NULL);
	run("grace after expiry passed (vi)", S, "grace", ACCT, 0, VI, PAM_ACCT_EXPIRED,
	    "tài khoản đã bị vô hiệu hóa", NULL);
	run("grace: last day to change", S, "grace", ACCT, -DAY, "C", PAM_NEW_AUTHTOK_REQD,
	    "You must change it now.", NULL);
	run("empty sp_lstchg: no aging, no warning", S, "heidi", ACCT, 0, "C", PAM_SUCCESS, NULL,
	    NULL);
	run("locked password: policy age does not apply", S, "ivan", ACCT, 0, "C", PAM_SUCCESS,
	    NULL, NULL);
	run("unknown user", S, "nosuch", ACCT, 0, "C", PAM_USER_UNKNOWN, NULL, NULL);
	run("invalid user name", S, "../etc", ACCT, 0, "C", PAM_USER_UNKNOWN, NULL, NULL);
	run("PAM_SILENT-like option: silent", "bhxh-silent", "erin", ACCT, 0, "C", PAM_SUCCESS,
	    NULL, NULL);
}

static long long read_record(const char *dir, const char *user)
{
	char path[4200];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, user);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fscanf(f, "1 %lld", &v) != 1)
		v = -2;
	fclose(f);
	return v;
}

static void inactivity(const char *lldir)
{
	/* inactive_days=30; the store is created (baseline) by the first check */
	run("first check creates the store", I, "judy", ACCT, 0, "C", PAM_SUCCESS, NULL, NULL);
	CHECK(read_record(lldir, "judy") == now0, "judy's login was not recorded at now0");
	run("still active on day 29", I, "judy", ACCT, 29 * DAY, "C", PAM_SUCCESS, NULL, NULL);
	CHECK(read_record(lldir, "judy") == now0 + 29 * DAY, "judy's login was not updated");
	run("inactive after 30 days", I, "judy", ACCT, 59 * DAY, "C", PAM_ACCT_EXPIRED,
	    "no successful login for more than 30 days", NULL);
	run("inactive after 30 days (vi)", I, "judy", ACCT, 59 * DAY, VI, PAM_ACCT_EXPIRED,
	    "không có lần đăng nhập thành công nào trong hơn 30 ngày", NULL);
	/* a correct password must not revive the account */
	run("password on an inactive account", I, "judy", AUTH, 60 * DAY, "C", PAM_SUCCESS,
	    NULL, NULL);
	CHECK(read_record(lldir, "judy") == now0 + 29 * DAY, "inactive judy was revived");
	run("still inactive", I, "judy", ACCT, 60 * DAY, "C", PAM_ACCT_EXPIRED,
	    "no successful login", NULL);

	/* never logged in: counted from the baseline */
	run("dormant account", I, "leo", ACCT, 31 * DAY, "C", PAM_ACCT_EXPIRED,
	    "no successful login for more than 30 days", NULL);
	CHECK(read_record(lldir, "leo") == -1, "a refused login was recorded");

	/* a password login (authsucc) counts as activity */
	run("password login", I, "kate", AUTH, 20 * DAY, "C", PAM_SUCCESS, NULL, NULL);
	CHECK(read_record(lldir, "kate") == now0 + 20 * DAY, "kate's password login not recorded");
	run("active thanks to the password login", I, "kate", ACCT, 45 * DAY, "C", PAM_SUCCESS,
	    NULL, NULL);

	/* root and system accounts are exempt */
	run("root is exempt", I, "root", ACCT, 100 * DAY, "C", PAM_SUCCESS, NULL, NULL);
	run("system account is exempt", I, "mike", ACCT, 100 * DAY, "C", PAM_SUCCESS, NULL,
	    NULL);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	struct stat st;
	int fds;

	if (argc != 3) {
		fprintf(stderr, "usage: expiry_test NOW0 LASTLOGIN_DIR\n");
		return 2;
	}
	now0 = strtoll(argv[1], NULL, 10);
	unsetenv("LANGUAGE");
	aging();
	fds = open_fds();
	inactivity(argv[2]);
	aging();
	CHECK(open_fds() == fds, "descriptors leaked: %d before, %d after", fds, open_fds());
	CHECK(stat(argv[2], &st) == 0 && (st.st_mode & 07777) == 0700,
	      "last-login directory is not 0700");
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	else
		printf("all expiry PAM checks passed\n");
	return failures ? 1 : 0;
}
