/* Validation of a parsed directory source (see dirdb_build.h): duplicates,
 * reserved ids, names in shadow and revoked, collisions with the local
 * files; builds the indexes the writer uses. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirdb_build.h"
#include "dirdb_int.h"
#include "util.h"

const struct bhxh_srcuser *bhxh_dirsrc_user(const struct bhxh_dirsrc *s, const char *name)
{
	long hit = IDX_FIND(&s->uname, bhxh_db_hash_str(name), strcmp(s->users[j].name, name) == 0);

	return hit < 0 ? NULL : &s->users[hit];
}

const struct bhxh_srcgroup *bhxh_dirsrc_group(const struct bhxh_dirsrc *s, const char *name)
{
	long hit =
		IDX_FIND(&s->gname, bhxh_db_hash_str(name), strcmp(s->groups[j].name, name) == 0);

	return hit < 0 ? NULL : &s->groups[hit];
}

static long find_uid(const struct bhxh_dirsrc *s, uint32_t id)
{
	return IDX_FIND(&s->uid, bhxh_db_hash_id(id), s->users[j].uid == id);
}

static long find_gid(const struct bhxh_dirsrc *s, uint32_t id)
{
	return IDX_FIND(&s->gid, bhxh_db_hash_id(id), s->groups[j].gid == id);
}

/* Check one local file (name:x:id:...) against the directory's names and
 * ids.  The local files are read directly, not through NSS, which may
 * include this very directory. */
static int check_local(const struct bhxh_dirsrc *s, const char *path, bool users, char *err,
		       size_t errlen)
{
	char line[4096];
	FILE *f;
	int fd, r = 0;

	fd = bhxh_open_regular(AT_FDCWD, path, O_RDONLY, 0, NULL);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (f == NULL) {
		r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			(void)close(fd);
		(void)bhxh_dirsrc_seterr(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c1 = strchr(line, ':'), *c2, *c3;
		uint32_t id = 0;
		long hit;

		if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		*c1 = '\0';
		c3 = strchr(c2 + 1, ':');
		if (c3 != NULL)
			*c3 = '\0';
		hit = users ? IDX_FIND(&s->uname, bhxh_db_hash_str(line),
				     strcmp(s->users[j].name, line) == 0)
			  : IDX_FIND(&s->gname, bhxh_db_hash_str(line),
				     strcmp(s->groups[j].name, line) == 0);
		if (hit >= 0 && !users && bhxh_dirsrc_parse_id(c2 + 1, &id) == 0 &&
		    s->groups[hit].gid == id) {
			/* The same group (name and gid): the directory adds
			 * members, for "group: files [SUCCESS=merge] bhxh". */
			continue;
		}
		if (hit >= 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "%s:%u: %s '%s' is also a local account in %s",
				   bhxh_dirsrc_file[users ? 0 : 1],
				   users ? s->users[hit].line : s->groups[hit].line,
				   users ? "user" : "group", line, path);
			break;
		}
		if (bhxh_dirsrc_parse_id(c2 + 1, &id) < 0)
			continue;
		hit = users ? find_uid(s, id) : find_gid(s, id);
		if (hit >= 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "%s:%u: %s %u is also used by local '%s' in %s",
				   bhxh_dirsrc_file[users ? 0 : 1],
				   users ? s->users[hit].line : s->groups[hit].line,
				   users ? "uid" : "gid", id, line, path);
			break;
		}
	}
	(void)fclose(f);
	return r;
}

int bhxh_dirsrc_validate(struct bhxh_dirsrc *s, const char *local_passwd,
			 const char *local_group, char *err, size_t errlen)
{
	struct bhxh_srcidx spname = { NULL, 0 };
	int r;

	if (idx_init(&s->uname, s->nusers) < 0 || idx_init(&s->uid, s->nusers) < 0 ||
	    idx_init(&s->gname, s->ngroups) < 0 || idx_init(&s->gid, s->ngroups) < 0 ||
	    idx_init(&spname, s->nsp) < 0) {
		r = -ENOMEM;
		(void)bhxh_dirsrc_seterr(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	for (size_t i = 0; i < s->nusers; i++) {
		const struct bhxh_srcuser *u = &s->users[i];
		uint32_t d;

		d = IDX_INSERT(&s->uname, bhxh_db_hash_str(u->name), i,
			       strcmp(s->users[j].name, u->name) == 0);
		if (d != 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "passwd:%u: duplicate user '%s' (line %u)",
				   u->line, u->name, s->users[d - 1].line);
			goto out;
		}
		d = IDX_INSERT(&s->uid, bhxh_db_hash_id(u->uid), i, s->users[j].uid == u->uid);
		if (d != 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "passwd:%u: duplicate uid %u (line %u)", u->line,
				   u->uid, s->users[d - 1].line);
			goto out;
		}
	}
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct bhxh_srcgroup *g = &s->groups[i];
		uint32_t d;

		d = IDX_INSERT(&s->gname, bhxh_db_hash_str(g->name), i,
			       strcmp(s->groups[j].name, g->name) == 0);
		if (d != 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "group:%u: duplicate group '%s' (line %u)",
				   g->line, g->name, s->groups[d - 1].line);
			goto out;
		}
		d = IDX_INSERT(&s->gid, bhxh_db_hash_id(g->gid), i, s->groups[j].gid == g->gid);
		if (d != 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "group:%u: duplicate gid %u (line %u)", g->line,
				   g->gid, s->groups[d - 1].line);
			goto out;
		}
	}
	for (size_t i = 0; i < s->nsp; i++) {
		const struct bhxh_srcshadow *sp = &s->sp[i];
		uint32_t d;

		d = IDX_INSERT(&spname, bhxh_db_hash_str(sp->name), i,
			       strcmp(s->sp[j].name, sp->name) == 0);
		if (d != 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "shadow:%u: duplicate entry for '%s'", sp->line,
				   sp->name);
			goto out;
		}
		if (bhxh_dirsrc_user(s, sp->name) == NULL) {
			r = bhxh_dirsrc_seterr(err, errlen, "shadow:%u: user '%s' is not in passwd", sp->line,
				   sp->name);
			goto out;
		}
	}
	for (size_t i = 0; i < s->nrevoked; i++) {
		long hit = IDX_FIND(&s->uname, bhxh_db_hash_str(s->revoked[i].name),
				    strcmp(s->users[j].name, s->revoked[i].name) == 0);

		if (hit < 0) {
			r = bhxh_dirsrc_seterr(err, errlen, "revoked:%u: user '%s' is not in passwd",
				   s->revoked[i].line, s->revoked[i].name);
			goto out;
		}
		s->users[hit].revoked = true;
	}
	r = 0;
	if (local_passwd != NULL)
		r = check_local(s, local_passwd, true, err, errlen);
	if (r == 0 && local_group != NULL)
		r = check_local(s, local_group, false, err, errlen);
out:
	free(spname.t);
	return r;
}

