/* Leaked/common-password denylist: a blocked Bloom filter in one file that
 * is memory-mapped read-only.
 *
 * File format (version 1, all integers little-endian):
 *   0  char[8] "BHXHDNY\0"     8  u32 version (1)     12 u32 k (bits probed)
 *  16  u64 nblocks            24  u64 entries        32  u64 seed
 *  40  u32 crc32 of payload   44  u32 bits per entry (as built)
 *  48  12 reserved zero bytes 60  u32 crc32 of bytes 0..59
 *  64  payload: nblocks blocks of 64 bytes (one cache line each)
 *
 * An entry sets k bits inside one 512-bit block chosen by its hash; a lookup
 * reads that one block and tests all k bits without an early exit, so it
 * costs the same for every candidate whatever the list size.  Entries are
 * case-folded (ASCII) before hashing.  With the default 16 bits per entry
 * (k=11) the measured false-positive rate is about 0.24% (see BENCHMARKS.md
 * and tests/unit/pw_test.c, which asserts < 0.5%).
 *
 * Library code: 0 or -errno, nothing logged. */
#ifndef BHXH_DENYLIST_H
#define BHXH_DENYLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BHXH_DL_VERSION 1
#define BHXH_DL_HEADER 64
#define BHXH_DL_BLOCK 64
#define BHXH_DL_BITS_DEFAULT 16

struct bhxh_denylist; /* opaque */

struct bhxh_dl_stats {
	uint64_t entries;     /* inserted */
	uint64_t skipped;     /* empty lines and lines over BHXH_PASS_MAX bytes */
	uint64_t file_bytes;
};

/* Compile a text list (one password per line) into a filter file written
 * atomically (temporary file, fsync, rename).  The list is read twice (to
 * size the filter, then to fill it), so it must be a regular file.
 * bits_per_entry in [8, 32]. */
int bhxh_denylist_build(const char *list, const char *out, unsigned bits_per_entry,
			struct bhxh_dl_stats *ret_stats);

/* Same from memory: n strings (tests and benchmarks). */
int bhxh_denylist_build_mem(const char *const *words, size_t n, const char *out,
			    unsigned bits_per_entry, struct bhxh_dl_stats *ret_stats);

/* Map a filter file.  The header checksum, version, size and ownership (root
 * or the caller, not writable by group or others) are always checked; the
 * payload checksum when verify_payload. -EBADMSG on a corrupt file. */
int bhxh_denylist_open(const char *path, bool verify_payload, struct bhxh_denylist **ret);
void bhxh_denylist_close(struct bhxh_denylist *dl);

/* Whether s (len bytes, compared case-insensitively for ASCII) may be in the
 * list: false means certainly not, true means listed or a false positive. */
bool bhxh_denylist_contains(const struct bhxh_denylist *dl, const char *s, size_t len);

uint64_t bhxh_denylist_entries(const struct bhxh_denylist *dl);
uint64_t bhxh_denylist_bytes(const struct bhxh_denylist *dl);

#endif
