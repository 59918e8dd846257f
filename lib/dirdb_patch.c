/* A new generation made from the installed one by patching the accounts
 * and groups that changed in place (see dirdb_build.h, bhxh_dirdb_patch):
 * what a change of a running follower costs no longer grows with the
 * directory. */
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
	if (n > 0) /* b->p may still be NULL */
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

/* Append a string: *off its offset ("" is offset 0). */
static int sb_str(struct sbuf *st, const char *s, uint32_t *off)
{
	if (s[0] == '\0') {
		*off = 0;
		return 0;
	}
	*off = (uint32_t)st->len;
	return sb_add(st, s, strlen(s) + 1);
}

/* Point *off at s: unchanged when the string there is s already, else s
 * appended ("" is offset 0).  *differs is set when it changed. */
static int set_str(struct sbuf *st, uint32_t *off, const char *s, bool *differs)
{
	if (*off < st->len && strcmp(st->p + *off, s) == 0)
		return 0;
	*differs = true;
	return sb_str(st, s, off);
}

/* A growable copy of a section of n elements of esz bytes. */
static void *grow_copy(const void *p, size_t n, size_t extra, size_t esz)
{
	void *q = malloc((n + extra + 1) * esz);

	if (q != NULL && n > 0)
		memcpy(q, p, n * esz);
	return q;
}

static const struct bhxh_srcshadow *delta_shadow(const struct bhxh_dirsrc *d, const char *name)
{
	for (size_t i = 0; i < d->nsp; i++)
		if (strcmp(d->sp[i].name, name) == 0)
			return &d->sp[i];
	return NULL;
}

