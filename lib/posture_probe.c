/* Login posture: the probes.  They read /proc, /sys/class/net and the
 * signature files with plain system calls (no process is spawned, nothing
 * blocks: every open is O_NONBLOCK), bounded in the entries they examine. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posture.h"
#include "util.h"

/* Read a small file (at most cap-1 bytes) at dirfd/path into buf, NUL
 * terminated, trailing white space removed.  Regular files and /proc or
 * sysfs attributes only; never a FIFO or device. */
static int read_small(int dirfd, const char *path, char *buf, size_t cap)
{
	struct stat st;
	ssize_t n;
	int fd, r = 0;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	n = read(fd, buf, cap - 1);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
out:
	close(fd);
	return r;
}

/* Is /proc/PID/comm (procfd = the /proc directory) equal to comm? */
static bool comm_is(int procfd, const char *pid, const char *comm)
{
	char path[64], buf[BHXH_COMM_MAX + 2];

	if (snprintf(path, sizeof(path), "%s/comm", pid) >= (int)sizeof(path))
		return false;
	if (read_small(procfd, path, buf, sizeof(buf)) < 0)
		return false;
	return strcmp(buf, comm) == 0;
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int bhxh_posture_probe_process(const char *procdir, const char *comm, const char *pidfile,
			       struct bhxh_posture_obs *o)
{
	DIR *d;
	struct dirent *e;
	unsigned seen = 0;
	int procfd, r = 0;

	o->av_running = false;
	o->av_pid = 0;
	if (comm == NULL || comm[0] == '\0')
		return 0;
	procfd = open(procdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (procfd < 0)
		return -errno;
	if (pidfile != NULL && pidfile[0] != '\0') {
		char buf[32];
		uint64_t pid;

		/* the service's own record of its pid: one open, no scan */
		if (read_small(AT_FDCWD, pidfile, buf, sizeof(buf)) == 0 &&
		    bhxh_parse_uint(buf, 1, INT32_MAX, &pid) == 0 && comm_is(procfd, buf, comm)) {
			o->av_running = true;
			o->av_pid = (pid_t)pid;
		}
		close(procfd);
		return 0;
	}
	d = fdopendir(procfd);
	if (d == NULL) {
		r = -errno;
		close(procfd);
		return r;
	}
	while ((e = readdir(d)) != NULL && seen++ < BHXH_POSTURE_SCAN_MAX) {
		uint64_t pid;

		if (!all_digits(e->d_name) || !comm_is(dirfd(d), e->d_name, comm))
			continue;
		if (bhxh_parse_uint(e->d_name, 1, INT32_MAX, &pid) == 0) {
			o->av_running = true;
			o->av_pid = (pid_t)pid;
			break;
		}
	}
	closedir(d);
	return 0;
}

static void note_newest(struct bhxh_posture_obs *o, const char *name, const struct stat *st)
{
	if (o->av_db_found && (int64_t)st->st_mtime <= o->av_db_newest)
		return;
	o->av_db_found = true;
	o->av_db_newest = (int64_t)st->st_mtime;
	(void)bhxh_strlcpy(o->av_db_file, name, sizeof(o->av_db_file));
}

int bhxh_posture_probe_db(const char *path, struct bhxh_posture_obs *o)
{
	struct stat st;
	struct dirent *e;
	unsigned seen = 0;
	DIR *d;
	int fd;

	o->av_db_found = false;
	o->av_db_newest = 0;
	o->av_db_file[0] = '\0';
	/* The administrator's path may be a symbolic link (a signature
	 * directory moved elsewhere); only metadata is read. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (S_ISREG(st.st_mode)) {
		const char *base = strrchr(path, '/');

		note_newest(o, base != NULL ? base + 1 : path, &st);
		close(fd);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		int r = -errno;

		close(fd);
		return r;
	}
	while ((e = readdir(d)) != NULL && seen++ < BHXH_POSTURE_SCAN_MAX) {
		struct stat fst;

		if (!bhxh_posture_is_sigfile(e->d_name))
			continue;
		if (fstatat(dirfd(d), e->d_name, &fst, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(fst.st_mode))
			continue;
		note_newest(o, e->d_name, &fst);
	}
	closedir(d);
	return 0;
}

const char *bhxh_posture_netdir(void)
{
#ifdef BHXH_TESTING
	const char *t = secure_getenv("BHXH_TEST_SYSFS_NET");

	if (t != NULL && t[0] == '/')
		return t;
#endif
	return "/sys/class/net";
}

/* Is interface name (under netfd) wireless and administratively up? */
static bool wifi_active(int netfd, const char *name)
{
	char path[NAME_MAX + 16], buf[32];
	uint64_t flags;

	/* the kernel gives every wireless interface a "wireless" group,
	 * cfg80211 drivers (with their phy80211 link) and wireless-extensions
	 * drivers alike (net-sysfs.c, wireless_group_needed()): one lookup
	 * per interface -- a missing sysfs entry costs about 5 us */
	if (snprintf(path, sizeof(path), "%s/wireless", name) >= (int)sizeof(path) ||
	    faccessat(netfd, path, F_OK, 0) < 0)
		return false;
	if (snprintf(path, sizeof(path), "%s/flags", name) >= (int)sizeof(path))
		return true;
	/* flags unreadable: count it (a check that cannot look must not
	 * report "all clear") */
	if (read_small(netfd, path, buf, sizeof(buf)) < 0)
		return true;
	errno = 0;
	{
		char *end;

		flags = strtoull(buf, &end, 16);
		if (errno != 0 || end == buf || *end != '\0')
			return true;
	}
	return (flags & 0x1u) != 0; /* IFF_UP */
}

/* No wireless hardware at all, told by two reads instead of a lookup per
 * interface (each missing sysfs entry costs a few microseconds, on every
 * login): no wiphy under /sys/class/ieee80211 (every cfg80211 device has
 * one) and no device in /proc/net/wireless (wireless-extensions drivers,
 * e.g. the staging r8712u USB adapters, list themselves there; cfg80211
 * ones too through its compatibility layer).  Whenever either cannot be
 * read, the answer is "maybe": the caller scans every interface. */
static bool no_wireless_hardware(void)
{
	char buf[512];
	struct dirent *e;
	DIR *d;
	int r, fd = open("/sys/class/ieee80211", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0) {
		bool any = false;

		d = fdopendir(fd);
		if (d == NULL) {
			close(fd);
			return false;
		}
		while (!any && (e = readdir(d)) != NULL)
			any = e->d_name[0] != '.';
		closedir(d);
		if (any)
			return false;
	} else if (errno != ENOENT)
		return false;
	/* two header lines, then one line per device; no file at all is a
	 * kernel without wireless extensions (WEXT_PROC comes with them):
	 * no such driver can be loaded */
	r = read_small(AT_FDCWD, "/proc/net/wireless", buf, sizeof(buf));
	if (r == -ENOENT)
		return true;
	if (r < 0)
		return false;
	return strchr(buf, '\n') != NULL && strchr(strchr(buf, '\n') + 1, '\n') == NULL;
}

int bhxh_posture_probe_wifi(const char *netdir, struct bhxh_posture_obs *o)
{
	struct dirent *e;
	unsigned seen = 0;
	DIR *d;
	int fd;

	o->wifi_active = 0;
	memset(o->wifi_names, 0, sizeof(o->wifi_names));
	/* the real tree only (a test's fake tree has no such companions) */
	if (strcmp(netdir, "/sys/class/net") == 0 && no_wireless_hardware())
		return 0;
	fd = open(netdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		int r = -errno;

		close(fd);
		return r;
	}
	while ((e = readdir(d)) != NULL && seen++ < BHXH_POSTURE_SCAN_MAX) {
		/* "lo" is the loopback interface, never a wireless one */
		if (e->d_name[0] == '.' || strlen(e->d_name) >= IF_NAMESIZE ||
		    strcmp(e->d_name, "lo") == 0)
			continue;
		if (!wifi_active(dirfd(d), e->d_name))
			continue;
		if (o->wifi_active < BHXH_POSTURE_WIFI_MAX)
			memcpy(o->wifi_names[o->wifi_active], e->d_name, strlen(e->d_name) + 1);
		o->wifi_active++;
	}
	closedir(d);
	return 0;
}
