/* Fuzz target: the denylist (lib/denylist.c): the text list compiled by
 * "bhxhctl denylist build" and the filter file read at login.
 *
 * First byte, bits 0-1:
 *   0: the rest is a filter file, opened (with and without the payload
 *      check) and queried;
 *   1: the rest is a text list, compiled (bits per entry from the first
 *      byte), opened and queried: every listed word must be found;
 *   2: as 1, then one byte of the compiled filter chosen by the input is
 *      flipped and the file opened and queried again (refused or answered,
 *      never a crash).
 * The format of the filter is the library's business: only public calls. */
#include "config.h"

#include <stdbool.h>

#include "fuzz_common.h"

#include "denylist.h"
#include "util.h"

static void query(const char *path, const char *words, size_t len, bool verify, bool all)
{
	struct bhxh_denylist *dl = NULL;

	if (bhxh_denylist_open(path, verify, &dl) < 0) {
		FUZZ_ASSERT(!all);
		return;
	}
	(void)bhxh_denylist_entries(dl);
	(void)bhxh_denylist_bytes(dl);
	for (size_t at = 0, i = 0; at < len && i < 64; i++) {
		const char *nl = memchr(words + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (words + at)) : len - at, k = n;
		bool in;

		/* the builder's line: trailing CRs dropped; empty and overlong
		 * lines are skipped */
		while (k > 0 && words[at + k - 1] == '\r')
			k--;
		in = bhxh_denylist_contains(dl, words + at, k);
		if (all && k > 0 && k <= BHXH_PASS_MAX)
			FUZZ_ASSERT(in);
		at += n + 1;
	}
	(void)bhxh_denylist_contains(dl, "", 0);
	bhxh_denylist_close(dl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[300], *text;
	const char *list;
	unsigned bits;
	int r;

	if (size == 0)
		return 0;
	snprintf(out, sizeof(out), "%s/filter", fuzz_dir());
	bits = 8 + (data[0] >> 2) % 25;
	text = malloc(size);
	FUZZ_ASSERT(text != NULL);
	memcpy(text, data + 1, size - 1);
	switch (data[0] & 3) {
	case 0:
		fuzz_write(NULL, "filter", data + 1, size - 1);
		query(out, text, size - 1, true, false);
		query(out, text, size - 1, false, false);
		break;
	case 1:
	case 2:
		list = fuzz_write(NULL, "list", data + 1, size - 1);
		r = bhxh_denylist_build(list, out, bits, NULL);
		if (r < 0)
			break;
		query(out, text, size - 1, true, true);
		if ((data[0] & 3) == 2 && size >= 3) {
			int fd = open(out, O_RDWR | O_CLOEXEC);
			struct stat st;
			uint8_t b;
			off_t at;

			FUZZ_ASSERT(fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0);
			at = (off_t)(((size_t)data[1] << 8 | data[2]) * 131u % (size_t)st.st_size);
			FUZZ_ASSERT(pread(fd, &b, 1, at) == 1);
			b ^= 1u << (data[1] & 7);
			FUZZ_ASSERT(pwrite(fd, &b, 1, at) == 1);
			close(fd);
			query(out, text, size - 1, true, false);
			query(out, text, size - 1, false, false);
		}
		break;
	default:
		break;
	}
	free(text);
	return 0;
}
