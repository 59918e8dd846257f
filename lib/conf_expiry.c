/* Options of the expiry area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

#define EXP(f) offsetof(struct bhxh_conf, expiry.f)

const struct bhxh_opt bhxh_opts_expiry[] = {
	{ "max_days", BHXH_OPT_UINT, EXP(max_days), 0, 1, 36500, false, BHXH_SCOPE_ANY, NULL },
	{ "min_days", BHXH_OPT_UINT, EXP(min_days), 0, 0, 36500, false, BHXH_SCOPE_ANY, NULL },
	{ "warn_days", BHXH_OPT_UINT, EXP(warn_days), 0, 0, 36500, false, BHXH_SCOPE_ANY, NULL },
	{ "inactive_days", BHXH_OPT_UINT, EXP(inactive_days), 0, 1, 36500, false, BHXH_SCOPE_ANY,
	  NULL },
	{ "inactive_min_uid", BHXH_OPT_UINT, EXP(inactive_min_uid), 0, 0, UINT32_MAX, false,
	  BHXH_SCOPE_ANY, NULL },
	{ "lastlogin_dir", BHXH_OPT_PATH, EXP(lastlogin_dir),
	  sizeof(((struct bhxh_conf *)0)->expiry.lastlogin_dir), 0, 0, false, BHXH_SCOPE_ANY,
	  NULL },
	{ .name = NULL },
};

void bhxh_conf_init_expiry(struct bhxh_conf *c)
{
	c->expiry.max_days = BHXH_DAYS_UNSET;
	c->expiry.min_days = BHXH_DAYS_UNSET;
	c->expiry.warn_days = 7;
	c->expiry.inactive_days = BHXH_DAYS_UNSET;
	c->expiry.inactive_min_uid = 1000;
	(void)bhxh_strlcpy(c->expiry.lastlogin_dir, BHXH_STATE_DIR "/lastlogin",
			   sizeof(c->expiry.lastlogin_dir));
}
