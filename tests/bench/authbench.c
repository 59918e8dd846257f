/* authbench: time whole PAM authentications in one process, for comparing
 * stacks side by side (see lockout_bench.sh).
 *
 *   authbench SERVICE USER-PREFIX NUSERS ATTEMPTS PASSWORD OPS CONFDIR...
 *
 * For each of NUSERS users (PREFIX0..PREFIXn-1) and each stack (a
 * directory holding the SERVICE file), it runs ATTEMPTS handles -- each
 * pam_start, the operations, pam_end, answering PASSWORD -- and prints, one
 * line per stack in the order given, the mean time of one handle in
 * microseconds: wall clock, then the process's CPU time (user + system;
 * robust to other load on the machine, but blind to waits: fsync, auditd).
 * Each handle gets the items sshd sets (PAM_TTY "ssh", PAM_RHOST a remote
 * address), so that no module has to guess a terminal.
 * The stacks take turns user by user, the first one rotating, so that
 * whatever drifts during a run (the machine's load, the caches) falls on
 * all of them alike.  OPS: "auth" (pam_authenticate), "login"
 * (pam_authenticate then pam_acct_mgmt, as login and sshd do) or "acct"
 * (pam_acct_mgmt alone). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>

#define STACKS_MAX 8

static const char *password;

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(password);
	*resp = r;
	return PAM_SUCCESS;
}

static double us(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 + (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

int main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	double wall[STACKS_MAX] = { 0 }, cpu[STACKS_MAX] = { 0 };
	long nusers, attempts;
	int nstacks = argc - 7;
	bool do_auth, do_acct;

	if (argc < 8 || nstacks > STACKS_MAX) {
		fprintf(stderr, "usage: authbench SERVICE PREFIX NUSERS ATTEMPTS PASSWORD "
				"auth|login|acct CONFDIR...\n");
		return 2;
	}
	nusers = strtol(argv[3], NULL, 10);
	attempts = strtol(argv[4], NULL, 10);
	password = argv[5];
	do_auth = strcmp(argv[6], "acct") != 0;
	do_acct = strcmp(argv[6], "auth") != 0;
	for (long u = 0; u < nusers; u++) {
		char user[64];

		snprintf(user, sizeof(user), "%s%ld", argv[2], u);
		for (int j = 0; j < nstacks; j++) {
			int st = (int)((u + j) % nstacks);
			struct timespec a, b, ca, cb;

			clock_gettime(CLOCK_MONOTONIC, &a);
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
			for (long k = 0; k < attempts; k++) {
				pam_handle_t *ph = NULL;
				int r = PAM_SUCCESS;

				if (pam_start_confdir(argv[1], user, &pc, argv[7 + st], &ph) !=
				    PAM_SUCCESS)
					return 3;
				/* the items sshd sets before authenticating */
				(void)pam_set_item(ph, PAM_TTY, "ssh");
				(void)pam_set_item(ph, PAM_RHOST, "192.0.2.7");
				if (do_auth)
					r = pam_authenticate(ph, PAM_SILENT);
				if (do_acct && r == PAM_SUCCESS)
					r = pam_acct_mgmt(ph, PAM_SILENT);
				pam_end(ph, r);
				/* "login" and "acct" measure successes only: a
				 * failure there (a vanished account...) would
				 * time another path */
				if (do_acct && r != PAM_SUCCESS) {
					fprintf(stderr, "authbench: %s: %s: %s\n", argv[7 + st],
						user, pam_strerror(NULL, r));
					return 4;
				}
			}
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
			clock_gettime(CLOCK_MONOTONIC, &b);
			wall[st] += us(&a, &b);
			cpu[st] += us(&ca, &cb);
		}
	}
	for (int st = 0; st < nstacks; st++)
		printf("%.1f %.1f\n", wall[st] / (double)(nusers * attempts),
		       cpu[st] / (double)(nusers * attempts));
	return 0;
}
