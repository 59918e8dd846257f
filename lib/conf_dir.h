/* Configuration of the dir area (see conf.h). */
#ifndef BHXH_CONF_DIR_H
#define BHXH_CONF_DIR_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct bhxh_dir_conf {
	char db_dir[BHXH_CONF_PATH_MAX];     /* where passwd.db and shadow.db live */
	uint64_t db_max_delete;    /* percent of accounts one build may remove */
	bool revoke_check;         /* account phase consults the database */
};

#endif
