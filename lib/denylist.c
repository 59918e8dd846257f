/* Leaked-password denylist: blocked Bloom filter (see denylist.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denylist.h"
#include "util.h"

static const char magic[8] = "BHXHDNY";

struct bhxh_denylist {
	const unsigned char *map;
	size_t maplen;
	const unsigned char *blocks;
	uint64_t nblocks;
	uint64_t entries;
	uint64_t seed;
	unsigned k;
};

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static unsigned char fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* A seeded 64-bit hash of the case-folded bytes: 8-byte words mixed with
 * multiply-rotate, a murmur3 finaliser at the end.  Not cryptographic: the
 * filter holds public lists, the seed only decorrelates files. */
static uint64_t dl_hash(uint64_t seed, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
	size_t i = 0;

	while (i < len) {
		uint64_t w = 0;

		for (size_t j = 0; j < 8 && i < len; j++, i++)
			w |= (uint64_t)fold(p[i]) << (8 * j);
		w *= 0x87c37b91114253d5ULL;
		w = (w << 31) | (w >> 33);
		h ^= w * 0x4cf5ad432745937fULL;
		h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
	}
	return fmix64(h);
}

/* The block and the k bit positions of one entry.  Positions use double
 * hashing inside the block with an odd step, so they are all distinct. */
static void dl_probe(uint64_t h, uint64_t nblocks, uint64_t *blk, unsigned *pos0,
		     unsigned *step)
{
	uint64_t g = fmix64(h ^ 0x2545f4914f6cdd1dULL);

	*blk = (uint64_t)(((unsigned __int128)h * nblocks) >> 64);
	*pos0 = (unsigned)(g & 511);
	*step = (unsigned)((g >> 9) & 511) | 1;
}

static unsigned best_k(unsigned bits)
{
	/* k = bits * ln 2, capped: more probes in a 512-bit block stop paying */
	unsigned k = (bits * 693 + 500) / 1000;

	return k < 1 ? 1 : (k > 12 ? 12 : k);
}

static void dl_insert(unsigned char *blocks, uint64_t nblocks, unsigned k, uint64_t seed,
		      const char *s, size_t len)
{
	uint64_t blk;
	unsigned pos, step;
	unsigned char *b;

	dl_probe(dl_hash(seed, s, len), nblocks, &blk, &pos, &step);
	b = blocks + blk * BHXH_DL_BLOCK;
	for (unsigned i = 0; i < k; i++, pos = (pos + step) & 511)
		b[pos >> 3] |= (unsigned char)(1u << (pos & 7));
}

bool bhxh_denylist_contains(const struct bhxh_denylist *dl, const char *s, size_t len)
{
	uint64_t blk;
	unsigned pos, step, miss = 0;
	const unsigned char *b;

	if (dl == NULL || dl->nblocks == 0)
		return false;
	dl_probe(dl_hash(dl->seed, s, len), dl->nblocks, &blk, &pos, &step);
	b = dl->blocks + blk * BHXH_DL_BLOCK;
	/* no early exit: the same work for listed and unlisted candidates */
	for (unsigned i = 0; i < dl->k; i++, pos = (pos + step) & 511)
		miss |= ~(unsigned)b[pos >> 3] & (1u << (pos & 7));
	return miss == 0;
}

uint64_t bhxh_denylist_entries(const struct bhxh_denylist *dl)
{
	return dl ? dl->entries : 0;
}

uint64_t bhxh_denylist_bytes(const struct bhxh_denylist *dl)
{
	return dl ? dl->maplen : 0;
}

/* Write header + blocks to out atomically. */
static int write_filter(const char *out, unsigned char *blocks, uint64_t nblocks,
			uint64_t entries, unsigned k, unsigned bits, uint64_t seed)
{
	unsigned char hdr[BHXH_DL_HEADER];
	char tmp[4096];
	size_t len = (size_t)nblocks * BHXH_DL_BLOCK;
	int fd = -1, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", out) >= sizeof(tmp))
		return -ENAMETOOLONG;
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, magic, 8);
	put32(hdr + 8, BHXH_DL_VERSION);
	put32(hdr + 12, k);
	put64(hdr + 16, nblocks);
	put64(hdr + 24, entries);
	put64(hdr + 32, seed);
	put32(hdr + 40, bhxh_crc32(0, blocks, len));
	put32(hdr + 44, bits);
	put32(hdr + 60, bhxh_crc32(0, hdr, 60));

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < sizeof(hdr) + len;) {
		const unsigned char *src = off < sizeof(hdr) ? hdr + off : blocks + (off - sizeof(hdr));
		size_t n = off < sizeof(hdr) ? sizeof(hdr) - off : len - (off - sizeof(hdr));
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

static int alloc_blocks(uint64_t n, unsigned bits, unsigned char **ret, uint64_t *ret_nblocks)
{
	uint64_t nblocks = (n * bits + 511) / 512;

	if (nblocks == 0)
		nblocks = 1;
	if (nblocks > SIZE_MAX / BHXH_DL_BLOCK)
		return -E2BIG;
	*ret = calloc((size_t)nblocks, BHXH_DL_BLOCK);
	if (*ret == NULL)
		return -ENOMEM;
	*ret_nblocks = nblocks;
	return 0;
}

/* A fixed seed: the same list always gives the same file (reproducible
 * builds), so which rare passwords are false positives does not change from
 * one build to the next.  The seed stays in the header for other builders. */
static uint64_t make_seed(void)
{
	return 0x6a09e667f3bcc908ULL;
}

int bhxh_denylist_build_mem(const char *const *words, size_t n, const char *out,
			    unsigned bits, struct bhxh_dl_stats *ret_stats)
{
	unsigned char *blocks = NULL;
	uint64_t nblocks, seed = make_seed(), entries = 0;
	unsigned k = best_k(bits);
	int r;

	if (bits < 8 || bits > 32)
		return -EINVAL;
	r = alloc_blocks(n, bits, &blocks, &nblocks);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(words[i]);

		if (len == 0 || len > BHXH_PASS_MAX)
			continue;
		dl_insert(blocks, nblocks, k, seed, words[i], len);
		entries++;
	}
	r = write_filter(out, blocks, nblocks, entries, k, bits, seed);
	if (r == 0 && ret_stats != NULL) {
		ret_stats->entries = entries;
		ret_stats->skipped = n - entries;
		ret_stats->file_bytes = BHXH_DL_HEADER + nblocks * BHXH_DL_BLOCK;
	}
	free(blocks);
	return r;
}

