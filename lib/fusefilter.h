/* Binary fuse filter (Graf and Lemire, "Binary Fuse Filters: Fast and
 * Smaller Than Xor Filters", ACM JEA 2022), written for this project.
 *
 * A set of n 64-bit keys becomes an array of `slots` fingerprints of
 * `bits` bits (slots ~ 1.125 n for arity 3, ~1.075 n for arity 4).  Each
 * key h maps to `arity` slots, one in each of `arity` consecutive segments
 * of `seglen` slots; the key is in the filter when the XOR of the
 * fingerprints in its slots equals its own fingerprint.  A key that was
 * added is always found; another is found with probability 2^-bits.  A
 * lookup reads `arity` fingerprints: with 8, 16 or 32 bits each one lies
 * in a single cache line (3 lines for arity 3).  Other widths are packed
 * bit fields (up to 5 bytes, rarely two lines).
 *
 * Keys must already be uniformly distributed (hashes).  `round` 0 uses them
 * as they are; a build that fails to peel retries with round 1, 2...,
 * which remixes every key with a bijection (so distinct keys stay
 * distinct).  Library code: nothing logged. */
#ifndef BHXH_FUSEFILTER_H
#define BHXH_FUSEFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BHXH_FUSE_SEGLEN_MAX (1u << 18)
#define BHXH_FUSE_SLOTS_MAX UINT32_MAX

struct bhxh_fuse {
	uint32_t arity;    /* 3 or 4 */
	uint32_t bits;     /* fingerprint width, 8..32 */
	uint32_t seglen;   /* slots per segment, a power of two */
	uint32_t segcount; /* segments a key's first slot may fall in */
	uint32_t slots;    /* (segcount + arity - 1) * seglen, 0 for an empty set */
	uint32_t round;    /* key remix round (see above) */
	const unsigned char *fp; /* ceil(slots * bits / 8) bytes */
};

/* Sizes for n keys: fills arity, bits, seglen, segcount, slots (round 0,
 * fp NULL).  0, or -EINVAL (arity, bits) or -E2BIG (too many slots). */
int bhxh_fuse_layout(uint64_t n, unsigned arity, unsigned bits, struct bhxh_fuse *ret);

/* Whether the parameters are consistent (a file's header). */
bool bhxh_fuse_valid(const struct bhxh_fuse *f);

/* Bytes of the fingerprint array. */
uint64_t bhxh_fuse_payload_bytes(const struct bhxh_fuse *f);

/* The key as the filter sees it in a given round. */
uint64_t bhxh_fuse_mix(uint32_t round, uint64_t key);

/* Whether key may be in the set. */
bool bhxh_fuse_contains(const struct bhxh_fuse *f, uint64_t key);

/* Build (fusefilter_build.c, administrator side).  keys[0..n) are sorted
 * and de-duplicated in place and used as scratch; on success *ret holds
 * the parameters and a malloc()ed fingerprint array (ret->fp, free it),
 * *ret_distinct the number of distinct keys.  0, -ENOMEM, -E2BIG, or
 * -EAGAIN when no round peels (not seen in practice). */
int bhxh_fuse_build(uint64_t *keys, size_t n, unsigned arity, unsigned bits,
		    struct bhxh_fuse *ret, size_t *ret_distinct);

/* Internal to the filter code (shared by the reader and the builder). */
void bhxh_fuse_slots(const struct bhxh_fuse *f, uint64_t h, uint32_t pos[4]);
uint32_t bhxh_fuse_fingerprint(const struct bhxh_fuse *f, uint64_t h);
uint32_t bhxh_fuse_get(const unsigned char *fp, unsigned bits, uint64_t i);

#endif
