/* Unit tests of the posture area: the pure verdict at its boundaries, the
 * option grammar, and the probes over fake /proc, sysfs and signature
 * trees (including a FIFO that must not hang them). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "conf.h"
#include "posture.h"

#define DAY 86400

static struct bhxh_posture_conf conf_av(unsigned pol)
{
	struct bhxh_posture_conf c = { .av = pol, .wifi = BHXH_POSTURE_OFF,
				       .av_max_age_days = 7 };

	strcpy(c.av_process, "clamd");
	strcpy(c.av_db, "/var/lib/clamav");
	return c;
}

START_TEST(verdict_av)
{
	struct bhxh_posture_conf c = conf_av(BHXH_POSTURE_WARN);
	struct bhxh_posture_obs o = { .av_running = true, .av_db_found = true,
				      .av_db_newest = 1000 * DAY };

	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 1000 * DAY), 0);
	/* exactly the limit is still current; one second more is stale */
	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 1007 * DAY), 0);
	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 1007 * DAY + 1), BHXH_POSTURE_AV_STALE);
	ck_assert_uint_eq(bhxh_posture_db_age_days(&o, 1007 * DAY + 1), 7);
	/* a clock behind the file's time is not "stale" and not negative */
	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 10), 0);
	ck_assert_uint_eq(bhxh_posture_db_age_days(&o, 10), 0);
	o.av_running = false;
	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 1000 * DAY), BHXH_POSTURE_AV_MISSING);
	o.av_db_found = false; /* no signatures at all: stale */
	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 1000 * DAY),
			  BHXH_POSTURE_AV_MISSING | BHXH_POSTURE_AV_STALE);
	/* nothing configured: nothing checked */
	c.av_process[0] = '\0';
	c.av_db[0] = '\0';
	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 1000 * DAY), 0);
	/* off finds nothing */
	c = conf_av(BHXH_POSTURE_OFF);
	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 1000 * DAY), 0);
}
END_TEST

START_TEST(verdict_wifi_and_deny)
{
	struct bhxh_posture_conf c = conf_av(BHXH_POSTURE_WARN);
	struct bhxh_posture_obs o = { .av_running = true, .av_db_found = true,
				      .av_db_newest = 5, .wifi_active = 1 };
	unsigned f;

	ck_assert_uint_eq(bhxh_posture_findings(&c, &o, 5), 0); /* wifi off */
	c.wifi = BHXH_POSTURE_WARN;
	f = bhxh_posture_findings(&c, &o, 5);
	ck_assert_uint_eq(f, BHXH_POSTURE_WIFI);
	ck_assert(!bhxh_posture_denies(&c, f, false));
	c.wifi = BHXH_POSTURE_DENY;
	ck_assert(bhxh_posture_denies(&c, f, false));
	ck_assert(!bhxh_posture_denies(&c, f, true)); /* administrators warned only */
	/* deny on the antivirus does not turn a wireless warning into a refusal */
	c.wifi = BHXH_POSTURE_WARN;
	c.av = BHXH_POSTURE_DENY;
	ck_assert(!bhxh_posture_denies(&c, f, false));
	ck_assert(bhxh_posture_denies(&c, BHXH_POSTURE_AV_STALE, false));
	ck_assert(!bhxh_posture_denies(&c, 0, false));
	ck_assert_str_eq(bhxh_posture_reason(BHXH_POSTURE_AV_MISSING), "posture_av_missing");
	ck_assert_str_eq(bhxh_posture_reason(BHXH_POSTURE_AV_STALE), "posture_av_stale");
	ck_assert_str_eq(bhxh_posture_reason(BHXH_POSTURE_WIFI), "posture_wifi");
}
END_TEST

