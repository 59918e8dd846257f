/* Unit tests of the dir area: the source parser and validator, the
 * database writer and reader, corruption handling, revocation. */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirdb.h"
#include "dirdb_build.h"
#include "util.h"

static const char PASSWD[] = "alice:x:200001:200001:Alice:/home/alice:/bin/bash\n"
			     "bob:x:200002:200001:Bob B:/home/bob:/bin/sh\n"
			     "\n"
			     "carol:*:200003:200002::/home/carol:/usr/sbin/nologin\n";
static const char GROUP[] = "staff2:x:200001:alice,bob\n"
			    "devs:x:200002:bob,localuser,bob\n"
			    "empty:x:200003:\n";
static const char SHADOW[] = "alice:$6$salt$hash:19000:0:99999:7:::\n"
			     "bob:!:19000::::::\n";
static const char REVOKED[] = "# revoked accounts\nbob\n  \n";

/* Parse one kind from a string; the source keeps a heap copy. */
static int parse(struct bhxh_dirsrc *s, enum bhxh_srckind k, const char *text, char *err,
		 size_t errlen)
{
	static const char *const fname[] = { "passwd", "group", "shadow", "revoked" };
	size_t n = strlen(text);
	char *b = malloc(n + 1);

	ck_assert_ptr_nonnull(b);
	memcpy(b, text, n);
	int r;

	free(s->buf[k]);
	s->buf[k] = b;
	r = bhxh_dirsrc_parse(s, k, fname[k], b, n, err, errlen);
	/* the whole text, split in place, is wiped at free: its length is kept */
	ck_assert_uint_eq(s->buflen[k], n);
	return r;
}