static bool is_gone(const struct bhxh_dirdb_delta *dl, const char *name)
{
	for (size_t i = 0; i < dl->ngone; i++)
		if (strcmp(dl->gone[i], name) == 0)
			return true;
	return false;
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

/* ---- open-addressing tables edited in place ---------------------------- */

/* The hash of the key of record i (ctx: the image being edited). */
typedef uint32_t (*keyhash_fn)(const void *ctx, uint32_t i);

struct tab {
	uint32_t *t;
	size_t n; /* a power of two, or 0 */
	keyhash_fn kh;
};

/* The slot that holds record i, or -1. */
static long tab_slot(const struct tab *x, const void *ctx, uint32_t i)
{
	size_t m = x->n - 1, p;

	if (x->n == 0)
		return -1;
	p = x->kh(ctx, i) & m;
	for (size_t k = 0; k < x->n && x->t[p] != 0; k++, p = (p + 1) & m)
		if (x->t[p] == i + 1)
			return (long)p;
	return -1;
}

/* Take slot s out of a linear-probing table, moving back the entries
 * after it that would otherwise no longer be found. */
static void tab_del(const struct tab *x, const void *ctx, size_t s)
{
	size_t m = x->n - 1, i = s, j = s;

	for (;;) {
		size_t k;

		j = (j + 1) & m;
		if (x->t[j] == 0)
			break;
		k = x->kh(ctx, x->t[j] - 1) & m;
		/* the entry at j may fill i unless its home lies in (i, j] */
		if (j > i ? (k <= i || k > j) : (k <= i && k > j)) {
			x->t[i] = x->t[j];
			i = j;
		}
	}
	x->t[i] = 0;
}

/* Record i into the table; -ESRCH when it would be more than half full
 * (the full build sizes it anew). */
static int tab_put(const struct tab *x, const void *ctx, uint32_t i, size_t nrec)
{
	size_t m = x->n - 1, p;

	if (x->n == 0 || 2 * nrec > x->n)
		return -ESRCH;
	p = x->kh(ctx, i) & m;
	while (x->t[p] != 0)
		p = (p + 1) & m;
	x->t[p] = i + 1;
	return 0;
}

/* Remove record i of an array of *n (esz bytes each) indexed by the
 * tables: out of every table, then the last record moved into its place. */
static int rec_remove(void *arr, size_t esz, size_t *n, uint32_t i, const struct tab *tabs,
		      int ntabs, const void *ctx)
{
	uint32_t last = (uint32_t)*n - 1;

	for (int k = 0; k < ntabs; k++) {
		long s = tab_slot(&tabs[k], ctx, i);

		if (s < 0)
			return -EBADMSG;
		tab_del(&tabs[k], ctx, (size_t)s);
	}
	if (i != last) {
		for (int k = 0; k < ntabs; k++) {
			long s = tab_slot(&tabs[k], ctx, last);

			if (s < 0)
				return -EBADMSG;
			tabs[k].t[s] = i + 1;
		}
		memcpy((char *)arr + i * esz, (char *)arr + last * esz, esz);
	}
	(*n)--;
	return 0;
}

/* ---- passwd.db --------------------------------------------------------- */

/* passwd.db being edited. */
struct pwe {
	const struct bhxh_db *o;
	struct sbuf st;
	struct bhxh_dbuser *users;
	size_t nusers;
	struct bhxh_dbgroup *groups;
	struct bhxh_dbmember *mem;
	size_t nmem, camem;
	uint32_t *u32;
	size_t nu32, cau32;
	struct tab un, uid, mn; /* H_UNAME, H_UID, H_MNAME (copies) */
	uint32_t *rev;
	size_t nrev;
	uint64_t revoked_sum;
	bool rev_changed;
};

static uint32_t kh_uname(const void *ctx, uint32_t i)
{
	const struct pwe *e = ctx;

	return bhxh_db_hash_str(e->st.p + e->users[i].name);
}

static uint32_t kh_uid(const void *ctx, uint32_t i)
{
	return bhxh_db_hash_id(((const struct pwe *)ctx)->users[i].uid);
}

static uint32_t kh_mname(const void *ctx, uint32_t i)
{
	const struct pwe *e = ctx;

	return bhxh_db_hash_str(e->st.p + e->mem[i].name);
}

/* A table as an index for IDX_FIND (no table: nothing found). */
static struct bhxh_srcidx as_idx(const struct tab *x)
{
	struct bhxh_srcidx i = { x->n == 0 ? NULL : x->t, x->n - 1 };

	return i;
}

static long user_find(const struct pwe *e, const char *name)
{
	struct bhxh_srcidx x = as_idx(&e->un);

	return IDX_FIND(&x, bhxh_db_hash_str(name), strcmp(e->st.p + e->users[j].name, name) == 0);
}

static long uid_find(const struct pwe *e, uint32_t uid)
{
	struct bhxh_srcidx x = as_idx(&e->uid);

	return IDX_FIND(&x, bhxh_db_hash_id(uid), e->users[j].uid == uid);
}

static long mem_find(const struct pwe *e, const char *name)
{
	struct bhxh_srcidx x = as_idx(&e->mn);

	return IDX_FIND(&x, bhxh_db_hash_str(name), strcmp(e->st.p + e->mem[j].name, name) == 0);
}

static uint32_t *dup_tab(const struct bhxh_db *o, int sec)
{
	return grow_copy(o->h[sec], o->nh[sec], 0, sizeof(uint32_t));
}

static int pwe_init(struct pwe *e, const struct bhxh_db *o, const struct bhxh_dirdb_delta *dl)
{
	const struct bhxh_dirsrc *d = dl->d;

	memset(e, 0, sizeof(*e));
	e->o = o;
	e->nusers = o->nusers;
	e->nmem = o->nmem;
	e->camem = o->nmem + d->nmembers;
	e->nu32 = o->nu32;
	e->cau32 = o->nu32 + 2 * d->nmembers + 16;
	e->users = grow_copy(o->users, o->nusers, d->nusers, sizeof(*e->users));
	e->groups = grow_copy(o->groups, o->ngroups, 0, sizeof(*e->groups));
	e->mem = grow_copy(o->mem, o->nmem, d->nmembers, sizeof(*e->mem));
	e->u32 = grow_copy(o->u32, o->nu32, e->cau32 - o->nu32, sizeof(uint32_t));
	e->un = (struct tab){ dup_tab(o, BHXH_SEC_H_UNAME), o->nh[BHXH_SEC_H_UNAME], kh_uname };
	e->uid = (struct tab){ dup_tab(o, BHXH_SEC_H_UID), o->nh[BHXH_SEC_H_UID], kh_uid };
	e->mn = (struct tab){ dup_tab(o, BHXH_SEC_H_MNAME), o->nh[BHXH_SEC_H_MNAME], kh_mname };
	if (e->users == NULL || e->groups == NULL || e->mem == NULL || e->u32 == NULL ||
	    e->un.t == NULL || e->uid.t == NULL || e->mn.t == NULL)
		return -ENOMEM;
	if (e->un.n == 0 || e->uid.n == 0)
		return -ESRCH; /* no accounts at all: the full build */
	return sb_add(&e->st, o->strings, o->nstrings);
}

static void pwe_free(struct pwe *e)
{
	free(e->users);
	free(e->groups);
	free(e->mem);
	free(e->u32);
	free(e->un.t);
	free(e->uid.t);
	free(e->mn.t);
	free(e->rev);
	sb_free(&e->st);
}

static int u32_add(struct pwe *e, uint32_t v)
{
	if (e->nu32 == e->cau32) {
		size_t nc = 2 * e->cau32;
		uint32_t *q = realloc(e->u32, nc * sizeof(*q));

		if (q == NULL)
			return -ENOMEM;
		e->u32 = q;
		e->cau32 = nc;
	}
	e->u32[e->nu32++] = v;
	return 0;
}

static int user_remove(struct pwe *e, const char *name)
{
	const struct tab tabs[2] = { e->un, e->uid };
	long i = user_find(e, name);

	if (i < 0)
		return -ESRCH;
	if (e->users[i].flags & BHXH_DBU_REVOKED)
		e->rev_changed = true;
	return rec_remove(e->users, sizeof(*e->users), &e->nusers, (uint32_t)i, tabs, 2, e);
}

static int user_fields(struct sbuf *st, struct bhxh_dbuser *u, const struct bhxh_srcuser *s,
		       bool *differs)
{
	int r;

	if ((r = set_str(st, &u->passwd, s->passwd, differs)) < 0 ||
	    (r = set_str(st, &u->gecos, s->gecos, differs)) < 0 ||
	    (r = set_str(st, &u->dir, s->dir, differs)) < 0 ||
	    (r = set_str(st, &u->shell, s->shell, differs)) < 0)
		return r;
	*differs |= u->gid != s->gid;
	u->gid = s->gid;
	return 0;
}

static int user_add(struct pwe *e, const struct bhxh_dirdb_delta *dl,
		    const struct bhxh_srcuser *s, unsigned *what)
{
	struct bhxh_dbuser *u = &e->users[e->nusers];
	bool differs = false;
	int r;

	if (user_find(e, s->name) >= 0 || uid_find(e, s->uid) >= 0 || is_gone(dl, s->name))
		return -ESRCH;
	memset(u, 0, sizeof(*u));
	u->passwd = u->gecos = u->dir = u->shell = UINT32_MAX; /* all set below */
	if ((r = sb_str(&e->st, s->name, &u->name)) < 0 ||
	    (r = user_fields(&e->st, u, s, &differs)) < 0)
		return r;
	u->uid = s->uid;
	u->flags = s->revoked ? BHXH_DBU_REVOKED : 0;
	e->rev_changed |= s->revoked;
	*what = BHXH_PATCH_ADDED | BHXH_PATCH_DIFFERS;
	if ((r = tab_put(&e->un, e, (uint32_t)e->nusers, e->nusers + 1)) < 0 ||
	    (r = tab_put(&e->uid, e, (uint32_t)e->nusers, e->nusers + 1)) < 0)
		return r;
	e->nusers++;
	return 0;
}

static int user_change(struct pwe *e, const struct bhxh_srcuser *s, unsigned *what)
{
	long i = user_find(e, s->name);
	struct bhxh_dbuser *u;
	bool was, differs = false;
	int r;

	if (i < 0 || e->users[i].uid != s->uid)
		return -ESRCH;
	u = &e->users[i];
	was = (u->flags & BHXH_DBU_REVOKED) != 0;
	if ((r = user_fields(&e->st, u, s, &differs)) < 0)
		return r;
	differs |= was != s->revoked;
	u->flags = s->revoked ? BHXH_DBU_REVOKED : 0;
	if (differs)
		*what |= BHXH_PATCH_CHANGED | BHXH_PATCH_DIFFERS;
	if (s->revoked && !was)
		*what |= BHXH_PATCH_REVOKED;
	e->rev_changed |= was != s->revoked;
	return 0;
}

/* Deletions first (a record moved into a hole keeps its content), then
 * changes and additions, then the checksums of the records touched. */
static int pw_users(struct pwe *e, const struct bhxh_dirdb_delta *dl, unsigned *what)
{
	const struct bhxh_dirsrc *d = dl->d;
	int r;

	for (size_t i = 0; i < dl->ngone; i++)
		if ((r = user_remove(e, dl->gone[i])) < 0)
			return r;
	for (size_t i = 0; i < d->nusers; i++) {
		what[i] = 0;
		r = dl->added != NULL && dl->added[i] ? user_add(e, dl, &d->users[i], &what[i])
						      : user_change(e, &d->users[i], &what[i]);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < d->nusers; i++) {
		long k = user_find(e, d->users[i].name);

		if (k < 0)
			return -EBADMSG;
		e->users[k].sum = bhxh_db_user_sum(&e->users[k], e->st.p, e->st.len);
	}
	return 0;
}

/* The revoked block written anew: the names still revoked, then the
 * newly revoked ones (one contiguous block, its checksum). */
static int pw_revoked(struct pwe *e, const struct bhxh_dirdb_delta *dl, const unsigned *what)
{
	const struct bhxh_dirsrc *d = dl->d;
	size_t start = e->st.len;
	int r;

	e->rev = calloc(e->o->nrev + d->nusers + 1, sizeof(*e->rev));
	if (e->rev == NULL)
		return -ENOMEM;
	for (uint64_t k = 0; k < e->o->nrev; k++) {
		const char *nm = bhxh_db_str(e->o, e->o->rev[k]);
		long i = nm != NULL ? user_find(e, nm) : -1;

		if (i < 0 || !(e->users[i].flags & BHXH_DBU_REVOKED))
			continue;
		e->rev[e->nrev++] = (uint32_t)e->st.len;
		if ((r = sb_add(&e->st, nm, strlen(nm) + 1)) < 0)
			return r;
	}
	for (size_t i = 0; i < d->nusers; i++) {
		const char *nm = d->users[i].name;

		if (!(what[i] & BHXH_PATCH_REVOKED) &&
		    !((what[i] & BHXH_PATCH_ADDED) && d->users[i].revoked))
			continue;
		e->rev[e->nrev++] = (uint32_t)e->st.len;
		if ((r = sb_add(&e->st, nm, strlen(nm) + 1)) < 0)
			return r;
	}
	e->revoked_sum = bhxh_db_mix(BHXH_DB_SUM_INIT, e->nrev ? e->st.p + start : "",
				     e->nrev ? e->st.len - start : 0);
	return 0;
}

/* ---- group memberships ------------------------------------------------- */

/* Give the member name (string offset off) gid, or take it away (add
 * false): its gid list is written anew at the end of U32; a name left in
 * no group leaves the member index, a new one enters it. */
static int member_set(struct pwe *e, const char *name, uint32_t off, uint32_t gid, bool add)
{
	long i = mem_find(e, name);
	struct bhxh_dbmember *m;
	uint32_t start = (uint32_t)e->nu32, n = 0;
	int r;

	if (i < 0) {
		if (!add)
			return -EBADMSG;
		if (e->nmem == e->camem)
			return -ESRCH;
		e->mem[e->nmem] = (struct bhxh_dbmember){ .name = off, .gids = start, .ngids = 0 };
		if ((r = tab_put(&e->mn, e, (uint32_t)e->nmem, e->nmem + 1)) < 0)
			return r;
		i = (long)e->nmem++;
	}
	m = &e->mem[i];
	for (uint32_t k = 0; k < m->ngids; k++) {
		uint32_t g = e->u32[m->gids + k];

		if (g == gid)
			continue;
		if ((r = u32_add(e, g)) < 0)
			return r;
		n++;
		m = &e->mem[i];
	}
	if (add) {
		if ((r = u32_add(e, gid)) < 0)
			return r;
		n++;
	}
	m->gids = start;
	m->ngids = n;
	if (n == 0) {
		const struct tab tabs[1] = { e->mn };

		return rec_remove(e->mem, sizeof(*e->mem), &e->nmem, (uint32_t)i, tabs, 1, e);
	}
	return 0;
}

/* Is the member list of og the names of g? */
static bool same_members(const struct bhxh_db *o, const struct bhxh_dbgroup *og,
			 const struct bhxh_dirsrc *d, const struct bhxh_srcgroup *g)
{
	if (og->nmem != g->nmem)
		return false;
	for (uint32_t k = 0; k < g->nmem; k++) {
		const char *mn = bhxh_db_group_member(o, og, k);

		if (mn == NULL || strcmp(mn, d->members[g->mem + k]) != 0)
			return false;
	}
	return true;
}

/* An index over n names (each name's first position). */
static int names_index(struct bhxh_srcidx *x, const char *const *names, size_t n)
{
	if (idx_init(x, n) < 0)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++)
		(void)IDX_INSERT(x, bhxh_db_hash_str(names[k]), k, strcmp(names[j], names[k]) == 0);
	return 0;
}

