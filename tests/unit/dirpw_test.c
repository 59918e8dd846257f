/* Unit tests of the dirpw area: the lock queue's entries (format and
 * boundaries, the file written), the options, and the password change's
 * refusals that need no server (no TLS, no URI, no administrative
 * identity: nothing is sent). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "dirlock.h"
#include "ldap_pw.h"

START_TEST(queue_entry_parse)
{
	static const struct {
		const char *text;
		int r;
		bool lock;
		long long when;
	} cases[] = {
		{ "lock 1\n", 0, true, 1 },
		{ "lock 1795912313\n", 0, true, 1795912313LL },
		{ "lock 9223372036854775807", 0, true, 9223372036854775807LL },
		{ "lock 9223372036854775808", -EBADMSG, false, 0 },
		{ "lock 0\n", -EBADMSG, false, 0 },
		{ "lock -5\n", -EBADMSG, false, 0 },
		{ "lock trout\n", -EBADMSG, false, 0 },
		{ "lock \n", -EBADMSG, false, 0 },
		{ "lock", -EBADMSG, false, 0 },
		{ "unlock\n", 0, false, 0 },
		{ "unlock", 0, false, 0 },
		{ "unlock please\n", -EBADMSG, false, 0 },
		{ "", -EBADMSG, false, 0 },
		{ "LOCK 5\n", -EBADMSG, false, 0 },
	};
	char big[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool lock = !cases[i].lock;
		long long when = -1;
		int r = bhxh_dirlock_parse(cases[i].text, strlen(cases[i].text), &lock, &when);

		ck_assert_msg(r == cases[i].r, "'%s': %d", cases[i].text, r);
		if (r == 0) {
			ck_assert(lock == cases[i].lock);
			ck_assert(when == cases[i].when);
		}
	}
	memset(big, ' ', sizeof(big));
	memcpy(big, "lock 5", 6);
	ck_assert_int_eq(bhxh_dirlock_parse(big, sizeof(big), &(bool){ 0 }, &(long long){ 0 }),
			 -EBADMSG);
}
END_TEST

START_TEST(queue_written)
{
	char dir[] = "/tmp/bhxh-dirpw-XXXXXX", q[64], p[128], buf[128];
	struct stat st;
	bool lock;
	long long when;
	ssize_t n;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(q, sizeof(q), "%s/q", dir);
	ck_assert_int_eq(bhxh_dirlock_queue(q, "alice", true, 1795912313LL), 0);
	ck_assert_int_eq(stat(q, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	snprintf(p, sizeof(p), "%s/alice", q);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	fd = open(p, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ck_assert(n > 0);
	ck_assert_int_eq(bhxh_dirlock_parse(buf, (size_t)n, &lock, &when), 0);
	ck_assert(lock && when == 1795912313LL);
	/* a newer entry replaces the older one */
	ck_assert_int_eq(bhxh_dirlock_queue(q, "alice", false, 0), 0);
	fd = open(p, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ck_assert_int_eq(bhxh_dirlock_parse(buf, (size_t)n, &lock, &when), 0);
	ck_assert(!lock);
	/* names that are not user names never become paths */
	ck_assert_int_eq(bhxh_dirlock_queue(q, "../etc", true, 1), -EINVAL);
	ck_assert_int_eq(bhxh_dirlock_queue(q, "a/b", true, 1), -EINVAL);
	ck_assert_int_eq(bhxh_dirlock_queue(q, "", true, 1), -EINVAL);
	/* an unsafe queue directory is refused */
	ck_assert_int_eq(chmod(q, 0777), 0);
	ck_assert_int_lt(bhxh_dirlock_queue(q, "bob", true, 1), 0);
	unlink(p);
	rmdir(q);
	rmdir(dir);
}
END_TEST

START_TEST(options)
{
	struct bhxh_conf c;
	char err[BHXH_ERR_MAX];

	bhxh_conf_init(&c);
	ck_assert(!c.dirpw.lockout && !c.dirpw.directory);
	ck_assert_str_eq(c.dirpw.lock_queue_dir, BHXH_STATE_DIR "/dirlock");
	ck_assert_int_eq(bhxh_conf_apply(&c, "directory", BHXH_SCOPE_ARG, NULL, err, sizeof(err)), 0);
	ck_assert(c.dirpw.directory);
	/* a module-line option only */
	ck_assert_int_eq(bhxh_conf_apply(&c, "directory", BHXH_SCOPE_FILE, "f:1", err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "ldap_lockout=yes", BHXH_SCOPE_FILE, "f:2", err,
					 sizeof(err)),
			 0);
	ck_assert(c.dirpw.lockout);
	ck_assert_int_eq(bhxh_conf_apply(&c, "ldap_lock_queue_dir=relative", BHXH_SCOPE_FILE, "f:3",
					 err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(bhxh_conf_apply(&c, "ldap_passwd_admin_dn=cn=x,dc=y", BHXH_SCOPE_FILE,
					 "f:4", err, sizeof(err)),
			 0);
	ck_assert_str_eq(c.dirpw.admin_dn, "cn=x,dc=y");
}
END_TEST

/* Refusals before any network: nothing is sent without TLS. */
START_TEST(refused_without_sending)
{
	struct bhxh_conf c;
	struct bhxh_ldap_pw_result res;
	char err[BHXH_ERR_MAX];
	int r;

	bhxh_conf_init(&c);
	r = bhxh_ldap_pw_change(&c.ldap, "", "", "alice", "old", 3, "new", 3, &res, err,
				sizeof(err));
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_int_eq(res.reason, BHXH_LDAP_PW_CONFIG);
	snprintf(c.ldap.uri, sizeof(c.ldap.uri), "ldap://127.0.0.1:1/");
	snprintf(c.ldap.base, sizeof(c.ldap.base), "dc=x");
	r = bhxh_ldap_pw_verify(&c.ldap, "alice", "old", 3, &res, err, sizeof(err));
	ck_assert_int_eq(r, -EPROTO);
	ck_assert_int_eq(res.reason, BHXH_LDAP_PW_NO_TLS);
	ck_assert_str_eq(bhxh_ldap_pw_code(res.reason), "ldap_no_tls");
	/* root without an administrative identity */
	c.ldap.starttls = true;
	r = bhxh_ldap_pw_change(&c.ldap, "", "", "alice", NULL, 0, "new", 3, &res, err,
				sizeof(err));
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_int_eq(res.reason, BHXH_LDAP_PW_ADMIN);
	/* nobody listens on port 1: unreachable, not a wrong password */
	r = bhxh_ldap_pw_verify(&c.ldap, "alice", "old", 3, &res, err, sizeof(err));
	ck_assert_int_eq(r, -ECONNREFUSED);
	ck_assert_int_eq(res.reason, BHXH_LDAP_PW_UNREACHABLE);
	ck_assert_str_eq(bhxh_ldap_pw_code(BHXH_LDAP_PW_IN_HISTORY), "ldap_in_history");
	ck_assert_str_eq(bhxh_ldap_pw_code((enum bhxh_ldap_pw_reason)999), "ldap_error");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dirpw");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, queue_entry_parse);
	tcase_add_test(tc, queue_written);
	tcase_add_test(tc, options);
	tcase_add_test(tc, refused_without_sending);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
