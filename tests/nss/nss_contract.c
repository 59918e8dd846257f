/* Driver of libnss_bhxh.so.2 through its entry points (dlopen), checking
 * the glibc contract exactly.  Used by the tests/nss scripts.
 *
 *   nss_contract PLUGIN contract            buffer sweeps, ERANGE, errno,
 *                                           enumeration, initgroups
 *   nss_contract PLUGIN stress SECONDS      threads look up uNNNN while the
 *                                           database is replaced
 *   nss_contract PLUGIN watch USER MS       wait until USER is removed or
 *                                           revoked, print how long it took
 *   nss_contract PLUGIN status USER         print the getpwnam status
 *
 * The database directory comes from BHXH_NSS_DB_DIR (test-hook builds).
 * The contract test expects the source written by tests/nss/contract.sh. */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <shadow.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*spnam_fn)(const char *, struct spwd *, char *, size_t, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*pwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grent_fn)(struct group *, char *, size_t, int *);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long *, long *, gid_t **, long,
				     int *);

static struct {
	pwnam_fn pwnam;
	pwuid_fn pwuid;
	grnam_fn grnam;
	grgid_fn grgid;
	spnam_fn spnam;
	setent_fn setpwent, setgrent;
	endent_fn endpwent;
	pwent_fn pwent;
	grent_fn grent;
	initgr_fn initgroups;
} f;

static int failures;

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);   \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
			failures++;                                                        \
		}                                                                          \
	} while (0)

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (p == NULL) {
		fprintf(stderr, "missing symbol %s\n", name);
		exit(2);
	}
	return p;
}

static void load(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		exit(2);
	}
	f.pwnam = (pwnam_fn)sym(h, "_nss_bhxh_getpwnam_r");
	f.pwuid = (pwuid_fn)sym(h, "_nss_bhxh_getpwuid_r");
	f.grnam = (grnam_fn)sym(h, "_nss_bhxh_getgrnam_r");
	f.grgid = (grgid_fn)sym(h, "_nss_bhxh_getgrgid_r");
	f.spnam = (spnam_fn)sym(h, "_nss_bhxh_getspnam_r");
	f.setpwent = (setent_fn)sym(h, "_nss_bhxh_setpwent");
	f.setgrent = (setent_fn)sym(h, "_nss_bhxh_setgrent");
	f.endpwent = (endent_fn)sym(h, "_nss_bhxh_endpwent");
	f.pwent = (pwent_fn)sym(h, "_nss_bhxh_getpwent_r");
	f.grent = (grent_fn)sym(h, "_nss_bhxh_getgrent_r");
	f.initgroups = (initgr_fn)sym(h, "_nss_bhxh_initgroups_dyn");
	/* Only _nss_bhxh_* is exported. */
	CHECK(dlsym(h, "bhxh_db_open") == NULL, "internal symbol exported");
	CHECK(dlsym(h, "bhxh_db_user_by_name") == NULL, "internal symbol exported");
}

#define SENTINEL 4242

/* Sweep buffer sizes 0..max: below the needed size the answer must be
 * TRYAGAIN/ERANGE, from it on SUCCESS; errno untouched, *errnop never 0. */
static size_t sweep_pw(const char *name)
{
	char buf[1024];
	size_t need = 0;

	for (size_t len = 0; len <= sizeof(buf); len++) {
		struct passwd pw;
		int e = SENTINEL;
		enum nss_status st;

		errno = 777;
		st = f.pwnam(name, &pw, buf, len, &e);
		CHECK(errno == 777, "errno changed to %d", errno);
		if (st == NSS_STATUS_SUCCESS) {
			CHECK(e == SENTINEL, "errnop written on success (%d)", e);
			if (need == 0)
				need = len;
			CHECK(strcmp(pw.pw_name, name) == 0, "name");
			CHECK(pw.pw_name >= buf && pw.pw_shell < buf + len, "strings outside buffer");
		} else {
			CHECK(need == 0, "failure at len %zu after success", len);
			CHECK(st == NSS_STATUS_TRYAGAIN && e == ERANGE, "len %zu: st %d e %d", len, st,
			      e);
		}
	}
	CHECK(need > 0, "never succeeded");
	return need;
}

