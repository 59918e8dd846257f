/* pam_bhxh: PAM entry points.  Each phase loads the configuration, fills a
 * context and hands over to the handler of its area. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_modutil.h>

#include "audit_glue.h"
#include "glue.h"
#include "i18n.h"

static const char *get_item_str(pam_handle_t *pamh, int item)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

static long long current_time(void)
{
#ifdef BHXH_TESTING
	/* Test builds only: a fixed clock so that tests need no sleep(). */
	const char *t = secure_getenv("BHXH_TEST_NOW");
	uint64_t v;

	if (t != NULL && bhxh_parse_uint(t, 0, INT64_MAX, &v) == 0)
		return (long long)v;
#endif
	return (long long)time(NULL);
}

/* lang=: the messages' language, from the PAM environment (pam_env sets
 * LANG there, sshd passes none at auth time) or forced; never setlocale(). */
void bhxh_pam_set_lang(struct bhxh_pam *ctx)
{
	int r = bhxh_i18n_set(ctx->conf.lang, pam_getenv(ctx->pamh, "LC_ALL"),
			      pam_getenv(ctx->pamh, "LC_MESSAGES"), pam_getenv(ctx->pamh, "LANG"));

	if (r < 0 && ctx->conf.debug)
		pam_syslog(ctx->pamh, LOG_DEBUG, "lang=%s: locale not available, messages in "
			   "the program's language", ctx->conf.lang);
}

int bhxh_pam_init(struct bhxh_pam *ctx, pam_handle_t *pamh, int flags, int argc,
		  const char **argv, bool need_user)
{
	char err[BHXH_ERR_MAX];
	int r;

	memset(ctx, 0, sizeof(*ctx));
	ctx->pamh = pamh;
	ctx->flags = flags;
	ctx->now = current_time();

	r = bhxh_pam_conf_load(pamh, &ctx->conf, argc, argv, err, sizeof(err));
	if (r < 0) {
		/* Fail closed: a policy we cannot read is not a policy we can
		 * apply.  bhxhctl config check finds this before deployment. */
		pam_syslog(pamh, LOG_ERR, "configuration error, refusing: %s", err);
		return PAM_SERVICE_ERR;
	}
	if (flags & PAM_SILENT)
		ctx->conf.silent = true;
	bhxh_pam_set_lang(ctx);
	bhxh_pam_audit_prepare(ctx);

	ctx->service = get_item_str(pamh, PAM_SERVICE);
	ctx->tty = get_item_str(pamh, PAM_TTY);
	ctx->rhost = get_item_str(pamh, PAM_RHOST);

	if (!need_user)
		return PAM_SUCCESS;
	r = pam_get_user(pamh, &ctx->user, NULL);
	if (r != PAM_SUCCESS || ctx->user == NULL) {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user name: %s",
			   pam_strerror(pamh, r));
		return r == PAM_SUCCESS ? PAM_USER_UNKNOWN : r;
	}
	ctx->user_valid = bhxh_valid_username(ctx->user);
	if (ctx->user_valid)
		bhxh_pam_lookup_user(ctx);
	return PAM_SUCCESS;
}

bool bhxh_pam_user_is_local(struct bhxh_pam *ctx)
{
	return ctx->user_valid &&
	       pam_modutil_check_user_in_passwd(ctx->pamh, ctx->user, NULL) == PAM_SUCCESS;
}

void bhxh_pam_vsay(struct bhxh_pam *ctx, int style, const char *fmt, va_list ap)
{
	if (ctx->conf.silent)
		return;
	pam_vprompt(ctx->pamh, style, NULL, fmt, ap);
}

void bhxh_pam_info(struct bhxh_pam *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bhxh_pam_vsay(ctx, PAM_TEXT_INFO, fmt, ap);
	va_end(ap);
}

void bhxh_pam_error(struct bhxh_pam *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bhxh_pam_vsay(ctx, PAM_ERROR_MSG, fmt, ap);
	va_end(ap);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct bhxh_pam ctx;
	int r = bhxh_pam_init(&ctx, pamh, flags, argc, argv, true);

	if (r != PAM_SUCCESS)
		return r;
	if (ctx.conf.mode == BHXH_MODE_PREAUTH)
		bhxh_pam_audit_begin(&ctx);
	r = bhxh_pam_lockout_auth(&ctx);
	/* the attempt's success is pam_bhxh's decision too: audit it (and
	 * with audit_unavailable=deny, refuse it when unaudited) */
	if (r == PAM_SUCCESS && ctx.conf.mode == BHXH_MODE_AUTHSUCC)
		r = bhxh_pam_audit(&ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_authsucc", "authenticated",
				   NULL, true);
	return r;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct bhxh_pam ctx;
	int r = bhxh_pam_init(&ctx, pamh, flags, argc, argv, true);

	if (r != PAM_SUCCESS)
		return r;
	r = bhxh_pam_lockout_account(&ctx);
	if (r != PAM_SUCCESS)
		return r;
	r = bhxh_pam_dir_account(&ctx);
	if (r != PAM_SUCCESS)
		return r;
	r = bhxh_pam_posture_account(&ctx);
	if (r != PAM_SUCCESS)
		return r;
	return bhxh_pam_expiry_account(&ctx);
}

PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct bhxh_pam ctx;
	int r = bhxh_pam_init(&ctx, pamh, flags, argc, argv, true);

	if (r != PAM_SUCCESS)
		return r;
	return bhxh_pam_password(&ctx, argc, argv);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct bhxh_pam ctx;
	int r = bhxh_pam_init(&ctx, pamh, flags, argc, argv, true);

	if (r != PAM_SUCCESS)
		return r;
	return bhxh_pam_session(&ctx, true);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct bhxh_pam ctx;
	int r = bhxh_pam_init(&ctx, pamh, flags, argc, argv, true);

	if (r != PAM_SUCCESS)
		return r;
	return bhxh_pam_session(&ctx, false);
}
