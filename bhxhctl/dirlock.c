/* Fleet-wide lockout, the sync's side (dirpw area).
 *
 * The directory's ppolicy attribute pwdAccountLockedTime is the fleet's
 * lock.  A running `bhxhctl db sync`:
 *   - writes the locks and unlocks queued by pam_bhxh on this machine
 *     (lib/dirlock.h) with the narrowly scoped ldap_lock_dn, and remembers
 *     the locks it wrote ("<name>.sent" in the queue directory);
 *   - clears the locks it wrote when their unlock_time is over (its own
 *     clock against its own time stamp: clock skew between machines does
 *     not shorten or lengthen a lock); a lock whose machine never clears
 *     it (gone, reinstalled) is cleared by any machine a day later;
 *   - applies the directory to the local tally: an account locked in the
 *     directory is locked here (until pwdAccountLockedTime + unlock_time,
 *     or until reset for 000001010000Z), so the lockout's own preauth and
 *     account phases refuse it with their message; an account whose lock
 *     disappeared from the directory (bhxhctl lockout reset anywhere, an
 *     administrator's ldapmodify, a timed unlock) is reset here.
 * bhxhctl lockout reset also clears the directory's lock at once
 * (dirlock_admin_reset). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ldap.h>
#include <libaudit.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "dirlock.h"
#include "dirlock_sync.h"
#include "i18n.h"
#include "ldap_map.h"
#include "ldap_pw.h"
#include "lockout.h"
#include "tally.h"

#define LOCK_ATTR "pwdAccountLockedTime"
#define LOCK_FOREVER_VAL "000001010000Z"
/* A lock no machine cleared is cleared by any machine this long after its
 * unlock_time (the machine that wrote it may be gone).  Long, so that a
 * machine whose clock is ahead does not clear the fleet's locks early. */
#define ORPHAN_GRACE 86400
/* A lock dated this far in the future says that clocks disagree. */
#define SKEW_WARN 300
#define RETRY_S 5

/* The accounts locked in the directory at the last generation (sorted). */
static char **prev_locked;
static size_t prev_n;
static bool have_prev;
static time_t next_try;

static time_t now_s(void)
{
	time_t t = time(NULL);
#ifdef BHXH_TESTING
	/* Test builds only: a machine whose clock is off by this many seconds. */
	const char *e = secure_getenv("BHXH_TEST_CLOCK_SKEW");

	if (e != NULL)
		t += (time_t)strtoll(e, NULL, 10);
#endif
	return t;
}

static void audit_lock(const char *op, const char *user, const char *reason, bool ok)
{
	struct bhxh_audit_msg m = {
		.op = op, .acct = user, .id = -1, .reason = reason, .success = ok,
	};
	struct passwd *pw = getpwnam(user);
	int type = strcmp(reason, "directory_lock") == 0 ? AUDIT_RESP_ACCT_LOCK
							   : AUDIT_ACCT_UNLOCK;

	if (pw != NULL)
		m.id = (long long)pw->pw_uid;
	if (!ok)
		type = AUDIT_USER_MGMT;
	if (bhxh_audit_send(type, &m) < 0)
		cli_err(_("warning: audit record not sent for %s"), user);
}

/* "YYYYMMDDHHMMSSZ" <-> seconds since the epoch. */
static void gentime(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y%m%d%H%M%SZ", &tm) == 0)
		(void)bhxh_strlcpy(buf, LOCK_FOREVER_VAL, len);
}

static int parse_gentime(const char *v, long long *ret)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%Y%m%d%H%M%S", &tm);
	if (end == NULL)
		return -EINVAL;
	if (*end == '.' || *end == ',')
		while (*++end >= '0' && *end <= '9')
			;
	if (*end != 'Z' || end[1] != '\0')
		return -EINVAL;
	*ret = (long long)timegm(&tm);
	return 0;
}

static const struct bhxh_ldap_attr *find_attr(const struct bhxh_ldap_entry *e, const char *name)
{
	for (size_t i = 0; i < e->nattrs; i++)
		if (strcasecmp(e->attrs[i].name, name) == 0 && e->attrs[i].nvals > 0)
			return &e->attrs[i];
	return NULL;
}

