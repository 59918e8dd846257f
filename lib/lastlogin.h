/* Last successful login per account: root-only state for the inactivity
 * rule (inactive_days).
 *
 * Layout: one directory (default /var/lib/bhxh/lastlogin, mode 0700, owned
 * by the effective user), one small file per account named after the
 * account ("1 <seconds>\n", mode 0600), and ".since" holding the time the
 * records began (the baseline: an account with no record is counted from
 * then, so a dormant account still becomes inactive, and installing the
 * module does not disable everybody at once).  Leading dots cannot be user
 * names (bhxh_valid_username), so ".since" and the ".tmp.*" files of an
 * interrupted write never collide with an account.
 *
 * Writes are atomic (temporary file, fsync, rename, fsync of the
 * directory): a reader sees the old record or the new one, never a torn
 * one, and concurrent writers simply race to the last rename, which is
 * harmless for a "last seen" time.  Returns 0 or -errno; nothing logs. */
#ifndef BHXH_LASTLOGIN_H
#define BHXH_LASTLOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest record file accepted. */
#define BHXH_LASTLOGIN_MAX 64
/* A record this recent is not rewritten (one write per hour at most). */
#define BHXH_LASTLOGIN_GRANULARITY 3600

/* Open the directory: O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC, owned by geteuid()
 * and not writable by group or others (-EPERM otherwise).  With create, a
 * missing directory is made (0700; its parent must exist) and a missing
 * baseline is written with now.  Returns the descriptor or -errno. */
int bhxh_lastlogin_open_dir(const char *path, bool create, int64_t now);

/* Read one account's record into *ret_when.  -ENOENT: no record; -EINVAL:
 * invalid user name; -EPERM: wrong owner, mode or type; -EBADMSG: damaged. */
int bhxh_lastlogin_read(int dirfd, const char *user, int64_t *ret_when);

/* The baseline (".since"); -ENOENT when absent. */
int bhxh_lastlogin_baseline(int dirfd, int64_t *ret_when);

/* Record a login at when (atomic replace).  Skipped (returns 0) when the
 * stored time is within BHXH_LASTLOGIN_GRANULARITY of when. */
int bhxh_lastlogin_write(int dirfd, const char *user, int64_t when);

/* Parse the contents of a record file (exposed for the unit tests). */
int bhxh_lastlogin_parse(const char *buf, size_t len, int64_t *ret_when);

#endif
