/* Password changes of directory accounts (dirpw area).
 *
 * The account's entry is found with the sync's read identity (or
 * anonymously), then the password is changed with the LDAP Password Modify
 * extended operation (RFC 3062): bound as the user with the current
 * password, or, for root resetting another user's password, bound as the
 * configured administrative identity.  The ppolicy request control is sent
 * with the bind and the change; the server's refusal (history, minimum age,
 * length, quality, expired, locked...) comes back as a reason.  Passwords
 * are sent only over TLS (ldaps://, StartTLS) or a local socket (ldapi://).
 *
 * libldap only, nothing of the sync or the directory database: linked into
 * the password-phase object and bhxhctl, never into the login path.
 * Library code: 0 or -errno, a reason and a message, no logging. */
#ifndef BHXH_LDAP_PW_H
#define BHXH_LDAP_PW_H

#include <stdbool.h>
#include <stddef.h>

#include "conf_ldap.h"

typedef struct ldap LDAP;

enum bhxh_ldap_pw_reason {
	BHXH_LDAP_PW_OK = 0,
	BHXH_LDAP_PW_UNREACHABLE, /* no server answered (in time) */
	BHXH_LDAP_PW_NO_TLS,      /* TLS not configured or failed */
	BHXH_LDAP_PW_BAD_OLD,     /* the user's bind refused: wrong current password */
	BHXH_LDAP_PW_NO_ACCOUNT,  /* no entry (or more than one) for the name */
	BHXH_LDAP_PW_EXPIRED,     /* ppolicy: passwordExpired */
	BHXH_LDAP_PW_LOCKED,      /* ppolicy: accountLocked */
	BHXH_LDAP_PW_NOT_ALLOWED, /* ppolicy: passwordModNotAllowed */
	BHXH_LDAP_PW_NEED_OLD,    /* ppolicy: mustSupplyOldPassword */
	BHXH_LDAP_PW_QUALITY,     /* ppolicy: insufficientPasswordQuality */
	BHXH_LDAP_PW_TOO_SHORT,   /* ppolicy: passwordTooShort */
	BHXH_LDAP_PW_TOO_LONG,    /* ppolicy: passwordTooLong */
	BHXH_LDAP_PW_TOO_YOUNG,   /* ppolicy: passwordTooYoung (pwdMinAge) */
	BHXH_LDAP_PW_IN_HISTORY,  /* ppolicy: passwordInHistory (pwdInHistory) */
	BHXH_LDAP_PW_REFUSED,     /* another refusal (access, constraint) */
	BHXH_LDAP_PW_ADMIN,       /* the administrative identity is unusable */
	BHXH_LDAP_PW_CONFIG,      /* configuration (no URI, base...) */
	BHXH_LDAP_PW_ERROR,       /* anything else */
};

struct bhxh_ldap_pw_result {
	enum bhxh_ldap_pw_reason reason;
	bool must_change; /* ppolicy: changeAfterReset on the bind */
	int grace;        /* grace logins left (-1: none said) */
	int expire;       /* seconds before the password expires (-1: none said) */
	char diag[256];   /* the server's words, if any */
};

/* The reason as an audit code ("ldap_in_history"...). */
const char *bhxh_ldap_pw_code(enum bhxh_ldap_pw_reason r);

/* Check the current password: find the account and bind as it.  Returns 0
 * (res->must_change, grace and expire filled from the response control),
 * or -errno with res->reason and err. */
int bhxh_ldap_pw_verify(const struct bhxh_ldap_conf *c, const char *user, const char *oldpw,
			size_t oldlen, struct bhxh_ldap_pw_result *res, char *err, size_t errlen);

/* Change the password.  oldpw != NULL: bound as the user with it.  oldpw ==
 * NULL: bound as admin_dn with the password in admin_pw_file (root
 * resetting it).  Returns 0 when the server reports the change done, or
 * -errno with res->reason and err; on any error the directory still holds
 * the old password (the operation is atomic on the server). */
int bhxh_ldap_pw_change(const struct bhxh_ldap_conf *c, const char *admin_dn,
			const char *admin_pw_file, const char *user, const char *oldpw,
			size_t oldlen, const char *newpw, size_t newlen,
			struct bhxh_ldap_pw_result *res, char *err, size_t errlen);

/* Connect (TLS required unless ldapi://) and bind as dn with the password in
 * pw_file (dn "" = anonymous).  For the lockout writer too.  0 or -errno
 * with res->reason and err. */
int bhxh_ldap_pw_open(const struct bhxh_ldap_conf *c, const char *dn, const char *pw_file,
		      LDAP **ret, struct bhxh_ldap_pw_result *res, char *err, size_t errlen);

/* The DN of the account named user (user filter, uid attribute, user base). */
int bhxh_ldap_pw_find(LDAP *ld, const struct bhxh_ldap_conf *c, const char *user, char **ret_dn,
		      struct bhxh_ldap_pw_result *res, char *err, size_t errlen);

#endif
