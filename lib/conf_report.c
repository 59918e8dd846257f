/* Options of the fleet report (alert thresholds).  File only: they mean
 * nothing on a module line. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

#define REP(f) offsetof(struct bhxh_conf, report.f)
#define COUNT(key, f) \
	{ .name = key, .type = BHXH_OPT_UINT, .offset = REP(f), .min = 0, \
	  .max = BHXH_ALERT_THRESHOLD_MAX, .scope = BHXH_SCOPE_FILE }
#define WINDOW(key, f) \
	{ .name = key, .type = BHXH_OPT_SECONDS, .offset = REP(f), .min = 1, \
	  .max = 31 * 86400, .scope = BHXH_SCOPE_FILE }

static const struct bhxh_opt opts[] = {
	COUNT("report_spray_accounts", spray_accounts),
	WINDOW("report_spray_window", spray_window),
	COUNT("report_spread_hosts", spread_hosts),
	WINDOW("report_spread_window", spread_window),
	COUNT("report_lock_storm_accounts", lock_storm_accounts),
	WINDOW("report_lock_storm_window", lock_storm_window),
	COUNT("report_refused_logins", refused_logins),
	COUNT("report_pw_rejections", pw_rejections),
	WINDOW("report_pw_rejections_window", pw_rejections_window),
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_report = { opts, NULL, 0 };

void bhxh_conf_init_report(struct bhxh_conf *c)
{
	c->report.spray_accounts = 10;
	c->report.spray_window = 600;
	c->report.spread_hosts = 5;
	c->report.spread_window = 3600;
	c->report.lock_storm_accounts = 20;
	c->report.lock_storm_window = 300;
	c->report.refused_logins = 1;
	c->report.pw_rejections = 50;
	c->report.pw_rejections_window = 3600;
}
