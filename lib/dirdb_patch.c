/* A new generation made from the installed one by patching the accounts
 * that changed in place (see dirdb_build.h, bhxh_dirdb_patch): what a
 * change of a running follower costs no longer grows with the directory. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dirdb_build.h"
#include "dirdb_int.h"
#include "util.h"

struct sbuf {
	char *p;
	size_t len, cap;
};

static int sb_add(struct sbuf *b, const void *s, size_t n)
{
	if (n > BHXH_DB_MAX_SIZE || b->len > BHXH_DB_MAX_SIZE - n || b->len + n > UINT32_MAX)
		return -E2BIG;
	if (b->len + n > b->cap) {
		size_t nc = b->cap < 4096 ? 4096 : b->cap;
		char *q;

		while (nc < b->len + n)
			nc *= 2;
		q = malloc(nc);
		if (q == NULL)
			return -ENOMEM;
		if (b->p != NULL) {
			memcpy(q, b->p, b->len);
			bhxh_wipe(b->p, b->cap); /* shadow strings hold hashes */
			free(b->p);
		}
		b->p = q;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

static void sb_free(struct sbuf *b)
{
	if (b->p != NULL) {
		bhxh_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* Point *off at s: unchanged when the string there is s already, else s
 * appended ("" is offset 0).  *differs is set when it changed. */
static int set_str(struct sbuf *st, uint32_t *off, const char *s, bool *differs)
{
	size_t n = strlen(s) + 1;

	if (*off < st->len && strcmp(st->p + *off, s) == 0)
		return 0;
	*differs = true;
	if (s[0] == '\0') {
		*off = 0;
		return 0;
	}
	*off = (uint32_t)st->len;
	return sb_add(st, s, n);
}

static const struct bhxh_srcshadow *delta_shadow(const struct bhxh_dirsrc *d, const char *name)
{
	for (size_t i = 0; i < d->nsp; i++)
		if (strcmp(d->sp[i].name, name) == 0)
			return &d->sp[i];
	return NULL;
}

/* The sections of an installed image, as they are. */
static void sections_of(const struct bhxh_db *db, struct bhxh_dbimage *im)
{
	const struct bhxh_dbhdr *h = (const void *)db->base;

	memset(im, 0, sizeof(*im));
	for (int i = 0; i < BHXH_SEC_COUNT; i++) {
		im->count[i] = h->sec[i].count;
		im->data[i] = h->sec[i].count ? db->base + h->sec[i].off : NULL;
	}
	im->revoked_sum = h->revoked_sum;
}

/* passwd.db: the users of the delta patched, the revoked block rewritten
 * when the set changed. */
static int patch_pw(const struct bhxh_db *o, const struct bhxh_dirsrc *d,
		    const struct bhxh_dbbuild *bd, unsigned *what, void **ret, size_t *ret_len)
{
	struct bhxh_dbuser *users = NULL;
	uint32_t *rev = NULL;
	struct sbuf st = { NULL, 0, 0 };
	struct bhxh_dbimage im;
	bool rev_changed = false;
	size_t nrev = 0;
	int r = -ENOMEM;

	users = malloc((o->nusers + 1) * sizeof(*users));
	if (users == NULL)
		goto out;
	memcpy(users, o->users, o->nusers * sizeof(*users));
	if ((r = sb_add(&st, o->strings, o->nstrings)) < 0)
		goto out;
	for (size_t i = 0; i < d->nusers; i++) {
		const struct bhxh_srcuser *s = &d->users[i];
		struct bhxh_dbuser *u = &users[bhxh_db_user_by_name(o, s->name) - o->users];
		bool was = (u->flags & BHXH_DBU_REVOKED) != 0, differs = false;

		if ((r = set_str(&st, &u->passwd, s->passwd, &differs)) < 0 ||
		    (r = set_str(&st, &u->gecos, s->gecos, &differs)) < 0 ||
		    (r = set_str(&st, &u->dir, s->dir, &differs)) < 0 ||
		    (r = set_str(&st, &u->shell, s->shell, &differs)) < 0)
			goto out;
		differs |= u->gid != s->gid || was != s->revoked;
		u->gid = s->gid;
		u->flags = s->revoked ? BHXH_DBU_REVOKED : 0;
		if (differs)
			what[i] |= BHXH_PATCH_CHANGED | BHXH_PATCH_DIFFERS;
		if (s->revoked && !was)
			what[i] |= BHXH_PATCH_REVOKED;
		rev_changed |= was != s->revoked;
	}
	for (size_t i = 0; i < d->nusers; i++) {
		struct bhxh_dbuser *u = &users[bhxh_db_user_by_name(o, d->users[i].name) - o->users];

		u->sum = bhxh_db_user_sum(u, st.p, st.len);
	}
	sections_of(o, &im);
	if (rev_changed) {
		/* the names still revoked, then the new ones: one new block */
		size_t start = st.len;

		rev = calloc(o->nrev + d->nusers + 1, sizeof(*rev));
		if (rev == NULL) {
			r = -ENOMEM;
			goto out;
		}
		for (uint64_t k = 0; k < o->nrev; k++) {
			const char *nm = bhxh_db_str(o, o->rev[k]);
			const struct bhxh_srcuser *s = nm ? bhxh_dirsrc_user(d, nm) : NULL;

			if (nm == NULL || (s != NULL && !s->revoked))
				continue;
			rev[nrev++] = (uint32_t)st.len;
			if ((r = sb_add(&st, nm, strlen(nm) + 1)) < 0)
				goto out;
		}
		for (size_t i = 0; i < d->nusers; i++)
			if (what[i] & BHXH_PATCH_REVOKED) {
				rev[nrev++] = (uint32_t)st.len;
				if ((r = sb_add(&st, d->users[i].name, strlen(d->users[i].name) + 1)) < 0)
					goto out;
			}
		im.data[BHXH_SEC_REVOKED] = rev;
		im.count[BHXH_SEC_REVOKED] = nrev;
		im.revoked_sum = bhxh_db_mix(BHXH_DB_SUM_INIT, nrev ? st.p + start : "",
					     nrev ? st.len - start : 0);
	}
	im.data[BHXH_SEC_STRINGS] = st.p;
	im.count[BHXH_SEC_STRINGS] = st.len;
	im.data[BHXH_SEC_USERS] = users;
	r = bhxh_dirdb_assemble(BHXH_DB_MAGIC_PW, bd, &im, ret, ret_len);
out:
	free(users);
	free(rev);
	sb_free(&st);
	return r;
}

/* shadow.db: the shadow entries of the delta's users patched. */
static int patch_sp(const struct bhxh_db *o, const struct bhxh_dirsrc *d,
		    const struct bhxh_dbbuild *bd, unsigned *what, void **ret, size_t *ret_len)
{
	struct bhxh_dbshadow *sp = NULL;
	struct sbuf st = { NULL, 0, 0 };
	struct bhxh_dbimage im;
	int r = -ENOMEM;

	sp = malloc((o->nsp + 1) * sizeof(*sp));
	if (sp == NULL)
		goto out;
	memcpy(sp, o->sp, o->nsp * sizeof(*sp));
	if ((r = sb_add(&st, o->strings, o->nstrings)) < 0)
		goto out;
	for (size_t i = 0; i < d->nusers; i++) {
		const struct bhxh_srcuser *u = &d->users[i];
		const struct bhxh_srcshadow *s = delta_shadow(d, u->name);
		const struct bhxh_dbshadow *os = bhxh_db_shadow_by_name(o, u->name);
		struct bhxh_dbshadow n;
		bool differs = false;

		if (s == NULL)
			continue; /* no shadow entry before either (checked) */
		n = *os;
		if ((r = set_str(&st, &n.passwd, s->passwd, &differs)) < 0)
			goto out;
		n.lastchg = s->f[0];
		n.min = s->f[1];
		n.max = s->f[2];
		n.warn = s->f[3];
		n.inact = s->f[4];
		n.expire = s->f[5];
		n.flag = s->flag;
		n.flags = 0;
		if (u->revoked) { /* as bhxh_dirdb_serialize: pam_unix refuses it too */
			n.flags = BHXH_DBU_REVOKED;
			n.expire = 1;
		}
		n.sum = 0;
		differs |= memcmp(&n, os, offsetof(struct bhxh_dbshadow, sum)) != 0 ||
			   memcmp(&n.lastchg, &os->lastchg,
				  sizeof(n) - offsetof(struct bhxh_dbshadow, lastchg)) != 0;
		if (differs)
			what[i] |= BHXH_PATCH_DIFFERS;
		sp[os - o->sp] = n;
	}
	for (size_t i = 0; i < d->nusers; i++) {
		const struct bhxh_dbshadow *os = bhxh_db_shadow_by_name(o, d->users[i].name);

		if (os != NULL)
			sp[os - o->sp].sum = bhxh_db_shadow_sum(&sp[os - o->sp], st.p, st.len);
	}
	sections_of(o, &im);
	im.data[BHXH_SEC_STRINGS] = st.p;
	im.count[BHXH_SEC_STRINGS] = st.len;
	im.data[BHXH_SEC_SHADOW] = sp;
	r = bhxh_dirdb_assemble(BHXH_DB_MAGIC_SP, bd, &im, ret, ret_len);
out:
	if (sp != NULL) {
		bhxh_wipe(sp, (o->nsp + 1) * sizeof(*sp));
		free(sp);
	}
	sb_free(&st);
	return r;
}

int bhxh_dirdb_patch(const struct bhxh_db *pw, const struct bhxh_db *sp,
		     const struct bhxh_dirsrc *d, uint64_t generation, unsigned *what,
		     void **ret_pw, size_t *ret_pwlen, void **ret_sp, size_t *ret_splen)
{
	struct bhxh_dbbuild bd = { .generation = generation };
	bool any = false;
	void *p = NULL;
	size_t plen = 0;
	int r;

	/* Only accounts that keep their name and uid, and have a shadow
	 * entry exactly when they had one: the indexes, the memberships and
	 * the local collisions stay as validated by the last full build. */
	for (size_t i = 0; i < d->nusers; i++) {
		const struct bhxh_dbuser *u = bhxh_db_user_by_name(pw, d->users[i].name);

		what[i] = 0;
		if (u == NULL || u->uid != d->users[i].uid ||
		    (bhxh_db_shadow_by_name(sp, d->users[i].name) != NULL) !=
			    (delta_shadow(d, d->users[i].name) != NULL))
			return -ESRCH;
	}
	if (d->ngroups > 0)
		return -ESRCH;
	if (getrandom(bd.id, sizeof(bd.id), 0) != (ssize_t)sizeof(bd.id))
		return errno != 0 ? -errno : -EIO;
	r = patch_pw(pw, d, &bd, what, &p, &plen);
	if (r == 0)
		r = patch_sp(sp, d, &bd, what, ret_sp, ret_splen);
	if (r < 0) {
		free(p);
		return r;
	}
	for (size_t i = 0; i < d->nusers; i++)
		any |= (what[i] & BHXH_PATCH_DIFFERS) != 0;
	if (!any) {
		free(p);
		bhxh_wipe(*ret_sp, *ret_splen);
		free(*ret_sp);
		*ret_sp = NULL;
		return 1;
	}
	*ret_pw = p;
	*ret_pwlen = plen;
	return 0;
}