static bool in_names(const struct bhxh_srcidx *x, const char *const *names, const char *nm)
{
	return IDX_FIND(x, bhxh_db_hash_str(nm), strcmp(names[j], nm) == 0) >= 0;
}

static bool first_in(const struct bhxh_srcidx *x, const char *const *names, size_t k)
{
	return IDX_FIND(x, bhxh_db_hash_str(names[k]), strcmp(names[j], names[k]) == 0) ==
	       (long)k;
}

/* Who left the group loses gid, who came gets it (each distinct name once). */
static int members_move(struct pwe *e, const char *const *oldn, size_t nold,
			const char *const *newn, const uint32_t *newoff, size_t nnew,
			uint32_t gid)
{
	struct bhxh_srcidx xo = { NULL, 0 }, xn = { NULL, 0 };
	int r;

	if ((r = names_index(&xo, oldn, nold)) < 0 || (r = names_index(&xn, newn, nnew)) < 0)
		goto out;
	for (size_t k = 0; r == 0 && k < nold; k++)
		if (first_in(&xo, oldn, k) && !in_names(&xn, newn, oldn[k]))
			r = member_set(e, oldn[k], 0, gid, false);
	for (size_t k = 0; r == 0 && k < nnew; k++)
		if (first_in(&xn, newn, k) && !in_names(&xo, oldn, newn[k]))
			r = member_set(e, newn[k], newoff[k], gid, true);
out:
	free(xo.t);
	free(xn.t);
	return r;
}

