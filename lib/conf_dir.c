/* Options of the dir area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"
#include "dirdb_conf.h"

#define DIR(f) offsetof(struct bhxh_conf, dir.f)

const struct bhxh_opt bhxh_opts_dir[] = {
	{ "db_dir", BHXH_OPT_PATH, DIR(db_dir), sizeof(((struct bhxh_conf *)0)->dir.db_dir), 0, 0,
	  false, BHXH_SCOPE_ANY, NULL },
	{ "db_max_delete", BHXH_OPT_UINT, DIR(db_max_delete), 0, 0, 100, false, BHXH_SCOPE_ANY,
	  NULL },
	{ "revoke_check", BHXH_OPT_FLAG, DIR(revoke_check), 0, 0, 0, false, BHXH_SCOPE_ANY, NULL },
	{ .name = NULL },
};

void bhxh_conf_init_dir(struct bhxh_conf *c)
{
	(void)bhxh_strlcpy(c->dir.db_dir, BHXH_DIR_DB_DIR, sizeof(c->dir.db_dir));
	c->dir.db_max_delete = 10;
	c->dir.revoke_check = true;
}
