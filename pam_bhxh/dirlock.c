/* Fleet-wide lockout, the module's side (dirpw area): when a directory
 * account locks here, queue the lock for the running db sync, which writes
 * it to the directory (lib/dirlock.h).  Nothing of LDAP in the module; the
 * cost is a few syscalls, and only when an account locks. */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include <security/pam_modutil.h>

#include "dirlock.h"
#include "glue.h"

void bhxh_pam_dirlock_locked(struct bhxh_pam *ctx)
{
	int r;

	if (!ctx->conf.dirpw.lockout || !ctx->known || !ctx->user_valid)
		return;
	/* local accounts are this machine's alone */
	if (pam_modutil_check_user_in_passwd(ctx->pamh, ctx->user, NULL) == PAM_SUCCESS)
		return;
	r = bhxh_dirlock_queue(ctx->conf.dirpw.lock_queue_dir, ctx->user, true, ctx->now);
	if (r < 0)
		bhxh_log(ctx, LOG_ERR,
			 "cannot queue the lock of %.100s for the directory in %s: %s (locked on "
			 "this machine only)",
			 ctx->user, ctx->conf.dirpw.lock_queue_dir, strerror(-r));
	else
		bhxh_debug(ctx, "lock of %.100s queued for the directory", ctx->user);
}
