/* Private to the directory database builder (lib/dirsrc*.c, lib/dirdb_*.c):
 * shared helpers of the source parser, the validator and the writer. */
#ifndef BHXH_DIRDB_INT_H
#define BHXH_DIRDB_INT_H

#include <stdlib.h>

#include "dirdb_build.h"

/* Largest id served: 4294967295 is (uid_t)-1, 65534 stays "nobody". */
#define ID_MAX 4294967294ULL

/* File names of the source, indexed by enum bhxh_srckind. */
extern const char *const bhxh_dirsrc_file[4];

/* snprintf into err; returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int bhxh_dirsrc_seterr(char *err, size_t errlen,
							     const char *fmt, ...);
/* A uid or gid: 0 or -EINVAL/-ERANGE. */
int bhxh_dirsrc_parse_id(const char *s, uint32_t *ret);

/* ---- assembling a file (dirdb_serialize.c, dirdb_patch.c) ---- */

/* The identity shared by both files of one build. */
struct bhxh_dbbuild {
	uint64_t generation;
	uint8_t id[BHXH_DB_BUILD_ID_LEN];
};

/* One file being built: its sections, in the order of enum bhxh_dbsec. */
struct bhxh_dbimage {
	const void *data[BHXH_SEC_COUNT];
	uint64_t count[BHXH_SEC_COUNT];
	uint64_t revoked_sum;
};

/* Element size of each section. */
extern const size_t bhxh_dirdb_esz[BHXH_SEC_COUNT];

/* Header + sections (8-byte aligned) into one malloc'ed image, checksums
 * computed. */
int bhxh_dirdb_assemble(const char *magic, const struct bhxh_dbbuild *bd,
			const struct bhxh_dbimage *im, void **ret, size_t *ret_len);

/* ---- open-addressing indexes over the source records ---- */

static inline size_t table_size(size_t n)
{
	size_t t = 8;

	while (t < 2 * n)
		t *= 2;
	return t;
}

static inline int idx_init(struct bhxh_srcidx *x, size_t n)
{
	size_t sz = table_size(n);

	free(x->t);
	x->t = calloc(sz, sizeof(*x->t));
	if (x->t == NULL)
		return -ENOMEM;
	x->mask = sz - 1;
	return 0;
}

/* Insert record i with key hash hv; same(j) says whether record j has the
 * same key.  Returns the index of an existing equal record + 1, or 0. */
#define IDX_INSERT(x, hv, i, same)                                                         \
	({                                                                                 \
		size_t p_ = (hv) & (x)->mask;                                              \
		uint32_t found_ = 0;                                                       \
		while ((x)->t[p_] != 0) {                                                  \
			size_t j = (x)->t[p_] - 1;                                         \
			if (same) {                                                        \
				found_ = (uint32_t)j + 1;                                  \
				break;                                                     \
			}                                                                  \
			p_ = (p_ + 1) & (x)->mask;                                         \
		}                                                                          \
		if (found_ == 0)                                                           \
			(x)->t[p_] = (uint32_t)(i) + 1;                                    \
		found_;                                                                    \
	})

#define IDX_FIND(x, hv, same)                                                              \
	({                                                                                 \
		size_t p_ = (hv) & (x)->mask;                                              \
		long found_ = -1;                                                          \
		while ((x)->t != NULL && (x)->t[p_] != 0) {                                \
			size_t j = (x)->t[p_] - 1;                                         \
			if (same) {                                                        \
				found_ = (long)j;                                          \
				break;                                                     \
			}                                                                  \
			p_ = (p_ + 1) & (x)->mask;                                         \
		}                                                                          \
		found_;                                                                    \
	})


#endif
