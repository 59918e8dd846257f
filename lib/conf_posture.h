/* Configuration of the posture area (see conf.h): the login-time checks of
 * directive 2033 points 1 and 4 — the agency's antivirus present and
 * current, no active wireless interface. */
#ifndef BHXH_CONF_POSTURE_H
#define BHXH_CONF_POSTURE_H

#include <limits.h>
#include <stdint.h>

#include "util.h"

/* What a failed check does (per check). */
enum bhxh_posture_policy {
	BHXH_POSTURE_OFF = 0, /* not checked */
	BHXH_POSTURE_WARN,    /* the user is told, the login goes on */
	BHXH_POSTURE_DENY,    /* non-administrators refused; root/admin_group warned */
};

/* Longest process name the kernel keeps in /proc/PID/comm (TASK_COMM_LEN-1). */
#define BHXH_COMM_MAX 15

struct bhxh_posture_conf {
	unsigned av;                        /* enum bhxh_posture_policy */
	unsigned wifi;                      /* enum bhxh_posture_policy */
	char av_process[BHXH_COMM_MAX + 1]; /* "" = no antivirus required */
	char av_pidfile[BHXH_CONF_PATH_MAX];          /* "" = find the process by name */
	char av_db[BHXH_CONF_PATH_MAX];               /* "" = signature age not checked */
	uint64_t av_max_age_days;           /* newest signatures at most this old */
};

#endif
