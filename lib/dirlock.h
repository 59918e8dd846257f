/* Fleet-wide lockout, the machine's side (dirpw area): a lock (or an
 * unlock) of a directory account is put in a root-only queue directory,
 * one small file per account; the running `bhxhctl db sync` writes it to
 * the directory (ppolicy pwdAccountLockedTime) with its narrowly scoped
 * identity and removes the file.  The login path thus never links libldap
 * and never waits for the network: queueing costs an open, a write and a
 * rename, only when an account actually locks.
 *
 * Entry format (one line): "lock <unix time>" or "unlock".  A newer entry
 * for the same account replaces the older one (rename).  Library code:
 * 0 or -errno, no logging. */
#ifndef BHXH_DIRLOCK_H
#define BHXH_DIRLOCK_H

#include <stdbool.h>
#include <stddef.h>

#define BHXH_DIRLOCK_LINE_MAX 64

/* Queue a lock at time `when` (lock) or an unlock of user in qdir (made
 * 0700 if missing).  user must be a valid user name. */
int bhxh_dirlock_queue(const char *qdir, const char *user, bool lock, long long when);

/* Parse one entry's text: 0 and *ret_lock, *ret_when, or -EBADMSG. */
int bhxh_dirlock_parse(const char *text, size_t len, bool *ret_lock, long long *ret_when);

#endif
