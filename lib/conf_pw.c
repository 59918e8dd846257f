/* Options of the pw area: libpwquality's names plus pam_bhxh's own.
 * Signed values (credits) and pwquality-style flags ("enforce_for_root" or
 * "enforce_for_root=1") need their own small parsers; they still go
 * through the one number parser. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

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

/* Bounds: minlen 6 is libpwquality's own floor; the rest are generous but
 * finite so that no value can overflow the arithmetic. */
PW_INT(minlen, 6, 256)
PW_INT(dcredit, -256, 256)
PW_INT(ucredit, -256, 256)
PW_INT(lcredit, -256, 256)
PW_INT(ocredit, -256, 256)
PW_INT(minclass, 0, 4)
PW_INT(maxrepeat, 0, 256)
PW_INT(maxsequence, 0, 256)
PW_INT(maxclassrepeat, 0, 256)
PW_INT(retry, 1, 10)
PW_INT(min_strength, 0, 256)
PW_INT(remember, 0, 400)
PW_FLAG(dictcheck)
PW_FLAG(usercheck)
PW_FLAG(gecoscheck)
PW_FLAG(enforce_for_root)

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
PW_PATH(dictpath)

#define PW(f) offsetof(struct bhxh_conf, pw.f)
#define C(f) { .name = #f, .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY, .fn = opt_##f }

const struct bhxh_opt bhxh_opts_pw[] = {
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
	C(dictpath),
	{ .name = "badwords", .type = BHXH_OPT_STRING, .offset = PW(badwords),
	  .size = sizeof(((struct bhxh_conf *)0)->pw.badwords), .scope = BHXH_SCOPE_ANY },
	{ .name = "history_dir", .type = BHXH_OPT_PATH, .offset = PW(history_dir),
	  .size = sizeof(((struct bhxh_conf *)0)->pw.history_dir), .scope = BHXH_SCOPE_ANY },
	{ .name = "use_authtok", .type = BHXH_OPT_FLAG, .offset = PW(use_authtok),
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "try_first_pass", .type = BHXH_OPT_FLAG, .offset = PW(try_first_pass),
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "record", .type = BHXH_OPT_FLAG, .offset = PW(record), .scope = BHXH_SCOPE_ARG },
	{ .name = NULL },
};

void bhxh_conf_init_pw(struct bhxh_conf *c)
{
	struct bhxh_pw_conf *p = &c->pw;

	(void)bhxh_strlcpy(p->profile, "bhxh", sizeof(p->profile));
	p->minlen = p->dcredit = p->ucredit = p->lcredit = p->ocredit = BHXH_PW_UNSET;
	p->minclass = p->maxrepeat = p->maxsequence = p->maxclassrepeat = BHXH_PW_UNSET;
	p->dictcheck = p->usercheck = p->gecoscheck = BHXH_PW_UNSET;
	p->enforce_for_root = p->retry = p->min_strength = p->remember = BHXH_PW_UNSET;
	(void)bhxh_strlcpy(p->pwquality_conf, SYSCONFDIR "/security/pwquality.conf",
			  sizeof(p->pwquality_conf));
	(void)bhxh_strlcpy(p->denylist, PKGDATADIR "/denylist.bhxhdl", sizeof(p->denylist));
	(void)bhxh_strlcpy(p->vi_dict, "/usr/share/hunspell/vi_VN.dic", sizeof(p->vi_dict));
	(void)bhxh_strlcpy(p->history_dir, BHXH_STATE_DIR "/history", sizeof(p->history_dir));
}
