/* Configuration of the pw area (see conf.h). */
#ifndef BHXH_CONF_PW_H
#define BHXH_CONF_PW_H

#include <stdbool.h>
#include <stdint.h>

struct bhxh_pw_conf {
	int unused_; /* filled in by the pw area */
};

#endif