static void rm_rf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void load_all(struct bhxh_dirsrc *s)
{
	char err[256] = "";

	bhxh_dirsrc_init(s);
	ck_assert_int_eq(parse(s, BHXH_SRC_PASSWD, PASSWD, err, sizeof(err)), 0);
	ck_assert_int_eq(parse(s, BHXH_SRC_GROUP, GROUP, err, sizeof(err)), 0);
	ck_assert_int_eq(parse(s, BHXH_SRC_SHADOW, SHADOW, err, sizeof(err)), 0);
	ck_assert_int_eq(parse(s, BHXH_SRC_REVOKED, REVOKED, err, sizeof(err)), 0);
	ck_assert_msg(bhxh_dirsrc_validate(s, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(parse_errors_name_file_and_line)
{
	static const struct {
		enum bhxh_srckind k;
		const char *text;
		const char *where;
	} t[] = {
		{ BHXH_SRC_PASSWD, "a:x:1:1:g:/h:/bin/sh\nb:x:2:2:g:/h\n", "passwd:2: expected 7" },
		{ BHXH_SRC_PASSWD, "a:x:1:1:g:/h:/bin/sh:extra\n", "passwd:1: expected 7" },
		{ BHXH_SRC_PASSWD, "a:x:0:1:g:/h:/bin/sh\n", "passwd:1: uid and gid 0" },
		{ BHXH_SRC_PASSWD, "a:x:1:0:g:/h:/bin/sh\n", "passwd:1: uid and gid 0" },
		{ BHXH_SRC_PASSWD, "a:x:4294967295:1:g:/h:/bin/sh\n", "passwd:1: invalid uid" },
		{ BHXH_SRC_PASSWD, "a:x:4294967296:1:g:/h:/bin/sh\n", "passwd:1: invalid uid" },
		{ BHXH_SRC_PASSWD, "a:x:-1:1:g:/h:/bin/sh\n", "passwd:1: invalid uid" },
		{ BHXH_SRC_PASSWD, "a:x:trout:1:g:/h:/bin/sh\n", "passwd:1: invalid uid" },
		{ BHXH_SRC_PASSWD, "a:x: 1:1:g:/h:/bin/sh\n", "passwd:1: invalid uid" },
		{ BHXH_SRC_PASSWD, "../x:x:1:1:g:/h:/bin/sh\n", "passwd:1: invalid user name" },
		{ BHXH_SRC_PASSWD, "a:$6$x$y:1:1:g:/h:/bin/sh\n", "passwd:1: password field" },
		{ BHXH_SRC_PASSWD, "a::1:1:g:/h:/bin/sh\n", "passwd:1: password field" },
		{ BHXH_SRC_PASSWD, "a:x:1:1:g:h:/bin/sh\n", "passwd:1: home" },
		{ BHXH_SRC_PASSWD, "a:x:1:1:g:/h:sh\n", "passwd:1: shell" },
		{ BHXH_SRC_PASSWD, "a:x:1:1:g\r:/h:/bin/sh\n", "passwd:1: control" },
		{ BHXH_SRC_GROUP, "g:x:1:a,,b\n", "group:1: invalid member" },
		{ BHXH_SRC_GROUP, "g:x:1:a,\n", "group:1: invalid member" },
		{ BHXH_SRC_GROUP, "g:x:0:\n", "group:1: gid 0" },
		{ BHXH_SRC_GROUP, "g:x:1\n", "group:1: expected 4" },
		{ BHXH_SRC_SHADOW, "a::1:2:3:4:5:6:\n", "shadow:1: empty password" },
		{ BHXH_SRC_SHADOW, "a:!:x:2:3:4:5:6:\n", "shadow:1: invalid number in field 3" },
		{ BHXH_SRC_SHADOW, "a:!:1:2:3:4:5:2147483648:\n", "shadow:1: invalid number" },
		{ BHXH_SRC_SHADOW, "a:!:1:2:3:4:5:6\n", "shadow:1: expected 9" },
		{ BHXH_SRC_REVOKED, "\nno/body\n", "revoked:2: invalid user name" },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(t); i++) {
		struct bhxh_dirsrc s;
		char err[256] = "";
		int r;

		bhxh_dirsrc_init(&s);
		r = parse(&s, t[i].k, t[i].text, err, sizeof(err));
		ck_assert_msg(r == -EINVAL, "case %zu accepted", i);
		ck_assert_msg(strstr(err, t[i].where) != NULL, "case %zu: '%s' lacks '%s'", i, err,
			      t[i].where);
		bhxh_dirsrc_free(&s);
	}
}
END_TEST

START_TEST(validate_refuses_duplicates_and_collisions)
{
	static const struct {
		const char *pw, *gr, *sp, *want;
	} t[] = {
		{ "a:x:10:10:g:/h:/bin/sh\na:x:11:10:g:/h:/bin/sh\n", "", "",
		  "passwd:2: duplicate user 'a' (line 1)" },
		{ "a:x:10:10:g:/h:/bin/sh\nb:x:10:10:g:/h:/bin/sh\n", "", "",
		  "passwd:2: duplicate uid 10" },
		{ "", "g:x:10:\ng:x:11:\n", "", "group:2: duplicate group 'g'" },
		{ "", "g:x:10:\nh:x:10:\n", "", "group:2: duplicate gid 10" },
		{ "a:x:10:10:g:/h:/bin/sh\n", "", "b:!:1::::::\n", "shadow:1: user 'b' is not" },
		{ "daemon2:x:10:10:g:/h:/bin/sh\nlocalx:x:20:10:g:/h:/bin/sh\n", "", "",
		  "passwd:2: user 'localx' is also a local account" },
		{ "a:x:1500:10:g:/h:/bin/sh\n", "", "", "passwd:1: uid 1500 is also used by local" },
		{ "", "lg:x:77:\n", "", "group:1: group 'lg' is also a local account" },
		{ "", "g2:x:4242:\n", "", "group:1: gid 4242 is also used by local 'other'" },
		{ "a:x:10:10:g:/h:/bin/sh\n", "", "#\n\nnobody-here\n", "revoked:3: user 'nobody-here' is not in passwd" },
	};
	char dir[] = "/tmp/bhxh-dirtest.XXXXXX", lp[64], lg[64];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(lp, sizeof(lp), "%s/passwd", dir);
	snprintf(lg, sizeof(lg), "%s/group", dir);
	f = fopen(lp, "w");
	fputs("root:x:0:0:root:/root:/bin/bash\nlocalx:x:1500:1500::/:/bin/sh\n", f);
	fclose(f);
	f = fopen(lg, "w");
	fputs("root:x:0:\nlg:x:1600:\nother:x:4242:\n", f);
	fclose(f);
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(t); i++) {
		struct bhxh_dirsrc s;
		char err[256] = "";
		int r;

		bhxh_dirsrc_init(&s);
		ck_assert_int_eq(parse(&s, BHXH_SRC_PASSWD, t[i].pw, err, sizeof(err)), 0);
		ck_assert_int_eq(parse(&s, BHXH_SRC_GROUP, t[i].gr, err, sizeof(err)), 0);
		r = parse(&s, t[i].sp[0] == '#' ? BHXH_SRC_REVOKED : BHXH_SRC_SHADOW, t[i].sp, err,
			  sizeof(err));
		if (r == 0)
			r = bhxh_dirsrc_validate(&s, lp, lg, err, sizeof(err));
		ck_assert_msg(r == -EINVAL, "case %zu accepted", i);
		ck_assert_msg(strstr(err, t[i].want) != NULL, "case %zu: '%s' lacks '%s'", i, err,
			      t[i].want);
		bhxh_dirsrc_free(&s);
	}
	/* The same group (name and gid) as a local one is a merge, not a
	 * collision. */
	{
		struct bhxh_dirsrc s;
		char err[256] = "";

		bhxh_dirsrc_init(&s);
		ck_assert_int_eq(parse(&s, BHXH_SRC_PASSWD, "", err, sizeof(err)), 0);
		ck_assert_int_eq(parse(&s, BHXH_SRC_GROUP, "lg:x:1600:a,b\n", err, sizeof(err)), 0);
		ck_assert_msg(bhxh_dirsrc_validate(&s, lp, lg, err, sizeof(err)) == 0, "%s", err);
		bhxh_dirsrc_free(&s);
	}
	unlink(lp);
	unlink(lg);
	rmdir(dir);
}
END_TEST

static void image(struct bhxh_dirsrc *s, void **pw, size_t *pwlen, void **sp, size_t *splen)
{
	load_all(s);
	ck_assert_int_eq(bhxh_dirdb_serialize(s, 7, pw, pwlen, sp, splen), 0);
}

START_TEST(round_trip_lookups)
{
	struct bhxh_dirsrc s;
	struct bhxh_db db, sdb;
	void *pw, *sp;
	size_t pwlen, splen;
	const struct bhxh_dbuser *u;
	const struct bhxh_dbgroup *g;
	const struct bhxh_dbmember *m;
	const struct bhxh_dbshadow *e;
	const uint32_t *v;

	image(&s, &pw, &pwlen, &sp, &splen);
	ck_assert_int_eq(bhxh_db_from_memory(pw, pwlen, false, BHXH_DB_CHECKSUM, &db), 0);
	ck_assert_int_eq(bhxh_db_check(&db), 0);
	ck_assert_uint_eq(db.generation, 7);
	ck_assert_uint_eq(db.nusers, 3);
	ck_assert_uint_eq(db.ngroups, 3);
	u = bhxh_db_user_by_name(&db, "bob");
	ck_assert_ptr_nonnull(u);
	ck_assert_uint_eq(u->uid, 200002);
	ck_assert_str_eq(bhxh_db_str(&db, u->gecos), "Bob B");
	ck_assert(u->flags & BHXH_DBU_REVOKED);
	ck_assert(bhxh_db_user_by_uid(&db, 200002) == u);
	ck_assert(!(bhxh_db_user_by_name(&db, "alice")->flags & BHXH_DBU_REVOKED));
	ck_assert_str_eq(bhxh_db_str(&db, bhxh_db_user_by_uid(&db, 200003)->gecos), "");
	ck_assert_ptr_null(bhxh_db_user_by_name(&db, "mallory"));
	ck_assert_ptr_null(bhxh_db_user_by_uid(&db, 1));
	g = bhxh_db_group_by_gid(&db, 200002);
	ck_assert_ptr_nonnull(g);
	ck_assert_str_eq(bhxh_db_str(&db, g->name), "devs");
	ck_assert_uint_eq(g->nmem, 3);
	ck_assert_str_eq(bhxh_db_group_member(&db, g, 0), "bob");
	ck_assert_str_eq(bhxh_db_group_member(&db, g, 1), "localuser");
	ck_assert_str_eq(bhxh_db_group_member(&db, g, 2), "bob");
	ck_assert_ptr_null(bhxh_db_group_member(&db, g, 3));
	ck_assert(bhxh_db_group_by_name(&db, "empty")->nmem == 0);
	/* bob: staff2 and devs once each, though devs lists him twice. */
	m = bhxh_db_member_by_name(&db, "bob");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->ngids, 2);
	v = bhxh_db_u32(&db, m->gids, m->ngids);
	ck_assert_uint_eq(v[0], 200001);
	ck_assert_uint_eq(v[1], 200002);
	m = bhxh_db_member_by_name(&db, "localuser");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->ngids, 1);
	ck_assert_ptr_null(bhxh_db_member_by_name(&db, "carol"));
	ck_assert_int_eq(bhxh_db_from_memory(sp, splen, true, BHXH_DB_CHECKSUM, &sdb), 0);
	ck_assert_int_eq(bhxh_db_check(&sdb), 0);
	e = bhxh_db_shadow_by_name(&sdb, "alice");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(bhxh_db_str(&sdb, e->passwd), "$6$salt$hash");
	ck_assert_int_eq(e->max, 99999);
	ck_assert_int_eq(e->inact, -1);
	ck_assert_int_eq(e->expire, -1);
	ck_assert_uint_eq(e->flag, UINT64_MAX);
	/* A revoked account's shadow entry is expired for pam_unix too. */
	e = bhxh_db_shadow_by_name(&sdb, "bob");
	ck_assert_int_eq(e->expire, 1);
	/* Wrong kind: a passwd image is not a shadow image. */
	ck_assert_int_eq(bhxh_db_from_memory(pw, pwlen, true, 0, &sdb), -EBADMSG);
	free(pw);
	free(sp);
	bhxh_dirsrc_free(&s);
}
END_TEST

