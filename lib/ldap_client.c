/* Connecting to the directory and reading it whole (see ldap_client.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ldap.h>
#include <ldap_schema.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ldap_client.h"
#include "ldap_tls.h"
#include "util.h"

#define PAGE_SIZE 1000
#define PW_MAX 1024

__attribute__((format(printf, 4, 5))) static int seterr(int r, char *err, size_t errlen,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

/* The server's own words about the last error, if any. */
static const char *diag(LDAP *ld)
{
	static __thread char buf[256];
	char *msg = NULL;

	buf[0] = '\0';
	if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) == LDAP_OPT_SUCCESS &&
	    msg != NULL) {
		if (msg[0] != '\0')
			snprintf(buf, sizeof(buf), " (%.200s)", msg);
		ldap_memfree(msg);
	}
	return buf;
}

static int errno_of(int rc)
{
	switch (rc) {
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_TIMEOUT:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
		return -ECONNREFUSED;
	case LDAP_INVALID_CREDENTIALS:
	case LDAP_INAPPROPRIATE_AUTH:
	case LDAP_INSUFFICIENT_ACCESS:
	case LDAP_STRONG_AUTH_REQUIRED:
		return -EACCES;
	case LDAP_NO_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* The bind password: a root-only file (owner root or the caller, no access
 * for group or others), first line, at most PW_MAX bytes. */
static int read_pw(const char *path, char *buf, size_t size, size_t *ret_len, char *err,
		   size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return seterr(-errno, err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 077) != 0) {
		r = seterr(-EPERM, err, errlen,
			   "%s: the bind password file must be a regular file owned by root "
			   "with mode 0600",
			   path);
		goto out;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = seterr(-errno, err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	*ret_len = len;
	if (buf[0] == '\0')
		r = seterr(-EINVAL, err, errlen, "%s: empty bind password", path);
out:
	(void)close(fd);
	return r;
}

static int set_opts(LDAP *ld, const struct bhxh_ldap_conf *c, char *err, size_t errlen)
{
	struct timeval tv = { (time_t)c->timeout, 0 };
	int v3 = LDAP_VERSION3, idle = 60, probes = 3, intvl = 10, rc;

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS)
		return seterr(-EINVAL, err, errlen, "%s", "cannot set LDAP options");
	/* A dead peer is noticed by keepalive while following. */
	(void)ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_IDLE, &idle);
	(void)ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_PROBES, &probes);
	(void)ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_INTERVAL, &intvl);
	rc = bhxh_ldap_tls_opts(ld, c);
	if (rc != LDAP_OPT_SUCCESS)
		return seterr(-EPROTO, err, errlen, "TLS setup failed: %s", ldap_err2string(rc));
	return 0;
}

