/* Password quality: one pure check, bhxh_pw_check(), over a policy prepared
 * once by bhxh_pw_policy_new() (libpwquality settings, cracklib dictionary,
 * the Vietnamese word list, the denylist filter).  The check knows nothing
 * of PAM: the module and "bhxhctl password check" are thin front ends.
 *
 * Length is counted in characters: a base character with its combining
 * marks is one character (this equals the NFC length for Vietnamese, whose
 * letters all have precomposed forms), so "đường" is 5 characters, never 9
 * bytes or 8 code points.  minlen is such a count and positive credits never
 * lower it (libpwquality lets dcredit=1 turn minlen=12 into 8 digits-heavy
 * characters; pam_bhxh does not).  Negative credits and minclass keep their
 * libpwquality meaning. */
#ifndef BHXH_PWCHECK_H
#define BHXH_PWCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum bhxh_pw_reason {
	BHXH_PW_OK = 0,
	BHXH_PW_EMPTY,
	BHXH_PW_TOO_SHORT,
	BHXH_PW_TOO_LONG,
	BHXH_PW_SAME_AS_OLD,
	BHXH_PW_TOO_SIMILAR,
	BHXH_PW_USER_NAME,
	BHXH_PW_AGENCY_WORD,
	BHXH_PW_DENYLISTED,
	BHXH_PW_DICTIONARY_WORD,
	BHXH_PW_VIETNAMESE_PHRASE,
	BHXH_PW_KEYBOARD_WALK,
	BHXH_PW_SEQUENCE,
	BHXH_PW_REPEATED,
	BHXH_PW_DATE,
	BHXH_PW_TOO_FEW_CLASSES,
	BHXH_PW_PALINDROME,
	BHXH_PW_TOO_WEAK,
	/* decided by the PAM glue, listed here so codes and texts live together */
	BHXH_PW_REUSED,
	BHXH_PW_TOO_SOON,
	BHXH_PW_MISMATCH,
	BHXH_PW_POLICY_ERROR,
	BHXH_PW_REASON_MAX_,
};

/* Effective policy values: the profile, then explicit options (read from
 * the peers' files, bhxh.conf and the arguments in that order: conf.h
 * bhxh_conf_load_pw).  Clamped as the peers clamp them: minlen at least 6
 * and minclass at most 4 (libpwquality), retry 1..10 (pam_pwquality takes
 * a retry below 1 as 1), remember 0..400 (pam_pwhistory). */
struct bhxh_pw_params {
	int minlen, dcredit, ucredit, lcredit, ocredit, minclass;
	int maxrepeat, maxsequence, maxclassrepeat;
	int dictcheck, usercheck, gecoscheck, enforce_for_root, retry;
	int min_strength, remember;
	int difok, usersubstr, enforcing;
};

struct bhxh_pw_verdict {
	enum bhxh_pw_reason reason;
	unsigned chars;   /* characters counted as described above */
	unsigned bits;    /* estimated guessing work, in bits */
	int need;         /* minlen, min_strength or minclass, by reason */
	char detail[128]; /* ASCII diagnostic (pwquality code...), never the password */
};

struct bhxh_pw_policy; /* opaque */

/* Values of the named profile ("bhxh", "nist", "admin").  -EINVAL if unknown. */
int bhxh_pw_profile(const char *name, struct bhxh_pw_params *ret);

/* Prepare a policy from the pw configuration.  Fails with a message in err
 * (and -ENOENT, -EBADMSG...) when a configured file is missing or bad: the
 * cracklib dictionary, the denylist, the Vietnamese dictionary, pwquality.conf.
 * Nothing is silently skipped. */
int bhxh_pw_policy_new(const struct bhxh_pw_conf *conf, struct bhxh_pw_policy **ret,
		       char *err, size_t errlen);
void bhxh_pw_policy_free(struct bhxh_pw_policy *p);
const struct bhxh_pw_params *bhxh_pw_policy_params(const struct bhxh_pw_policy *p);

/* The check.  oldpass, user and gecos may be NULL.  Returns 0 with the
 * verdict filled (reason BHXH_PW_OK = accepted), or -errno (then
 * v->reason is BHXH_PW_POLICY_ERROR and v->detail says why: a dictionary
 * that cracklib cannot load is such an error, never an accept). */
int bhxh_pw_check(const struct bhxh_pw_policy *p, const char *newpass, const char *oldpass,
		  const char *user, const char *gecos, struct bhxh_pw_verdict *v);

/* Estimated bits alone (benchmarks, tests). */
unsigned bhxh_pw_strength(const struct bhxh_pw_policy *p, const char *pass, const char *user,
			  const char *gecos, enum bhxh_pw_reason *ret_pattern);

/* Characters in s as counted for minlen. */
size_t bhxh_pw_charlen(const char *s);

/* The audit reason code ("too_short"...), lowercase_with_underscores. */
const char *bhxh_pw_reason_code(enum bhxh_pw_reason r);

/* Why the password was refused and what would be accepted, translated
 * (gettext, our domain).  Never contains the password. */
void bhxh_pw_explain(const struct bhxh_pw_verdict *v, char *buf, size_t len);

#endif
