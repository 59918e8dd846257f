/* bhxhctl: shared declarations of the command front ends. */
#ifndef BHXHCTL_CLI_H
#define BHXHCTL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

/* Exit codes: 0 ok, 1 "no"/refused/found problems, 2 usage or system error. */
#define CLI_OK 0
#define CLI_NO 1
#define CLI_ERR 2

/* Global options already parsed by main(): --conf FILE. */
struct cli {
	const char *conf_path;  /* NULL: the default */
	struct bhxh_conf conf;  /* loaded from conf_path */
	bool conf_loaded;
};

/* Load the configuration file (default or --conf).  Prints the error and
 * returns -EINVAL when it is invalid. */
int cli_load_conf(struct cli *cli);

/* Print a message prefixed with "bhxhctl: " to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write s as a JSON string (with quotes) to f. */
void cli_json_str(FILE *f, const char *s);

/* Each command gets argv starting at its own name's next word. */
int cmd_lockout(struct cli *cli, int argc, char **argv);
int cmd_config(struct cli *cli, int argc, char **argv);
int cmd_report(struct cli *cli, int argc, char **argv);   /* audit area */
int cmd_password(struct cli *cli, int argc, char **argv); /* pw area */
int cmd_denylist(struct cli *cli, int argc, char **argv); /* pw area */
int cmd_history(struct cli *cli, int argc, char **argv);  /* pw area */
int cmd_expiry(struct cli *cli, int argc, char **argv);   /* expiry area */
int cmd_db(struct cli *cli, int argc, char **argv);       /* dir area */
int cmd_posture(struct cli *cli, int argc, char **argv);  /* posture area */
int cmd_db_any(struct cli *cli, int argc, char **argv);   /* ldap area: sync, status */

#endif