/* The new member block of group gi (its names appended to STRINGS, their
 * offsets inside it to U32, as the full build lays them out); off[k]
 * receives the string offset of name k. */
static int group_block(struct pwe *e, size_t gi, const char *const *names, uint32_t n,
		       uint32_t *off)
{
	struct bhxh_dbgroup *g = &e->groups[gi];
	uint32_t blk = (uint32_t)e->st.len, first = (uint32_t)e->nu32;
	int r;

	for (uint32_t k = 0; k < n; k++) {
		off[k] = (uint32_t)e->st.len;
		if ((r = u32_add(e, off[k] - blk)) < 0 ||
		    (r = sb_add(&e->st, names[k], strlen(names[k]) + 1)) < 0)
			return r;
	}
	g = &e->groups[gi];
	g->mem = first;
	g->nmem = n;
	g->memlen = (uint32_t)e->st.len - blk;
	g->memblk = g->memlen == 0 ? 0 : blk;
	return 0;
}

static bool same_str(const struct bhxh_db *db, uint32_t off, const char *s)
{
	const char *o = bhxh_db_str(db, off);

	return o != NULL && strcmp(o, s) == 0;
}

/* Group j of the delta: the same name, gid and password field as in the
 * installed file (else -ESRCH), its member list replaced. */
