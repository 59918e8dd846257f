/* Installation of a new generation of the directory database (see
 * dirdb.h): one directory per generation, switched by one rename. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <sys/file.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirdb_build.h"
#include "dirdb_int.h"
#include "util.h"

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The group of shadow.db: "shadow", as for /etc/shadow, so that the
 * setgid-shadow unix_chkpwd (pam_unix run by the user, a screen locker)
 * can read it.  Only root can give a file away; others keep their group
 * and mode 0600.  -1: no such group. */
static gid_t shadow_gid(void)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (geteuid() != 0 || getgrnam_r("shadow", &gr, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return (gid_t)-1;
	return gr.gr_gid;
}

/* Write a new file name in directory gfd (nothing of that name exists:
 * the directory is new), fsync it.  gid: the file's group ((gid_t)-1:
 * unchanged). */
static int write_file(int gfd, const char *name, const void *p, size_t n, mode_t mode,
		      gid_t gid)
{
	int fd, r = 0;

	fd = bhxh_open_regular(gfd, name, O_WRONLY | O_CREAT | O_EXCL, mode, NULL);
	if (fd < 0)
		return fd;
	if ((gid != (gid_t)-1 && fchown(fd, 0, gid) < 0) || fchmod(fd, mode) < 0)
		r = -errno;
	if (r == 0)
		r = write_all(fd, p, n);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Remove directory name of dfd and the files in it (a generation
 * directory: files only). */
static int remove_tree(int dfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? (unlinkat(dfd, name, 0) < 0 ? -errno : 0) : -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
			r = -errno;
	}
	(void)closedir(d);
	if (r == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

/* Is name something a build leaves behind: a generation directory, a
 * half-made link, or a temporary file of the former flat layout? */
static bool ours(const char *name)
{
	return bhxh_db_gen_name_ok(name) || strcmp(name, ".current.new") == 0 ||
	       strncmp(name, ".passwd.db", 10) == 0 || strncmp(name, ".shadow.db", 10) == 0;
}

/* Remove every generation but cur (the one `current` names, "" when none)
 * and whatever killed builds left behind. */
static int remove_stale(int dfd, const char *cur)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	while ((de = readdir(d)) != NULL) {
		int e;

		if (!ours(de->d_name) || strcmp(de->d_name, cur) == 0)
			continue;
		e = remove_tree(dfd, de->d_name);
		if (e < 0 && r == 0)
			r = e;
	}
	(void)closedir(d);
	return r;
}

/* Point link name of dfd at target, atomically (a new link renamed over). */
static int set_link(int dfd, const char *name, const char *target)
{
	char old[PATH_MAX], tmp[64];
	ssize_t n = readlinkat(dfd, name, old, sizeof(old) - 1);

	if (n >= 0 && (size_t)n == strlen(target) && memcmp(old, target, (size_t)n) == 0)
		return 0;
	(void)snprintf(tmp, sizeof(tmp), ".%s.new", name);
	(void)unlinkat(dfd, tmp, 0);
	if (symlinkat(target, dfd, tmp) < 0)
		return -errno;
	if (renameat(dfd, tmp, dfd, name) < 0) {
		int r = -errno;

		(void)unlinkat(dfd, tmp, 0);
		return r;
	}
	return 0;
}

/* The generation and build id of an image, which must be ours. */
static int image_id(const void *img, size_t len, const char *magic,
		    const struct bhxh_dbhdr **ret)
{
	const struct bhxh_dbhdr *h = img;

	if (img == NULL || len < sizeof(*h) || memcmp(h->magic, magic, sizeof(h->magic)) != 0)
		return -EINVAL;
	*ret = h;
	return 0;
}

#define LOCK_WAIT_MS 30000

int bhxh_dirdb_install(const char *dbdir, const void *pw, size_t pwlen, const void *sp,
		       size_t splen, char *err, size_t errlen)
{
	const struct bhxh_dbhdr *hp, *hs;
	char cur[BHXH_DB_GEN_NAME_MAX + 2] = "", name[BHXH_DB_GEN_NAME_MAX + 2];
	struct stat st;
	gid_t sgid;
	ssize_t n;
	int dfd = -1, lfd = -1, gfd = -1, r;

	if (image_id(pw, pwlen, BHXH_DB_MAGIC_PW, &hp) < 0 ||
	    image_id(sp, splen, BHXH_DB_MAGIC_SP, &hs) < 0 || hp->generation != hs->generation ||
	    memcmp(hp->build_id, hs->build_id, sizeof(hp->build_id)) != 0)
		return bhxh_dirsrc_seterr(err, errlen, "%s",
					  "the two images are not of the same build");
	(void)snprintf(name, sizeof(name), "g%llu-%02x%02x%02x%02x",
		       (unsigned long long)hp->generation, hp->build_id[0], hp->build_id[1],
		       hp->build_id[2], hp->build_id[3]);
	if (mkdir(dbdir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		(void)bhxh_dirsrc_seterr(err, errlen, "%s: %s", dbdir, strerror(-r));
		return r;
	}
	dfd = open(dbdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		r = -errno;
		(void)bhxh_dirsrc_seterr(err, errlen, "%s: %s", dbdir, strerror(-r));
		return r;
	}
	if (fstat(dfd, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) != 0) {
		(void)bhxh_dirsrc_seterr(err, errlen,
					 "%s: must be owned by root and writable only by its owner",
					 dbdir);
		r = -EPERM;
		goto out;
	}
	/* One build at a time (db build and db sync alike). */
	lfd = bhxh_open_regular(dfd, ".lock", O_RDWR | O_CREAT, 0600, NULL);
	r = lfd < 0 ? lfd : bhxh_flock_timeout(lfd, LOCK_EX, LOCK_WAIT_MS);
	if (r < 0) {
		(void)bhxh_dirsrc_seterr(err, errlen, "%s/.lock: %s", dbdir, strerror(-r));
		goto out;
	}
	n = readlinkat(dfd, BHXH_DB_CURRENT, cur, sizeof(cur) - 1);
	cur[n > 0 ? n : 0] = '\0';
	/* What killed builds left, and the generation before the current
	 * one (kept until now for readers that had just resolved `current`). */
	r = remove_stale(dfd, cur);
	if (r < 0) {
		(void)bhxh_dirsrc_seterr(err, errlen, "%s: cannot remove old files: %s", dbdir,
					 strerror(-r));
		goto out;
	}
	if (mkdirat(dfd, name, 0755) < 0 ||
	    (gfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fchmod(gfd, 0755) < 0) {
		r = -errno;
		goto fail;
	}
	sgid = shadow_gid();
	r = write_file(gfd, BHXH_DB_SHADOW, sp, splen, sgid == (gid_t)-1 ? 0600 : 0640, sgid);
	if (r == 0)
		r = write_file(gfd, BHXH_DB_PASSWD, pw, pwlen, 0644, (gid_t)-1);
	if (r == 0 && fsync(gfd) < 0)
		r = -errno;
	if (r < 0)
		goto fail;
	/* The switch: one rename replaces `current`. */
	r = set_link(dfd, BHXH_DB_CURRENT, name);
	if (r < 0)
		goto fail;
	if (fsync(dfd) < 0) {
		r = -errno;
		(void)bhxh_dirsrc_seterr(err, errlen, "%s: %s", dbdir, strerror(-r));
		goto out;
	}
	/* Convenience links for people and scripts (readers ignore them). */
	if ((r = set_link(dfd, BHXH_DB_PASSWD, BHXH_DB_CURRENT "/" BHXH_DB_PASSWD)) < 0 ||
	    (r = set_link(dfd, BHXH_DB_SHADOW, BHXH_DB_CURRENT "/" BHXH_DB_SHADOW)) < 0 ||
	    fsync(dfd) < 0) {
		r = r < 0 ? r : -errno;
		(void)bhxh_dirsrc_seterr(err, errlen, "%s: %s", dbdir, strerror(-r));
	}
	goto out;
fail:
	(void)bhxh_dirsrc_seterr(err, errlen, "%s/%s: %s", dbdir, name, strerror(-r));
	if (strcmp(name, cur) != 0)
		(void)remove_tree(dfd, name);
out:
	if (gfd >= 0)
		(void)close(gfd);
	if (lfd >= 0)
		(void)close(lfd);
	if (dfd >= 0)
		(void)close(dfd);
	return r;
}
