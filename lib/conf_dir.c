/* Options of the dir area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

const struct bhxh_opt bhxh_opts_dir[] = {
	{ .name = NULL },
};

void bhxh_conf_init_dir(struct bhxh_conf *c)
{
	(void)c;
}
