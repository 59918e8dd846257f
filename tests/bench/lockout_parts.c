/* lockout_parts: what the pieces of one failed login cost pam_bhxh, each
 * alone in a loop, beside pam_faillock's module load (see lockout_bench.sh,
 * which builds and runs this after its table).  Not a test.
 *
 *   lockout_parts PAM_BHXH_SO PAM_FAILLOCK_SO BHXH_CONF PEER_DIR RUN_DIR
 *
 * Linked with libpam and libaudit, as a PAM application is (a module load
 * then maps the module alone).  Each line: the best of 15 rounds, in microseconds of wall time per
 * operation:
 *   load        dlopen+dlclose of each module (libpam does both at every
 *               pam_start / pam_end), and of pam_deny.so as the floor
 *   audit       a NETLINK_AUDIT socket opened and closed; one record sent
 *               on an open socket (the kernel's work: it formats the record
 *               and wakes kauditd); the CPU time of one record 1 ms and
 *               20 us after the last (median: waking kauditd's idle CPU
 *               is the sender's cost); readlink("/proc/self/exe") (the exe=
 *               field); the audit status cache read (lib/audit.c)
 *   conf        the configuration of one handle: defaults, the peers'
 *               files (faillock.conf) and BHXH_CONF
 * Records sent here reach the audit log like the benchmark's own (type
 * TRUSTED_APP, op=PAM:bhxh_bench). */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <libaudit.h>

#include "audit.h"
#include "conf.h"

#define ROUNDS 15

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* best of ROUNDS rounds of n calls of fn(arg) */
static double best(int n, int (*fn)(const void *), const void *arg)
{
	double b = 1e18;

	for (int r = 0; r < ROUNDS; r++) {
		double a = now_us(), d;

		for (int i = 0; i < n; i++)
			if (fn(arg) < 0)
				return -1;
		d = (now_us() - a) / n;
		if (d < b)
			b = d;
	}
	return b;
}

static int load(const void *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		fprintf(stderr, "lockout_parts: %s\n", dlerror());
		return -1;
	}
	return dlclose(h);
}

static int sock(const void *unused)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);

	(void)unused;
	return fd < 0 ? -1 : close(fd);
}

static int audit_fd = -1;

static int send_record(const void *unused)
{
	static const char text[] =
		"op=PAM:bhxh_bench acct=\"bench\" id=60000 reason=wrong_password grantors=bhxh "
		"service=\"bench\" exe=\"/usr/sbin/sshd\" hostname=192.0.2.7 addr=192.0.2.7 "
		"terminal=ssh res=failed";
	struct {
		struct nlmsghdr h;
		char body[sizeof(text)];
	} m;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	static unsigned seq;

	(void)unused;
	memset(&m, 0, sizeof(m));
	memcpy(m.body, text, sizeof(text));
	m.h.nlmsg_len = NLMSG_LENGTH(sizeof(text));
	m.h.nlmsg_type = AUDIT_TRUSTED_APP;
	m.h.nlmsg_flags = NLM_F_REQUEST;
	m.h.nlmsg_seq = ++seq;
	return sendto(audit_fd, &m, m.h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -1
											       : 0;
}

static double cpu_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The CPU time of one record sent gap_us after the previous record (the
 * process busy in between, as in a login), median of 200: on an idle
 * machine the kernel wakes kauditd's CPU for the first record after a
 * pause, which costs the sender far more than a record in a loop. */
static double record_after(double gap_us)
{
	double v[200];

	for (int i = 0; i < 200; i++) {
		double t = now_us(), c;

		while (now_us() - t < gap_us)
			;
		c = cpu_us();
		if (send_record(NULL) < 0)
			return -1;
		v[i] = cpu_us() - c;
	}
	qsort(v, 200, sizeof(v[0]), cmp_double);
	return v[100];
}

static int exe(const void *unused)
{
	char buf[4096];

	(void)unused;
	return readlink("/proc/self/exe", buf, sizeof(buf)) < 0 ? -1 : 0;
}

static int status(const void *dir)
{
	unsigned enabled, pid;

	return bhxh_audit_status_load(dir, 3600, &enabled, &pid) < 0 ? -1 : 0;
}

static const char *conf_path, *peer_dir;

static int conf(const void *unused)
{
	static struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	(void)unused;
	bhxh_conf_init(&c);
	if (bhxh_conf_load_peers(&c, peer_dir, err, sizeof(err)) < 0 ||
	    bhxh_conf_load_file(&c, conf_path, false, err, sizeof(err)) < 0) {
		fprintf(stderr, "lockout_parts: %s\n", err);
		return -1;
	}
	return 0;
}

static void line(const char *what, double us)
{
	if (us < 0)
		printf("  %-44s    n/a\n", what);
	else
		printf("  %-44s %6.1f us\n", what, us);
}

int main(int argc, char **argv)
{
	char deny[4096];
	const char *slash;

	if (argc != 6) {
		fprintf(stderr, "usage: lockout_parts PAM_BHXH_SO PAM_FAILLOCK_SO BHXH_CONF "
				"PEER_DIR RUN_DIR\n");
		return 2;
	}
	conf_path = argv[3];
	peer_dir = argv[4];
	slash = strrchr(argv[2], '/');
	snprintf(deny, sizeof(deny), "%.*s/pam_deny.so", slash ? (int)(slash - argv[2]) : 1,
		 slash ? argv[2] : ".");
	printf("module load (dlopen + dlclose):\n");
	{
		/* the three in turn, so that they share the machine's state */
		const char *mods[3] = { deny, argv[2], argv[1] };
		double b[3] = { 1e18, 1e18, 1e18 };

		for (int r = 0; r < ROUNDS; r++)
			for (int k = 0; k < 3; k++) {
				double a = now_us(), d;

				for (int i = 0; i < 200; i++)
					if (load(mods[k]) < 0)
						return 1;
				d = (now_us() - a) / 200;
				if (d < b[k])
					b[k] = d;
			}
		line("pam_deny.so (the floor)", b[0]);
		line("pam_faillock.so", b[1]);
		line("pam_bhxh.so", b[2]);
	}
	printf("audit, per record or per handle (pam_faillock: none per attempt):\n");
	line("NETLINK_AUDIT socket open + close", best(2000, sock, NULL));
	audit_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	line("one record sent (the kernel's work)", audit_fd < 0 ? -1 : best(200, send_record, NULL));
	line("one record 1 ms after the last (cpu)", audit_fd < 0 ? -1 : record_after(1000));
	line("one record 20 us after the last (cpu)", audit_fd < 0 ? -1 : record_after(20));
	if (audit_fd >= 0)
		close(audit_fd);
	line("readlink(/proc/self/exe) for exe=", best(2000, exe, NULL));
	line("audit status cache read + kill(pid, 0)", best(2000, status, argv[5]));
	printf("configuration, once per handle:\n");
	line("defaults + faillock.conf + bhxh.conf", best(2000, conf, NULL));
	return 0;
}
