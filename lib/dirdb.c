/* Reader of the compiled directory database (see dirdb.h).  Compiled into
 * libbhxh and, from the same source, into libnss_bhxh.so.2: libc only, no
 * logging, no globals. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirdb.h"
#include "util.h"

_Static_assert(sizeof(struct bhxh_dbhdr) == 512, "header is 512 bytes");
_Static_assert(sizeof(struct bhxh_dbuser) == 40, "user record");
_Static_assert(sizeof(struct bhxh_dbmember) == 16, "member record");
_Static_assert(sizeof(struct bhxh_dbgroup) == 32, "group record");
_Static_assert(sizeof(struct bhxh_dbshadow) == 72, "shadow record");

/* Size of one element of each section. */
static const size_t elem_size[BHXH_SEC_COUNT] = {
	[BHXH_SEC_STRINGS] = 1,
	[BHXH_SEC_USERS] = sizeof(struct bhxh_dbuser),
	[BHXH_SEC_GROUPS] = sizeof(struct bhxh_dbgroup),
	[BHXH_SEC_U32] = 4,
	[BHXH_SEC_H_UNAME] = 4,
	[BHXH_SEC_H_UID] = 4,
	[BHXH_SEC_H_GNAME] = 4,
	[BHXH_SEC_H_GID] = 4,
	[BHXH_SEC_SHADOW] = sizeof(struct bhxh_dbshadow),
	[BHXH_SEC_H_SNAME] = 4,
	[BHXH_SEC_MEMBERS] = sizeof(struct bhxh_dbmember),
	[BHXH_SEC_H_MNAME] = 4,
	[BHXH_SEC_REVOKED] = 4,
};

uint64_t bhxh_db_sum(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint64_t mix_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static inline uint64_t mix_inline(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w = 0;

	/* 8 bytes a step: each step is a bijection of the running value for
	 * a given input word and of the word for a given value, so any change
	 * of one word changes the result. */
	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = mix_step(h, w);
	}
	w = (uint64_t)n << 56;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)b[i] << (8 * i);
	return mix_step(h, w);
}

uint64_t bhxh_db_mix(uint64_t h, const void *p, size_t n)
{
	return mix_inline(h, p, n);
}

uint64_t bhxh_db_body_sum(uint32_t kind, const void *file, size_t size)
{
	const uint8_t *b = (const uint8_t *)file + sizeof(struct bhxh_dbhdr);
	size_t n = size - sizeof(struct bhxh_dbhdr);

	return kind == BHXH_DB_BODY_MIX ? mix_inline(BHXH_DB_SUM_INIT, b, n)
					: bhxh_db_sum(BHXH_DB_SUM_INIT, b, n);
}

/* A string of the section, or "" when off is out of bounds. */
static const char *str_or_empty(const char *strings, uint64_t nstrings, uint32_t off)
{
	return off < nstrings ? strings + off : "";
}

static inline uint64_t mix_str(uint64_t h, const char *s)
{
	return mix_inline(h, s, strlen(s) + 1);
}

