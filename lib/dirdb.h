/* The compiled directory database (dir area).
 *
 * DBDIR (default $localstatedir/lib/bhxh-db, 0755) holds one directory per
 * generation, g<generation>-<8 hex digits of the build id>/, with
 * passwd.db (users, groups, memberships, revocations; 0644) and shadow.db
 * (shadow entries; root:shadow 0640).  The symbolic link DBDIR/current
 * names the current generation; a build writes and fsyncs a complete new
 * generation directory, then replaces `current` with one rename, so a
 * reader always finds passwd.db and shadow.db of the same build, whatever
 * moment a build is killed at.  The previous generation stays until the
 * next build (a reader that has just resolved `current` still finds it);
 * the next build also removes whatever a killed build left behind.
 * DBDIR/passwd.db and DBDIR/shadow.db are symbolic links into `current`
 * for people and scripts; the readers never follow them.  A DBDIR without
 * `current` is read flat (DBDIR/passwd.db as a file: hand-made
 * directories, tests).
 *
 * Layout of a file (native byte order; the magic tells a foreign file apart):
 *   header (struct bhxh_dbhdr, 512 bytes): both files of one build carry
 *          the same generation and the same random 128-bit build id
 *   sections, each 8-byte aligned, described by hdr.sec[]:
 *     STRINGS  NUL-terminated strings; the last byte is NUL
 *     USERS    struct bhxh_dbuser[]       (passwd.db)
 *     GROUPS   struct bhxh_dbgroup[]      (passwd.db)
 *     U32      uint32_t[]: group member string offsets and per-user
 *              supplementary gid lists    (passwd.db)
 *     H_UNAME, H_UID, H_GNAME, H_GID: open-addressing hash tables of
 *              uint32_t (record index + 1, 0 = empty), power-of-two size
 *     SHADOW   struct bhxh_dbshadow[]     (shadow.db)
 *     H_SNAME  hash of shadow names       (shadow.db)
 *     MEMBERS  struct bhxh_dbmember[]: every name listed as a group member
 *              (directory user or not) with its supplementary gids, for
 *              initgroups                 (passwd.db)
 *     H_MNAME  hash of member names       (passwd.db)
 *     REVOKED  uint32_t[]: string offsets of the revoked names, which
 *              follow one another in STRINGS (passwd.db)
 *
 * Integrity: the header has its own checksum; the body has one that only
 * bhxhctl verifies (a pass over the whole file).  What decides who may log
 * in is protected on every read: each user and shadow record carries a
 * checksum of its fields and strings, verified before a lookup returns it,
 * and the revoked names carry a checksum kept in the header, verified by
 * every revocation check (bhxh_db_revoked), which also requires the user
 * record's flag to agree.  A flipped bit there gives -EBADMSG (fail
 * closed), never a different answer.
 *
 * This reader is compiled into the NSS plugin as well as libbhxh: it uses
 * nothing but libc (and lib/util.c).  Every offset read from the file is
 * checked against the size of its section before use, so a corrupt,
 * truncated or hostile file gives -EBADMSG and never a crash.  Functions
 * return 0 or -errno.
 */
#ifndef BHXH_DIRDB_H
#define BHXH_DIRDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define BHXH_DB_MAGIC_PW "BHXHDBP\x01"
#define BHXH_DB_MAGIC_SP "BHXHDBS\x01"
#define BHXH_DB_VERSION 2
#define BHXH_DB_PASSWD "passwd.db"
#define BHXH_DB_SHADOW "shadow.db"
#define BHXH_DB_CURRENT "current"
/* Longest generation directory name: "g" + 20 digits + "-" + 8 hex. */
#define BHXH_DB_GEN_NAME_MAX 32
/* Hard caps: the builder refuses more, the reader refuses bigger files. */
#define BHXH_DB_MAX_RECORDS 8000000u
#define BHXH_DB_MAX_SIZE (2ULL << 30)

enum bhxh_dbsec {
	BHXH_SEC_STRINGS = 0,
	BHXH_SEC_USERS,
	BHXH_SEC_GROUPS,
	BHXH_SEC_U32,
	BHXH_SEC_H_UNAME,
	BHXH_SEC_H_UID,
	BHXH_SEC_H_GNAME,
	BHXH_SEC_H_GID,
	BHXH_SEC_SHADOW,
	BHXH_SEC_H_SNAME,
	BHXH_SEC_MEMBERS,
	BHXH_SEC_H_MNAME,
	BHXH_SEC_REVOKED,
	BHXH_SEC_COUNT,
};