int bhxh_ldap_connect(const struct bhxh_ldap_conf *c, LDAP **ret, char *err, size_t errlen)
{
	LDAP *ld = NULL;
	char pw[PW_MAX + 1];
	size_t pwlen = 0;
	int rc, r;

	if (c->uri[0] == '\0' || c->base[0] == '\0')
		return seterr(-EINVAL, err, errlen, "%s",
			      "ldap_uri and ldap_base must be set in the configuration");
	rc = ldap_initialize(&ld, c->uri);
	if (rc != LDAP_SUCCESS)
		return seterr(-EINVAL, err, errlen, "ldap_uri '%.200s': %s", c->uri,
			      ldap_err2string(rc));
	r = set_opts(ld, c, err, errlen);
	if (r < 0)
		goto fail;
	if (c->starttls) {
		rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			r = seterr(rc == LDAP_SERVER_DOWN ? -ECONNREFUSED : -EPROTO, err, errlen,
				   "%.200s: StartTLS failed: %s (is the server's certificate "
				   "signed by ldap_tls_cacert, for this host name?)",
				   c->uri, ldap_err2string(rc));
			goto fail;
		}
	}
	if (c->sasl_external) {
		/* EXTERNAL: the server may answer "in progress" with an empty
		 * challenge; the answer is an empty authorization identity. */
		struct berval empty = { 0, (char *)"" };

		rc = ldap_sasl_bind_s(ld, c->bind_dn[0] ? c->bind_dn : NULL, "EXTERNAL", NULL,
				      NULL, NULL, NULL);
		for (int i = 0; i < 3 && rc == LDAP_SASL_BIND_IN_PROGRESS; i++)
			rc = ldap_sasl_bind_s(ld, c->bind_dn[0] ? c->bind_dn : NULL, "EXTERNAL",
					      &empty, NULL, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			r = seterr(errno_of(rc), err, errlen, "%.200s: SASL EXTERNAL bind: %s%s",
				   c->uri, ldap_err2string(rc), diag(ld));
			goto fail;
		}
	} else if (c->bind_dn[0] != '\0') {
		struct berval cred;

		if (c->bind_pw_file[0] == '\0') {
			r = seterr(-EINVAL, err, errlen, "%s",
				   "ldap_bind_dn needs ldap_bind_pw_file (or ldap_sasl_external)");
			goto fail;
		}
		r = read_pw(c->bind_pw_file, pw, sizeof(pw), &pwlen, err, errlen);
		if (r < 0)
			goto fail;
		cred.bv_val = pw;
		cred.bv_len = strlen(pw);
		rc = ldap_sasl_bind_s(ld, c->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
		bhxh_wipe(pw, sizeof(pw));
		if (rc != LDAP_SUCCESS) {
			r = seterr(errno_of(rc), err, errlen, "%.200s: bind as %.200s: %s%s", c->uri,
				   c->bind_dn, ldap_err2string(rc), diag(ld));
			goto fail;
		}
	} else {
		/* anonymous: still connect now, so an unreachable server is
		 * reported here */
		struct berval none = { 0, NULL };

		rc = ldap_sasl_bind_s(ld, NULL, LDAP_SASL_SIMPLE, &none, NULL, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			r = seterr(errno_of(rc), err, errlen, "%.200s: anonymous bind: %s%s",
				   c->uri, ldap_err2string(rc), diag(ld));
			goto fail;
		}
	}
	*ret = ld;
	return 0;
fail:
	bhxh_wipe(pw, sizeof(pw));
	(void)pwlen;
	ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}

void bhxh_ldap_close(LDAP *ld)
{
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
}

int bhxh_ldap_offers_sync(LDAP *ld, const struct bhxh_ldap_conf *c)
{
	struct timeval tv = { (time_t)c->timeout, 0 };
	char *attrs[] = { (char *)"supportedControl", NULL };
	struct berval **v = NULL;
	LDAPMessage *res = NULL, *m;
	int rc, found = 0;

	rc = ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL,
			       &tv, 1, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT ? -EIO : 0;
	}
	m = ldap_first_entry(ld, res);
	if (m != NULL)
		v = ldap_get_values_len(ld, m, "supportedControl");
	for (size_t i = 0; v != NULL && v[i] != NULL && !found; i++)
		found = v[i]->bv_len == strlen(LDAP_CONTROL_SYNC) &&
			memcmp(v[i]->bv_val, LDAP_CONTROL_SYNC, v[i]->bv_len) == 0;
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return found;
}

/* The DN of the server's subschema entry (root DSE's subschemaSubentry),
 * NULL when there is none; the caller frees it (ldap_memfree). */
static char *subschema_dn(LDAP *ld, const struct bhxh_ldap_conf *c)
{
	struct timeval tv = { (time_t)c->timeout, 0 };
	char *attrs[] = { (char *)"subschemaSubentry", NULL }, *dn = NULL;
	LDAPMessage *res = NULL, *m;
	struct berval **v = NULL;

	if (ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, NULL,
			      &tv, 1, &res) == LDAP_SUCCESS &&
	    (m = ldap_first_entry(ld, res)) != NULL)
		v = ldap_get_values_len(ld, m, "subschemaSubentry");
	if (v != NULL && v[0] != NULL && v[0]->bv_len > 0 &&
	    memchr(v[0]->bv_val, '\0', v[0]->bv_len) == NULL &&
	    (dn = ber_memalloc(v[0]->bv_len + 1)) != NULL) {
		memcpy(dn, v[0]->bv_val, v[0]->bv_len);
		dn[v[0]->bv_len] = '\0';
	}
	ldap_value_free_len(v);
	ldap_msgfree(res);
	return dn;
}