static int pw_group(struct pwe *e, const struct bhxh_dirsrc *d, size_t j, unsigned *what)
{
	const struct bhxh_srcgroup *g = &d->groups[j];
	const struct bhxh_dbgroup *og = bhxh_db_group_by_name(e->o, g->name);
	const char *const *newn = &d->members[g->mem];
	const char **oldn = NULL;
	uint32_t *off = NULL;
	int r = -ENOMEM;

	*what = 0;
	if (og == NULL || og->gid != g->gid || !same_str(e->o, og->passwd, g->passwd))
		return -ESRCH;
	if (same_members(e->o, og, d, g))
		return 0;
	*what = BHXH_PATCH_CHANGED | BHXH_PATCH_DIFFERS;
	oldn = calloc(og->nmem + 1, sizeof(*oldn));
	off = calloc(g->nmem + 1, sizeof(*off));
	if (oldn == NULL || off == NULL)
		goto out;
	r = -EBADMSG;
	for (uint32_t k = 0; k < og->nmem; k++)
		if ((oldn[k] = bhxh_db_group_member(e->o, og, k)) == NULL)
			goto out;
	r = group_block(e, (size_t)(og - e->o->groups), newn, g->nmem, off);
	if (r == 0)
		r = members_move(e, oldn, og->nmem, newn, off, g->nmem, g->gid);
out:
	free(oldn);
	free(off);
	return r;
}

