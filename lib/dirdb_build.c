/* Source parser, validator and writer of the directory database (see
 * dirdb_build.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirdb_build.h"
#include "util.h"

/* Largest id served: 4294967295 is (uid_t)-1, 65534 stays "nobody". */
#define ID_MAX 4294967294ULL

static const char *const kind_file[] = { "passwd", "group", "shadow", "revoked" };

__attribute__((format(printf, 3, 4))) static int seterr(char *err, size_t errlen,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void bhxh_dirsrc_init(struct bhxh_dirsrc *s)
{
	memset(s, 0, sizeof(*s));
}

void bhxh_dirsrc_free(struct bhxh_dirsrc *s)
{
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(s->buf); i++) {
		/* The source may hold password hashes (shadow). */
		if (s->buf[i] != NULL)
			bhxh_free_secret(s->buf[i]);
	}
	free(s->users);
	free(s->groups);
	free(s->sp);
	free(s->members);
	free(s->revoked);
	free(s->uname.t);
	free(s->uid.t);
	free(s->gname.t);
	free(s->gid.t);
	memset(s, 0, sizeof(*s));
}

/* Grow *arr (elements of size sz) to hold n+1. */
static int grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	void **p = arr;
	size_t nc;
	void *q;

	if (n < *cap)
		return 0;
	if (n >= BHXH_DB_MAX_RECORDS * 4ULL)
		return -E2BIG;
	nc = *cap == 0 ? 64 : *cap * 2;
	q = realloc(*p, nc * sz);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

/* Split line at ':' into exactly n fields. */
static bool split(char *line, char **f, int n)
{
	int i = 0;

	f[i++] = line;
	for (char *p = line; *p != '\0'; p++) {
		if (*p != ':')
			continue;
		if (i == n)
			return false;
		*p = '\0';
		f[i++] = p + 1;
	}
	return i == n;
}

static bool printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static bool field_ok(const char *s)
{
	return strlen(s) <= BHXH_SRC_FIELD_MAX && printable(s);
}

static bool path_ok(const char *s)
{
	return s[0] == '/' && field_ok(s);
}

static int parse_id(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r = bhxh_parse_uint(s, 0, ID_MAX, &v);

	if (r == 0)
		*ret = (uint32_t)v;
	return r;
}

static int parse_passwd(struct bhxh_dirsrc *s, char *line, unsigned lno, char *msg,
			size_t msglen)
{
	struct bhxh_srcuser *u;
	char *f[7];

	if (!split(line, f, 7))
		return seterr(msg, msglen, "%s", "expected 7 fields");
	if (!bhxh_valid_username(f[0]))
		return seterr(msg, msglen, "%s", "invalid user name");
	if (strcmp(f[1], "x") != 0 && strcmp(f[1], "*") != 0 && strcmp(f[1], "!") != 0)
		return seterr(msg, msglen, "%s",
			      "password field must be x, * or ! (hashes belong in shadow)");
	if (grow(&s->users, &s->causers, s->nusers, sizeof(*s->users)) < 0)
		return seterr(msg, msglen, "%s", "too many users");
	u = &s->users[s->nusers];
	memset(u, 0, sizeof(*u));
	if (parse_id(f[2], &u->uid) < 0)
		return seterr(msg, msglen, "%s", "invalid uid");
	if (parse_id(f[3], &u->gid) < 0)
		return seterr(msg, msglen, "%s", "invalid gid");
	if (u->uid == 0 || u->gid == 0)
		return seterr(msg, msglen, "%s", "uid and gid 0 are refused");
	if (!field_ok(f[4]))
		return seterr(msg, msglen, "%s", "invalid GECOS field");
	if (!path_ok(f[5]))
		return seterr(msg, msglen, "%s", "home directory must be an absolute path");
	if (!path_ok(f[6]))
		return seterr(msg, msglen, "%s", "shell must be an absolute path");
	u->name = f[0];
	u->passwd = f[1];
	u->gecos = f[4];
	u->dir = f[5];
	u->shell = f[6];
	u->line = lno;
	s->nusers++;
	return 0;
}

