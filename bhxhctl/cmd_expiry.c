/* bhxhctl commands of the expiry area. */
#include "config.h"

#include "cli.h"
#include "i18n.h"

int cmd_expiry(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	cli_err("%s", _("this command is not available yet"));
	return CLI_ERR;
}