/* Every lookup and the full check on a (possibly corrupt) image: must not
 * crash or read out of bounds, whatever it returns. */
static void exercise(const struct bhxh_db *db)
{
	static const char *const names[] = { "alice", "bob", "carol", "devs", "x", "" };

	(void)bhxh_db_check(db);
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(names); i++) {
		(void)bhxh_db_user_by_name(db, names[i]);
		(void)bhxh_db_group_by_name(db, names[i]);
		(void)bhxh_db_member_by_name(db, names[i]);
		(void)bhxh_db_shadow_by_name(db, names[i]);
	}
	for (uint32_t id = 200000; id < 200005; id++) {
		(void)bhxh_db_user_by_uid(db, id);
		(void)bhxh_db_group_by_gid(db, id);
	}
}

START_TEST(corruption_is_detected_or_harmless)
{
	struct bhxh_dirsrc s;
	struct bhxh_db db;
	void *pw, *sp;
	size_t pwlen, splen;
	uint64_t *copy;
	struct bhxh_dbhdr *h;

	image(&s, &pw, &pwlen, &sp, &splen);
	copy = malloc(pwlen + 8);
	/* Truncation anywhere: refused. */
	for (size_t n = 0; n < pwlen; n++) {
		memcpy(copy, pw, n);
		ck_assert_int_eq(bhxh_db_from_memory(copy, n, false, 0, &db), -EBADMSG);
	}
	/* Header bytes: the header checksum catches every flip. */
	for (size_t i = 0; i < sizeof(struct bhxh_dbhdr); i++) {
		memcpy(copy, pw, pwlen);
		((uint8_t *)copy)[i] ^= 0x40;
		ck_assert_msg(bhxh_db_from_memory(copy, pwlen, false, 0, &db) == -EBADMSG,
			      "header byte %zu", i);
	}
	/* Body bytes: the body checksum catches every flip; without it the
	 * reader must still stay in bounds. */
	for (size_t i = sizeof(struct bhxh_dbhdr); i < pwlen; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(copy, pw, pwlen);
			((uint8_t *)copy)[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(bhxh_db_from_memory(copy, pwlen, false, BHXH_DB_CHECKSUM,
							     &db),
					 -EBADMSG);
			if (bhxh_db_from_memory(copy, pwlen, false, 0, &db) == 0)
				exercise(&db);
			((uint8_t *)copy)[i] = 0xff;
			if (bhxh_db_from_memory(copy, pwlen, false, 0, &db) == 0)
				exercise(&db);
		}
	}
	/* A hostile header with a valid checksum: sections out of bounds. */
	memcpy(copy, pw, pwlen);
	h = (struct bhxh_dbhdr *)(void *)copy;
	h->sec[BHXH_SEC_USERS].count = UINT64_MAX / 8;
	h->hdr_sum = bhxh_db_sum(BHXH_DB_SUM_INIT, h, offsetof(struct bhxh_dbhdr, hdr_sum));
	ck_assert_int_eq(bhxh_db_from_memory(copy, pwlen, false, 0, &db), -EBADMSG);
	memcpy(copy, pw, pwlen);
	h->sec[BHXH_SEC_H_UNAME].count = 3; /* not a power of two */
	h->hdr_sum = bhxh_db_sum(BHXH_DB_SUM_INIT, h, offsetof(struct bhxh_dbhdr, hdr_sum));
	ck_assert_int_eq(bhxh_db_from_memory(copy, pwlen, false, 0, &db), -EBADMSG);
	memcpy(copy, pw, pwlen);
	h->sec[BHXH_SEC_STRINGS].off = pwlen - 8 + 4; /* misaligned */
	h->hdr_sum = bhxh_db_sum(BHXH_DB_SUM_INIT, h, offsetof(struct bhxh_dbhdr, hdr_sum));
	ck_assert_int_eq(bhxh_db_from_memory(copy, pwlen, false, 0, &db), -EBADMSG);
	free(copy);
	free(pw);
	free(sp);
	bhxh_dirsrc_free(&s);
}
END_TEST

