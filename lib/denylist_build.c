/* Denylist builders (bhxhctl only; never linked into the PAM module): a
 * text list or Have I Been Pwned's "HASH:COUNT" list, read as a stream,
 * into a binary fuse filter (version 2) or, on request, the old blocked
 * Bloom filter (version 1).  See denylist.h for the formats. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denylist.h"
#include "fusefilter.h"
#include "util.h"

static const char magic[8] = "BHXHDNY";

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Write header + payload to out atomically. */
static int write_file(const char *out, unsigned char hdr[BHXH_DL_HEADER],
		      const unsigned char *payload, size_t len)
{
	char tmp[4096];
	int fd = -1, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", out) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < BHXH_DL_HEADER + len;) {
		const unsigned char *src = off < BHXH_DL_HEADER ? hdr + off
								: payload + (off - BHXH_DL_HEADER);
		size_t n = off < BHXH_DL_HEADER ? BHXH_DL_HEADER - off
						: len - (off - BHXH_DL_HEADER);
		ssize_t w = write(fd, src, n > (1u << 20) ? (1u << 20) : n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, out) < 0)
		r = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(tmp);
	return r;
}

/* ---- keys ---------------------------------------------------------------- */

struct keys {
	uint64_t *v;
	size_t n, cap;
};

static int add_key(struct keys *k, uint64_t key)
{
	if (k->n == k->cap) {
		/* realloc of a large block moves pages (mremap), it does not
		 * copy: growing by half keeps the peak near the final size */
		size_t cap = k->cap < 4096 ? 4096 : k->cap + k->cap / 2;
		uint64_t *v = realloc(k->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = key;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "HEX40:COUNT" (HIBP's SHA-1 list; upper or lower case hex, a CR before
 * the newline allowed).  1 and the key and count, 0 for a malformed line. */
static int parse_hibp(const char *s, size_t len, uint64_t *ret_key, uint64_t *ret_count)
{
	unsigned char d[20];
	uint64_t count;

	if (len < 42 || s[40] != ':')
		return 0;
	for (int i = 0; i < 20; i++) {
		int hi = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		d[i] = (unsigned char)(hi << 4 | lo);
	}
	if (len - 41 > 20)
		return 0;
	{
		char num[24];

		memcpy(num, s + 41, len - 41);
		num[len - 41] = '\0';
		if (bhxh_parse_uint(num, 1, UINT64_MAX, &count) < 0)
			return 0;
	}
	*ret_key = bhxh_dl_sha1_key(d);
	*ret_count = count;
	return 1;
}

/* Read the list once; keys for the fuse filter.  Lines are wiped after use
 * (a text list holds passwords). */
static int read_keys(FILE *f, const struct bhxh_dl_opts *o, struct keys *k,
		     struct bhxh_dl_stats *st)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = 0;

	while ((n = getline(&line, &cap, f)) >= 0) {
		uint64_t key, count;

		st->lines++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (o->input == BHXH_DL_IN_HIBP_SHA1) {
			if (n == 0) {
				st->skipped++;
				continue;
			}
			if (!parse_hibp(line, (size_t)n, &key, &count)) {
				if (st->bad < BHXH_DL_BAD_LINES_MAX)
					st->bad_lines[st->bad] = st->lines;
				st->bad++;
				continue;
			}
			if (count < o->min_count) {
				st->skipped++;
				continue;
			}
		} else {
			if (n == 0 || n > BHXH_PASS_MAX) {
				st->skipped++;
				continue;
			}
			key = bhxh_dl_text_key(line, (size_t)n);
		}
		r = add_key(k, key);
		if (r < 0)
			break;
	}
	if (r == 0 && ferror(f))
		r = -EIO;
	if (line != NULL) {
		bhxh_wipe(line, cap);
		free(line);
	}
	return r;
}

static int write_fuse(const char *out, const struct bhxh_fuse *fu, unsigned kind,
		      uint64_t entries, struct bhxh_dl_stats *st)
{
	unsigned char hdr[BHXH_DL_HEADER];
	size_t len = (size_t)bhxh_fuse_payload_bytes(fu);
	int r;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, magic, 8);
	put32(hdr + 8, BHXH_DL_VERSION);
	put32(hdr + 12, kind);
	put64(hdr + 16, entries);
	put64(hdr + 24, fu->round);
	put32(hdr + 32, bhxh_crc32(0, fu->fp, len));
	put32(hdr + 36, fu->bits);
	put32(hdr + 40, fu->arity);
	put32(hdr + 44, fu->seglen);
	put32(hdr + 48, fu->segcount);
	put32(hdr + 52, fu->slots);
	put32(hdr + 60, bhxh_crc32(0, hdr, 60));
	r = write_file(out, hdr, fu->fp, len);
	if (r == 0)
		st->file_bytes = BHXH_DL_HEADER + len;
	return r;
}

static int build_fuse(struct keys *k, const char *out, const struct bhxh_dl_opts *o,
		      struct bhxh_dl_stats *st)
{
	struct bhxh_fuse fu;
	size_t distinct;
	int r;

	r = bhxh_fuse_build(k->v, k->n, o->arity ? o->arity : 3,
			    o->bits ? o->bits : BHXH_DL_BITS_DEFAULT, &fu, &distinct);
	if (r < 0)
		return r;
	free(k->v); /* the keys are not needed to write the file */
	k->v = NULL;
	st->entries = distinct;
	st->duplicates = k->n - distinct;
	r = write_fuse(out, &fu, o->input == BHXH_DL_IN_HIBP_SHA1 ? BHXH_DL_KEY_SHA1
								 : BHXH_DL_KEY_TEXT,
		       distinct, st);
	free((void *)(uintptr_t)fu.fp);
	return r;
}

/* ---- version 1: blocked Bloom filter ------------------------------------- */

/* A fixed seed: the same list always gives the same file (reproducible
 * builds), so which rare passwords are false positives does not change from
 * one build to the next. */
#define BLOOM_SEED 0x6a09e667f3bcc908ULL

static unsigned best_k(unsigned bits)
{
	/* k = bits * ln 2, capped: more probes in a 512-bit block stop paying */
	unsigned k = (bits * 693 + 500) / 1000;

	return k < 1 ? 1 : (k > 12 ? 12 : k);
}

struct bloom {
	unsigned char *blocks;
	uint64_t nblocks;
	unsigned k, bits;
	uint64_t entries;
};

static int bloom_init(struct bloom *b, uint64_t n, unsigned bits)
{
	uint64_t nblocks = (n * bits + 511) / 512;

	memset(b, 0, sizeof(*b));
	if (nblocks == 0)
		nblocks = 1;
	if (nblocks > SIZE_MAX / BHXH_DL_BLOCK)
		return -E2BIG;
	b->blocks = calloc((size_t)nblocks, BHXH_DL_BLOCK);
	if (b->blocks == NULL)
		return -ENOMEM;
	b->nblocks = nblocks;
	b->k = best_k(bits);
	b->bits = bits;
	return 0;
}

static void bloom_add(struct bloom *b, const char *s, size_t len)
{
	uint64_t blk;
	unsigned pos, step;
	unsigned char *p;

	bhxh_dl_probe(bhxh_dl_hash(BLOOM_SEED, s, len), b->nblocks, &blk, &pos, &step);
	p = b->blocks + blk * BHXH_DL_BLOCK;
	for (unsigned i = 0; i < b->k; i++, pos = (pos + step) & 511)
		p[pos >> 3] |= (unsigned char)(1u << (pos & 7));
	b->entries++;
}

static int bloom_write(const char *out, struct bloom *b, struct bhxh_dl_stats *st)
{
	unsigned char hdr[BHXH_DL_HEADER];
	size_t len = (size_t)b->nblocks * BHXH_DL_BLOCK;
	int r;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, magic, 8);
	put32(hdr + 8, BHXH_DL_VERSION_BLOOM);
	put32(hdr + 12, b->k);
	put64(hdr + 16, b->nblocks);
	put64(hdr + 24, b->entries);
	put64(hdr + 32, BLOOM_SEED);
	put32(hdr + 40, bhxh_crc32(0, b->blocks, len));
	put32(hdr + 44, b->bits);
	put32(hdr + 60, bhxh_crc32(0, hdr, 60));
	r = write_file(out, hdr, b->blocks, len);
	if (r == 0) {
		st->entries = b->entries;
		st->file_bytes = BHXH_DL_HEADER + len;
	}
	return r;
}