void bhxh_ldap_defined_attrs(LDAP *ld, const struct bhxh_ldap_conf *c,
			     const char *const *attrs, const char **out)
{
	struct timeval tv = { (time_t)c->timeout, 0 };
	char *want[] = { (char *)"attributeTypes", NULL }, *dn = subschema_dn(ld, c);
	bool defined[BHXH_LDAP_ATTRS_MAX + 2] = { false };
	LDAPMessage *res = NULL, *m;
	struct berval **v = NULL;
	size_t n = 0, k = 0, types = 0;

	while (n < BHXH_LDAP_ATTRS_MAX + 1 && attrs[n] != NULL)
		n++;
	if (dn != NULL &&
	    ldap_search_ext_s(ld, dn, LDAP_SCOPE_BASE, "(objectClass=subschema)", want, 0, NULL,
			      NULL, &tv, 1, &res) == LDAP_SUCCESS &&
	    (m = ldap_first_entry(ld, res)) != NULL)
		v = ldap_get_values_len(ld, m, "attributeTypes");
	for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
		LDAPAttributeType *at;
		const char *errp;
		char *s;
		int code;

		if (memchr(v[i]->bv_val, '\0', v[i]->bv_len) != NULL ||
		    (s = ber_strndup(v[i]->bv_val, v[i]->bv_len)) == NULL)
			continue;
		at = ldap_str2attributetype(s, &code, &errp, LDAP_SCHEMA_ALLOW_ALL);
		ber_memfree(s);
		if (at == NULL)
			continue;
		types++;
		for (size_t j = 0; at->at_names != NULL && at->at_names[j] != NULL; j++)
			for (size_t a = 0; a < n; a++)
				defined[a] |= strcasecmp(at->at_names[j], attrs[a]) == 0;
		ldap_attributetype_free(at);
	}
	ldap_value_free_len(v);
	ldap_msgfree(res);
	if (dn != NULL)
		ldap_memfree(dn);
	/* an attribute given by OID is kept; without a schema read, all */
	for (size_t a = 0; a < n; a++)
		if (types == 0 || defined[a] || (attrs[a][0] >= '0' && attrs[a][0] <= '9'))
			out[k++] = attrs[a];
	if (k == 0) /* none left: all (an empty list would ask for every attribute) */
		for (; k < n; k++)
			out[k] = attrs[k];
	out[k] = NULL;
}

/* One entry of a result into the serialized form (in scratch, the
 * caller's buffer, reused from entry to entry), then parsed.  The DN, the
 * attribute names and the values are read where they lie in the message's
 * BER buffer (ldap_get_dn_ber, ldap_get_attribute_ber): no copy of each
 * value and no search of the entry per attribute, as ldap_get_values_len
 * made (a third of a full read).  A DN or name holding a NUL is refused. */
int bhxh_ldap_entry_from_msg(LDAP *ld, LDAPMessage *msg, struct bhxh_ldap_ebuf *scratch,
			     struct bhxh_ldap_entry **ret);
int bhxh_ldap_entry_from_msg(LDAP *ld, LDAPMessage *msg, struct bhxh_ldap_ebuf *scratch,
			     struct bhxh_ldap_entry **ret)
{
	BerElement *ber = NULL;
	struct berval dn = { 0, NULL }, a;
	BerVarray vals = NULL;
	int r = 0;