static uint32_t fold(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t bhxh_db_user_sum(const struct bhxh_dbuser *u, const char *strings, uint64_t nstrings)
{
	struct bhxh_dbuser c = *u;
	const uint32_t offs[5] = { u->name, u->passwd, u->gecos, u->dir, u->shell };
	uint64_t h;

	c.sum = 0;
	h = mix_inline(BHXH_DB_SUM_INIT, &c, sizeof(c));
	for (int i = 0; i < 5; i++)
		h = mix_str(h, str_or_empty(strings, nstrings, offs[i]));
	return fold(h);
}

uint32_t bhxh_db_shadow_sum(const struct bhxh_dbshadow *e, const char *strings,
			    uint64_t nstrings)
{
	struct bhxh_dbshadow c = *e;
	uint64_t h;

	c.sum = 0;
	h = mix_inline(BHXH_DB_SUM_INIT, &c, sizeof(c));
	h = mix_str(h, str_or_empty(strings, nstrings, e->name));
	h = mix_str(h, str_or_empty(strings, nstrings, e->passwd));
	return fold(h);
}

int bhxh_db_user_ok(const struct bhxh_db *db, const struct bhxh_dbuser *u)
{
	return bhxh_db_user_sum(u, db->strings, db->nstrings) == u->sum ? 0 : -EBADMSG;
}

int bhxh_db_shadow_ok(const struct bhxh_db *db, const struct bhxh_dbshadow *e)
{
	return bhxh_db_shadow_sum(e, db->strings, db->nstrings) == e->sum ? 0 : -EBADMSG;
}

bool bhxh_db_same_build(const struct bhxh_db *a, const struct bhxh_db *b)
{
	return a->generation == b->generation &&
	       memcmp(a->build_id, b->build_id, sizeof(a->build_id)) == 0;
}

bool bhxh_db_gen_name_ok(const char *s)
{
	size_t i = 1, digits = 0, hex = 0;

	if (s[0] != 'g')
		return false;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (digits == 0 || digits > 20 || s[i++] != '-')
		return false;
	for (; (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'); i++)
		hex++;
	return hex == 8 && s[i] == '\0';
}

uint32_t bhxh_db_hash_str(const char *s)
{
	uint32_t h = 0x811c9dc5u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 0x01000193u;
	}
	return h ^ (h >> 15);
}

uint32_t bhxh_db_hash_id(uint32_t id)
{
	/* A multiplicative mix: consecutive ids land in different buckets. */
	uint32_t h = id * 0x9e3779b1u;

	return h ^ (h >> 16);
}

static bool owner_ok(const struct stat *st, unsigned flags)
{
	return st->st_uid == 0 || ((flags & BHXH_DB_TRUST_EUID) && st->st_uid == geteuid());
}

static bool is_hash(int sec)
{
	return sec == BHXH_SEC_H_UNAME || sec == BHXH_SEC_H_UID || sec == BHXH_SEC_H_GNAME ||
	       sec == BHXH_SEC_H_GID || sec == BHXH_SEC_H_SNAME || sec == BHXH_SEC_H_MNAME;
}

/* Check the header and every section bound of a mapped file. */
static int validate(struct bhxh_db *db, unsigned flags)
{
	const struct bhxh_dbhdr *h = (const void *)db->base;
	const char *magic = db->shadow ? BHXH_DB_MAGIC_SP : BHXH_DB_MAGIC_PW;

	if (db->size < sizeof(*h) || memcmp(h->magic, magic, sizeof(h->magic)) != 0)
		return -EBADMSG;
	if (h->version != BHXH_DB_VERSION || h->hdr_size != sizeof(*h) ||
	    h->file_size != db->size)
		return -EBADMSG;
	if (bhxh_db_sum(BHXH_DB_SUM_INIT, h, offsetof(struct bhxh_dbhdr, hdr_sum)) != h->hdr_sum)
		return -EBADMSG;
	for (int i = 0; i < BHXH_SEC_COUNT; i++) {
		uint64_t off = h->sec[i].off, n = h->sec[i].count;

		if (n == 0)
			continue;
		if (off % 8 != 0 || off < sizeof(*h) || off > db->size)
			return -EBADMSG;
		if (n > (db->size - off) / elem_size[i])
			return -EBADMSG;
		if (is_hash(i) && (n & (n - 1)) != 0)
			return -EBADMSG;
	}
	if (h->body_sum_kind != BHXH_DB_BODY_FNV && h->body_sum_kind != BHXH_DB_BODY_MIX)
		return -EBADMSG;
	if ((flags & BHXH_DB_CHECKSUM) &&
	    bhxh_db_body_sum(h->body_sum_kind, db->base, db->size) != h->body_sum)
		return -EBADMSG;

	/* An empty section has no meaningful offset: no pointer at all. */
#define SEC(i, type)                                                                       \
	(h->sec[i].count == 0 ? NULL : (const type *)(const void *)(db->base + h->sec[i].off))
	db->generation = h->generation;
	memcpy(db->build_id, h->build_id, sizeof(db->build_id));
	db->revoked_sum = h->revoked_sum;
	db->nrev = h->sec[BHXH_SEC_REVOKED].count;
	db->rev = SEC(BHXH_SEC_REVOKED, uint32_t);
	db->nstrings = h->sec[BHXH_SEC_STRINGS].count;
	db->strings = SEC(BHXH_SEC_STRINGS, char);
	if (db->nstrings > 0 && db->strings[db->nstrings - 1] != '\0')
		return -EBADMSG;
	db->nusers = h->sec[BHXH_SEC_USERS].count;
	db->users = SEC(BHXH_SEC_USERS, struct bhxh_dbuser);
	db->ngroups = h->sec[BHXH_SEC_GROUPS].count;
	db->groups = SEC(BHXH_SEC_GROUPS, struct bhxh_dbgroup);
	db->nu32 = h->sec[BHXH_SEC_U32].count;
	db->u32 = SEC(BHXH_SEC_U32, uint32_t);
	db->nsp = h->sec[BHXH_SEC_SHADOW].count;
	db->sp = SEC(BHXH_SEC_SHADOW, struct bhxh_dbshadow);
	db->nmem = h->sec[BHXH_SEC_MEMBERS].count;
	db->mem = SEC(BHXH_SEC_MEMBERS, struct bhxh_dbmember);
	for (int i = 0; i < BHXH_SEC_COUNT; i++) {
		if (!is_hash(i))
			continue;
		db->nh[i] = h->sec[i].count;
		db->h[i] = SEC(i, uint32_t);
	}
#undef SEC
	if (db->nusers > BHXH_DB_MAX_RECORDS || db->ngroups > BHXH_DB_MAX_RECORDS ||
	    db->nsp > BHXH_DB_MAX_RECORDS || db->nmem > BHXH_DB_MAX_RECORDS ||
	    db->nrev > BHXH_DB_MAX_RECORDS)
		return -EBADMSG;
	return 0;
}

/* Whoever can write a directory can swap its files: root only. */
static int dir_ok(int fd, unsigned flags)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || !owner_ok(&st, flags) || (st.st_mode & 022) != 0)
		return -EPERM;
	return 0;
}

