/* The configuration engine: one grammar for module arguments and the file.
 *
 *   key            a flag (or an action word such as "preauth")
 *   key=value      spaces around '=' are allowed in the file
 *   # comment      in the file, a whole line or after whitespace
 *
 * Unknown keys and bad values are errors: the caller decides to fail closed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

static int set_mode(struct bhxh_conf *c, enum bhxh_auth_mode m, const char *value,
		    char *err, size_t errlen)
{
	if (value != NULL) {
		snprintf(err, errlen, "takes no value");
		return -EINVAL;
	}
	c->mode = m;
	return 0;
}

static int opt_preauth(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return set_mode(c, BHXH_MODE_PREAUTH, v, e, l);
}

static int opt_authfail(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return set_mode(c, BHXH_MODE_AUTHFAIL, v, e, l);
}

static int opt_authsucc(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return set_mode(c, BHXH_MODE_AUTHSUCC, v, e, l);
}

/* root_unlock_time implies even_deny_root, as in pam_faillock. */
static int opt_root_unlock_time(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	uint64_t n;

	if (v == NULL) {
		snprintf(e, l, "needs a value");
		return -EINVAL;
	}
	if (strcmp(v, "never") == 0)
		n = BHXH_UNLOCK_NEVER;
	else if (bhxh_parse_uint(v, 0, UINT32_MAX, &n) < 0) {
		snprintf(e, l, "'%.64s' is not a number of seconds or 'never'", v);
		return -EINVAL;
	}
	c->lockout.root_unlock_time = n;
	c->lockout.even_deny_root = true;
	return 0;
}

/* conf=: pam_faillock opens a relative path with fopen(), that is relative
 * to the working directory of the program; so does pam_bhxh. */
static int opt_conf(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	if (v == NULL || *v == '\0') {
		snprintf(e, l, "needs a path");
		return -EINVAL;
	}
	if (bhxh_strlcpy(c->conf_path, v, sizeof(c->conf_path)) < 0) {
		snprintf(e, l, "value longer than %zu bytes", sizeof(c->conf_path) - 1);
		return -EINVAL;
	}
	return 0;
}

#define CORE(f) offsetof(struct bhxh_conf, f)
#define LOCK(f) offsetof(struct bhxh_conf, lockout.f)
#define SIZE(f) sizeof(((struct bhxh_conf *)0)->f)
/* pam_faillock's options: module arguments, bhxh.conf and faillock.conf */
#define FL (BHXH_SCOPE_ANY | BHXH_SCOPE_FAILLOCK)

/* The custom options' functions, by .fn - 1 (conf.h: no pointer in a table) */
enum {
	FN_opt_preauth = 1,
	FN_opt_authfail,
	FN_opt_authsucc,
	FN_opt_conf,
	FN_opt_root_unlock_time,
};

static const bhxh_opt_fn fns[] = {
	[FN_opt_preauth - 1] = opt_preauth,
	[FN_opt_authfail - 1] = opt_authfail,
	[FN_opt_authsucc - 1] = opt_authsucc,
	[FN_opt_conf - 1] = opt_conf,
	[FN_opt_root_unlock_time - 1] = opt_root_unlock_time,
};

