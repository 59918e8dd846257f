/* Failed-login tally: storage only (file descriptors, no PAM).
 *
 * One file per account under the state directory, root-owned 0600.  The
 * file holds two fixed-size slots; a writer (under an exclusive flock)
 * writes the slot that is not current with a higher sequence number, so a
 * writer killed at any point leaves the other slot intact and the file
 * readable; writes that lock or reset an account are also fdatasync()ed.  Every slot carries a version and a CRC-32. */
#ifndef BHXH_TALLY_H
#define BHXH_TALLY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

#define BHXH_TALLY_VERSION 1
#define BHXH_TALLY_RECORDS 64
#define BHXH_TALLY_SERVICE_MAX 24
#define BHXH_TALLY_SOURCE_MAX 88
#define BHXH_LOCK_FOREVER INT64_MAX
/* Unknown and invalid user names share this many hashed slot files. */
#define BHXH_TALLY_UNKNOWN_SLOTS 256

struct bhxh_tally_rec {
	int64_t time;
	char service[BHXH_TALLY_SERVICE_MAX];
	char source[BHXH_TALLY_SOURCE_MAX]; /* remote host, else terminal */
};

struct bhxh_tally {
	char user[BHXH_NAME_MAX + 1];
	uint64_t seq;        /* sequence of the slot this was read from */
	uint64_t total;      /* failures counted since the last reset or unlock */
	int64_t lock_since;  /* when the current lock began; 0 = not locked */
	int64_t lock_until;  /* last locked second; 0 = not locked; BHXH_LOCK_FOREVER */
	uint32_t nrec;
	struct bhxh_tally_rec rec[BHXH_TALLY_RECORDS]; /* oldest first */
	/* failures of the window that no longer fit in rec[] (lockout.h) */
	uint64_t older;
	int64_t older_newest; /* time of the newest of them */
};

/* Open (and with create, make 0700) the state directory.  It must be a real
 * directory owned by the effective user (root in production) and not
 * writable by group or others.  Returns a directory fd or -errno. */
int bhxh_tally_open_dir(const char *path, bool create);

/* File name for an account: the name itself when it is a valid user name and
 * known is true; otherwise one of BHXH_TALLY_UNKNOWN_SLOTS hashed slot names,
 * so unknown users take the same code path and cost as known ones. */
void bhxh_tally_file_name(const char *user, bool known, char *buf, size_t len);

/* Open an account's tally file relative to dirfd.  With write, the file is
 * created if needed and locked exclusively; otherwise it is locked shared and
 * a missing file is reported as -ENOENT.  Owner, mode and type are checked. */
int bhxh_tally_open(int dirfd, const char *fname, bool write);

/* Read the current state.  An empty file gives an empty tally; a file with no
 * valid slot gives -EBADMSG.  The user name stored in the file is compared
 * with user: a different one (a shared unknown slot) reads as empty.  With
 * user NULL the file's own name is taken (listing the shared slots). */
int bhxh_tally_read(int fd, const char *user, struct bhxh_tally *ret);

/* Write t as the next generation (t->seq + 1).  fd must have been opened for
 * writing.  The write itself is safe against the writer being killed at any
 * point; sync also makes it survive a power cut (fdatasync), and is used for
 * the writes that matter most: a new lock and an administrator's reset. */
int bhxh_tally_write(int fd, struct bhxh_tally *t, bool sync);

/* Start over: an empty tally for user (keeps the sequence increasing). */
void bhxh_tally_clear(struct bhxh_tally *t, const char *user);

#endif
