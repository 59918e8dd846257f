/* Crash safety of the tally file.
 *
 * 1. Torn writes: for every prefix length k of the slot being written,
 *    a file holding generation n with the first k bytes of generation n+1
 *    must read as generation n (or n+1 once complete), never as damage.
 * 2. Killed writers: a process appending failures is SIGKILLed at random
 *    moments, 200 times; the file is always readable and holds every
 *    failure that was acknowledged (and at most one more). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lockout.h"
#include "tally.h"

static const struct bhxh_lock_policy pol = { .deny = 64, .fail_interval = 100000,
					     .unlock_time = 60 };
static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/bhxh-crash-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static size_t read_all(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, len);
	ck_assert_int_ge(n, 0);
	close(fd);
	return (size_t)n;
}

static void write_all(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static int read_state(int dirfd, const char *name, struct bhxh_tally *t)
{
	int fd = bhxh_tally_open(dirfd, name, false), r;

	ck_assert_int_ge(fd, 0);
	r = bhxh_tally_read(fd, "u", t);
	close(fd);
	return r;
}

/* Generations 1..6 cover a first write, writes to both slots, and wrap. */
START_TEST(torn_writes_read_as_previous_generation)
{
	static char before[65536], after[65536], torn[65536];
	char path[128];
	int dirfd = bhxh_tally_open_dir(dir, false);
	struct bhxh_tally t, r;

	ck_assert_int_ge(dirfd, 0);
	snprintf(path, sizeof(path), "%s/u", dir);
	bhxh_tally_clear(&t, "u");
	for (int gen = 1; gen <= 6; gen++) {
		size_t nb = 0, na, slot, off;
		int fd;

		if (gen > 1)
			nb = read_all(path, before, sizeof(before));
		fd = bhxh_tally_open(dirfd, "u", true);
		ck_assert_int_ge(fd, 0);
		(void)bhxh_lockout_add_failure(&t, &pol, 1000 + gen, "sshd", "192.0.2.1");
		ck_assert_int_eq(bhxh_tally_write(fd, &t, true), 0);
		close(fd);
		na = read_all(path, after, sizeof(after));
		slot = na / 2;
		off = (size_t)(gen % 2) * slot; /* generation g lives in slot g % 2 */
		for (size_t k = 0; k <= slot; k += (k < 64 ? 1 : 97)) {
			size_t len = nb > off + k ? nb : off + k;

			memset(torn, 0, sizeof(torn));
			memcpy(torn, before, nb);
			memcpy(torn + off, after + off, k);
			write_all(path, torn, len);
			ck_assert_int_eq(read_state(dirfd, "u", &r), 0);
			/* the new generation may be seen only when the bytes not yet
			 * written already held its values (zeroes, say) */
			ck_assert_msg(r.total == (uint64_t)gen - 1 ||
					      (r.total == (uint64_t)gen &&
					       memcmp(torn + off, after + off, slot) == 0),
				      "gen %d, %zu bytes torn: total %llu", gen, k,
				      (unsigned long long)r.total);
		}
		write_all(path, after, na);
		ck_assert_int_eq(read_state(dirfd, "u", &r), 0);
		ck_assert_uint_eq(r.total, (uint64_t)gen);
	}
	close(dirfd);
}
END_TEST

START_TEST(killed_writers_lose_nothing_acknowledged)
{
	int dirfd = bhxh_tally_open_dir(dir, false);
	uint64_t acked = 0;

	ck_assert_int_ge(dirfd, 0);
	srand((unsigned)time(NULL));
	for (int round = 0; round < 200; round++) {
		int p[2];
		pid_t pid;
		struct bhxh_tally t;
		uint64_t v;

		ck_assert_int_eq(pipe(p), 0);
		pid = fork();
		if (pid < 0) /* no ck_assert in the child: it would write to Check's channel */
			ck_abort_msg("fork: %s", strerror(errno));
		if (pid == 0) {
			close(p[0]);
			for (;;) {
				int fd = bhxh_tally_open(dirfd, "k", true);
				struct bhxh_tally w;

				if (fd < 0 || bhxh_tally_read(fd, "k", &w) < 0)
					_exit(3);
				(void)bhxh_lockout_add_failure(&w, &pol, 5000, "login", "tty1");
				if (bhxh_tally_write(fd, &w, false) < 0)
					_exit(4);
				close(fd);
				if (write(p[1], &w.total, sizeof(w.total)) != sizeof(w.total))
					_exit(5);
			}
		}
		close(p[1]);
		usleep((useconds_t)(rand() % 3000));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
		while (read(p[0], &v, sizeof(v)) == sizeof(v))
			acked = v;
		close(p[0]);
		{
			int fd = bhxh_tally_open(dirfd, "k", false);

			if (fd == -ENOENT)
				continue; /* killed before it created the file */
			ck_assert_int_ge(fd, 0);
			ck_assert_int_eq(bhxh_tally_read(fd, "k", &t), 0);
			close(fd);
		}
		ck_assert_msg(t.total == acked || t.total == acked + 1,
			      "round %d: file has %llu, %llu acknowledged", round,
			      (unsigned long long)t.total, (unsigned long long)acked);
		acked = t.total;
	}
	close(dirfd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tally_crash");
	TCase *tc = tcase_create("crash");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, torn_writes_read_as_previous_generation);
	tcase_add_test(tc, killed_writers_lose_nothing_acknowledged);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
