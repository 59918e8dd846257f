/* The entry point of pam_bhxh_password.so (the password phase, see
 * pw_loader.c) and the glue it takes from pam_bhxh.so: audit records and
 * messages go back through ctx->ops, so the object has no audit socket or
 * conversation code of its own. */
#include "config.h"

#include <syslog.h>

#include "glue.h"
#include "i18n.h"

/* The only symbol the object exports (pam_bhxh_password.map).  ctx_size
 * guards against a pam_bhxh.so of another build. */
int bhxh_pw_phase_v2(struct bhxh_pam *ctx, size_t ctx_size, int argc, const char **argv);

int bhxh_pw_phase_v2(struct bhxh_pam *ctx, size_t ctx_size, int argc, const char **argv)
{
	if (ctx_size != sizeof(*ctx) || ctx->ops == NULL) {
		pam_syslog(ctx->pamh, LOG_ERR,
			   "pam_bhxh_password.so does not match pam_bhxh.so; refusing");
		return PAM_SERVICE_ERR;
	}
	bhxh_pam_set_lang(ctx);
	return bhxh_pam_password(ctx, argc, argv);
}

int bhxh_pam_audit(struct bhxh_pam *ctx, int type, const char *op, const char *reason,
		   const char *extra, bool success)
{
	return ctx->ops->audit(ctx, type, op, reason, extra, success);
}

void bhxh_pam_info(struct bhxh_pam *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx->ops->say(ctx, PAM_TEXT_INFO, fmt, ap);
	va_end(ap);
}

void bhxh_pam_error(struct bhxh_pam *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx->ops->say(ctx, PAM_ERROR_MSG, fmt, ap);
	va_end(ap);
}

bool bhxh_pam_user_is_local(struct bhxh_pam *ctx)
{
	return ctx->ops->user_is_local(ctx);
}

/* lang=: this object has its own copy of the message-language state
 * (lib/i18n.c is per object), so it is chosen here again, the same way as
 * pam_bhxh.c does (and again when the password phase reloads its
 * configuration). */
void bhxh_pam_set_lang(struct bhxh_pam *ctx)
{
	int r = bhxh_i18n_set(ctx->conf.lang, pam_getenv(ctx->pamh, "LC_ALL"),
			      pam_getenv(ctx->pamh, "LC_MESSAGES"), pam_getenv(ctx->pamh, "LANG"));

	if (r < 0 && ctx->conf.debug)
		pam_syslog(ctx->pamh, LOG_DEBUG, "lang=%s: locale not available, messages in "
			   "the program's language", ctx->conf.lang);
}