static int parse_group(struct bhxh_dirsrc *s, char *line, unsigned lno, char *msg,
		       size_t msglen)
{
	struct bhxh_srcgroup *g;
	char *f[4];

	if (!split(line, f, 4))
		return seterr(msg, msglen, "%s", "expected 4 fields");
	if (!bhxh_valid_username(f[0]))
		return seterr(msg, msglen, "%s", "invalid group name");
	if (!field_ok(f[1]))
		return seterr(msg, msglen, "%s", "invalid password field");
	if (grow(&s->groups, &s->cagroups, s->ngroups, sizeof(*s->groups)) < 0)
		return seterr(msg, msglen, "%s", "too many groups");
	g = &s->groups[s->ngroups];
	memset(g, 0, sizeof(*g));
	if (parse_id(f[2], &g->gid) < 0)
		return seterr(msg, msglen, "%s", "invalid gid");
	if (g->gid == 0)
		return seterr(msg, msglen, "%s", "gid 0 is refused");
	g->name = f[0];
	g->passwd = f[1];
	g->mem = (uint32_t)s->nmembers;
	g->line = lno;
	if (f[3][0] != '\0') {
		char *p = f[3];

		for (;;) {
			char *c = strchr(p, ',');

			if (c != NULL)
				*c = '\0';
			if (!bhxh_valid_username(p))
				return seterr(msg, msglen, "%s", "invalid member name");
			if (grow(&s->members, &s->camembers, s->nmembers, sizeof(*s->members)) <
			    0)
				return seterr(msg, msglen, "%s", "too many members");
			s->members[s->nmembers++] = p;
			g->nmem++;
			if (c == NULL)
				break;
			p = c + 1;
		}
	}
	s->ngroups++;
	return 0;
}