START_TEST(options)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(&c);
	ck_assert_uint_eq(c.posture.av, BHXH_POSTURE_WARN);
	ck_assert_uint_eq(c.posture.wifi, BHXH_POSTURE_WARN);
	ck_assert_uint_eq(c.posture.av_max_age_days, 7);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av=deny", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), 0);
	ck_assert_uint_eq(c.posture.av, BHXH_POSTURE_DENY);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_wifi=off", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), 0);
	ck_assert_uint_eq(c.posture.wifi, BHXH_POSTURE_OFF);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_wifi=maybe", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_wifi", BHXH_SCOPE_ARG, NULL, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av_process=clamd", BHXH_SCOPE_ARG, NULL,
					 err, sizeof(err)), 0);
	ck_assert_str_eq(c.posture.av_process, "clamd");
	/* 15 bytes is the kernel's limit; 16 cannot match any process */
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av_process=abcdefghijklmno",
					 BHXH_SCOPE_ARG, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av_process=abcdefghijklmnop",
					 BHXH_SCOPE_ARG, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av_process=a/b", BHXH_SCOPE_ARG, NULL,
					 err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av_max_age_days=0", BHXH_SCOPE_ARG, NULL,
					 err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av_max_age_days=36500", BHXH_SCOPE_ARG,
					 NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(bhxh_conf_apply(&c, "posture_av_db=relative", BHXH_SCOPE_ARG, NULL,
					 err, sizeof(err)), -EINVAL);
}
END_TEST

static char *tmpdir(void)
{
	char *t = strdup("/tmp/bhxh-posture.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(t));
	return t;
}

static void put(const char *dir, const char *name, const char *text, time_t mtime)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	if (mtime) {
		struct timeval tv[2] = { { mtime, 0 }, { mtime, 0 } };

		ck_assert_int_eq(utimes(p, tv), 0);
	}
}

START_TEST(probe_db)
{
	char *t = tmpdir(), p[512];
	struct bhxh_posture_obs o;

	memset(&o, 0, sizeof(o));
	snprintf(p, sizeof(p), "%s/missing", t);
	ck_assert_int_eq(bhxh_posture_probe_db(p, &o), 0);
	ck_assert(!o.av_db_found);
	/* only signature files count: freshclam.dat is rewritten by every run */
	put(t, "main.cvd", "x", 1000);
	put(t, "daily.cld", "x", 3000);
	put(t, "freshclam.dat", "x", 9000);
	put(t, ".hidden.cvd", "x", 9000);
	ck_assert_int_eq(bhxh_posture_probe_db(t, &o), 0);
	ck_assert(o.av_db_found);
	ck_assert_int_eq(o.av_db_newest, 3000);
	ck_assert_str_eq(o.av_db_file, "daily.cld");
	/* a single file named directly */
	snprintf(p, sizeof(p), "%s/main.cvd", t);
	ck_assert_int_eq(bhxh_posture_probe_db(p, &o), 0);
	ck_assert_int_eq(o.av_db_newest, 1000);
	/* a FIFO is refused at once, never waited on */
	snprintf(p, sizeof(p), "%s/fifo", t);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	ck_assert_int_eq(bhxh_posture_probe_db(p, &o), -EINVAL);
	ck_assert(bhxh_posture_is_sigfile("bytecode.cvd"));
	ck_assert(bhxh_posture_is_sigfile("local.hdb"));
	ck_assert(!bhxh_posture_is_sigfile("mirrors.dat"));
	ck_assert(!bhxh_posture_is_sigfile("cvd"));
	snprintf(p, sizeof(p), "rm -rf '%s'", t);
	ck_assert_int_eq(system(p), 0);
	free(t);
}
END_TEST

static void iface(const char *net, const char *name, const char *kind, const char *flags)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", net, name);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	if (kind != NULL) {
		snprintf(p, sizeof(p), "%s/%s/%s", net, name, kind);
		ck_assert_int_eq(mkdir(p, 0755), 0);
	}
	if (flags != NULL) {
		snprintf(p, sizeof(p), "%s/%s", net, name);
		put(p, "flags", flags, 0);
	}
}

