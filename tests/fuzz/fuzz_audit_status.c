/* Fuzz target: the audit status cache (lib/audit.c), the small file through
 * which logins share a good audit status (/run/bhxh/audit-status: "ENABLED
 * PID\n", root's).  The input is that file's content, read from a private
 * directory; a status that loads must name a running process and survive a
 * save and a load unchanged. */
#include "config.h"

#include <errno.h>
#include <signal.h>

#include "fuzz_common.h"

#include "audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[300];
	unsigned enabled = 0, pid = 0, e2 = 0, p2 = 0;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/run", fuzz_dir());
		FUZZ_ASSERT(mkdir(dir, 0755) == 0);
	}
	fuzz_write(dir, BHXH_AUDIT_STATUS_FILE, data, size);
	if (bhxh_audit_status_load(dir, 3600, &enabled, &pid) < 0)
		return 0;
	FUZZ_ASSERT(enabled >= 1 && enabled <= 2 && pid > 0);
	FUZZ_ASSERT(kill((pid_t)pid, 0) == 0 || errno == EPERM);
	if (geteuid() != 0)
		return 0; /* only root shares a status */
	FUZZ_ASSERT(bhxh_audit_status_save(dir, enabled, pid) == 0);
	FUZZ_ASSERT(bhxh_audit_status_load(dir, 3600, &e2, &p2) == 0);
	FUZZ_ASSERT(e2 == enabled && p2 == pid);
	return 0;
}
