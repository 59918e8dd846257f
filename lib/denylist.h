/* Leaked/common-password denylist: a filter in one file, memory-mapped
 * read-only by the password phase, built by bhxhctl denylist build.
 *
 * Version 2 (written since 0.2): a binary fuse filter (fusefilter.h).
 * All integers little-endian:
 *   0  char[8] "BHXHDNY\0"      8  u32 version (2)
 *  12  u32 key kind: 1 = text (ASCII case-folded, hashed), 2 = SHA-1
 *      (Have I Been Pwned: the first 8 bytes of the digest of the exact
 *      password bytes)
 *  16  u64 entries (distinct keys)       24  u64 round (key remix, >= 0)
 *  32  u32 crc32 of the payload          36  u32 fingerprint bits (8..32)
 *  40  u32 arity (3 or 4)                44  u32 segment length (power of 2)
 *  48  u32 segment count                 52  u32 slots
 *  56  u32 zero                          60  u32 crc32 of bytes 0..59
 *  64  payload: slots fingerprints of `bits` bits, packed little-endian
 *      (ceil(slots * bits / 8) bytes)
 * Default 16-bit fingerprints, arity 3: about 2.26 bytes per entry and a
 * false-positive rate of 2^-16 (1.5e-5), three cache lines per lookup; the
 * high-precision setting (arity 4, 30 bits) about 4.04 bytes per entry at
 * 2^-30 (9.3e-10).  See BENCHMARKS.md.
 *
 * Version 1 (still read): a blocked Bloom filter, 64-byte blocks:
 *   0  char[8] "BHXHDNY\0"     8  u32 version (1)     12 u32 k (bits probed)
 *  16  u64 nblocks            24  u64 entries        32  u64 seed
 *  40  u32 crc32 of payload   44  u32 bits per entry (as built)
 *  48  12 reserved zero bytes 60  u32 crc32 of bytes 0..59
 *  64  payload: nblocks blocks of 64 bytes (one cache line each)
 *
 * Library code: 0 or -errno, nothing logged. */
#ifndef BHXH_DENYLIST_H
#define BHXH_DENYLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BHXH_DL_VERSION 2
#define BHXH_DL_VERSION_BLOOM 1
#define BHXH_DL_HEADER 64
#define BHXH_DL_BLOCK 64
#define BHXH_DL_BITS_DEFAULT 16
#define BHXH_DL_KEY_TEXT 1
#define BHXH_DL_KEY_SHA1 2
#define BHXH_DL_BAD_LINES_MAX 10

struct bhxh_denylist; /* opaque */

enum bhxh_dl_input {
	BHXH_DL_IN_TEXT = 0,      /* one password per line */
	BHXH_DL_IN_HIBP_SHA1 = 1, /* "HEX40:COUNT" lines (Pwned Passwords, SHA-1) */
};

enum bhxh_dl_filter {
	BHXH_DL_FUSE = 0,  /* version 2 */
	BHXH_DL_BLOOM = 1, /* version 1 (for older modules and comparisons) */
};

struct bhxh_dl_opts {
	enum bhxh_dl_input input;
	enum bhxh_dl_filter filter;
	unsigned bits;      /* fingerprint bits (fuse, 8..32) or bits per entry
			     * (bloom, 8..32); 0: BHXH_DL_BITS_DEFAULT */
	unsigned arity;     /* fuse: 3 (default when 0) or 4 */
	uint64_t min_count; /* hibp: leave out lines with a smaller count */
};

struct bhxh_dl_stats {
	uint64_t entries;     /* distinct keys in the filter (bloom: lines inserted) */
	uint64_t skipped;     /* empty lines, lines over BHXH_PASS_MAX bytes, hibp
			       * counts under min_count */
	uint64_t file_bytes;
	uint64_t lines;       /* read */
	uint64_t duplicates;  /* keys given more than once (fuse) */
	uint64_t bad;         /* hibp: malformed lines, left out */
	uint64_t bad_lines[BHXH_DL_BAD_LINES_MAX]; /* the first ones' numbers */
};

/* Compile a list into a filter file written atomically (temporary file,
 * fsync, rename).  The list is read once, as a stream ("-" is standard
 * input): only the 8-byte keys are kept in memory, never the text. */
int bhxh_denylist_build_opts(const char *list, const char *out, const struct bhxh_dl_opts *o,
			     struct bhxh_dl_stats *ret_stats);

/* A text list with the default filter and `bits`-bit fingerprints. */
int bhxh_denylist_build(const char *list, const char *out, unsigned bits,
			struct bhxh_dl_stats *ret_stats);

/* Same from memory: n strings (tests and benchmarks). */
int bhxh_denylist_build_mem(const char *const *words, size_t n, const char *out,
			    unsigned bits, struct bhxh_dl_stats *ret_stats);
int bhxh_denylist_build_mem_opts(const char *const *words, size_t n, const char *out,
				 const struct bhxh_dl_opts *o, struct bhxh_dl_stats *ret_stats);

/* Map a filter file (either version).  Opened without following a
 * symbolic link and without blocking (a FIFO or device is refused at once,
 * -EINVAL); the header checksum, version, size and ownership (root or the
 * caller, not writable by group or others) are always checked; the payload
 * checksum when verify_payload.  -EBADMSG on a corrupt file,
 * -EPROTONOSUPPORT on an unknown version. */
int bhxh_denylist_open(const char *path, bool verify_payload, struct bhxh_denylist **ret);
void bhxh_denylist_close(struct bhxh_denylist *dl);

/* Whether s (len bytes) may be in the list: false means certainly not,
 * true means listed or a false positive.  Text filters compare ASCII
 * case-insensitively; SHA-1 filters hash the exact bytes. */
bool bhxh_denylist_contains(const struct bhxh_denylist *dl, const char *s, size_t len);

uint64_t bhxh_denylist_entries(const struct bhxh_denylist *dl);
uint64_t bhxh_denylist_bytes(const struct bhxh_denylist *dl);
/* Format version, key kind and fingerprint bits (bloom: bits per entry). */
unsigned bhxh_denylist_version(const struct bhxh_denylist *dl);
unsigned bhxh_denylist_key_kind(const struct bhxh_denylist *dl);
unsigned bhxh_denylist_bits(const struct bhxh_denylist *dl);

/* Shared by the reader and the builder (denylist_build.c). */
uint64_t bhxh_dl_hash(uint64_t seed, const char *s, size_t len);
void bhxh_dl_probe(uint64_t h, uint64_t nblocks, uint64_t *blk, unsigned *pos0, unsigned *step);
uint64_t bhxh_dl_text_key(const char *s, size_t len);
uint64_t bhxh_dl_sha1_key(const unsigned char digest[20]);

#endif