static const struct bhxh_opt opts[] = {
	{ .name = "preauth", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ARG, .fn = FN_opt_preauth },
	{ .name = "authfail", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ARG, .fn = FN_opt_authfail },
	{ .name = "authsucc", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ARG, .fn = FN_opt_authsucc },
	{ .name = "conf", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ARG, .fn = FN_opt_conf },
	{ .name = "silent", .type = BHXH_OPT_FLAG, .offset = CORE(silent),
	  .scope = BHXH_SCOPE_ANY, .any_value = true },
	/* faillock.conf's silent quiets pam_faillock's messages only: here the
	 * lockout's, not the password or expiry messages */
	{ .name = "silent", .type = BHXH_OPT_FLAG, .offset = LOCK(silent),
	  .scope = BHXH_SCOPE_FAILLOCK, .any_value = true },
	{ .name = "debug", .type = BHXH_OPT_FLAG, .offset = CORE(debug), .scope = BHXH_SCOPE_ANY },
	{ .name = "deny", .type = BHXH_OPT_UINT, .offset = LOCK(deny), .max = BHXH_DENY_MAX,
	  .scope = FL },
	{ .name = "fail_interval", .type = BHXH_OPT_SECONDS, .offset = LOCK(fail_interval),
	  .max = UINT32_MAX, .scope = FL },
	{ .name = "unlock_time", .type = BHXH_OPT_SECONDS, .offset = LOCK(unlock_time),
	  .max = UINT32_MAX, .allow_never = true, .scope = FL },
	{ .name = "root_unlock_time", .type = BHXH_OPT_CUSTOM, .scope = FL,
	  .fn = FN_opt_root_unlock_time },
	{ .name = "even_deny_root", .type = BHXH_OPT_FLAG, .offset = LOCK(even_deny_root),
	  .scope = FL, .any_value = true },
	{ .name = "local_users_only", .type = BHXH_OPT_FLAG, .offset = LOCK(local_users_only),
	  .scope = FL, .any_value = true },
	{ .name = "nodelay", .type = BHXH_OPT_FLAG, .offset = LOCK(nodelay), .scope = FL,
	  .any_value = true },
	{ .name = "audit", .type = BHXH_OPT_FLAG, .offset = LOCK(audit), .scope = FL,
	  .any_value = true },
	{ .name = "no_log_info", .type = BHXH_OPT_FLAG, .offset = LOCK(no_log_info), .scope = FL,
	  .any_value = true },
	{ .name = "admin_group", .type = BHXH_OPT_STRING, .offset = LOCK(admin_group),
	  .size = SIZE(lockout.admin_group), .scope = FL },
	/* faillock.conf's dir= names pam_faillock's own directory, whose files
	 * (owned by each user, another format) pam_bhxh must not share */
	{ .name = "dir", .type = BHXH_OPT_PATH, .offset = LOCK(dir), .size = SIZE(lockout.dir),
	  .scope = FL, .ignore_scope = BHXH_SCOPE_FAILLOCK },
	{ .name = "warn_remaining", .type = BHXH_OPT_UINT, .offset = LOCK(warn_remaining),
	  .max = BHXH_DENY_MAX, .scope = BHXH_SCOPE_ANY },
	{ .name = "lock_sync", .type = BHXH_OPT_FLAG, .offset = LOCK(lock_sync),
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_core = { opts, fns, BHXH_ARRAY_SIZE(fns) };

static const struct bhxh_opt_table *const all_tables[] = {
	&bhxh_opts_core, &bhxh_opts_audit, &bhxh_opts_pw, &bhxh_opts_expiry, &bhxh_opts_dir,
	&bhxh_opts_posture,
	&bhxh_opts_report,
	&bhxh_opts_ldap,
	&bhxh_opts_dirpw,
};

const struct bhxh_opt_table *const *const bhxh_all_tables = all_tables;
const size_t bhxh_all_tables_count = BHXH_ARRAY_SIZE(all_tables);

/* The peers' files, read before bhxh.conf, each with its own scope. */
static const struct {
	const char *name;
	unsigned scope;
} peer_files[] = {
	{ "faillock.conf", BHXH_SCOPE_FAILLOCK },
};

void bhxh_conf_init(struct bhxh_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = BHXH_MODE_NONE;
	(void)bhxh_strlcpy(c->conf_path, BHXH_DEFAULT_CONF, sizeof(c->conf_path));
	c->lockout.deny = 3;
	c->lockout.fail_interval = 900;
	c->lockout.unlock_time = 600;
	c->lockout.root_unlock_time = BHXH_UNSET;
	c->lockout.warn_remaining = 1;
	c->lockout.lock_sync = true;
	(void)bhxh_strlcpy(c->lockout.dir, BHXH_STATE_DIR "/tally", sizeof(c->lockout.dir));
	bhxh_conf_init_audit(c);
	bhxh_conf_init_pw(c);
	bhxh_conf_init_expiry(c);
	bhxh_conf_init_dir(c);
	bhxh_conf_init_posture(c);
	bhxh_conf_init_report(c);
	bhxh_conf_init_ldap(c);
	bhxh_conf_init_dirpw(c);
}

/* The entry for key that accepts scope; else the first of that name (its
 * scope is then reported), else NULL.  A key may have one entry per scope.
 * Names match whatever their case: libpwquality and pam_pwhistory accept
 * "MINLEN=12", so refusing it would turn a peer's valid line into an
 * outage (no two of our names differ only in case).  *table is the entry's
 * area. */
static const struct bhxh_opt *find_opt(const char *key, size_t keylen, unsigned scope,
				       const struct bhxh_opt_table **table)
{
	const struct bhxh_opt *first = NULL;
	const struct bhxh_opt_table *first_table = NULL;
	int k0;

	if (keylen == 0 || keylen >= BHXH_OPT_NAME_SIZE)
		return NULL;
	k0 = tolower((unsigned char)key[0]);
	for (size_t t = 0; t < BHXH_ARRAY_SIZE(all_tables); t++)
		for (const struct bhxh_opt *o = all_tables[t]->opts; o->name[0] != '\0'; o++)
			if (o->name[0] == k0 && o->name[keylen] == '\0' &&
			    strncasecmp(o->name, key, keylen) == 0) {
				if (o->scope & scope) {
					*table = all_tables[t];
					return o;
				}
				if (first == NULL) {
					first = o;
					first_table = all_tables[t];
				}
			}
	*table = first_table;
	return first;
}

static int parse_bool(const char *v, bool *ret)
{
	if (v == NULL || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
		*ret = true;
		return 0;
	}
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

/* Apply value to one option; message without location on error. */
static int apply_opt(struct bhxh_conf *c, const struct bhxh_opt_table *table,
		     const struct bhxh_opt *o, const char *v,
		     char *err, size_t errlen)
{
	char *field = (char *)c + o->offset;
	uint64_t n;
	bool b;

	switch (o->type) {
	case BHXH_OPT_FLAG:
		/* pam_faillock sets its flags whatever value follows them */
		if (parse_bool(v, &b) < 0 && o->any_value)
			b = true;
		else if (parse_bool(v, &b) < 0) {
			snprintf(err, errlen, "expects yes or no, not '%.64s'", v);
			return -EINVAL;
		}
		*(bool *)(void *)field = b;
		return 0;
	case BHXH_OPT_SECONDS:
		if (v != NULL && o->allow_never && strcmp(v, "never") == 0) {
			*(uint64_t *)(void *)field = BHXH_UNLOCK_NEVER;
			return 0;
		}
		/* fall through */
	case BHXH_OPT_UINT:
		if (v == NULL) {
			snprintf(err, errlen, "needs a value");
			return -EINVAL;
		}
		if (bhxh_parse_uint(v, o->min, o->max, &n) < 0) {
			snprintf(err, errlen, "'%.64s' is not a number from %llu to %llu%s", v,
				 (unsigned long long)o->min, (unsigned long long)o->max,
				 o->allow_never ? " or 'never'" : "");
			return -EINVAL;
		}
		*(uint64_t *)(void *)field = n;
		return 0;
	case BHXH_OPT_PATH:
		if (v == NULL || v[0] != '/') {
			snprintf(err, errlen, "needs an absolute path");
			return -EINVAL;
		}
		/* fall through */
	case BHXH_OPT_STRING:
		if (v == NULL || *v == '\0') {
			snprintf(err, errlen, "needs a value");
			return -EINVAL;
		}
		if (bhxh_strlcpy(field, v, o->size) < 0) {
			snprintf(err, errlen, "value longer than %zu bytes", o->size - 1);
			return -EINVAL;
		}
		return 0;
	case BHXH_OPT_CUSTOM:
		if (o->fn == 0 || o->fn > table->nfns)
			break;
		return table->fns[o->fn - 1](c, v, err, errlen);
	}
	snprintf(err, errlen, "internal error: bad option type");
	return -EINVAL;
}

/* Check a value without keeping it: the field is saved and put back.
 * (Only for the plain types, whose field apply_opt() alone writes.) */
static int check_only(struct bhxh_conf *c, const struct bhxh_opt_table *table,
		      const struct bhxh_opt *o, const char *v,
		      char *err, size_t errlen)
{
	char saved[PATH_MAX];
	size_t n = o->type == BHXH_OPT_FLAG ? sizeof(bool) :
		   (o->type == BHXH_OPT_UINT || o->type == BHXH_OPT_SECONDS) ? sizeof(uint64_t) :
		   o->size;
	int r;

	if (o->type == BHXH_OPT_CUSTOM || n > sizeof(saved)) {
		snprintf(err, errlen, "internal error: option cannot be checked alone");
		return -EINVAL;
	}
	memcpy(saved, (char *)c + o->offset, n);
	r = apply_opt(c, table, o, v, err, errlen);
	memcpy((char *)c + o->offset, saved, n);
	return r;
}

int bhxh_conf_apply(struct bhxh_conf *c, const char *token, unsigned scope,
		    const char *where, char *err, size_t errlen)
{
	const char *eq = strchr(token, '=');
	size_t keylen = eq ? (size_t)(eq - token) : strlen(token);
	const char *value = eq ? eq + 1 : NULL;
	const struct bhxh_opt_table *table = NULL;
	const struct bhxh_opt *o;
	char why[BHXH_ERR_MAX];
	int r;

	/* trim spaces around the key and the value (only the file has them) */
	while (keylen > 0 && (token[keylen - 1] == ' ' || token[keylen - 1] == '\t'))
		keylen--;
	while (value != NULL && (*value == ' ' || *value == '\t'))
		value++;

	o = find_opt(token, keylen, scope, &table);
	if (o == NULL) {
		if (where)
			snprintf(err, errlen, "%s: unknown option '%.*s'", where,
				 (int)(keylen > 64 ? 64 : keylen), token);
		else
			snprintf(err, errlen, "unknown argument '%.*s'",
				 (int)(keylen > 64 ? 64 : keylen), token);
		return -EINVAL;
	}
	if (!(o->scope & scope)) {
		if (scope & BHXH_SCOPE_PEERS)
			snprintf(err, errlen, "%s: '%s' is not an option of this file", where,
				 o->name);
		else if (where)
			snprintf(err, errlen, "%s: '%s' is allowed only as a module argument",
				 where, o->name);
		else
			snprintf(err, errlen, "'%s' is allowed only in the configuration file",
				 o->name);
		return -EINVAL;
	}
	/* a peer's file: its flags take no value (pam_faillock ignores it) */
	if ((scope & BHXH_SCOPE_PEERS) && o->type == BHXH_OPT_FLAG)
		value = NULL;
	why[0] = '\0';
	if (o->ignore_scope & scope)
		r = check_only(c, table, o, value, why, sizeof(why));
	else
		r = apply_opt(c, table, o, value, why, sizeof(why));
	if (r < 0) {
		if (where)
			snprintf(err, errlen, "%s: %s: %s", where, o->name, why);
		else
			snprintf(err, errlen, "argument '%s': %s", o->name, why);
	}
	return r;
}

/* One line of a file, comments and surrounding blanks removed, made into
 * the "key" or "key=value" token of bhxh_conf_apply().  The key ends at the
 * first blank or '='; one '=' between blanks may follow (pam_faillock's
 * "key value", "key = value" and "key=value" are the same). */
static int line_token(char *line, bool peer, char *tok, size_t toklen)
{
	char *hash, *p, *v;
	size_t len, klen;

	/* pam_faillock: a comment starts at any '#'; bhxh.conf: at the start
	 * or after a blank, so that values may hold '#' */
	for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++)
		if (peer || hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
			*hash = '\0';
			break;
		}
	len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' ' ||
			   line[len - 1] == '\t' || line[len - 1] == '\r'))
		line[--len] = '\0';
	p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	klen = strcspn(p, " \t=");
	v = p + klen;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '=') {
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
	} else if (*v == '\0')
		v = NULL;
	if (v == NULL)
		snprintf(tok, toklen, "%.*s", (int)klen, p);
	else
		snprintf(tok, toklen, "%.*s=%s", (int)klen, p, v);
	return 1;
}

