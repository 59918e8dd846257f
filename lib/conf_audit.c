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

/* The custom options' functions, by .fn - 1 (conf.h: no pointer in a table) */
enum {
	FN_opt_unavailable = 1,
};

static const bhxh_opt_fn fns[] = {
	[FN_opt_unavailable - 1] = opt_unavailable,
};

static const struct bhxh_opt opts[] = {
	{ .name = "audit_unavailable", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY,
	  .fn = FN_opt_unavailable },
	{ .name = "audit_standard", .type = BHXH_OPT_FLAG,
	  .offset = offsetof(struct bhxh_conf, audit.standard), .scope = BHXH_SCOPE_ANY },
	{ .name = "audit_status_cache", .type = BHXH_OPT_UINT,
	  .offset = offsetof(struct bhxh_conf, audit.status_cache), .max = 3600,
	  .scope = BHXH_SCOPE_ANY },
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_audit = { opts, fns, BHXH_ARRAY_SIZE(fns) };

void bhxh_conf_init_audit(struct bhxh_conf *c)
{
	c->audit.unavailable = BHXH_AUDIT_SYSLOG;
	c->audit.standard = false;
	c->audit.status_cache = BHXH_AUDIT_STATUS_CACHE_DEFAULT;
}