	if (ldap_get_dn_ber(ld, msg, &ber, &dn) != LDAP_SUCCESS || dn.bv_val == NULL ||
	    memchr(dn.bv_val, '\0', dn.bv_len) != NULL) {
		r = -EBADMSG;
		goto out;
	}
	scratch->len = 0;
	scratch->err = 0;
	bhxh_ldap_eb_begin_n(scratch, dn.bv_val, dn.bv_len);
	for (;;) {
		if (ldap_get_attribute_ber(ld, msg, ber, &a, &vals) != LDAP_SUCCESS) {
			r = -EBADMSG;
			break;
		}
		if (a.bv_val == NULL)
			break;
		if (memchr(a.bv_val, '\0', a.bv_len) != NULL) {
			r = -EBADMSG;
			break;
		}
		bhxh_ldap_eb_attr_n(scratch, a.bv_val, a.bv_len);
		for (size_t i = 0; vals != NULL && vals[i].bv_val != NULL; i++)
			bhxh_ldap_eb_val(scratch, vals[i].bv_val, vals[i].bv_len);
		ber_memfree(vals);
		vals = NULL;
	}
	if (vals != NULL)
		ber_memfree(vals);
	if (r == 0)
		r = bhxh_ldap_eb_end(scratch);
	if (r == 0)
		r = bhxh_ldap_entry_parse(scratch->p + scratch->start, scratch->len - scratch->start,
					  ret);
	/* the scratch may hold a password hash until the next entry */
out:
	if (ber != NULL)
		ber_free(ber, 0);
	return r;
}

static ber_int_t page_size(void)
{
#ifdef BHXH_TESTING
	/* test builds: small pages, so that a small directory spans many */
	const char *t = secure_getenv("BHXH_TEST_LDAP_PAGE");
	uint64_t v;

	if (t != NULL && bhxh_parse_uint(t, 1, PAGE_SIZE, &v) == 0)
		return (ber_int_t)v;
#endif
	return PAGE_SIZE;
}

/* Ask for the next page (cookie NULL: the first): *msgid, or -errno. */
static int ask_page(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base,
		    const char *filter, char **attrs, struct berval *cookie, int *msgid, char *err,
		    size_t errlen)
{
	LDAPControl *pc = NULL, *ctrls[2] = { NULL, NULL };
	struct timeval tv = { (time_t)c->timeout * 6, 0 };
	int rc;

	rc = ldap_create_page_control(ld, page_size(), cookie, 0, &pc);
	if (rc != LDAP_SUCCESS)
		return seterr(-ENOMEM, err, errlen, "%s", "cannot make the paging control");
	ctrls[0] = pc;
	rc = ldap_search_ext(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, ctrls, NULL, &tv,
			     LDAP_NO_LIMIT, msgid);
	ldap_control_free(pc);
	if (rc != LDAP_SUCCESS)
		return seterr(errno_of(rc), err, errlen, "%.200s: search %.200s in %.200s: %s%s",
			      c->uri, filter, base, ldap_err2string(rc), diag(ld));
	return 0;
}

/* Paged search: the request for page n + 1 goes out before the entries of
 * page n are handled, so that the server prepares it meanwhile (the
 * synchronous loop left one side idle while the other worked: a third of
 * a full read at 100,000 entries). */
static int paged_from(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base,
		      const char *filter, char **attrs, int msgid,
		      int (*fn)(void *, LDAP *, LDAPMessage *), void *arg, char *err, size_t errlen)
{
	struct berval cookie = { 0, NULL };
	struct timeval tv = { (time_t)c->timeout * 6, 0 };
	int r = 0;

	while (r == 0 && msgid >= 0) {
		LDAPControl **rctrls = NULL, *rc_page;
		LDAPMessage *res = NULL;
		char *emsg = NULL;
		ber_int_t count = 0;
		int rc, code = 0;

		rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res);
		msgid = -1;
		if (rc <= 0) {
			if (rc == 0)
				rc = LDAP_TIMEOUT;
			else
				(void)ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
			ldap_msgfree(res);
			r = seterr(errno_of(rc), err, errlen, "%.200s: search %.200s in %.200s: %s%s",
				   c->uri, filter, base, ldap_err2string(rc), diag(ld));
			break;
		}
		rc = ldap_parse_result(ld, res, &code, NULL, &emsg, NULL, &rctrls, 0);
		if (rc != LDAP_SUCCESS || code != LDAP_SUCCESS)
			r = seterr(errno_of(rc != LDAP_SUCCESS ? rc : code), err, errlen,
				   "%.200s: search %.200s in %.200s: %s%s%.200s", c->uri, filter, base,
				   ldap_err2string(rc != LDAP_SUCCESS ? rc : code),
				   emsg && *emsg ? ": " : "", emsg ? emsg : "");
		if (emsg != NULL)
			ldap_memfree(emsg);
		rc_page = rctrls ? ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL)
				 : NULL;
		if (r == 0 && rc_page != NULL &&
		    ldap_parse_pageresponse_control(ld, rc_page, &count, &cookie) != LDAP_SUCCESS) {
			cookie.bv_val = NULL;
			cookie.bv_len = 0;
		}
		if (rctrls != NULL)
			ldap_controls_free(rctrls);
		/* the next page is asked for now, handled after this one */
		if (r == 0 && cookie.bv_val != NULL && cookie.bv_len > 0)
			r = ask_page(ld, c, base, filter, attrs, &cookie, &msgid, err, errlen);
		if (cookie.bv_val != NULL) {
			ber_memfree(cookie.bv_val);
			cookie.bv_val = NULL;
			cookie.bv_len = 0;
		}
		for (LDAPMessage *m = ldap_first_entry(ld, res); m != NULL && r == 0;
		     m = ldap_next_entry(ld, m))
			r = fn(arg, ld, m);
		ldap_msgfree(res);
	}
	if (r < 0 && msgid >= 0)
		(void)ldap_abandon_ext(ld, msgid, NULL, NULL);
	return r;
}