static void sweep_gr(gid_t gid, size_t nmem)
{
	char store[4096 + 8];
	bool ok_seen = false;

	for (size_t off = 0; off < 8; off += 3) {
		char *buf = store + off; /* misaligned on purpose */

		ok_seen = false;
		for (size_t len = 0; len <= 4096; len += (len < 512 ? 1 : 97)) {
			struct group gr;
			int e = SENTINEL;
			enum nss_status st = f.grgid(gid, &gr, buf, len, &e);

			if (st == NSS_STATUS_SUCCESS) {
				size_t n = 0;

				ok_seen = true;
				CHECK((uintptr_t)gr.gr_mem % sizeof(char *) == 0, "gr_mem misaligned");
				CHECK((char *)gr.gr_mem >= buf && (char *)gr.gr_mem < buf + len,
				      "gr_mem outside");
				while (gr.gr_mem[n] != NULL)
					n++;
				CHECK(n == nmem, "members %zu want %zu", n, nmem);
				CHECK(gr.gr_gid == gid, "gid");
				CHECK(e == SENTINEL, "errnop written");
			} else {
				CHECK(!ok_seen, "failure after success at %zu", len);
				CHECK(st == NSS_STATUS_TRYAGAIN && e == ERANGE, "gr len %zu st %d", len,
				      st);
			}
		}
		CHECK(ok_seen, "group never fit");
	}
}

