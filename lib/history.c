/* Password history storage (see history.h). */
#include "config.h"

#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"
#include "history_int.h"
#include "util.h"

/* crypt_rn rather than crypt_r: same libxcrypt code, NULL instead of a "*0"
 * string on failure, and not intercepted by ASan (whose crypt_r wrapper
 * has no target when libcrypt arrives later through dlopen of the module). */

/* The checker hashes the new password with every remembered record's
 * setting, so a record's cost is paid at each password change: a hostile or
 * mistaken hash (bcrypt cost 31, sha512crypt rounds=999999999, yescrypt with
 * gigabytes of memory: an opasswd line, or a planted history record) would
 * hang it for hours.  Accept only methods whose cost is bounded: yescrypt and
 * gost-yescrypt up to libxcrypt's own highest cost ("jFT": what
 * crypt_gensalt makes with count 11), bcrypt up to cost 15, sha256/512crypt
 * up to 1,000,000 rounds, md5crypt and traditional DES (fixed costs). */
static bool cost_ok(const char *h, size_t len)
{
	static const char itoa64[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const char *p;

	if (h[0] != '$')
		return len == 13; /* DES */
	if (strncmp(h, "$1$", 3) == 0)
		return true;
	if (strncmp(h, "$y$", 3) == 0 || strncmp(h, "$gy$", 4) == 0) {
		p = strchr(h + 1, '$') + 1; /* params: flavour, log2 N, r */
		return p[0] == 'j' && p[1] != '\0' && p[2] != '\0' && p[3] == '$' &&
		       strchr(itoa64, p[1]) != NULL && strchr(itoa64, p[2]) != NULL &&
		       strchr(itoa64, p[1]) <= strchr(itoa64, 'F') &&
		       strchr(itoa64, p[2]) <= strchr(itoa64, 'T');
	}
	if (h[1] == '2' && strchr("aby", h[2]) != NULL && h[2] != '\0' && h[3] == '$')
		return h[4] >= '0' && h[4] <= '1' && h[5] >= '0' && h[5] <= '9' && h[6] == '$' &&
		       (h[4] - '0') * 10 + (h[5] - '0') <= 15;
	if (strncmp(h, "$5$", 3) == 0 || strncmp(h, "$6$", 3) == 0) {
		uint64_t rounds;
		char num[16];
		size_t n;

		if (strncmp(h + 3, "rounds=", 7) != 0)
			return true; /* the default, 5000 */
		n = strcspn(h + 10, "$");
		if (n == 0 || n >= sizeof(num) || h[10 + n] != '$')
			return false;
		memcpy(num, h + 10, n);
		num[n] = '\0';
		return bhxh_parse_uint(num, 1, 1000000, &rounds) == 0;
	}
	return false;
}

bool bhxh_hist_hash_ok(const char *h, size_t len)
{
	if (len == 0 || len >= HASH_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '/' || c == '$' || c == '=' || c == '-' || c == '_' ||
		      c == '+' || c == ','))
			return false;
	}
	return cost_ok(h, len);
}

/* Open the directory: ours, not writable by group or others, no symlink. */
int bhxh_hist_open_dir(const char *dir, bool create, int *ret)
{
	int fd;

	fd = bhxh_open_state_dir(dir, create);
	if (fd < 0)
		return fd;
	*ret = fd;
	return 0;
}