/* One line at a time, without the newline (and a CR before it); lines
 * longer than BHXH_PASS_MAX are reported with *too_long and skipped. */
static ssize_t next_line(FILE *f, char **buf, size_t *cap, bool *too_long)
{
	ssize_t n = getline(buf, cap, f);

	if (n < 0)
		return -1;
	while (n > 0 && ((*buf)[n - 1] == '\n' || (*buf)[n - 1] == '\r'))
		(*buf)[--n] = '\0';
	*too_long = n > BHXH_PASS_MAX;
	return n;
}

int bhxh_denylist_build(const char *list, const char *out, unsigned bits,
			struct bhxh_dl_stats *ret_stats)
{
	unsigned char *blocks = NULL;
	uint64_t nblocks = 0, seed = make_seed(), count = 0, entries = 0, skipped = 0;
	unsigned k = best_k(bits);
	char *line = NULL;
	size_t cap = 0;
	bool too_long;
	ssize_t n;
	struct stat st;
	FILE *f = NULL;
	int r = 0;

	if (bits < 8 || bits > 32)
		return -EINVAL;
	f = fopen(list, "re");
	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	while ((n = next_line(f, &line, &cap, &too_long)) >= 0)
		if (n > 0 && !too_long)
			count++;
	if (ferror(f)) {
		r = -EIO;
		goto out;
	}
	r = alloc_blocks(count, bits, &blocks, &nblocks);
	if (r < 0)
		goto out;
	rewind(f);
	while ((n = next_line(f, &line, &cap, &too_long)) >= 0) {
		if (n == 0 || too_long) {
			skipped++;
			continue;
		}
		dl_insert(blocks, nblocks, k, seed, line, (size_t)n);
		entries++;
	}
	if (ferror(f) || entries != count) {
		r = -EIO; /* the list changed under us */
		goto out;
	}
	r = write_filter(out, blocks, nblocks, entries, k, bits, seed);
	if (r == 0 && ret_stats != NULL) {
		ret_stats->entries = entries;
		ret_stats->skipped = skipped;
		ret_stats->file_bytes = BHXH_DL_HEADER + nblocks * BHXH_DL_BLOCK;
	}
out:
	free(blocks);
	free(line);
	fclose(f);
	return r;
}

int bhxh_denylist_open(const char *path, bool verify_payload, struct bhxh_denylist **ret)
{
	struct bhxh_denylist *dl = NULL;
	const unsigned char *h;
	struct stat st;
	void *map = MAP_FAILED;
	uint64_t nblocks;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < BHXH_DL_HEADER + BHXH_DL_BLOCK) {
		r = -EBADMSG;
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		r = -EPERM;
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	h = map;
	nblocks = get64(h + 16);
	if (memcmp(h, magic, 8) != 0 || get32(h + 60) != bhxh_crc32(0, h, 60)) {
		r = -EBADMSG;
		goto out;
	}
	if (get32(h + 8) != BHXH_DL_VERSION) {
		r = -EPROTONOSUPPORT;
		goto out;
	}
	if (get32(h + 12) < 1 || get32(h + 12) > 32 || nblocks == 0 ||
	    nblocks > ((uint64_t)st.st_size - BHXH_DL_HEADER) / BHXH_DL_BLOCK ||
	    (uint64_t)st.st_size != BHXH_DL_HEADER + nblocks * BHXH_DL_BLOCK) {
		r = -EBADMSG;
		goto out;
	}
	if (verify_payload &&
	    bhxh_crc32(0, h + BHXH_DL_HEADER, (size_t)(nblocks * BHXH_DL_BLOCK)) != get32(h + 40)) {
		r = -EBADMSG;
		goto out;
	}
	dl = calloc(1, sizeof(*dl));
	if (dl == NULL) {
		r = -ENOMEM;
		goto out;
	}
	dl->map = map;
	dl->maplen = (size_t)st.st_size;
	dl->blocks = h + BHXH_DL_HEADER;
	dl->nblocks = nblocks;
	dl->entries = get64(h + 24);
	dl->seed = get64(h + 32);
	dl->k = get32(h + 12);
	map = MAP_FAILED;
	*ret = dl;
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return r;
}

void bhxh_denylist_close(struct bhxh_denylist *dl)
{
	if (dl == NULL)
		return;
	munmap((void *)(uintptr_t)dl->map, dl->maplen);
	free(dl);
}