static int parse_num(const char *f, int64_t *ret)
{
	uint64_t v;

	if (f[0] == '\0') {
		*ret = -1;
		return 0;
	}
	if (bhxh_parse_uint(f, 0, INT32_MAX, &v) < 0)
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

static int parse_shadow(struct bhxh_dirsrc *s, char *line, unsigned lno, char *msg,
			size_t msglen)
{
	struct bhxh_srcshadow *sp;
	char *f[9];

	if (!split(line, f, 9))
		return seterr(msg, msglen, "%s", "expected 9 fields");
	if (!bhxh_valid_username(f[0]))
		return seterr(msg, msglen, "%s", "invalid user name");
	if (f[1][0] == '\0')
		return seterr(msg, msglen, "%s", "empty password field (no password) is refused");
	if (!field_ok(f[1]))
		return seterr(msg, msglen, "%s", "invalid password field");
	if (grow(&s->sp, &s->casp, s->nsp, sizeof(*s->sp)) < 0)
		return seterr(msg, msglen, "%s", "too many shadow entries");
	sp = &s->sp[s->nsp];
	memset(sp, 0, sizeof(*sp));
	for (int i = 0; i < 6; i++)
		if (parse_num(f[2 + i], &sp->f[i]) < 0)
			return seterr(msg, msglen, "invalid number in field %d", 3 + i);
	if (f[8][0] == '\0')
		sp->flag = UINT64_MAX;
	else if (bhxh_parse_uint(f[8], 0, UINT32_MAX, &sp->flag) < 0)
		return seterr(msg, msglen, "%s", "invalid number in field 9");
	sp->name = f[0];
	sp->passwd = f[1];
	sp->line = lno;
	s->nsp++;
	return 0;
}

static int parse_revoked(struct bhxh_dirsrc *s, char *line, unsigned lno, char *msg,
			 size_t msglen)
{
	char *end = line + strlen(line);

	if (line[0] == '#')
		return 0;
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (line[0] == '\0')
		return 0;
	if (!bhxh_valid_username(line))
		return seterr(msg, msglen, "%s", "invalid user name");
	if (grow(&s->revoked, &s->carevoked, s->nrevoked, sizeof(*s->revoked)) < 0)
		return seterr(msg, msglen, "%s", "too many revoked accounts");
	s->revoked[s->nrevoked].name = line;
	s->revoked[s->nrevoked].line = lno;
	s->nrevoked++;
	return 0;
}

int bhxh_dirsrc_parse(struct bhxh_dirsrc *s, enum bhxh_srckind kind, const char *fname,
		      char *buf, size_t len, char *err, size_t errlen)
{
	char msg[160];
	unsigned lno = 0;
	char *p = buf, *end = buf + len;

	if (memchr(buf, '\0', len) != NULL)
		return seterr(err, errlen, "%s: contains a NUL byte", fname);
	buf[len] = '\0';
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		int r = 0;

		if (nl != NULL)
			*nl = '\0';
		lno++;
		if (*p == '\0')
			; /* empty line */
		else if (!printable(p))
			r = seterr(msg, sizeof(msg), "%s", "control character");
		else if (kind == BHXH_SRC_PASSWD)
			r = parse_passwd(s, p, lno, msg, sizeof(msg));
		else if (kind == BHXH_SRC_GROUP)
			r = parse_group(s, p, lno, msg, sizeof(msg));
		else if (kind == BHXH_SRC_SHADOW)
			r = parse_shadow(s, p, lno, msg, sizeof(msg));
		else
			r = parse_revoked(s, p, lno, msg, sizeof(msg));
		if (r < 0)
			return seterr(err, errlen, "%s:%u: %s", fname, lno, msg);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

/* Read a whole file (with one spare byte) under the size cap. */
static int read_file(int dfd, const char *name, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, r;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size >= BHXH_SRC_FILE_MAX) {
		r = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*ret = buf;
	*ret_len = got;
	buf = NULL;
	r = 0;
out:
	free(buf);
	(void)close(fd);
	return r;
}

int bhxh_dirsrc_load(struct bhxh_dirsrc *s, const char *srcdir, char *err, size_t errlen)
{
	int dfd, r = 0;

	dfd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		(void)seterr(err, errlen, "%s: %s", srcdir, strerror(-r));
		return r;
	}
	for (int k = BHXH_SRC_PASSWD; k <= BHXH_SRC_REVOKED; k++) {
		size_t len = 0;

		r = read_file(dfd, kind_file[k], &s->buf[k], &len);
		if (r == -ENOENT && (k == BHXH_SRC_SHADOW || k == BHXH_SRC_REVOKED)) {
			r = 0;
			continue;
		}
		if (r < 0) {
			(void)seterr(err, errlen, "%s/%s: %s", srcdir, kind_file[k], strerror(-r));
			break;
		}
		r = bhxh_dirsrc_parse(s, (enum bhxh_srckind)k, kind_file[k], s->buf[k], len, err,
				      errlen);
		if (r < 0)
			break;
	}
	(void)close(dfd);
	return r;
}

/* ---- indexes ----------------------------------------------------------- */

static size_t table_size(size_t n)
{
	size_t t = 8;

	while (t < 2 * n)
		t *= 2;
	return t;
}

static int idx_init(struct bhxh_srcidx *x, size_t n)
{
	size_t sz = table_size(n);

	free(x->t);
	x->t = calloc(sz, sizeof(*x->t));
	if (x->t == NULL)
		return -ENOMEM;
	x->mask = sz - 1;
	return 0;
}

/* Insert record i with key hash hv; same(j) says whether record j has the
 * same key.  Returns the index of an existing equal record + 1, or 0. */
#define IDX_INSERT(x, hv, i, same)                                                         \
	({                                                                                 \
		size_t p_ = (hv) & (x)->mask;                                              \
		uint32_t found_ = 0;                                                       \
		while ((x)->t[p_] != 0) {                                                  \
			size_t j = (x)->t[p_] - 1;                                         \
			if (same) {                                                        \
				found_ = (uint32_t)j + 1;                                  \
				break;                                                     \
			}                                                                  \
			p_ = (p_ + 1) & (x)->mask;                                         \
		}                                                                          \
		if (found_ == 0)                                                           \
			(x)->t[p_] = (uint32_t)(i) + 1;                                    \
		found_;                                                                    \
	})

#define IDX_FIND(x, hv, same)                                                              \
	({                                                                                 \
		size_t p_ = (hv) & (x)->mask;                                              \
		long found_ = -1;                                                          \
		while ((x)->t != NULL && (x)->t[p_] != 0) {                                \
			size_t j = (x)->t[p_] - 1;                                         \
			if (same) {                                                        \
				found_ = (long)j;                                          \
				break;                                                     \
			}                                                                  \
			p_ = (p_ + 1) & (x)->mask;                                         \
		}                                                                          \
		found_;                                                                    \
	})

const struct bhxh_srcuser *bhxh_dirsrc_user(const struct bhxh_dirsrc *s, const char *name)
{
	long hit = IDX_FIND(&s->uname, bhxh_db_hash_str(name), strcmp(s->users[j].name, name) == 0);

	return hit < 0 ? NULL : &s->users[hit];
}

const struct bhxh_srcgroup *bhxh_dirsrc_group(const struct bhxh_dirsrc *s, const char *name)
{
	long hit =
		IDX_FIND(&s->gname, bhxh_db_hash_str(name), strcmp(s->groups[j].name, name) == 0);

	return hit < 0 ? NULL : &s->groups[hit];
}

static long find_uid(const struct bhxh_dirsrc *s, uint32_t id)
{
	return IDX_FIND(&s->uid, bhxh_db_hash_id(id), s->users[j].uid == id);
}

static long find_gid(const struct bhxh_dirsrc *s, uint32_t id)
{
	return IDX_FIND(&s->gid, bhxh_db_hash_id(id), s->groups[j].gid == id);
}

/* Check one local file (name:x:id:...) against the directory's names and
 * ids.  The local files are read directly, not through NSS, which may
 * include this very directory. */
static int check_local(const struct bhxh_dirsrc *s, const char *path, bool users, char *err,
		       size_t errlen)
{
	char line[4096];
	FILE *f;
	int r = 0;

	f = fopen(path, "re");
	if (f == NULL) {
		r = -errno;
		(void)seterr(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c1 = strchr(line, ':'), *c2, *c3;
		uint32_t id = 0;
		long hit;

		if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		*c1 = '\0';
		c3 = strchr(c2 + 1, ':');
		if (c3 != NULL)
			*c3 = '\0';
		hit = users ? IDX_FIND(&s->uname, bhxh_db_hash_str(line),
				     strcmp(s->users[j].name, line) == 0)
			  : IDX_FIND(&s->gname, bhxh_db_hash_str(line),
				     strcmp(s->groups[j].name, line) == 0);
		if (hit >= 0 && !users && parse_id(c2 + 1, &id) == 0 &&
		    s->groups[hit].gid == id) {
			/* The same group (name and gid): the directory adds
			 * members, for "group: files [SUCCESS=merge] bhxh". */
			continue;
		}
		if (hit >= 0) {
			r = seterr(err, errlen, "%s:%u: %s '%s' is also a local account in %s",
				   kind_file[users ? 0 : 1],
				   users ? s->users[hit].line : s->groups[hit].line,
				   users ? "user" : "group", line, path);
			break;
		}
		if (parse_id(c2 + 1, &id) < 0)
			continue;
		hit = users ? find_uid(s, id) : find_gid(s, id);
		if (hit >= 0) {
			r = seterr(err, errlen, "%s:%u: %s %u is also used by local '%s' in %s",
				   kind_file[users ? 0 : 1],
				   users ? s->users[hit].line : s->groups[hit].line,
				   users ? "uid" : "gid", id, line, path);
			break;
		}
	}
	(void)fclose(f);
	return r;
}

int bhxh_dirsrc_validate(struct bhxh_dirsrc *s, const char *local_passwd,
			 const char *local_group, char *err, size_t errlen)
{
	struct bhxh_srcidx spname = { NULL, 0 };
	int r;

	if (idx_init(&s->uname, s->nusers) < 0 || idx_init(&s->uid, s->nusers) < 0 ||
	    idx_init(&s->gname, s->ngroups) < 0 || idx_init(&s->gid, s->ngroups) < 0 ||
	    idx_init(&spname, s->nsp) < 0) {
		r = -ENOMEM;
		(void)seterr(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < s->nusers; i++) {
		const struct bhxh_srcuser *u = &s->users[i];
		uint32_t d;

		d = IDX_INSERT(&s->uname, bhxh_db_hash_str(u->name), i,
			       strcmp(s->users[j].name, u->name) == 0);
		if (d != 0) {
			r = seterr(err, errlen, "passwd:%u: duplicate user '%s' (line %u)",
				   u->line, u->name, s->users[d - 1].line);
			goto out;
		}
		d = IDX_INSERT(&s->uid, bhxh_db_hash_id(u->uid), i, s->users[j].uid == u->uid);
		if (d != 0) {
			r = seterr(err, errlen, "passwd:%u: duplicate uid %u (line %u)", u->line,
				   u->uid, s->users[d - 1].line);
			goto out;
		}
	}
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct bhxh_srcgroup *g = &s->groups[i];
		uint32_t d;

		d = IDX_INSERT(&s->gname, bhxh_db_hash_str(g->name), i,
			       strcmp(s->groups[j].name, g->name) == 0);
		if (d != 0) {
			r = seterr(err, errlen, "group:%u: duplicate group '%s' (line %u)",
				   g->line, g->name, s->groups[d - 1].line);
			goto out;
		}
		d = IDX_INSERT(&s->gid, bhxh_db_hash_id(g->gid), i, s->groups[j].gid == g->gid);
		if (d != 0) {
			r = seterr(err, errlen, "group:%u: duplicate gid %u (line %u)", g->line,
				   g->gid, s->groups[d - 1].line);
			goto out;
		}
	}
	for (size_t i = 0; i < s->nsp; i++) {
		const struct bhxh_srcshadow *sp = &s->sp[i];
		uint32_t d;

		d = IDX_INSERT(&spname, bhxh_db_hash_str(sp->name), i,
			       strcmp(s->sp[j].name, sp->name) == 0);
		if (d != 0) {
			r = seterr(err, errlen, "shadow:%u: duplicate entry for '%s'", sp->line,
				   sp->name);
			goto out;
		}
		if (bhxh_dirsrc_user(s, sp->name) == NULL) {
			r = seterr(err, errlen, "shadow:%u: user '%s' is not in passwd", sp->line,
				   sp->name);
			goto out;
		}
	}
	for (size_t i = 0; i < s->nrevoked; i++) {
		long hit = IDX_FIND(&s->uname, bhxh_db_hash_str(s->revoked[i].name),
				    strcmp(s->users[j].name, s->revoked[i].name) == 0);

		if (hit < 0) {
			r = seterr(err, errlen, "revoked:%u: user '%s' is not in passwd",
				   s->revoked[i].line, s->revoked[i].name);
			goto out;
		}
		s->users[hit].revoked = true;
	}
	r = 0;
	if (local_passwd != NULL)
		r = check_local(s, local_passwd, true, err, errlen);
	if (r == 0 && local_group != NULL)
		r = check_local(s, local_group, false, err, errlen);
out:
	free(spname.t);
	return r;
}

/* ---- serialization ----------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *data, size_t n)
{
	if (n > BHXH_DB_MAX_SIZE || b->len > BHXH_DB_MAX_SIZE - n)
		return -E2BIG;
	if (b->len + n > b->cap) {
		size_t nc = b->cap == 0 ? 4096 : b->cap;
		uint8_t *q;

		while (nc < b->len + n)
			nc *= 2;
		q = realloc(b->p, nc);
		if (q == NULL)
			return -ENOMEM;
		b->p = q;
		b->cap = nc;
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* Append a string; *off receives its offset ("" is always offset 0). */
static int str_add(struct buf *b, const char *s, uint32_t *off)
{
	if (s[0] == '\0') {
		*off = 0;
		return 0;
	}
	if (b->len > UINT32_MAX)
		return -E2BIG;
	*off = (uint32_t)b->len;
	return buf_add(b, s, strlen(s) + 1);
}

/* A hash table over n records: key i hashes to hv(i). */
static uint32_t *hash_table(size_t n, size_t *ret_size,
			    uint32_t (*hv)(const void *ctx, size_t i), const void *ctx)
{
	size_t sz = n == 0 ? 0 : table_size(n);
	uint32_t *t;

	*ret_size = sz;
	t = calloc(sz == 0 ? 1 : sz, sizeof(*t));
	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t p = hv(ctx, i) & (sz - 1);

		while (t[p] != 0)
			p = (p + 1) & (sz - 1);
		t[p] = (uint32_t)i + 1;
	}
	return t;
}

struct img {
	struct buf strings;
	const struct bhxh_dbuser *users;
	const struct bhxh_dbgroup *groups;
	const struct bhxh_dbmember *mem;
	const struct bhxh_dbshadow *sp;
};

static uint32_t hv_uname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->users[i].name);
}

