/* Fuzz target: the directory source files and the database builder
 * (lib/dirdb_build.c), through the path-taking calls of "bhxhctl db build".
 *
 * Input: six parts split at 0x01 bytes: passwd, group, shadow, revoked
 * (written into a source directory; an empty shadow or revoked part means
 * the file is absent) and a local passwd and group (the machine's own
 * files the source must not collide with; empty = not checked).  A source
 * that loads and validates must serialize into images that pass the full
 * check, with every user found again by name and uid.
 * (tests/fuzz/fuzz_dirdb.c fuzzes the in-memory parser and the reader.) */
#include "config.h"

#include "fuzz_common.h"

#include "dirdb.h"
#include "dirdb_build.h"

static const char *const names[] = { "passwd", "group", "shadow", "revoked" };

static void build(const struct bhxh_dirsrc *s)
{
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0;
	struct bhxh_db db, sdb;

	if (bhxh_dirdb_serialize(s, 7, &pw, &pwlen, &sp, &splen) < 0)
		goto out;
	FUZZ_ASSERT(bhxh_db_from_memory(pw, pwlen, false, BHXH_DB_CHECKSUM, &db) == 0);
	FUZZ_ASSERT(bhxh_db_check(&db) == 0);
	FUZZ_ASSERT(bhxh_db_from_memory(sp, splen, true, BHXH_DB_CHECKSUM, &sdb) == 0);
	FUZZ_ASSERT(bhxh_db_check(&sdb) == 0);
	for (size_t i = 0; i < s->nusers; i++) {
		const struct bhxh_dbuser *u = bhxh_db_user_by_name(&db, s->users[i].name);

		FUZZ_ASSERT(u != NULL && u->uid == s->users[i].uid);
		FUZZ_ASSERT(bhxh_db_user_by_uid(&db, s->users[i].uid) == u);
		FUZZ_ASSERT(bhxh_dirsrc_user(s, s->users[i].name) == &s->users[i]);
		(void)bhxh_db_shadow_by_name(&sdb, s->users[i].name);
	}
	for (size_t i = 0; i < s->ngroups; i++)
		FUZZ_ASSERT(bhxh_db_group_by_name(&db, s->groups[i].name) != NULL);
out:
	free(pw);
	free(sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char src[300];
	const char *lp = NULL, *lg = NULL;
	struct bhxh_dirsrc s;
	char *part[6], err[512];

	if (src[0] == '\0') {
		snprintf(src, sizeof(src), "%s/src", fuzz_dir());
		FUZZ_ASSERT(mkdir(src, 0700) == 0);
	}
	fuzz_split(data, size, 0x01, part, 6);
	for (int k = 0; k < 4; k++) {
		if (k >= 2 && part[k][0] == '\0') {
			char path[400];

			snprintf(path, sizeof(path), "%s/%s", src, names[k]);
			(void)unlink(path);
		} else {
			fuzz_write(src, names[k], part[k], strlen(part[k]));
		}
	}
	if (part[4][0] != '\0') {
		static char p[4096];

		memcpy(p, fuzz_write(NULL, "local-passwd", part[4], strlen(part[4])), sizeof(p));
		lp = p;
	}
	if (part[5][0] != '\0')
		lg = fuzz_write(NULL, "local-group", part[5], strlen(part[5]));

	bhxh_dirsrc_init(&s);
	if (bhxh_dirsrc_load(&s, src, err, sizeof(err)) == 0 &&
	    bhxh_dirsrc_validate(&s, lp, lg, err, sizeof(err)) == 0)
		build(&s);
	bhxh_dirsrc_free(&s);
	fuzz_free_parts(part, 6);
	return 0;
}
