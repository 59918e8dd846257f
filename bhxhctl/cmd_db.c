/* bhxhctl db build|verify|diff: the central directory database (dir area). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dirdb.h"
#include "dirdb_build.h"
#include "i18n.h"

#define USAGE                                                                              \
	N_("usage: bhxhctl db build SRC_DIR [--db DIR] [--force]\n"                       \
	   "       bhxhctl db verify [--db DIR]\n"                                         \
	   "       bhxhctl db diff SRC_DIR [--db DIR]")

#define LOCAL_PASSWD "/etc/passwd"
#define LOCAL_GROUP "/etc/group"

/* Root must find root-owned files; a non-root administrator may work on a
 * scratch database of their own. */
static unsigned db_flags(void)
{
	return geteuid() == 0 ? 0 : BHXH_DB_TRUST_EUID;
}

static int load_source(const char *src, struct bhxh_dirsrc *s)
{
	char err[BHXH_ERR_MAX];

	if (bhxh_dirsrc_load(s, src, err, sizeof(err)) < 0 ||
	    bhxh_dirsrc_validate(s, LOCAL_PASSWD, LOCAL_GROUP, err, sizeof(err)) < 0) {
		cli_err(_("%s: refused, nothing installed: %s"), src, err);
		return -EINVAL;
	}
	return 0;
}

static int do_build(struct cli *cli, const char *src, const char *dbdir, bool force)
{
	struct bhxh_dirsrc s;
	struct bhxh_db old, db;
	char err[BHXH_ERR_MAX];
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0;
	uint64_t gen = 1, removed = 0;
	int rc = CLI_ERR, r;

	bhxh_dirsrc_init(&s);
	if (load_source(src, &s) < 0)
		goto out;
	r = bhxh_db_open(dbdir, BHXH_DB_PASSWD, db_flags() | BHXH_DB_CHECKSUM, &old);
	if (r == 0) {
		gen = old.generation + 1;
		for (uint64_t i = 0; i < old.nusers; i++) {
			const char *name = bhxh_db_str(&old, old.users[i].name);

			if (name != NULL && bhxh_dirsrc_user(&s, name) == NULL)
				removed++;
		}
		if (old.nusers > 0 && removed * 100 > cli->conf.dir.db_max_delete * old.nusers &&
		    !force) {
			cli_err(_("refused: this update removes %llu of %llu accounts, more than "
				  "db_max_delete=%llu%%; check the source or use --force"),
				(unsigned long long)removed, (unsigned long long)old.nusers,
				(unsigned long long)cli->conf.dir.db_max_delete);
			bhxh_db_close(&old);
			rc = CLI_NO;
			goto out;
		}
		bhxh_db_close(&old);
	} else if (r != -ENOENT && !force) {
		cli_err(_("the installed database in %s is unusable (%s); use --force to replace it"),
			dbdir, strerror(-r));
		goto out;
	}
	r = bhxh_dirdb_serialize(&s, gen, &pw, &pwlen, &sp, &splen);
	if (r < 0) {
		cli_err(_("cannot build the database: %s"), strerror(-r));
		goto out;
	}
	if (bhxh_dirdb_install(dbdir, pw, pwlen, sp, splen, err, sizeof(err)) < 0) {
		cli_err(_("cannot install the database: %s"), err);
		goto out;
	}
	/* Read back what readers will see. */
	r = bhxh_db_open(dbdir, BHXH_DB_PASSWD, db_flags() | BHXH_DB_CHECKSUM, &db);
	if (r == 0) {
		r = bhxh_db_check(&db);
		bhxh_db_close(&db);
	}
	if (r < 0) {
		cli_err(_("the installed database does not read back: %s"), strerror(-r));
		goto out;
	}
	printf(_("installed generation %llu in %s: %zu users, %zu groups, %zu shadow entries\n"),
	       (unsigned long long)gen, dbdir, s.nusers, s.ngroups, s.nsp);
	rc = CLI_OK;
out:
	free(pw);
	if (sp != NULL) {
		bhxh_wipe(sp, splen);
		free(sp);
	}
	bhxh_dirsrc_free(&s);
	return rc;
}