/* The Bloom filter is sized before it is filled: the list is read twice,
 * so it must be a regular file (text lists only). */
static int build_bloom_file(FILE *f, const char *out, unsigned bits, struct bhxh_dl_stats *st)
{
	struct bloom b = { 0 };
	char *line = NULL;
	size_t cap = 0;
	uint64_t count = 0;
	ssize_t n;
	int r;

	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n > 0 && n <= BHXH_PASS_MAX)
			count++;
	}
	if (ferror(f) || fseek(f, 0, SEEK_SET) < 0) {
		r = -EIO;
		goto out;
	}
	r = bloom_init(&b, count, bits);
	if (r < 0)
		goto out;
	while ((n = getline(&line, &cap, f)) >= 0) {
		st->lines++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0 || n > BHXH_PASS_MAX) {
			st->skipped++;
			continue;
		}
		bloom_add(&b, line, (size_t)n);
	}
	if (ferror(f) || b.entries != count) {
		r = -EIO; /* the list changed under us */
		goto out;
	}
	r = bloom_write(out, &b, st);
out:
	if (line != NULL) {
		bhxh_wipe(line, cap);
		free(line);
	}
	free(b.blocks);
	return r;
}

/* ---- entry points -------------------------------------------------------- */

static int check_opts(const struct bhxh_dl_opts *o)
{
	unsigned bits = o->bits ? o->bits : BHXH_DL_BITS_DEFAULT;

	if (bits < 8 || bits > 32 || (o->arity != 0 && o->arity != 3 && o->arity != 4))
		return -EINVAL;
	if (o->filter == BHXH_DL_BLOOM && o->input != BHXH_DL_IN_TEXT)
		return -EINVAL;
	return 0;
}