static uint32_t hv_uid(const void *ctx, size_t i)
{
	return bhxh_db_hash_id(((const struct img *)ctx)->users[i].uid);
}

static uint32_t hv_gname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->groups[i].name);
}

static uint32_t hv_gid(const void *ctx, size_t i)
{
	return bhxh_db_hash_id(((const struct img *)ctx)->groups[i].gid);
}

static uint32_t hv_mname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->mem[i].name);
}

static uint32_t hv_sname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->sp[i].name);
}

/* Assemble header + sections.  data[i]/count[i] per section. */
static int assemble(const char *magic, uint64_t generation, const void *const *data,
		    const uint64_t *count, void **ret, size_t *ret_len)
{
	static const size_t esz[BHXH_SEC_COUNT] = {
		1, sizeof(struct bhxh_dbuser), sizeof(struct bhxh_dbgroup), 4, 4, 4, 4, 4,
		sizeof(struct bhxh_dbshadow), 4, sizeof(struct bhxh_dbmember), 4,
	};
	static const uint8_t zero[8];
	struct bhxh_dbhdr h;
	struct buf b = { NULL, 0, 0 };
	int r;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, magic, sizeof(h.magic));
	h.version = BHXH_DB_VERSION;
	h.hdr_size = sizeof(h);
	h.generation = generation;
	r = buf_add(&b, &h, sizeof(h));
	for (int i = 0; r == 0 && i < BHXH_SEC_COUNT; i++) {
		if (count[i] == 0)
			continue;
		h.sec[i].off = b.len;
		h.sec[i].count = count[i];
		r = buf_add(&b, data[i], count[i] * esz[i]);
		if (r == 0 && b.len % 8 != 0)
			r = buf_add(&b, zero, 8 - b.len % 8);
	}
	if (r < 0) {
		free(b.p);
		return r;
	}
	h.file_size = b.len;
	h.body_sum = bhxh_db_sum(BHXH_DB_SUM_INIT, b.p + sizeof(h), b.len - sizeof(h));
	h.hdr_sum = bhxh_db_sum(BHXH_DB_SUM_INIT, &h, offsetof(struct bhxh_dbhdr, hdr_sum));
	memcpy(b.p, &h, sizeof(h));
	*ret = b.p;
	*ret_len = b.len;
	return 0;
}