/* Lines of a configuration file, read with read(2) into a buffer of our
 * own: fdopen() costs two more system calls and an allocation per file, and
 * the module reads its files at every PAM handle. */
struct line_reader {
	int fd;
	size_t start, end;
	bool eof;
	char buf[8192];
};

/* Refill an empty buffer: 1 when there is data, 0 at the end, -errno. */
static int fill(struct line_reader *lr)
{
	ssize_t r;

	if (lr->start < lr->end)
		return 1;
	if (lr->eof)
		return 0;
	do
		r = read(lr->fd, lr->buf, sizeof(lr->buf));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0) {
		lr->eof = true;
		return 0;
	}
	lr->start = 0;
	lr->end = (size_t)r;
	return 1;
}

/* Step over the next line where it lies in the buffer when it is a comment
 * or blank (first non-blank byte '#' or the newline) of at most max bytes
 * before its newline: most lines of every file, never copied.  False when
 * it is not, or does not end within the buffer: next_line() takes it. */
static bool skip_comment(struct line_reader *lr, size_t max)
{
	const char *p = lr->buf + lr->start, *end = lr->buf + lr->end, *nl;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || (*p != '#' && *p != '\n'))
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL || (size_t)(nl - (lr->buf + lr->start)) > max)
		return false;
	lr->start = (size_t)(nl + 1 - lr->buf);
	return true;
}

