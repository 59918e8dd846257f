/* Failed-login lockout: the pam_faillock-compatible auth modes and the
 * account-phase check.
 *
 * Unknown users and names that are not valid user names take the same path
 * as known users: their failures go to one of a fixed set of hashed slot
 * files, so they lock and unlock alike, and neither timing nor messages
 * reveal whether an account exists. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <unistd.h>

#include <libaudit.h>

#include "glue.h"
#include "i18n.h"
#include "lockout.h"
#include "tally.h"

/* Conversation errors are not wrong passwords.  preauth puts a thin
 * wrapper around the application's conversation that notes whether a
 * conversation failed (the user pressed Ctrl-D, the client went away, a
 * prompt timed out); authfail then leaves such an attempt uncounted.  Any
 * other failure counts, whichever module failed and whether or not it set
 * PAM_AUTHTOK (pam_deny, pam_sss, a smart-card module).  Without preauth in
 * the stack every failure counts, as in pam_faillock.  The wrapper lives in
 * PAM data (freed by pam_end()) and is reused, never replaced, so the
 * conversation item never points to freed memory. */
#define WATCH_DATA "pam_bhxh_conv_watch"
#define TOLD_DATA "pam_bhxh_told_locked"
#define PREAUTH_DATA "pam_bhxh_preauth_ran"

struct conv_watch {
	struct pam_conv orig;
	bool failed;
};

static int watch_conv(int n, const struct pam_message **msg, struct pam_response **resp,
		      void *data)
{
	struct conv_watch *w = data;
	int rc;

	if (w->orig.conv == NULL)
		return PAM_CONV_ERR;
	rc = w->orig.conv(n, msg, resp, w->orig.appdata_ptr);
	if (rc != PAM_SUCCESS)
		w->failed = true;
	return rc;
}

static void free_watch(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

static void watch_conversation(struct bhxh_pam *ctx)
{
	const void *item = NULL;
	const void *data = NULL;
	const struct pam_conv *cur;
	struct conv_watch *w;
	struct pam_conv wrapped;

	if (pam_get_item(ctx->pamh, PAM_CONV, &item) != PAM_SUCCESS || item == NULL)
		return;
	cur = item;
	if (pam_get_data(ctx->pamh, WATCH_DATA, &data) == PAM_SUCCESS && data != NULL) {
		w = (struct conv_watch *)data;
		w->failed = false;
		if (cur->conv == watch_conv)
			return; /* still ours: a new attempt on the same handle */
	} else {
		w = calloc(1, sizeof(*w));
		if (w == NULL)
			return; /* then every failure counts */
		if (pam_set_data(ctx->pamh, WATCH_DATA, w, free_watch) != PAM_SUCCESS) {
			free(w);
			return;
		}
	}
	w->orig = *cur;
	wrapped.conv = watch_conv;
	wrapped.appdata_ptr = w;
	if (pam_set_item(ctx->pamh, PAM_CONV, &wrapped) != PAM_SUCCESS)
		w->orig.conv = NULL;
}

/* Did a conversation fail during this attempt (preauth's wrapper)? */
static bool conversation_failed(struct bhxh_pam *ctx)
{
	const void *data = NULL;

	return pam_get_data(ctx->pamh, WATCH_DATA, &data) == PAM_SUCCESS && data != NULL &&
	       ((const struct conv_watch *)data)->failed;
}

/* preauth tells a locked user once; later modes of the same attempt do not
 * repeat it. */
static void set_told(struct bhxh_pam *ctx, bool told)
{
	(void)pam_set_data(ctx->pamh, TOLD_DATA, told ? (void *)"1" : NULL, NULL);
}

static bool was_told(struct bhxh_pam *ctx)
{
	const void *data = NULL;

	return pam_get_data(ctx->pamh, TOLD_DATA, &data) == PAM_SUCCESS && data != NULL;
}

/* Did preauth run in this PAM transaction (the account phase forgets
 * failures only after an authentication that went through it)? */
static bool preauth_ran(struct bhxh_pam *ctx)
{
	const void *data = NULL;

	return pam_get_data(ctx->pamh, PREAUTH_DATA, &data) == PAM_SUCCESS && data != NULL;
}

/* The policy for this account; false when lockout does not apply to it. */
static bool account_policy(const struct bhxh_pam *ctx, struct bhxh_lock_policy *p)
{
	bool privileged = ctx->known && bhxh_lockout_privileged(&ctx->conf.lockout, ctx->user,
								  ctx->uid, ctx->gid);

	return bhxh_lockout_policy(&ctx->conf.lockout, privileged, p);
}

static const char *source_of(const struct bhxh_pam *ctx)
{
	if (ctx->rhost != NULL && ctx->rhost[0] != '\0')
		return ctx->rhost;
	return ctx->tty;
}

/* The same words whether or not the account exists. */
static void tell_locked(struct bhxh_pam *ctx, unsigned failures, int64_t unlock_in)
{
	if (ctx->conf.lockout.silent)
		return;
	if (failures > 0)
		bhxh_pam_error(ctx,
			       P_("The account is locked after %u failed login.",
				  "The account is locked after %u failed logins.", failures),
			       failures);
	else
		bhxh_pam_error(ctx, "%s", _("The account is locked."));
	if (unlock_in < 0)
		bhxh_pam_error(ctx, "%s",
			       _("Ask the IT department to unlock it (bhxhctl lockout reset)."));
	else {
		unsigned m = bhxh_lockout_minutes(unlock_in);

		bhxh_pam_error(ctx, P_("Try again in %u minute.", "Try again in %u minutes.", m), m);
	}
}

/* warn_remaining: how many attempts are left, when few are; the same for
 * names that are not accounts (their slots count alike). */
static void tell_remaining(struct bhxh_pam *ctx, unsigned left)
{
	if (left == 0 || left > ctx->conf.lockout.warn_remaining || ctx->conf.lockout.silent)
		return;
	bhxh_pam_error(ctx,
		       P_("%u attempt left before the account is locked.",
			  "%u attempts left before the account is locked.", left),
		       left);
}

static void audit_timed_unlock(struct bhxh_pam *ctx)
{
	bhxh_pam_audit(ctx, AUDIT_RESP_ACCT_UNLOCK_TIMED, "PAM:bhxh_unlock", "lock_expired", NULL,
		       true);
}

static void audit_new_lock(struct bhxh_pam *ctx, const struct bhxh_lock_policy *p,
			   unsigned failures)
{
	char extra[64];

	snprintf(extra, sizeof(extra), "failures=%u", failures);
	bhxh_pam_audit(ctx, AUDIT_ANOM_LOGIN_FAILURES, "PAM:bhxh_lockout", "too_many_failures",
		       extra, false);
	bhxh_pam_audit(ctx, p->unlock_time == 0 ? AUDIT_RESP_ACCT_LOCK : AUDIT_RESP_ACCT_LOCK_TIMED,
		       "PAM:bhxh_lockout", p->unlock_time == 0 ? "locked_until_reset" : "locked_timed",
		       extra, true);
}

static void audit_refused(struct bhxh_pam *ctx, const char *phase_op)
{
	bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, phase_op, "account_locked", NULL, false);
}