int bhxh_denylist_build_opts(const char *list, const char *out, const struct bhxh_dl_opts *o,
			     struct bhxh_dl_stats *ret_stats)
{
	struct bhxh_dl_stats st = { 0 };
	struct keys k = { 0 };
	struct stat sb;
	FILE *f = NULL;
	bool is_stdin = strcmp(list, "-") == 0;
	int r;

	r = check_opts(o);
	if (r < 0)
		return r;
	if (is_stdin)
		f = stdin;
	else {
		/* non-blocking open: a FIFO given by mistake is refused at
		 * once; the descriptor is made blocking again to read */
		int fd = open(list, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

		if (fd < 0)
			return -errno;
		if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
		    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
			close(fd);
			return -EINVAL;
		}
		f = fdopen(fd, "r");
		if (f == NULL) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	if (o->filter == BHXH_DL_BLOOM) {
		r = is_stdin ? -EINVAL
			     : build_bloom_file(f, out, o->bits ? o->bits : BHXH_DL_BITS_DEFAULT, &st);
	} else {
		r = read_keys(f, o, &k, &st);
		if (r == 0)
			r = build_fuse(&k, out, o, &st);
	}
	if (r == 0 && ret_stats != NULL)
		*ret_stats = st;
	free(k.v);
	if (!is_stdin)
		fclose(f);
	return r;
}

int bhxh_denylist_build(const char *list, const char *out, unsigned bits,
			struct bhxh_dl_stats *ret_stats)
{
	struct bhxh_dl_opts o = { .bits = bits };

	return bhxh_denylist_build_opts(list, out, &o, ret_stats);
}

int bhxh_denylist_build_mem_opts(const char *const *words, size_t n, const char *out,
				 const struct bhxh_dl_opts *o, struct bhxh_dl_stats *ret_stats)
{
	struct bhxh_dl_stats st = { 0 };
	struct keys k = { 0 };
	struct bloom b;
	int r;

	r = check_opts(o);
	if (r < 0 || o->input != BHXH_DL_IN_TEXT)
		return r < 0 ? r : -EINVAL;
	if (o->filter == BHXH_DL_BLOOM) {
		r = bloom_init(&b, n, o->bits ? o->bits : BHXH_DL_BITS_DEFAULT);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(words[i]);

			st.lines++;
			if (len == 0 || len > BHXH_PASS_MAX)
				st.skipped++;
			else
				bloom_add(&b, words[i], len);
		}
		r = bloom_write(out, &b, &st);
		free(b.blocks);
	} else {
		for (size_t i = 0; i < n && r == 0; i++) {
			size_t len = strlen(words[i]);

			st.lines++;
			if (len == 0 || len > BHXH_PASS_MAX)
				st.skipped++;
			else
				r = add_key(&k, bhxh_dl_text_key(words[i], len));
		}
		if (r == 0)
			r = build_fuse(&k, out, o, &st);
		free(k.v);
	}
	if (r == 0 && ret_stats != NULL)
		*ret_stats = st;
	return r;
}

int bhxh_denylist_build_mem(const char *const *words, size_t n, const char *out, unsigned bits,
			    struct bhxh_dl_stats *ret_stats)
{
	struct bhxh_dl_opts o = { .bits = bits };

	return bhxh_denylist_build_mem_opts(words, n, out, &o, ret_stats);
}
