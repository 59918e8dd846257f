/* Internals shared by lib/report.c (counting, alerts, results) and
 * lib/report_parse.c (reading the log).  Not for the CLI. */
#ifndef BHXH_REPORT_PRIV_H
#define BHXH_REPORT_PRIV_H

#include "report.h"

/* A growable table of named counters: open addressing over an index of
 * positions into a dense array, so that the array can be sorted at the end. */
struct report_table {
	struct bhxh_report_entry *v;
	size_t n, cap;
	uint32_t *idx; /* position + 1; 0 = empty */
	size_t idxcap; /* power of two */
	bool sorted;
};

struct report_alert {
	struct bhxh_report_alert pub;
	size_t acap, hcap;
};

struct bhxh_report {
	struct bhxh_report_filter f;
	struct report_table users, hosts, sources;
	struct bhxh_report_totals t;
	struct report_alert *alerts;
	size_t nalerts, alertcap;
	struct bhxh_alert_track *lock_storm, *pw_rejections; /* fleet-wide */
	long long tmin, tmax; /* of the failures in the series */
	uintptr_t seq;     /* record number: the item of count-only detectors */
	char *carry; /* a line split across two feeds */
	size_t carrylen;
	bool carry_skip; /* the carried line is already too long: drop it */
	bool oom;
	bool finished;
};

#endif
