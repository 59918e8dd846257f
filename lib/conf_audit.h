/* Configuration of the audit area (see conf.h). */
#ifndef BHXH_CONF_AUDIT_H
#define BHXH_CONF_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

struct bhxh_audit_conf {
	int unused_; /* filled in by the audit area */
};

#endif