static int pw_groups(struct pwe *e, const struct bhxh_dirdb_delta *dl, unsigned *what)
{
	const struct bhxh_dirsrc *d = dl->d;
	uint64_t total = 0;
	int r;

	for (size_t j = 0; j < d->ngroups; j++)
		if ((r = pw_group(e, d, j, &what[d->nusers + j])) < 0)
			return r;
	for (uint64_t g = 0; g < e->o->ngroups; g++)
		total += e->groups[g].nmem;
	return dl->max_members > 0 && total > dl->max_members ? -ESRCH : 0;
}

/* passwd.db: the delta's accounts and groups patched in. */
static int patch_pw(const struct bhxh_db *o, const struct bhxh_dirdb_delta *dl,
		    const struct bhxh_dbbuild *bd, unsigned *what, void **ret, size_t *ret_len)
{
	struct bhxh_dbimage im;
	struct pwe e;
	int r;

	if ((r = pwe_init(&e, o, dl)) < 0 || (r = pw_users(&e, dl, what)) < 0 ||
	    (r = pw_groups(&e, dl, what)) < 0)
		goto out;
	sections_of(o, &im);
	if (e.rev_changed) {
		if ((r = pw_revoked(&e, dl, what)) < 0)
			goto out;
		im.data[BHXH_SEC_REVOKED] = e.rev;
		im.count[BHXH_SEC_REVOKED] = e.nrev;
		im.revoked_sum = e.revoked_sum;
	}
	im.data[BHXH_SEC_STRINGS] = e.st.p;
	im.count[BHXH_SEC_STRINGS] = e.st.len;
	im.data[BHXH_SEC_USERS] = e.users;
	im.count[BHXH_SEC_USERS] = e.nusers;
	im.data[BHXH_SEC_GROUPS] = e.groups;
	im.data[BHXH_SEC_U32] = e.u32;
	im.count[BHXH_SEC_U32] = e.nu32;
	im.data[BHXH_SEC_MEMBERS] = e.mem;
	im.count[BHXH_SEC_MEMBERS] = e.nmem;
	im.data[BHXH_SEC_H_UNAME] = e.un.t;
	im.data[BHXH_SEC_H_UID] = e.uid.t;
	im.data[BHXH_SEC_H_MNAME] = e.mn.t;
	r = bhxh_dirdb_assemble(BHXH_DB_MAGIC_PW, bd, &im, ret, ret_len);
out:
	pwe_free(&e);
	return r;
}