/* The state directory stays open for the life of the handle (PAM data,
 * closed by pam_end(); close-on-exec): preauth, authfail or authsucc and
 * the account phase of one login open and check it once.  Kept with its
 * path, so that another dir= in the same stack opens its own. */
#define DIR_DATA "pam_bhxh_tally_dir"

struct dir_cache {
	int fd;
	char path[sizeof(((struct bhxh_conf *)0)->lockout.dir)];
};

static void free_dir_cache(pam_handle_t *pamh, void *data, int error_status)
{
	struct dir_cache *d = data;

	(void)pamh;
	(void)error_status;
	if (d->fd >= 0)
		close(d->fd);
	free(d);
}

/* The state directory's descriptor, the handle's when it has one; *owned
 * says the caller must close it (no memory to keep it). */
static int state_dir(struct bhxh_pam *ctx, bool create, bool *owned)
{
	const void *data = NULL;
	struct dir_cache *d;
	int fd;

	*owned = false;
	if (pam_get_data(ctx->pamh, DIR_DATA, &data) == PAM_SUCCESS && data != NULL) {
		d = (struct dir_cache *)data;
		if (strcmp(d->path, ctx->conf.lockout.dir) == 0)
			return d->fd;
	}
	fd = bhxh_tally_open_dir(ctx->conf.lockout.dir, create);
	if (fd < 0)
		return fd;
	d = malloc(sizeof(*d));
	if (d != NULL) {
		d->fd = fd;
		memcpy(d->path, ctx->conf.lockout.dir, sizeof(d->path));
		/* replacing another directory's entry closes that one */
		if (pam_set_data(ctx->pamh, DIR_DATA, d, free_dir_cache) == PAM_SUCCESS)
			return fd;
		free(d);
	}
	*owned = true;
	return fd;
}

static void put_dir(int dirfd, bool owned)
{
	if (dirfd >= 0 && owned)
		close(dirfd);
}

