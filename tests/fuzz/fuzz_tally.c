/* Fuzz target: the failed-login tally file (lib/tally.c) and the lockout
 * policy over what it read (lib/lockout.c).
 *
 * First byte even: the rest is a tally file, read for the user "alice".
 * First byte odd: the rest fills a struct bhxh_tally, which is written
 * twice (both slots) and read back (must round-trip), then one byte of the
 * file chosen by the input is flipped and the file read again (must be
 * refused or read, never crash).  Either way the lockout functions then run
 * over the tally with a "now" and policy taken from the input. */
#include "config.h"

#include "fuzz_common.h"

#include "lockout.h"
#include "tally.h"

static int64_t take64(const uint8_t *data, size_t size, size_t at)
{
	int64_t v = 0;

	if (size >= at + 8)
		memcpy(&v, data + at, 8);
	return v;
}

static void policy(const struct bhxh_tally *t, const uint8_t *data, size_t size)
{
	struct bhxh_tally copy = *t;
	struct bhxh_lock_policy p = {
		.deny = size > 0 ? data[0] % 70 : 3,
		.fail_interval = 1 + (uint64_t)take64(data, size, 1) % UINT32_MAX,
		.unlock_time = size > 2 ? (uint64_t)data[2] << (data[2] % 25) : 600,
	};
	/* the caller's clock (time(), never negative); the policy's bounds
	 * are those of the configuration (seconds up to UINT32_MAX) */
	int64_t now = take64(data, size, 9) & ((INT64_C(1) << 62) - 1), in = 0;

	(void)bhxh_lockout_state(t, now, &in);
	(void)bhxh_lockout_failures(t, &p, now);
	(void)bhxh_lockout_add_failure(&copy, &p, now, "sshd", "192.0.2.1");
	FUZZ_ASSERT(copy.nrec <= BHXH_TALLY_RECORDS);
	(void)bhxh_lockout_state(&copy, now, &in);
}

static int read_back(int dfd, struct bhxh_tally *t)
{
	int fd = bhxh_tally_open(dfd, "alice", false), r;

	if (fd < 0)
		return fd;
	r = bhxh_tally_read(fd, "alice", t);
	close(fd);
	return r;
}

static void structured(int dfd, const uint8_t *data, size_t size)
{
	struct bhxh_tally t, back;
	int fd;

	memset(&t, 0, sizeof(t));
	memcpy(&t, data, size < sizeof(t) ? size : sizeof(t));
	t.user[sizeof(t.user) - 1] = '\0';
	(void)unlinkat(dfd, "alice", 0);
	fd = bhxh_tally_open(dfd, "alice", true);
	FUZZ_ASSERT(fd >= 0);
	t.seq = 0;
	FUZZ_ASSERT(bhxh_tally_write(fd, &t, false) == 0);
	FUZZ_ASSERT(bhxh_tally_write(fd, &t, false) == 0);
	FUZZ_ASSERT(bhxh_tally_read(fd, t.user, &back) == 0);
	FUZZ_ASSERT(back.seq == 2);
	if (t.nrec <= BHXH_TALLY_RECORDS) {
		FUZZ_ASSERT(back.nrec == t.nrec && back.total == t.total);
		FUZZ_ASSERT(back.lock_until == t.lock_until);
	}
	if (size > sizeof(t) + 2) {
		struct stat st;
		uint16_t at;
		uint8_t b;

		memcpy(&at, data + sizeof(t), 2);
		FUZZ_ASSERT(fstat(fd, &st) == 0 && st.st_size > 0);
		if (pread(fd, &b, 1, at % st.st_size) == 1) {
			b ^= size > sizeof(t) + 2 ? data[sizeof(t) + 2] | 1 : 1;
			FUZZ_ASSERT(pwrite(fd, &b, 1, at % st.st_size) == 1);
		}
	}
	close(fd);
	if (read_back(dfd, &back) == 0)
		policy(&back, data, size);
	/* the policy gets tallies as bhxh_tally_read() returns them */
	t.nrec %= BHXH_TALLY_RECORDS + 1;
	policy(&t, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int dfd = -1;
	struct bhxh_tally t;

	if (dfd < 0) {
		dfd = bhxh_tally_open_dir(fuzz_dir(), false);
		FUZZ_ASSERT(dfd >= 0);
	}
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		structured(dfd, data + 1, size - 1);
	} else {
		fuzz_write(NULL, "alice", data + 1, size - 1);
		if (read_back(dfd, &t) == 0) {
			FUZZ_ASSERT(t.nrec <= BHXH_TALLY_RECORDS);
			policy(&t, data + 1, size - 1);
		}
	}
	return 0;
}
