/* The password checker (see pwcheck.h).
 *
 * Order of the checks: size, length in characters, same as the old one,
 * the guessing estimate (which names the pattern: Vietnamese phrase,
 * keyboard walk, agency word...), the denylist, then libpwquality's classic
 * checks with cracklib behind them.  The estimate is a cheapest-path
 * segmentation of the password into known pieces, each with a cost in bits
 * (a common word ~8, a Vietnamese syllable ~11, a keyboard walk ~9, a year
 * ~7, a word of the denylist ~16, a random lowercase letter 4.7); capitals,
 * leetspeak and diacritics in a word add a bit each.  It is deliberately
 * simple and conservative: it refuses decorated words, and it accepts long
 * passphrases because each extra word costs an attacker another 8-16 bits.
 *
 * This file holds the policy (profiles, libpwquality settings, the check
 * itself); the characters, the estimate and the explanations are in their
 * own files (pwcheck_int.h lists them). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <crack.h>
#include <pwquality.h>

#include "denylist.h"
#include "pwcheck_int.h"
#include "pwwords.h"
#include "util.h"

/* ---- profiles ----------------------------------------------------------- */

int bhxh_pw_profile(const char *name, struct bhxh_pw_params *ret)
{
	/* minlen credits(d,u,l,o) minclass maxrepeat maxsequence maxclassrepeat
	 * dictcheck usercheck gecoscheck enforce_for_root retry min_strength remember
	 * difok usersubstr enforcing (libpwquality's defaults) */
	static const struct {
		const char *name;
		struct bhxh_pw_params p;
	} profiles[] = {
		/* agency default: 12 characters, no composition rules, the estimate
		 * must reach 50 bits, 5 remembered */
		{ "bhxh", { 12, 0, 0, 0, 0, 0, 3, 4, 0, 1, 1, 1, 1, 3, 50, 5, 1, 0, 1 } },
		/* NIST SP 800-63B rev 4: 15 characters, no composition rules,
		 * blocklist and context words; no forced history */
		{ "nist", { 15, 0, 0, 0, 0, 0, 4, 0, 0, 1, 1, 1, 1, 3, 40, 0, 1, 0, 1 } },
		/* administrators: longer, stronger, longer history */
		{ "admin", { 16, 0, 0, 0, 0, 0, 3, 4, 0, 1, 1, 1, 1, 3, 64, 24, 1, 0, 1 } },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(profiles); i++)
		if (strcmp(name, profiles[i].name) == 0) {
			*ret = profiles[i].p;
			return 0;
		}
	return -EINVAL;
}

/* ---- policy ----------------------------------------------------------------- */

static int set_pwq(pwquality_settings_t *q, int setting, int value, char *err, size_t errlen)
{
	if (pwquality_set_int_value(q, setting, value) != 0) {
		snprintf(err, errlen, "libpwquality refused setting %d = %d", setting, value);
		return -EINVAL;
	}
	return 0;
}

static int get_pwq(pwquality_settings_t *q, int setting, int *v)
{
	return pwquality_get_int_value(q, setting, v) == 0 ? 0 : -EINVAL;
}

/* Apply a params struct (all fields, or only those explicitly set) to the
 * libpwquality settings. */
