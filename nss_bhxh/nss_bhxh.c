/* libnss_bhxh.so.2: glibc NSS glue over the compiled directory database
 * (lib/dirdb.c, compiled into this plugin from the same source).  Links
 * nothing but libc.
 *
 * Mapping: each database file (passwd.db, shadow.db) has one slot holding
 * the current mapping with a reference count.  A lookup takes a reference
 * under the slot mutex, works on the mapping without any lock, and drops the
 * reference; the mapping is unmapped when the last reference goes, so a
 * replacement never pulls memory from under a running lookup.  At most every
 * BHXH_NSS_RECHECK_MS the slot stat()s the path: a new inode, size or mtime
 * (every build renames a new file into place) means a new generation, which
 * is mapped instead.  So a running process (sshd, a desktop session) sees a
 * removal or revocation within that interval, without restart.  No
 * descriptor stays open (nothing to leak under nscd).
 *
 * The path is fixed at compile time: no environment variable chooses it
 * (test-hook builds alone read BHXH_NSS_DB_DIR with secure_getenv()). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <shadow.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dirdb.h"
#include "dirdb_conf.h"
#include "nss_bhxh.h"

#define BHXH_NSS_RECHECK_MS 20
/* Longer names cannot be in the database (the builder caps them). */
#define NAME_LEN_MAX 256
/* Result of a lookup that found nothing (not an errno). */
#define NOT_FOUND 1

#define EXPORT __attribute__((visibility("default")))

struct mapref {
	struct bhxh_db db;
	unsigned refs;
};

struct slot {
	pthread_mutex_t lock;
	const char *name;
	struct mapref *cur;
	struct timespec checked;
};

/* Plugin state: the two mappings and the three enumeration cursors, each
 * behind its own mutex (lookups never wait for an enumeration). */
static struct slot slot_pw = { PTHREAD_MUTEX_INITIALIZER, BHXH_DB_PASSWD, NULL, { 0, 0 } };
static struct slot slot_sp = { PTHREAD_MUTEX_INITIALIZER, BHXH_DB_SHADOW, NULL, { 0, 0 } };

struct cursor {
	pthread_mutex_t lock;
	uint64_t idx;
};

static struct cursor ent_pw = { PTHREAD_MUTEX_INITIALIZER, 0 };
static struct cursor ent_gr = { PTHREAD_MUTEX_INITIALIZER, 0 };
static struct cursor ent_sp = { PTHREAD_MUTEX_INITIALIZER, 0 };

static const char *db_dir(void)
{
#ifdef BHXH_TESTING
	const char *e = secure_getenv("BHXH_NSS_DB_DIR");

	if (e != NULL && e[0] == '/')
		return e;
#endif
	return BHXH_DIR_DB_DIR;
}

static unsigned open_flags(void)
{
#ifdef BHXH_TESTING
	return BHXH_DB_TRUST_EUID;
#else
	return 0;
#endif
}

/* Drop one reference (slot lock held). */
static void unref(struct mapref *m)
{
	if (m != NULL && --m->refs == 0) {
		bhxh_db_close(&m->db);
		free(m);
	}
}

static bool same_file(const struct bhxh_db *db, const struct stat *st)
{
	return db->dev == st->st_dev && db->ino == st->st_ino && db->size == (size_t)st->st_size &&
	       db->mtim.tv_sec == st->st_mtim.tv_sec && db->mtim.tv_nsec == st->st_mtim.tv_nsec;
}

