/* posture_bench: what the posture checks add to a login.
 *
 *   posture_bench CONFDIR USER N
 *
 * Times N whole account phases (pam_start, pam_acct_mgmt, pam_end) of the
 * services "posture-off" and "posture-on" in CONFDIR, interleaved, and N
 * calls of each probe alone, and prints the mean microseconds of each and
 * the difference (see posture_bench.sh). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>

#include "posture.h"

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)msg;
	(void)data;
	*resp = calloc((size_t)n, sizeof(**resp));
	return *resp != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
}

static double acct(const char *confdir, const char *service, const char *user)
{
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *ph = NULL;
	double a = now_us();
	int r;

	if (pam_start_confdir(service, user, &pc, confdir, &ph) != PAM_SUCCESS)
		exit(3);
	r = pam_acct_mgmt(ph, PAM_SILENT);
	pam_end(ph, r);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "posture_bench: %s: account phase: %d\n", service, r);
		exit(4);
	}
	return now_us() - a;
}

int main(int argc, char **argv)
{
	struct bhxh_posture_obs o;
	double off = 0, on = 0, scan = 0, pidf = 0, db = 0, wifi = 0, a;
	long n;

	if (argc != 6) {
		fprintf(stderr, "usage: posture_bench CONFDIR USER N PIDFILE SIGDIR\n");
		return 2;
	}
	n = strtol(argv[3], NULL, 10);
	for (long i = 0; i < n; i++) {
		off += acct(argv[1], "posture-off", argv[2]);
		on += acct(argv[1], "posture-on", argv[2]);
		a = now_us();
		(void)bhxh_posture_probe_process("/proc", "clamd", NULL, &o);
		scan += now_us() - a;
		a = now_us();
		(void)bhxh_posture_probe_process("/proc", "clamd", argv[4], &o);
		pidf += now_us() - a;
		a = now_us();
		(void)bhxh_posture_probe_db(argv[5], &o);
		db += now_us() - a;
		a = now_us();
		(void)bhxh_posture_probe_wifi("/sys/class/net", &o);
		wifi += now_us() - a;
	}
	printf("account phase, posture off     %8.1f us\n", off / (double)n);
	printf("account phase, posture on      %8.1f us\n", on / (double)n);
	printf("added by the checks            %8.1f us\n", (on - off) / (double)n);
	printf("probe: process by pidfile      %8.1f us\n", pidf / (double)n);
	printf("probe: process by /proc scan   %8.1f us\n", scan / (double)n);
	printf("probe: signature directory     %8.1f us\n", db / (double)n);
	printf("probe: wireless interfaces     %8.1f us\n", wifi / (double)n);
	return 0;
}
