/* Last successful login per account (see lastlogin.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lastlogin.h"
#include "util.h"

#define BASELINE_NAME ".since"

int bhxh_lastlogin_parse(const char *buf, size_t len, int64_t *ret_when)
{
	char tmp[BHXH_LASTLOGIN_MAX + 1];
	uint64_t v;
	int r;

	/* exactly "1 <digits>\n" */
	if (len < 4 || len > BHXH_LASTLOGIN_MAX || buf[0] != '1' || buf[1] != ' ' ||
	    buf[len - 1] != '\n')
		return -EBADMSG;
	memcpy(tmp, buf + 2, len - 3);
	tmp[len - 3] = '\0';
	r = bhxh_parse_uint(tmp, 0, INT64_MAX, &v);
	if (r < 0)
		return -EBADMSG;
	*ret_when = (int64_t)v;
	return 0;
}

int bhxh_lastlogin_open_dir(const char *path, bool create, int64_t now)
{
	int fd, r;
	int64_t since;

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	fd = bhxh_open_state_dir(path, create);
	if (fd < 0)
		return fd;
	if (create && bhxh_lastlogin_baseline(fd, &since) == -ENOENT) {
		r = bhxh_lastlogin_write(fd, BASELINE_NAME, now);
		if (r < 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

/* Read a record file by name (a user name or the baseline). */
static int read_record(int dirfd, const char *name, int64_t *ret_when)
{
	char buf[BHXH_LASTLOGIN_MAX + 1];
	ssize_t n;
	int fd, r;

	fd = bhxh_open_state_file(dirfd, name, O_RDONLY, 0, S_IWGRP | S_IWOTH, 0, NULL);
	if (fd < 0)
		return fd == -ELOOP ? -EPERM : fd;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	r = bhxh_lastlogin_parse(buf, (size_t)n, ret_when);
out:
	close(fd);
	return r;
}

int bhxh_lastlogin_read(int dirfd, const char *user, int64_t *ret_when)
{
	if (user == NULL || !bhxh_valid_username(user))
		return -EINVAL;
	return read_record(dirfd, user, ret_when);
}

int bhxh_lastlogin_baseline(int dirfd, int64_t *ret_when)
{
	return read_record(dirfd, BASELINE_NAME, ret_when);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* name is a valid user name or the baseline's. */
int bhxh_lastlogin_write(int dirfd, const char *name, int64_t when)
{
	char tmp[BHXH_NAME_MAX + 32], buf[BHXH_LASTLOGIN_MAX];
	uint32_t rnd;
	int64_t old;
	int fd = -1, r, len;
	bool linked = false;

	if (name == NULL || when < 0 ||
	    (strcmp(name, BASELINE_NAME) != 0 && !bhxh_valid_username(name)))
		return -EINVAL;
	r = read_record(dirfd, name, &old);
	if (r == 0 && old <= when && when - old < BHXH_LASTLOGIN_GRANULARITY)
		return 0;
	if (r < 0 && r != -ENOENT && r != -EBADMSG)
		return r; /* wrong owner or type: leave it for the administrator */

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)getpid() ^ (uint32_t)when;
	snprintf(tmp, sizeof(tmp), ".tmp.%s.%08x", name, (unsigned)rnd);
	fd = bhxh_open_regular(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL, 0600, NULL);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	linked = true;
	len = snprintf(buf, sizeof(buf), "1 %lld\n", (long long)when);
	r = write_all(fd, buf, (size_t)len);
	if (r < 0)
		goto out;
	if (fsync(fd) < 0) {
		r = -errno;
		goto out;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		r = -errno;
		goto out;
	}
	linked = false;
	(void)fsync(dirfd); /* make the rename itself durable */
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (linked)
		(void)unlinkat(dirfd, tmp, 0);
	return r;
}