START_TEST(files_owner_mode_and_revocation)
{
	struct bhxh_dirsrc s;
	struct bhxh_db db;
	void *pw, *sp;
	size_t pwlen, splen;
	char dir[] = "/tmp/bhxh-dirtest.XXXXXX", sub[80], path[128], moved[128], err[256];
	struct stat st;

	image(&s, &pw, &pwlen, &sp, &splen);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/db", dir);
	ck_assert_int_eq(bhxh_dir_is_revoked(sub, "bob"), -ENOENT);
	ck_assert_msg(bhxh_dirdb_install(sub, pw, pwlen, sp, splen, err, sizeof(err)) == 0, "%s",
		      err);
	snprintf(path, sizeof(path), "%s/current/passwd.db", sub);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	snprintf(path, sizeof(path), "%s/current/shadow.db", sub);
	ck_assert_int_eq(stat(path, &st), 0);
	/* root:shadow 0640 like /etc/shadow (0600 for another user or
	 * without a shadow group) */
	if (geteuid() == 0 && getgrnam("shadow") != NULL) {
		ck_assert_uint_eq(st.st_mode & 07777, 0640);
		ck_assert_uint_eq(st.st_gid, getgrnam("shadow")->gr_gid);
	} else {
		ck_assert_uint_eq(st.st_mode & 07777, 0600);
	}
	ck_assert_int_eq(bhxh_db_open(sub, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID | BHXH_DB_CHECKSUM,
				      &db),
			 0);
	ck_assert_int_eq(bhxh_db_check(&db), 0);
	bhxh_db_close(&db);
	ck_assert_int_eq(bhxh_db_open(sub, BHXH_DB_SHADOW, BHXH_DB_TRUST_EUID, &db), 0);
	bhxh_db_close(&db);
	ck_assert_int_eq(bhxh_dir_is_revoked(sub, "bob"), 1);
	ck_assert_int_eq(bhxh_dir_is_revoked(sub, "alice"), 0);
	ck_assert_int_eq(bhxh_dir_is_revoked(sub, "nobody-at-all"), 0);
	/* shadow readable by others, passwd writable by others, directory
	 * writable by others: all refused. */
	ck_assert_int_eq(chmod(path, 0604), 0);
	ck_assert_int_eq(bhxh_db_open(sub, BHXH_DB_SHADOW, BHXH_DB_TRUST_EUID, &db), -EPERM);
	snprintf(path, sizeof(path), "%s/current/passwd.db", sub);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(bhxh_db_open(sub, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db), -EPERM);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(chmod(sub, 0777), 0);
	ck_assert_int_eq(bhxh_db_open(sub, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db), -EPERM);
	ck_assert_int_eq(bhxh_dirdb_install(sub, pw, pwlen, sp, splen, err, sizeof(err)), -EPERM);
	ck_assert_int_eq(chmod(sub, 0755), 0);
	/* The compatibility link is not what readers use: a symlink in place
	 * of the generation's file is not followed. */
	snprintf(moved, sizeof(moved), "%s/moved.db", dir);
	ck_assert_int_eq(rename(path, moved), 0);
	ck_assert_int_eq(symlink(moved, path), 0);
	ck_assert_int_eq(bhxh_db_open(sub, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db), -ELOOP);
	unlink(path);
	unlink(moved);
	/* A foreign file is refused. */
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		char junk[512];

		memset(junk, 'A', sizeof(junk));
		ck_assert_int_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
		close(fd);
		ck_assert_int_eq(bhxh_db_open(sub, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db),
				 -EBADMSG);
		ck_assert_int_lt(bhxh_dir_is_revoked(sub, "bob"), 0);
	}
	rm_rf(dir);
	free(pw);
	free(sp);
	bhxh_dirsrc_free(&s);
}
END_TEST

