/* Unit tests of the denylist filter (issue 15): the binary fuse filter at
 * its boundaries (0, 1, 2, small n, duplicates, every fingerprint width,
 * both arities), its false-positive rate, SHA-1 against the standard's
 * vectors, the Have I Been Pwned input (bad lines with their numbers,
 * --min-count, CRLF), the old Bloom format still read, and opens that
 * must not hang (a FIFO) or follow a symbolic link. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denylist.h"
#include "fusefilter.h"
#include "sha1.h"

static char scratch[64];

static void setup(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/bhxh-dltest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

static uint64_t next(uint64_t *s) /* splitmix64 */
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void hex(const unsigned char *d, char *out)
{
	for (int i = 0; i < 20; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

START_TEST(sha1_vectors)
{
	static const struct {
		size_t len;
		char c;
		const char *digest;
	} v[] = {
		{ 0, 'a', "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ 55, 'a', "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
		{ 56, 'a', "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
		{ 64, 'a', "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
		{ 119, 'a', "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
	};
	unsigned char d[20];
	char h[41];
	struct bhxh_sha1 c;
	char *m = malloc(1000000);

	bhxh_sha1("abc", 3, d);
	hex(d, h);
	ck_assert_str_eq(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	bhxh_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	hex(d, h);
	ck_assert_str_eq(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	ck_assert_ptr_nonnull(m);
	memset(m, 'a', 1000000);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bhxh_sha1(m, v[i].len, d);
		hex(d, h);
		ck_assert_str_eq(h, v[i].digest);
	}
	/* a million 'a', fed in uneven pieces */
	bhxh_sha1_init(&c);
	for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 7 % 1000 + 1)
		bhxh_sha1_update(&c, m + off, off + step > 1000000 ? 1000000 - off : step);
	bhxh_sha1_final(&c, d);
	hex(d, h);
	ck_assert_str_eq(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(m);
}
END_TEST

/* Build from n keys (copied: the build sorts them), check every key. */
static void build_and_find(const uint64_t *keys, size_t n, unsigned arity, unsigned bits,
			   size_t distinct)
{
	uint64_t *k = malloc((n + 1) * sizeof(*k));
	struct bhxh_fuse f;
	size_t m = 12345;

	ck_assert_ptr_nonnull(k);
	if (n > 0)
		memcpy(k, keys, n * sizeof(*k));
	ck_assert_int_eq(bhxh_fuse_build(k, n, arity, bits, &f, &m), 0);
	ck_assert_uint_eq(m, distinct);
	ck_assert(bhxh_fuse_valid(&f));
	ck_assert_uint_eq(f.arity, arity);
	ck_assert_uint_eq(f.bits, bits);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(bhxh_fuse_contains(&f, keys[i]), "n=%zu arity=%u bits=%u key %zu lost",
			      n, arity, bits, i);
	if (n == 0) {
		ck_assert_uint_eq(f.slots, 0);
		ck_assert(!bhxh_fuse_contains(&f, 0));
		ck_assert(!bhxh_fuse_contains(&f, 42));
	}
	free((void *)(uintptr_t)f.fp);
	free(k);
}

START_TEST(fuse_boundary_sizes)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 10, 31, 100, 1000, 4099, 50000 };
	static const unsigned widths[] = { 8, 12, 16, 24, 30, 32 };
	uint64_t *keys = malloc(50000 * sizeof(*keys)), s = 7;

	ck_assert_ptr_nonnull(keys);
	for (size_t i = 0; i < 50000; i++)
		keys[i] = next(&s);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (unsigned a = 3; a <= 4; a++)
			for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
				build_and_find(keys, sizes[i], a, widths[w], sizes[i]);
	/* keys that are not uniform (small integers) still build */
	for (size_t i = 0; i < 1000; i++)
		keys[i] = i;
	build_and_find(keys, 1000, 3, 16, 1000);
	free(keys);
}
END_TEST

START_TEST(fuse_duplicates)
{
	uint64_t keys[64], s = 99;
	struct bhxh_fuse f;

	/* one key five times */
	for (int i = 0; i < 5; i++)
		keys[i] = 0x1234567890abcdefULL;
	build_and_find(keys, 5, 3, 16, 1);
	/* 40 keys, each of the first 20 twice */
	for (int i = 0; i < 20; i++)
		keys[i] = keys[20 + i] = next(&s);
	build_and_find(keys, 40, 3, 16, 20);
	build_and_find(keys, 40, 4, 30, 20);
	/* bad parameters */
	ck_assert_int_eq(bhxh_fuse_layout(10, 2, 16, &f), -EINVAL);
	ck_assert_int_eq(bhxh_fuse_layout(10, 3, 7, &f), -EINVAL);
	ck_assert_int_eq(bhxh_fuse_layout(10, 3, 33, &f), -EINVAL);
}
END_TEST

/* The rates the man page states: 2^-16 and 2^-30. */
START_TEST(fuse_false_positive_rate)
{
	enum { N = 200000, PROBES = 1000000 };
	uint64_t *keys = malloc(N * sizeof(*keys)), s = 2026;
	struct bhxh_fuse f, g;
	size_t m, fp16 = 0, fp30 = 0;

	ck_assert_ptr_nonnull(keys);
	for (size_t i = 0; i < N; i++)
		keys[i] = next(&s);
	ck_assert_int_eq(bhxh_fuse_build(keys, N, 3, 16, &f, &m), 0);
	s = 2026; /* the build sorted the keys: make them again */
	for (size_t i = 0; i < N; i++)
		keys[i] = next(&s);
	ck_assert_int_eq(bhxh_fuse_build(keys, N, 4, 30, &g, &m), 0);
	/* space: 16 bits x 1.125+ slots, 30 bits x 1.075+ */
	ck_assert_uint_le(bhxh_fuse_payload_bytes(&f), (uint64_t)N * 24 / 10);
	ck_assert_uint_le(bhxh_fuse_payload_bytes(&g), (uint64_t)N * 42 / 10);
	for (size_t i = 0; i < PROBES; i++) {
		uint64_t k = next(&s); /* past the N keys of the same sequence */

		fp16 += bhxh_fuse_contains(&f, k);
		fp30 += bhxh_fuse_contains(&g, k);
	}
	/* expected 15.3 and 0.001 */
	ck_assert_msg(fp16 <= 40, "16-bit: %zu false positives of %d", fp16, PROBES);
	ck_assert_msg(fp30 <= 1, "30-bit: %zu false positives of %d", fp30, PROBES);
	free((void *)(uintptr_t)f.fp);
	free((void *)(uintptr_t)g.fp);
	free(keys);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(text_list_and_old_format)
{
	static const char *const w[] = { "matkhau123", "anhyeuem", "P@ssw0rd", "anhyeuem", "" };
	char path[128], list[128];
	struct bhxh_dl_opts bloom = { .filter = BHXH_DL_BLOOM, .bits = 16 };
	struct bhxh_dl_stats st;
	struct bhxh_denylist *dl = NULL;

	snprintf(path, sizeof(path), "%s/dl", scratch);
	snprintf(list, sizeof(list), "%s/list", scratch);
	/* format 2 from memory: duplicates once, empty lines skipped */
	ck_assert_int_eq(bhxh_denylist_build_mem(w, 5, path, 16, &st), 0);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_uint_eq(st.duplicates, 1);
	ck_assert_uint_eq(st.skipped, 1);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), 0);
	ck_assert_uint_eq(bhxh_denylist_version(dl), 2);
	ck_assert_uint_eq(bhxh_denylist_key_kind(dl), BHXH_DL_KEY_TEXT);
	ck_assert(bhxh_denylist_contains(dl, "MATKHAU123", 10)); /* case-folded */
	ck_assert(bhxh_denylist_contains(dl, "p@ssw0rd", 8));
	ck_assert(!bhxh_denylist_contains(dl, "Dung-Mat-Khau-7", 15));
	bhxh_denylist_close(dl);
	/* the old Bloom format (version 1) is still read */
	write_file(list, "matkhau123\nanhyeuem\r\nP@ssw0rd\n\n");
	ck_assert_int_eq(bhxh_denylist_build_opts(list, path, &bloom, &st), 0);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), 0);
	ck_assert_uint_eq(bhxh_denylist_version(dl), 1);
	ck_assert(bhxh_denylist_contains(dl, "anhyeuem", 8));
	ck_assert(bhxh_denylist_contains(dl, "p@ssw0rd", 8));
	bhxh_denylist_close(dl);
	/* an empty list gives a filter that finds nothing */
	write_file(list, "");
	ck_assert_int_eq(bhxh_denylist_build(list, path, 16, &st), 0);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.file_bytes, BHXH_DL_HEADER);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), 0);
	ck_assert(!bhxh_denylist_contains(dl, "anhyeuem", 8));
	ck_assert(!bhxh_denylist_contains(dl, "", 0));
	bhxh_denylist_close(dl);
}
END_TEST

