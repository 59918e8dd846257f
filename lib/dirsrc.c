/* Parser of the directory source (passwd, group, shadow, revoked; see
 * dirdb_build.h): one function per file kind, errors as file:line. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirdb_build.h"
#include "dirdb_int.h"
#include "util.h"

const char *const bhxh_dirsrc_file[4] = { "passwd", "group", "shadow", "revoked" };

int bhxh_dirsrc_seterr(char *err, size_t errlen, const char *fmt, ...)
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
		/* The source may hold password hashes (shadow).  The parser
		 * split the text in place (NULs between fields), so it is
		 * wiped with the length it was given, not up to a NUL. */
		if (s->buf[i] != NULL) {
			size_t n = s->buflen[i] ? s->buflen[i] : strlen(s->buf[i]);

			bhxh_wipe(s->buf[i], n);
			free(s->buf[i]);
		}
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

int bhxh_dirsrc_parse_id(const char *s, uint32_t *ret)
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
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "expected 7 fields");
	if (!bhxh_valid_username(f[0]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid user name");
	if (strcmp(f[1], "x") != 0 && strcmp(f[1], "*") != 0 && strcmp(f[1], "!") != 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s",
			      "password field must be x, * or ! (hashes belong in shadow)");
	if (grow(&s->users, &s->causers, s->nusers, sizeof(*s->users)) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "too many users");
	u = &s->users[s->nusers];
	memset(u, 0, sizeof(*u));
	if (bhxh_dirsrc_parse_id(f[2], &u->uid) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid uid");
	if (bhxh_dirsrc_parse_id(f[3], &u->gid) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid gid");
	if (u->uid == 0 || u->gid == 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "uid and gid 0 are refused");
	if (!field_ok(f[4]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid GECOS field");
	if (!path_ok(f[5]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "home directory must be an absolute path");
	if (!path_ok(f[6]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "shell must be an absolute path");
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
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "expected 4 fields");
	if (!bhxh_valid_username(f[0]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid group name");
	if (!field_ok(f[1]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid password field");
	if (grow(&s->groups, &s->cagroups, s->ngroups, sizeof(*s->groups)) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "too many groups");
	g = &s->groups[s->ngroups];
	memset(g, 0, sizeof(*g));
	if (bhxh_dirsrc_parse_id(f[2], &g->gid) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid gid");
	if (g->gid == 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "gid 0 is refused");
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
				return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid member name");
			if (grow(&s->members, &s->camembers, s->nmembers, sizeof(*s->members)) <
			    0)
				return bhxh_dirsrc_seterr(msg, msglen, "%s", "too many members");
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
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "expected 9 fields");
	if (!bhxh_valid_username(f[0]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid user name");
	if (f[1][0] == '\0')
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "empty password field (no password) is refused");
	if (!field_ok(f[1]))
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid password field");
	if (grow(&s->sp, &s->casp, s->nsp, sizeof(*s->sp)) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "too many shadow entries");
	sp = &s->sp[s->nsp];
	memset(sp, 0, sizeof(*sp));
	for (int i = 0; i < 6; i++)
		if (parse_num(f[2 + i], &sp->f[i]) < 0)
			return bhxh_dirsrc_seterr(msg, msglen, "invalid number in field %d", 3 + i);
	if (f[8][0] == '\0')
		sp->flag = UINT64_MAX;
	else if (bhxh_parse_uint(f[8], 0, UINT32_MAX, &sp->flag) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid number in field 9");
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
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "invalid user name");
	if (grow(&s->revoked, &s->carevoked, s->nrevoked, sizeof(*s->revoked)) < 0)
		return bhxh_dirsrc_seterr(msg, msglen, "%s", "too many revoked accounts");
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

	if ((unsigned)kind < BHXH_ARRAY_SIZE(s->buf) && s->buf[kind] == buf)
		s->buflen[kind] = len;
	if (memchr(buf, '\0', len) != NULL)
		return bhxh_dirsrc_seterr(err, errlen, "%s: contains a NUL byte", fname);
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
			r = bhxh_dirsrc_seterr(msg, sizeof(msg), "%s", "control character");
		else if (kind == BHXH_SRC_PASSWD)
			r = parse_passwd(s, p, lno, msg, sizeof(msg));
		else if (kind == BHXH_SRC_GROUP)
			r = parse_group(s, p, lno, msg, sizeof(msg));
		else if (kind == BHXH_SRC_SHADOW)
			r = parse_shadow(s, p, lno, msg, sizeof(msg));
		else
			r = parse_revoked(s, p, lno, msg, sizeof(msg));
		if (r < 0)
			return bhxh_dirsrc_seterr(err, errlen, "%s:%u: %s", fname, lno, msg);
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

	/* a FIFO or device in the export is refused at once (-EPERM) */
	fd = bhxh_open_regular(dfd, name, O_RDONLY, 0, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size >= BHXH_SRC_FILE_MAX) {
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
		(void)bhxh_dirsrc_seterr(err, errlen, "%s: %s", srcdir, strerror(-r));
		return r;
	}
	for (int k = BHXH_SRC_PASSWD; k <= BHXH_SRC_REVOKED; k++) {
		size_t len = 0;

		r = read_file(dfd, bhxh_dirsrc_file[k], &s->buf[k], &len);
		if (r == -ENOENT && (k == BHXH_SRC_SHADOW || k == BHXH_SRC_REVOKED)) {
			r = 0;
			continue;
		}
		if (r < 0) {
			(void)bhxh_dirsrc_seterr(err, errlen, "%s/%s: %s", srcdir, bhxh_dirsrc_file[k], strerror(-r));
			break;
		}
		r = bhxh_dirsrc_parse(s, (enum bhxh_srckind)k, bhxh_dirsrc_file[k], s->buf[k], len, err,
				      errlen);
		if (r < 0)
			break;
	}
	(void)close(dfd);
	return r;
}