struct bhxh_dbsection {
	uint64_t off;   /* from the start of the file, 8-byte aligned */
	uint64_t count; /* elements (bytes for STRINGS) */
};

#define BHXH_DB_BUILD_ID_LEN 16

struct bhxh_dbhdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;   /* sizeof(struct bhxh_dbhdr) */
	uint64_t generation; /* +1 at each build */
	uint64_t file_size;
	uint64_t body_sum;   /* of bytes [hdr_size, file_size), see body_sum_kind */
	uint8_t build_id[BHXH_DB_BUILD_ID_LEN]; /* the same in both files of a build */
	uint64_t revoked_sum; /* bhxh_db_mix of the block of revoked names */
	struct bhxh_dbsection sec[BHXH_SEC_COUNT];
	/* BHXH_DB_BODY_FNV (0: FNV-1a 64, files of earlier builders) or
	 * BHXH_DB_BODY_MIX (bhxh_db_mix: 8 bytes a step, five times faster,
	 * what the builder writes now); any other value is refused */
	uint32_t body_sum_kind;
	uint32_t pad_;
	uint8_t reserved[512 - 64 - 16 * BHXH_SEC_COUNT - 8 - 8];
	uint64_t hdr_sum;    /* FNV-1a 64 of the header up to this field */
};

#define BHXH_DB_BODY_FNV 0u
#define BHXH_DB_BODY_MIX 1u

/* The body checksum of a file of size bytes (header first) in its kind. */
uint64_t bhxh_db_body_sum(uint32_t kind, const void *file, size_t size);

#define BHXH_DBU_REVOKED 0x1u

struct bhxh_dbuser {
	uint32_t name, passwd, gecos, dir, shell; /* string offsets */
	uint32_t uid, gid;
	uint32_t flags;     /* BHXH_DBU_* */
	uint32_t sum;       /* bhxh_db_user_sum() */
	uint32_t pad_;
};

struct bhxh_dbmember {
	uint32_t name;  /* string offset */
	uint32_t gids;  /* index into U32 */
	uint32_t ngids;
	uint32_t pad_;
};

/* The member names of a group are one block of NUL-terminated strings in
 * STRINGS, so that a lookup copies them with one memcpy; U32 holds the
 * offset of each name inside the block. */
struct bhxh_dbgroup {
	uint32_t name, passwd; /* string offsets */
	uint32_t gid;
	uint32_t mem;          /* index into U32: offsets inside the block */
	uint32_t nmem;
	uint32_t memblk;       /* string offset of the member block */
	uint32_t memlen;       /* its length in bytes (ends with NUL) */
	uint32_t pad_;
};

/* Numeric shadow fields: -1 = empty. */
struct bhxh_dbshadow {
	uint32_t name, passwd;
	uint32_t flags;        /* BHXH_DBU_REVOKED copied from passwd */
	uint32_t sum;          /* bhxh_db_shadow_sum() */
	int64_t lastchg, min, max, warn, inact, expire;
	uint64_t flag;         /* the reserved ninth field; ~0 = empty */
};

/* A mapped database file. */
struct bhxh_db {
	const uint8_t *base;
	size_t size;
	bool shadow;
	bool mapped;         /* base is our mapping (bhxh_db_close unmaps it) */
	uint64_t generation;
	uint8_t build_id[BHXH_DB_BUILD_ID_LEN];
	uint64_t revoked_sum;
	dev_t dev;
	ino_t ino;
	struct timespec mtim;
	const char *strings;
	uint64_t nstrings;
	const struct bhxh_dbuser *users;
	uint64_t nusers;
	const struct bhxh_dbgroup *groups;
	uint64_t ngroups;
	const uint32_t *u32;
	uint64_t nu32;
	const uint32_t *h[BHXH_SEC_COUNT]; /* hash tables, indexed by section */
	uint64_t nh[BHXH_SEC_COUNT];
	const struct bhxh_dbshadow *sp;
	uint64_t nsp;
	const struct bhxh_dbmember *mem;
	uint64_t nmem;
	const uint32_t *rev;
	uint64_t nrev;
};

/* Owner check of the file and its directory: root, or (trust_euid) the
 * effective uid, which only tests and bhxhctl on scratch directories use. */
#define BHXH_DB_TRUST_EUID 0x1
/* Verify the body checksum as well (O(size): bhxhctl, not the plugin). */
#define BHXH_DB_CHECKSUM 0x2

/* Open name in the current generation of dbdir (dbdir/current/name, or
 * dbdir/name without `current`), never following any other link and never
 * blocking (bhxh_open_regular), check owner and mode of the directories and
 * the file, map it, validate the header and every section bound.  No
 * descriptor stays open.  -ENOENT when missing, -EPERM for bad ownership or
 * mode or a file that is not a regular file, -ELOOP for a symbolic link,
 * -EBADMSG for a corrupt or foreign file. */
