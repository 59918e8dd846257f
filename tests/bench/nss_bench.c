/* Lookup benchmark through glibc's public API (whatever nsswitch.conf
 * says): getpwnam_r, getpwuid_r, getgrgid_r, getgrouplist (initgroups).
 * Run by tests/bench/nss_bench.sh; not part of make check.
 *
 *   nss_bench NUSERS ITERATIONS      (ITERATIONS 0: only the cold id-like line)
 * Users are u0..u(NUSERS-1) with uid 1000000+N; groups g0.. with gid
 * 2000000+N.  Prints one line per operation: name, ns/op, failures. */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	if (f != NULL)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20]; /* libnss-cache wants 1 MiB for groups */
	long nusers, iters, ngroups = 2000;
	unsigned seed = 12345;
	char name[32];
	double t;
	long fail;

	if (argc != 3)
		return 2;
	nusers = atol(argv[1]);
	iters = atol(argv[2]);

	/* What `id uN` asks, timed in this fresh process: the first call
	 * loads the module and maps the database. */
	{
		struct passwd pw, *res = NULL;
		gid_t groups[4096];
		int n = 4096;

		snprintf(name, sizeof(name), "u%ld", nusers / 3);
		t = now_ns();
		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
		    getgrouplist(name, pw.pw_gid, groups, &n) < 0)
			return 1;
		for (int i = 0; i < n; i++) {
			struct group gr, *gres = NULL;

			(void)getgrgid_r(groups[i], &gr, buf, sizeof(buf), &gres);
		}
		printf("%-12s %12.0f ns (cold: getpwnam + getgrouplist + %d getgrgid)\n", "id-like",
		       now_ns() - t, n);
	}
	if (iters == 0)
		return 0;

#define RUN(label, ...)                                                                    \
	do {                                                                               \
		fail = 0;                                                                  \
		t = now_ns();                                                              \
		for (long i = 0; i < iters; i++) {                                         \
			long k = rand_r(&seed) % nusers;                                   \
			(void)k;                                                           \
			__VA_ARGS__;                                                       \
		}                                                                          \
		printf("%-12s %12.0f ns/op  failures %ld\n", label, (now_ns() - t) / iters, \
		       fail);                                                              \
	} while (0)

	RUN("getpwnam_r", {
		struct passwd pw, *res = NULL;

		snprintf(name, sizeof(name), "u%ld", k);
		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
			fail++;
	});
	RUN("getpwuid_r", {
		struct passwd pw, *res = NULL;

		if (getpwuid_r((uid_t)(1000000 + k), &pw, buf, sizeof(buf), &res) != 0 ||
		    res == NULL)
			fail++;
	});
	RUN("getgrgid_r", {
		struct group gr, *res = NULL;

		if (getgrgid_r((gid_t)(2000000 + k % ngroups), &gr, buf, sizeof(buf), &res) != 0 ||
		    res == NULL)
			fail++;
	});
	RUN("initgroups", {
		gid_t groups[4096];
		int n = 4096;

		snprintf(name, sizeof(name), "u%ld", k);
		if (getgrouplist(name, 1999999, groups, &n) < 0 || n < 2)
			fail++;
	});
	printf("%-12s %12ld kB\n", "VmRSS", rss_kb());
	return 0;
}
