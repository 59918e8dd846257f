/* Building the directory database from the central directory's export
 * (dir area): parse and validate the source, serialize, install atomically.
 *
 * Source directory SRC_DIR:
 *   passwd   name:x:uid:gid:gecos:home:shell   (required; the password field
 *            must be "x", "*" or "!": hashes belong in shadow)
 *   group    name:x:gid:member,member...        (required)
 *   shadow   the 9 standard fields              (optional; names must be in
 *            passwd; an empty password field is refused)
 *   revoked  one user name per line, '#' comments (optional; names must be
 *            in passwd).  A revoked account stays resolvable (files keep
 *            their owner's name) but pam_bhxh refuses it in the account
 *            phase, and its shadow entry is served with expire=1 so that
 *            pam_unix refuses it too.
 * Empty lines are ignored.  Any other bad line is an error naming file:line,
 * and nothing is installed.  Library code: 0 or -errno, no logging. */
#ifndef BHXH_DIRDB_BUILD_H
#define BHXH_DIRDB_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dirdb.h"

/* Caps on the source. */
#define BHXH_SRC_FILE_MAX (1ULL << 30)
#define BHXH_SRC_FIELD_MAX 4096  /* one passwd/shadow field */

struct bhxh_srcuser {
	const char *name, *passwd, *gecos, *dir, *shell;
	uint32_t uid, gid;
	bool revoked;
	unsigned line;
};

struct bhxh_srcgroup {
	const char *name, *passwd;
	uint32_t gid;
	uint32_t mem, nmem; /* into bhxh_dirsrc.members */
	unsigned line;
};

struct bhxh_srcshadow {
	const char *name, *passwd;
	int64_t f[6]; /* lastchg min max warn inact expire; -1 = empty */
	uint64_t flag;
	unsigned line;
};

/* An index over names or ids (open addressing, record index + 1). */
struct bhxh_srcidx {
	uint32_t *t;
	size_t mask;
};

struct bhxh_dirsrc {
	char *buf[4]; /* the file contents, split in place */
	size_t buflen[4]; /* their lengths (bhxh_dirsrc_parse), for the wipe */
	struct bhxh_srcuser *users;
	size_t nusers, causers;
	struct bhxh_srcgroup *groups;
	size_t ngroups, cagroups;
	struct bhxh_srcshadow *sp;
	size_t nsp, casp;
	const char **members;
	size_t nmembers, camembers;
	struct bhxh_srcrevoked {
		const char *name;
		unsigned line;
	} *revoked;
	size_t nrevoked, carevoked;
	/* filled by bhxh_dirsrc_validate() */
	struct bhxh_srcidx uname, uid, gname, gid;
};

enum bhxh_srckind { BHXH_SRC_PASSWD, BHXH_SRC_GROUP, BHXH_SRC_SHADOW, BHXH_SRC_REVOKED };

void bhxh_dirsrc_init(struct bhxh_dirsrc *s);
void bhxh_dirsrc_free(struct bhxh_dirsrc *s);

/* Parse one file's content (buf of len bytes, modified in place and kept by
 * the caller until bhxh_dirsrc_free; it must have a spare byte at buf[len]).
 * fname is used in error messages.  Cross-file checks (shadow and revoked
 * names must be in passwd) are made by bhxh_dirsrc_validate(). */
int bhxh_dirsrc_parse(struct bhxh_dirsrc *s, enum bhxh_srckind kind, const char *fname,
		      char *buf, size_t len, char *err, size_t errlen);

/* Read and parse srcdir/{passwd,group,shadow,revoked}. */
int bhxh_dirsrc_load(struct bhxh_dirsrc *s, const char *srcdir, char *err, size_t errlen);

/* Refuse duplicates, uid/gid 0 and reserved ids, and names or ids that are
 * also in the local files (local_passwd, local_group: NULL to skip); build
 * the indexes.  Shadow entries must name a user of passwd. */
int bhxh_dirsrc_validate(struct bhxh_dirsrc *s, const char *local_passwd,
			 const char *local_group, char *err, size_t errlen);

/* Index lookups after validation: the record or NULL. */
const struct bhxh_srcuser *bhxh_dirsrc_user(const struct bhxh_dirsrc *s, const char *name);
const struct bhxh_srcgroup *bhxh_dirsrc_group(const struct bhxh_dirsrc *s, const char *name);

/* Serialize a validated source into the two database images (malloc'ed). */
int bhxh_dirdb_serialize(const struct bhxh_dirsrc *s, uint64_t generation, void **ret_pw,
			 size_t *ret_pwlen, void **ret_sp, size_t *ret_splen);

/* The next generation made from an installed one (pw, sp: both files of
 * one build, validated) by patching the delta into it:
 *  - accounts of dl->d that keep their name and uid and have a shadow
 *    entry exactly when they had one: their other fields, shadow entry and
 *    revocation are replaced;
 *  - accounts flagged in dl->added: appended, when neither their name nor
 *    their uid is in pw (nor the name among the deleted);
 *  - dl->gone: accounts removed (with their shadow entry and revocation);
 *  - groups of dl->d that keep their name, gid and password field: their
 *    member list is replaced, and the member index (initgroups) follows.
 * The delta is a source parsed and validated on its own (against the local
 * files too: a name added is checked there); everything else -- the other
 * records, their order, the indexes' sizes -- is kept, so the checks of the
 * full build that made pw still hold for what was not touched (the caller
 * makes sure the local files did not change since, and applies the
 * mass-deletion guard).  New strings and lists are appended (the old ones
 * stay unused until the next full build); a removed record's place takes
 * the last record.  Anything else gives -ESRCH (a full build is needed):
 * an index that would be more than half full, a group added, removed or
 * renumbered, more than dl->max_members members in all (0: no cap).
 * what[] (d->nusers + d->ngroups: accounts, then groups) receives
 * BHXH_PATCH_* for each record of the delta.
 * Returns 0 with both images (malloc'ed), 1 when nothing differs (no
 * images), -ESRCH, or -errno. */
#define BHXH_PATCH_CHANGED 0x1 /* passwd fields or revocation (counted "changed") */
#define BHXH_PATCH_REVOKED 0x2 /* newly revoked */
#define BHXH_PATCH_DIFFERS 0x4 /* anything, the shadow entry included */
#define BHXH_PATCH_ADDED 0x8   /* a new account */
struct bhxh_dirdb_delta {
	const struct bhxh_dirsrc *d; /* changed and added accounts, changed groups */
	const bool *added;           /* d->nusers flags; NULL: none is new */
	const char *const *gone;     /* names of the accounts deleted */
	size_t ngone;
	uint64_t max_members;
};
int bhxh_dirdb_patch(const struct bhxh_db *pw, const struct bhxh_db *sp,
		     const struct bhxh_dirdb_delta *dl, uint64_t generation, unsigned *what,
		     void **ret_pw, size_t *ret_pwlen, void **ret_sp, size_t *ret_splen);

/* Write both images into dbdir (created 0755 if missing; it must be owned
 * by root or the caller and not writable by others): temporary file,
 * fsync, rename, fsync of the directory; shadow.db (0600) first. */
int bhxh_dirdb_install(const char *dbdir, const void *pw, size_t pwlen, const void *sp,
		       size_t splen, char *err, size_t errlen);

#endif