/* ---- shadow.db --------------------------------------------------------- */

struct spe {
	struct sbuf st;
	struct bhxh_dbshadow *sp;
	size_t nsp, casp;
	struct tab sn; /* H_SNAME (a copy) */
};

static uint32_t kh_sname(const void *ctx, uint32_t i)
{
	const struct spe *e = ctx;

	return bhxh_db_hash_str(e->st.p + e->sp[i].name);
}

static long sp_find(const struct spe *e, const char *name)
{
	struct bhxh_srcidx x = as_idx(&e->sn);

	return IDX_FIND(&x, bhxh_db_hash_str(name), strcmp(e->st.p + e->sp[j].name, name) == 0);
}

/* Entry n made from the source entry s of account u (as
 * bhxh_dirdb_serialize makes it: a revoked account expires on 1970-01-02
 * so that pam_unix refuses it too); *differs when it is not what o was. */
static int sp_fill(struct spe *e, struct bhxh_dbshadow *n, const struct bhxh_srcshadow *s,
		   const struct bhxh_srcuser *u, bool *differs)
{
	struct bhxh_dbshadow o = *n;
	int r;

	if ((r = set_str(&e->st, &n->passwd, s->passwd, differs)) < 0)
		return r;
	n->lastchg = s->f[0];
	n->min = s->f[1];
	n->max = s->f[2];
	n->warn = s->f[3];
	n->inact = s->f[4];
	n->expire = s->f[5];
	n->flag = s->flag;
	n->flags = 0;
	if (u->revoked) {
		n->flags = BHXH_DBU_REVOKED;
		n->expire = 1;
	}
	*differs |= n->flags != o.flags ||
		    memcmp(&n->lastchg, &o.lastchg,
			   sizeof(*n) - offsetof(struct bhxh_dbshadow, lastchg)) != 0;
	return 0;
}

static int sp_user(struct spe *e, const struct bhxh_dirdb_delta *dl, size_t i, unsigned *what)
{
	const struct bhxh_srcuser *u = &dl->d->users[i];
	const struct bhxh_srcshadow *s = delta_shadow(dl->d, u->name);
	long k = sp_find(e, u->name);
	bool add = dl->added != NULL && dl->added[i], differs = false;
	int r;

	if (s == NULL && k < 0)
		return 0;
	if ((s == NULL) != (k < 0) && !add)
		return -ESRCH; /* a shadow entry appearing or going: the full build */
	if (add) {
		if (k >= 0 || e->nsp == e->casp)
			return -ESRCH;
		k = (long)e->nsp;
		memset(&e->sp[k], 0, sizeof(e->sp[k]));
		e->sp[k].passwd = UINT32_MAX;
		if ((r = sb_str(&e->st, u->name, &e->sp[k].name)) < 0 ||
		    (r = tab_put(&e->sn, e, (uint32_t)k, e->nsp + 1)) < 0)
			return r;
		e->nsp++;
	}
	if ((r = sp_fill(e, &e->sp[k], s, u, &differs)) < 0)
		return r;
	if (differs)
		*what |= BHXH_PATCH_DIFFERS;
	return 0;
}

