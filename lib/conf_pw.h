/* Configuration of the pw area (see conf.h).
 *
 * Every numeric setting starts as BHXH_PW_UNSET: the profile (profile=,
 * "bhxh" by default) fills what was not given explicitly, so an explicit
 * option always wins over the profile whatever their order.  The effective
 * values are computed by bhxh_pw_params_resolve() (pwcheck.h). */
#ifndef BHXH_CONF_PW_H
#define BHXH_CONF_PW_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define BHXH_PW_UNSET INT64_MIN
#define BHXH_PW_WORDS_MAX 512 /* badwords= */
#define BHXH_PW_PROFILE_MAX 16

#define BHXH_PW_TYPE_MAX 32 /* authtok_type= */

/* The peers' files, looked up under /etc at run time as the peers do (not
 * under the build's sysconfdir). */
#define BHXH_PWQUALITY_CONF "/etc/security/pwquality.conf"
#define BHXH_PWHISTORY_CONF "/etc/security/pwhistory.conf"

struct bhxh_pw_conf {
	char profile[BHXH_PW_PROFILE_MAX];
	/* libpwquality's names and meanings (except minlen: see pam_bhxh(8)) */
	int64_t minlen, dcredit, ucredit, lcredit, ocredit, minclass;
	int64_t maxrepeat, maxsequence, maxclassrepeat;
	int64_t dictcheck, usercheck, gecoscheck, enforce_for_root, retry;
	int64_t difok, usersubstr, enforcing;
	bool local_users_only;        /* pwquality.conf's (the argument is core's) */
	char badwords[BHXH_PW_WORDS_MAX];
	char dictpath[BHXH_CONF_PATH_MAX];      /* cracklib dictionary (without .pwd) */
	char pwquality_conf[BHXH_CONF_PATH_MAX]; /* peer file read first (and its .d); "none" */
	char pwhistory_conf[BHXH_CONF_PATH_MAX]; /* peer file read first; "none" */
	char authtok_type[BHXH_PW_TYPE_MAX]; /* "New TYPE password: " */
	char opasswd[BHXH_CONF_PATH_MAX];       /* pam_pwhistory's file=: accepted, unused */
	/* pam_bhxh's own */
	int64_t min_strength;  /* estimated bits an attacker must guess */
	int64_t remember;      /* history depth; 0 = off */
	char denylist[BHXH_CONF_PATH_MAX];   /* filter file or "none" */
	char vi_dict[BHXH_CONF_PATH_MAX];    /* hunspell-vi .dic or "none" */
	char history_dir[BHXH_CONF_PATH_MAX];
	bool use_authtok;
	bool try_first_pass;
	bool record;           /* second password line: record history */
};

#endif
