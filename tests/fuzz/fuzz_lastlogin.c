/* Fuzz target: the last-login record (lib/lastlogin.c).
 *
 * The input is a record file: parsed from memory, then read from a file
 * as the user "alice" of a last-login directory (same verdict).  A
 * record that parses must survive a write and read back unchanged. */
#include "config.h"

#include "fuzz_common.h"

#include "lastlogin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int dfd = -1;
	static char dir[300];
	int64_t when = -1, w2 = -1, base;
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	if (dfd < 0) {
		snprintf(dir, sizeof(dir), "%s/lastlogin", fuzz_dir());
		dfd = bhxh_lastlogin_open_dir(dir, true, 1700000000);
		FUZZ_ASSERT(dfd >= 0);
		FUZZ_ASSERT(bhxh_lastlogin_baseline(dfd, &base) == 0 && base == 1700000000);
	}
	FUZZ_ASSERT(copy != NULL);
	memcpy(copy, data, size);
	r = bhxh_lastlogin_parse((const char *)copy, size, &when);
	free(copy);

	fuzz_write(dir, "alice", data, size);
	FUZZ_ASSERT(bhxh_lastlogin_read(dfd, "alice", &w2) == r);
	if (r == 0 && size <= BHXH_LASTLOGIN_MAX) {
		FUZZ_ASSERT(w2 == when);
		if (when >= 0) {
			FUZZ_ASSERT(unlinkat(dfd, "alice", 0) == 0);
			FUZZ_ASSERT(bhxh_lastlogin_write(dfd, "alice", when) == 0);
			FUZZ_ASSERT(bhxh_lastlogin_read(dfd, "alice", &w2) == 0 && w2 == when);
		}
	}
	return 0;
}
