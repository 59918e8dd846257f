/* Login posture (directive 2033, points 1 and 4): the agency's antivirus
 * must be running with current signatures, and no wireless interface may be
 * active.
 *
 * Two layers, as elsewhere in lib/: the probes read the machine (/proc,
 * /sys/class/net, the signature files) into a struct bhxh_posture_obs, never
 * spawning a process; the verdict is a pure function of the configuration,
 * the observation and `now`. */
#ifndef BHXH_POSTURE_H
#define BHXH_POSTURE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf_posture.h"

/* Findings, one bit each; each maps to one audit reason. */
#define BHXH_POSTURE_AV_MISSING 0x1u /* reason=posture_av_missing */
#define BHXH_POSTURE_AV_STALE   0x2u /* reason=posture_av_stale */
#define BHXH_POSTURE_WIFI       0x4u /* reason=posture_wifi */

/* Wireless interfaces named in an observation at most. */
#define BHXH_POSTURE_WIFI_MAX 8
/* Entries of a signature directory or of /proc examined at most. */
#define BHXH_POSTURE_SCAN_MAX 100000

/* What the probes saw. */
struct bhxh_posture_obs {
	bool av_running;       /* the required process exists */
	pid_t av_pid;          /* its pid when running */
	bool av_db_found;      /* at least one signature file */
	int64_t av_db_newest;  /* newest signature file's mtime (when found) */
	char av_db_file[NAME_MAX + 1]; /* its name */
	unsigned wifi_active;  /* active wireless interfaces (all of them) */
	char wifi_names[BHXH_POSTURE_WIFI_MAX][IF_NAMESIZE]; /* the first ones */
};

/* The findings for this configuration and observation at `now` (seconds).
 * An antivirus check applies only when av_process is set (running) or av_db
 * is set (signature age); a check whose policy is off finds nothing. */
unsigned bhxh_posture_findings(const struct bhxh_posture_conf *c,
			       const struct bhxh_posture_obs *o, int64_t now);

/* The policy (enum bhxh_posture_policy) that governs one finding bit. */
unsigned bhxh_posture_policy_of(const struct bhxh_posture_conf *c, unsigned finding);

/* Must the login be refused?  True when a finding's policy is deny and the
 * account is not privileged (root and admin_group are only warned, so that
 * a machine out of posture can always be repaired). */
bool bhxh_posture_denies(const struct bhxh_posture_conf *c, unsigned findings,
			 bool privileged);

/* Age in whole days (rounded down, never negative) of the newest signature
 * file at `now`. */
uint64_t bhxh_posture_db_age_days(const struct bhxh_posture_obs *o, int64_t now);

/* The audit reason word of one finding bit ("posture_av_missing", ...). */
const char *bhxh_posture_reason(unsigned finding);

/* ---- probes (read the machine; 0 or -errno) ---- */

/* Is a process named comm (as in /proc/PID/comm) running?  With a pidfile,
 * only the pid it names is examined (one open, no scan); without, procdir
 * ("/proc") is scanned.  Sets o->av_running and o->av_pid.  A missing or
 * unreadable pidfile means "not running", not an error. */
int bhxh_posture_probe_process(const char *procdir, const char *comm, const char *pidfile,
			       struct bhxh_posture_obs *o);

/* The newest signature file at path: a regular file itself, or the newest
 * ClamAV-type signature file (*.cvd, *.cld, *.cud, *.hdb, ...) directly in a
 * directory.  Sets av_db_found/av_db_newest/av_db_file.  A missing path is
 * "no signatures" (0); other errors are returned. */
int bhxh_posture_probe_db(const char *path, struct bhxh_posture_obs *o);

/* Active (IFF_UP) wireless interfaces under netdir ("/sys/class/net"): an
 * interface with a "wireless" entry (every Wi-Fi interface has one; "lo"
 * is skipped).  Sets wifi_active and
 * wifi_names. */
int bhxh_posture_probe_wifi(const char *netdir, struct bhxh_posture_obs *o);

/* Where the network interfaces are listed: "/sys/class/net" (test-hook
 * builds: $BHXH_TEST_SYSFS_NET when set, a fake tree for the tests). */
const char *bhxh_posture_netdir(void);

/* Is name a signature file name of the kinds bhxh_posture_probe_db counts? */
bool bhxh_posture_is_sigfile(const char *name);

#endif
