/* The TLS settings of every connection to the directory, shared by the
 * sync client (ldap_client.c) and the password change (ldap_pw.c), so that
 * the two cannot drift apart. */
#ifndef BHXH_LDAP_TLS_H
#define BHXH_LDAP_TLS_H

#include <ldap.h>

#include "conf_ldap.h"

/* The CA file, the client certificate and key when configured, the
 * server's certificate always verified (DEMAND: never "allow" or
 * "never"), and a new TLS context so that these take effect on this
 * handle.  Returns LDAP_OPT_SUCCESS or the failing option's code. */
static inline int bhxh_ldap_tls_opts(LDAP *ld, const struct bhxh_ldap_conf *c)
{
	int demand = LDAP_OPT_X_TLS_DEMAND, zero = 0, rc = LDAP_OPT_SUCCESS;

	if (c->tls_cacert[0] != '\0')
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c->tls_cacert);
	if (rc == LDAP_OPT_SUCCESS && c->tls_cert[0] != '\0')
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CERTFILE, c->tls_cert);
	if (rc == LDAP_OPT_SUCCESS && c->tls_key[0] != '\0')
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_KEYFILE, c->tls_key);
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	return rc;
}

#endif
