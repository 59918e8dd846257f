/* Configuration of the dir area (see conf.h). */
#ifndef BHXH_CONF_DIR_H
#define BHXH_CONF_DIR_H

#include <stdbool.h>
#include <stdint.h>

struct bhxh_dir_conf {
	int unused_; /* filled in by the dir area */
};

#endif