/* shadow.db: the shadow entries of the delta's accounts patched, added,
 * or removed with their account. */
static int patch_sp(const struct bhxh_db *o, const struct bhxh_dirdb_delta *dl,
		    const struct bhxh_dbbuild *bd, unsigned *what, void **ret, size_t *ret_len)
{
	const struct bhxh_dirsrc *d = dl->d;
	struct bhxh_dbimage im;
	struct spe e;
	int r = -ENOMEM;

	memset(&e, 0, sizeof(e));
	e.nsp = o->nsp;
	e.casp = o->nsp + d->nusers;
	e.sp = grow_copy(o->sp, o->nsp, d->nusers, sizeof(*e.sp));
	e.sn = (struct tab){ dup_tab(o, BHXH_SEC_H_SNAME), o->nh[BHXH_SEC_H_SNAME], kh_sname };
	if (e.sp == NULL || e.sn.t == NULL || (r = sb_add(&e.st, o->strings, o->nstrings)) < 0)
		goto out;
	for (size_t i = 0; i < dl->ngone; i++) {
		long k = sp_find(&e, dl->gone[i]);
		const struct tab tabs[1] = { e.sn };

		if (k >= 0 &&
		    (r = rec_remove(e.sp, sizeof(*e.sp), &e.nsp, (uint32_t)k, tabs, 1, &e)) < 0)
			goto out;
	}
	for (size_t i = 0; i < d->nusers; i++)
		if ((r = sp_user(&e, dl, i, &what[i])) < 0)
			goto out;
	for (size_t i = 0; i < d->nusers; i++) {
		long k = sp_find(&e, d->users[i].name);

		if (k >= 0)
			e.sp[k].sum = bhxh_db_shadow_sum(&e.sp[k], e.st.p, e.st.len);
	}
	sections_of(o, &im);
	im.data[BHXH_SEC_STRINGS] = e.st.p;
	im.count[BHXH_SEC_STRINGS] = e.st.len;
	im.data[BHXH_SEC_SHADOW] = e.sp;
	im.count[BHXH_SEC_SHADOW] = e.nsp;
	im.data[BHXH_SEC_H_SNAME] = e.sn.t;
	r = bhxh_dirdb_assemble(BHXH_DB_MAGIC_SP, bd, &im, ret, ret_len);
out:
	if (e.sp != NULL) {
		bhxh_wipe(e.sp, (o->nsp + d->nusers + 1) * sizeof(*e.sp));
		free(e.sp);
	}
	free(e.sn.t);
	sb_free(&e.st);
	return r;
}

int bhxh_dirdb_patch(const struct bhxh_db *pw, const struct bhxh_db *sp,
		     const struct bhxh_dirdb_delta *dl, uint64_t generation, unsigned *what,
		     void **ret_pw, size_t *ret_pwlen, void **ret_sp, size_t *ret_splen)
{
	struct bhxh_dbbuild bd = { .generation = generation };
	size_t nw = dl->d->nusers + dl->d->ngroups;
	bool any = dl->ngone > 0;
	void *p = NULL;
	size_t plen = 0;
	int r;

	if (getrandom(bd.id, sizeof(bd.id), 0) != (ssize_t)sizeof(bd.id))
		return errno != 0 ? -errno : -EIO;
	r = patch_pw(pw, dl, &bd, what, &p, &plen);
	if (r == 0)
		r = patch_sp(sp, dl, &bd, what, ret_sp, ret_splen);
	if (r < 0) {
		free(p);
		return r;
	}
	for (size_t i = 0; i < nw; i++)
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