/* Install, with leftovers of killed builds planted, and look at the
 * directory: `current` names the new generation, the previous one stays
 * until the next build, everything else is gone. */
static unsigned count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(generations_switch_and_leftovers_go)
{
	struct bhxh_dirsrc s;
	struct bhxh_db db, sdb;
	void *pw, *sp;
	size_t pwlen, splen;
	char dir[] = "/tmp/bhxh-dirtest.XXXXXX", path[160], link1[64], link2[64], err[256];
	ssize_t n;
	int fd;

	load_all(&s);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (uint64_t gen = 1; gen <= 3; gen++) {
		ck_assert_int_eq(bhxh_dirdb_serialize(&s, gen, &pw, &pwlen, &sp, &splen), 0);
		if (gen == 3) {
			/* what killed builds leave behind */
			snprintf(path, sizeof(path), "%s/g99-deadbeef", dir);
			ck_assert_int_eq(mkdir(path, 0755), 0);
			snprintf(path, sizeof(path), "%s/g99-deadbeef/passwd.db", dir);
			fd = open(path, O_WRONLY | O_CREAT, 0644);
			ck_assert_int_ge(fd, 0);
			close(fd);
			snprintf(path, sizeof(path), "%s/.current.new", dir);
			ck_assert_int_eq(symlink("g98-00000000", path), 0);
			snprintf(path, sizeof(path), "%s/.passwd.db.4242", dir);
			fd = open(path, O_WRONLY | O_CREAT, 0644);
			ck_assert_int_ge(fd, 0);
			close(fd);
		}
		ck_assert_msg(bhxh_dirdb_install(dir, pw, pwlen, sp, splen, err, sizeof(err)) == 0,
			      "%s", err);
		free(pw);
		bhxh_wipe(sp, splen);
		free(sp);
		ck_assert_int_eq(bhxh_db_open(dir, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db), 0);
		ck_assert_int_eq(bhxh_db_open(dir, BHXH_DB_SHADOW, BHXH_DB_TRUST_EUID, &sdb), 0);
		ck_assert_uint_eq(db.generation, gen);
		ck_assert(bhxh_db_same_build(&db, &sdb));
		bhxh_db_close(&db);
		bhxh_db_close(&sdb);
		snprintf(path, sizeof(path), "%s/current", dir);
		n = readlink(path, link1, sizeof(link1) - 1);
		ck_assert_int_gt(n, 0);
		link1[n] = '\0';
		ck_assert(bhxh_db_gen_name_ok(link1));
		ck_assert_int_eq((int)strtol(link1 + 1, NULL, 10), (int)gen);
		/* this generation and the one before it, nothing else */
		ck_assert_uint_eq(count_entries(dir, "g"), gen == 1 ? 1 : 2);
		ck_assert_uint_eq(count_entries(dir, "."), 3); /* . .. .lock */
		snprintf(path, sizeof(path), "%s/passwd.db", dir);
		n = readlink(path, link2, sizeof(link2) - 1);
		ck_assert_int_gt(n, 0);
		link2[n] = '\0';
		ck_assert_str_eq(link2, "current/passwd.db");
	}
	/* Two images of different builds are refused. */
	{
		void *pw2, *sp2;
		size_t pwlen2, splen2;

		ck_assert_int_eq(bhxh_dirdb_serialize(&s, 4, &pw, &pwlen, &sp, &splen), 0);
		ck_assert_int_eq(bhxh_dirdb_serialize(&s, 4, &pw2, &pwlen2, &sp2, &splen2), 0);
		ck_assert_int_lt(bhxh_dirdb_install(dir, pw, pwlen, sp2, splen2, err, sizeof(err)),
				 0);
		free(pw);
		free(sp);
		free(pw2);
		free(sp2);
	}
	/* A FIFO planted in place of a file is refused at once. */
	snprintf(path, sizeof(path), "%s/current/passwd.db", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(bhxh_db_open(dir, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db), -EPERM);
	ck_assert_int_eq(bhxh_dir_is_revoked(dir, "bob"), -EPERM);
	/* `current` must be a link to a generation name, nothing else. */
	snprintf(path, sizeof(path), "%s/current", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink("/etc", path), 0);
	ck_assert_int_eq(bhxh_db_open(dir, BHXH_DB_PASSWD, BHXH_DB_TRUST_EUID, &db), -EBADMSG);
	rm_rf(dir);
	bhxh_dirsrc_free(&s);
}
END_TEST

/* Every single-bit flip of the passwd.db and shadow.db images: who is
 * revoked never changes silently.  The revocation check answers as before
 * or refuses (-EBADMSG); a shadow entry that still verifies keeps its
 * expiry date; a user record that verifies keeps its uid. */
START_TEST(bit_flips_never_change_who_is_revoked)
{
	struct bhxh_dirsrc s;
	struct bhxh_db db;
	void *pw, *sp;
	size_t pwlen, splen;
	unsigned refused = 0, same = 0;

	image(&s, &pw, &pwlen, &sp, &splen);
	for (size_t byte = 0; byte < pwlen; byte++) {
		for (int bit = 0; bit < 8; bit++) {
			const struct bhxh_dbuser *u;
			int rb, ra;

			((uint8_t *)pw)[byte] ^= (uint8_t)(1u << bit);
			if (bhxh_db_from_memory(pw, pwlen, false, 0, &db) < 0) {
				refused++;
				goto next;
			}
			rb = bhxh_db_revoked(&db, "bob");
			ra = bhxh_db_revoked(&db, "alice");
			ck_assert_msg(rb == 1 || rb == -EBADMSG, "byte %zu bit %d: bob %d", byte, bit,
				      rb);
			ck_assert_msg(ra == 0 || ra == -EBADMSG, "byte %zu bit %d: alice %d", byte,
				      bit, ra);
			if (rb < 0 || ra < 0)
				refused++;
			else
				same++;
			u = bhxh_db_user_by_name(&db, "alice");
			if (u != NULL && bhxh_db_user_ok(&db, u) == 0)
				ck_assert_msg(u->uid == 200001, "byte %zu bit %d", byte, bit);
		next:
			((uint8_t *)pw)[byte] ^= (uint8_t)(1u << bit);
		}
	}
	ck_assert_uint_gt(refused, 0);
	ck_assert_uint_gt(same, 0);
	for (size_t byte = 0; byte < splen; byte++) {
		for (int bit = 0; bit < 8; bit++) {
			const struct bhxh_dbshadow *e;

			((uint8_t *)sp)[byte] ^= (uint8_t)(1u << bit);
			if (bhxh_db_from_memory(sp, splen, true, 0, &db) == 0) {
				e = bhxh_db_shadow_by_name(&db, "bob");
				if (e != NULL && bhxh_db_shadow_ok(&db, e) == 0)
					ck_assert_msg(e->expire == 1 && (e->flags & BHXH_DBU_REVOKED),
						      "byte %zu bit %d", byte, bit);
			}
			((uint8_t *)sp)[byte] ^= (uint8_t)(1u << bit);
		}
	}
	free(pw);
	free(sp);
	bhxh_dirsrc_free(&s);
}
END_TEST

/* A delta source (accounts only) from passwd, shadow and revoked text. */
static void load_delta(struct bhxh_dirsrc *d, const char *pw, const char *sp, const char *rv)
{
	char err[256] = "";

	bhxh_dirsrc_init(d);
	ck_assert_int_eq(parse(d, BHXH_SRC_PASSWD, pw, err, sizeof(err)), 0);
	ck_assert_int_eq(parse(d, BHXH_SRC_GROUP, "", err, sizeof(err)), 0);
	ck_assert_int_eq(parse(d, BHXH_SRC_SHADOW, sp, err, sizeof(err)), 0);
	ck_assert_int_eq(parse(d, BHXH_SRC_REVOKED, rv, err, sizeof(err)), 0);
	ck_assert_msg(bhxh_dirsrc_validate(d, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
}

/* Patch the accounts of d (none new, none deleted) into db/sdb. */
static int patch_d(const struct bhxh_db *db, const struct bhxh_db *sdb,
		   const struct bhxh_dirsrc *d, uint64_t gen, unsigned *what, void **pw,
		   size_t *pwlen, void **sp, size_t *splen)
{
	const struct bhxh_dirdb_delta dl = { d, NULL, NULL, 0, 0 };

	return bhxh_dirdb_patch(db, sdb, &dl, gen, what, pw, pwlen, sp, splen);
}

START_TEST(patch_replaces_accounts_in_place)
{
	struct bhxh_dirsrc s, d;
	struct bhxh_db db, sdb, ndb, nsdb;
	void *pw, *sp, *npw = NULL, *nsp = NULL;
	size_t pwlen, splen, npwlen = 0, nsplen = 0;
	unsigned what[4];
	const struct bhxh_dbuser *u;
	const struct bhxh_dbshadow *e;
	const struct bhxh_dbmember *m;

	image(&s, &pw, &pwlen, &sp, &splen);
	ck_assert_int_eq(bhxh_db_from_memory(pw, pwlen, false, 0, &db), 0);
	ck_assert_int_eq(bhxh_db_from_memory(sp, splen, true, 0, &sdb), 0);
	/* alice: new shell and hash, revoked; bob: no longer revoked */
	load_delta(&d,
		   "alice:x:200001:200002:Alice:/home/alice:/bin/zsh\n"
		   "bob:x:200002:200001:Bob B:/home/bob:/bin/sh\n",
		   "alice:$6$new$hash:19500:0:42:7:::\nbob:!:19000::::::\n", "alice\n");
	ck_assert_int_eq(patch_d(&db, &sdb, &d, 8, what, &npw, &npwlen, &nsp, &nsplen),
			 0);
	ck_assert_uint_eq(what[0], BHXH_PATCH_CHANGED | BHXH_PATCH_REVOKED | BHXH_PATCH_DIFFERS);
	ck_assert_uint_eq(what[1], BHXH_PATCH_CHANGED | BHXH_PATCH_DIFFERS);
	ck_assert_int_eq(bhxh_db_from_memory(npw, npwlen, false, BHXH_DB_CHECKSUM, &ndb), 0);
	ck_assert_int_eq(bhxh_db_from_memory(nsp, nsplen, true, BHXH_DB_CHECKSUM, &nsdb), 0);
	ck_assert_int_eq(bhxh_db_check(&ndb), 0);
	ck_assert_int_eq(bhxh_db_check(&nsdb), 0);
	ck_assert(bhxh_db_same_build(&ndb, &nsdb));
	ck_assert_uint_eq(ndb.generation, 8);
	u = bhxh_db_user_by_name(&ndb, "alice");
	ck_assert_int_eq(bhxh_db_user_ok(&ndb, u), 0);
	ck_assert_str_eq(bhxh_db_str(&ndb, u->shell), "/bin/zsh");
	ck_assert_uint_eq(u->gid, 200002);
	ck_assert(bhxh_db_user_by_uid(&ndb, 200001) == u);
	ck_assert_int_eq(bhxh_db_revoked(&ndb, "alice"), 1);
	ck_assert_int_eq(bhxh_db_revoked(&ndb, "bob"), 0);
	ck_assert_int_eq(bhxh_db_revoked(&ndb, "carol"), 0);
	/* the others as they were; groups and memberships untouched */
	u = bhxh_db_user_by_name(&ndb, "carol");
	ck_assert_int_eq(bhxh_db_user_ok(&ndb, u), 0);
	ck_assert_str_eq(bhxh_db_str(&ndb, u->shell), "/usr/sbin/nologin");
	ck_assert_str_eq(bhxh_db_str(&ndb, bhxh_db_group_by_gid(&ndb, 200002)->name), "devs");
	m = bhxh_db_member_by_name(&ndb, "bob");
	ck_assert_uint_eq(m->ngids, 2);
	e = bhxh_db_shadow_by_name(&nsdb, "alice");
	ck_assert_int_eq(bhxh_db_shadow_ok(&nsdb, e), 0);
	ck_assert_str_eq(bhxh_db_str(&nsdb, e->passwd), "$6$new$hash");
	ck_assert_int_eq(e->lastchg, 19500);
	ck_assert_int_eq(e->max, 42);
	ck_assert_int_eq(e->expire, 1); /* revoked: expired for pam_unix */
	e = bhxh_db_shadow_by_name(&nsdb, "bob");
	ck_assert_int_eq(bhxh_db_shadow_ok(&nsdb, e), 0);
	ck_assert_int_eq(e->expire, -1);
	ck_assert_uint_eq(e->flags, 0);
	free(npw);
	free(nsp);
	npw = nsp = NULL;
	bhxh_dirsrc_free(&d);

	/* nothing differs: 1, no images */
	load_delta(&d, "carol:*:200003:200002::/home/carol:/usr/sbin/nologin\n", "", "");
	ck_assert_int_eq(patch_d(&db, &sdb, &d, 8, what, &npw, &npwlen, &nsp, &nsplen),
			 1);
	ck_assert_ptr_null(npw);
	ck_assert_ptr_null(nsp);
	bhxh_dirsrc_free(&d);
	/* a new account, a new uid, a shadow entry appearing or going: -ESRCH */
	load_delta(&d, "dave:x:200009:200001::/home/dave:/bin/sh\n", "", "");
	ck_assert_int_eq(patch_d(&db, &sdb, &d, 8, what, &npw, &npwlen, &nsp, &nsplen),
			 -ESRCH);
	bhxh_dirsrc_free(&d);
	load_delta(&d, "carol:*:200008:200002::/home/carol:/bin/sh\n", "", "");
	ck_assert_int_eq(patch_d(&db, &sdb, &d, 8, what, &npw, &npwlen, &nsp, &nsplen),
			 -ESRCH);
	bhxh_dirsrc_free(&d);
	load_delta(&d, "carol:*:200003:200002::/home/carol:/bin/sh\n", "carol:*:1::::::\n", "");
	ck_assert_int_eq(patch_d(&db, &sdb, &d, 8, what, &npw, &npwlen, &nsp, &nsplen),
			 -ESRCH);
	bhxh_dirsrc_free(&d);
	load_delta(&d, "alice:x:200001:200001:Alice:/home/alice:/bin/bash\n", "", "");
	ck_assert_int_eq(patch_d(&db, &sdb, &d, 8, what, &npw, &npwlen, &nsp, &nsplen),
			 -ESRCH);
	ck_assert_ptr_null(npw);
	bhxh_dirsrc_free(&d);
	free(pw);
	free(sp);
	bhxh_dirsrc_free(&s);
}
END_TEST

static Suite *dir_suite(void)
{
	Suite *s = suite_create("dir");
	TCase *tc = tcase_create("dir");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, parse_errors_name_file_and_line);
	tcase_add_test(tc, validate_refuses_duplicates_and_collisions);
	tcase_add_test(tc, round_trip_lookups);
	tcase_add_test(tc, patch_replaces_accounts_in_place);
	tcase_add_test(tc, corruption_is_detected_or_harmless);
	tcase_add_test(tc, files_owner_mode_and_revocation);
	tcase_add_test(tc, generations_switch_and_leftovers_go);
	tcase_add_test(tc, bit_flips_never_change_who_is_revoked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dir_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