int bhxh_ldap_paged(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base, const char *filter,
		    char **attrs, int (*fn)(void *, LDAP *, LDAPMessage *), void *arg, char *err,
		    size_t errlen)
{
	int msgid = -1, r = ask_page(ld, c, base, filter, attrs, NULL, &msgid, err, errlen);

	return r < 0 ? r : paged_from(ld, c, base, filter, attrs, msgid, fn, arg, err, errlen);
}

/* The unpaged search of bhxh_ldap_search_all: 0 (its end reached: every
 * entry handed to fn), 1 (the server ended it with an error code: it is
 * to be made again with paging) or -errno.  Entries are handed over as
 * they arrive (LDAP_MSG_RECEIVED: whatever the read-ahead buffer holds),
 * never the whole result at once. */
static int unpaged_stream(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base,
			  const char *filter, char **attrs,
			  int (*fn)(void *, LDAP *, LDAPMessage *), void *arg, char *err,
			  size_t errlen)
{
	struct timeval tv = { (time_t)c->timeout * 6, 0 };
	int msgid = -1, rc, r = 0;
	bool done = false;

	/* no server time limit: the whole search may take longer than a
	 * page; a server that stops sending for the client's timeout fails
	 * it below */
	rc = ldap_search_ext(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL, NULL,
			     LDAP_NO_LIMIT, &msgid);
	if (rc != LDAP_SUCCESS)
		return seterr(errno_of(rc), err, errlen, "%.200s: search %.200s in %.200s: %s%s",
			      c->uri, filter, base, ldap_err2string(rc), diag(ld));
	while (r == 0 && !done) {
		LDAPMessage *res = NULL;

		rc = ldap_result(ld, msgid, LDAP_MSG_RECEIVED, &tv, &res);
		if (rc <= 0) {
			ldap_msgfree(res);
			if (rc == 0)
				rc = LDAP_TIMEOUT;
			else
				(void)ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
			r = seterr(errno_of(rc), err, errlen,
				   "%.200s: search %.200s in %.200s: %s%s", c->uri, filter, base,
				   ldap_err2string(rc), diag(ld));
			break;
		}
		for (LDAPMessage *m = ldap_first_message(ld, res); m != NULL && r == 0;
		     m = ldap_next_message(ld, m)) {
			int code = 0;

			switch (ldap_msgtype(m)) {
			case LDAP_RES_SEARCH_ENTRY:
				r = fn(arg, ld, m);
				break;
			case LDAP_RES_SEARCH_RESULT:
				done = true;
				if (ldap_parse_result(ld, m, &code, NULL, NULL, NULL, NULL, 0) !=
					    LDAP_SUCCESS ||
				    code != LDAP_SUCCESS)
					r = 1;
				break;
			default: /* references: not followed, as when paged */
				break;
			}
		}
		ldap_msgfree(res);
	}
	if (r < 0 && !done)
		(void)ldap_abandon_ext(ld, msgid, NULL, NULL);
	return r;
}

