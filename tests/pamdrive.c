/* pamdrive: run a real PAM stack from the command line, for tests, the demo
 * and benchmarks.
 *
 *   pamdrive [--confdir DIR] [--tty T] [--rhost H] [--ruser U] [--repeat N]
 *            [--prompts 1] [--fds 1] [--ruid UID] SERVICE USER OP...
 *
 * OP is auth, acct, chauthtok, chauthtok-expired (PAM_CHANGE_EXPIRED_AUTHTOK:
 * root is asked and judged as a user), open, close or setcred.  Each prompt with
 * echo off or on is answered with the next line of standard input (an empty
 * answer when input is exhausted is a conversation error, as a user
 * pressing Ctrl-D); with --prompts 1 each prompt is printed as
 * "prompt: ...".  Messages are printed as "info: ..." / "error: ...";
 * each operation prints "OP: <code> <text>".  The exit status is the PAM
 * code of the first operation that failed (0 when all succeeded).  When acct
 * returns PAM_NEW_AUTHTOK_REQD and chauthtok follows, chauthtok runs with
 * PAM_CHANGE_EXPIRED_AUTHTOK, as in login(1).  --fds 1 prints "fds: BEFORE
 * AFTER", the open descriptors before the first pam_start and after the
 * last pam_end (a module must leave none).  --ruid UID sets the real uid
 * (the effective uid stays), as a setuid passwd runs: for a driver under
 * valgrind, which would treat a process started so as a secure execution
 * (setpriv --ruid does it otherwise). */
#include "config.h"

#include <dirent.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>

static int show_prompts;

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	(void)data;

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON: {
			/* any length: tests send over-long passwords */
			char *line = NULL;
			size_t cap = 0;
			ssize_t len;

			if (show_prompts)
				printf("prompt: %s\n", msg[i]->msg);
			len = getline(&line, &cap, stdin);
			if (len < 0) {
				free(line);
				for (int k = 0; k < i; k++)
					free(r[k].resp);
				free(r);
				return PAM_CONV_ERR;
			}
			if (len > 0 && line[len - 1] == '\n')
				line[--len] = '\0';
			r[i].resp = line;
			break;
		}
		case PAM_ERROR_MSG:
			printf("error: %s\n", msg[i]->msg);
			break;
		case PAM_TEXT_INFO:
			printf("info: %s\n", msg[i]->msg);
			break;
		default:
			break;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	const char *confdir = NULL, *tty = NULL, *rhost = NULL, *ruser = NULL;
	pam_handle_t *pamh = NULL;
	int i = 1, r, first_fail = 0, repeat = 1, fds = 0, fds_before = 0;

	setlocale(LC_ALL, ""); /* as login and sshd do: messages in the user's language */

	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--confdir") == 0)
			confdir = argv[i + 1];
		else if (strcmp(argv[i], "--tty") == 0)
			tty = argv[i + 1];
		else if (strcmp(argv[i], "--rhost") == 0)
			rhost = argv[i + 1];
		else if (strcmp(argv[i], "--ruser") == 0)
			ruser = argv[i + 1];
		else if (strcmp(argv[i], "--repeat") == 0)
			repeat = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--prompts") == 0)
			show_prompts = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--fds") == 0)
			fds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--ruid") == 0) {
			char *end;
			unsigned long u = strtoul(argv[i + 1], &end, 10);

			if (end == argv[i + 1] || *end != '\0' || u >= (uid_t)-1) {
				fprintf(stderr, "pamdrive: --ruid needs a uid\n");
				return 99;
			}
			if (setresuid((uid_t)u, (uid_t)-1, (uid_t)-1) < 0) {
				perror("pamdrive: setresuid");
				return 99;
			}
		} else {
			fprintf(stderr, "pamdrive: unknown option %s\n", argv[i]);
			return 99;
		}
	}
	if (argc - i < 3) {
		fprintf(stderr, "usage: pamdrive [--confdir D] [--tty T] [--rhost H] SERVICE USER OP...\n");
		return 99;
	}
	if (fds) {
		/* the process's syslog socket (modules log through it) is
		 * opened now, so that it is counted on both sides */
		openlog("pamdrive", LOG_NDELAY, LOG_AUTHPRIV);
		fds_before = count_fds();
	}
	for (int rep = 0; rep < repeat; rep++) {
		if (confdir != NULL)
			r = pam_start_confdir(argv[i], argv[i + 1], &pc, confdir, &pamh);
		else
			r = pam_start(argv[i], argv[i + 1], &pc, &pamh);
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pamdrive: pam_start: %d\n", r);
			return 98;
		}
		if (tty)
			pam_set_item(pamh, PAM_TTY, tty);
		if (rhost)
			pam_set_item(pamh, PAM_RHOST, rhost);
		if (ruser)
			pam_set_item(pamh, PAM_RUSER, ruser);
		bool expired = false;

		for (int k = i + 2; k < argc; k++) {
			const char *op = argv[k];

			if (strcmp(op, "auth") == 0)
				r = pam_authenticate(pamh, 0);
			else if (strcmp(op, "acct") == 0)
				r = pam_acct_mgmt(pamh, 0);
			else if (strcmp(op, "chauthtok") == 0)
				r = pam_chauthtok(pamh, expired ? PAM_CHANGE_EXPIRED_AUTHTOK : 0);
			else if (strcmp(op, "chauthtok-expired") == 0)
				r = pam_chauthtok(pamh, PAM_CHANGE_EXPIRED_AUTHTOK);
			else if (strcmp(op, "open") == 0)
				r = pam_open_session(pamh, 0);
			else if (strcmp(op, "close") == 0)
				r = pam_close_session(pamh, 0);
			else if (strcmp(op, "setcred") == 0)
				r = pam_setcred(pamh, PAM_ESTABLISH_CRED);
			else {
				fprintf(stderr, "pamdrive: unknown operation %s\n", op);
				pam_end(pamh, PAM_SUCCESS);
				return 99;
			}
			if (repeat == 1)
				printf("%s: %d %s\n", op, r, pam_strerror(pamh, r));
			/* as login(1) and sshd do: an expired password is changed
			 * at once when chauthtok follows acct */
			expired = strcmp(op, "acct") == 0 && r == PAM_NEW_AUTHTOK_REQD &&
				  k + 1 < argc && strcmp(argv[k + 1], "chauthtok") == 0;
			if (expired)
				continue;
			if (r != PAM_SUCCESS) {
				if (first_fail == 0)
					first_fail = r;
				break;
			}
		}
		pam_end(pamh, r);
	}
	/* lang= tests: the module must leave the program's locale alone */
	if (getenv("PAMDRIVE_SHOW_LOCALE") != NULL)
		printf("program locale: %s\n", setlocale(LC_MESSAGES, NULL));
	if (fds)
		printf("fds: %d %d\n", fds_before, count_fds());
	return first_fail;
}
