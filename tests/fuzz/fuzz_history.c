/* Fuzz target: the password history (lib/history.c): a user's history
 * file and pam_pwhistory's opasswd import.
 *
 * Input: HISTORY \0 OPASSWD.  HISTORY is alice's file in a history
 * directory, read by bhxh_history_check() with depth 0: the records are
 * parsed but no hash is computed (crypt(3) of a hostile hash is
 * libxcrypt's business and slow by design).  OPASSWD is imported into a
 * fresh directory; every user it created must then be readable. */
#include "config.h"

#include <stdbool.h>

#include "fuzz_common.h"

#include "history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char hdir[300], idir[300];
	char *parts[2], *save = NULL;
	unsigned users = 0, bad = 0;
	long long last;
	bool found;
	int r;

	if (hdir[0] == '\0') {
		snprintf(hdir, sizeof(hdir), "%s/history", fuzz_dir());
		snprintf(idir, sizeof(idir), "%s/import", fuzz_dir());
		FUZZ_ASSERT(mkdir(hdir, 0700) == 0);
	}
	fuzz_split(data, size, '\0', parts, 2);
	fuzz_write(hdir, "alice", parts[0], strlen(parts[0]));
	r = bhxh_history_check(hdir, "alice", "secret", 0, &found, &last);
	FUZZ_ASSERT(r == 0 && !found && last >= -1);

	fuzz_empty_dir(idir);
	(void)rmdir(idir);
	r = bhxh_history_import(idir, fuzz_write(NULL, "opasswd", parts[1], strlen(parts[1])),
				&users, &bad);
	if (r == 0 && users > 0) {
		/* the first line's user, if it was imported, has a history now */
		char *user = strtok_r(parts[1], ":\n", &save);

		if (user != NULL && bhxh_history_check(idir, user, "secret", 0, &found, &last) == 0)
			FUZZ_ASSERT(!found && last >= -1);
	}
	fuzz_free_parts(parts, 2);
	return 0;
}
