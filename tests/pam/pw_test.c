/* The password phase in real stacks through pam_wrapper and libpamtest:
 *
 *   password requisite pam_bhxh.so conf=...           (check, set PAM_AUTHTOK)
 *   password requisite pam_matrix.so passdb=...       (the backend: changes it)
 *   password optional  pam_bhxh.so record conf=...    (history)
 *
 * Weak passwords are refused with a reason, strong ones reach the backend,
 * history is kept across several changes and a reused password is refused,
 * a mismatch is caught, use_authtok needs an earlier module's password,
 * and concurrent changes of different users all land in the history.
 * pam_matrix ignores PAM_AUTHTOK and asks for the new password twice
 * itself, so the replies of a successful change carry it four times.
 * Run by tests/pam/pw_test.sh with LD_PRELOAD=libpam_wrapper.so. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpamtest.h>

enum { PROCS = 4 }; /* concurrent changes */

static char dir[64], passdb[128], svcdir[128], conf[128], hist[128];
static int failures;

#define CHECK(cond, ...)                                                                          \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                             \
			fputc('\n', stderr);                                                      \
			failures++;                                                               \
		}                                                                                 \
	} while (0)

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

/* The stack, optionally behind pam_set_items (PAM items from the
 * environment: an "earlier module" that sets PAM_AUTHTOK). */
static void service_items(const char *name, bool items, const char *first_extra, const char *db)
{
	char path[256], text[2048], pre[300] = "";
	const char *mod = getenv("PAM_BHXH_SO");

	if (items)
		snprintf(pre, sizeof(pre), "password requisite %s\n", getenv("PAM_SET_ITEMS_SO"));
	snprintf(path, sizeof(path), "%s/%s", svcdir, name);
	snprintf(text, sizeof(text),
		 "%s"
		 "password requisite %s conf=%s %s\n"
		 "password requisite %s passdb=%s %s\n"
		 "password optional %s record conf=%s\n",
		 pre, mod, conf, first_extra, getenv("PAM_MATRIX_SO"), db, "", mod, conf);
	write_file(path, text);
}

static void service(const char *name, const char *first_extra, const char *db)
{
	service_items(name, false, first_extra, db);
}

/* One pam_chauthtok with the given replies; returns its PAM code and
 * copies the error messages into errs (joined). */
static char infos[8192];

static int chauthtok(const char *svc, const char *user, const char **replies, char *errs,
		     size_t errlen)
{
	char *err_msgs[16] = { 0 }, *info_msgs[16] = { 0 };
	struct pamtest_conv_data conv = {
		.in_echo_off = replies,
		.out_err = err_msgs,
		.out_info = info_msgs,
	};
	struct pam_testcase t[] = { pam_test(PAMTEST_CHAUTHTOK, PAM_SUCCESS) };
	enum pamtest_err e;

	for (int i = 0; i < 16; i++) {
		err_msgs[i] = calloc(1, PAM_MAX_MSG_SIZE);
		info_msgs[i] = calloc(1, PAM_MAX_MSG_SIZE);
	}
	e = run_pamtest(svc, user, &conv, t, NULL);
	if (errs != NULL) {
		errs[0] = '\0';
		for (int i = 0; i < 16; i++)
			if (err_msgs[i][0]) {
				strncat(errs, err_msgs[i], errlen - strlen(errs) - 1);
				strncat(errs, "\n", errlen - strlen(errs) - 1);
			}
	}
	infos[0] = '\0';
	for (int i = 0; i < 16; i++)
		if (info_msgs[i][0]) {
			strncat(infos, info_msgs[i], sizeof(infos) - strlen(infos) - 1);
			strncat(infos, "\n", sizeof(infos) - strlen(infos) - 1);
		}
	for (int i = 0; i < 16; i++) {
		free(err_msgs[i]);
		free(info_msgs[i]);
	}
	if (e != PAMTEST_ERR_OK && e != PAMTEST_ERR_CASE)
		return -1;
	return t[0].op_rv;
}

static bool passdb_has(const char *line)
{
	char buf[512];
	bool found = false;
	FILE *f = fopen(passdb, "r");

	if (f == NULL)
		return false;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (strncmp(buf, line, strlen(line)) == 0)
			found = true;
	fclose(f);
	return found;
}

