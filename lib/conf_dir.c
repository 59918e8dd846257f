/* Options of the dir area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"
#include "dirdb_conf.h"

#define DIR(f) offsetof(struct bhxh_conf, dir.f)

static const struct bhxh_opt opts[] = {
	{ .name = "db_dir", .type = BHXH_OPT_PATH, .offset = DIR(db_dir),
	  .size = sizeof(((struct bhxh_conf *)0)->dir.db_dir), .scope = BHXH_SCOPE_ANY },
	{ .name = "db_max_delete", .type = BHXH_OPT_UINT, .offset = DIR(db_max_delete), .max = 100,
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "revoke_check", .type = BHXH_OPT_FLAG, .offset = DIR(revoke_check),
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_dir = { opts, NULL, 0 };

void bhxh_conf_init_dir(struct bhxh_conf *c)
{
	(void)bhxh_strlcpy(c->dir.db_dir, BHXH_DIR_DB_DIR, sizeof(c->dir.db_dir));
	c->dir.db_max_delete = 10;
	c->dir.revoke_check = true;
}