/* Open the directory and the account's file.  Logs why on failure. */
static int open_tally(struct bhxh_pam *ctx, bool write, int *ret_dirfd, bool *ret_owned,
		      int *ret_fd, char *fname, size_t fnamelen)
{
	int dirfd, fd;

	dirfd = state_dir(ctx, write, ret_owned);
	if (dirfd < 0) {
		if (!write && dirfd == -ENOENT) {
			*ret_dirfd = -1;
			*ret_fd = -ENOENT;
			return 0;
		}
		bhxh_log(ctx, LOG_ERR, "state directory %s unusable: %s", ctx->conf.lockout.dir,
			 strerror(-dirfd));
		return dirfd;
	}
	bhxh_tally_file_name(ctx->user, ctx->known, fname, fnamelen);
	fd = bhxh_tally_open(dirfd, fname, write);
	if (fd < 0 && !(fd == -ENOENT && !write)) {
		bhxh_log(ctx, LOG_ERR, "tally file %s/%s unusable: %s", ctx->conf.lockout.dir, fname,
			 strerror(-fd));
		put_dir(dirfd, *ret_owned);
		return fd;
	}
	*ret_dirfd = dirfd;
	*ret_fd = fd;
	return 0;
}

/* A full state file system means failures can no longer be counted: refuse
 * rather than let an attacker guess without limit. */
static bool state_fs_full(int dirfd)
{
	struct statvfs sv;

	return dirfd >= 0 && fstatvfs(dirfd, &sv) == 0 && sv.f_bavail == 0;
}

/* Upgrade *fd (read-locked) to a write lock and clear the tally if, read
 * again, it is still in state want: another login may have changed it
 * meanwhile.  1 when cleared, 0 when the state no longer holds (or the
 * write failed: logged), -errno when the file cannot be reopened (logged;
 * *fd is then negative). */
static int clear_if_still(struct bhxh_pam *ctx, int dirfd, int *fd, const char *fname,
			  enum bhxh_lock_state want)
{
	struct bhxh_tally t;
	int64_t unlock_in = 0;
	int r;

	close(*fd);
	*fd = bhxh_tally_open(dirfd, fname, true);
	if (*fd < 0) {
		bhxh_log(ctx, LOG_ERR, "cannot update %s: %s", fname, strerror(-*fd));
		return *fd;
	}
	r = bhxh_tally_read(*fd, ctx->user, &t);
	if (r < 0 || bhxh_lockout_state(&t, ctx->now, &unlock_in) != want)
		return 0;
	bhxh_tally_clear(&t, ctx->user);
	r = bhxh_tally_write(*fd, &t, false);
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "cannot write %s: %s", fname, strerror(-r));
		return 0;
	}
	return 1;
}

/* preauth and the account phase: refuse while locked; clear a timed lock
 * that has run out (and audit that).  The account phase (forget) also
 * forgets the failures of an account that is not locked, as pam_faillock's
 * account phase does (a stack whose successful auth ends at a sufficient
 * module never reaches authsucc) -- but only after an authentication that
 * went through preauth in the same transaction: cron and SSH-key logins
 * run the account phase without one, and must not wipe a guesser's count. */
static int check_locked(struct bhxh_pam *ctx, const char *phase_op, int locked_rc, bool forget)
{
	struct bhxh_lock_policy p;
	struct bhxh_tally t;
	char fname[BHXH_NAME_MAX + 32];
	int64_t unlock_in = 0;
	int dirfd = -1, fd = -1, r, rc = PAM_SUCCESS;
	bool dir_owned = false;
	enum bhxh_lock_state st;

	if (!account_policy(ctx, &p))
		return PAM_SUCCESS;
	r = open_tally(ctx, false, &dirfd, &dir_owned, &fd, fname, sizeof(fname));
	if (r < 0) {
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	if (fd == -ENOENT) {
		fd = -1;
		if (state_fs_full(dirfd)) {
			bhxh_log(ctx, LOG_CRIT, "state file system of %s is full: refusing",
				 ctx->conf.lockout.dir);
			rc = PAM_AUTH_ERR;
		}
		goto out;
	}
	r = bhxh_tally_read(fd, ctx->user, &t);
	if (r < 0) {
		/* A damaged tally is not trusted to say "unlocked": the account
		 * stays refused until an administrator resets it. */
		bhxh_log(ctx, LOG_ERR, "tally file %s/%s is corrupt (%s): refusing until reset",
			 ctx->conf.lockout.dir, fname, strerror(-r));
		bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, phase_op, "tally_corrupt", NULL, false);
		tell_locked(ctx, 0, -1);
		rc = locked_rc;
		goto out;
	}
	st = bhxh_lockout_state(&t, ctx->now, &unlock_in);
	if (st == BHXH_LOCKED) {
		bhxh_debug(ctx, "user %.100s is locked", ctx->user);
		audit_refused(ctx, phase_op);
		tell_locked(ctx, bhxh_lockout_failures(&t, &p, t.lock_since), unlock_in);
		set_told(ctx, true);
		rc = locked_rc;
		goto out;
	}
	if (forget && ctx->known && st == BHXH_UNLOCKED && (t.nrec > 0 || t.older > 0) &&
	    preauth_ran(ctx)) {
		(void)clear_if_still(ctx, dirfd, &fd, fname, BHXH_UNLOCKED);
		if (fd < 0) {
			rc = PAM_SYSTEM_ERR;
			goto out;
		}
	}
	if (st == BHXH_LOCK_EXPIRED) {
		if (clear_if_still(ctx, dirfd, &fd, fname, BHXH_LOCK_EXPIRED) > 0)
			audit_timed_unlock(ctx);
		if (fd < 0) {
			rc = PAM_SYSTEM_ERR;
			goto out;
		}
	}
	if (state_fs_full(dirfd)) {
		bhxh_log(ctx, LOG_CRIT, "state file system of %s is full: refusing",
			 ctx->conf.lockout.dir);
		rc = PAM_AUTH_ERR;
	}
out:
	if (fd >= 0)
		close(fd);
	put_dir(dirfd, dir_owned);
	return rc;
}