/* The directory of the current generation: the target of dbdir/current (a
 * generation directory name, checked, never a path), or dbdir itself when
 * there is no `current` (flat layout).  Returns a new descriptor. */
static int open_gen_dir(int dfd, unsigned flags)
{
	char target[BHXH_DB_GEN_NAME_MAX + 2];
	ssize_t n = readlinkat(dfd, BHXH_DB_CURRENT, target, sizeof(target));
	int gfd, r;

	if (n < 0 && errno == ENOENT) {
		gfd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
		return gfd < 0 ? -errno : gfd;
	}
	if (n < 0)
		return errno == EINVAL ? -EPERM : -errno; /* not a symbolic link */
	if ((size_t)n >= sizeof(target))
		return -EBADMSG;
	target[n] = '\0';
	if (!bhxh_db_gen_name_ok(target))
		return -EBADMSG;
	gfd = openat(dfd, target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (gfd < 0)
		return -errno;
	r = dir_ok(gfd, flags);
	if (r < 0) {
		(void)close(gfd);
		return r;
	}
	return gfd;
}

int bhxh_db_open(const char *dbdir, const char *name, unsigned flags, struct bhxh_db *db)
{
	struct stat st;
	void *map = MAP_FAILED;
	int dfd = -1, gfd = -1, fd = -1, r;

	memset(db, 0, sizeof(*db));
	db->shadow = strcmp(name, BHXH_DB_SHADOW) == 0;
	dfd = open(dbdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		goto out;
	}
	r = dir_ok(dfd, flags);
	if (r < 0)
		goto out;
	gfd = open_gen_dir(dfd, flags);
	if (gfd < 0) {
		r = gfd;
		goto out;
	}
	/* never blocks: a FIFO or device is refused at once (-EPERM) */
	fd = bhxh_open_regular(gfd, name, O_RDONLY, 0, &st);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	if (!owner_ok(&st, flags) || (st.st_mode & (db->shadow ? 027 : 022)) != 0) {
		r = -EPERM;
		goto out;
	}
	if (st.st_size < (off_t)sizeof(struct bhxh_dbhdr) ||
	    (uint64_t)st.st_size > BHXH_DB_MAX_SIZE) {
		r = -EBADMSG;
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	db->base = map;
	db->mapped = true;
	db->size = (size_t)st.st_size;
	db->dev = st.st_dev;
	db->ino = st.st_ino;
	db->mtim = st.st_mtim;
	r = validate(db, flags);
	if (r < 0) {
		(void)munmap(map, db->size);
		memset(db, 0, sizeof(*db));
	}
out:
	if (fd >= 0)
		(void)close(fd);
	if (gfd >= 0)
		(void)close(gfd);
	if (dfd >= 0)
		(void)close(dfd);
	return r;
}

int bhxh_db_from_memory(const void *p, size_t n, bool shadow, unsigned flags,
			struct bhxh_db *db)
{
	int r;

	memset(db, 0, sizeof(*db));
	if (p == NULL || (uintptr_t)p % 8 != 0)
		return -EINVAL;
	db->base = p;
	db->size = n;
	db->shadow = shadow;
	r = validate(db, flags);
	if (r < 0)
		memset(db, 0, sizeof(*db));
	return r;
}

void bhxh_db_close(struct bhxh_db *db)
{
	if (db->base != NULL && db->mapped)
		(void)munmap((void *)db->base, db->size);
	memset(db, 0, sizeof(*db));
}

const char *bhxh_db_str(const struct bhxh_db *db, uint32_t off)
{
	/* The section ends with NUL (checked at open): any offset inside it
	 * starts a terminated string. */
	return off < db->nstrings ? db->strings + off : NULL;
}

const uint32_t *bhxh_db_u32(const struct bhxh_db *db, uint32_t idx, uint32_t n)
{
	static const uint32_t none[1];

	if (idx > db->nu32 || n > db->nu32 - idx)
		return NULL;
	return n == 0 ? none : db->u32 + idx;
}

int bhxh_db_group_block(const struct bhxh_db *db, const struct bhxh_dbgroup *g,
			const char **ret_blk, const uint32_t **ret_rel)
{
	const uint32_t *rel = bhxh_db_u32(db, g->mem, g->nmem);

	if (rel == NULL || (g->nmem > 0 && g->memlen == 0))
		return -EBADMSG;
	if (g->memlen > 0 &&
	    (g->memblk >= db->nstrings || g->memlen > db->nstrings - g->memblk ||
	     db->strings[g->memblk + g->memlen - 1] != '\0'))
		return -EBADMSG;
	*ret_blk = g->memlen > 0 ? db->strings + g->memblk : "";
	*ret_rel = rel;
	return 0;
}

const char *bhxh_db_group_member(const struct bhxh_db *db, const struct bhxh_dbgroup *g,
				 uint32_t i)
{
	const char *blk;
	const uint32_t *rel;

	if (i >= g->nmem || bhxh_db_group_block(db, g, &blk, &rel) < 0 || rel[i] >= g->memlen)
		return NULL;
	return blk + rel[i];
}

/* Walk the probe sequence of table sec for hash hv; match(i) says whether
 * record i is the one.  Bounded by the table size whatever the content. */
#define PROBE(db, sec, hv, nrec, match)                                                    \
	do {                                                                               \
		uint64_t n_ = (db)->nh[sec], mask_ = n_ - 1;                               \
		for (uint64_t k_ = 0; k_ < n_; k_++) {                                     \
			uint32_t v_ = (db)->h[sec][((hv) + k_) & mask_];                   \
			uint64_t i = (uint64_t)v_ - 1;                                     \
			if (v_ == 0 || i >= (nrec))                                        \
				return NULL;                                               \
			if (match)                                                         \
				return &rec[i];                                            \
		}                                                                          \
		return NULL;                                                               \
	} while (0)

static bool name_is(const struct bhxh_db *db, uint32_t off, const char *name)
{
	const char *s = bhxh_db_str(db, off);

	return s != NULL && strcmp(s, name) == 0;
}

const struct bhxh_dbuser *bhxh_db_user_by_name(const struct bhxh_db *db, const char *name)
{
	const struct bhxh_dbuser *rec = db->users;

	PROBE(db, BHXH_SEC_H_UNAME, bhxh_db_hash_str(name), db->nusers,
	      name_is(db, rec[i].name, name));
}

const struct bhxh_dbuser *bhxh_db_user_by_uid(const struct bhxh_db *db, uint32_t uid)
{
	const struct bhxh_dbuser *rec = db->users;

	PROBE(db, BHXH_SEC_H_UID, bhxh_db_hash_id(uid), db->nusers, rec[i].uid == uid);
}

const struct bhxh_dbgroup *bhxh_db_group_by_name(const struct bhxh_db *db, const char *name)
{
	const struct bhxh_dbgroup *rec = db->groups;

	PROBE(db, BHXH_SEC_H_GNAME, bhxh_db_hash_str(name), db->ngroups,
	      name_is(db, rec[i].name, name));
}

const struct bhxh_dbgroup *bhxh_db_group_by_gid(const struct bhxh_db *db, uint32_t gid)
{
	const struct bhxh_dbgroup *rec = db->groups;

	PROBE(db, BHXH_SEC_H_GID, bhxh_db_hash_id(gid), db->ngroups, rec[i].gid == gid);
}

const struct bhxh_dbshadow *bhxh_db_shadow_by_name(const struct bhxh_db *db, const char *name)
{
	const struct bhxh_dbshadow *rec = db->sp;

	PROBE(db, BHXH_SEC_H_SNAME, bhxh_db_hash_str(name), db->nsp,
	      name_is(db, rec[i].name, name));
}

const struct bhxh_dbmember *bhxh_db_member_by_name(const struct bhxh_db *db, const char *name)
{
	const struct bhxh_dbmember *rec = db->mem;

	PROBE(db, BHXH_SEC_H_MNAME, bhxh_db_hash_str(name), db->nmem,
	      name_is(db, rec[i].name, name));
}

static int check_table(const struct bhxh_db *db, int sec, uint64_t nrec)
{
	if (nrec > 0 && db->nh[sec] <= nrec)
		return -EBADMSG;
	for (uint64_t k = 0; k < db->nh[sec]; k++)
		if (db->h[sec][k] > nrec)
			return -EBADMSG;
	return 0;
}

int bhxh_db_check(const struct bhxh_db *db)
{
	static const int tabs[] = { BHXH_SEC_H_UNAME, BHXH_SEC_H_UID, BHXH_SEC_H_GNAME,
				    BHXH_SEC_H_GID, BHXH_SEC_H_SNAME, BHXH_SEC_H_MNAME };
	const uint64_t nrec[] = { db->nusers, db->nusers, db->ngroups, db->ngroups, db->nsp,
				  db->nmem };
	uint64_t nflagged = 0;

	for (size_t t = 0; t < sizeof(tabs) / sizeof(tabs[0]); t++)
		if (check_table(db, tabs[t], nrec[t]) < 0)
			return -EBADMSG;
	for (uint64_t i = 0; i < db->nusers; i++) {
		const struct bhxh_dbuser *u = &db->users[i];
		const char *name = bhxh_db_str(db, u->name);

		if (name == NULL || bhxh_db_str(db, u->passwd) == NULL ||
		    bhxh_db_str(db, u->gecos) == NULL || bhxh_db_str(db, u->dir) == NULL ||
		    bhxh_db_str(db, u->shell) == NULL)
			return -EBADMSG;
		if (bhxh_db_user_ok(db, u) < 0 || bhxh_db_user_by_name(db, name) != u ||
		    bhxh_db_user_by_uid(db, u->uid) != u)
			return -EBADMSG;
	}
	for (uint64_t i = 0; i < db->ngroups; i++) {
		const struct bhxh_dbgroup *g = &db->groups[i];
		const char *name = bhxh_db_str(db, g->name);
		const char *blk;
		const uint32_t *rel;

		if (name == NULL || bhxh_db_str(db, g->passwd) == NULL ||
		    bhxh_db_group_block(db, g, &blk, &rel) < 0)
			return -EBADMSG;
		for (uint32_t m = 0; m < g->nmem; m++)
			if (rel[m] >= g->memlen)
				return -EBADMSG;
		if (bhxh_db_group_by_name(db, name) != g || bhxh_db_group_by_gid(db, g->gid) != g)
			return -EBADMSG;
	}
	for (uint64_t i = 0; i < db->nmem; i++) {
		const struct bhxh_dbmember *m = &db->mem[i];
		const char *name = bhxh_db_str(db, m->name);

		if (name == NULL || bhxh_db_u32(db, m->gids, m->ngids) == NULL ||
		    bhxh_db_member_by_name(db, name) != m)
			return -EBADMSG;
	}
	for (uint64_t i = 0; i < db->nsp; i++) {
		const struct bhxh_dbshadow *s = &db->sp[i];
		const char *name = bhxh_db_str(db, s->name);

		if (name == NULL || bhxh_db_str(db, s->passwd) == NULL ||
		    bhxh_db_shadow_ok(db, s) < 0 || bhxh_db_shadow_by_name(db, name) != s)
			return -EBADMSG;
	}
	/* The revoked list verifies, each name on it is a user flagged
	 * revoked, and no other user is flagged. */
	if (db->shadow)
		return 0;
	if (bhxh_db_revoked(db, "") < 0)
		return -EBADMSG;
	for (uint64_t i = 0; i < db->nrev; i++) {
		const struct bhxh_dbuser *u = bhxh_db_user_by_name(db, bhxh_db_str(db, db->rev[i]));

		if (u == NULL || !(u->flags & BHXH_DBU_REVOKED))
			return -EBADMSG;
	}
	for (uint64_t i = 0; i < db->nusers; i++)
		if (db->users[i].flags & BHXH_DBU_REVOKED)
			nflagged++;
	return nflagged == db->nrev ? 0 : -EBADMSG;
}

int bhxh_db_revoked(const struct bhxh_db *db, const char *name)
{
	const struct bhxh_dbuser *u;
	size_t len = strlen(name) + 1;
	uint64_t start = db->nrev > 0 ? db->rev[0] : 0, pos = start;
	bool found = false;

	/* The revoked names are one contiguous block of strings, checked as
	 * a whole at every call (one pass, a few bytes per revoked account):
	 * a flipped bit anywhere in it is seen, whoever asks. */
	for (uint64_t i = 0; i < db->nrev; i++) {
		size_t n;

		if (db->rev[i] != pos || pos >= db->nstrings)
			return -EBADMSG;
		n = strlen(db->strings + pos) + 1; /* the section ends with NUL */
		if (!found && n == len && memcmp(db->strings + pos, name, n) == 0)
			found = true;
		pos += n;
	}
	if (bhxh_db_mix(BHXH_DB_SUM_INIT, db->nrev > 0 ? db->strings + start : "", pos - start) !=
	    db->revoked_sum)
		return -EBADMSG;
	/* The record must agree (its own checksum covers the flag).  A name
	 * on the list whose record cannot be found is still revoked. */
	u = name[0] != '\0' ? bhxh_db_user_by_name(db, name) : NULL;
	if (u != NULL &&
	    (bhxh_db_user_ok(db, u) < 0 || ((u->flags & BHXH_DBU_REVOKED) != 0) != found))
		return -EBADMSG;
	return found ? 1 : 0;
}

int bhxh_dir_is_revoked(const char *dbdir, const char *user)
{
	struct bhxh_db db;
	unsigned flags = 0;
	int r;

	if (user == NULL || strnlen(user, 256) >= 256)
		return 0; /* no such name can be in the directory */
#ifdef BHXH_TESTING
	flags |= BHXH_DB_TRUST_EUID;
#endif
	r = bhxh_db_open(dbdir, BHXH_DB_PASSWD, flags, &db);
	if (r < 0)
		return r;
	r = bhxh_db_revoked(&db, user);
	bhxh_db_close(&db);
	return r;
}