static int history_lines(const char *user)
{
	char path[256], buf[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", hist, user);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(buf, sizeof(buf), f) != NULL)
		n++;
	fclose(f);
	return n;
}

int main(void)
{
	char errs[8192], text[1024];
	int r;

	if (getenv("PAM_BHXH_SO") == NULL || getenv("PAM_MATRIX_SO") == NULL ||
	    getenv("PAM_SET_ITEMS_SO") == NULL) {
		fprintf(stderr, "PAM_BHXH_SO, PAM_MATRIX_SO and PAM_SET_ITEMS_SO must be set\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "/tmp/bhxh-pwpam.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(passdb, sizeof(passdb), "%s/passdb", dir);
	snprintf(svcdir, sizeof(svcdir), "%s/pam.d", dir);
	snprintf(conf, sizeof(conf), "%s/bhxh.conf", dir);
	snprintf(hist, sizeof(hist), "%s/history", dir);
	mkdir(svcdir, 0700);
	setenv("PAM_WRAPPER_SERVICE_DIR", svcdir, 1);
	snprintf(text, sizeof(text),
		 "pwquality_conf = none\ndenylist = none\nhistory_dir = %s\nremember = 2\n"
		 "badwords = bhxh bhyt vssid baohiem hanoi\n",
		 hist);
	write_file(conf, text);
	write_file(passdb, "lan:Old secret one!:bhxh_pw\nminh:Old secret two!:bhxh_pw\n"
			   "tuan:Old secret three!:bhxh_pw\n");
	service("bhxh_pw", "", passdb);
	service("bhxh_authtok", "use_authtok", passdb);
	/* pam_wrapper reads the service directory once, at the first pam_start */
	service("bhxh_root", "enforce_for_root=0", passdb);
	service("bhxh_mindays", "min_days=1", passdb);
	service_items("bhxh_items_use", true, "use_authtok", passdb);
	service_items("bhxh_items_try", true, "try_first_pass", passdb);
	for (int i = 0; i < PROCS; i++) {
		char name[32], db[160], line[128];

		/* pam_matrix cannot share one passdb between processes */
		snprintf(name, sizeof(name), "bhxh_pw_u%d", i);
		snprintf(db, sizeof(db), "%s/passdb.u%d", dir, i);
		snprintf(line, sizeof(line), "u%d:Old secret u%d!:%s\n", i, i, name);
		write_file(db, line);
		service(name, "", db);
	}

	/* the weak passwords: refused three times, the backend untouched */
	{
		const char *replies[] = { "Old secret one!", "Anhyeuem@2026", "P@ssw0rd1234",
					  "qwertyuiop123", NULL };

		r = chauthtok("bhxh_pw", "lan", replies, errs, sizeof(errs));
		/* pam_pwquality's code after several tries */
		CHECK(r == PAM_MAXTRIES, "weak passwords: got %d", r);
		CHECK(strstr(errs, "Vietnamese") != NULL, "no Vietnamese-phrase reason: %s", errs);
		CHECK(strstr(errs, "keyboard") != NULL, "no keyboard-walk reason: %s", errs);
		CHECK(strstr(errs, "BAD PASSWORD") == NULL, "pwquality wording: %s", errs);
		CHECK(passdb_has("lan:Old secret one!:"), "backend changed after a refusal");
	}
	/* weak, then a mismatch, then a good passphrase confirmed */
	{
		const char *replies[] = { "Old secret one!", "Matkhau@12345",
					  "con mèo đen ngủ trên mái nhà", "con meo den",
					  "con mèo đen ngủ trên mái nhà",
					  "con mèo đen ngủ trên mái nhà", "con mèo đen ngủ trên mái nhà",
					  "con mèo đen ngủ trên mái nhà", NULL };

		r = chauthtok("bhxh_pw", "lan", replies, errs, sizeof(errs));
		CHECK(r == PAM_SUCCESS, "good passphrase: got %d (%s)", r, errs);
		CHECK(strstr(errs, "do not match") != NULL, "no mismatch message: %s", errs);
		CHECK(passdb_has("lan:con mèo đen ngủ trên mái nhà:"), "backend not changed");
		CHECK(history_lines("lan") == 1, "history lines %d", history_lines("lan"));
	}
	/* several changes, then reuse is refused (remember=2 + the current one) */
	{
		const char *p[] = { "con mèo đen ngủ trên mái nhà", "sông hồng chảy qua cầu long biên",
				    "mưa phùn tháng hai trên phố cổ", "gió mùa đông bắc về sớm năm nay" };

		for (int i = 0; i + 1 < 4; i++) {
			const char *replies[] = { p[i], p[i + 1], p[i + 1], p[i + 1], p[i + 1],
						  NULL };

			r = chauthtok("bhxh_pw", "lan", replies, errs, sizeof(errs));
			CHECK(r == PAM_SUCCESS, "change %d: got %d (%s)", i, r, errs);
		}
		CHECK(history_lines("lan") == 3, "history trimmed to remember+1: %d",
		      history_lines("lan"));
		for (int i = 1; i < 4; i++) {
			const char *replies[] = { p[3], p[i], p[i], p[i], p[i], p[i], p[i], NULL };

			r = chauthtok("bhxh_pw", "lan", replies, errs, sizeof(errs));
			if (i == 3)
				CHECK(r == PAM_MAXTRIES, "same as current: got %d", r);
			else {
				/* pam_pwhistory's code */
				CHECK(r == PAM_MAXTRIES, "reuse of %d: got %d", i, r);
				CHECK(strstr(errs, "used recently") != NULL, "reuse reason: %s", errs);
			}
		}
		/* the first one fell out of the history: allowed again */
		{
			const char *replies[] = { p[3], p[0], p[0], p[0], p[0], NULL };

			r = chauthtok("bhxh_pw", "lan", replies, errs, sizeof(errs));
			CHECK(r == PAM_SUCCESS, "old enough: got %d (%s)", r, errs);
		}
	}
	/* use_authtok without an earlier module's password: refused */
	{
		const char *replies[] = { "Old secret two!", "anything at all here ok", NULL };

		r = chauthtok("bhxh_authtok", "minh", replies, errs, sizeof(errs));
		CHECK(r == PAM_AUTHTOK_ERR, "use_authtok without a token: got %d", r);
		CHECK(passdb_has("minh:Old secret two!:"), "backend changed");
	}
	/* the wrong old password: the backend refuses, nothing is recorded */
	{
		const char *replies[] = { "wrong old password", "biển xanh cát trắng nắng vàng",
					  "biển xanh cát trắng nắng vàng", NULL };

		r = chauthtok("bhxh_pw", "tuan", replies, errs, sizeof(errs));
		CHECK(r != PAM_SUCCESS, "wrong old password accepted");
		CHECK(history_lines("tuan") == 0, "failed change recorded");
	}
	/* use_authtok / try_first_pass with a password from an earlier module */
	{
		const char *good = "đèn lồng đỏ treo trước hiên nhà";
		const char *r1[] = { "Old secret two!", good, good, NULL };
		const char *r2[] = { good, "must not be asked", NULL };
		const char *r3[] = { good, "mây trắng bay qua đỉnh núi xa",
				     "mây trắng bay qua đỉnh núi xa", "mây trắng bay qua đỉnh núi xa",
				     "mây trắng bay qua đỉnh núi xa", NULL };

		/* pam_matrix itself still asks twice; pam_bhxh must not ask at all */
		write_file(passdb, "lan:x:bhxh_pw\nminh:Old secret two!:bhxh_pw\n"
				   "tuan:Old secret three!:bhxh_pw\n");
		setenv("PAM_AUTHTOK", good, 1);
		r = chauthtok("bhxh_items_use", "minh", r1, errs, sizeof(errs));
		CHECK(r == PAM_SUCCESS, "use_authtok with a good token: got %d (%s)", r, errs);
		CHECK(passdb_has("minh:đèn lồng đỏ treo trước hiên nhà:"), "use_authtok change");
		setenv("PAM_AUTHTOK", "Matkhau@12345", 1);
		r = chauthtok("bhxh_items_use", "minh", r2, errs, sizeof(errs));
		CHECK(r == PAM_AUTHTOK_ERR, "use_authtok with a weak token: got %d", r);
		CHECK(strstr(errs, "Vietnamese") != NULL, "use_authtok reason: %s", errs);
		/* try_first_pass: the weak token is refused, then pam_bhxh asks */
		r = chauthtok("bhxh_items_try", "minh", r3, errs, sizeof(errs));
		CHECK(r == PAM_SUCCESS, "try_first_pass: got %d (%s)", r, errs);
		CHECK(passdb_has("minh:mây trắng bay qua đỉnh núi xa:"), "try_first_pass change");
		unsetenv("PAM_AUTHTOK");
		write_file(passdb, "lan:x:bhxh_pw\nminh:Old secret two!:bhxh_pw\n"
				   "tuan:Old secret three!:bhxh_pw\n");
	}
	/* root (the caller) is held to the policy by default; with
	 * enforce_for_root=0 root is warned plainly, never "BAD PASSWORD" */
	if (getuid() == 0) {
		const char *weak[] = { "Old secret two!", "Anhyeuem@2026", "Anhyeuem@2026",
				       "Anhyeuem@2026", "Anhyeuem@2026", NULL };

		r = chauthtok("bhxh_root", "minh", weak, errs, sizeof(errs));
		CHECK(r == PAM_SUCCESS, "root override: got %d (%s)", r, errs);
		CHECK(strstr(infos, "only because you are root") != NULL, "no root warning: %s",
		      infos);
		CHECK(strstr(errs, "BAD PASSWORD") == NULL && errs[0] == '\0',
		      "root saw an error for an accepted password: %s", errs);
		CHECK(passdb_has("minh:Anhyeuem@2026:"), "root override not applied");
	}
	/* min_days: a user (real uid not root, as under setuid passwd) cannot
	 * change twice within the period; the refusal comes before any prompt
	 * for a new password */
	if (getuid() == 0) {
		pid_t pid;
		int st;

		pid = fork();
		if (pid == 0) {
			char later[32];
			const char *again[] = { "chim sẻ số 9 bay qua cửa sổ", "biển xanh cát trắng nắng vàng",
						"biển xanh cát trắng nắng vàng", "biển xanh cát trắng nắng vàng",
						"biển xanh cát trắng nắng vàng", NULL };
			const char *first[] = { "Old secret three!", "chim sẻ số 9 bay qua cửa sổ",
						"chim sẻ số 9 bay qua cửa sổ", "chim sẻ số 9 bay qua cửa sổ",
						"chim sẻ số 9 bay qua cửa sổ", NULL };
			int bad = 0;

			if (setresuid(65534, 0, 0) != 0)
				_exit(3);
			bad |= chauthtok("bhxh_mindays", "tuan", first, NULL, 0) != PAM_SUCCESS;
			bad |= (chauthtok("bhxh_mindays", "tuan", again, errs, sizeof(errs)) !=
				PAM_AUTHTOK_ERR) << 1;
			bad |= (strstr(errs, "changed too recently") == NULL) << 2;
			bad |= !passdb_has("tuan:chim sẻ số 9 bay qua cửa sổ:") << 3;
			snprintf(later, sizeof(later), "%lld", (long long)time(NULL) + 2 * 86400);
			setenv("BHXH_TEST_NOW", later, 1); /* test builds: two days later */
			bad |= (chauthtok("bhxh_mindays", "tuan", again, errs, sizeof(errs)) !=
				PAM_SUCCESS) << 4;
			_exit(bad);
		}
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "min_days child");
#ifdef BHXH_TESTING
		CHECK(WEXITSTATUS(st) == 0, "min_days: failures %#x", WEXITSTATUS(st));
#else
		/* without test hooks the clock cannot move: the last step fails */
		CHECK(WEXITSTATUS(st) == 16, "min_days: failures %#x", WEXITSTATUS(st));
#endif
	}
	/* concurrent changes of several users (one lock for the whole history) */
	{
		char name[32];

		for (int i = 0; i < PROCS; i++) {
			pid_t pid = fork();

			if (pid == 0) {
				char old[64], np[128], user[16];

				snprintf(name, sizeof(name), "bhxh_pw_u%d", i);
				snprintf(user, sizeof(user), "u%d", i);
				snprintf(old, sizeof(old), "Old secret u%d!", i);
				snprintf(np, sizeof(np), "chim sẻ số %d bay qua cửa sổ", i);
				const char *replies[] = { old, np, np, np, np, NULL };

				/* pam_wrapper's per-process setup races when started in
				 * the same instant; the changes themselves still overlap */
				usleep((useconds_t)i * 150000);
				_exit(chauthtok(name, user, replies, NULL, 0) == PAM_SUCCESS ? 0 : 1);
			}
		}
		for (int i = 0; i < PROCS; i++) {
			int st;

			wait(&st);
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a concurrent change failed");
		}
		for (int i = 0; i < PROCS; i++) {
			snprintf(name, sizeof(name), "u%d", i);
			CHECK(history_lines(name) == 1, "history of %s: %d lines", name,
			      history_lines(name));
		}
	}

	if (getenv("KEEP")) return failures ? 1 : 0;
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	if (system(text) != 0)
		failures++;
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
