/* Unit tests of the ldap area: entry -> record mapping at its boundaries,
 * DN comparison, the serialized entry format, rfc2307bis nesting and
 * cycles, the ldap_* options. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ldap_map.h"

/* the end of ent()'s list, typed as its arguments */
#define END ((const char *)0)

static struct bhxh_conf conf;
static struct bhxh_ldap_entry *ents[16];
static size_t nents;
static struct bhxh_ldap_src src;
static char err[1024];

static void setup(void)
{
	bhxh_conf_init(&conf);
	nents = 0;
	bhxh_ldap_src_init(&src);
	err[0] = '\0';
}

static void teardown(void)
{
	for (size_t i = 0; i < nents; i++)
		bhxh_ldap_entry_free(ents[i]);
	bhxh_ldap_src_free(&src);
}

/* ent(DN, "attr", "value", ..., END): one entry (values of the same
 * attribute listed one after the other are one multi-valued attribute). */
static struct bhxh_ldap_entry *ent(const char *dn, ...)
{
	struct bhxh_ldap_ebuf b;
	const char *last = NULL, *a;
	struct bhxh_ldap_entry *e = NULL;
	va_list ap;

	memset(&b, 0, sizeof(b));
	bhxh_ldap_eb_begin(&b, dn);
	va_start(ap, dn);
	while ((a = va_arg(ap, const char *)) != END) {
		const char *v = va_arg(ap, const char *);

		if (last == NULL || strcmp(last, a) != 0)
			bhxh_ldap_eb_attr(&b, a);
		bhxh_ldap_eb_val(&b, v, strlen(v));
		last = a;
	}
	va_end(ap);
	ck_assert_int_eq(bhxh_ldap_eb_end(&b), 0);
	ck_assert_int_eq(bhxh_ldap_entry_parse(b.p + b.start, b.len - b.start, &e), 0);
	bhxh_ldap_eb_free(&b);
	e->kind = bhxh_ldap_kind(&conf.ldap.attr, e);
	ents[nents++] = e;
	return e;
}

static int build(void)
{
	bhxh_ldap_src_free(&src);
	bhxh_ldap_src_init(&src);
	return bhxh_ldap_build(&conf.ldap, (const struct bhxh_ldap_entry *const *)ents, nents,
			       NULL, NULL, &src, err, sizeof(err));
}

#define ALICE "uid=alice,ou=people,dc=x"

START_TEST(test_user_mapping)
{
	const struct bhxh_srcuser *u;

	ent(ALICE, "uid", "alice", "uidNumber", "200001", "gidNumber", "200002", "cn",
	    "Alice A", "homeDirectory", "/home/alice", "userPassword", "{SSHA}xyz",
	    "userPassword", "{crypt}$6$s$h", "shadowLastChange", "19000", "shadowMax", "90",
	    END);
	ent("uid=bob,ou=people,dc=x", "uid", "bobby", "uid", "bob", "uidNumber", "200003",
	    "gidNumber", "200002", "gecos", "Bob", "homeDirectory", "/home/bob", "loginShell",
	    "/bin/zsh", END);
	ck_assert_int_eq(build(), 0);
	ck_assert_uint_eq(src.s.nusers, 2);
	u = bhxh_dirsrc_user(&src.s, "alice");
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->gecos, "Alice A"); /* cn when no gecos */
	ck_assert_str_eq(u->shell, "/bin/sh"); /* default shell */
	ck_assert_uint_eq(u->uid, 200001);
	/* several uid values: the one in the RDN */
	u = bhxh_dirsrc_user(&src.s, "bob");
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->gecos, "Bob");
	ck_assert_uint_eq(src.s.nsp, 1); /* bob has neither shadow nor hash */
	ck_assert_str_eq(src.s.sp[0].passwd, "$6$s$h");
	ck_assert_int_eq(src.s.sp[0].f[0], 19000);
	ck_assert_int_eq(src.s.sp[0].f[2], 90);
	ck_assert_int_eq(src.s.sp[0].f[1], -1);
}
END_TEST

