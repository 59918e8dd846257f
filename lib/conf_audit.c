/* Options of the audit area. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

/* audit_unavailable=syslog|deny */
static int opt_unavailable(struct bhxh_conf *c, const char *v, char *err, size_t errlen)
{
	if (v != NULL && strcmp(v, "syslog") == 0)
		c->audit.unavailable = BHXH_AUDIT_SYSLOG;
	else if (v != NULL && strcmp(v, "deny") == 0)
		c->audit.unavailable = BHXH_AUDIT_DENY;
	else {
		snprintf(err, errlen, "expects syslog or deny, not '%.64s'", v ? v : "");
		return -EINVAL;
	}
	return 0;
}

const struct bhxh_opt bhxh_opts_audit[] = {
	{ "audit_unavailable", BHXH_OPT_CUSTOM, 0, 0, 0, 0, false, BHXH_SCOPE_ANY,
	  opt_unavailable },
	{ "audit_standard", BHXH_OPT_FLAG, offsetof(struct bhxh_conf, audit.standard), 0, 0, 0,
	  false, BHXH_SCOPE_ANY, NULL },
	{ .name = NULL },
};

void bhxh_conf_init_audit(struct bhxh_conf *c)
{
	c->audit.unavailable = BHXH_AUDIT_SYSLOG;
	c->audit.standard = false;
}
