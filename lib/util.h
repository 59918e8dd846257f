/* Small helpers shared by every part of pam_bhxh: secret wiping, the one
 * number parser, user-name validation.  Library code: returns 0 or -errno,
 * never logs. */
#ifndef BHXH_UTIL_H
#define BHXH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest user name accepted anywhere (glibc/useradd allow 32; LDAP and
 * directory exports sometimes use longer ones). */
#define BHXH_NAME_MAX 64
/* Longest path a configuration value holds (1023 bytes; a longer one is
 * refused as too long).  Not PATH_MAX: every PAM call initialises and
 * copies the whole configuration, and two dozen 4 kB paths made it 93 kB.
 * No valid peer line is refused by it: libpam (1.5.2) reads a pam.d line,
 * continuations included, into 1024 bytes, and pam_faillock (1.5.2) fails
 * with PAM_SERVICE_ERR on a faillock.conf line longer than 1023 bytes (as
 * conf.c does: measured with both modules), so no dir= or file= reaches a
 * module longer than this. */
#define BHXH_CONF_PATH_MAX 1024
/* Longest password accepted: anything longer is refused before any work. */
#define BHXH_PASS_MAX 1024

#define BHXH_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Wipe a buffer so the compiler cannot optimise the store away. */
void bhxh_wipe(void *p, size_t n);
/* Wipe a NUL-terminated secret and free it.  NULL is fine. */
void bhxh_free_secret(char *s);

/* The one number parser: decimal digits only, no sign, no spaces, no
 * trailing garbage, value in [min, max].  Returns 0, -EINVAL or -ERANGE;
 * *ret is written only on success. */
int bhxh_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* A user name that is safe to turn into a file name: 1..BHXH_NAME_MAX bytes,
 * not "." or "..", no '/', no control characters, no leading '-' or '.',
 * no ':' (passwd separator), no whitespace. */
bool bhxh_valid_username(const char *name);

/* Copy at most size-1 bytes and NUL-terminate; returns -ENAMETOOLONG when
 * the source did not fit (the destination then holds the truncated copy). */
int bhxh_strlcpy(char *dst, const char *src, size_t size);

/* Open (and with create, make 0700, parent included) a root-only state
 * directory: a real directory (O_NOFOLLOW) owned by the effective user and
 * not writable by group or others.  Returns a directory fd or -errno. */
int bhxh_open_state_dir(const char *path, bool create);

/* Open a state, configuration, database, history or last-login file
 * without ever blocking or following a link: O_NONBLOCK, O_NOFOLLOW,
 * O_CLOEXEC and O_NOCTTY are added to flags (openat(dirfd, path, ...);
 * dirfd may be AT_FDCWD).  A FIFO, device, socket or directory planted at
 * the path is refused at once with -EPERM (a FIFO would otherwise hang the
 * open, a device could be anything); a symbolic link gives -ELOOP.  On
 * success returns the descriptor (O_NONBLOCK left set: it changes nothing
 * for a regular file) and, when ret_st is not NULL, its fstat. */
struct stat;
int bhxh_open_regular(int dirfd, const char *path, int flags, unsigned mode,
		      struct stat *ret_st);

/* Open a root-only state file (a failure record, a last-login record, a
 * history file, a lock file) the one safe way: bhxh_open_regular(), then
 * the file must belong to the effective user, have no second link and none
 * of the permission bits in forbid (e.g. 077); with lock_op (LOCK_SH or
 * LOCK_EX; 0 = none) it is locked, waiting at most BHXH_LOCK_TIMEOUT_MS.
 * Returns the descriptor, -EPERM for a wrong type, owner, mode or link
 * count, -ELOOP for a symbolic link, -ETIMEDOUT, or another -errno. */
int bhxh_open_state_file(int dirfd, const char *name, int flags, unsigned mode, unsigned forbid,
			 int lock_op, struct stat *ret_st);

/* Replace dirfd/name atomically by a file holding buf: written to
 * dirfd/tmp (created or truncated, never through a link; mode set whatever
 * the umask), fsync()ed when sync, renamed over name.  The temporary is
 * removed on failure.  0 or -errno. */
int bhxh_replace_file(int dirfd, const char *tmp, const char *name, const void *buf, size_t len,
		      unsigned mode, bool sync);

/* How long a PAM module waits for another process's lock on a state file
 * before giving up (a stuck process must not hang every login). */
#define BHXH_LOCK_TIMEOUT_MS 5000

/* flock(fd, op) that gives up after timeout_ms: 0, -ETIMEDOUT, or -errno. */
int bhxh_flock_timeout(int fd, int op, unsigned timeout_ms);

/* CRC-32 (IEEE 802.3, as zlib computes it). */
uint32_t bhxh_crc32(uint32_t crc, const void *buf, size_t len);
/* bhxh_crc32(crc, n zero bytes, n), without reading them: O(log n). */
uint32_t bhxh_crc32_zeros(uint32_t crc, uint64_t n);

#endif
