/* bhxhctl commands of the pw area. */
#include "config.h"

#include "cli.h"
#include "i18n.h"

int cmd_password(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	cli_err("%s", _("this command is not available yet"));
	return CLI_ERR;
}

int cmd_denylist(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	cli_err("%s", _("this command is not available yet"));
	return CLI_ERR;
}

int cmd_history(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	cli_err("%s", _("this command is not available yet"));
	return CLI_ERR;
}
