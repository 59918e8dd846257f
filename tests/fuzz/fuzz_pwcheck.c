/* Fuzz target: the password checker (lib/pwcheck.c, lib/pwwords.c).
 *
 * First byte: the profile (bhxh, nist, admin).  The rest is split at NUL
 * bytes into new password, old password, user name and GECOS, of any
 * length and any bytes (invalid UTF-8, lone combining marks, very long
 * runs).  The policies are made once per process from the default
 * configuration with the system dictionaries; files that are absent on
 * this machine are switched off rather than failing the run. */
#include "config.h"

#include "fuzz_common.h"

#include "conf.h"
#include "pwcheck.h"

static const char *const profiles[] = { "bhxh", "nist", "admin" };

static struct bhxh_pw_policy *make_policy(const char *profile)
{
	struct bhxh_pw_policy *p = NULL;
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(&c);
	snprintf(c.pw.profile, sizeof(c.pw.profile), "%s", profile);
	snprintf(c.pw.pwquality_conf, sizeof(c.pw.pwquality_conf), "none");
	snprintf(c.pw.denylist, sizeof(c.pw.denylist), "none");
	if (bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)) == 0)
		return p;
	fprintf(stderr, "fuzz_pwcheck: %s; without the Vietnamese dictionary\n", err);
	snprintf(c.pw.vi_dict, sizeof(c.pw.vi_dict), "none");
	if (bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)) == 0)
		return p;
	fprintf(stderr, "fuzz_pwcheck: %s; without cracklib\n", err);
	c.pw.dictcheck = 0;
	FUZZ_ASSERT(bhxh_pw_policy_new(&c.pw, &p, err, sizeof(err)) == 0);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bhxh_pw_policy *pol[3];
	struct bhxh_pw_verdict v;
	enum bhxh_pw_reason pattern;
	char *s[4], text[512];
	unsigned k;

	if (size == 0)
		return 0;
	k = data[0] % 3;
	if (pol[k] == NULL)
		pol[k] = make_policy(profiles[k]);
	fuzz_split(data + 1, size - 1, '\0', s, 4);
	if (bhxh_pw_check(pol[k], s[0], s[1][0] ? s[1] : NULL, s[2][0] ? s[2] : NULL,
			  s[3][0] ? s[3] : NULL, &v) == 0) {
		FUZZ_ASSERT(v.reason >= BHXH_PW_OK && v.reason < BHXH_PW_REASON_MAX_);
		FUZZ_ASSERT(memchr(v.detail, '\0', sizeof(v.detail)) != NULL);
		FUZZ_ASSERT(bhxh_pw_reason_code(v.reason) != NULL);
		bhxh_pw_explain(&v, text, sizeof(text));
		FUZZ_ASSERT(memchr(text, '\0', sizeof(text)) != NULL);
	}
	(void)bhxh_pw_strength(pol[k], s[0], s[2], s[3], &pattern);
	FUZZ_ASSERT(bhxh_pw_charlen(s[0]) <= strlen(s[0]));
	fuzz_free_parts(s, 4);
	return 0;
}