struct bad {
	const char *attr, *value, *msg;
};

static const struct bad bad_users[] = {
	{ "uidNumber", "", "malformed uidNumber" },
	{ "uidNumber", "12ab", "malformed uidNumber '12ab'" },
	{ "uidNumber", "-1", "malformed uidNumber" },
	{ "uidNumber", "4294967295", "malformed uidNumber" },
	{ "uidNumber", "0", "uidNumber 0 (root) is refused" },
	{ "gidNumber", "0", "gidNumber 0 (root) is refused" },
	{ "uid", "a,b", "invalid name in uid" },
	{ "uid", "a:b", "invalid name in uid" },
	{ "uid", "-x", "invalid name in uid" },
	{ "gecos", "a:b", "gecos holds a control character or ':'" },
	{ "gecos", "a\nb", "gecos holds a control character" },
	{ "homeDirectory", "relative", "home directory must be an absolute path" },
	{ "shadowMax", "x", "malformed shadowMax" },
	{ "shadowExpire", "2147483648", "malformed shadowExpire" },
	{ "userPassword", "{CRYPT}", "malformed {CRYPT} userPassword" },
	{ "userPassword", "{CRYPT}a:b", "malformed {CRYPT} userPassword" },
};

START_TEST(test_user_refusals)
{
	const struct bad *b = &bad_users[_i];
	const char *v[7][2] = { { "uid", "alice" },	   { "uidNumber", "200001" },
				{ "gidNumber", "200002" }, { "homeDirectory", "/home/a" },
				{ "gecos", "A" },	   { NULL, NULL },
				{ NULL, NULL } };
	int k;

	for (k = 0; v[k][0] != NULL; k++)
		if (strcmp(v[k][0], b->attr) == 0)
			break;
	v[k][0] = b->attr;
	v[k][1] = b->value;
	ent(ALICE, v[0][0], v[0][1], v[1][0], v[1][1], v[2][0], v[2][1], v[3][0], v[3][1],
	    v[4][0], v[4][1], v[5][0], v[5][1], END);
	ck_assert_int_eq(build(), -EINVAL);
	ck_assert_msg(strncmp(err, ALICE ":", strlen(ALICE) + 1) == 0, "no DN: %s", err);
	ck_assert_msg(strstr(err, b->msg) != NULL, "%s: '%s' not in '%s'", b->attr, b->msg, err);
}
END_TEST

START_TEST(test_missing_and_sizes)
{
	char *big = malloc(BHXH_LDAP_VAL_MAX + 2);

	memset(big, 'g', BHXH_LDAP_VAL_MAX + 1);
	big[BHXH_LDAP_VAL_MAX + 1] = '\0';
	ent(ALICE, "objectClass", "posixAccount", "uid", "alice", "gidNumber", "1",
	    "homeDirectory", "/h", END);
	ck_assert_int_eq(ents[nents - 1]->kind, BHXH_LDAP_USER);
	ck_assert_int_eq(build(), -EINVAL);
	ck_assert_str_eq(err, ALICE ": missing uidNumber");
	bhxh_ldap_entry_free(ents[--nents]);
	/* exactly the cap is accepted, one more byte refused */
	ent(ALICE, "uid", "alice", "uidNumber", "5", "gidNumber", "1", "homeDirectory", "/h",
	    "gecos", big + 1, END);
	ck_assert_int_eq(build(), 0);
	bhxh_ldap_entry_free(ents[--nents]);
	ent(ALICE, "uid", "alice", "uidNumber", "5", "gidNumber", "1", "homeDirectory", "/h",
	    "gecos", big, END);
	ck_assert_int_eq(build(), -EINVAL);
	ck_assert_str_eq(err, ALICE ": gecos is longer than 4096 bytes");
	free(big);
}
END_TEST

