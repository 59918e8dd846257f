/* Configuration of the ldap area: where bhxhctl db sync reads the central
 * directory (see bhxh.conf(5)).  Only bhxhctl acts on these keys; the PAM
 * module and the plugin accept them in the shared file and ignore them. */
#ifndef BHXH_CONF_LDAP_H
#define BHXH_CONF_LDAP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define BHXH_LDAP_URI_MAX 1024
#define BHXH_LDAP_DN_MAX 512
#define BHXH_LDAP_FILTER_MAX 512
#define BHXH_LDAP_ATTR_MAX 64

enum bhxh_ldap_schema { BHXH_LDAP_RFC2307 = 0, BHXH_LDAP_RFC2307BIS };

/* Directory attribute of each field (AD: uid = sAMAccountName ...). */
struct bhxh_ldap_attrs {
	char uid[BHXH_LDAP_ATTR_MAX], uidnumber[BHXH_LDAP_ATTR_MAX],
		gidnumber[BHXH_LDAP_ATTR_MAX], gecos[BHXH_LDAP_ATTR_MAX],
		home[BHXH_LDAP_ATTR_MAX], shell[BHXH_LDAP_ATTR_MAX],
		group_name[BHXH_LDAP_ATTR_MAX], member_uid[BHXH_LDAP_ATTR_MAX],
		member[BHXH_LDAP_ATTR_MAX], password[BHXH_LDAP_ATTR_MAX];
};

struct bhxh_ldap_conf {
	char uri[BHXH_LDAP_URI_MAX];           /* one or more, space-separated */
	char base[BHXH_LDAP_DN_MAX];
	char user_base[BHXH_LDAP_DN_MAX];      /* "" = base */
	char group_base[BHXH_LDAP_DN_MAX];     /* "" = base */
	char user_filter[BHXH_LDAP_FILTER_MAX];
	char group_filter[BHXH_LDAP_FILTER_MAX];
	char revoked_filter[BHXH_LDAP_FILTER_MAX]; /* "" = none */
	char bind_dn[BHXH_LDAP_DN_MAX];
	char bind_pw_file[BHXH_CONF_PATH_MAX];
	bool sasl_external;
	char tls_cacert[BHXH_CONF_PATH_MAX];
	char tls_cert[BHXH_CONF_PATH_MAX];
	char tls_key[BHXH_CONF_PATH_MAX];
	bool starttls;
	uint64_t timeout;        /* seconds, per operation and connection */
	enum bhxh_ldap_schema schema;
	struct bhxh_ldap_attrs attr;
	bool shadow;             /* read shadow* attributes and {CRYPT} userPassword */
	char state_dir[BHXH_CONF_PATH_MAX];   /* sync cookie and entry cache (root-only) */
	uint64_t batch_ms;       /* --follow: wait this long for a burst to end */
	uint64_t poll_interval;  /* --follow without the sync control: seconds */
};

#endif
