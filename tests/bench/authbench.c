/* authbench: time whole PAM authentications in one process, for comparing
 * stacks side by side (see lockout_bench.sh).
 *
 *   authbench CONFDIR SERVICE USER-PREFIX NUSERS ATTEMPTS PASSWORD
 *
 * For each of NUSERS users (PREFIX0..PREFIXn-1) it runs ATTEMPTS
 * pam_authenticate() calls answering PASSWORD, and prints the mean time of
 * one authentication in microseconds. */
#include "config.h"

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
	struct timespec a, b;
	long nusers, attempts;
	double total;

	if (argc != 7) {
		fprintf(stderr, "usage: authbench CONFDIR SERVICE PREFIX NUSERS ATTEMPTS PASSWORD\n");
		return 2;
	}
	nusers = strtol(argv[4], NULL, 10);
	attempts = strtol(argv[5], NULL, 10);
	password = argv[6];
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long u = 0; u < nusers; u++) {
		char user[64];

		snprintf(user, sizeof(user), "%s%ld", argv[3], u);
		for (long k = 0; k < attempts; k++) {
			pam_handle_t *ph = NULL;
			int r;

			if (pam_start_confdir(argv[2], user, &pc, argv[1], &ph) != PAM_SUCCESS)
				return 3;
			r = pam_authenticate(ph, PAM_SILENT);
			pam_end(ph, r);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	total = (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
	printf("%.1f\n", total / (double)(nusers * attempts));
	return 0;
}