/* The next line with its '\n' (the last one may lack it) in line, at most
 * cap - 1 bytes, as fgets() gives it: a longer line comes in pieces.
 * Returns the number of bytes stored, 0 at the end, or -errno. */
static ssize_t next_line(struct line_reader *lr, char *line, size_t cap)
{
	size_t n = 0;

	while (n + 1 < cap) {
		const char *nl;
		size_t take;
		int r = fill(lr);

		if (r < 0)
			return r;
		if (r == 0)
			break;
		take = lr->end - lr->start;
		if (take > cap - 1 - n)
			take = cap - 1 - n;
		nl = memchr(lr->buf + lr->start, '\n', take);
		if (nl != NULL)
			take = (size_t)(nl - (lr->buf + lr->start)) + 1;
		memcpy(line + n, lr->buf + lr->start, take);
		lr->start += take;
		n += take;
		if (nl != NULL)
			break;
	}
	line[n] = '\0';
	return (ssize_t)n;
}

static int load_lines(struct bhxh_conf *c, const char *path, bool missing_ok, unsigned scope,
		      char *err, size_t errlen)
{
	char line[BHXH_CONF_LINE_MAX + 2];
	char tok[BHXH_CONF_LINE_MAX + 2];
	char where[PATH_MAX + 32];
	struct line_reader *lr;
	struct stat st;
	const char *p;
	unsigned lineno = 0;
	/* a cap on our own files only: the peers read any number of lines,
	 * so a faillock.conf they accept is never refused here */
	bool capped = (scope & BHXH_SCOPE_PEERS) == 0;
	int fd, r = 0;

	/* never blocks: a FIFO or device at the path is refused at once */
	fd = bhxh_open_regular(AT_FDCWD, path, O_RDONLY, 0, &st);
	if (fd == -EPERM) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (fd < 0) {
		if (fd == -ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-fd));
		return fd;
	}
	if ((st.st_mode & S_IWOTH) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		snprintf(err, errlen, "%s: must be owned by root and not writable by others", path);
		close(fd);
		return -EPERM;
	}
	/* on the heap: a PAM module may run on a small thread stack */
	lr = malloc(sizeof(*lr));
	if (lr == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -ENOMEM;
	}
	lr->fd = fd;
	lr->start = lr->end = 0;
	lr->eof = false;
	/* an editor's UTF-8 byte order mark is not part of the first line
	 * (pam_faillock would take it for an unknown option, and so would
	 * we: a login outage for an invisible byte) */
	if (fill(lr) > 0 && lr->end - lr->start >= 3 &&
	    memcmp(lr->buf + lr->start, BHXH_UTF8_BOM, 3) == 0)
		lr->start += 3;
	for (;;) {
		ssize_t got;
		size_t len;
		int f = fill(lr);

		if (f > 0 && skip_comment(lr, BHXH_CONF_LINE_MAX)) {
			if (++lineno > BHXH_CONF_LINES_MAX && capped) {
				snprintf(err, errlen, "%s:%u: too many lines", path, lineno);
				r = -EINVAL;
				break;
			}
			continue;
		}
		got = f < 0 ? f : next_line(lr, line, sizeof(line));
		if (got < 0) {
			snprintf(err, errlen, "%s: read error: %s", path, strerror((int)-got));
			r = -EIO;
			break;
		}
		if (got == 0)
			break;
		lineno++;
		if (lineno > BHXH_CONF_LINES_MAX && capped) {
			snprintf(err, errlen, "%s:%u: too many lines", path, lineno);
			r = -EINVAL;
			break;
		}
		/* only a piece that filled the buffer can be too long (the
		 * length up to a NUL byte, as with fgets()) */
		if ((size_t)got > BHXH_CONF_LINE_MAX) {
			len = strlen(line);
			if (len > BHXH_CONF_LINE_MAX && line[len - 1] != '\n') {
				snprintf(err, errlen, "%s:%u: line longer than %d bytes", path,
					 lineno, BHXH_CONF_LINE_MAX);
				r = -EINVAL;
				break;
			}
		}
		/* comments and blank lines, most of every file, at once */
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		if (line_token(line, (scope & BHXH_SCOPE_PEERS) != 0, tok, sizeof(tok)) == 0)
			continue;
		/* formatted for option lines only: the peers' files are
		 * mostly comments, read at every PAM call */
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		r = bhxh_conf_apply(c, tok, scope, where, err, errlen);
		if (r < 0)
			break;
	}
	free(lr);
	(void)close(fd);
	return r;
}

