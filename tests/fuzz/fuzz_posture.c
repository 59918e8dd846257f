/* Fuzz target: the login-posture probes (lib/posture_probe.c), which read
 * files other programs write: a pidfile, /proc/PID/comm and the flags of
 * the network interfaces.
 *
 * Input: PIDFILE \0 COMM \0 FLAGS.  A fake /proc holds process 4242 whose
 * comm is COMM; the pidfile holds PIDFILE; a fake /sys/class/net holds a
 * wireless interface whose flags file is FLAGS.  Both process probes (with
 * and without the pidfile) and the wireless probe run over them. */
#include "config.h"

#include "fuzz_common.h"

#include "posture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char proc[300], pid[320], net[300], wlan[320];
	struct bhxh_posture_obs o;
	char *part[3];
	const char *pidfile;

	if (proc[0] == '\0') {
		snprintf(proc, sizeof(proc), "%s/proc", fuzz_dir());
		snprintf(pid, sizeof(pid), "%s/4242", proc);
		snprintf(net, sizeof(net), "%s/net", fuzz_dir());
		snprintf(wlan, sizeof(wlan), "%s/wlan0", net);
		FUZZ_ASSERT(mkdir(proc, 0700) == 0 && mkdir(pid, 0700) == 0);
		FUZZ_ASSERT(mkdir(net, 0700) == 0 && mkdir(wlan, 0700) == 0);
		fuzz_write(wlan, "wireless", "", 0);
	}
	fuzz_split(data, size, '\0', part, 3);
	pidfile = fuzz_write(NULL, "clamd.pid", part[0], strlen(part[0]));
	fuzz_write(pid, "comm", part[1], strlen(part[1]));
	fuzz_write(wlan, "flags", part[2], strlen(part[2]));

	memset(&o, 0, sizeof(o));
	(void)bhxh_posture_probe_process(proc, "clamd", pidfile, &o);
	memset(&o, 0, sizeof(o));
	(void)bhxh_posture_probe_process(proc, "clamd", NULL, &o);
	memset(&o, 0, sizeof(o));
	if (bhxh_posture_probe_wifi(net, &o) == 0)
		FUZZ_ASSERT(o.wifi_active <= 1);
	fuzz_free_parts(part, 3);
	return 0;
}
