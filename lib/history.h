/* Password history (pw area): one file per user under a root-only
 * directory (/var/lib/bhxh/history by default).
 *
 *   DIR/            owner = the caller (root), no group/other write
 *   DIR/.lock       flock()ed exclusively by every writer
 *   DIR/USER        0600, lines "TIME HASH": TIME = seconds since the epoch
 *                   of the change (0 when imported), HASH = crypt(3) string
 *                   (yescrypt for our own records; any libxcrypt method for
 *                   imported ones).  Oldest first.
 *
 * A writer takes the lock, reads, appends, trims and replaces the file
 * atomically (temporary file, fsync, rename), so readers never need a lock
 * and concurrent changes never lose a record.  Library code: 0 or -errno. */
#ifndef BHXH_HISTORY_H
#define BHXH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#define BHXH_HISTORY_MAX 401 /* records kept per user: remember (<= 400) + current */

/* Whether pass matches one of the newest `depth` records of user (the
 * current password is the newest once recorded), and the time of the newest
 * record (-1 when there is none).  A missing file or directory is an empty
 * history. */
int bhxh_history_check(const char *dir, const char *user, const char *pass, unsigned depth,
		       bool *ret_found, long long *ret_last);

/* Record pass (hashed with yescrypt) as user's newest password at `now` and
 * keep the newest `keep` records.  Creates dir (mode 0700) if missing. */
int bhxh_history_add(const char *dir, const char *user, const char *pass, long long now,
		     unsigned keep);

/* Record an existing crypt(3) hash (the shadow hash of the password being
 * replaced, or of the one just set) as user's newest record at `when`,
 * unless the newest record already is that very hash string: a change
 * retried, or recorded by both the check line and the record line, is
 * kept once.  -EINVAL for a string that is not a usable hash. */
int bhxh_history_add_hash(const char *dir, const char *user, const char *hash, long long when,
			  unsigned keep);

/* Import pam_pwhistory's opasswd ("user:uid:count:hash,hash,...").  Imported
 * hashes go before the existing records of each user.  Lines with a bad user
 * name or hash are counted in *ret_bad and skipped. */
int bhxh_history_import(const char *dir, const char *opasswd, unsigned *ret_users,
			unsigned *ret_bad);

/* Remove the history of every user for which exists() says false.  exists()
 * returns 1 (exists), 0 (gone) or -errno (cannot tell: prune stops, so an
 * unreachable directory service never erases everybody's history). */
int bhxh_history_prune(const char *dir, int (*exists)(const char *user, void *arg), void *arg,
		       unsigned *ret_removed);

#endif