START_TEST(test_duplicates_name_dn)
{
	ent(ALICE, "uid", "alice", "uidNumber", "5", "gidNumber", "1", "homeDirectory", "/h",
	    END);
	ent("uid=alice,ou=other,dc=x", "uid", "alice", "uidNumber", "6", "gidNumber", "1",
	    "homeDirectory", "/h", END);
	ck_assert_int_eq(build(), -EINVAL);
	ck_assert_str_eq(err, "uid=alice,ou=other,dc=x: duplicate user 'alice' (also " ALICE ")");
}
END_TEST

START_TEST(test_dn_canon)
{
	char *c = bhxh_ldap_dn_canon(" UID = Bob , OU=People,DC=X\\,Y ");

	ck_assert_str_eq(c, "uid=bob,ou=people,dc=x\\,y");
	free(c);
}
END_TEST

START_TEST(test_dn_under)
{
	ck_assert(bhxh_ldap_dn_under("uid=a,ou=People,dc=x", "ou=people, dc=x"));
	ck_assert(bhxh_ldap_dn_under("ou=people,dc=x", "ou=people,dc=x"));
	ck_assert(bhxh_ldap_dn_under("uid=a,dc=x", ""));
	ck_assert(!bhxh_ldap_dn_under("uid=a,ou=otherpeople,dc=x", "ou=people,dc=x"));
	ck_assert(!bhxh_ldap_dn_under("uid=a\\,ou=people,dc=x", "ou=people,dc=x"));
	ck_assert(!bhxh_ldap_dn_under("dc=x", "ou=people,dc=x"));
}
END_TEST

START_TEST(test_rfc2307bis)
{
	const struct bhxh_srcgroup *g;

	conf.ldap.schema = BHXH_LDAP_RFC2307BIS;
	ent(ALICE, "uid", "alice", "uidNumber", "5", "gidNumber", "1", "homeDirectory", "/h",
	    END);
	ent("uid=bob,ou=people,dc=x", "uid", "bob", "uidNumber", "6", "gidNumber", "1",
	    "homeDirectory", "/h", END);
	ent("cn=outer,dc=x", "cn", "outer", "gidNumber", "10", "memberUid", "carol", "member",
	    "cn=inner,dc=x", "member", "UID=Alice, OU=People, DC=x", "member", "cn=gone,dc=x",
	    END);
	ent("cn=inner,dc=x", "cn", "inner", "gidNumber", "11", "member", "uid=bob,ou=people,dc=x",
	    "member", "uid=alice,ou=people,dc=x", END);
	ck_assert_int_eq(build(), 0);
	g = bhxh_dirsrc_group(&src.s, "outer");
	ck_assert_ptr_nonnull(g);
	/* carol, then inner's bob and alice; alice once */
	ck_assert_uint_eq(g->nmem, 3);
	ck_assert_str_eq(src.s.members[g->mem], "carol");
	ck_assert_str_eq(src.s.members[g->mem + 1], "bob");
	ck_assert_str_eq(src.s.members[g->mem + 2], "alice");
	/* a cycle */
	ent("cn=c1,dc=x", "cn", "c1", "gidNumber", "12", "member", "cn=c2,dc=x", END);
	ent("cn=c2,dc=x", "cn", "c2", "gidNumber", "13", "member", "cn=c1,dc=x", END);
	ck_assert_int_eq(build(), -EINVAL);
	ck_assert_msg(strstr(err, "group cycle through cn=c") != NULL, "%s", err);
}
END_TEST

START_TEST(test_revoked)
{
	struct bhxh_ldap_entry *e = ent(ALICE, "uid", "alice", "uidNumber", "5", "gidNumber",
					"1", "homeDirectory", "/h", END);

	e->revoked = true;
	ck_assert_int_eq(build(), 0);
	ck_assert(bhxh_dirsrc_user(&src.s, "alice")->revoked);
}
END_TEST