/* Member names: each distinct name listed in any group, with the gids of
 * the groups that list it (duplicates within a group dropped). */
static int build_members(const struct bhxh_dirsrc *s, const uint32_t *occ,
			 struct bhxh_dbmember **ret_mem, size_t *ret_nmem, uint32_t *u32,
			 size_t u32_base)
{
	struct bhxh_srcidx x = { NULL, 0 };
	struct bhxh_dbmember *mem = NULL;
	const char **names = NULL;
	uint32_t *which = NULL, *fill = NULL;
	size_t nmem = 0;
	int r = -ENOMEM;

	if (idx_init(&x, s->nmembers) < 0)
		goto out;
	names = calloc(s->nmembers + 1, sizeof(*names));
	which = calloc(s->nmembers + 1, sizeof(*which));
	mem = calloc(s->nmembers + 1, sizeof(*mem));
	if (names == NULL || which == NULL || mem == NULL)
		goto out;
	/* Pass 1: distinct names, and how many groups list each. */
	for (size_t k = 0; k < s->nmembers; k++) {
		const char *nm = s->members[k];
		uint32_t d = IDX_INSERT(&x, bhxh_db_hash_str(nm), nmem, strcmp(names[j], nm) == 0);

		if (d == 0) {
			/* The name's first occurrence in a member block. */
			names[nmem] = nm;
			mem[nmem].name = occ[k];
			d = (uint32_t)++nmem;
		}
		which[k] = d - 1;
		mem[d - 1].ngids++;
	}
	/* Pass 2: each member's gid list in U32, in group order. */
	fill = calloc(nmem + 1, sizeof(*fill));
	if (fill == NULL)
		goto out;
	for (size_t i = 0, off = u32_base; i < nmem; i++) {
		mem[i].gids = (uint32_t)off;
		off += mem[i].ngids;
	}
	for (size_t gi = 0; gi < s->ngroups; gi++) {
		const struct bhxh_srcgroup *g = &s->groups[gi];

		for (uint32_t k = g->mem; k < g->mem + g->nmem; k++) {
			struct bhxh_dbmember *e = &mem[which[k]];
			uint32_t *list = u32 + (e->gids - u32_base);

			if (fill[which[k]] > 0 && list[fill[which[k]] - 1] == g->gid)
				continue; /* listed twice in the same group */
			list[fill[which[k]]++] = g->gid;
		}
	}
	for (size_t i = 0; i < nmem; i++)
		mem[i].ngids = fill[i]; /* the tail of a shortened list is unused */
	*ret_mem = mem;
	*ret_nmem = nmem;
	mem = NULL;
	r = 0;
out:
	free(x.t);
	free(names);
	free(which);
	free(fill);
	free(mem);
	return r;
}

