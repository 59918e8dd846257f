/* Password changes of directory accounts (see ldap_pw.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ldap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ldap_pw.h"
#include "ldap_tls.h"
#include "util.h"

#define PWFILE_MAX 1024

const char *bhxh_ldap_pw_code(enum bhxh_ldap_pw_reason r)
{
	static const char *const codes[] = {
		[BHXH_LDAP_PW_OK] = "ldap_changed",
		[BHXH_LDAP_PW_UNREACHABLE] = "ldap_unreachable",
		[BHXH_LDAP_PW_NO_TLS] = "ldap_no_tls",
		[BHXH_LDAP_PW_BAD_OLD] = "ldap_bad_current_password",
		[BHXH_LDAP_PW_NO_ACCOUNT] = "ldap_no_account",
		[BHXH_LDAP_PW_EXPIRED] = "ldap_expired",
		[BHXH_LDAP_PW_LOCKED] = "ldap_locked",
		[BHXH_LDAP_PW_NOT_ALLOWED] = "ldap_change_not_allowed",
		[BHXH_LDAP_PW_NEED_OLD] = "ldap_must_supply_old",
		[BHXH_LDAP_PW_QUALITY] = "ldap_quality",
		[BHXH_LDAP_PW_TOO_SHORT] = "ldap_too_short",
		[BHXH_LDAP_PW_TOO_LONG] = "ldap_too_long",
		[BHXH_LDAP_PW_TOO_YOUNG] = "ldap_too_soon",
		[BHXH_LDAP_PW_IN_HISTORY] = "ldap_in_history",
		[BHXH_LDAP_PW_REFUSED] = "ldap_refused",
		[BHXH_LDAP_PW_ADMIN] = "ldap_admin_identity",
		[BHXH_LDAP_PW_CONFIG] = "ldap_config",
		[BHXH_LDAP_PW_ERROR] = "ldap_error",
	};

	if ((size_t)r < BHXH_ARRAY_SIZE(codes) && codes[r] != NULL)
		return codes[r];
	return "ldap_error";
}

__attribute__((format(printf, 6, 7))) static int fail(struct bhxh_ldap_pw_result *res,
						      enum bhxh_ldap_pw_reason why, int r,
						      char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	res->reason = why;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

static void res_init(struct bhxh_ldap_pw_result *res)
{
	memset(res, 0, sizeof(*res));
	res->grace = -1;
	res->expire = -1;
}

/* A server-side failure as an errno and a reason. */
static int classify(int rc, enum bhxh_ldap_pw_reason *why)
{
	switch (rc) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
		*why = BHXH_LDAP_PW_UNREACHABLE;
		return -ECONNREFUSED;
	case LDAP_INVALID_CREDENTIALS:
		*why = BHXH_LDAP_PW_BAD_OLD;
		return -EACCES;
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_CONSTRAINT_VIOLATION:
	case LDAP_UNWILLING_TO_PERFORM:
		*why = BHXH_LDAP_PW_REFUSED;
		return -EPERM;
	case LDAP_CONFIDENTIALITY_REQUIRED:
	case LDAP_STRONG_AUTH_REQUIRED:
		*why = BHXH_LDAP_PW_NO_TLS;
		return -EPROTO;
	default:
		*why = BHXH_LDAP_PW_ERROR;
		return -EIO;
	}
}