static const char *user_name(const struct bhxh_conf *conf, const struct bhxh_ldap_entry *e)
{
	const struct bhxh_ldap_attr *a;

	if (e->kind != BHXH_LDAP_USER && bhxh_ldap_kind(&conf->ldap.attr, e) != BHXH_LDAP_USER)
		return NULL;
	a = find_attr(e, conf->ldap.attr.uid);
	return a != NULL && bhxh_valid_username(a->vals[0].p) ? a->vals[0].p : NULL;
}

/* ---- the local tally ---------------------------------------------------- */

/* Lock (until `until`) or reset user's tally here.  A lock already in force
 * is left alone; a reset only touches an existing file. */
static int tally_set(const struct bhxh_conf *conf, const char *user, bool lock, long long since,
		     long long until)
{
	char fname[BHXH_NAME_MAX + 32];
	struct bhxh_tally t;
	struct stat st;
	int dirfd, fd = -1, r;

	dirfd = bhxh_tally_open_dir(conf->lockout.dir, lock);
	if (dirfd < 0)
		return dirfd == -ENOENT ? 0 : dirfd;
	bhxh_tally_file_name(user, true, fname, sizeof(fname));
	if (!lock && fstatat(dirfd, fname, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	fd = bhxh_tally_open(dirfd, fname, true);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	r = bhxh_tally_read(fd, user, &t);
	if (r == -EBADMSG) {
		memset(&t, 0, sizeof(t));
		t.seq = 1;
		r = 0;
	}
	if (r < 0)
		goto out;
	if (lock) {
		int64_t in;

		if (bhxh_lockout_state(&t, (int64_t)now_s(), &in) == BHXH_LOCKED &&
		    t.lock_until >= until) {
			r = 1; /* already locked at least as long */
			goto out;
		}
		(void)bhxh_strlcpy(t.user, user, sizeof(t.user));
		t.lock_since = since;
		t.lock_until = until;
	} else {
		if (t.lock_until == 0 && t.total == 0) {
			r = 1;
			goto out;
		}
		bhxh_tally_clear(&t, user);
	}
	r = bhxh_tally_write(fd, &t, true);
out:
	if (fd >= 0)
		close(fd);
	close(dirfd);
	return r;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_prev(void)
{
	free_names(prev_locked, prev_n);
	prev_locked = NULL;
	prev_n = 0;
}

void dirlock_apply(const struct bhxh_conf *conf, struct bhxh_ldap_entry *const *ents, size_t n)
{
	char **now_locked = NULL;
	size_t nl = 0;
	time_t now = now_s();

	if (!conf->dirpw.lockout)
		return;
	now_locked = calloc(n ? n : 1, sizeof(*now_locked));
	if (now_locked == NULL) {
		cli_err("%s", _("warning: out of memory; directory locks not applied"));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = user_name(conf, ents[i]);
		const struct bhxh_ldap_attr *a = name ? find_attr(ents[i], LOCK_ATTR) : NULL;
		long long since = 0, until;
		int r;

		if (a == NULL)
			continue;
		now_locked[nl] = strdup(name);
		if (now_locked[nl] == NULL)
			continue;
		nl++;
		if (strcmp(a->vals[0].p, LOCK_FOREVER_VAL) == 0 || conf->lockout.unlock_time == 0)
			until = BHXH_LOCK_FOREVER;
		else if (parse_gentime(a->vals[0].p, &since) == 0)
			until = since + (long long)conf->lockout.unlock_time;
		else
			until = BHXH_LOCK_FOREVER; /* unreadable: until reset */
		if (since > (long long)now + SKEW_WARN)
			cli_err(_("warning: the lock of %s is dated %lld s in the future: is this "
				  "machine's clock right (NTP)?"),
				name, since - (long long)now);
		/* over: cleared soon by its machine; on a machine whose clock is
		 * ahead of the locking machine's, that much early */
		if (until != BHXH_LOCK_FOREVER && until <= (long long)now)
			continue;
		r = tally_set(conf, name, true, since ? since : (long long)now, until);
		if (r < 0)
			cli_err(_("cannot lock %s here as the directory says: %s"), name,
				strerror(-r));
		else if (r == 0) {
			printf(_("%s: locked in the directory, locked here\n"), name);
			audit_lock("bhxhctl:directory_lock", name, "directory_lock", true);
		}
	}
	qsort(now_locked, nl, sizeof(*now_locked), cmpstr);
	/* unlocked in the directory since the last generation: reset here */
	for (size_t i = 0; have_prev && i < prev_n; i++) {
		int r;

		if (bsearch(&prev_locked[i], now_locked, nl, sizeof(*now_locked), cmpstr) != NULL)
			continue;
		r = tally_set(conf, prev_locked[i], false, 0, 0);
		if (r < 0)
			cli_err(_("cannot reset %s here after its unlock in the directory: %s"),
				prev_locked[i], strerror(-r));
		else if (r == 0) {
			printf(_("%s: unlocked in the directory, reset here\n"), prev_locked[i]);
			audit_lock("bhxhctl:directory_unlock", prev_locked[i], "directory_unlock",
				   true);
		}
	}
	fflush(stdout);
	if (!have_prev)
		(void)atexit(free_prev);
	free_names(prev_locked, prev_n);
	prev_locked = now_locked;
	prev_n = nl;
	have_prev = true;
}

/* ---- writing to the directory ------------------------------------------ */

static int open_locker(const struct bhxh_conf *conf, LDAP **ld, char *err, size_t errlen)
{
	struct bhxh_ldap_pw_result res;

	if (conf->dirpw.lock_dn[0] == '\0' || conf->dirpw.lock_pw_file[0] == '\0') {
		snprintf(err, errlen, "%s", "ldap_lock_dn and ldap_lock_pw_file are not set");
		return -EINVAL;
	}
	return bhxh_ldap_pw_open(&conf->ldap, conf->dirpw.lock_dn, conf->dirpw.lock_pw_file, ld,
				 &res, err, errlen);
}

/* Set (value != NULL), delete one value (value, del) or delete the
 * attribute (value NULL) on dn.  0, or the LDAP result code. */
static int modify(LDAP *ld, const char *dn, const char *value, bool del)
{
	char *vals[2] = { (char *)(uintptr_t)value, NULL };
	LDAPMod mod = {
		.mod_op = del || value == NULL ? LDAP_MOD_DELETE : LDAP_MOD_REPLACE,
		.mod_type = (char *)LOCK_ATTR,
		.mod_values = value != NULL ? vals : NULL,
	};
	LDAPMod *mods[2] = { &mod, NULL };
	int rc = ldap_modify_ext_s(ld, dn, mods, NULL, NULL);

	/* already gone (or replaced by a newer lock): nothing to clear */
	if (del && (rc == LDAP_NO_SUCH_ATTRIBUTE || rc == LDAP_NO_SUCH_OBJECT))
		rc = LDAP_SUCCESS;
	return rc;
}

static int find_dn(LDAP *ld, const struct bhxh_conf *conf, const char *user, char **ret,
		   char *err, size_t errlen)
{
	struct bhxh_ldap_pw_result res;

	return bhxh_ldap_pw_find(ld, &conf->ldap, user, ret, &res, err, errlen);
}

static int read_small(int dfd, const char *name, char *buf, size_t size, size_t *ret_len)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*ret_len = (size_t)n;
	return 0;
}

/* One queued entry: written, then removed (a lock becomes NAME.sent). */
static int send_one(LDAP *ld, const struct bhxh_conf *conf, int dfd, const char *user,
		    char *err, size_t errlen)
{
	char buf[BHXH_DIRLOCK_LINE_MAX + 1], val[32], sent[BHXH_NAME_MAX + 8];
	long long when;
	bool lock;
	size_t len;
	char *dn = NULL;
	int r, rc;

	/* the queue holds account names (the module validated them); any
	 * other entry is not ours */
	if (snprintf(sent, sizeof(sent), "%s.sent", user) >= (int)sizeof(sent)) {
		cli_err(_("ignoring the malformed lock queue entry %s"), user);
		(void)unlinkat(dfd, user, 0);
		return 0;
	}
	r = read_small(dfd, user, buf, sizeof(buf), &len);
	if (r == 0)
		r = bhxh_dirlock_parse(buf, len, &lock, &when);
	if (r < 0) {
		cli_err(_("ignoring the malformed lock queue entry %s"), user);
		(void)unlinkat(dfd, user, 0);
		return 0;
	}
	r = find_dn(ld, conf, user, &dn, err, errlen);
	if (r == -ENOENT) {
		cli_err(_("%s is not in the directory: its queued lock is dropped"), user);
		(void)unlinkat(dfd, user, 0);
		return 0;
	}
	if (r < 0)
		return r;
	if (lock && conf->lockout.unlock_time == 0)
		(void)bhxh_strlcpy(val, LOCK_FOREVER_VAL, sizeof(val));
	else
		gentime(when, val, sizeof(val));
	rc = modify(ld, dn, lock ? val : NULL, !lock);
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errlen, "%s %s: %s", lock ? "lock" : "unlock", dn,
			 ldap_err2string(rc));
		free(dn);
		audit_lock("bhxhctl:directory_lock_write", user, "directory_refused", false);
		return rc == LDAP_INSUFFICIENT_ACCESS ? -EACCES : -EIO;
	}
	free(dn);
	if (lock && conf->lockout.unlock_time != 0)
		(void)renameat(dfd, user, dfd, sent); /* to clear it when it is over */
	else {
		(void)unlinkat(dfd, user, 0);
		(void)unlinkat(dfd, sent, 0);
	}
	printf(lock ? _("%s: lock written to the directory\n")
		    : _("%s: unlock written to the directory\n"),
	       user);
	fflush(stdout);
	return 0;
}