int bhxh_ldap_search_all(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base,
			 const char *filter, char **attrs,
			 int (*fn)(void *, LDAP *, LDAPMessage *), void (*restart)(void *),
			 void *arg, char *err, size_t errlen)
{
	int r;

	r = unpaged_stream(ld, c, base, filter, attrs, fn, arg, err, errlen);
	if (r != 1)
		return r;
	restart(arg);
	return bhxh_ldap_paged(ld, c, base, filter, attrs, fn, arg, err, errlen);
}

struct dnset {
	char **dn;
	size_t n, cap;
};

static int dn_one(void *arg, LDAP *ld, LDAPMessage *m)
{
	struct dnset *s = arg;
	char *dn = ldap_get_dn(ld, m), *cd;

	if (dn == NULL)
		return -EBADMSG;
	cd = bhxh_ldap_dn_canon(dn);
	ldap_memfree(dn);
	if (cd == NULL)
		return -ENOMEM;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		char **q = realloc(s->dn, nc * sizeof(*q));

		if (q == NULL) {
			free(cd);
			return -ENOMEM;
		}
		s->dn = q;
		s->cap = nc;
	}
	s->dn[s->n++] = cd;
	return 0;
}

static void dnset_clear(struct dnset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->dn[i]);
	free(s->dn);
	memset(s, 0, sizeof(*s));
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The search of the revoked filter: (&user_filter revoked_filter) below
 * the accounts' base, DNs only. */
static const char *revoked_search(const struct bhxh_ldap_conf *c, char *filter, size_t size)
{
	snprintf(filter, size, "(&%s%s)", c->user_filter, c->revoked_filter);
	return c->user_base[0] ? c->user_base : c->base;
}

int bhxh_ldap_revoked_ask(LDAP *ld, const struct bhxh_ldap_conf *c, int *ret_msgid, char *err,
			  size_t errlen)
{
	char filter[2 * BHXH_LDAP_FILTER_MAX + 8];
	char *attrs[] = { (char *)LDAP_NO_ATTRS, NULL };
	struct timeval tv = { (time_t)c->timeout * 6, 0 };
	const char *base;
	int rc;

	*ret_msgid = -1;
	if (c->revoked_filter[0] == '\0')
		return 0;
	base = revoked_search(c, filter, sizeof(filter));
	/* without paging: a server keeps one paged search per connection
	 * (slapd: "paged results cookie is invalid" for the other) */
	rc = ldap_search_ext(ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL, &tv,
			     LDAP_NO_LIMIT, ret_msgid);
	if (rc != LDAP_SUCCESS)
		return seterr(errno_of(rc), err, errlen, "%.200s: search %.200s in %.200s: %s%s",
			      c->uri, filter, base, ldap_err2string(rc), diag(ld));
	return 0;
}

/* The results of the unpaged search msgid: 0 (all of them handed to fn),
 * 1 (the server refused or cut it short, e.g. its size limit: nothing is
 * left of it, ask again with paging), or -errno. */
static int unpaged_from(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base,
			const char *filter, int msgid, int (*fn)(void *, LDAP *, LDAPMessage *),
			void *arg, char *err, size_t errlen)
{
	struct timeval tv = { (time_t)c->timeout * 6, 0 };
	LDAPMessage *res = NULL;
	int rc, code = 0, r = 0;

	rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc <= 0) {
		ldap_msgfree(res);
		if (rc == 0) {
			(void)ldap_abandon_ext(ld, msgid, NULL, NULL);
			rc = LDAP_TIMEOUT;
		} else
			(void)ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
		return seterr(errno_of(rc), err, errlen, "%.200s: search %.200s in %.200s: %s%s",
			      c->uri, filter, base, ldap_err2string(rc), diag(ld));
	}
	if (ldap_parse_result(ld, res, &code, NULL, NULL, NULL, NULL, 0) != LDAP_SUCCESS ||
	    code != LDAP_SUCCESS)
		r = 1;
	for (LDAPMessage *m = ldap_first_entry(ld, res); m != NULL && r == 0;
	     m = ldap_next_entry(ld, m))
		r = fn(arg, ld, m);
	ldap_msgfree(res);
	return r;
}

