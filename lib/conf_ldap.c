/* Options of the ldap area (bhxhctl db sync). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

#define LD(f) offsetof(struct bhxh_conf, ldap.f)
#define LDSZ(f) sizeof(((struct bhxh_conf *)0)->ldap.f)
#define STR(key, f)                                                                         \
	{ .name = key, .type = BHXH_OPT_STRING, .offset = LD(f), .size = LDSZ(f),           \
	  .scope = BHXH_SCOPE_FILE }
#define PATHOPT(key, f)                                                                     \
	{ .name = key, .type = BHXH_OPT_PATH, .offset = LD(f), .size = LDSZ(f),             \
	  .scope = BHXH_SCOPE_FILE }
#define FLAG(key, f) { .name = key, .type = BHXH_OPT_FLAG, .offset = LD(f), .scope = BHXH_SCOPE_FILE }
#define CUSTOM(key, f) { .name = key, .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_FILE, .fn = FN_##f }

/* ldap_schema=rfc2307|rfc2307bis */
static int opt_schema(struct bhxh_conf *c, const char *v, char *err, size_t errlen)
{
	if (v != NULL && strcmp(v, "rfc2307") == 0)
		c->ldap.schema = BHXH_LDAP_RFC2307;
	else if (v != NULL && strcmp(v, "rfc2307bis") == 0)
		c->ldap.schema = BHXH_LDAP_RFC2307BIS;
	else {
		snprintf(err, errlen, "expects rfc2307 or rfc2307bis, not '%.64s'", v ? v : "");
		return -EINVAL;
	}
	return 0;
}

/* A search filter must at least be parenthesized (the server checks the
 * rest; a bad one is reported by bhxhctl db sync with the server's word). */
static int set_filter(char *dst, size_t size, const char *v, char *err, size_t errlen)
{
	size_t n = v ? strlen(v) : 0;

	if (n < 2 || v[0] != '(' || v[n - 1] != ')') {
		snprintf(err, errlen, "expects a parenthesized LDAP filter, not '%.64s'",
			 v ? v : "");
		return -EINVAL;
	}
	if (n >= size) {
		snprintf(err, errlen, "value longer than %zu bytes", size - 1);
		return -EINVAL;
	}
	memcpy(dst, v, n + 1);
	return 0;
}

static int opt_user_filter(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return set_filter(c->ldap.user_filter, sizeof(c->ldap.user_filter), v, e, l);
}

static int opt_group_filter(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return set_filter(c->ldap.group_filter, sizeof(c->ldap.group_filter), v, e, l);
}

static int opt_revoked_filter(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return set_filter(c->ldap.revoked_filter, sizeof(c->ldap.revoked_filter), v, e, l);
}

/* The custom options' functions, by .fn - 1 (conf.h: no pointer in a table) */
enum {
	FN_opt_user_filter = 1,
	FN_opt_group_filter,
	FN_opt_revoked_filter,
	FN_opt_schema,
};

static const bhxh_opt_fn fns[] = {
	[FN_opt_user_filter - 1] = opt_user_filter,
	[FN_opt_group_filter - 1] = opt_group_filter,
	[FN_opt_revoked_filter - 1] = opt_revoked_filter,
	[FN_opt_schema - 1] = opt_schema,
};

static const struct bhxh_opt opts[] = {
	STR("ldap_uri", uri),
	STR("ldap_base", base),
	STR("ldap_user_base", user_base),
	STR("ldap_group_base", group_base),
	CUSTOM("ldap_user_filter", opt_user_filter),
	CUSTOM("ldap_group_filter", opt_group_filter),
	CUSTOM("ldap_revoked_filter", opt_revoked_filter),
	STR("ldap_bind_dn", bind_dn),
	PATHOPT("ldap_bind_pw_file", bind_pw_file),
	FLAG("ldap_sasl_external", sasl_external),
	PATHOPT("ldap_tls_cacert", tls_cacert),
	PATHOPT("ldap_tls_cert", tls_cert),
	PATHOPT("ldap_tls_key", tls_key),
	FLAG("ldap_starttls", starttls),
	{ .name = "ldap_timeout", .type = BHXH_OPT_SECONDS, .offset = LD(timeout), .min = 1,
	  .max = 3600, .scope = BHXH_SCOPE_FILE },
	CUSTOM("ldap_schema", opt_schema),
	STR("ldap_attr_uid", attr.uid),
	STR("ldap_attr_uidnumber", attr.uidnumber),
	STR("ldap_attr_gidnumber", attr.gidnumber),
	STR("ldap_attr_gecos", attr.gecos),
	STR("ldap_attr_home", attr.home),
	STR("ldap_attr_shell", attr.shell),
	STR("ldap_attr_group_name", attr.group_name),
	STR("ldap_attr_member_uid", attr.member_uid),
	STR("ldap_attr_member", attr.member),
	STR("ldap_attr_password", attr.password),
	FLAG("ldap_shadow", shadow),
	PATHOPT("ldap_state_dir", state_dir),
	{ .name = "ldap_batch_ms", .type = BHXH_OPT_UINT, .offset = LD(batch_ms), .max = 10000,
	  .scope = BHXH_SCOPE_FILE },
	{ .name = "ldap_poll_interval", .type = BHXH_OPT_SECONDS, .offset = LD(poll_interval),
	  .min = 1, .max = 86400, .scope = BHXH_SCOPE_FILE },
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_ldap = { opts, fns, BHXH_ARRAY_SIZE(fns) };

void bhxh_conf_init_ldap(struct bhxh_conf *c)
{
	struct bhxh_ldap_conf *l = &c->ldap;

	(void)bhxh_strlcpy(l->user_filter, "(objectClass=posixAccount)", sizeof(l->user_filter));
	(void)bhxh_strlcpy(l->group_filter, "(objectClass=posixGroup)", sizeof(l->group_filter));
	l->timeout = 10;
	l->schema = BHXH_LDAP_RFC2307;
	(void)bhxh_strlcpy(l->attr.uid, "uid", sizeof(l->attr.uid));
	(void)bhxh_strlcpy(l->attr.uidnumber, "uidNumber", sizeof(l->attr.uidnumber));
	(void)bhxh_strlcpy(l->attr.gidnumber, "gidNumber", sizeof(l->attr.gidnumber));
	(void)bhxh_strlcpy(l->attr.gecos, "gecos", sizeof(l->attr.gecos));
	(void)bhxh_strlcpy(l->attr.home, "homeDirectory", sizeof(l->attr.home));
	(void)bhxh_strlcpy(l->attr.shell, "loginShell", sizeof(l->attr.shell));
	(void)bhxh_strlcpy(l->attr.group_name, "cn", sizeof(l->attr.group_name));
	(void)bhxh_strlcpy(l->attr.member_uid, "memberUid", sizeof(l->attr.member_uid));
	(void)bhxh_strlcpy(l->attr.member, "member", sizeof(l->attr.member));
	(void)bhxh_strlcpy(l->attr.password, "userPassword", sizeof(l->attr.password));
	l->shadow = true;
	(void)bhxh_strlcpy(l->state_dir, BHXH_STATE_DIR "/ldap", sizeof(l->state_dir));
	l->batch_ms = 20;
	l->poll_interval = 60;
}
