/* Fuzz target: the audit-log reader of "bhxhctl report" (lib/report.c).
 *
 * First byte: bits 0-6 the chunk size (1..128) in which the rest is fed,
 * bit 7 a user/host filter.  The rest is raw auditd log text.  After the
 * report is finished, every result is walked.  The first lines also go
 * through the small parsers (line check, account decoding, auditd.conf
 * log_file, --since/--until times). */
#include "config.h"

#include "fuzz_common.h"

#include "report.h"

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
	struct bhxh_report_filter f = { .local_node = "fuzzhost" };
	const struct bhxh_report_entry *e;
	struct bhxh_report *r;
	size_t chunk, n;

	if (size == 0)
		return 0;
	chunk = (data[0] & 0x7f) + 1u;
	if (data[0] & 0x80) {
		f.user = "alice";
		f.host = "fuzzhost";
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
	bhxh_report_free(r);
	small_parsers(data, size);
	return 0;
}