int bhxh_dirdb_serialize(const struct bhxh_dirsrc *s, uint64_t generation, void **ret_pw,
			 size_t *ret_pwlen, void **ret_sp, size_t *ret_splen)
{
	struct img m;
	struct bhxh_dbuser *users = NULL;
	struct bhxh_dbgroup *groups = NULL;
	struct bhxh_dbshadow *sp = NULL;
	struct bhxh_dbmember *mem = NULL;
	uint32_t *u32 = NULL, *occ = NULL, *h[BHXH_SEC_COUNT] = { NULL };
	size_t nmem = 0, nh[BHXH_SEC_COUNT] = { 0 };
	const void *data[BHXH_SEC_COUNT] = { NULL };
	uint64_t count[BHXH_SEC_COUNT] = { 0 };
	void *pw = NULL;
	size_t pwlen = 0;
	int r = -ENOMEM;

	memset(&m, 0, sizeof(m));
	if (buf_add(&m.strings, "", 1) < 0)
		goto out;
	users = calloc(s->nusers + 1, sizeof(*users));
	groups = calloc(s->ngroups + 1, sizeof(*groups));
	sp = calloc(s->nsp + 1, sizeof(*sp));
	/* U32: member string offsets of every group, then the gid lists. */
	u32 = calloc(2 * s->nmembers + 1, sizeof(*u32));
	occ = calloc(s->nmembers + 1, sizeof(*occ));
	if (users == NULL || groups == NULL || sp == NULL || u32 == NULL || occ == NULL)
		goto out;
	for (size_t i = 0; i < s->nusers; i++) {
		const struct bhxh_srcuser *u = &s->users[i];

		if ((r = str_add(&m.strings, u->name, &users[i].name)) < 0 ||
		    (r = str_add(&m.strings, u->passwd, &users[i].passwd)) < 0 ||
		    (r = str_add(&m.strings, u->gecos, &users[i].gecos)) < 0 ||
		    (r = str_add(&m.strings, u->dir, &users[i].dir)) < 0 ||
		    (r = str_add(&m.strings, u->shell, &users[i].shell)) < 0)
			goto out;
		users[i].uid = u->uid;
		users[i].gid = u->gid;
		users[i].flags = u->revoked ? BHXH_DBU_REVOKED : 0;
	}
	/* Member blocks: U32 [0, nmembers) holds each name's offset in its
	 * block, occ[] its absolute string offset. */
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct bhxh_srcgroup *g = &s->groups[i];

		if ((r = str_add(&m.strings, g->name, &groups[i].name)) < 0 ||
		    (r = str_add(&m.strings, g->passwd, &groups[i].passwd)) < 0)
			goto out;
		groups[i].gid = g->gid;
		groups[i].mem = g->mem;
		groups[i].nmem = g->nmem;
		groups[i].memblk = (uint32_t)m.strings.len;
		for (uint32_t k = g->mem; k < g->mem + g->nmem; k++) {
			const char *nm = s->members[k];

			if (m.strings.len > UINT32_MAX / 2) {
				r = -E2BIG;
				goto out;
			}
			occ[k] = (uint32_t)m.strings.len;
			u32[k] = occ[k] - groups[i].memblk;
			if ((r = buf_add(&m.strings, nm, strlen(nm) + 1)) < 0)
				goto out;
		}
		groups[i].memlen = (uint32_t)(m.strings.len - groups[i].memblk);
		if (groups[i].memlen == 0)
			groups[i].memblk = 0;
	}
	r = build_members(s, occ, &mem, &nmem, u32 + s->nmembers, s->nmembers);
	if (r < 0)
		goto out;
	m.users = users;
	m.groups = groups;
	m.mem = mem;
	r = -ENOMEM;
	if ((h[BHXH_SEC_H_UNAME] = hash_table(s->nusers, &nh[BHXH_SEC_H_UNAME], hv_uname, &m)) ==
		    NULL ||
	    (h[BHXH_SEC_H_UID] = hash_table(s->nusers, &nh[BHXH_SEC_H_UID], hv_uid, &m)) == NULL ||
	    (h[BHXH_SEC_H_GNAME] = hash_table(s->ngroups, &nh[BHXH_SEC_H_GNAME], hv_gname, &m)) ==
		    NULL ||
	    (h[BHXH_SEC_H_GID] = hash_table(s->ngroups, &nh[BHXH_SEC_H_GID], hv_gid, &m)) == NULL ||
	    (h[BHXH_SEC_H_MNAME] = hash_table(nmem, &nh[BHXH_SEC_H_MNAME], hv_mname, &m)) == NULL)
		goto out;
	data[BHXH_SEC_STRINGS] = m.strings.p;
	count[BHXH_SEC_STRINGS] = m.strings.len;
	data[BHXH_SEC_USERS] = users;
	count[BHXH_SEC_USERS] = s->nusers;
	data[BHXH_SEC_GROUPS] = groups;
	count[BHXH_SEC_GROUPS] = s->ngroups;
	data[BHXH_SEC_U32] = u32;
	count[BHXH_SEC_U32] = 2 * s->nmembers;
	data[BHXH_SEC_MEMBERS] = mem;
	count[BHXH_SEC_MEMBERS] = nmem;
	for (int i = BHXH_SEC_H_UNAME; i <= BHXH_SEC_H_GID; i++) {
		data[i] = h[i];
		count[i] = nh[i];
	}
	data[BHXH_SEC_H_MNAME] = h[BHXH_SEC_H_MNAME];
	count[BHXH_SEC_H_MNAME] = nh[BHXH_SEC_H_MNAME];
	r = assemble(BHXH_DB_MAGIC_PW, generation, data, count, &pw, &pwlen);
	if (r < 0)
		goto out;

	/* shadow.db: its own strings. */
	m.strings.len = 0;
	r = buf_add(&m.strings, "", 1);
	for (size_t i = 0; r == 0 && i < s->nsp; i++) {
		const struct bhxh_srcshadow *e = &s->sp[i];
		const struct bhxh_srcuser *u = bhxh_dirsrc_user(s, e->name);

		r = str_add(&m.strings, e->name, &sp[i].name);
		if (r == 0)
			r = str_add(&m.strings, e->passwd, &sp[i].passwd);
		sp[i].lastchg = e->f[0];
		sp[i].min = e->f[1];
		sp[i].max = e->f[2];
		sp[i].warn = e->f[3];
		sp[i].inact = e->f[4];
		sp[i].expire = e->f[5];
		sp[i].flag = e->flag;
		if (u != NULL && u->revoked) {
			/* Expired since 1970-01-02: pam_unix refuses it too. */
			sp[i].flags = BHXH_DBU_REVOKED;
			sp[i].expire = 1;
		}
	}
	if (r < 0)
		goto out;
	m.sp = sp;
	r = -ENOMEM;
	if ((h[BHXH_SEC_H_SNAME] = hash_table(s->nsp, &nh[BHXH_SEC_H_SNAME], hv_sname, &m)) == NULL)
		goto out;
	memset(data, 0, sizeof(data));
	memset(count, 0, sizeof(count));
	data[BHXH_SEC_STRINGS] = m.strings.p;
	count[BHXH_SEC_STRINGS] = m.strings.len;
	data[BHXH_SEC_SHADOW] = sp;
	count[BHXH_SEC_SHADOW] = s->nsp;
	data[BHXH_SEC_H_SNAME] = h[BHXH_SEC_H_SNAME];
	count[BHXH_SEC_H_SNAME] = nh[BHXH_SEC_H_SNAME];
	r = assemble(BHXH_DB_MAGIC_SP, generation, data, count, ret_sp, ret_splen);
	if (r < 0)
		goto out;
	*ret_pw = pw;
	*ret_pwlen = pwlen;
	pw = NULL;