START_TEST(test_serialized)
{
	struct bhxh_ldap_entry *e = ent(ALICE, "uid", "alice", "cn", "", END), *f = NULL;
	const uint8_t *b;
	size_t len;

	b = bhxh_ldap_entry_blob(e, &len);
	ck_assert_int_eq(bhxh_ldap_entry_parse(b, len, &f), 0);
	ck_assert_str_eq(f->dn, ALICE);
	ck_assert_uint_eq(f->nattrs, 2);
	ck_assert_uint_eq(f->attrs[1].vals[0].len, 0);
	bhxh_ldap_entry_free(f);
	/* every truncation is refused */
	for (size_t n = 0; n < len; n++)
		ck_assert_int_eq(bhxh_ldap_entry_parse(b, n, &f), -EBADMSG);
}
END_TEST

/* GeneralizedTime as ppolicy (pwdChangedTime) and modifyTimestamp write it */
START_TEST(test_gentime)
{
	ck_assert_int_eq(bhxh_ldap_gentime("19700101000000Z"), 0);
	ck_assert_int_eq(bhxh_ldap_gentime("20261129063000Z"), 1795933800);
	ck_assert_int_eq(bhxh_ldap_gentime("20261129063000.123456Z"), 1795933800);
	ck_assert_int_eq(bhxh_ldap_gentime("20261129063000,5Z"), 1795933800);
	ck_assert_int_eq(bhxh_ldap_gentime("20261329063000Z"), -1);  /* month 13 */
	ck_assert_int_eq(bhxh_ldap_gentime("20261100063000Z"), -1);  /* day 0 */
	ck_assert_int_eq(bhxh_ldap_gentime("20261129063000"), -1);   /* no zone */
	ck_assert_int_eq(bhxh_ldap_gentime("20261129063000+0700"), -1);
	ck_assert_int_eq(bhxh_ldap_gentime("2026112906300Z"), -1);   /* short */
	ck_assert_int_eq(bhxh_ldap_gentime(""), -1);
}
END_TEST

START_TEST(test_options)
{
	char e[BHXH_ERR_MAX];

	ck_assert_int_eq(bhxh_conf_apply(&conf, "ldap_schema=rfc2307bis", BHXH_SCOPE_FILE, "f:1",
					 e, sizeof(e)),
			 0);
	ck_assert_int_eq(conf.ldap.schema, BHXH_LDAP_RFC2307BIS);
	ck_assert_int_eq(bhxh_conf_apply(&conf, "ldap_schema=ad", BHXH_SCOPE_FILE, "f:1", e,
					 sizeof(e)),
			 -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&conf, "ldap_user_filter=uid=*", BHXH_SCOPE_FILE, "f:2",
					 e, sizeof(e)),
			 -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&conf, "ldap_timeout=0", BHXH_SCOPE_FILE, "f:3", e,
					 sizeof(e)),
			 -EINVAL);
	/* not a module argument */
	ck_assert_int_eq(bhxh_conf_apply(&conf, "ldap_uri=ldap://x", BHXH_SCOPE_ARG, NULL, e,
					 sizeof(e)),
			 -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&conf, "ldap_attr_uid = sAMAccountName",
					 BHXH_SCOPE_FILE, "f:4", e, sizeof(e)),
			 0);
	ck_assert_str_eq(conf.ldap.attr.uid, "sAMAccountName");
}
END_TEST

static Suite *ldap_suite(void)
{
	Suite *s = suite_create("ldap");
	TCase *tc = tcase_create("map");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_user_mapping);
	tcase_add_loop_test(tc, test_user_refusals, 0, sizeof(bad_users) / sizeof(bad_users[0]));
	tcase_add_test(tc, test_missing_and_sizes);
	tcase_add_test(tc, test_duplicates_name_dn);
	tcase_add_test(tc, test_dn_canon);
	tcase_add_test(tc, test_dn_under);
	tcase_add_test(tc, test_rfc2307bis);
	tcase_add_test(tc, test_revoked);
	tcase_add_test(tc, test_serialized);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_gentime);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ldap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