int bhxh_ldap_mark_revoked_from(LDAP *ld, const struct bhxh_ldap_conf *c, int msgid,
				struct bhxh_ldap_entry *const *ents, size_t n, char *err,
				size_t errlen)
{
	char filter[2 * BHXH_LDAP_FILTER_MAX + 8];
	char *attrs[] = { (char *)LDAP_NO_ATTRS, NULL };
	struct dnset s = { NULL, 0, 0 };
	const char *base;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		ents[i]->revoked = false;
	if (c->revoked_filter[0] == '\0')
		return 0;
	base = revoked_search(c, filter, sizeof(filter));
	if (msgid >= 0) {
		r = unpaged_from(ld, c, base, filter, msgid, dn_one, &s, err, errlen);
		if (r == 1)
			dnset_clear(&s);
	}
	if (msgid < 0 || r == 1) {
		r = ask_page(ld, c, base, filter, attrs, NULL, &msgid, err, errlen);
		if (r == 0)
			r = paged_from(ld, c, base, filter, attrs, msgid, dn_one, &s, err, errlen);
	}
	if (r == 0 && s.n > 0) {
		qsort(s.dn, s.n, sizeof(*s.dn), cmpstr);
		for (size_t i = 0; i < n && r == 0; i++) {
			char *cd;

			if (ents[i]->kind != BHXH_LDAP_USER)
				continue;
			if ((cd = bhxh_ldap_dn_canon(ents[i]->dn)) == NULL) {
				r = -ENOMEM;
				break;
			}
			ents[i]->revoked = bsearch(&cd, s.dn, s.n, sizeof(*s.dn), cmpstr) != NULL;
			free(cd);
		}
	}
	dnset_clear(&s);
	return r;
}

int bhxh_ldap_mark_revoked(LDAP *ld, const struct bhxh_ldap_conf *c,
			   struct bhxh_ldap_entry *const *ents, size_t n, char *err, size_t errlen)
{
	return bhxh_ldap_mark_revoked_from(ld, c, -1, ents, n, err, errlen);
}

int bhxh_ldap_check_revoked(LDAP *ld, const struct bhxh_ldap_conf *c,
			    struct bhxh_ldap_entry *e, char *err, size_t errlen)
{
	char filter[2 * BHXH_LDAP_FILTER_MAX + 8];
	char *attrs[] = { (char *)LDAP_NO_ATTRS, NULL };
	struct timeval tv = { (time_t)c->timeout, 0 };
	LDAPMessage *res = NULL;
	int rc;

	e->revoked = false;
	if (c->revoked_filter[0] == '\0' || e->kind != BHXH_LDAP_USER)
		return 0;
	snprintf(filter, sizeof(filter), "(&%s%s)", c->user_filter, c->revoked_filter);
	rc = ldap_search_ext_s(ld, e->dn, LDAP_SCOPE_BASE, filter, attrs, 0, NULL, NULL, &tv, 1,
			       &res);
	if (rc == LDAP_SUCCESS || rc == LDAP_NO_SUCH_OBJECT)
		e->revoked = rc == LDAP_SUCCESS && ldap_count_entries(ld, res) > 0;
	if (res != NULL)
		ldap_msgfree(res);
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT)
		return seterr(errno_of(rc), err, errlen, "%.200s: search %.200s in %.200s: %s%s",
			      c->uri, filter, e->dn, ldap_err2string(rc), diag(ld));
	return 0;
}

void bhxh_ldap_read_ahead(LDAP *ld)
{
	Sockbuf *sb = NULL;

	if (ldap_get_option(ld, LDAP_OPT_SOCKBUF, &sb) == LDAP_OPT_SUCCESS && sb != NULL &&
	    !ber_sockbuf_ctrl(sb, LBER_SB_OPT_HAS_IO, &ber_sockbuf_io_readahead))
		(void)ber_sockbuf_add_io(sb, &ber_sockbuf_io_readahead, LBER_SBIOD_LEVEL_PROVIDER,
					 NULL);
}