/* Read a user's records (oldest first) into recs; *n = count. */
int bhxh_hist_read_recs(int dfd, const char *user, struct bhxh_hist_rec *recs, size_t *n)
{
	char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int fd, r = 0;

	*n = 0;
	fd = bhxh_open_state_file(dfd, user, O_RDONLY, 0, 077, 0, &st);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (st.st_size > FILE_MAX) {
		r = -EPERM;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + len, (size_t)st.st_size - len);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	buf[len] = '\0';
	for (char *line = buf, *nl; *line != '\0' && *n < BHXH_HISTORY_MAX; line = nl + 1) {
		char *sp;
		uint64_t t;

		nl = strchr(line, '\n');
		if (nl == NULL)
			break; /* a torn last line is ignored */
		*nl = '\0';
		sp = strchr(line, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		if (bhxh_parse_uint(line, 0, INT64_MAX, &t) < 0 || !bhxh_hist_hash_ok(sp + 1, strlen(sp + 1)))
			continue;
		recs[*n].t = (long long)t;
		(void)bhxh_strlcpy(recs[*n].hash, sp + 1, HASH_MAX);
		(*n)++;
	}
out:
	if (buf != NULL) {
		bhxh_wipe(buf, len);
		free(buf);
	}
	close(fd);
	return r;
}

/* Replace DIR/USER with recs atomically.  The caller holds the lock. */
int bhxh_hist_write_recs(int dfd, const char *user, const struct bhxh_hist_rec *recs, size_t n)
{
	char tmp[BHXH_NAME_MAX + 16];
	FILE *f = NULL;
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", user);
	(void)unlinkat(dfd, tmp, 0);
	fd = bhxh_open_regular(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL, 0600, NULL);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "w");
	if (f == NULL) {
		r = -errno;
		close(fd);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%lld %s\n", recs[i].t, recs[i].hash);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0)
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -EIO;
	if (r == 0 && renameat(dfd, tmp, dfd, user) < 0)
		r = -errno;
out:
	if (r < 0)
		(void)unlinkat(dfd, tmp, 0);
	return r;
}

int bhxh_hist_lock_dir(int dfd, int *ret)
{
	/* bounded: a stuck process must not hang every password change */
	int fd = bhxh_open_state_file(dfd, ".lock", O_RDWR | O_CREAT, 0600, 077, LOCK_EX, NULL);

	if (fd < 0)
		return fd;
	*ret = fd;
	return 0;
}

int bhxh_history_check(const char *dir, const char *user, const char *pass, unsigned depth,
		       bool *ret_found, long long *ret_last)
{
	struct bhxh_hist_rec *recs = NULL;
	struct crypt_data *cd = NULL;
	size_t n = 0;
	bool found = false;
	int dfd = -1, r;

	if (!bhxh_valid_username(user))
		return -EINVAL;
	r = bhxh_hist_open_dir(dir, false, &dfd);
	if (r == -ENOENT) {
		*ret_found = false;
		*ret_last = -1;
		return 0;
	}
	if (r < 0)
		return r;
	recs = calloc(BHXH_HISTORY_MAX, sizeof(*recs));
	cd = calloc(1, sizeof(*cd));
	if (recs == NULL || cd == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = bhxh_hist_read_recs(dfd, user, recs, &n);
	if (r < 0)
		goto out;
	/* newest first; every record in range is hashed, found or not, so the
	 * time taken does not say which one matched */
	for (size_t i = n, seen = 0; i > 0 && seen < depth; i--, seen++) {
		const char *h = crypt_rn(pass, recs[i - 1].hash, cd, (int)sizeof(*cd));

		if (h != NULL && h[0] != '*' && strcmp(h, recs[i - 1].hash) == 0)
			found = true;
	}
	*ret_found = found;
	*ret_last = n > 0 ? recs[n - 1].t : -1;
out:
	if (cd != NULL) {
		bhxh_wipe(cd, sizeof(*cd));
		free(cd);
	}
	free(recs);
	if (dfd >= 0)
		close(dfd);
	return r;
}

/* Append one hash as user's newest record, keep the newest `keep`.  With
 * dedupe, nothing is written when the newest record already holds it. */
static int add_hash(const char *dir, const char *user, const char *h, long long when,
		    unsigned keep, bool dedupe)
{
	struct bhxh_hist_rec *recs = NULL;
	size_t n = 0;
	int dfd = -1, lfd = -1, r;

	if (!bhxh_valid_username(user))
		return -EINVAL;
	if (!bhxh_hist_hash_ok(h, strlen(h)))
		return -EINVAL;
	if (keep == 0 || keep > BHXH_HISTORY_MAX)
		keep = keep == 0 ? 1 : BHXH_HISTORY_MAX;
	r = bhxh_hist_open_dir(dir, true, &dfd);
	if (r < 0)
		return r;
	recs = calloc(BHXH_HISTORY_MAX + 1, sizeof(*recs));
	if (recs == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = bhxh_hist_lock_dir(dfd, &lfd);
	if (r < 0)
		goto out;
	r = bhxh_hist_read_recs(dfd, user, recs, &n);
	if (r < 0 || (dedupe && n > 0 && strcmp(recs[n - 1].hash, h) == 0))
		goto out;
	recs[n].t = when;
	(void)bhxh_strlcpy(recs[n].hash, h, HASH_MAX);
	n++;
	r = bhxh_hist_write_recs(dfd, user, n > keep ? recs + (n - keep) : recs, n > keep ? keep : n);
out:
	if (lfd >= 0)
		close(lfd); /* releases the lock */
	free(recs);
	if (dfd >= 0)
		close(dfd);
	return r;
}

int bhxh_history_add(const char *dir, const char *user, const char *pass, long long now,
		     unsigned keep)
{
	struct crypt_data *cd = NULL;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;
	int r;

	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return -ENOMEM;
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL) {
		r = errno ? -errno : -EINVAL;
		goto out;
	}
	h = crypt_rn(pass, salt, cd, (int)sizeof(*cd));
	if (h == NULL || h[0] == '*' || !bhxh_hist_hash_ok(h, strlen(h))) {
		r = -EINVAL;
		goto out;
	}
	r = add_hash(dir, user, h, now, keep, false);
out:
	bhxh_wipe(cd, sizeof(*cd));
	free(cd);
	return r;
}

int bhxh_history_add_hash(const char *dir, const char *user, const char *hash, long long when,
			  unsigned keep)
{
	return add_hash(dir, user, hash, when, keep, true);
}