START_TEST(probe_wifi)
{
	char *t = tmpdir(), p[512];
	struct bhxh_posture_obs o;

	memset(&o, 0, sizeof(o));
	iface(t, "lo", NULL, "0x9\n");
	iface(t, "eth0", NULL, "0x1003\n");
	iface(t, "wlan0", "wireless", "0x1002\n"); /* down */
	ck_assert_int_eq(bhxh_posture_probe_wifi(t, &o), 0);
	ck_assert_uint_eq(o.wifi_active, 0);
	/* a USB adapter, up (cfg80211: "wireless" and a phy80211 link) */
	iface(t, "wlx00c0ca", "wireless", "0x1003\n");
	ck_assert_int_eq(bhxh_posture_probe_wifi(t, &o), 0);
	ck_assert_uint_eq(o.wifi_active, 1);
	ck_assert_str_eq(o.wifi_names[0], "wlx00c0ca");
	/* flags that cannot be read count as active */
	iface(t, "wlan1", "wireless", NULL);
	ck_assert_int_eq(bhxh_posture_probe_wifi(t, &o), 0);
	ck_assert_uint_eq(o.wifi_active, 2);
	snprintf(p, sizeof(p), "%s/none", t);
	ck_assert_int_eq(bhxh_posture_probe_wifi(p, &o), 0);
	ck_assert_uint_eq(o.wifi_active, 0);
	snprintf(p, sizeof(p), "rm -rf '%s'", t);
	ck_assert_int_eq(system(p), 0);
	free(t);
}
END_TEST

START_TEST(probe_process)
{
	char *t = tmpdir(), buf[64];
	struct bhxh_posture_obs o;
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	memset(&o, 0, sizeof(o));
	/* by name, scanning /proc: this very process */
	ck_assert_int_eq(bhxh_posture_probe_process("/proc", comm, NULL, &o), 0);
	ck_assert(o.av_running);
	ck_assert_int_eq(bhxh_posture_probe_process("/proc", "bhxh-nonesuch", NULL, &o), 0);
	ck_assert(!o.av_running);
	/* by pidfile: the pid must name a process of that name */
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	put(t, "av.pid", buf, 0);
	snprintf(buf, sizeof(buf), "%s/av.pid", t);
	ck_assert_int_eq(bhxh_posture_probe_process("/proc", comm, buf, &o), 0);
	ck_assert(o.av_running);
	ck_assert_int_eq(o.av_pid, getpid());
	ck_assert_int_eq(bhxh_posture_probe_process("/proc", "bhxh-nonesuch", buf, &o), 0);
	ck_assert(!o.av_running);
	put(t, "av.pid", "garbage\n", 0);
	ck_assert_int_eq(bhxh_posture_probe_process("/proc", comm, buf, &o), 0);
	ck_assert(!o.av_running);
	snprintf(buf, sizeof(buf), "%s/nope.pid", t);
	ck_assert_int_eq(bhxh_posture_probe_process("/proc", comm, buf, &o), 0);
	ck_assert(!o.av_running);
	/* a FIFO as pidfile: refused at once */
	snprintf(buf, sizeof(buf), "%s/fifo.pid", t);
	ck_assert_int_eq(mkfifo(buf, 0600), 0);
	ck_assert_int_eq(bhxh_posture_probe_process("/proc", comm, buf, &o), 0);
	ck_assert(!o.av_running);
	snprintf(buf, sizeof(buf), "rm -rf '%s'", t);
	ck_assert_int_eq(system(buf), 0);
	free(t);
}
END_TEST

static Suite *posture_suite(void)
{
	Suite *s = suite_create("posture");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, verdict_av);
	tcase_add_test(tc, verdict_wifi_and_deny);
	tcase_add_test(tc, options);
	tcase_add_test(tc, probe_db);
	tcase_add_test(tc, probe_wifi);
	tcase_add_test(tc, probe_process);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(posture_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