/* The ppolicy error of a response, applied to res (PP_noError: nothing). */
static void take_ppolicy(LDAP *ld, LDAPControl **ctrls, struct bhxh_ldap_pw_result *res,
			 bool *ret_error)
{
	LDAPControl *c = ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE, ctrls, NULL);
	LDAPPasswordPolicyError pe = PP_noError;
	ber_int_t expire = -1, grace = -1;

	*ret_error = false;
	if (c == NULL || ldap_parse_passwordpolicy_control(ld, c, &expire, &grace, &pe) !=
				 LDAP_SUCCESS)
		return;
	res->expire = expire;
	res->grace = grace;
	*ret_error = true;
	switch (pe) {
	case PP_passwordExpired:
		res->reason = BHXH_LDAP_PW_EXPIRED;
		break;
	case PP_accountLocked:
		res->reason = BHXH_LDAP_PW_LOCKED;
		break;
	case PP_changeAfterReset:
		res->must_change = true;
		*ret_error = false;
		break;
	case PP_passwordModNotAllowed:
		res->reason = BHXH_LDAP_PW_NOT_ALLOWED;
		break;
	case PP_mustSupplyOldPassword:
		res->reason = BHXH_LDAP_PW_NEED_OLD;
		break;
	case PP_insufficientPasswordQuality:
		res->reason = BHXH_LDAP_PW_QUALITY;
		break;
	case PP_passwordTooShort:
		res->reason = BHXH_LDAP_PW_TOO_SHORT;
		break;
	case PP_passwordTooLong:
		res->reason = BHXH_LDAP_PW_TOO_LONG;
		break;
	case PP_passwordTooYoung:
		res->reason = BHXH_LDAP_PW_TOO_YOUNG;
		break;
	case PP_passwordInHistory:
		res->reason = BHXH_LDAP_PW_IN_HISTORY;
		break;
	default:
		*ret_error = false;
		break;
	}
}

/* Wait for the answer to msgid and take its code, text and ppolicy
 * control.  Returns the LDAP result code (or the wait's error). */
static int answer(LDAP *ld, const struct bhxh_ldap_conf *c, int msgid,
		  struct bhxh_ldap_pw_result *res, bool *ret_pperr)
{
	struct timeval tv = { (time_t)c->timeout, 0 };
	LDAPMessage *msg = NULL;
	LDAPControl **ctrls = NULL;
	char *text = NULL;
	int rc, code = LDAP_OTHER;

	*ret_pperr = false;
	rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &msg);
	if (rc == 0) {
		(void)ldap_abandon_ext(ld, msgid, NULL, NULL);
		return LDAP_TIMEOUT;
	}
	if (rc < 0) {
		(void)ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code);
		return code == LDAP_SUCCESS ? LDAP_OTHER : code;
	}
	rc = ldap_parse_result(ld, msg, &code, NULL, &text, NULL, &ctrls, 1);
	if (rc != LDAP_SUCCESS)
		return rc;
	if (text != NULL && text[0] != '\0')
		snprintf(res->diag, sizeof(res->diag), "%.200s", text);
	take_ppolicy(ld, ctrls, res, ret_pperr);
	ldap_memfree(text);
	ldap_controls_free(ctrls);
	return code;
}

/* A root-only password file (owner root or the caller, mode 0600 or
 * stricter), first line, bounded. */
static int read_secret(const char *path, char *buf, size_t size, size_t *ret_len)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
		 (st.st_mode & 077) != 0)
		r = -EPERM;
	while (r == 0 && len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		else
			len += (size_t)n;
	}
	(void)close(fd);
	if (r < 0)
		return r;
	buf[len] = '\0';
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	*ret_len = len;
	return len == 0 ? -EINVAL : 0;
}

static bool tls_protected(const struct bhxh_ldap_conf *c)
{
	return c->starttls || strncasecmp(c->uri, "ldaps://", 8) == 0 ||
	       strncasecmp(c->uri, "ldapi://", 8) == 0;
}

/* Simple bind with the ppolicy request control; the answer's control is
 * taken into res. */
static int bind_pp(LDAP *ld, const struct bhxh_ldap_conf *c, const char *dn, const char *pw,
		   size_t pwlen, struct bhxh_ldap_pw_result *res, bool *ret_pperr)
{
	LDAPControl *pp = NULL, *sctrls[2] = { NULL, NULL };
	struct berval cred = { (ber_len_t)pwlen, (char *)(uintptr_t)pw };
	int msgid = -1, rc;

	*ret_pperr = false; /* also when the request is not even sent */
	if (ldap_create_passwordpolicy_control(ld, &pp) == LDAP_SUCCESS)
		sctrls[0] = pp;
	rc = ldap_sasl_bind(ld, dn, LDAP_SASL_SIMPLE, &cred, sctrls, NULL, &msgid);
	if (pp != NULL)
		ldap_control_free(pp);
	if (rc != LDAP_SUCCESS)
		return rc;
	return answer(ld, c, msgid, res, ret_pperr);
}

