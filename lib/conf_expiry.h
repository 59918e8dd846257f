/* Configuration of the expiry area (see conf.h). */
#ifndef BHXH_CONF_EXPIRY_H
#define BHXH_CONF_EXPIRY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* A day count that was not configured (the shadow entry alone decides). */
#define BHXH_DAYS_UNSET UINT64_MAX

struct bhxh_expiry_conf {
	uint64_t max_days;      /* password lifetime; BHXH_DAYS_UNSET = shadow only */
	uint64_t min_days;      /* days between changes; BHXH_DAYS_UNSET = shadow only */
	uint64_t warn_days;     /* warn this many days before expiry */
	uint64_t inactive_days; /* no successful login for this long: disabled */
	uint64_t inactive_min_uid; /* accounts below this uid (and root) never go inactive */
	char lastlogin_dir[BHXH_CONF_PATH_MAX]; /* last-login records (lastlogin.h) */
};

#endif
