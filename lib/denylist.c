/* Leaked-password denylist: the reader of both formats (see denylist.h).
 * The builders are in denylist_build.c (bhxhctl only). */
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
#include "fusefilter.h"
#include "sha1.h"
#include "util.h"

static const char magic[8] = "BHXHDNY";

struct bhxh_denylist {
	const unsigned char *map;
	size_t maplen;
	unsigned version;
	unsigned kind;  /* BHXH_DL_KEY_* */
	unsigned bits;
	uint64_t entries;
	/* version 1 */
	const unsigned char *blocks;
	uint64_t nblocks;
	uint64_t seed;
	unsigned k;
	/* version 2 */
	struct bhxh_fuse fuse;
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
uint64_t bhxh_dl_hash(uint64_t seed, const char *s, size_t len)
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
void bhxh_dl_probe(uint64_t h, uint64_t nblocks, uint64_t *blk, unsigned *pos0, unsigned *step)
{
	uint64_t g = fmix64(h ^ 0x2545f4914f6cdd1dULL);

	*blk = (uint64_t)(((unsigned __int128)h * nblocks) >> 64);
	*pos0 = (unsigned)(g & 511);
	*step = (unsigned)((g >> 9) & 511) | 1;
}

/* Version 2 text keys: the same hash with a fixed seed (the filter remixes
 * keys itself, see fusefilter.h). */
uint64_t bhxh_dl_text_key(const char *s, size_t len)
{
	return bhxh_dl_hash(0x510e527fade682d1ULL, s, len);
}

uint64_t bhxh_dl_sha1_key(const unsigned char digest[20])
{
	return get64(digest);
}

bool bhxh_denylist_contains(const struct bhxh_denylist *dl, const char *s, size_t len)
{
	uint64_t blk;
	unsigned pos, step, miss = 0;
	const unsigned char *b;

	if (dl == NULL)
		return false;
	if (dl->version == BHXH_DL_VERSION) {
		unsigned char d[BHXH_SHA1_LEN];
		uint64_t key;
		bool hit;

		if (dl->kind == BHXH_DL_KEY_TEXT)
			return bhxh_fuse_contains(&dl->fuse, bhxh_dl_text_key(s, len));
		bhxh_sha1(s, len, d);
		key = bhxh_dl_sha1_key(d);
		hit = bhxh_fuse_contains(&dl->fuse, key);
		bhxh_wipe(d, sizeof(d)); /* a hash of a password */
		bhxh_wipe(&key, sizeof(key));
		return hit;
	}
	if (dl->nblocks == 0)
		return false;
	bhxh_dl_probe(bhxh_dl_hash(dl->seed, s, len), dl->nblocks, &blk, &pos, &step);
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

unsigned bhxh_denylist_version(const struct bhxh_denylist *dl)
{
	return dl ? dl->version : 0;
}

unsigned bhxh_denylist_key_kind(const struct bhxh_denylist *dl)
{
	return dl ? dl->kind : 0;
}

unsigned bhxh_denylist_bits(const struct bhxh_denylist *dl)
{
	return dl ? dl->bits : 0;
}

/* Version 1 header: 0 and the payload length, or -EBADMSG. */
static int parse_v1(struct bhxh_denylist *dl, const unsigned char *h, uint64_t size,
		    uint64_t *ret_payload)
{
	uint64_t nblocks = get64(h + 16);

	if (get32(h + 12) < 1 || get32(h + 12) > 32 || nblocks == 0 ||
	    nblocks > (size - BHXH_DL_HEADER) / BHXH_DL_BLOCK ||
	    size != BHXH_DL_HEADER + nblocks * BHXH_DL_BLOCK)
		return -EBADMSG;
	dl->version = BHXH_DL_VERSION_BLOOM;
	dl->kind = BHXH_DL_KEY_TEXT;
	dl->blocks = h + BHXH_DL_HEADER;
	dl->nblocks = nblocks;
	dl->entries = get64(h + 24);
	dl->seed = get64(h + 32);
	dl->k = get32(h + 12);
	dl->bits = get32(h + 44);
	*ret_payload = nblocks * BHXH_DL_BLOCK;
	return 0;
}

static int parse_v2(struct bhxh_denylist *dl, const unsigned char *h, uint64_t size,
		    uint64_t *ret_payload)
{
	struct bhxh_fuse *f = &dl->fuse;
	uint64_t round = get64(h + 24);

	dl->kind = get32(h + 12);
	if (dl->kind != BHXH_DL_KEY_TEXT && dl->kind != BHXH_DL_KEY_SHA1)
		return -EBADMSG;
	f->bits = get32(h + 36);
	f->arity = get32(h + 40);
	f->seglen = get32(h + 44);
	f->segcount = get32(h + 48);
	f->slots = get32(h + 52);
	if (round > UINT32_MAX || !bhxh_fuse_valid(f) ||
	    size != BHXH_DL_HEADER + bhxh_fuse_payload_bytes(f))
		return -EBADMSG;
	f->round = (uint32_t)round;
	f->fp = h + BHXH_DL_HEADER;
	dl->version = BHXH_DL_VERSION;
	dl->entries = get64(h + 16);
	dl->bits = f->bits;
	*ret_payload = bhxh_fuse_payload_bytes(f);
	return 0;
}

int bhxh_denylist_open(const char *path, bool verify_payload, struct bhxh_denylist **ret)
{
	struct bhxh_denylist *dl = NULL;
	const unsigned char *h;
	struct stat st;
	void *map = MAP_FAILED;
	uint64_t payload = 0;
	int fd, r = 0;

	/* O_NONBLOCK: a FIFO planted at the path must not hang a password
	 * change; it is refused below like any other non-regular file */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if (st.st_size < BHXH_DL_HEADER) {
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
	if (memcmp(h, magic, 8) != 0 || get32(h + 60) != bhxh_crc32(0, h, 60)) {
		r = -EBADMSG;
		goto out;
	}
	dl = calloc(1, sizeof(*dl));
	if (dl == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (get32(h + 8) == BHXH_DL_VERSION_BLOOM)
		r = parse_v1(dl, h, (uint64_t)st.st_size, &payload);
	else if (get32(h + 8) == BHXH_DL_VERSION)
		r = parse_v2(dl, h, (uint64_t)st.st_size, &payload);
	else
		r = -EPROTONOSUPPORT;
	if (r < 0)
		goto out;
	if (verify_payload && bhxh_crc32(0, h + BHXH_DL_HEADER, (size_t)payload) !=
				      get32(h + (dl->version == BHXH_DL_VERSION ? 32 : 40))) {
		r = -EBADMSG;
		goto out;
	}
	dl->map = map;
	dl->maplen = (size_t)st.st_size;
	map = MAP_FAILED;
	*ret = dl;
	dl = NULL;
out:
	free(dl);
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