int bhxh_ldap_pw_open(const struct bhxh_ldap_conf *c, const char *dn, const char *pw_file,
		      LDAP **ret, struct bhxh_ldap_pw_result *res, char *err, size_t errlen)
{
	struct timeval tv = { (time_t)c->timeout, 0 };
	int v3 = LDAP_VERSION3;
	enum bhxh_ldap_pw_reason why;
	char pw[PWFILE_MAX + 1];
	size_t pwlen = 0;
	LDAP *ld = NULL;
	bool pperr;
	int rc, r;

	pw[0] = '\0';
	if (c->uri[0] == '\0' || c->base[0] == '\0')
		return fail(res, BHXH_LDAP_PW_CONFIG, -EINVAL, err, errlen, "%s",
			    "ldap_uri and ldap_base must be set in the configuration");
	if (!tls_protected(c))
		return fail(res, BHXH_LDAP_PW_NO_TLS, -EPROTO, err, errlen, "%s",
			    "passwords go to the directory only over TLS: set ldap_starttls=yes "
			    "or use ldaps:// (or ldapi://)");
	rc = ldap_initialize(&ld, c->uri);
	if (rc != LDAP_SUCCESS)
		return fail(res, BHXH_LDAP_PW_CONFIG, -EINVAL, err, errlen, "ldap_uri '%.200s': %s",
			    c->uri, ldap_err2string(rc));
	rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	if (rc == LDAP_OPT_SUCCESS)
		rc = bhxh_ldap_tls_opts(ld, c);
	if (rc != LDAP_OPT_SUCCESS) {
		r = fail(res, BHXH_LDAP_PW_NO_TLS, -EPROTO, err, errlen, "LDAP/TLS options: %s",
			 ldap_err2string(rc));
		goto out;
	}
	if (c->starttls) {
		rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			r = rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT
				    ? fail(res, BHXH_LDAP_PW_UNREACHABLE, -ECONNREFUSED, err,
					   errlen, "%.200s: %s", c->uri, ldap_err2string(rc))
				    : fail(res, BHXH_LDAP_PW_NO_TLS, -EPROTO, err, errlen,
					   "%.200s: StartTLS failed: %s", c->uri,
					   ldap_err2string(rc));
			goto out;
		}
	}
	if (dn == NULL || dn[0] == '\0') {
		/* anonymous: the first operation connects; see that it can */
		rc = bind_pp(ld, c, NULL, "", 0, res, &pperr);
	} else {
		r = read_secret(pw_file, pw, sizeof(pw), &pwlen);
		if (r < 0) {
			r = fail(res, BHXH_LDAP_PW_ADMIN, r, err, errlen,
				 "%s: %s (a regular file owned by root, mode 0600)", pw_file,
				 strerror(-r));
			goto out;
		}
		rc = bind_pp(ld, c, dn, pw, pwlen, res, &pperr);
	}
	if (rc != LDAP_SUCCESS) {
		r = classify(rc, &why);
		if (why == BHXH_LDAP_PW_BAD_OLD || why == BHXH_LDAP_PW_REFUSED)
			why = BHXH_LDAP_PW_ADMIN; /* not the user's password */
		r = fail(res, why, r, err, errlen, "%.200s: bind as '%.200s': %s", c->uri,
			 dn && dn[0] ? dn : "(anonymous)", ldap_err2string(rc));
		goto out;
	}
	*ret = ld;
	ld = NULL;
	r = 0;
out:
	bhxh_wipe(pw, sizeof(pw)); /* whatever was read of it, on every path */
	if (ld != NULL)
		(void)ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}

