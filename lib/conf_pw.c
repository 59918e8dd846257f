/* Options of the pw area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

const struct bhxh_opt bhxh_opts_pw[] = {
	{ .name = NULL },
};

void bhxh_conf_init_pw(struct bhxh_conf *c)
{
	(void)c;
}
