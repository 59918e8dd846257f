/* Login posture: the verdict, a pure function of configuration, observation
 * and time (the probes are in posture_probe.c). */
#include "config.h"

#include <string.h>

#include "posture.h"

uint64_t bhxh_posture_db_age_days(const struct bhxh_posture_obs *o, int64_t now)
{
	if (!o->av_db_found || now <= o->av_db_newest)
		return 0;
	return (uint64_t)(now - o->av_db_newest) / 86400u;
}

unsigned bhxh_posture_findings(const struct bhxh_posture_conf *c,
			       const struct bhxh_posture_obs *o, int64_t now)
{
	unsigned f = 0;

	if (c->av != BHXH_POSTURE_OFF) {
		if (c->av_process[0] != '\0' && !o->av_running)
			f |= BHXH_POSTURE_AV_MISSING;
		/* No signature file at all is as stale as it gets.  The age
		 * is compared in seconds so that "7 days" means 7*86400 s,
		 * not "7 calendar days rounded". */
		if (c->av_db[0] != '\0' &&
		    (!o->av_db_found ||
		     (now > o->av_db_newest &&
		      (uint64_t)(now - o->av_db_newest) > c->av_max_age_days * 86400u)))
			f |= BHXH_POSTURE_AV_STALE;
	}
	if (c->wifi != BHXH_POSTURE_OFF && o->wifi_active > 0)
		f |= BHXH_POSTURE_WIFI;
	return f;
}

unsigned bhxh_posture_policy_of(const struct bhxh_posture_conf *c, unsigned finding)
{
	if (finding & (BHXH_POSTURE_AV_MISSING | BHXH_POSTURE_AV_STALE))
		return c->av;
	if (finding & BHXH_POSTURE_WIFI)
		return c->wifi;
	return BHXH_POSTURE_OFF;
}

bool bhxh_posture_denies(const struct bhxh_posture_conf *c, unsigned findings, bool privileged)
{
	if (privileged)
		return false;
	for (unsigned bit = 1; bit <= BHXH_POSTURE_WIFI; bit <<= 1)
		if ((findings & bit) && bhxh_posture_policy_of(c, bit) == BHXH_POSTURE_DENY)
			return true;
	return false;
}

const char *bhxh_posture_reason(unsigned finding)
{
	switch (finding) {
	case BHXH_POSTURE_AV_MISSING:
		return "posture_av_missing";
	case BHXH_POSTURE_AV_STALE:
		return "posture_av_stale";
	case BHXH_POSTURE_WIFI:
		return "posture_wifi";
	default:
		return "posture";
	}
}

bool bhxh_posture_is_sigfile(const char *name)
{
	/* ClamAV's signature databases (clamscan --help, signatures.pdf):
	 * containers, then the plain signature types.  freshclam.dat and
	 * mirrors.dat are rewritten by every freshclam run, even a failed one,
	 * so they say nothing about the signatures' age. */
	static const char *const ext[] = {
		".cvd", ".cld", ".cud", ".hdb", ".hsb", ".hdu", ".hsu", ".mdb", ".msb",
		".mdu", ".msu", ".ndb", ".ndu", ".ldb", ".ldu", ".idb", ".cdb", ".cbc",
		".pdb", ".gdb", ".wdb", ".ftm", ".fp", ".sfp", ".ign", ".ign2", ".crb",
		".yar", ".yara", ".imp",
	};
	const char *dot;

	if (name[0] == '.')
		return false;
	dot = strrchr(name, '.');
	if (dot == NULL)
		return false;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (strcmp(dot, ext[i]) == 0)
			return true;
	return false;
}