/* Make sure the slot maps the current generation (slot lock held). */
static int refresh(struct slot *s)
{
	char path[PATH_MAX];
	const char *dir = db_dir();
	struct mapref *m;
	struct stat st;
	int r;

	/* The current generation (dir/current/NAME), or a flat directory. */
	if (snprintf(path, sizeof(path), "%s/" BHXH_DB_CURRENT "/%s", dir, s->name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0 && errno == ENOENT)
		(void)snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	if (stat(path, &st) < 0) {
		r = errno != 0 ? -errno : -EIO;
		unref(s->cur);
		s->cur = NULL;
		return r;
	}
	if (s->cur != NULL && same_file(&s->cur->db, &st))
		return 0;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	r = bhxh_db_open(dir, s->name, open_flags(), &m->db);
	if (r < 0) {
		free(m);
		/* A corrupt or unsafe new generation: serve nothing rather than
		 * a stale view. */
		unref(s->cur);
		s->cur = NULL;
		return r;
	}
	m->refs = 1;
	unref(s->cur);
	s->cur = m;
	return 0;
}

/* Take a reference on the current mapping of slot s. */
static int acquire(struct slot *s, struct mapref **ret)
{
	struct timespec now;
	int r = 0;

	(void)clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	pthread_mutex_lock(&s->lock);
	if (s->cur == NULL ||
	    (now.tv_sec - s->checked.tv_sec) * 1000 + (now.tv_nsec - s->checked.tv_nsec) / 1000000 >=
		    BHXH_NSS_RECHECK_MS ||
	    now.tv_sec < s->checked.tv_sec) {
		s->checked = now;
		r = refresh(s);
	}
	if (r == 0 && s->cur == NULL)
		r = -ENOENT; /* refresh() maps or fails: never both */
	if (r == 0) {
		s->cur->refs++;
		*ret = s->cur;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The next acquire() stats the path again. */
static void force_recheck(struct slot *s)
{
	pthread_mutex_lock(&s->lock);
	s->checked.tv_sec = 0;
	s->checked.tv_nsec = 0;
	pthread_mutex_unlock(&s->lock);
}

static void release(struct slot *s, struct mapref *m)
{
	pthread_mutex_lock(&s->lock);
	unref(m);
	pthread_mutex_unlock(&s->lock);
}

/* The one mapping from internal results to NSS codes.  Never sets
 * *errnop to 0. */
static enum nss_status status_of(int r, int *errnop)
{
	if (r == 0)
		return NSS_STATUS_SUCCESS;
	if (r == NOT_FOUND) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	if (r == -ERANGE || r == -ENOMEM || r == -EAGAIN) {
		*errnop = -r;
		return NSS_STATUS_TRYAGAIN;
	}
	/* No database (-ENOENT), unsafe ownership (-EPERM), unreadable
	 * (-EACCES), corrupt or foreign (-EBADMSG): the service is unavailable. */
	*errnop = r == -ENOENT ? ENOENT : (r < 0 ? -r : EIO);
	return NSS_STATUS_UNAVAIL;
}

/* Bump allocator over the caller's buffer. */
struct pack {
	char *p;
	size_t left;
};

static char *pack_str(struct pack *k, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d;

	if (n > k->left)
		return NULL;
	d = memcpy(k->p, s, n);
	k->p += n;
	k->left -= n;
	return d;
}

static int fill_pw(const struct bhxh_db *db, const struct bhxh_dbuser *u, struct passwd *pw,
		   char *buf, size_t len)
{
	const char *s[5] = { bhxh_db_str(db, u->name), bhxh_db_str(db, u->passwd),
			     bhxh_db_str(db, u->gecos), bhxh_db_str(db, u->dir),
			     bhxh_db_str(db, u->shell) };
	char *d[5];
	struct pack k = { buf, len };

	for (int i = 0; i < 5; i++)
		if (s[i] == NULL)
			return -EBADMSG;
	/* a flipped bit must not hand out another uid or name */
	if (bhxh_db_user_ok(db, u) < 0)
		return -EBADMSG;
	for (int i = 0; i < 5; i++)
		if ((d[i] = pack_str(&k, s[i])) == NULL)
			return -ERANGE;
	pw->pw_name = d[0];
	pw->pw_passwd = d[1];
	pw->pw_gecos = d[2];
	pw->pw_dir = d[3];
	pw->pw_shell = d[4];
	pw->pw_uid = u->uid;
	pw->pw_gid = u->gid;
	return 0;
}

static int fill_gr(const struct bhxh_db *db, const struct bhxh_dbgroup *g, struct group *gr,
		   char *buf, size_t len)
{
	const char *name = bhxh_db_str(db, g->name), *passwd = bhxh_db_str(db, g->passwd);
	size_t pad = (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *);
	const uint32_t *rel;
	const char *blk;
	struct pack k;
	char **vec;

	if (name == NULL || passwd == NULL || bhxh_db_group_block(db, g, &blk, &rel) < 0)
		return -EBADMSG;
	if (len < pad || (len - pad) / sizeof(char *) < (size_t)g->nmem + 1)
		return -ERANGE;
	vec = (char **)(void *)(buf + pad);
	k.p = (char *)(vec + g->nmem + 1);
	k.left = len - pad - ((size_t)g->nmem + 1) * sizeof(char *);
	/* All member names in one copy, then a pointer to each. */
	if (g->memlen > k.left)
		return -ERANGE;
	memcpy(k.p, blk, g->memlen);
	for (uint32_t i = 0; i < g->nmem; i++) {
		if (rel[i] >= g->memlen)
			return -EBADMSG;
		vec[i] = k.p + rel[i];
	}
	vec[g->nmem] = NULL;
	k.p += g->memlen;
	k.left -= g->memlen;
	if ((gr->gr_name = pack_str(&k, name)) == NULL ||
	    (gr->gr_passwd = pack_str(&k, passwd)) == NULL)
		return -ERANGE;
	gr->gr_gid = g->gid;
	gr->gr_mem = vec;
	return 0;
}

static int fill_sp(const struct bhxh_db *db, const struct bhxh_dbshadow *e, struct spwd *sp,
		   char *buf, size_t len)
{
	const char *name = bhxh_db_str(db, e->name), *passwd = bhxh_db_str(db, e->passwd);
	struct pack k = { buf, len };

	/* a flipped bit must not change a password or an expiry date */
	if (name == NULL || passwd == NULL || bhxh_db_shadow_ok(db, e) < 0)
		return -EBADMSG;
	if ((sp->sp_namp = pack_str(&k, name)) == NULL ||
	    (sp->sp_pwdp = pack_str(&k, passwd)) == NULL)
		return -ERANGE;
	sp->sp_lstchg = (long)e->lastchg;
	sp->sp_min = (long)e->min;
	sp->sp_max = (long)e->max;
	sp->sp_warn = (long)e->warn;
	sp->sp_inact = (long)e->inact;
	sp->sp_expire = (long)e->expire;
	sp->sp_flag = (unsigned long)e->flag;
	return 0;
}

static bool name_ok(const char *name)
{
	return name != NULL && name[0] != '\0' && strnlen(name, NAME_LEN_MAX) < NAME_LEN_MAX;
}

/* ---- passwd ------------------------------------------------------------ */

/* Lookup by name or by id: the same path for both. */
static int pw_lookup(const char *name, uid_t uid, struct passwd *pw, char *buf, size_t len)
{
	struct mapref *m;
	const struct bhxh_dbuser *u;
	int r = acquire(&slot_pw, &m);

	if (r < 0)
		return r;
	u = name != NULL ? bhxh_db_user_by_name(&m->db, name) : bhxh_db_user_by_uid(&m->db, uid);
	r = u == NULL ? NOT_FOUND : fill_pw(&m->db, u, pw, buf, len);
	release(&slot_pw, m);
	return r;
}

EXPORT enum nss_status _nss_bhxh_getpwnam_r(const char *name, struct passwd *pw, char *buf,
					    size_t len, int *errnop)
{
	int saved = errno, r = name_ok(name) ? pw_lookup(name, 0, pw, buf, len) : NOT_FOUND;

	/* errno first: glibc passes &errno as errnop. */
	errno = saved;
	return status_of(r, errnop);
}

EXPORT enum nss_status _nss_bhxh_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
					    int *errnop)
{
	int saved = errno, r = uid > UINT32_MAX ? NOT_FOUND : pw_lookup(NULL, uid, pw, buf, len);

	/* errno first: glibc passes &errno as errnop. */
	errno = saved;
	return status_of(r, errnop);
}

/* Enumeration: the cursor advances only on success, so a caller that gets
 * ERANGE retries the same entry with a bigger buffer.  If a new generation
 * is installed meanwhile, enumeration continues at the same index of it. */
#define ENUM_BODY(cur, slot, count, record, fill)                                          \
	do {                                                                               \
		struct mapref *m;                                                          \
		int saved = errno, r;                                                      \
		pthread_mutex_lock(&(cur)->lock);                                          \
		r = acquire((slot), &m);                                                   \
		if (r == 0) {                                                              \
			if ((cur)->idx >= m->db.count)                                     \
				r = NOT_FOUND;                                             \
			else                                                               \
				r = fill(&m->db, &m->db.record[(cur)->idx], result, buf,   \
					 len);                                             \
			if (r == 0)                                                        \
				(cur)->idx++;                                              \
			release((slot), m);                                                \
		}                                                                          \
		pthread_mutex_unlock(&(cur)->lock);                                        \
		errno = saved;                                                             \
		return status_of(r, errnop);                                               \
	} while (0)

static enum nss_status rewind_cursor(struct cursor *c)
{
	pthread_mutex_lock(&c->lock);
	c->idx = 0;
	pthread_mutex_unlock(&c->lock);
	return NSS_STATUS_SUCCESS;
}

EXPORT enum nss_status _nss_bhxh_setpwent(int stayopen)
{
	(void)stayopen;
	return rewind_cursor(&ent_pw);
}

EXPORT enum nss_status _nss_bhxh_endpwent(void)
{
	return rewind_cursor(&ent_pw);
}

EXPORT enum nss_status _nss_bhxh_getpwent_r(struct passwd *result, char *buf, size_t len,
					    int *errnop)
{
	ENUM_BODY(&ent_pw, &slot_pw, nusers, users, fill_pw);
}

/* ---- group ------------------------------------------------------------- */

static int gr_lookup(const char *name, gid_t gid, struct group *gr, char *buf, size_t len)
{
	struct mapref *m;
	const struct bhxh_dbgroup *g;
	int r = acquire(&slot_pw, &m);

	if (r < 0)
		return r;
	g = name != NULL ? bhxh_db_group_by_name(&m->db, name) : bhxh_db_group_by_gid(&m->db, gid);
	r = g == NULL ? NOT_FOUND : fill_gr(&m->db, g, gr, buf, len);
	release(&slot_pw, m);
	return r;
}

EXPORT enum nss_status _nss_bhxh_getgrnam_r(const char *name, struct group *gr, char *buf,
					    size_t len, int *errnop)
{
	int saved = errno, r = name_ok(name) ? gr_lookup(name, 0, gr, buf, len) : NOT_FOUND;

	/* errno first: glibc passes &errno as errnop. */
	errno = saved;
	return status_of(r, errnop);
}

EXPORT enum nss_status _nss_bhxh_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
					    int *errnop)
{
	int saved = errno, r = gid > UINT32_MAX ? NOT_FOUND : gr_lookup(NULL, gid, gr, buf, len);

	/* errno first: glibc passes &errno as errnop. */
	errno = saved;
	return status_of(r, errnop);
}

EXPORT enum nss_status _nss_bhxh_setgrent(int stayopen)
{
	(void)stayopen;
	return rewind_cursor(&ent_gr);
}

EXPORT enum nss_status _nss_bhxh_endgrent(void)
{
	return rewind_cursor(&ent_gr);
}

EXPORT enum nss_status _nss_bhxh_getgrent_r(struct group *result, char *buf, size_t len,
					    int *errnop)
{
	ENUM_BODY(&ent_gr, &slot_pw, ngroups, groups, fill_gr);
}

/* Supplementary groups of user (a directory user or a local user listed as
 * a member of directory groups).  Appends to *groupsp, growing it up to
 * limit (<= 0: no limit), skipping the primary group and gids already
 * there. */
static int add_groups(const struct bhxh_db *db, const char *user, gid_t skip, long *start,
		      long *size, gid_t **groupsp, long limit)
{
	const struct bhxh_dbmember *e = bhxh_db_member_by_name(db, user);
	const uint32_t *gids;

	if (e == NULL)
		return NOT_FOUND;
	gids = bhxh_db_u32(db, e->gids, e->ngids);
	if (gids == NULL)
		return -EBADMSG;
	for (uint32_t i = 0; i < e->ngids; i++) {
		gid_t g = gids[i];
		bool dup = g == skip;

		for (long j = 0; !dup && j < *start; j++)
			dup = (*groupsp)[j] == g;
		if (dup)
			continue;
		if (*start == *size) {
			long nsize = *size > 0 ? *size * 2 : 16;
			gid_t *q;

			if (limit > 0 && *size >= limit)
				break;
			if (limit > 0 && nsize > limit)
				nsize = limit;
			q = realloc(*groupsp, (size_t)nsize * sizeof(gid_t));
			if (q == NULL)
				return -ENOMEM;
			*groupsp = q;
			*size = nsize;
		}
		(*groupsp)[(*start)++] = g;
	}
	return 0;
}

EXPORT enum nss_status _nss_bhxh_initgroups_dyn(const char *user, gid_t group, long *start,
						long *size, gid_t **groupsp, long limit,
						int *errnop)
{
	struct mapref *m;
	int saved = errno, r = NOT_FOUND;

	if (name_ok(user) && (r = acquire(&slot_pw, &m)) == 0) {
		r = add_groups(&m->db, user, group, start, size, groupsp, limit);
		release(&slot_pw, m);
	}
	errno = saved;
	return status_of(r, errnop);
}

/* ---- shadow ------------------------------------------------------------ */

/* shadow.db is served only next to the passwd.db of the same build: a
 * pair that does not match (one file replaced by hand, or a lookup that
 * raced a build) is checked again at once and refused if it still
 * differs, so a shadow entry never goes with another build's account. */
static int acquire_sp(struct mapref **ret)
{
	struct mapref *m, *p;
	int r;

	for (int attempt = 0;; attempt++) {
		r = acquire(&slot_sp, &m);
		if (r < 0)
			return r;
		r = acquire(&slot_pw, &p);
		if (r < 0) {
			release(&slot_sp, m);
			return r;
		}
		r = bhxh_db_same_build(&m->db, &p->db) ? 0 : -EBADMSG;
		release(&slot_pw, p);
		if (r == 0) {
			*ret = m;
			return 0;
		}
		release(&slot_sp, m);
		if (attempt == 1)
			return r;
		force_recheck(&slot_sp);
		force_recheck(&slot_pw);
	}
}

EXPORT enum nss_status _nss_bhxh_getspnam_r(const char *name, struct spwd *sp, char *buf,
					    size_t len, int *errnop)
{
	struct mapref *m;
	const struct bhxh_dbshadow *e;
	int saved = errno, r = NOT_FOUND;

	if (name_ok(name) && (r = acquire_sp(&m)) == 0) {
		e = bhxh_db_shadow_by_name(&m->db, name);
		r = e == NULL ? NOT_FOUND : fill_sp(&m->db, e, sp, buf, len);
		release(&slot_sp, m);
	}
	errno = saved;
	return status_of(r, errnop);
}

EXPORT enum nss_status _nss_bhxh_setspent(int stayopen)
{
	(void)stayopen;
	return rewind_cursor(&ent_sp);
}

EXPORT enum nss_status _nss_bhxh_endspent(void)
{
	return rewind_cursor(&ent_sp);
}

EXPORT enum nss_status _nss_bhxh_getspent_r(struct spwd *result, char *buf, size_t len,
					    int *errnop)
{
	ENUM_BODY(&ent_sp, &slot_sp, nsp, sp, fill_sp);
}