/* authfail: count one failure (exactly once, under the file lock).  Like
 * pam_faillock it returns PAM_IGNORE when it recorded (the failing module's
 * code decides) and PAM_AUTH_ERR for an account that is locked. */
static int record_failure(struct bhxh_pam *ctx)
{
	struct bhxh_lock_policy p;
	struct bhxh_tally t;
	char fname[BHXH_NAME_MAX + 32];
	int dirfd = -1, fd = -1, r, rc = PAM_IGNORE;
	int64_t unlock_in = 0;
	bool locked_now, dir_owned = false;

	if (conversation_failed(ctx)) {
		bhxh_debug(ctx, "the conversation failed; not counted");
		return PAM_IGNORE;
	}
	if (!account_policy(ctx, &p)) {
		bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_authfail",
			       ctx->known ? "wrong_password" : "unknown_user", NULL, false);
		return PAM_IGNORE;
	}
	r = open_tally(ctx, true, &dirfd, &dir_owned, &fd, fname, sizeof(fname));
	if (r < 0) {
		rc = PAM_AUTH_ERR;
		goto out;
	}
	r = bhxh_tally_read(fd, ctx->user, &t);
	if (r == -EBADMSG) {
		bhxh_log(ctx, LOG_ERR, "tally file %s is corrupt; left for the administrator",
			 fname);
		rc = PAM_AUTH_ERR;
		goto out;
	}
	if (r < 0) {
		rc = PAM_AUTH_ERR;
		goto out;
	}
	if (bhxh_lockout_state(&t, ctx->now, &unlock_in) == BHXH_LOCK_EXPIRED) {
		bhxh_tally_clear(&t, ctx->user);
		audit_timed_unlock(ctx);
	}
	if (bhxh_lockout_state(&t, ctx->now, &unlock_in) == BHXH_LOCKED) {
		/* refused, not counted again; preauth (if any) said so already */
		if (!was_told(ctx)) {
			audit_refused(ctx, "PAM:bhxh_authfail");
			tell_locked(ctx, bhxh_lockout_failures(&t, &p, t.lock_since), unlock_in);
		}
		rc = PAM_AUTH_ERR;
		goto out;
	}
	locked_now = bhxh_lockout_add_failure(&t, &p, ctx->now, ctx->service, source_of(ctx));
	/* a new lock must survive a power cut (unless lock_sync=no); other
	 * failures survive any crash of the process and a clean reboot
	 * without a sync */
	r = bhxh_tally_write(fd, &t, locked_now && ctx->conf.lockout.lock_sync);
	if (r < 0) {
		bhxh_log(ctx, LOG_CRIT, "cannot record a failed login in %s: %s", fname,
			 strerror(-r));
		rc = PAM_AUTH_ERR;
		goto out;
	}
	bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_authfail",
		       ctx->known ? "wrong_password" : "unknown_user", NULL, false);
	if (locked_now) {
		unsigned n = bhxh_lockout_failures(&t, &p, ctx->now);

		if (!ctx->conf.lockout.no_log_info)
			bhxh_log(ctx, LOG_NOTICE, "account %.100s locked after %u failures",
				 ctx->user, n);
		audit_new_lock(ctx, &p, n);
		tell_locked(ctx, n, p.unlock_time == 0 ? -1 : (int64_t)p.unlock_time);
		bhxh_pam_dirlock_locked(ctx); /* dirlock.c: to the directory */
	} else
		tell_remaining(ctx, bhxh_lockout_remaining(&t, &p, ctx->now));
