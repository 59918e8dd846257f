/* bhxhctl: the administrator's tool.  A thin front end over lib/. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "report.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("bhxhctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Always valid JSON: bytes that are not UTF-8 become U+FFFD. */
void cli_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	fputc('"', f);
	while (*p) {
		size_t n = bhxh_utf8_seq(p, len);

		if (n == 0) {
			fputs("\\ufffd", f);
			n = 1;
		} else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fwrite(p, 1, n, f);
		p += n;
		len -= n;
	}
	fputc('"', f);
}

int cli_load_conf(struct cli *cli)
{
	char err[BHXH_ERR_MAX];
	const char *argv[1];
	char arg[PATH_MAX + 8];
	int argc = 0, r;

	if (cli->conf_loaded)
		return 0;
	if (cli->conf_path != NULL) {
		snprintf(arg, sizeof(arg), "conf=%s", cli->conf_path);
		argv[argc++] = arg;
	}
	r = bhxh_conf_load(&cli->conf, argc, argv, err, sizeof(err));
	if (r < 0) {
		cli_err("%s", err);
		return r;
	}
	cli->conf_loaded = true;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	const char *help;
} commands[] = {
	{ "lockout", cmd_lockout, "lockout status|reset   failed-login lockout" },
	{ "config", cmd_config, "config check           validate bhxh.conf and module arguments" },
	{ "password", cmd_password, "password check         try passwords against the policy" },
	{ "denylist", cmd_denylist, "denylist build|check   leaked-password filter" },
	{ "history", cmd_history, "history import|prune   password history" },
	{ "expiry", cmd_expiry, "expiry status          password aging and account status" },
	{ "db", cmd_db_any, "db build|verify|diff|sync|status   the central directory database" },
	{ "report", cmd_report, "report                 review authentication audit records" },
	{ "posture", cmd_posture, "posture                antivirus and wireless checks of this machine" },
};

static void usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: bhxhctl [--conf FILE] COMMAND [ARGS]\n\nCommands:\n"));
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %s\n", commands[i].help);
	fprintf(f, "%s", _("\nSee bhxhctl(8).\n"));
}

int main(int argc, char **argv)
{
	struct cli cli;
	int i = 1;

	setlocale(LC_ALL, "");
	bhxh_i18n_init();
	textdomain(PACKAGE);
	memset(&cli, 0, sizeof(cli));

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--conf") == 0 && i + 1 < argc) {
			cli.conf_path = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--conf=", 7) == 0) {
			cli.conf_path = argv[i] + 7;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("bhxhctl %s\n", PACKAGE_VERSION);
			return CLI_OK;
		} else {
			cli_err(_("unknown option '%s'"), argv[i]);
			usage(stderr);
			return CLI_ERR;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_ERR;
	}
	for (size_t c = 0; c < BHXH_ARRAY_SIZE(commands); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(&cli, argc - i - 1, argv + i + 1);
	cli_err(_("unknown command '%s'"), argv[i]);
	usage(stderr);
	return CLI_ERR;
}
