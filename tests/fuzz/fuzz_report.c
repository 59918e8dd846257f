/* Fuzz target: the audit-log reader of "bhxhctl report" (lib/report.c).
 *
 * First byte: bits 0-6 the chunk size (1..128) in which the rest is fed,
 * bit 7 a user/host filter (else the fleet alerts, with low thresholds).
 * The rest is raw auditd log text.  After the report is finished, every
 * result and alert is walked.  The first lines also go through the small
 * parsers (line check, account decoding, auditd.conf log_file,
 * --since/--until times, the UTF-8 cleaning of the output: always valid). */
#include "config.h"

#include "fuzz_common.h"

#include "conf_report.h"
#include "report.h"
#include "report_time.h"

static void walk(const struct bhxh_report_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(e[i].name != NULL && strlen(e[i].name) <= BHXH_REPORT_NAME_MAX);
}

static void small_parsers(const uint8_t *data, size_t size)
{
	char *lines[6], out[300];
	long long t;

	fuzz_split(data, size, '\n', lines, 6);
	for (int i = 0; i < 5; i++) {
		size_t n = bhxh_utf8_clean(lines[i], strlen(lines[i]), out, sizeof(out));

		FUZZ_ASSERT(n < sizeof(out) && out[n] == '\0');
		for (size_t k = 0, len; k < n; k += len) {
			len = bhxh_utf8_seq((const unsigned char *)out + k, n - k);
			FUZZ_ASSERT(len > 0);
		}
		FUZZ_ASSERT(bhxh_utf8_cut(lines[i], strlen(lines[i])) <= strlen(lines[i]));
		(void)bhxh_report_line_ok(lines[i], strlen(lines[i]));
		(void)bhxh_report_decode_acct(lines[i], out, sizeof(out));
		(void)bhxh_report_decode_acct(lines[i], out, 8);
		(void)bhxh_report_conf_log_file(lines[i], out, sizeof(out));
		(void)bhxh_report_rotation("audit.log", lines[i]);
	}
	(void)bhxh_report_parse_time(lines[0], lines[1][0] ? lines[1] : NULL, 1764000000, &t);
	fuzz_free_parts(lines, 6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bhxh_report_conf alerts = {
		.spray_accounts = 2, .spray_window = 600, .spread_hosts = 2,
		.spread_window = 600, .lock_storm_accounts = 2, .lock_storm_window = 600,
		.refused_logins = 1, .pw_rejections = 2, .pw_rejections_window = 600,
	};
	struct bhxh_report_filter f = { .local_node = "fuzzhost", .alerts = &alerts };
	const struct bhxh_report_entry *e;
	struct bhxh_report *r;
	size_t chunk, n;

	if (size == 0)
		return 0;
	chunk = (data[0] & 0x7f) + 1u;
	if (data[0] & 0x80) {
		f.user = "alice";
		f.host = "fuzzhost";
		f.alerts = NULL;
	}
	data++;
	size--;
	r = bhxh_report_new(&f);
	FUZZ_ASSERT(r != NULL);
	for (size_t at = 0; at < size; at += chunk) {
		/* each chunk its own allocation, so an overread shows */
		size_t len = size - at < chunk ? size - at : chunk;
		char *c = malloc(len);

		FUZZ_ASSERT(c != NULL);
		memcpy(c, data + at, len);
		FUZZ_ASSERT(bhxh_report_feed(r, c, len) == 0);
		free(c);
	}
	FUZZ_ASSERT(bhxh_report_finish(r) == 0);
	FUZZ_ASSERT(bhxh_report_totals(r)->malformed <= bhxh_report_totals(r)->lines);
	n = bhxh_report_users(r, &e);
	walk(e, n);
	n = bhxh_report_hosts(r, &e);
	walk(e, n);
	n = bhxh_report_sources(r, &e);
	walk(e, n);
	for (size_t i = 0; i < bhxh_report_nalerts(r); i++)
		FUZZ_ASSERT(bhxh_report_alert(r, i) != NULL);
	bhxh_report_free(r);
	small_parsers(data, size);
	return 0;
}
