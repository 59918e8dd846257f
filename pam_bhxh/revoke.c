/* Account phase: accounts revoked in the central directory (dir area).
 *
 * The database is opened afresh at every call (no cache), so a revocation
 * installed by "bhxhctl db build" applies to the very next login.  No
 * database means the directory is not used on this machine: nothing is
 * revoked.  A database that exists but cannot be trusted (corrupt, wrong
 * owner or mode) fails closed, except for uid 0, so that root can still log
 * in to repair it. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "dirdb.h"
#include "glue.h"
#include "i18n.h"

int bhxh_pam_dir_account(struct bhxh_pam *ctx)
{
	int r;

	if (!ctx->conf.dir.revoke_check || !ctx->user_valid)
		return PAM_SUCCESS;
	r = bhxh_dir_is_revoked(ctx->conf.dir.db_dir, ctx->user);
	if (r == 0 || r == -ENOENT)
		return PAM_SUCCESS;
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "directory database %s unusable: %s", ctx->conf.dir.db_dir,
			 strerror(-r));
		if (ctx->known && ctx->uid == 0)
			return PAM_SUCCESS;
		bhxh_pam_error(ctx, "%s",
			       _("The account directory on this computer is damaged; contact "
				 "the IT department."));
		(void)bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_account",
				     "directory_unavailable", NULL, false);
		return PAM_AUTHINFO_UNAVAIL;
	}
	bhxh_log(ctx, LOG_NOTICE, "account %.100s is revoked in the central directory", ctx->user);
	bhxh_pam_error(ctx, "%s",
		       _("Your account has been revoked. Contact the IT department if you think "
			 "this is a mistake."));
	(void)bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_account", "revoked", NULL, false);
	return PAM_PERM_DENIED;
}