static int contract(void)
{
	struct passwd pw;
	struct group gr;
	struct spwd sp;
	char buf[4096];
	int e;
	size_t n;
	enum nss_status st;

	/* Lookups and not-found. */
	e = SENTINEL;
	CHECK(f.pwnam("alice", &pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS, "alice");
	CHECK(pw.pw_uid == 200001 && pw.pw_gid == 200001, "alice ids");
	CHECK(strcmp(pw.pw_dir, "/home/alice") == 0 && strcmp(pw.pw_shell, "/bin/bash") == 0,
	      "alice strings");
	CHECK(f.pwuid(200002, &pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS, "uid 200002");
	CHECK(strcmp(pw.pw_name, "bob") == 0, "bob");
	e = SENTINEL;
	CHECK(f.pwnam("mallory", &pw, buf, sizeof(buf), &e) == NSS_STATUS_NOTFOUND &&
		      e == ENOENT,
	      "mallory: e %d", e);
	e = SENTINEL;
	CHECK(f.pwuid(0, &pw, buf, sizeof(buf), &e) == NSS_STATUS_NOTFOUND && e == ENOENT,
	      "uid 0");
	{
		char longname[600];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		CHECK(f.pwnam(longname, &pw, buf, sizeof(buf), &e) == NSS_STATUS_NOTFOUND,
		      "long name");
		CHECK(f.pwnam("", &pw, buf, sizeof(buf), &e) == NSS_STATUS_NOTFOUND, "empty");
	}
	CHECK(f.grnam("devs", &gr, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS, "devs");
	CHECK(gr.gr_gid == 200002 && gr.gr_mem[0] != NULL && strcmp(gr.gr_mem[0], "bob") == 0,
	      "devs members");
	n = sweep_pw("alice");
	CHECK(n == strlen("alice:x:Alice:/home/alice:/bin/bash") + 1, "alice needs %zu", n);
	sweep_pw("u0");
	sweep_gr(200002, 2);
	sweep_gr(200003, 0);
	sweep_gr(200100, 300);

	/* glibc passes &errno as errnop. */
	errno = 0;
	st = f.grgid(200100, &gr, buf, 100, &errno);
	CHECK(st == NSS_STATUS_TRYAGAIN && errno == ERANGE, "errnop == &errno: %d", errno);
	errno = 0;
	st = f.pwnam("nobody-here", &pw, buf, sizeof(buf), &errno);
	CHECK(st == NSS_STATUS_NOTFOUND && errno == ENOENT, "errnop == &errno: %d", errno);

	/* Enumeration: ERANGE does not advance. */
	f.setpwent(0);
	e = SENTINEL;
	st = f.pwent(&pw, buf, 4, &e);
	CHECK(st == NSS_STATUS_TRYAGAIN && e == ERANGE, "pwent small");
	st = f.pwent(&pw, buf, sizeof(buf), &e);
	CHECK(st == NSS_STATUS_SUCCESS && strcmp(pw.pw_name, "alice") == 0, "first entry again");
	n = 1;
	while (f.pwent(&pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS)
		n++;
	CHECK(e == ENOENT, "end of enumeration e %d", e);
	CHECK(n == 1003, "enumerated %zu users", n);
	/* Lookups in the middle of an enumeration do not disturb it. */
	f.setpwent(0);
	CHECK(f.pwent(&pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS, "e1");
	CHECK(f.pwnam("u500", &pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS, "u500");
	CHECK(f.pwent(&pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS &&
		      strcmp(pw.pw_name, "bob") == 0,
	      "second entry is bob");
	f.endpwent();
	f.setgrent(0);
	n = 0;
	while (f.grent(&gr, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS)
		n++;
	CHECK(n == 4, "enumerated %zu groups", n);

	/* initgroups: primary skipped, duplicates skipped, limit honoured. */
	{
		long start = 1, size = 1;
		gid_t *g = malloc(sizeof(gid_t));

		g[0] = 200001;
		e = SENTINEL;
		st = f.initgroups("bob", 200001, &start, &size, &g, 0, &e);
		CHECK(st == NSS_STATUS_SUCCESS, "initgroups bob");
		CHECK(start == 3, "bob groups %ld", start);
		CHECK(g[1] == 200002 && g[2] == 200100, "bob gids");
		start = 0;
		st = f.initgroups("u7", 1, &start, &size, &g, 0, &e);
		CHECK(st == NSS_STATUS_SUCCESS && start == 1 && g[0] == 200100, "u7");
		start = 0;
		st = f.initgroups("localuser", 5, &start, &size, &g, 0, &e);
		CHECK(st == NSS_STATUS_SUCCESS && start == 1 && g[0] == 200002, "local member");
		start = 0;
		size = 1;
		st = f.initgroups("bob", 1, &start, &size, &g, 2, &e);
		CHECK(st == NSS_STATUS_SUCCESS && start == 2 && size == 2, "limit: %ld %ld", start,
		      size);
		e = SENTINEL;
		start = 0;
		st = f.initgroups("nobody-here", 1, &start, &size, &g, 0, &e);
		CHECK(st == NSS_STATUS_NOTFOUND && e == ENOENT && start == 0, "unknown member");
		free(g);
	}

	/* shadow: root only. */
	e = SENTINEL;
	st = f.spnam("alice", &sp, buf, sizeof(buf), &e);
	if (geteuid() == 0) {
		CHECK(st == NSS_STATUS_SUCCESS && strcmp(sp.sp_pwdp, "$6$salt$hash") == 0 &&
			      sp.sp_max == 99999 && sp.sp_inact == -1,
		      "shadow alice");
		st = f.spnam("bob", &sp, buf, sizeof(buf), &e);
		CHECK(st == NSS_STATUS_SUCCESS && sp.sp_expire == 1, "revoked bob expired");
		for (size_t len = 0; len < 64; len++) {
			e = SENTINEL;
			st = f.spnam("alice", &sp, buf, len, &e);
			CHECK(st == (len < 19 ? NSS_STATUS_TRYAGAIN : NSS_STATUS_SUCCESS),
			      "sp len %zu", len);
		}
	} else {
		CHECK(st == NSS_STATUS_UNAVAIL, "shadow for non-root: %d", st);
	}
	return failures == 0 ? 0 : 1;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static atomic_bool stop;
static atomic_long lookups, unavail, wrong;

static void *stress_thread(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	char buf[512], name[32];

	while (!atomic_load(&stop)) {
		struct passwd pw;
		struct group gr;
		int e, i = (int)(rand_r(&seed) % 1000);
		enum nss_status st;

		snprintf(name, sizeof(name), "u%d", i);
		st = f.pwnam(name, &pw, buf, sizeof(buf), &e);
		if (st == NSS_STATUS_SUCCESS && pw.pw_uid != (uid_t)(300000 + i))
			atomic_fetch_add(&wrong, 1);
		else if (st == NSS_STATUS_UNAVAIL)
			atomic_fetch_add(&unavail, 1);
		st = f.grgid(200100, &gr, buf, sizeof(buf), &e);
		if (st == NSS_STATUS_SUCCESS && strcmp(gr.gr_name, "big") != 0)
			atomic_fetch_add(&wrong, 1);
		atomic_fetch_add(&lookups, 1);
	}
	return NULL;
}

static int stress(int seconds)
{
	pthread_t t[4];
	int fds = count_fds();

	for (size_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, stress_thread, (void *)(uintptr_t)(i + 1));
	sleep((unsigned)seconds);
	atomic_store(&stop, true);
	for (size_t i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("lookups %ld unavailable %ld wrong %ld\n", atomic_load(&lookups),
	       atomic_load(&unavail), atomic_load(&wrong));
	CHECK(atomic_load(&wrong) == 0, "inconsistent answers");
	CHECK(atomic_load(&unavail) == 0, "database unavailable during replacement");
	CHECK(atomic_load(&lookups) > 100, "too few lookups");
	CHECK(count_fds() == fds, "descriptors leaked: %d -> %d", fds, count_fds());
	return failures == 0 ? 0 : 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* USER is gone from passwd, or (root) its shadow entry became expired. */
static int watch(const char *user, long limit_ms)
{
	char buf[1024];
	long t0 = -1;

	for (;;) {
		struct passwd pw;
		struct spwd sp;
		int e;
		enum nss_status st = f.pwnam(user, &pw, buf, sizeof(buf), &e);
		bool gone = st == NSS_STATUS_NOTFOUND;
		bool revoked = geteuid() == 0 &&
			       f.spnam(user, &sp, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS &&
			       sp.sp_expire == 1;

		if (t0 < 0) {
			if (st != NSS_STATUS_SUCCESS || revoked) {
				fprintf(stderr, "watch: %s not present and active at start\n", user);
				return 2;
			}
			printf("present\n");
			fflush(stdout);
			t0 = 0;
		} else if (t0 == 0 && access("trigger", F_OK) == 0) {
			t0 = now_ms(); /* the test touches ./trigger after installing */
		}
		if (t0 > 0 && (gone || revoked)) {
			printf("%s after %ld ms\n", gone ? "removed" : "revoked", now_ms() - t0);
			return now_ms() - t0 <= limit_ms ? 0 : 1;
		}
		if (t0 > 0 && now_ms() - t0 > 10 * limit_ms) {
			printf("still there after %ld ms\n", now_ms() - t0);
			return 1;
		}
		usleep(5000);
	}
}

int main(int argc, char **argv)
{
	char buf[1024];
	struct passwd pw;
	int e = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: nss_contract PLUGIN contract|stress S|watch U MS|status U\n");
		return 2;
	}
	load(argv[1]);
	if (strcmp(argv[2], "contract") == 0)
		return contract();
	if (strcmp(argv[2], "stress") == 0 && argc == 4)
		return stress(atoi(argv[3]));
	if (strcmp(argv[2], "watch") == 0 && argc == 5)
		return watch(argv[3], atol(argv[4]));
	if (strcmp(argv[2], "status") == 0 && argc == 4) {
		enum nss_status st = f.pwnam(argv[3], &pw, buf, sizeof(buf), &e);

		printf("%s %d\n",
		       st == NSS_STATUS_SUCCESS    ? "SUCCESS"
		       : st == NSS_STATUS_NOTFOUND ? "NOTFOUND"
		       : st == NSS_STATUS_UNAVAIL  ? "UNAVAIL"
						   : "TRYAGAIN",
		       st == NSS_STATUS_SUCCESS ? 0 : e);
		return 0;
	}
	fprintf(stderr, "bad arguments\n");
	return 2;
}