/* A lock this machine wrote whose time is over: clear that very value. */
static int clear_sent(LDAP *ld, const struct bhxh_conf *conf, int dfd, const char *sent,
		      char *err, size_t errlen)
{
	char buf[BHXH_DIRLOCK_LINE_MAX + 1], user[BHXH_NAME_MAX + 1], val[32];
	long long when;
	bool lock;
	size_t len;
	char *dn = NULL;
	int r, rc;

	if (read_small(dfd, sent, buf, sizeof(buf), &len) < 0 ||
	    bhxh_dirlock_parse(buf, len, &lock, &when) < 0 || !lock) {
		(void)unlinkat(dfd, sent, 0);
		return 0;
	}
	if (now_s() < (time_t)(when + (long long)conf->lockout.unlock_time))
		return 0;
	snprintf(user, sizeof(user), "%.*s", (int)(strlen(sent) - 5), sent);
	r = find_dn(ld, conf, user, &dn, err, errlen);
	if (r == -ENOENT) {
		(void)unlinkat(dfd, sent, 0);
		return 0;
	}
	if (r < 0)
		return r;
	gentime(when, val, sizeof(val));
	rc = modify(ld, dn, val, true);
	free(dn);
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errlen, "timed unlock of %s: %s", user, ldap_err2string(rc));
		return -EIO;
	}
	(void)unlinkat(dfd, sent, 0);
	printf(_("%s: timed lock over, cleared in the directory\n"), user);
	fflush(stdout);
	return 0;
}