out:
	free(pw);
	if (m.strings.p != NULL)
		bhxh_wipe(m.strings.p, m.strings.cap);
	free(m.strings.p);
	free(users);
	free(groups);
	free(sp);
	free(mem);
	free(u32);
	free(occ);
	for (int i = 0; i < BHXH_SEC_COUNT; i++)
		free(h[i]);
	return r;
}

/* ---- installation ------------------------------------------------------ */

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The group of shadow.db: "shadow", as for /etc/shadow, so that the
 * setgid-shadow unix_chkpwd (pam_unix run by the user, a screen locker)
 * can read it.  Only root can give a file away; others keep their group
 * and mode 0600.  -1: no such group. */
static gid_t shadow_gid(void)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (geteuid() != 0 || getgrnam_r("shadow", &gr, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return (gid_t)-1;
	return gr.gr_gid;
}

/* Temporary file, fsync, rename over name, fsync of the directory.  gid:
 * the file's group ((gid_t)-1: unchanged). */
static int replace_file(int dfd, const char *name, const void *p, size_t n, mode_t mode,
			gid_t gid)
{
	char tmp[64];
	int fd, r;

	(void)snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid());
	(void)unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if ((gid != (gid_t)-1 && fchown(fd, 0, gid) < 0) || fchmod(fd, mode) < 0 ||
	    (r = write_all(fd, p, n)) < 0 || fsync(fd) < 0) {
		r = -errno;
		(void)close(fd);
		goto fail;
	}
	if (close(fd) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
		r = -errno;
		goto fail;
	}
	return fsync(dfd) < 0 ? -errno : 0;
fail:
	(void)unlinkat(dfd, tmp, 0);
	return r < 0 ? r : -EIO;
}

int bhxh_dirdb_install(const char *dbdir, const void *pw, size_t pwlen, const void *sp,
		       size_t splen, char *err, size_t errlen)
{
	struct stat st;
	gid_t sgid;
	int dfd, r;

	if (mkdir(dbdir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		(void)seterr(err, errlen, "%s: %s", dbdir, strerror(-r));
		return r;
	}
	dfd = open(dbdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		(void)seterr(err, errlen, "%s: %s", dbdir, strerror(-r));
		return r;
	}
	if (fstat(dfd, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0) {
		r = seterr(err, errlen, "%s: must be owned by root and writable only by its owner",
			   dbdir);
		r = -EPERM;
		goto out;
	}
	sgid = shadow_gid();
	r = replace_file(dfd, BHXH_DB_SHADOW, sp, splen, sgid == (gid_t)-1 ? 0600 : 0640, sgid);
	if (r == 0)
		r = replace_file(dfd, BHXH_DB_PASSWD, pw, pwlen, 0644, (gid_t)-1);
	if (r < 0)
		(void)seterr(err, errlen, "%s: %s", dbdir, strerror(-r));
out:
	(void)close(dfd);
	return r;
}