int bhxh_ldap_pw_find(LDAP *ld, const struct bhxh_ldap_conf *c, const char *user, char **ret_dn,
		      struct bhxh_ldap_pw_result *res, char *err, size_t errlen)
{
	struct berval name = { (ber_len_t)strlen(user), (char *)(uintptr_t)user }, esc = { 0, NULL };
	struct timeval tv = { (time_t)c->timeout, 0 };
	char *attrs[] = { (char *)"1.1", NULL };
	const char *base = c->user_base[0] ? c->user_base : c->base;
	LDAPMessage *msg = NULL, *e;
	enum bhxh_ldap_pw_reason why;
	char *filter = NULL, *dn;
	size_t flen;
	int rc, r;

	if (ldap_bv2escaped_filter_value(&name, &esc) != 0)
		return fail(res, BHXH_LDAP_PW_ERROR, -ENOMEM, err, errlen, "%s", "out of memory");
	flen = strlen(c->user_filter) + strlen(c->attr.uid) + esc.bv_len + 8;
	filter = malloc(flen);
	if (filter == NULL) {
		r = fail(res, BHXH_LDAP_PW_ERROR, -ENOMEM, err, errlen, "%s", "out of memory");
		goto out;
	}
	snprintf(filter, flen, "(&%s(%s=%s))", c->user_filter, c->attr.uid, esc.bv_val);
	rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 1, NULL, NULL, &tv, 2,
			       &msg);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		r = classify(rc, &why);
		r = fail(res, why, r, err, errlen, "%.200s: search for %.100s: %s", c->uri, user,
			 ldap_err2string(rc));
		goto out;
	}
	if (ldap_count_entries(ld, msg) != 1) {
		r = fail(res, BHXH_LDAP_PW_NO_ACCOUNT, -ENOENT, err, errlen,
			 "%.100s: %s under %.200s", user,
			 ldap_count_entries(ld, msg) == 0 ? "no account" : "more than one account",
			 base);
		goto out;
	}
	e = ldap_first_entry(ld, msg);
	dn = e != NULL ? ldap_get_dn(ld, e) : NULL;
	if (dn == NULL) {
		r = fail(res, BHXH_LDAP_PW_ERROR, -EIO, err, errlen, "%s", "entry without a DN");
		goto out;
	}
	*ret_dn = strdup(dn);
	ldap_memfree(dn);
	r = *ret_dn == NULL ? fail(res, BHXH_LDAP_PW_ERROR, -ENOMEM, err, errlen, "%s",
				   "out of memory")
			    : 0;
out:
	if (msg != NULL)
		ldap_msgfree(msg);
	ber_memfree(esc.bv_val);
	free(filter);
	return r;
}

/* Connect with the read identity, find the account, then bind as it with
 * its password (the ppolicy control tells of expiry, lock, forced change). */
static int open_as_user(const struct bhxh_ldap_conf *c, const char *user, const char *oldpw,
			size_t oldlen, LDAP **ret, char **ret_dn, struct bhxh_ldap_pw_result *res,
			char *err, size_t errlen)
{
	enum bhxh_ldap_pw_reason why;
	char *dn = NULL;
	LDAP *ld = NULL;
	bool pperr;
	int rc, r;

	r = bhxh_ldap_pw_open(c, c->sasl_external ? "" : c->bind_dn, c->bind_pw_file, &ld, res,
			      err, errlen);
	if (r < 0) {
		if (res->reason == BHXH_LDAP_PW_ADMIN)
			res->reason = BHXH_LDAP_PW_CONFIG; /* the read identity */
		return r;
	}
	r = bhxh_ldap_pw_find(ld, c, user, &dn, res, err, errlen);
	if (r < 0)
		goto out;
	rc = bind_pp(ld, c, dn, oldpw, oldlen, res, &pperr);
	if (pperr) {
		r = fail(res, res->reason, rc == LDAP_INVALID_CREDENTIALS ? -EACCES : -EPERM, err,
			 errlen, "%.200s: bind as %.200s refused by the password policy (%s)",
			 c->uri, dn, bhxh_ldap_pw_code(res->reason));
		goto out;
	}
	if (rc != LDAP_SUCCESS) {
		r = classify(rc, &why);
		r = fail(res, why, r, err, errlen, "%.200s: bind as %.200s: %s", c->uri, dn,
			 ldap_err2string(rc));
		goto out;
	}
	*ret = ld;
	*ret_dn = dn;
	return 0;
out:
	free(dn);
	(void)ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}

