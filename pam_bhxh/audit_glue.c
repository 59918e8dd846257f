/* Audit glue: one record per decision (audit area). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>

#include <libaudit.h>

#include "glue.h"

int bhxh_pam_audit(struct bhxh_pam *ctx, int type, const char *op, const char *reason,
		   const char *extra, bool success)
{
	struct bhxh_audit_msg m = {
		.op = op,
		.acct = ctx->user ? ctx->user : "?",
		.id = ctx->known ? (long long)ctx->uid : -1,
		.reason = reason,
		.extra = extra,
		.service = ctx->service,
		.tty = ctx->tty,
		.rhost = ctx->rhost,
		.success = success,
	};
	int r = bhxh_audit_send(type == BHXH_AUDIT_DECISION ? AUDIT_TRUSTED_APP : type, &m);

	if (r < 0)
		pam_syslog(ctx->pamh, LOG_WARNING,
			   "audit record not delivered (%s): op=%s acct=%.100s reason=%s",
			   strerror(-r), op, ctx->user ? ctx->user : "?", reason ? reason : "-");
	return PAM_SUCCESS;
}
