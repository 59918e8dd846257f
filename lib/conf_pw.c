/* Options of the pw area: libpwquality's names plus pam_bhxh's own.
 * Signed values (credits) and pwquality-style flags ("enforce_for_root" or
 * "enforce_for_root=1") need their own small parsers; they still go
 * through the one number parser. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/pam_bhxh"
#endif

/* "[-]digits" in [lo, hi]. */
static int parse_int(const char *v, int64_t lo, int64_t hi, int64_t *ret, char *e, size_t l)
{
	bool neg = v != NULL && v[0] == '-';
	uint64_t n;

	if (v == NULL) {
		snprintf(e, l, "needs a value");
		return -EINVAL;
	}
	if (bhxh_parse_uint(neg ? v + 1 : v, 0, (uint64_t)INT32_MAX, &n) < 0 ||
	    (neg ? -(int64_t)n : (int64_t)n) < lo || (neg ? -(int64_t)n : (int64_t)n) > hi) {
		snprintf(e, l, "'%.64s' is not a number from %lld to %lld", v, (long long)lo,
			 (long long)hi);
		return -EINVAL;
	}
	*ret = neg ? -(int64_t)n : (int64_t)n;
	return 0;
}

/* Bare word, yes/no/true/false or 1/0. */
static int parse_flag(const char *v, int64_t *ret, char *e, size_t l)
{
	if (v == NULL || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*ret = 1;
	else if (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*ret = 0;
	else {
		snprintf(e, l, "expects 1 or 0, not '%.64s'", v);
		return -EINVAL;
	}
	return 0;
}

#define PW_INT(f, lo, hi)                                                                         \
	static int opt_##f(struct bhxh_conf *c, const char *v, char *e, size_t l)                 \
	{                                                                                         \
		return parse_int(v, lo, hi, &c->pw.f, e, l);                                      \
	}
#define PW_FLAG(f)                                                                                \
	static int opt_##f(struct bhxh_conf *c, const char *v, char *e, size_t l)                 \
	{                                                                                         \
		return parse_flag(v, &c->pw.f, e, l);                                             \
	}

/* Ranges are the peers': libpwquality takes any int for its settings (and
 * clamps minlen below 6 to 6, minclass above 4 to 4: bhxh_pw_params_resolve
 * does the same), pam_pwhistory any remember (clamped to 0..400) and retry.
 * Clamping happens where the values are used, so "bhxhctl config show"
 * prints what was written. */
/* libpwquality's checks: any number (0 off), or a bare word for 1 */
#define PW_FLAGINT(f)                                                                             \
	static int opt_##f(struct bhxh_conf *c, const char *v, char *e, size_t l)                 \
	{                                                                                         \
		if (v == NULL) {                                                                  \
			c->pw.f = 1;                                                              \
			return 0;                                                                 \
		}                                                                                 \
		return parse_int(v, -(int64_t)INT32_MAX + 1, (int64_t)INT32_MAX - 1, &c->pw.f, e, \
				 l);                                                              \
	}
#define PW_ANY(f) PW_INT(f, -(int64_t)INT32_MAX + 1, (int64_t)INT32_MAX - 1)
PW_ANY(minlen)
PW_ANY(dcredit)
PW_ANY(ucredit)
PW_ANY(lcredit)
PW_ANY(ocredit)
PW_ANY(minclass)
PW_ANY(maxrepeat)
PW_ANY(maxsequence)
PW_ANY(maxclassrepeat)
PW_ANY(difok)
PW_ANY(usersubstr)
PW_ANY(enforcing)
PW_FLAGINT(dictcheck)
PW_FLAGINT(usercheck)
PW_FLAGINT(gecoscheck)
PW_ANY(retry)
PW_ANY(remember)
PW_INT(min_strength, 0, 256)
PW_FLAG(enforce_for_root)

/* Options of the peers that change nothing here (documented in
 * pam_bhxh(8)): pam_pwquality's reject_username and difignore= (kept only
 * for pam_cracklib's sake, ignored by pam_pwquality too). */
static int opt_no_effect(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	(void)c;
	(void)v;
	(void)e;
	(void)l;
	return 0;
}

/* use_first_pass: as for pam_get_authtok, never prompt (= use_authtok). */
static int opt_use_first_pass(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	int64_t b;
	int r = parse_flag(v, &b, e, l);

	if (r == 0)
		c->pw.use_authtok = b != 0;
	return r;
}

/* authtok_type= (and pam_pwquality's type=): "New TYPE password: ". */
static int opt_authtok_type(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	if (v == NULL)
		v = "";
	if (bhxh_strlcpy(c->pw.authtok_type, v, sizeof(c->pw.authtok_type)) < 0) {
		snprintf(e, l, "value longer than %zu bytes", sizeof(c->pw.authtok_type) - 1);
		return -EINVAL;
	}
	return 0;
}

/* lang=: vi, en or auto (the user's locale; see i18n.h). */
static int opt_lang(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	if (v == NULL || (strcmp(v, "vi") != 0 && strcmp(v, "en") != 0 && strcmp(v, "auto") != 0)) {
		snprintf(e, l, "expects vi, en or auto, not '%.64s'", v ? v : "");
		return -EINVAL;
	}
	(void)bhxh_strlcpy(c->lang, v, sizeof(c->lang));
	return 0;
}

static int opt_profile(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	if (v == NULL || (strcmp(v, "bhxh") != 0 && strcmp(v, "nist") != 0 &&
			  strcmp(v, "admin") != 0)) {
		snprintf(e, l, "expects bhxh, nist or admin, not '%.64s'", v ? v : "");
		return -EINVAL;
	}
	(void)bhxh_strlcpy(c->pw.profile, v, sizeof(c->pw.profile));
	return 0;
}

/* A path, or "none" to switch the feature off. */
static int set_path_or_none(char *dst, size_t size, const char *v, char *e, size_t l)
{
	if (v == NULL || (v[0] != '/' && strcmp(v, "none") != 0)) {
		snprintf(e, l, "needs an absolute path or 'none'");
		return -EINVAL;
	}
	if (bhxh_strlcpy(dst, v, size) < 0) {
		snprintf(e, l, "value longer than %zu bytes", size - 1);
		return -EINVAL;
	}
	return 0;
}

#define PW_PATH(f)                                                                                \
	static int opt_##f(struct bhxh_conf *c, const char *v, char *e, size_t l)                 \
	{                                                                                         \
		return set_path_or_none(c->pw.f, sizeof(c->pw.f), v, e, l);                       \
	}
PW_PATH(denylist)
PW_PATH(vi_dict)
PW_PATH(pwquality_conf)
PW_PATH(pwhistory_conf)
PW_PATH(dictpath)

/* pam_pwhistory's file=: an absolute path, as pam_pwhistory checks. */
static int opt_file(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	if (v == NULL || v[0] != '/') {
		snprintf(e, l, "needs an absolute path");
		return -EINVAL;
	}
	return set_path_or_none(c->pw.opasswd, sizeof(c->pw.opasswd), v, e, l);
}

#define PW(f) offsetof(struct bhxh_conf, pw.f)
#define C(f) { .name = #f, .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY, .fn = FN_opt_##f }

/* The custom options' functions, by .fn - 1 (conf.h: no pointer in a table) */
enum {
	FN_opt_profile = 1,
	FN_opt_minlen,
	FN_opt_dcredit,
	FN_opt_ucredit,
	FN_opt_lcredit,
	FN_opt_ocredit,
	FN_opt_minclass,
	FN_opt_maxrepeat,
	FN_opt_maxsequence,
	FN_opt_maxclassrepeat,
	FN_opt_dictcheck,
	FN_opt_usercheck,
	FN_opt_gecoscheck,
	FN_opt_enforce_for_root,
	FN_opt_retry,
	FN_opt_min_strength,
	FN_opt_remember,
	FN_opt_denylist,
	FN_opt_vi_dict,
	FN_opt_pwquality_conf,
	FN_opt_pwhistory_conf,
	FN_opt_dictpath,
	FN_opt_difok,
	FN_opt_usersubstr,
	FN_opt_enforcing,
	FN_opt_use_first_pass,
	FN_opt_authtok_type,
	FN_opt_file,
	FN_opt_lang,
	FN_opt_no_effect,
};

static const bhxh_opt_fn fns[] = {
	[FN_opt_profile - 1] = opt_profile,
	[FN_opt_minlen - 1] = opt_minlen,
	[FN_opt_dcredit - 1] = opt_dcredit,
	[FN_opt_ucredit - 1] = opt_ucredit,
	[FN_opt_lcredit - 1] = opt_lcredit,
	[FN_opt_ocredit - 1] = opt_ocredit,
	[FN_opt_minclass - 1] = opt_minclass,
	[FN_opt_maxrepeat - 1] = opt_maxrepeat,
	[FN_opt_maxsequence - 1] = opt_maxsequence,
	[FN_opt_maxclassrepeat - 1] = opt_maxclassrepeat,
	[FN_opt_dictcheck - 1] = opt_dictcheck,
	[FN_opt_usercheck - 1] = opt_usercheck,
	[FN_opt_gecoscheck - 1] = opt_gecoscheck,
	[FN_opt_enforce_for_root - 1] = opt_enforce_for_root,
	[FN_opt_retry - 1] = opt_retry,
	[FN_opt_min_strength - 1] = opt_min_strength,
	[FN_opt_remember - 1] = opt_remember,
	[FN_opt_denylist - 1] = opt_denylist,
	[FN_opt_vi_dict - 1] = opt_vi_dict,
	[FN_opt_pwquality_conf - 1] = opt_pwquality_conf,
	[FN_opt_pwhistory_conf - 1] = opt_pwhistory_conf,
	[FN_opt_dictpath - 1] = opt_dictpath,
	[FN_opt_difok - 1] = opt_difok,
	[FN_opt_usersubstr - 1] = opt_usersubstr,
	[FN_opt_enforcing - 1] = opt_enforcing,
	[FN_opt_use_first_pass - 1] = opt_use_first_pass,
	[FN_opt_authtok_type - 1] = opt_authtok_type,
	[FN_opt_file - 1] = opt_file,
	[FN_opt_lang - 1] = opt_lang,
	[FN_opt_no_effect - 1] = opt_no_effect,
};

static const struct bhxh_opt opts[] = {
	C(profile),
	C(minlen),
	C(dcredit),
	C(ucredit),
	C(lcredit),
	C(ocredit),
	C(minclass),
	C(maxrepeat),
	C(maxsequence),
	C(maxclassrepeat),
	C(dictcheck),
	C(usercheck),
	C(gecoscheck),
	C(enforce_for_root),
	C(retry),
	C(min_strength),
	C(remember),
	C(denylist),
	C(vi_dict),
	C(pwquality_conf),
	C(pwhistory_conf),
	C(dictpath),
	C(difok),
	C(usersubstr),
	C(enforcing),
	C(use_first_pass),
	C(authtok_type),
	C(file),
	C(lang),
	{ .name = "type", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY, .fn = FN_opt_authtok_type },
	{ .name = "reject_username", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY,
	  .fn = FN_opt_no_effect },
	{ .name = "difignore", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY,
	  .fn = FN_opt_no_effect },
	{ .name = "badwords", .type = BHXH_OPT_STRING, .offset = PW(badwords),
	  .size = sizeof(((struct bhxh_conf *)0)->pw.badwords), .scope = BHXH_SCOPE_ANY },
	{ .name = "history_dir", .type = BHXH_OPT_PATH, .offset = PW(history_dir),
	  .size = sizeof(((struct bhxh_conf *)0)->pw.history_dir), .scope = BHXH_SCOPE_ANY },
	{ .name = "use_authtok", .type = BHXH_OPT_FLAG, .offset = PW(use_authtok),
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "try_first_pass", .type = BHXH_OPT_FLAG, .offset = PW(try_first_pass),
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "record", .type = BHXH_OPT_FLAG, .offset = PW(record), .scope = BHXH_SCOPE_ARG },
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_pw = { opts, fns, BHXH_ARRAY_SIZE(fns) };

void bhxh_conf_init_pw(struct bhxh_conf *c)
{
	struct bhxh_pw_conf *p = &c->pw;

	(void)bhxh_strlcpy(p->profile, "bhxh", sizeof(p->profile));
	p->minlen = p->dcredit = p->ucredit = p->lcredit = p->ocredit = BHXH_PW_UNSET;
	p->minclass = p->maxrepeat = p->maxsequence = p->maxclassrepeat = BHXH_PW_UNSET;
	p->dictcheck = p->usercheck = p->gecoscheck = BHXH_PW_UNSET;
	p->enforce_for_root = p->retry = p->min_strength = p->remember = BHXH_PW_UNSET;
	p->difok = p->usersubstr = p->enforcing = BHXH_PW_UNSET;
	(void)bhxh_strlcpy(p->pwquality_conf, BHXH_PWQUALITY_CONF, sizeof(p->pwquality_conf));
	(void)bhxh_strlcpy(p->pwhistory_conf, BHXH_PWHISTORY_CONF, sizeof(p->pwhistory_conf));
	(void)bhxh_strlcpy(c->lang, "auto", sizeof(c->lang));
	(void)bhxh_strlcpy(p->denylist, PKGDATADIR "/denylist.bhxhdl", sizeof(p->denylist));
	(void)bhxh_strlcpy(p->vi_dict, "/usr/share/hunspell/vi_VN.dic", sizeof(p->vi_dict));
	(void)bhxh_strlcpy(p->history_dir, BHXH_STATE_DIR "/history", sizeof(p->history_dir));
}

/* ---- the peers' files ------------------------------------------------------
 *
 * pwquality.conf and pwhistory.conf keep their own grammar, read as their
 * owners read them: "key = value" or "key value", keys in any case, '#'
 * anywhere starts a comment, lines up to 1023 bytes.  Only the peer's own
 * keys are accepted in its file, with the peer's meaning:
 * enforce_for_root and local_users_only are set by their presence (any
 * value, as libpwquality), debug likewise (pam_pwhistory).  A key the peer
 * does not know or a value it cannot parse is an error (fail closed, as for
 * bhxh.conf); pam_pwquality would log it and use part of the file. */

#define PEER_LINE_MAX 1023

enum peer_kind {
	PEER_VALUE,       /* applied as our option of the same name */
	PEER_SET,         /* presence sets the flag of the same name */
	PEER_LOCAL_USERS, /* pwquality's local_users_only: the password phase only */
	PEER_DEBUG,
};

struct peer_key {
	const char *name;
	enum peer_kind kind;
};

static const struct peer_key pwquality_keys[] = {
	{ "difok", PEER_VALUE },         { "minlen", PEER_VALUE },
	{ "dcredit", PEER_VALUE },       { "ucredit", PEER_VALUE },
	{ "lcredit", PEER_VALUE },       { "ocredit", PEER_VALUE },
	{ "minclass", PEER_VALUE },      { "maxrepeat", PEER_VALUE },
	{ "maxclassrepeat", PEER_VALUE }, { "maxsequence", PEER_VALUE },
	{ "gecoscheck", PEER_VALUE },    { "dictcheck", PEER_VALUE },
	{ "usercheck", PEER_VALUE },     { "usersubstr", PEER_VALUE },
	{ "enforcing", PEER_VALUE },     { "badwords", PEER_VALUE },
	{ "dictpath", PEER_VALUE },      { "retry", PEER_VALUE },
	{ "enforce_for_root", PEER_SET }, { "local_users_only", PEER_LOCAL_USERS },
	{ NULL, PEER_VALUE },
};

static const struct peer_key pwhistory_keys[] = {
	{ "debug", PEER_DEBUG },      { "enforce_for_root", PEER_SET },
	{ "remember", PEER_VALUE },   { "retry", PEER_VALUE },
	{ "file", PEER_VALUE },       { NULL, PEER_VALUE },
};

static int peer_apply(struct bhxh_conf *c, const struct peer_key *keys, const char *name,
		      const char *value, const char *where, char *err, size_t errlen)
{
	char tok[PEER_LINE_MAX + 2];
	const struct peer_key *k;

	for (k = keys; k->name != NULL; k++)
		if (strcasecmp(k->name, name) == 0)
			break;
	if (k->name == NULL) {
		snprintf(err, errlen, "%s: unknown option '%.64s'", where, name);
		return -EINVAL;
	}
	switch (k->kind) {
	case PEER_SET:
		c->pw.enforce_for_root = 1;
		return 0;
	case PEER_LOCAL_USERS:
		c->pw.local_users_only = true;
		return 0;
	case PEER_DEBUG:
		c->debug = true;
		return 0;
	case PEER_VALUE:
		break;
	}
	/* an empty string setting means "unset" to libpwquality */
	if (*value == '\0' && strcmp(k->name, "badwords") == 0) {
		c->pw.badwords[0] = '\0';
		return 0;
	}
	if (*value == '\0' && strcmp(k->name, "dictpath") == 0) {
		c->pw.dictpath[0] = '\0';
		return 0;
	}
	if (snprintf(tok, sizeof(tok), "%s=%s", k->name, value) >= (int)sizeof(tok)) {
		snprintf(err, errlen, "%s: value too long", where);
		return -EINVAL;
	}
	return bhxh_conf_apply(c, tok, BHXH_SCOPE_FILE, where, err, errlen);
}

/* One peer file.  Symbolic links are followed (the peers do; the file sits
 * in root's /etc/security), but the file must be a regular file owned by
 * root and not writable by others.  A missing file is no error. */
static int peer_file(struct bhxh_conf *c, const struct peer_key *keys, const char *path,
		     unsigned *nread, char *err, size_t errlen)
{
	char line[PEER_LINE_MAX + 2];
	char where[PATH_MAX + 32];
	struct stat st;
	unsigned lineno = 0;
	FILE *f;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		r = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if ((st.st_mode & S_IWOTH) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		snprintf(err, errlen, "%s: must be owned by root and not writable by others", path);
		close(fd);
		return -EPERM;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		r = -errno;
		close(fd);
		return r;
	}
	(*nread)++;
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		char *p, *name, *hash;
		bool eq = false;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		/* no cap on the number of lines: libpwquality and
		 * pam_pwhistory have none */
		if (len > PEER_LINE_MAX && line[len - 1] != '\n' && !feof(f)) {
			snprintf(err, errlen, "%s: line too long", where);
			r = -EINVAL;
			break;
		}
		/* an editor's UTF-8 byte order mark is not part of the key */
		if (lineno == 1 && strncmp(line, BHXH_UTF8_BOM, 3) == 0)
			memmove(line, line + 3, len - 2);
		hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		len = strlen(line);
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		if (*p == '\0')
			continue;
		name = p;
		while (*p != '\0' && !isspace((unsigned char)*p) && *p != '=')
			p++;
		if (*p != '\0') {
			eq = *p == '=';
			*p++ = '\0';
		}
		while (isspace((unsigned char)*p) || (*p == '=' && !eq)) {
			eq |= *p == '=';
			p++;
		}
		r = peer_apply(c, keys, name, p, where, err, errlen);
	}
	if (r == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		r = -EIO;
	}
	fclose(f);
	return r;
}

static int conf_d_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

/* pwquality.conf.d/ *.conf in name order, then pwquality.conf. */
static int pwquality_files(struct bhxh_conf *c, const char *path, unsigned *nread, char *err,
			   size_t errlen)
{
	char dir[PATH_MAX], sub[PATH_MAX];
	struct dirent **names = NULL;
	int n, r = 0;

	if (snprintf(dir, sizeof(dir), "%s.d", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	n = scandir(dir, &names, conf_d_filter, alphasort);
	for (int i = 0; i < n; i++) {
		if (r == 0) {
			if (snprintf(sub, sizeof(sub), "%s/%s", dir, names[i]->d_name) >=
			    (int)sizeof(sub))
				r = -ENAMETOOLONG;
			else
				r = peer_file(c, pwquality_keys, sub, nread, err, errlen);
		}
		free(names[i]);
	}
	free(names);
	if (r < 0)
		return r;
	return peer_file(c, pwquality_keys, path, nread, err, errlen);
}

int bhxh_conf_load_pw(struct bhxh_conf *c, int argc, const char **argv, char *err,
		      size_t errlen)
{
	char pwq[PATH_MAX], pwh[PATH_MAX];
	unsigned nread = 0;
	int r;

	/* first bhxh.conf and the arguments alone: they name the peers' files */
	r = bhxh_conf_load(c, argc, argv, err, errlen);
	if (r < 0)
		return r;
	(void)bhxh_strlcpy(pwq, c->pw.pwquality_conf, sizeof(pwq));
	(void)bhxh_strlcpy(pwh, c->pw.pwhistory_conf, sizeof(pwh));
	/* then peer files (faillock.conf, pwquality, pwhistory) < bhxh.conf <
	 * arguments */
	bhxh_conf_init(c);
	r = bhxh_conf_load_peers(c, bhxh_conf_peer_dir(), err, errlen);
	if (r == 0 && strcmp(pwq, "none") != 0)
		r = pwquality_files(c, pwq, &nread, err, errlen);
	if (r == 0 && strcmp(pwh, "none") != 0)
		r = peer_file(c, pwhistory_keys, pwh, &nread, err, errlen);
	if (r < 0)
		return r;
	return bhxh_conf_load_over(c, argc, argv, err, errlen);
}
