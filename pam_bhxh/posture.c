/* Account phase: login posture (the posture area).  The probes and the
 * verdict are lib/posture*.c; this file reads the configuration's paths,
 * tells the user, audits each finding once per PAM handle and maps the
 * verdict to a PAM code.
 *
 * Decisions (see pam_bhxh(8), LOGIN POSTURE):
 *  - warn (the default): the user is told, the login goes on;
 *  - deny: the login is refused with PAM_PERM_DENIED, except for root and
 *    members of admin_group, who are warned, so that a machine out of
 *    posture can always be repaired;
 *  - a probe that cannot look (an unreadable /proc or signature directory)
 *    counts as a finding: it never reports "all clear" by default;
 *  - the result is kept in the PAM handle: the checks run, and each finding
 *    is shown and audited, once per login however often the account phase
 *    is called. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "glue.h"
#include "i18n.h"
#include "lockout.h"
#include "posture.h"

#define POSTURE_DATA "pam_bhxh_posture"

struct posture_result {
	unsigned findings;
	bool denied;
};

static void free_result(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

static void probe(struct bhxh_pam *ctx, struct bhxh_posture_obs *o)
{
	const struct bhxh_posture_conf *c = &ctx->conf.posture;
	int r;

	memset(o, 0, sizeof(*o));
	if (c->av != BHXH_POSTURE_OFF && c->av_process[0] != '\0') {
		r = bhxh_posture_probe_process("/proc", c->av_process, c->av_pidfile, o);
		if (r < 0)
			bhxh_log(ctx, LOG_ERR, "posture: cannot look for process %s: %s",
				 c->av_process, strerror(-r));
	}
	if (c->av != BHXH_POSTURE_OFF && c->av_db[0] != '\0') {
		r = bhxh_posture_probe_db(c->av_db, o);
		if (r < 0)
			bhxh_log(ctx, LOG_ERR, "posture: cannot read the signatures at %s: %s",
				 c->av_db, strerror(-r));
	}
	if (c->wifi != BHXH_POSTURE_OFF) {
		r = bhxh_posture_probe_wifi(bhxh_posture_netdir(), o);
		if (r < 0) {
			/* cannot look: count one unnamed interface */
			bhxh_log(ctx, LOG_ERR, "posture: cannot list network interfaces: %s",
				 strerror(-r));
			o->wifi_active = 1;
			(void)bhxh_strlcpy(o->wifi_names[0], "?", sizeof(o->wifi_names[0]));
		}
	}
}

/* Tell the user about one finding, and audit it. */
static int report(struct bhxh_pam *ctx, const struct bhxh_posture_obs *o, unsigned bit,
		  bool denied)
{
	const struct bhxh_posture_conf *c = &ctx->conf.posture;
	char extra[128], enc[96];
	unsigned long long age = bhxh_posture_db_age_days(o, ctx->now);

	extra[0] = '\0';
	switch (bit) {
	case BHXH_POSTURE_AV_MISSING:
		bhxh_log(ctx, LOG_WARNING, "posture: antivirus process %s is not running",
			 c->av_process);
		bhxh_pam_error(ctx, _("The agency's antivirus (%s) is not running on this "
				      "computer. Please report this to the IT department."),
			       c->av_process);
		if (bhxh_audit_encode(enc, sizeof(enc), c->av_process) == 0)
			snprintf(extra, sizeof(extra), "av=%s", enc);
		break;
	case BHXH_POSTURE_AV_STALE:
		if (o->av_db_found) {
			bhxh_log(ctx, LOG_WARNING, "posture: newest antivirus signatures (%s) are %llu "
				 "days old", o->av_db_file, age);
			bhxh_pam_error(ctx, P_("The antivirus signatures on this computer are %llu day "
					       "old. Please report this to the IT department.",
					       "The antivirus signatures on this computer are %llu days "
					       "old. Please report this to the IT department.",
					       age), age);
			snprintf(extra, sizeof(extra), "age_days=%llu", age);
		} else {
			bhxh_log(ctx, LOG_WARNING, "posture: no antivirus signatures at %s", c->av_db);
			bhxh_pam_error(ctx, "%s", _("No antivirus signatures were found on this "
						    "computer. Please report this to the IT "
						    "department."));
			snprintf(extra, sizeof(extra), "age_days=none");
		}
		break;
	case BHXH_POSTURE_WIFI:
		bhxh_log(ctx, LOG_WARNING, "posture: %u active wireless interface(s), first %s",
			 o->wifi_active, o->wifi_names[0]);
		bhxh_pam_error(ctx, _("A wireless network interface (%s) is active on this "
				      "computer, which the agency's rules forbid. Turn it off or "
				      "remove the adapter."),
			       o->wifi_names[0]);
		if (bhxh_audit_encode(enc, sizeof(enc), o->wifi_names[0]) == 0)
			snprintf(extra, sizeof(extra), "ifname=%s count=%u", enc, o->wifi_active);
		break;
	default:
		break;
	}
	return bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_posture",
			      bhxh_posture_reason(bit), extra[0] ? extra : NULL, !denied);
}

int bhxh_pam_posture_account(struct bhxh_pam *ctx)
{
	const struct bhxh_posture_conf *c = &ctx->conf.posture;
	const void *data = NULL;
	struct bhxh_posture_obs o;
	struct posture_result *res;
	bool privileged;
	int rc = PAM_SUCCESS;

	if (c->av == BHXH_POSTURE_OFF && c->wifi == BHXH_POSTURE_OFF)
		return PAM_SUCCESS;
	if (pam_get_data(ctx->pamh, POSTURE_DATA, &data) == PAM_SUCCESS && data != NULL) {
		const struct posture_result *prev = data;

		return prev->denied ? PAM_PERM_DENIED : PAM_SUCCESS;
	}
	probe(ctx, &o);
	res = calloc(1, sizeof(*res));
	if (res == NULL)
		return PAM_BUF_ERR;
	res->findings = bhxh_posture_findings(c, &o, ctx->now);
	privileged = ctx->known &&
		     bhxh_lockout_privileged(&ctx->conf.lockout, ctx->user, ctx->uid, ctx->gid);
	res->denied = bhxh_posture_denies(c, res->findings, privileged);
	for (unsigned bit = 1; bit <= BHXH_POSTURE_WIFI; bit <<= 1) {
		int r;

		if (!(res->findings & bit))
			continue;
		r = report(ctx, &o, bit, res->denied);
		if (rc == PAM_SUCCESS && !res->denied)
			rc = r; /* audit_unavailable=deny: an unaudited finding refuses */
	}
	if (res->denied) {
		bhxh_log(ctx, LOG_NOTICE, "account %.100s refused: machine out of posture",
			 ctx->user);
		bhxh_pam_error(ctx, "%s", _("Login refused: this computer does not meet the "
					    "agency's security requirements. Contact the IT "
					    "department."));
		rc = PAM_PERM_DENIED;
	} else if (res->findings != 0 && privileged) {
		bhxh_debug(ctx, "posture: %.100s is an administrator: warned only", ctx->user);
	}
	if (pam_set_data(ctx->pamh, POSTURE_DATA, res, free_result) != PAM_SUCCESS) {
		free(res);
		return rc == PAM_SUCCESS ? PAM_BUF_ERR : rc;
	}
	if (rc != PAM_SUCCESS && !res->denied)
		res->denied = true; /* a repeat call in this handle refuses too */
	return rc;
}
