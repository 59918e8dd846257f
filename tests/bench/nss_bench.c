/* Lookup benchmark through glibc's public API (whatever nsswitch.conf
 * says): getpwnam_r, getpwuid_r, getgrgid_r, getgrouplist (initgroups).
 * Run by tests/bench/nss_bench.sh; not part of make check.
 *
 *   nss_bench NUSERS ITERATIONS      (ITERATIONS 0: only the cold id-like line)
 *   nss_bench NUSERS ITERATIONS MODULE.so PREFIX
 *                                    the module's entry points called
 *                                    directly (dlopen), without glibc's own
 *                                    per-call work (it stats nsswitch.conf
 *                                    and / to notice a reload)
 * Users are u0..u(NUSERS-1) with uid 1000000+N; groups g0.. with gid
 * 2000000+N.  Prints one line per operation: name, ns/op, failures. */
#include "config.h"

#include <dlfcn.h>
#include <grp.h>
#include <nss.h>
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

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);

static void *sym(void *h, const char *prefix, const char *fn)
{
	char name[128];

	snprintf(name, sizeof(name), "_nss_%s_%s", prefix, fn);
	return dlsym(h, name);
}

static int direct(long nusers, long iters, const char *path, const char *prefix)
{
	static char buf[1 << 20];
	void *h = dlopen(path, RTLD_NOW);
	pwnam_fn pwnam;
	pwuid_fn pwuid;
	grgid_fn grgid;
	initgr_fn initgr;
	unsigned seed = 54321;
	char name[32];
	double t;
	long fail;

	if (h == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	pwnam = (pwnam_fn)sym(h, prefix, "getpwnam_r");
	pwuid = (pwuid_fn)sym(h, prefix, "getpwuid_r");
	grgid = (grgid_fn)sym(h, prefix, "getgrgid_r");
	initgr = (initgr_fn)sym(h, prefix, "initgroups_dyn");
#define DRUN(label, fn, ...)                                                               \
	do {                                                                               \
		if ((fn) == NULL)                                                          \
			break;                                                             \
		fail = 0;                                                                  \
		t = now_ns();                                                              \
		for (long i = 0; i < iters; i++) {                                         \
			long k = rand_r(&seed) % nusers;                                   \
			int e;                                                             \
			(void)k;                                                           \
			__VA_ARGS__;                                                       \
		}                                                                          \
		printf("direct %-12s %8.0f ns/op  failures %ld\n", label,                  \
		       (now_ns() - t) / iters, fail);                                      \
	} while (0)
	DRUN("getpwnam_r", pwnam, {
		struct passwd pw;

		snprintf(name, sizeof(name), "u%ld", k);
		if (pwnam(name, &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			fail++;
	});
	DRUN("getpwuid_r", pwuid, {
		struct passwd pw;

		if (pwuid((uid_t)(1000000 + k), &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			fail++;
	});
	DRUN("getgrgid_r", grgid, {
		struct group gr;

		if (grgid((gid_t)(2000000 + k % 2000), &gr, buf, sizeof(buf), &e) !=
		    NSS_STATUS_SUCCESS)
			fail++;
	});
	DRUN("initgroups", initgr, {
		static gid_t *g;
		long start = 0, size = 0;

		snprintf(name, sizeof(name), "u%ld", k);
		if (initgr(name, 1999999, &start, &size, &g, 0, &e) != NSS_STATUS_SUCCESS ||
		    start < 1)
			fail++;
	});
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20]; /* libnss-cache wants 1 MiB for groups */
	long nusers, iters, ngroups = 2000;
	unsigned seed = 12345;
	char name[32];
	double t;
	long fail;

	if (argc != 3 && argc != 5)
		return 2;
	nusers = atol(argv[1]);
	iters = atol(argv[2]);
	if (argc == 5)
		return direct(nusers, iters, argv[3], argv[4]);

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