int bhxh_db_open(const char *dbdir, const char *name, unsigned flags, struct bhxh_db *db);
void bhxh_db_close(struct bhxh_db *db);

/* Validate an image in memory (fuzzing, tests); db points into p, which
 * must stay valid and 8-byte aligned. */
int bhxh_db_from_memory(const void *p, size_t n, bool shadow, unsigned flags,
			struct bhxh_db *db);

/* Full structural check (bhxhctl db verify): every record's strings and
 * lists in bounds, every hash entry valid, every record findable. */
int bhxh_db_check(const struct bhxh_db *db);

/* Checksums of one record with its strings (what a lookup returns);
 * strings is the STRINGS section of nstrings bytes.  Offsets out of
 * bounds count as empty strings (the record is then refused anyway). */
uint32_t bhxh_db_user_sum(const struct bhxh_dbuser *u, const char *strings, uint64_t nstrings);
uint32_t bhxh_db_shadow_sum(const struct bhxh_dbshadow *e, const char *strings,
			    uint64_t nstrings);
/* 0 when the record's checksum holds, else -EBADMSG. */
int bhxh_db_user_ok(const struct bhxh_db *db, const struct bhxh_dbuser *u);
int bhxh_db_shadow_ok(const struct bhxh_db *db, const struct bhxh_dbshadow *e);

/* Is name revoked?  Verifies the checksum of the whole revoked list (kept
 * in the header) and that the user record, if the name has one, agrees.
 * 1 yes, 0 no, -EBADMSG when anything disagrees. */
int bhxh_db_revoked(const struct bhxh_db *db, const char *name);

/* Are these two open files (passwd.db, shadow.db) of the same build? */
bool bhxh_db_same_build(const struct bhxh_db *a, const struct bhxh_db *b);

/* Is s a generation directory name (g<digits>-<8 lowercase hex>)? */
bool bhxh_db_gen_name_ok(const char *s);

/* A fast 64-bit checksum (8 bytes a step) for records and the revoked
 * list; not cryptographic: it finds damage, not forgery (only root can
 * write the files). */
uint64_t bhxh_db_mix(uint64_t h, const void *p, size_t n);

/* FNV-1a 64. */
uint64_t bhxh_db_sum(uint64_t h, const void *p, size_t n);
#define BHXH_DB_SUM_INIT 0xcbf29ce484222325ULL
uint32_t bhxh_db_hash_str(const char *s);
uint32_t bhxh_db_hash_id(uint32_t id);

/* A string of the STRINGS section, or NULL when off is out of bounds. */
const char *bhxh_db_str(const struct bhxh_db *db, uint32_t off);
/* Elements of the U32 section, or NULL when [idx, idx+n) is out of bounds. */
const uint32_t *bhxh_db_u32(const struct bhxh_db *db, uint32_t idx, uint32_t n);

/* The member block of g and the offsets of its names, checked against the
 * file; each offset must still be compared with g->memlen before use.
 * 0 or -EBADMSG. */
int bhxh_db_group_block(const struct bhxh_db *db, const struct bhxh_dbgroup *g,
			const char **ret_blk, const uint32_t **ret_rel);
/* Member i of g, or NULL when out of bounds. */
const char *bhxh_db_group_member(const struct bhxh_db *db, const struct bhxh_dbgroup *g,
				 uint32_t i);

/* Lookups: the record, or NULL when absent (or the file is corrupt). */
const struct bhxh_dbuser *bhxh_db_user_by_name(const struct bhxh_db *db, const char *name);
const struct bhxh_dbuser *bhxh_db_user_by_uid(const struct bhxh_db *db, uint32_t uid);
const struct bhxh_dbgroup *bhxh_db_group_by_name(const struct bhxh_db *db, const char *name);
const struct bhxh_dbgroup *bhxh_db_group_by_gid(const struct bhxh_db *db, uint32_t gid);
const struct bhxh_dbshadow *bhxh_db_shadow_by_name(const struct bhxh_db *db, const char *name);
const struct bhxh_dbmember *bhxh_db_member_by_name(const struct bhxh_db *db, const char *name);

/* Is user revoked in the current passwd.db of dbdir (bhxh_db_revoked)?
 * 1 yes, 0 no (or not in the directory), -ENOENT when there is no
 * database, -EBADMSG when the revocation data does not verify, other
 * -errno on error. */
int bhxh_dir_is_revoked(const char *dbdir, const char *user);

#endif
