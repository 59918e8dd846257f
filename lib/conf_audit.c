/* Options of the audit area. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

const struct bhxh_opt bhxh_opts_audit[] = {
	{ .name = NULL },
};

void bhxh_conf_init_audit(struct bhxh_conf *c)
{
	(void)c;
}