static int params_to_pwq(pwquality_settings_t *q, const struct bhxh_pw_params *v,
			 const struct bhxh_pw_conf *only, char *err, size_t errlen)
{
	const struct {
		int setting;
		int value;
		int64_t conf;
	} map[] = {
		{ PWQ_SETTING_MIN_LENGTH, v->minlen, only ? only->minlen : 0 },
		{ PWQ_SETTING_DIG_CREDIT, v->dcredit, only ? only->dcredit : 0 },
		{ PWQ_SETTING_UP_CREDIT, v->ucredit, only ? only->ucredit : 0 },
		{ PWQ_SETTING_LOW_CREDIT, v->lcredit, only ? only->lcredit : 0 },
		{ PWQ_SETTING_OTH_CREDIT, v->ocredit, only ? only->ocredit : 0 },
		{ PWQ_SETTING_MIN_CLASS, v->minclass, only ? only->minclass : 0 },
		{ PWQ_SETTING_MAX_REPEAT, v->maxrepeat, only ? only->maxrepeat : 0 },
		{ PWQ_SETTING_MAX_SEQUENCE, v->maxsequence, only ? only->maxsequence : 0 },
		{ PWQ_SETTING_MAX_CLASS_REPEAT, v->maxclassrepeat, only ? only->maxclassrepeat : 0 },
		{ PWQ_SETTING_DICT_CHECK, v->dictcheck, only ? only->dictcheck : 0 },
		{ PWQ_SETTING_USER_CHECK, v->usercheck, only ? only->usercheck : 0 },
		{ PWQ_SETTING_GECOS_CHECK, v->gecoscheck, only ? only->gecoscheck : 0 },
		{ PWQ_SETTING_ENFORCE_ROOT, v->enforce_for_root, only ? only->enforce_for_root : 0 },
		{ PWQ_SETTING_RETRY_TIMES, v->retry, only ? only->retry : 0 },
		{ PWQ_SETTING_DIFF_OK, v->difok, only ? only->difok : 0 },
		{ PWQ_SETTING_USER_SUBSTR, v->usersubstr, only ? only->usersubstr : 0 },
		{ PWQ_SETTING_ENFORCING, v->enforcing, only ? only->enforcing : 0 },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(map); i++) {
		if (only != NULL && map[i].conf == BHXH_PW_UNSET)
			continue;
		if (set_pwq(q, map[i].setting, only ? (int)map[i].conf : map[i].value, err,
			    errlen) < 0)
			return -EINVAL;
	}
	return 0;
}

static int pwq_to_params(pwquality_settings_t *q, struct bhxh_pw_params *v)
{
	int r = 0;

	r |= get_pwq(q, PWQ_SETTING_MIN_LENGTH, &v->minlen);
	r |= get_pwq(q, PWQ_SETTING_DIG_CREDIT, &v->dcredit);
	r |= get_pwq(q, PWQ_SETTING_UP_CREDIT, &v->ucredit);
	r |= get_pwq(q, PWQ_SETTING_LOW_CREDIT, &v->lcredit);
	r |= get_pwq(q, PWQ_SETTING_OTH_CREDIT, &v->ocredit);
	r |= get_pwq(q, PWQ_SETTING_MIN_CLASS, &v->minclass);
	r |= get_pwq(q, PWQ_SETTING_MAX_REPEAT, &v->maxrepeat);
	r |= get_pwq(q, PWQ_SETTING_MAX_SEQUENCE, &v->maxsequence);
	r |= get_pwq(q, PWQ_SETTING_MAX_CLASS_REPEAT, &v->maxclassrepeat);
	r |= get_pwq(q, PWQ_SETTING_DICT_CHECK, &v->dictcheck);
	r |= get_pwq(q, PWQ_SETTING_USER_CHECK, &v->usercheck);
	r |= get_pwq(q, PWQ_SETTING_GECOS_CHECK, &v->gecoscheck);
	r |= get_pwq(q, PWQ_SETTING_ENFORCE_ROOT, &v->enforce_for_root);
	r |= get_pwq(q, PWQ_SETTING_RETRY_TIMES, &v->retry);
	r |= get_pwq(q, PWQ_SETTING_DIFF_OK, &v->difok);
	r |= get_pwq(q, PWQ_SETTING_USER_SUBSTR, &v->usersubstr);
	r |= get_pwq(q, PWQ_SETTING_ENFORCING, &v->enforcing);
	return r ? -EINVAL : 0;
}

/* cracklib needs three files; a missing one must be a clear error, not a
 * "BAD PASSWORD: error loading dictionary" for every password, nor (worse)
 * a silent accept. */
