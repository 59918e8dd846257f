/* dl_bench: the denylist benchmark's helper (see denylist_bench.sh).
 *
 *   dl_bench gen N SEED TAG        N random passwords (TAG + 7..15 of
 *                                  [a-z0-9]), one per line
 *   dl_bench hibp N SEED TAG       the same passwords as HIBP lines
 *                                  (SHA-1 hex upper case ":" count 1..1000)
 *   dl_bench probe FILTER LISTED PROBES
 *                                  opens FILTER (bhxh_denylist_open), counts
 *                                  listed entries not found and probes
 *                                  found (false positives), and the mean
 *                                  lookup time over the probes
 * Lists with different TAGs never share an entry. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "denylist.h"
#include "sha1.h"

static uint64_t next(uint64_t *s) /* splitmix64 */
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t word(uint64_t *s, char tag, char *w)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint64_t r = next(s);
	size_t len = 8 + (size_t)(r % 9);

	w[0] = tag;
	r = next(s);
	for (size_t i = 1; i < len; i++) {
		if (i == 9)
			r = next(s);
		w[i] = al[r % 36];
		r /= 36;
	}
	w[len] = '\0';
	return len;
}

static char **read_lines(const char *path, size_t *ret_n)
{
	FILE *f = fopen(path, "r");
	char **v = NULL, *line = NULL;
	size_t n = 0, cap = 0, lcap = 0;
	ssize_t k;

	if (f == NULL)
		return NULL;
	while ((k = getline(&line, &lcap, f)) >= 0) {
		if (k > 0 && line[k - 1] == '\n')
			line[--k] = '\0';
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof(*v));
			if (v == NULL)
				exit(2);
		}
		v[n++] = strdup(line);
	}
	free(line);
	fclose(f);
	*ret_n = n;
	return v;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char w[32];

	if (argc == 5 && (strcmp(argv[1], "gen") == 0 || strcmp(argv[1], "hibp") == 0)) {
		uint64_t n = strtoull(argv[2], NULL, 10), s = strtoull(argv[3], NULL, 10);
		bool hibp = strcmp(argv[1], "hibp") == 0;

		for (uint64_t i = 0; i < n; i++) {
			size_t len = word(&s, argv[4][0], w);

			if (hibp) {
				unsigned char d[20];

				bhxh_sha1(w, len, d);
				for (int j = 0; j < 20; j++)
					printf("%02X", d[j]);
				printf(":%llu\r\n", (unsigned long long)(next(&s) % 1000 + 1));
			} else
				puts(w);
		}
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "probe") == 0) {
		struct bhxh_denylist *dl = NULL;
		size_t nl = 0, np = 0, missed = 0, fp = 0;
		char **listed = read_lines(argv[3], &nl), **probes = read_lines(argv[4], &np);
		double t0, t1;
		int r = bhxh_denylist_open(argv[2], true, &dl);

		if (r < 0 || listed == NULL || probes == NULL) {
			fprintf(stderr, "dl_bench: cannot open %s or the lists\n", argv[2]);
			return 2;
		}
		for (size_t i = 0; i < nl; i++)
			missed += !bhxh_denylist_contains(dl, listed[i], strlen(listed[i]));
		t0 = now();
		for (size_t i = 0; i < np; i++)
			fp += bhxh_denylist_contains(dl, probes[i], strlen(probes[i]));
		t1 = now();
		printf("entries=%llu bytes=%llu bytes/entry=%.3f missed=%zu/%zu fp=%zu/%zu rate=%.2e "
		       "lookup=%.0fns\n",
		       (unsigned long long)bhxh_denylist_entries(dl),
		       (unsigned long long)bhxh_denylist_bytes(dl),
		       (double)bhxh_denylist_bytes(dl) / (double)nl, missed, nl, fp, np,
		       (double)fp / (double)np, (t1 - t0) * 1e9 / (double)np);
		bhxh_denylist_close(dl);
		return 0;
	}
	fprintf(stderr, "usage: dl_bench gen|hibp N SEED TAG | probe FILTER LISTED PROBES\n");
	return 2;
}
