/* bhxhctl posture: the machine's login posture, as the PAM module sees it
 * (the same probes and the same pure verdict, lib/posture*.c).
 *
 * Exit status: 0 in posture, 1 out of posture (a finding), 2 error. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "i18n.h"
#include "posture.h"

static const char *policy_word(unsigned p)
{
	return p == BHXH_POSTURE_DENY ? "deny" : p == BHXH_POSTURE_WARN ? "warn" : "off";
}

static void print_json(const struct bhxh_posture_conf *c, const struct bhxh_posture_obs *o,
		       unsigned findings, int64_t now)
{
	unsigned shown = o->wifi_active < BHXH_POSTURE_WIFI_MAX ? o->wifi_active
							       : BHXH_POSTURE_WIFI_MAX;
	bool first = true;

	printf("{\"ok\":%s,\"findings\":[", findings ? "false" : "true");
	for (unsigned bit = 1; bit <= BHXH_POSTURE_WIFI; bit <<= 1)
		if (findings & bit) {
			printf("%s\"%s\"", first ? "" : ",", bhxh_posture_reason(bit));
			first = false;
		}
	printf("],\"antivirus\":{\"policy\":\"%s\",\"process\":", policy_word(c->av));
	if (c->av_process[0] != '\0')
		cli_json_str(stdout, c->av_process);
	else
		fputs("null", stdout);
	printf(",\"running\":%s,\"pid\":", o->av_running ? "true" : "false");
	if (o->av_running)
		printf("%lld", (long long)o->av_pid);
	else
		fputs("null", stdout);
	fputs(",\"signatures\":", stdout);
	if (c->av_db[0] != '\0')
		cli_json_str(stdout, c->av_db);
	else
		fputs("null", stdout);
	fputs(",\"newest\":", stdout);
	if (o->av_db_found) {
		cli_json_str(stdout, o->av_db_file);
		printf(",\"age_days\":%llu", (unsigned long long)bhxh_posture_db_age_days(o, now));
	} else {
		fputs("null,\"age_days\":null", stdout);
	}
	printf(",\"max_age_days\":%llu},", (unsigned long long)c->av_max_age_days);
	printf("\"wireless\":{\"policy\":\"%s\",\"active\":%u,\"interfaces\":[", policy_word(c->wifi),
	       o->wifi_active);
	for (unsigned i = 0; i < shown; i++) {
		if (i)
			fputc(',', stdout);
		cli_json_str(stdout, o->wifi_names[i]);
	}
	fputs("]}}\n", stdout);
}

static void print_text(const struct bhxh_posture_conf *c, const struct bhxh_posture_obs *o,
		       unsigned findings, int64_t now)
{
	if (c->av == BHXH_POSTURE_OFF || c->av_process[0] == '\0')
		printf(_("antivirus:   not checked\n"));
	else if (o->av_running)
		printf(_("antivirus:   %s running (pid %lld)\n"), c->av_process, (long long)o->av_pid);
	else
		printf(_("antivirus:   %s NOT RUNNING (policy %s)\n"), c->av_process,
		       policy_word(c->av));
	if (c->av == BHXH_POSTURE_OFF || c->av_db[0] == '\0')
		printf(_("signatures:  not checked\n"));
	else if (!o->av_db_found)
		printf(_("signatures:  NONE FOUND in %s (policy %s)\n"), c->av_db, policy_word(c->av));
	else
		printf(_("signatures:  newest %s, %llu days old (limit %llu)%s\n"), o->av_db_file,
		       (unsigned long long)bhxh_posture_db_age_days(o, now),
		       (unsigned long long)c->av_max_age_days,
		       (findings & BHXH_POSTURE_AV_STALE) ? _(": OUT OF DATE") : "");
	if (c->wifi == BHXH_POSTURE_OFF)
		printf(_("wireless:    not checked\n"));
	else if (o->wifi_active == 0)
		printf(_("wireless:    no active wireless interface\n"));
	else
		printf(_("wireless:    %u ACTIVE (first: %s; policy %s)\n"), o->wifi_active,
		       o->wifi_names[0], policy_word(c->wifi));
	printf("%s\n", findings ? _("posture:     OUT OF POSTURE") : _("posture:     ok"));
}

int cmd_posture(struct cli *cli, int argc, char **argv)
{
	const struct bhxh_posture_conf *c;
	struct bhxh_posture_obs o;
	bool json = false;
	unsigned findings;
	int64_t now = (int64_t)time(NULL);
	int r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else {
			cli_err(_("posture: unknown argument '%s'"), argv[i]);
			fprintf(stderr, "%s", _("Usage: bhxhctl posture [--json]\n"));
			return CLI_ERR;
		}
	}
	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	c = &cli->conf.posture;
	memset(&o, 0, sizeof(o));
	if (c->av != BHXH_POSTURE_OFF && c->av_process[0] != '\0' &&
	    (r = bhxh_posture_probe_process("/proc", c->av_process, c->av_pidfile, &o)) < 0) {
		cli_err(_("cannot look for process %s: %s"), c->av_process, strerror(-r));
		return CLI_ERR;
	}
	if (c->av != BHXH_POSTURE_OFF && c->av_db[0] != '\0' &&
	    (r = bhxh_posture_probe_db(c->av_db, &o)) < 0) {
		cli_err(_("cannot read the signatures at %s: %s"), c->av_db, strerror(-r));
		return CLI_ERR;
	}
	if (c->wifi != BHXH_POSTURE_OFF &&
	    (r = bhxh_posture_probe_wifi(bhxh_posture_netdir(), &o)) < 0) {
		cli_err(_("cannot list network interfaces: %s"), strerror(-r));
		return CLI_ERR;
	}
	findings = bhxh_posture_findings(c, &o, now);
	if (json)
		print_json(c, &o, findings, now);
	else
		print_text(c, &o, findings, now);
	return findings ? CLI_NO : CLI_OK;
}
