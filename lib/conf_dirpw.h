/* Configuration of the dirpw area: password changes of directory accounts
 * written to LDAP, and the fleet-wide lockout (see bhxh.conf(5)). */
#ifndef BHXH_CONF_DIRPW_H
#define BHXH_CONF_DIRPW_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define BHXH_DIRPW_DN_MAX 512

struct bhxh_dirpw_conf {
	bool directory;                      /* module argument: this line changes
					      * directory accounts' passwords */
	char admin_dn[BHXH_DIRPW_DN_MAX];    /* root resetting another's password */
	char admin_pw_file[BHXH_CONF_PATH_MAX];
	bool lockout;                        /* locks go to the directory and come back */
	char lock_dn[BHXH_DIRPW_DN_MAX];     /* may write pwdAccountLockedTime only */
	char lock_pw_file[BHXH_CONF_PATH_MAX];
	char lock_queue_dir[BHXH_CONF_PATH_MAX];       /* root-only queue read by db sync */
};

#endif