int bhxh_ldap_pw_verify(const struct bhxh_ldap_conf *c, const char *user, const char *oldpw,
			size_t oldlen, struct bhxh_ldap_pw_result *res, char *err, size_t errlen)
{
	char *dn = NULL;
	LDAP *ld = NULL;
	int r;

	res_init(res);
	r = open_as_user(c, user, oldpw, oldlen, &ld, &dn, res, err, errlen);
	if (r == 0) {
		free(dn);
		(void)ldap_unbind_ext_s(ld, NULL, NULL);
	}
	return r;
}

int bhxh_ldap_pw_change(const struct bhxh_ldap_conf *c, const char *admin_dn,
			const char *admin_pw_file, const char *user, const char *oldpw,
			size_t oldlen, const char *newpw, size_t newlen,
			struct bhxh_ldap_pw_result *res, char *err, size_t errlen)
{
	struct berval bold = { (ber_len_t)oldlen, (char *)(uintptr_t)oldpw };
	struct berval bnew = { (ber_len_t)newlen, (char *)(uintptr_t)newpw };
	struct berval bdn;
	LDAPControl *pp = NULL, *sctrls[2] = { NULL, NULL };
	enum bhxh_ldap_pw_reason why;
	char *dn = NULL;
	LDAP *ld = NULL;
	int msgid = -1, rc, r;
	bool pperr;

	res_init(res);
	if (oldpw != NULL) {
		r = open_as_user(c, user, oldpw, oldlen, &ld, &dn, res, err, errlen);
		if (r < 0)
			return r;
	} else {
		if (admin_dn == NULL || admin_dn[0] == '\0' || admin_pw_file == NULL ||
		    admin_pw_file[0] == '\0')
			return fail(res, BHXH_LDAP_PW_ADMIN, -EINVAL, err, errlen, "%s",
				    "ldap_passwd_admin_dn and ldap_passwd_admin_pw_file are not "
				    "set: root cannot reset a directory password");
		r = bhxh_ldap_pw_open(c, admin_dn, admin_pw_file, &ld, res, err, errlen);
		if (r < 0)
			return r;
		r = bhxh_ldap_pw_find(ld, c, user, &dn, res, err, errlen);
		if (r < 0)
			goto out;
	}
	bdn.bv_val = dn;
	bdn.bv_len = strlen(dn);
	if (ldap_create_passwordpolicy_control(ld, &pp) == LDAP_SUCCESS)
		sctrls[0] = pp;
	rc = ldap_passwd(ld, &bdn, oldpw != NULL ? &bold : NULL, &bnew, sctrls, NULL, &msgid);
	if (rc == LDAP_SUCCESS)
		rc = answer(ld, c, msgid, res, &pperr);
	else
		pperr = false;
	if (pperr) {
		r = fail(res, res->reason, -EPERM, err, errlen,
			 "%.200s: change refused by the password policy (%s)%s%s", c->uri,
			 bhxh_ldap_pw_code(res->reason), res->diag[0] ? ": " : "", res->diag);
		goto out;
	}
	if (rc != LDAP_SUCCESS) {
		r = classify(rc, &why);
		if (why == BHXH_LDAP_PW_BAD_OLD)
			why = BHXH_LDAP_PW_REFUSED; /* a bad old password in the operation */
		r = fail(res, why, r, err, errlen, "%.200s: password change of %.200s: %s%s%s",
			 c->uri, dn, ldap_err2string(rc), res->diag[0] ? ": " : "", res->diag);
		goto out;
	}
	res->reason = BHXH_LDAP_PW_OK;
	r = 0;
out:
	if (pp != NULL)
		ldap_control_free(pp);
	free(dn);
	(void)ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}
