/* Configuration of the expiry area (see conf.h). */
#ifndef BHXH_CONF_EXPIRY_H
#define BHXH_CONF_EXPIRY_H

#include <stdbool.h>
#include <stdint.h>

struct bhxh_expiry_conf {
	int unused_; /* filled in by the expiry area */
};

#endif