/* Locks nobody cleared an hour after their time: clear them. */
static void clear_orphans(LDAP *ld, const struct bhxh_conf *conf,
			  struct bhxh_ldap_entry *const *ents, size_t n)
{
	time_t now = now_s();

	if (conf->lockout.unlock_time == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *name = user_name(conf, ents[i]);
		const struct bhxh_ldap_attr *a = name ? find_attr(ents[i], LOCK_ATTR) : NULL;
		long long since;

		if (a == NULL || strcmp(a->vals[0].p, LOCK_FOREVER_VAL) == 0 ||
		    parse_gentime(a->vals[0].p, &since) < 0)
			continue;
		if ((long long)now < since + (long long)conf->lockout.unlock_time + ORPHAN_GRACE)
			continue;
		if (modify(ld, ents[i]->dn, a->vals[0].p, true) == LDAP_SUCCESS)
			printf(_("%s: lock left over by another machine, cleared\n"), name);
	}
}

static bool pending(const struct bhxh_conf *conf, struct bhxh_ldap_entry *const *ents, size_t n,
		    bool *ret_orphans)
{
	DIR *d = opendir(conf->dirpw.lock_queue_dir);
	struct dirent *de;
	bool any = false;
	time_t now = now_s();

	*ret_orphans = false;
	for (size_t i = 0; conf->lockout.unlock_time != 0 && i < n && !*ret_orphans; i++) {
		const char *name = user_name(conf, ents[i]);
		const struct bhxh_ldap_attr *a = name ? find_attr(ents[i], LOCK_ATTR) : NULL;
		long long since;

		*ret_orphans = a != NULL && parse_gentime(a->vals[0].p, &since) == 0 &&
			       (long long)now >= since + (long long)conf->lockout.unlock_time +
							 ORPHAN_GRACE;
	}
	while (d != NULL && !any && (de = readdir(d)) != NULL)
		any = de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return any || *ret_orphans;
}

