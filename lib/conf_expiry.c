/* Options of the expiry area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

#define EXP(f) offsetof(struct bhxh_conf, expiry.f)

static const struct bhxh_opt opts[] = {
	{ .name = "max_days", .type = BHXH_OPT_UINT, .offset = EXP(max_days), .min = 1,
	  .max = 36500, .scope = BHXH_SCOPE_ANY },
	{ .name = "min_days", .type = BHXH_OPT_UINT, .offset = EXP(min_days), .max = 36500,
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "warn_days", .type = BHXH_OPT_UINT, .offset = EXP(warn_days), .max = 36500,
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "inactive_days", .type = BHXH_OPT_UINT, .offset = EXP(inactive_days), .min = 1,
	  .max = 36500, .scope = BHXH_SCOPE_ANY },
	{ .name = "inactive_min_uid", .type = BHXH_OPT_UINT, .offset = EXP(inactive_min_uid),
	  .max = UINT32_MAX, .scope = BHXH_SCOPE_ANY },
	{ .name = "lastlogin_dir", .type = BHXH_OPT_PATH, .offset = EXP(lastlogin_dir),
	  .size = sizeof(((struct bhxh_conf *)0)->expiry.lastlogin_dir), .scope = BHXH_SCOPE_ANY },
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_expiry = { opts, NULL, 0 };

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
