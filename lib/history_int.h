/* Password history storage: what lib/history.c (the password phase) and
 * lib/history_admin.c (opasswd import and prune, bhxhctl only) share.
 * Internal to the library; nothing here is exported from a module. */
#ifndef BHXH_HISTORY_INT_H
#define BHXH_HISTORY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"

#define HASH_MAX 256
#define FILE_MAX (BHXH_HISTORY_MAX * (HASH_MAX + 24))

struct bhxh_hist_rec {
	long long t;
	char hash[HASH_MAX];
};

/* A hash of a method whose cost is bounded (see history.c). */
bool bhxh_hist_hash_ok(const char *h, size_t len);
/* Open (optionally create) the root-only history directory. */
int bhxh_hist_open_dir(const char *dir, bool create, int *ret);
/* Read and write one user's records (up to BHXH_HISTORY_MAX). */
int bhxh_hist_read_recs(int dfd, const char *user, struct bhxh_hist_rec *recs, size_t *n);
int bhxh_hist_write_recs(int dfd, const char *user, const struct bhxh_hist_rec *recs, size_t n);
/* The directory's lock (bounded wait); *ret the lock descriptor. */
int bhxh_hist_lock_dir(int dfd, int *ret);

#endif
