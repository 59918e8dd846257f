/* authbench: time whole PAM authentications in one process, for comparing
 * stacks side by side (see lockout_bench.sh).
 *
 *   authbench CONFDIR SERVICE USER-PREFIX NUSERS ATTEMPTS PASSWORD [OPS]
 *
 * For each of NUSERS users (PREFIX0..PREFIXn-1) it runs ATTEMPTS handles,
 * each pam_start, the operations, pam_end, answering PASSWORD, and prints
 * the mean time of one handle in microseconds: wall clock, then the
 * process's CPU time (user + system; robust to other load on the machine,
 * but blind to waits: fsync, auditd).  OPS: "auth" (the default:
 * pam_authenticate), "login" (pam_authenticate then pam_acct_mgmt, as
 * login and sshd do) or "acct" (pam_acct_mgmt alone). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>

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

int main(int argc, char **argv)
{
	struct pam_conv pc = { conv, NULL };
	struct timespec a, b, ca, cb;
	long nusers, attempts;
	double total, cpu;

	const char *ops = argc == 8 ? argv[7] : "auth";
	bool do_auth = strcmp(ops, "acct") != 0, do_acct = strcmp(ops, "auth") != 0;

	if (argc != 7 && argc != 8) {
		fprintf(stderr, "usage: authbench CONFDIR SERVICE PREFIX NUSERS ATTEMPTS PASSWORD [auth|login|acct]\n");
		return 2;
	}
	nusers = strtol(argv[4], NULL, 10);
	attempts = strtol(argv[5], NULL, 10);
	password = argv[6];
	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	for (long u = 0; u < nusers; u++) {
		char user[64];

		snprintf(user, sizeof(user), "%s%ld", argv[3], u);
		for (long k = 0; k < attempts; k++) {
			pam_handle_t *ph = NULL;
			int r = PAM_SUCCESS;

			if (pam_start_confdir(argv[2], user, &pc, argv[1], &ph) != PAM_SUCCESS)
				return 3;
			if (do_auth)
				r = pam_authenticate(ph, PAM_SILENT);
			if (do_acct && r == PAM_SUCCESS)
				r = pam_acct_mgmt(ph, PAM_SILENT);
			pam_end(ph, r);
			/* "login" and "acct" measure successes only: a failure
			 * there (a vanished account...) would time another path */
			if (do_acct && r != PAM_SUCCESS) {
				fprintf(stderr, "authbench: %s: %s\n", user, pam_strerror(NULL, r));
				return 4;
			}
		}
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	total = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
	cpu = (double)(cb.tv_sec - ca.tv_sec) * 1e6 + (double)(cb.tv_nsec - ca.tv_nsec) / 1e3;
	printf("%.1f %.1f\n", total / (double)(nusers * attempts), cpu / (double)(nusers * attempts));
	return 0;
}
