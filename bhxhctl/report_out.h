/* bhxhctl report: output helpers shared by the text/JSON/CSV printer
 * (cmd_report.c) and the HTML page (report_html.c). */
#ifndef BHXHCTL_REPORT_OUT_H
#define BHXHCTL_REPORT_OUT_H

#include <stdio.h>

#include "report.h"

/* One sentence describing an alert, in the current language. */
void report_alert_text(const struct bhxh_report_alert *a, char *buf, size_t len);
/* Local time as "YYYY-MM-DD HH:MM:SS" (utc: as "YYYY-MM-DDTHH:MM:SSZ"). */
const char *report_time_str(long long t, bool utc, char *buf, size_t len);

struct report_html_opts {
	size_t top;          /* rows in the top-N tables */
	long long now;       /* for "expiring soon" and the page footer */
	const char *title;   /* NULL: the default */
};
/* Write the whole self-contained page to f.  Returns 0 or -errno. */
int report_html(struct bhxh_report *rep, FILE *f, const struct report_html_opts *o);

#endif