void dirlock_tick(const struct bhxh_conf *conf, struct bhxh_ldap_entry *const *ents, size_t n)
{
	char err[BHXH_ERR_MAX] = "";
	struct dirent *de;
	LDAP *ld = NULL;
	bool orphans;
	DIR *d = NULL;
	int dfd, r = 0;

	if (!conf->dirpw.lockout || now_s() < next_try || !pending(conf, ents, n, &orphans))
		return;
	dfd = bhxh_open_state_dir(conf->dirpw.lock_queue_dir, true);
	if (dfd < 0) {
		cli_err(_("cannot open the lock queue %s: %s"), conf->dirpw.lock_queue_dir,
			strerror(-dfd));
		next_try = now_s() + RETRY_S;
		return;
	}
	r = open_locker(conf, &ld, err, sizeof(err));
	if (r == 0 && orphans)
		clear_orphans(ld, conf, ents, n);
	d = r == 0 ? fdopendir(dup(dfd)) : NULL;
	while (d != NULL && r == 0 && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (len > 5 && strcmp(de->d_name + len - 5, ".sent") == 0)
			r = clear_sent(ld, conf, dfd, de->d_name, err, sizeof(err));
		else if (bhxh_valid_username(de->d_name))
			r = send_one(ld, conf, dfd, de->d_name, err, sizeof(err));
	}
	if (d != NULL)
		closedir(d);
	if (ld != NULL)
		(void)ldap_unbind_ext_s(ld, NULL, NULL);
	close(dfd);
	if (r < 0) {
		cli_err(_("cannot write the queued locks to the directory (next try in %d s): %s"),
			RETRY_S, err);
		next_try = now_s() + RETRY_S;
	}
}

int dirlock_admin_reset(const struct bhxh_conf *conf, const char *user)
{
	char err[BHXH_ERR_MAX] = "";
	char *dn = NULL;
	LDAP *ld = NULL;
	int r, rc;

	if (!conf->dirpw.lockout || conf->ldap.uri[0] == '\0' ||
	    getpwnam(user) == NULL /* not an account here */)
		return 0;
	r = open_locker(conf, &ld, err, sizeof(err));
	if (r == 0)
		r = find_dn(ld, conf, user, &dn, err, sizeof(err));
	if (r == -ENOENT) {
		r = 0; /* a local account: nothing in the directory */
		goto out;
	}
	if (r == 0) {
		rc = modify(ld, dn, NULL, true);
		if (rc != LDAP_SUCCESS) {
			snprintf(err, sizeof(err), "%s: %s", dn, ldap_err2string(rc));
			r = -EIO;
		}
	}
	if (r < 0) {
		int q = bhxh_dirlock_queue(conf->dirpw.lock_queue_dir, user, false, 0);

		cli_err(_("the directory's lock of %s is not cleared yet (%s); %s"), user, err,
			q == 0 ? _("queued for the running db sync")
			       : _("clear it in the directory by hand"));
		goto out;
	}
	printf(_("%s: unlocked in the directory (every machine within seconds)\n"), user);
out:
	free(dn);
	if (ld != NULL)
		(void)ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}