int bhxh_conf_load_file(struct bhxh_conf *c, const char *path, bool missing_ok,
			char *err, size_t errlen)
{
	return load_lines(c, path, missing_ok, BHXH_SCOPE_FILE, err, errlen);
}

int bhxh_conf_load_peer(struct bhxh_conf *c, const char *path, unsigned scope,
			char *err, size_t errlen)
{
	return load_lines(c, path, true, scope, err, errlen);
}

int bhxh_conf_load_peers(struct bhxh_conf *c, const char *peer_dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int r;

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(peer_files); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", peer_dir, peer_files[i].name) >=
		    (int)sizeof(path)) {
			snprintf(err, errlen, "%s: path too long", peer_dir);
			return -ENAMETOOLONG;
		}
		r = bhxh_conf_load_peer(c, path, peer_files[i].scope, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

/* conf= and the file it names (or the default one): bhxh_conf_load_over()
 * without the arguments. */
static int load_file_of(struct bhxh_conf *c, int argc, const char **argv, char *err,
			size_t errlen)
{
	bool explicit_conf = false;
	int r;

	/* First pass: find conf= so the file is read before the arguments. */
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "conf=", 5) == 0) {
			r = bhxh_conf_apply(c, argv[i], BHXH_SCOPE_ARG, NULL, err, errlen);
			if (r < 0)
				return r;
			explicit_conf = true;
		}
	return bhxh_conf_load_file(c, c->conf_path, !explicit_conf, err, errlen);
}