out:
	if (fd >= 0)
		close(fd);
	put_dir(dirfd, dir_owned);
	return rc;
}

/* authsucc: the password was right.  Refuse if the account got locked
 * meanwhile; otherwise forget its failures. */
static int record_success(struct bhxh_pam *ctx)
{
	struct bhxh_lock_policy p;
	struct bhxh_tally t;
	char fname[BHXH_NAME_MAX + 32];
	int64_t unlock_in = 0;
	int dirfd = -1, fd = -1, r, rc = PAM_SUCCESS;
	bool dir_owned = false;

	if (!account_policy(ctx, &p))
		goto done;
	r = open_tally(ctx, false, &dirfd, &dir_owned, &fd, fname, sizeof(fname));
	if (r < 0) {
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	if (fd == -ENOENT) {
		fd = -1;
		goto out;
	}
	r = bhxh_tally_read(fd, ctx->user, &t);
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "tally file %s/%s unreadable (%s): refusing",
			 ctx->conf.lockout.dir, fname, strerror(-r));
		bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_authsucc",
			       r == -EBADMSG ? "tally_corrupt" : "state_error", NULL, false);
		rc = PAM_AUTH_ERR;
		goto out;
	}
	if (t.nrec == 0 && t.older == 0 && t.lock_until == 0)
		goto out; /* nothing to forget: no write */
	close(fd);
	fd = bhxh_tally_open(dirfd, fname, true);
	if (fd < 0 || bhxh_tally_read(fd, ctx->user, &t) < 0) {
		rc = PAM_SYSTEM_ERR;
		goto out;
	}
	if (bhxh_lockout_state(&t, ctx->now, &unlock_in) == BHXH_LOCKED) {
		if (!was_told(ctx)) {
			audit_refused(ctx, "PAM:bhxh_authsucc");
			tell_locked(ctx, bhxh_lockout_failures(&t, &p, t.lock_since), unlock_in);
		}
		rc = PAM_AUTH_ERR;
		goto out;
	}
	bhxh_tally_clear(&t, ctx->user);
	r = bhxh_tally_write(fd, &t, false);
	if (r < 0)
		bhxh_log(ctx, LOG_ERR, "cannot reset the tally in %s: %s", fname, strerror(-r));
out:
	if (fd >= 0)
		close(fd);
	put_dir(dirfd, dir_owned);
	if (rc != PAM_SUCCESS)
		return rc;
done:
	bhxh_pam_expiry_auth_success(ctx);
	return PAM_SUCCESS;
}

int bhxh_pam_lockout_auth(struct bhxh_pam *ctx)
{
	int rc;

	if (ctx->conf.lockout.local_users_only && !(ctx->known && bhxh_pam_user_is_local(ctx))) {
		bhxh_debug(ctx, "%.100s is not a local user: lockout does not apply", ctx->user);
		if (ctx->conf.mode != BHXH_MODE_AUTHFAIL)
			return PAM_SUCCESS;
		bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_authfail",
			       ctx->known ? "wrong_password" : "unknown_user", "counted=no", false);
		return PAM_IGNORE;
	}
	if (!ctx->conf.lockout.nodelay)
		(void)pam_fail_delay(ctx->pamh, 2000000);

	switch (ctx->conf.mode) {
	case BHXH_MODE_PREAUTH:
		(void)pam_set_data(ctx->pamh, PREAUTH_DATA, (void *)"1", NULL);
		set_told(ctx, false);
		watch_conversation(ctx);
		rc = check_locked(ctx, "PAM:bhxh_preauth", PAM_AUTH_ERR, false);
		return rc;
	case BHXH_MODE_AUTHFAIL:
		return record_failure(ctx);
	case BHXH_MODE_AUTHSUCC:
		return record_success(ctx);
	case BHXH_MODE_NONE:
		break;
	}
	bhxh_log(ctx, LOG_ERR, "auth needs one of preauth, authfail or authsucc");
	return PAM_SERVICE_ERR;
}

int bhxh_pam_lockout_account(struct bhxh_pam *ctx)
{
	if (ctx->conf.lockout.local_users_only && !(ctx->known && bhxh_pam_user_is_local(ctx)))
		return PAM_SUCCESS;
	return check_locked(ctx, "PAM:bhxh_account", PAM_PERM_DENIED, true);
}