static int verify_one(const char *dbdir, const char *name, uint64_t *gen,
		      uint8_t id[BHXH_DB_BUILD_ID_LEN])
{
	struct bhxh_db db;
	int r = bhxh_db_open(dbdir, name, db_flags() | BHXH_DB_CHECKSUM, &db);

	if (r == 0) {
		r = bhxh_db_check(&db);
		if (r == 0) {
			*gen = db.generation;
			memcpy(id, db.build_id, BHXH_DB_BUILD_ID_LEN);
			if (db.shadow)
				printf(_("%s/%s: generation %llu, %llu shadow entries: ok\n"), dbdir,
				       name, (unsigned long long)db.generation,
				       (unsigned long long)db.nsp);
			else
				printf(_("%s/%s: generation %llu, %llu users, %llu groups: ok\n"),
				       dbdir, name, (unsigned long long)db.generation,
				       (unsigned long long)db.nusers, (unsigned long long)db.ngroups);
		}
		bhxh_db_close(&db);
	}
	if (r == -EPERM || r == -ELOOP)
		cli_err(_("%s/%s: must be a regular file owned by root and not writable by others "
			  "(nor readable by others, for shadow.db)"),
			dbdir, name);
	else if (r == -EBADMSG)
		cli_err(_("%s/%s: corrupt, truncated or not a pam_bhxh database"), dbdir, name);
	else if (r < 0)
		cli_err("%s/%s: %s", dbdir, name, strerror(-r));
	return r;
}

static int do_verify(const char *dbdir)
{
	uint8_t id1[BHXH_DB_BUILD_ID_LEN], id2[BHXH_DB_BUILD_ID_LEN];
	uint64_t g1 = 0, g2 = 0;
	int r1 = verify_one(dbdir, BHXH_DB_PASSWD, &g1, id1);
	int r2 = verify_one(dbdir, BHXH_DB_SHADOW, &g2, id2);

	if (r1 < 0 || r2 < 0)
		return CLI_NO;
	if (g1 != g2 || memcmp(id1, id2, sizeof(id1)) != 0) {
		cli_err(_("passwd.db and shadow.db are of different builds (generations %llu, %llu): "
			  "run the build again"),
			(unsigned long long)g1, (unsigned long long)g2);
		return CLI_NO;
	}
	return CLI_OK;
}

static bool streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Would the shadow entry change?  (Compared, never printed.)  sdb is
 * empty when shadow.db is missing or unreadable (not root): no answer. */
static bool shadow_differs(const struct bhxh_db *sdb, const struct bhxh_srcuser *u,
			   const struct bhxh_srcshadow *se)
{
	const struct bhxh_dbshadow *o;

	if (sdb->base == NULL)
		return false;
	o = bhxh_db_shadow_by_name(sdb, u->name);
	if (o == NULL || se == NULL)
		return (o == NULL) != (se == NULL);
	return !streq(bhxh_db_str(sdb, o->passwd), se->passwd) || o->lastchg != se->f[0] ||
	       o->min != se->f[1] || o->max != se->f[2] || o->warn != se->f[3] ||
	       o->inact != se->f[4] || o->flag != se->flag ||
	       /* a revocation forces expire; it is reported as such */
	       (!u->revoked && !(o->flags & BHXH_DBU_REVOKED) && o->expire != se->f[5]);
}

/* What changes for one user; returns the number of lines printed. */
static unsigned diff_user(const struct bhxh_db *db, const struct bhxh_db *sdb,
			  const struct bhxh_srcuser *u, const struct bhxh_srcshadow *se)
{
	const struct bhxh_dbuser *o = bhxh_db_user_by_name(db, u->name);
	char what[128] = "";
	bool rev;

	if (o == NULL) {
		printf("+ user %s uid=%u%s\n", u->name, u->uid, u->revoked ? " revoked" : "");
		return 1;
	}
	rev = (o->flags & BHXH_DBU_REVOKED) != 0;
	if (o->uid != u->uid)
		strcat(what, " uid");
	if (o->gid != u->gid)
		strcat(what, " gid");
	if (!streq(bhxh_db_str(db, o->gecos), u->gecos))
		strcat(what, " gecos");
	if (!streq(bhxh_db_str(db, o->dir), u->dir))
		strcat(what, " home");
	if (!streq(bhxh_db_str(db, o->shell), u->shell))
		strcat(what, " shell");
	if (!streq(bhxh_db_str(db, o->passwd), u->passwd))
		strcat(what, " passwd");
	if (rev != u->revoked)
		strcat(what, u->revoked ? " revoked" : " unrevoked");
	if (shadow_differs(sdb, u, se))
		strcat(what, " shadow");
	if (what[0] == '\0')
		return 0;
	printf("~ user %s:%s\n", u->name, what);
	return 1;
}

static unsigned diff_group(const struct bhxh_db *db, const struct bhxh_dirsrc *s,
			   const struct bhxh_srcgroup *g)
{
	const struct bhxh_dbgroup *o = bhxh_db_group_by_name(db, g->name);
	char what[64] = "";
	bool same = true;

	if (o == NULL) {
		printf("+ group %s gid=%u\n", g->name, g->gid);
		return 1;
	}
	if (o->gid != g->gid)
		strcat(what, " gid");
	if (!streq(bhxh_db_str(db, o->passwd), g->passwd))
		strcat(what, " passwd");
	if (o->nmem != g->nmem)
		same = false;
	for (uint32_t i = 0; same && i < g->nmem; i++)
		same = streq(bhxh_db_group_member(db, o, i), s->members[g->mem + i]);
	if (!same)
		strcat(what, " members");
	if (what[0] == '\0')
		return 0;
	printf("~ group %s:%s\n", g->name, what);
	return 1;
}

