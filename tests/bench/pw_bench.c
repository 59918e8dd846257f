/* Benchmark of the pw area (run by tests/bench/pw_bench.sh, not a test):
 *   1. checks per second: bhxh_pw_check against libpwquality's
 *      pwquality_check on the same list, same settings, same run;
 *   2. the denylist at N entries: build time, bytes per entry, lookup time,
 *      measured false-positive rate.
 * Usage: pw_bench LIST [ENTRIES] [SCRATCH_DIR] [DENYLIST] */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pwquality.h>

#include "conf.h"
#include "denylist.h"
#include "pwcheck.h"
#include "util.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char **load(const char *path, size_t *n)
{
	char **v = NULL, *line = NULL;
	size_t cap = 0, vcap = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	*n = 0;
	if (f == NULL)
		return NULL;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (*n == vcap) {
			vcap = vcap ? vcap * 2 : 1024;
			v = realloc(v, vcap * sizeof(*v));
		}
		v[(*n)++] = strdup(line);
	}
	free(line);
	fclose(f);
	return v;
}

static void rand_word(char *buf, size_t len, unsigned long long *s)
{
	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[i] = (char)('a' + (*s >> 33) % 26);
	}
	buf[len] = '\0';
}

int main(int argc, char **argv)
{
	char dlarg[4200];
	const char *args[] = { "pwquality_conf=none", dlarg, "minlen=12",
			       "badwords=bhxh bhyt vssid baohiem hanoi", NULL };
	unsigned long long entries = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000ULL;
	const char *scratch = argc > 3 ? argv[3] : "/tmp";
	struct bhxh_conf c;
	struct bhxh_pw_policy *p = NULL;
	pwquality_settings_t *q;
	char err[BHXH_ERR_MAX], path[4096], list[4096];
	size_t n, refused_b = 0, refused_q = 0;
	char **words;
	double t0, tb, tq;

	if (argc < 2) {
		fprintf(stderr, "usage: pw_bench LIST [ENTRIES] [SCRATCH_DIR]\n");
		return 2;
	}
	snprintf(dlarg, sizeof(dlarg), "denylist=%s", argc > 4 ? argv[4] : "none");
	words = load(argv[1], &n);
	if (words == NULL || n == 0) {
		fprintf(stderr, "%s: empty or unreadable\n", argv[1]);
		return 2;
	}
	bhxh_conf_init(&c);
	for (const char **a = args; *a; a++)
		if (bhxh_conf_apply(&c, *a, BHXH_SCOPE_ARG, NULL, err, sizeof(err)) < 0)
			return 2;
	if (bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	q = pwquality_default_settings();
	pwquality_set_option(q, "minlen=12");
	pwquality_set_option(q, "maxrepeat=3");
	pwquality_set_option(q, "maxsequence=4");
	pwquality_set_option(q, "dictcheck=1");
	pwquality_set_option(q, "usercheck=1");
	pwquality_set_option(q, "badwords=bhxh bhyt vssid baohiem hanoi");

	t0 = now();
	for (size_t i = 0; i < n; i++) {
		struct bhxh_pw_verdict v;

		bhxh_pw_check(p, words[i], NULL, "nvminh", NULL, &v);
		refused_b += v.reason != BHXH_PW_OK;
	}
	tb = now() - t0;
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		void *aux = NULL;

		refused_q += pwquality_check(q, words[i], NULL, "nvminh", &aux) < 0;
	}
	tq = now() - t0;
	printf("checks: %zu candidates from %s\n", n, argv[1]);
	printf("  pam_bhxh  bhxh_pw_check   %10.0f checks/s  refused %zu (%.1f%%)\n", n / tb,
	       refused_b, 100.0 * refused_b / n);
	printf("  libpwquality pwquality_check %7.0f checks/s  refused %zu (%.1f%%)\n", n / tq,
	       refused_q, 100.0 * refused_q / n);
	printf("  ratio bhxh/pwquality: %.2f\n", (n / tb) / (n / tq));
	pwquality_free_settings(q);
	bhxh_pw_policy_free(p);

	/* denylist at `entries` random 8-16 letter entries, through a text file */
	if (entries > 0) {
		unsigned long long s = 1, fp = 0, probes = 1000000;
		struct bhxh_dl_stats st;
		struct bhxh_denylist *dl = NULL;
		char w[32];
		volatile unsigned hits = 0;
		FILE *f;
		int r;

		snprintf(list, sizeof(list), "%s/bench-list.txt", scratch);
		snprintf(path, sizeof(path), "%s/bench.bhxhdl", scratch);
		f = fopen(list, "w");
		if (f == NULL)
			return 2;
		for (unsigned long long i = 0; i < entries; i++) {
			rand_word(w, 8 + i % 9, &s);
			fprintf(f, "%s\n", w);
		}
		fclose(f);
		t0 = now();
		r = bhxh_denylist_build(list, path, BHXH_DL_BITS_DEFAULT, &st);
		tb = now() - t0;
		unlink(list);
		if (r < 0 || bhxh_denylist_open(path, true, &dl) < 0) {
			fprintf(stderr, "denylist build/open failed: %s\n", strerror(-r));
			return 2;
		}
		/* lookups of unlisted words (the common case) */
		t0 = now();
		for (unsigned long long i = 0; i < probes; i++) {
			rand_word(w, 17, &s); /* 17 letters: never inserted */
			fp += bhxh_denylist_contains(dl, w, 17);
		}
		tq = now() - t0;
		/* and of listed ones, replaying the generator */
		s = 1;
		t0 = now();
		for (unsigned long long i = 0; i < probes && i < entries; i++) {
			rand_word(w, 8 + i % 9, &s);
			hits += bhxh_denylist_contains(dl, w, 8 + i % 9);
		}
		printf("denylist: %llu entries, built in %.1f s (two passes over the list)\n",
		       (unsigned long long)st.entries, tb);
		printf("  file %llu bytes = %.2f bytes/entry (%u bits)\n",
		       (unsigned long long)st.file_bytes, (double)st.file_bytes / st.entries,
		       BHXH_DL_BITS_DEFAULT);
		printf("  lookup (unlisted, incl. generating the word) %.0f ns; listed %.0f ns; "
		       "all %u listed found\n",
		       tq / probes * 1e9, (now() - t0) / (probes < entries ? probes : entries) * 1e9,
		       hits);
		printf("  false positives: %llu of %llu = %.3f%%\n", fp, probes, 100.0 * fp / probes);
		bhxh_denylist_close(dl);
		unlink(path);
	}
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return 0;
}
