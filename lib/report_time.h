/* Time arguments of bhxhctl report (split from report.h). */
#ifndef BHXH_REPORT_TIME_H
#define BHXH_REPORT_TIME_H

/* Parse a --since/--until value: ISO 8601 ("2026-11-25", "2026-11-25T08:00",
 * "2026-11-25 08:00:00", optional "Z" or "+07:00"), auditd's forms ("now",
 * "recent" = 10 minutes ago, "today", "yesterday", "this-week", "week-ago",
 * "this-month", "this-year", "MM/DD/YYYY", "MM/DD/YY") and a following
 * time "HH:MM[:SS]" given in time (or NULL).  Local time unless a zone is
 * given.  Returns 0 or -EINVAL; *ret written only on success. */
int bhxh_report_parse_time(const char *date, const char *time, long long now,
			   long long *ret);

#endif
