/* bhxhctl config check [--file F] [ARG...]: validate a configuration file and
 * (optionally) a module argument list exactly as pam_bhxh would read them. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"

int cmd_config(struct cli *cli, int argc, char **argv)
{
	char err[BHXH_ERR_MAX];
	char confarg[PATH_MAX + 8];
	const char *args[128];
	struct bhxh_conf c;
	int nargs = 0, i = 1;

	if (argc < 1 || strcmp(argv[0], "check") != 0) {
		cli_err("%s", _("usage: bhxhctl config check [--file FILE] [MODULE-ARGUMENT...]"));
		return CLI_ERR;
	}
	if (cli->conf_path != NULL) {
		snprintf(confarg, sizeof(confarg), "conf=%s", cli->conf_path);
		args[nargs++] = confarg;
	}
	if (i + 1 < argc && strcmp(argv[i], "--file") == 0) {
		snprintf(confarg, sizeof(confarg), "conf=%s", argv[i + 1]);
		if (nargs == 0)
			args[nargs++] = confarg;
		else
			args[0] = confarg;
		i += 2;
	}
	for (; i < argc; i++) {
		if (nargs >= (int)BHXH_ARRAY_SIZE(args)) {
			cli_err("%s", _("too many arguments"));
			return CLI_ERR;
		}
		args[nargs++] = argv[i];
	}
	if (bhxh_conf_load_pw(&c, nargs, args, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return CLI_NO;
	}
	printf(_("%s: configuration is valid\n"), c.conf_path);
	return CLI_OK;
}
