/* Password history, the administrator's side (bhxhctl only, never in a
 * module): import of pam_pwhistory's opasswd, and removal of the history of
 * accounts that no longer exist. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history_int.h"
#include "util.h"

int bhxh_history_import(const char *dir, const char *opasswd, unsigned *ret_users,
			unsigned *ret_bad)
{
	struct bhxh_hist_rec *recs = NULL, *old = NULL;
	char *line = NULL;
	size_t cap = 0;
	unsigned users = 0, bad = 0;
	FILE *f = NULL;
	int dfd = -1, lfd = -1, ffd, r;

	r = bhxh_hist_open_dir(dir, true, &dfd);
	if (r < 0)
		return r;
	ffd = bhxh_open_regular(AT_FDCWD, opasswd, O_RDONLY, 0, NULL);
	if (ffd < 0) {
		r = ffd;
		goto out;
	}
	f = fdopen(ffd, "r");
	if (f == NULL) {
		r = -errno;
		(void)close(ffd);
		goto out;
	}
	recs = calloc(BHXH_HISTORY_MAX, sizeof(*recs));
	old = calloc(BHXH_HISTORY_MAX, sizeof(*old));
	if (recs == NULL || old == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = bhxh_hist_lock_dir(dfd, &lfd);
	if (r < 0)
		goto out;
	while (getline(&line, &cap, f) >= 0) {
		char *user = line, *hashes, *save = NULL;
		size_t n = 0, nold = 0;

		line[strcspn(line, "\r\n")] = '\0';
		/* user:uid:count:hash,hash */
		hashes = line;
		for (int field = 0; field < 3 && hashes != NULL; field++) {
			hashes = strchr(hashes, ':');
			if (hashes != NULL)
				*hashes++ = '\0';
		}
		if (hashes == NULL || !bhxh_valid_username(user)) {
			bad++;
			continue;
		}
		for (char *h = strtok_r(hashes, ",", &save); h != NULL && n < BHXH_HISTORY_MAX;
		     h = strtok_r(NULL, ",", &save)) {
			if (!bhxh_hist_hash_ok(h, strlen(h))) {
				bad++;
				continue;
			}
			recs[n].t = 0;
			(void)bhxh_strlcpy(recs[n].hash, h, HASH_MAX);
			n++;
		}
		if (n == 0)
			continue;
		r = bhxh_hist_read_recs(dfd, user, old, &nold);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < nold && n < BHXH_HISTORY_MAX; i++)
			recs[n++] = old[i];
		r = bhxh_hist_write_recs(dfd, user, recs, n);
		if (r < 0)
			goto out;
		users++;
	}
	if (ferror(f))
		r = -EIO;
	*ret_users = users;
	*ret_bad = bad;
out:
	if (lfd >= 0)
		close(lfd);
	if (line != NULL) {
		bhxh_wipe(line, cap);
		free(line);
	}
	free(recs);
	free(old);
	if (f != NULL)
		fclose(f);
	if (dfd >= 0)
		close(dfd);
	return r;
}

int bhxh_history_prune(const char *dir, int (*exists)(const char *user, void *arg), void *arg,
		       unsigned *ret_removed)
{
	DIR *d = NULL;
	struct dirent *de;
	unsigned removed = 0;
	int dfd = -1, lfd = -1, r;

	r = bhxh_hist_open_dir(dir, false, &dfd);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	r = bhxh_hist_lock_dir(dfd, &lfd);
	if (r < 0)
		goto out;
	d = fdopendir(dup(dfd));
	if (d == NULL) {
		r = -errno;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		int e;

		if (de->d_name[0] == '.')
			continue;
		e = bhxh_valid_username(de->d_name) ? exists(de->d_name, arg) : 0;
		if (e < 0) {
			r = e;
			goto out;
		}
		if (e == 0) {
			if (unlinkat(dfd, de->d_name, 0) < 0) {
				r = -errno;
				goto out;
			}
			removed++;
		}
	}
	*ret_removed = removed;
out:
	if (d != NULL)
		closedir(d);
	if (lfd >= 0)
		close(lfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}