START_TEST(hibp_input)
{
	char path[128], list[128];
	struct bhxh_dl_opts o = { .input = BHXH_DL_IN_HIBP_SHA1, .min_count = 10 };
	struct bhxh_dl_stats st;
	struct bhxh_denylist *dl = NULL;

	snprintf(path, sizeof(path), "%s/dl", scratch);
	snprintf(list, sizeof(list), "%s/pwned.txt", scratch);
	write_file(list,
		   "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:9545824\r\n"  /* password */
		   "7C4A8D09CA3762AF61E59520943DC26494F8941B:5\r\n"        /* 123456, count 5 */
		   "7ca6d19c27d2b649ae7806d57bd963a1ed8d3f58:12\n"         /* lower case */
		   "7CA6D19C27D2B649AE7806D57BD963A1ED8D3F5:12\n"          /* 39 digits */
		   "ZZA6D19C27D2B649AE7806D57BD963A1ED8D3F58:12\n"         /* not hex */
		   "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8\n"            /* no count */
		   "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:0\n"          /* count 0 */
		   "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:99999999999999999999999\n"
		   "\n"
		   "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:12\n");       /* duplicate */
	ck_assert_int_eq(bhxh_denylist_build_opts(list, path, &o, &st), 0);
	ck_assert_uint_eq(st.lines, 10);
	ck_assert_uint_eq(st.entries, 2);
	ck_assert_uint_eq(st.duplicates, 1);
	ck_assert_uint_eq(st.skipped, 2); /* count 5 < 10, the empty line */
	ck_assert_uint_eq(st.bad, 5);
	ck_assert_uint_eq(st.bad_lines[0], 4);
	ck_assert_uint_eq(st.bad_lines[1], 5);
	ck_assert_uint_eq(st.bad_lines[2], 6);
	ck_assert_uint_eq(st.bad_lines[3], 7);
	ck_assert_uint_eq(st.bad_lines[4], 8);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), 0);
	ck_assert_uint_eq(bhxh_denylist_key_kind(dl), BHXH_DL_KEY_SHA1);
	/* the checker hashes the exact bytes: no case folding */
	ck_assert(bhxh_denylist_contains(dl, "password", 8));
	ck_assert(bhxh_denylist_contains(dl, "Mat-Khau-Ro-Ri", 14));
	ck_assert(!bhxh_denylist_contains(dl, "PASSWORD", 8));
	ck_assert(!bhxh_denylist_contains(dl, "123456", 6)); /* under --min-count */
	bhxh_denylist_close(dl);
	/* the Bloom filter takes text only */
	o.filter = BHXH_DL_BLOOM;
	ck_assert_int_eq(bhxh_denylist_build_opts(list, path, &o, &st), -EINVAL);
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
	_exit(3); /* the open hung */
}

START_TEST(open_never_hangs)
{
	char path[128], link[128];
	struct bhxh_denylist *dl = NULL;

	snprintf(path, sizeof(path), "%s/fifo", scratch);
	snprintf(link, sizeof(link), "%s/link", scratch);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	signal(SIGALRM, on_alarm);
	alarm(5);
	ck_assert_int_eq(bhxh_denylist_open(path, true, &dl), -EINVAL);
	/* the builder refuses a FIFO too, at once */
	ck_assert_int_eq(bhxh_denylist_build(path, link, 16, NULL), -EINVAL);
	alarm(0);
	ck_assert_int_eq(symlink("/etc/passwd", link), 0);
	ck_assert_int_eq(bhxh_denylist_open(link, true, &dl), -ELOOP);
	ck_assert_int_eq(bhxh_denylist_open("/dev/null", true, &dl), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("denylist");
	TCase *tc = tcase_create("denylist");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sha1_vectors);
	tcase_add_test(tc, fuse_boundary_sizes);
	tcase_add_test(tc, fuse_duplicates);
	tcase_add_test(tc, fuse_false_positive_rate);
	tcase_add_test(tc, text_list_and_old_format);
	tcase_add_test(tc, hibp_input);
	tcase_add_test(tc, open_never_hangs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