static int check_dict(const char *dictpath, char *err, size_t errlen)
{
	static const char *const ext[] = { ".pwd", ".pwi", ".hwm" };
	const char *base = dictpath[0] ? dictpath : GetDefaultCracklibDict();
	char f[PATH_MAX];

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(ext); i++) {
		snprintf(f, sizeof(f), "%s%s", base, ext[i]);
		if (access(f, R_OK) != 0) {
			int e = errno;

			snprintf(err, errlen, "cracklib dictionary %s: %s (install cracklib-runtime "
				 "and run update-cracklib, or set dictcheck=0)", f, strerror(e));
			return -e;
		}
	}
	return 0;
}

int bhxh_pw_policy_new(const struct bhxh_pw_conf *conf, struct bhxh_pw_policy **ret,
		       char *err, size_t errlen)
{
	struct bhxh_pw_policy *p;
	struct bhxh_pw_params prof;
	int r;

	if (bhxh_pw_profile(conf->profile, &prof) < 0) {
		snprintf(err, errlen, "unknown profile '%.32s'", conf->profile);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->pwq = pwquality_default_settings();
	p->trie_cap = 4096;
	p->trie = calloc(p->trie_cap, sizeof(*p->trie));
	p->ntrie = 1;
	if (p->pwq == NULL || p->trie == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	/* profile < explicit options (the peers' files were read into conf
	 * before bhxh.conf and the arguments: bhxh_conf_load_pw) */
	r = params_to_pwq(p->pwq, &prof, NULL, err, errlen);
	if (r < 0)
		goto fail;
	r = params_to_pwq(p->pwq, &prof, conf, err, errlen);
	if (r < 0)
		goto fail;
	if (conf->badwords[0] != '\0' &&
	    pwquality_set_str_value(p->pwq, PWQ_SETTING_BAD_WORDS, conf->badwords) != 0) {
		r = -ENOMEM;
		goto fail;
	}
	if (strcmp(conf->dictpath, "none") != 0 && conf->dictpath[0] != '\0' &&
	    pwquality_set_str_value(p->pwq, PWQ_SETTING_DICT_PATH, conf->dictpath) != 0) {
		r = -ENOMEM;
		goto fail;
	}
	r = pwq_to_params(p->pwq, &p->params);
	if (r < 0) {
		snprintf(err, errlen, "cannot read back the libpwquality settings");
		goto fail;
	}
	p->params.min_strength = (int)(conf->min_strength != BHXH_PW_UNSET ? conf->min_strength :
				       prof.min_strength);
	p->params.remember = (int)(conf->remember != BHXH_PW_UNSET ? conf->remember :
				   prof.remember);
	/* the peers' clamps (libpwquality clamps minlen and minclass itself) */
	p->params.remember = p->params.remember < 0 ? 0 :
			     p->params.remember > 400 ? 400 : p->params.remember;
	p->params.retry = p->params.retry < 1 ? 1 : p->params.retry > 10 ? 10 : p->params.retry;
	/* minlen is enforced here in characters; libpwquality's byte count with
	 * credits would only ever be more lenient, so give it its floor */
	r = set_pwq(p->pwq, PWQ_SETTING_MIN_LENGTH, 6, err, errlen);
	if (r < 0)
		goto fail;
	if (p->params.dictcheck) {
		const char *dp = NULL;

		(void)pwquality_get_str_value(p->pwq, PWQ_SETTING_DICT_PATH, &dp);
		r = check_dict(dp ? dp : "", err, errlen);
		if (r < 0)
			goto fail;
	}
	/* word lists */
	for (size_t i = 0; i < bhxh_pw_words_vi_n && r == 0; i++)
		r = bhxh_pw_trie_add(p, bhxh_pw_words_vi[i], strlen(bhxh_pw_words_vi[i]), W_VI);
	for (size_t i = 0; i < bhxh_pw_words_en_n && r == 0; i++)
		r = bhxh_pw_trie_add(p, bhxh_pw_words_en[i], strlen(bhxh_pw_words_en[i]), W_EN);
	for (const char *w = conf->badwords; *w != '\0' && r == 0;) {
		size_t len = strcspn(w, " ,\t");

		r = bhxh_pw_trie_add(p, w, len, W_AGENCY);
		w += len;
		w += strspn(w, " ,\t");
	}
	if (r == 0 && strcmp(conf->vi_dict, "none") != 0)
		r = bhxh_pw_load_vi_dict(p, conf->vi_dict, err, errlen);
	if (r < 0)
		goto fail;
	if (strcmp(conf->denylist, "none") != 0) {
		struct stat st;
		/* the payload checksum is verified when the file is small enough
		 * to read at every password change; bhxhctl denylist check always */
		bool verify = stat(conf->denylist, &st) == 0 && st.st_size <= (64 << 20);

		r = bhxh_denylist_open(conf->denylist, verify, &p->dl);
		if (r < 0) {
			snprintf(err, errlen, "denylist %s: %s%s", conf->denylist,
				 r == -EBADMSG ? "corrupt (bad checksum or format)" : strerror(-r),
				 r == -ENOENT ? " (build it with bhxhctl denylist build, or set "
						"denylist=none)" : "");
			goto fail;
		}
	}
	*ret = p;
	return 0;
fail:
	bhxh_pw_policy_free(p);
	return r < 0 ? r : -EINVAL;
}

void bhxh_pw_policy_free(struct bhxh_pw_policy *p)
{
	if (p == NULL)
		return;
	pwquality_free_settings(p->pwq);
	bhxh_denylist_close(p->dl);
	free(p->trie);
	free(p);
}

const struct bhxh_pw_params *bhxh_pw_policy_params(const struct bhxh_pw_policy *p)
{
	return &p->params;
}

/* ---- the check ----------------------------------------------------------- */

static enum bhxh_pw_reason map_pwq(int e)
{
	switch (e) {
	case PWQ_ERROR_SAME_PASSWORD:
		return BHXH_PW_SAME_AS_OLD;
	case PWQ_ERROR_TOO_SIMILAR:
	case PWQ_ERROR_CASE_CHANGES_ONLY:
	case PWQ_ERROR_ROTATED:
		return BHXH_PW_TOO_SIMILAR;
	case PWQ_ERROR_PALINDROME:
		return BHXH_PW_PALINDROME;
	case PWQ_ERROR_MIN_DIGITS:
	case PWQ_ERROR_MIN_UPPERS:
	case PWQ_ERROR_MIN_LOWERS:
	case PWQ_ERROR_MIN_OTHERS:
	case PWQ_ERROR_MIN_CLASSES:
		return BHXH_PW_TOO_FEW_CLASSES;
	case PWQ_ERROR_MAX_CONSECUTIVE:
	case PWQ_ERROR_MAX_CLASS_REPEAT:
		return BHXH_PW_REPEATED;
	case PWQ_ERROR_MAX_SEQUENCE:
		return BHXH_PW_SEQUENCE;
	case PWQ_ERROR_USER_CHECK:
	case PWQ_ERROR_GECOS_CHECK:
		return BHXH_PW_USER_NAME;
	case PWQ_ERROR_BAD_WORDS:
		return BHXH_PW_AGENCY_WORD;
	case PWQ_ERROR_CRACKLIB_CHECK:
		return BHXH_PW_DICTIONARY_WORD;
	case PWQ_ERROR_MIN_LENGTH:
		return BHXH_PW_TOO_SHORT;
	case PWQ_ERROR_EMPTY_PASSWORD:
		return BHXH_PW_EMPTY;
	default:
		return BHXH_PW_POLICY_ERROR;
	}
}

/* Denylist candidates: the password folded, then without the digits and
 * symbols around it, then that core read as leetspeak ("P@ssw0rd1234" ->
 * "password"). */
static bool denylisted(const struct bhxh_pw_policy *p, const char *pw, const struct pch *c,
		       size_t n)
{
	char core[BHXH_PASS_MAX + 1];
	size_t a = 0, b = n, k = 0;
	bool hit = bhxh_denylist_contains(p->dl, pw, strlen(pw));

	while (a < b && !c[a].base && c[a].cls != 5)
		a++;
	while (b > a && !c[b - 1].base && c[b - 1].cls != 5)
		b--;
	/* the core must be ASCII letters/leet to be rebuilt byte for byte */
	for (size_t i = a; i < b && k < BHXH_PASS_MAX; i++) {
		if (c[i].cp >= 0x80) {
			k = 0;
			break;
		}
		core[k++] = (char)c[i].cp;
	}
	if (k >= 4 && k < n) /* strictly shorter than the password */
		hit |= bhxh_denylist_contains(p->dl, core, k);
	if (k >= 4) {
		bool changed = false;

		for (size_t i = 0; i < k; i++)
			if (!c[a + i].base && c[a + i].l1) {
				core[i] = c[a + i].l1;
				changed = true;
			}
		if (changed)
			hit |= bhxh_denylist_contains(p->dl, core, k);
	}
	bhxh_wipe(core, sizeof(core));
	return hit;
}

int bhxh_pw_check(const struct bhxh_pw_policy *p, const char *newpass, const char *oldpass,
		  const char *user, const char *gecos, struct bhxh_pw_verdict *v)
{
	const struct bhxh_pw_params *q = &p->params;
	struct pch *c = NULL;
	enum bhxh_pw_reason pattern;
	void *aux = NULL;
	size_t blen, n;
	int e, r = 0;

	memset(v, 0, sizeof(*v));
	blen = strnlen(newpass, BHXH_PASS_MAX + 1);
	if (blen == 0) {
		v->reason = BHXH_PW_EMPTY;
		v->need = q->minlen;
		return 0;
	}
	if (blen > BHXH_PASS_MAX) {
		v->reason = BHXH_PW_TOO_LONG;
		v->need = BHXH_PASS_MAX;
		return 0;
	}
	c = calloc(BHXH_PASS_MAX, sizeof(*c));
	if (c == NULL) {
		v->reason = BHXH_PW_POLICY_ERROR;
		snprintf(v->detail, sizeof(v->detail), "out of memory");
		return -ENOMEM;
	}
	n = bhxh_pw_split_chars(newpass, c, BHXH_PASS_MAX);
	v->chars = (unsigned)n;
	if (n < (size_t)q->minlen) {
		v->reason = BHXH_PW_TOO_SHORT;
		v->need = q->minlen;
		goto out;
	}
	if (oldpass != NULL && strcmp(newpass, oldpass) == 0) {
		v->reason = BHXH_PW_SAME_AS_OLD;
		goto out;
	}
	v->bits = bhxh_pw_estimate(p, c, n, user, gecos, &pattern);
	if (v->bits < (unsigned)q->min_strength) {
		v->reason = pattern;
		v->need = q->min_strength;
		goto out;
	}
	if (p->dl != NULL && denylisted(p, newpass, c, n)) {
		v->reason = BHXH_PW_DENYLISTED;
		goto out;
	}
	e = pwquality_check(p->pwq, newpass, oldpass, user, &aux);
	if (e < 0) {
		char buf[PWQ_MAX_ERROR_MESSAGE_LEN];

		pwquality_strerror(buf, sizeof(buf), e, aux);
		v->reason = map_pwq(e);
		/* cracklib's text is about the dictionary, never the password */
		snprintf(v->detail, sizeof(v->detail), "pwquality %d: %.80s", e, buf);
		if (e == PWQ_ERROR_CRACKLIB_CHECK && strstr(buf, "dictionary") != NULL &&
		    strstr(buf, "load") != NULL) {
			v->reason = BHXH_PW_POLICY_ERROR;
			r = -ENOENT;
		} else if (v->reason == BHXH_PW_POLICY_ERROR)
			r = -EINVAL;
		if (v->reason == BHXH_PW_TOO_FEW_CLASSES)
			v->need = q->minclass;
	}
out:
	bhxh_wipe(c, BHXH_PASS_MAX * sizeof(*c));
	free(c);
	return r;
}