int bhxh_conf_load_args(struct bhxh_conf *c, int argc, const char **argv,
			char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		int r = bhxh_conf_apply(c, argv[i], BHXH_SCOPE_ARG, NULL, err, errlen);

		if (r < 0)
			return r;
	}
	return 0;
}

int bhxh_conf_load_over(struct bhxh_conf *c, int argc, const char **argv,
			char *err, size_t errlen)
{
	int r = load_file_of(c, argc, argv, err, errlen);

	return r < 0 ? r : bhxh_conf_load_args(c, argc, argv, err, errlen);
}

int bhxh_conf_load_base(struct bhxh_conf *c, int argc, const char **argv,
			char *err, size_t errlen)
{
	int r;

	bhxh_conf_init(c);
	r = bhxh_conf_load_peers(c, bhxh_conf_peer_dir(), err, errlen);
	return r < 0 ? r : load_file_of(c, argc, argv, err, errlen);
}

int bhxh_conf_load_in(struct bhxh_conf *c, int argc, const char **argv, const char *peer_dir,
		      char *err, size_t errlen)
{
	int r;

	bhxh_conf_init(c);
	r = bhxh_conf_load_peers(c, peer_dir, err, errlen);
	if (r < 0)
		return r;
	return bhxh_conf_load_over(c, argc, argv, err, errlen);
}

const char *bhxh_conf_peer_dir(void)
{
#ifdef BHXH_TESTING
	/* test builds only: a test's own copy of the peers' files */
	const char *t = secure_getenv("BHXH_TEST_PEER_DIR");

	if (t != NULL && t[0] == '/')
		return t;
#endif
	return BHXH_PEER_DIR;
}

int bhxh_conf_load(struct bhxh_conf *c, int argc, const char **argv,
		   char *err, size_t errlen)
{
	return bhxh_conf_load_in(c, argc, argv, bhxh_conf_peer_dir(), err, errlen);
}