static int do_diff(const char *src, const char *dbdir)
{
	struct bhxh_dirsrc s;
	struct bhxh_db db, sdb;
	const struct bhxh_srcshadow **sp_of = NULL;
	unsigned added = 0, removed = 0, changed = 0;
	int rc = CLI_ERR, r;

	bhxh_dirsrc_init(&s);
	memset(&db, 0, sizeof(db));
	memset(&sdb, 0, sizeof(sdb));
	if (load_source(src, &s) < 0)
		goto out;
	r = bhxh_db_open(dbdir, BHXH_DB_PASSWD, db_flags(), &db);
	if (r < 0 && r != -ENOENT) {
		cli_err(_("the installed database in %s is unusable: %s"), dbdir, strerror(-r));
		goto out;
	}
	/* shadow.db is root's: without it, shadow changes are not shown. */
	(void)bhxh_db_open(dbdir, BHXH_DB_SHADOW, db_flags(), &sdb);
	sp_of = calloc(s.nusers + 1, sizeof(*sp_of));
	if (sp_of == NULL) {
		cli_err("%s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < s.nsp; i++) {
		const struct bhxh_srcuser *u = bhxh_dirsrc_user(&s, s.sp[i].name);

		if (u != NULL)
			sp_of[u - s.users] = &s.sp[i];
	}
	for (size_t i = 0; i < s.nusers; i++) {
		bool is_new = bhxh_db_user_by_name(&db, s.users[i].name) == NULL;
		unsigned n = diff_user(&db, &sdb, &s.users[i], sp_of[i]);

		*(is_new ? &added : &changed) += n;
	}
	for (uint64_t i = 0; i < db.nusers; i++) {
		const char *name = bhxh_db_str(&db, db.users[i].name);

		if (name != NULL && bhxh_dirsrc_user(&s, name) == NULL) {
			printf("- user %s\n", name);
			removed++;
		}
	}
	for (size_t i = 0; i < s.ngroups; i++) {
		bool is_new = bhxh_db_group_by_name(&db, s.groups[i].name) == NULL;
		unsigned n = diff_group(&db, &s, &s.groups[i]);

		*(is_new ? &added : &changed) += n;
	}
	for (uint64_t i = 0; i < db.ngroups; i++) {
		const char *name = bhxh_db_str(&db, db.groups[i].name);

		if (name != NULL && bhxh_dirsrc_group(&s, name) == NULL) {
			printf("- group %s\n", name);
			removed++;
		}
	}
	printf(_("%u added, %u removed, %u changed\n"), added, removed, changed);
	rc = added + removed + changed > 0 ? CLI_NO : CLI_OK;
out:
	free(sp_of);
	bhxh_db_close(&sdb);
	bhxh_db_close(&db);
	bhxh_dirsrc_free(&s);
	return rc;
}

int cmd_db(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dbdir = NULL, *sub, *src = NULL;
	bool force = false;
	int c;

	if (argc < 1) {
		cli_err("%s", _(USAGE));
		return CLI_ERR;
	}
	sub = argv[0];
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbdir = optarg;
			break;
		case 'f':
			force = true;
			break;
		default:
			cli_err("%s", _(USAGE));
			return c == 'h' ? CLI_OK : CLI_ERR;
		}
	}
	if (strcmp(sub, "build") == 0 || strcmp(sub, "diff") == 0) {
		if (optind + 1 != argc) {
			cli_err("%s", _(USAGE));
			return CLI_ERR;
		}
		src = argv[optind];
	} else if (optind != argc) {
		cli_err(_("unexpected argument '%s'"), argv[optind]);
		return CLI_ERR;
	}
	if (force && strcmp(sub, "build") != 0) {
		cli_err("%s", _("--force is for build"));
		return CLI_ERR;
	}
	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	if (dbdir == NULL)
		dbdir = cli->conf.dir.db_dir;
	if (dbdir[0] != '/') {
		cli_err("%s", _("the database directory must be an absolute path"));
		return CLI_ERR;
	}
	if (strcmp(sub, "build") == 0)
		return do_build(cli, src, dbdir, force);
	if (strcmp(sub, "verify") == 0)
		return do_verify(dbdir);
	if (strcmp(sub, "diff") == 0)
		return do_diff(src, dbdir);
	cli_err(_("unknown db command '%s'"), sub);
	return CLI_ERR;
}
