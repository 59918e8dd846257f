/* Options of the expiry area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

const struct bhxh_opt bhxh_opts_expiry[] = {
	{ .name = NULL },
};

void bhxh_conf_init_expiry(struct bhxh_conf *c)
{
	(void)c;
}
