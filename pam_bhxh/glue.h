/* PAM glue shared by the phase handlers.  Everything here is thin: policy
 * lives in lib/, this maps it to PAM items, messages and return codes. */
#ifndef BHXH_GLUE_H
#define BHXH_GLUE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PAM_SM_AUTH
#define PAM_SM_ACCOUNT
#define PAM_SM_PASSWORD
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "audit.h"
#include "conf.h"

struct bhxh_pam {
	pam_handle_t *pamh;
	int flags;
	struct bhxh_conf conf;
	const char *user;    /* as PAM gave it; may be anything */
	bool user_valid;     /* passes bhxh_valid_username() */
	bool known;          /* resolves through NSS */
	uid_t uid;           /* when known */
	gid_t gid;
	const char *service; /* PAM_SERVICE or NULL */
	const char *tty;     /* PAM_TTY or NULL */
	const char *rhost;   /* PAM_RHOST or NULL */
	long long now;       /* time(NULL), or BHXH_TEST_NOW in test builds */
	/* what the password-phase object calls back into (pw_loader.c) */
	const struct bhxh_pam_ops *ops;
};

/* The glue the password phase (pam_bhxh_password.so, loaded on demand)
 * uses from pam_bhxh.so: it has no copy of its own (one audit socket and
 * one message path per handle). */
struct bhxh_pam_ops {
	int (*audit)(struct bhxh_pam *ctx, int type, const char *op, const char *reason,
		     const char *extra, bool success);
	void (*say)(struct bhxh_pam *ctx, int style, const char *fmt, va_list ap);
	bool (*user_is_local)(struct bhxh_pam *ctx);
};

/* Tell the user something with the PAM message style given, unless silent. */
void bhxh_pam_vsay(struct bhxh_pam *ctx, int style, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Fill ctx from the handle and the arguments.  Returns PAM_SUCCESS,
 * PAM_SERVICE_ERR (configuration error, already logged) or the error of
 * pam_get_user(). */
int bhxh_pam_init(struct bhxh_pam *ctx, pam_handle_t *pamh, int flags, int argc,
		  const char **argv, bool need_user);

/* Apply lang= (again after the password phase reloads its configuration). */
void bhxh_pam_set_lang(struct bhxh_pam *ctx);

/* Per-handle caches (handle.c): the configuration file is parsed once per
 * PAM handle (bhxh_conf_load() otherwise), the user looked up once
 * (fills ctx->known, uid, gid from ctx->user). */
int bhxh_pam_conf_load(pam_handle_t *pamh, struct bhxh_conf *c, int argc, const char **argv,
		       char *err, size_t errlen);
void bhxh_pam_lookup_user(struct bhxh_pam *ctx);

/* Logging: syslog through pam_syslog with the user name truncated. */
#define bhxh_log(ctx, prio, ...) pam_syslog((ctx)->pamh, (prio), __VA_ARGS__)
#define bhxh_debug(ctx, ...)                                                                      \
	do {                                                                                      \
		if ((ctx)->conf.debug)                                                            \
			pam_syslog((ctx)->pamh, LOG_DEBUG, __VA_ARGS__);                          \
	} while (0)

/* Tell the user something unless silent (module option or PAM_SILENT). */
void bhxh_pam_info(struct bhxh_pam *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bhxh_pam_error(struct bhxh_pam *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record type of pam_bhxh's own decision records (the audit area maps it to
 * the AUDIT_* type it documents).  Specific events (ANOM_LOGIN_FAILURES,
 * RESP_ACCT_LOCK...) pass their own AUDIT_* type instead. */
#define BHXH_AUDIT_DECISION 0

/* Send one audit record about ctx->user; applies the configured behaviour
 * when audit is unavailable.  Returns PAM_SUCCESS, or PAM_SYSTEM_ERR when
 * the configuration says an unaudited decision must be refused. */
int bhxh_pam_audit(struct bhxh_pam *ctx, int type, const char *op, const char *reason,
		   const char *extra, bool success); /* audit_glue.c */

/* Phase handlers, one file each. */
/* Is the account in /etc/passwd itself (local_users_only)?  libpam's
 * pam_modutil_check_user_in_passwd(): an unreadable file counts as "no". */
bool bhxh_pam_user_is_local(struct bhxh_pam *ctx);

int bhxh_pam_lockout_auth(struct bhxh_pam *ctx);            /* lockout.c */
int bhxh_pam_lockout_account(struct bhxh_pam *ctx);         /* lockout.c */
int bhxh_pam_expiry_account(struct bhxh_pam *ctx);          /* expiry.c */
void bhxh_pam_expiry_auth_success(struct bhxh_pam *ctx);    /* expiry.c */
int bhxh_pam_dir_account(struct bhxh_pam *ctx);             /* revoke.c */
int bhxh_pam_posture_account(struct bhxh_pam *ctx);         /* posture.c */
int bhxh_pam_password(struct bhxh_pam *ctx, int argc, const char **argv); /* password.c,
									   through pw_loader.c */
int bhxh_pam_dir_password(struct bhxh_pam *ctx);            /* dirpw.c */
void bhxh_pam_dirlock_locked(struct bhxh_pam *ctx);         /* dirlock.c */
int bhxh_pam_session(struct bhxh_pam *ctx, bool open);      /* session.c */

#endif
