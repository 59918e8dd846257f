/* Configuration of the fleet report's alerts (see conf.h).  Read by
 * bhxhctl report on the collector; the module only accepts the keys so
 * that one bhxh.conf serves every machine. */
#ifndef BHXH_CONF_REPORT_H
#define BHXH_CONF_REPORT_H

#include <stdint.h>

/* Largest count threshold: the detectors keep this many items per key. */
#define BHXH_ALERT_THRESHOLD_MAX 256

struct bhxh_report_conf {
	uint64_t spray_accounts;      /* report_spray_accounts: 0 = off */
	uint64_t spray_window;        /* report_spray_window, seconds */
	uint64_t spread_hosts;        /* report_spread_hosts: 0 = off */
	uint64_t spread_window;       /* report_spread_window */
	uint64_t lock_storm_accounts; /* report_lock_storm_accounts: 0 = off */
	uint64_t lock_storm_window;   /* report_lock_storm_window */
	uint64_t refused_logins;      /* report_refused_logins: 0 = off */
	uint64_t pw_rejections;       /* report_pw_rejections: 0 = off */
	uint64_t pw_rejections_window; /* report_pw_rejections_window */
};

#endif
