/* Serializer of a validated directory source into the passwd.db and
 * shadow.db images (see dirdb.h for the layout). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <unistd.h>

#include "dirdb_build.h"
#include "dirdb_int.h"
#include "util.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *data, size_t n)
{
	if (n > BHXH_DB_MAX_SIZE || b->len > BHXH_DB_MAX_SIZE - n)
		return -E2BIG;
	if (b->len + n > b->cap) {
		size_t nc = b->cap == 0 ? 4096 : b->cap;
		uint8_t *q;

		while (nc < b->len + n)
			nc *= 2;
		q = realloc(b->p, nc);
		if (q == NULL)
			return -ENOMEM;
		b->p = q;
		b->cap = nc;
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	return 0;
}

/* Append a string; *off receives its offset ("" is always offset 0). */
static int str_add(struct buf *b, const char *s, uint32_t *off)
{
	if (s[0] == '\0') {
		*off = 0;
		return 0;
	}
	if (b->len > UINT32_MAX)
		return -E2BIG;
	*off = (uint32_t)b->len;
	return buf_add(b, s, strlen(s) + 1);
}

/* A hash table over n records: key i hashes to hv(i). */
static uint32_t *hash_table(size_t n, size_t *ret_size,
			    uint32_t (*hv)(const void *ctx, size_t i), const void *ctx)
{
	size_t sz = n == 0 ? 0 : table_size(n);
	uint32_t *t;

	*ret_size = sz;
	t = calloc(sz == 0 ? 1 : sz, sizeof(*t));
	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t p = hv(ctx, i) & (sz - 1);

		while (t[p] != 0)
			p = (p + 1) & (sz - 1);
		t[p] = (uint32_t)i + 1;
	}
	return t;
}

struct img {
	struct buf strings;
	const struct bhxh_dbuser *users;
	const struct bhxh_dbgroup *groups;
	const struct bhxh_dbmember *mem;
	const struct bhxh_dbshadow *sp;
};

static uint32_t hv_uname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->users[i].name);
}

static uint32_t hv_uid(const void *ctx, size_t i)
{
	return bhxh_db_hash_id(((const struct img *)ctx)->users[i].uid);
}

static uint32_t hv_gname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->groups[i].name);
}

static uint32_t hv_gid(const void *ctx, size_t i)
{
	return bhxh_db_hash_id(((const struct img *)ctx)->groups[i].gid);
}

static uint32_t hv_mname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->mem[i].name);
}

static uint32_t hv_sname(const void *ctx, size_t i)
{
	const struct img *m = ctx;

	return bhxh_db_hash_str((const char *)m->strings.p + m->sp[i].name);
}

const size_t bhxh_dirdb_esz[BHXH_SEC_COUNT] = {
	1, sizeof(struct bhxh_dbuser), sizeof(struct bhxh_dbgroup), 4, 4, 4, 4, 4,
	sizeof(struct bhxh_dbshadow), 4, sizeof(struct bhxh_dbmember), 4, 4,
};

/* Assemble header + sections. */
int bhxh_dirdb_assemble(const char *magic, const struct bhxh_dbbuild *bd,
			const struct bhxh_dbimage *im, void **ret, size_t *ret_len)
{
	const size_t *esz = bhxh_dirdb_esz;
	static const uint8_t zero[8];
	struct bhxh_dbhdr h;
	struct buf b = { NULL, 0, 0 };
	int r;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, magic, sizeof(h.magic));
	h.version = BHXH_DB_VERSION;
	h.hdr_size = sizeof(h);
	h.generation = bd->generation;
	memcpy(h.build_id, bd->id, sizeof(h.build_id));
	h.revoked_sum = im->revoked_sum;
	r = buf_add(&b, &h, sizeof(h));
	for (int i = 0; r == 0 && i < BHXH_SEC_COUNT; i++) {
		if (im->count[i] == 0)
			continue;
		h.sec[i].off = b.len;
		h.sec[i].count = im->count[i];
		r = buf_add(&b, im->data[i], im->count[i] * esz[i]);
		if (r == 0 && b.len % 8 != 0)
			r = buf_add(&b, zero, 8 - b.len % 8);
	}
	if (r < 0) {
		free(b.p);
		return r;
	}
	h.file_size = b.len;
	h.body_sum_kind = BHXH_DB_BODY_MIX;
	h.body_sum = bhxh_db_body_sum(h.body_sum_kind, b.p, b.len);
	h.hdr_sum = bhxh_db_sum(BHXH_DB_SUM_INIT, &h, offsetof(struct bhxh_dbhdr, hdr_sum));
	memcpy(b.p, &h, sizeof(h));
	*ret = b.p;
	*ret_len = b.len;
	return 0;
}

/* Member names: each distinct name listed in any group, with the gids of
 * the groups that list it (duplicates within a group dropped). */
static int build_members(const struct bhxh_dirsrc *s, const uint32_t *occ,
			 struct bhxh_dbmember **ret_mem, size_t *ret_nmem, uint32_t *u32,
			 size_t u32_base)
{
	struct bhxh_srcidx x = { NULL, 0 };
	struct bhxh_dbmember *mem = NULL;
	const char **names = NULL;
	uint32_t *which = NULL, *fill = NULL;
	size_t nmem = 0;
	int r = -ENOMEM;

	if (idx_init(&x, s->nmembers) < 0)
		goto out;
	names = calloc(s->nmembers + 1, sizeof(*names));
	which = calloc(s->nmembers + 1, sizeof(*which));
	mem = calloc(s->nmembers + 1, sizeof(*mem));
	if (names == NULL || which == NULL || mem == NULL)
		goto out;
	/* Pass 1: distinct names, and how many groups list each. */
	for (size_t k = 0; k < s->nmembers; k++) {
		const char *nm = s->members[k];
		uint32_t d = IDX_INSERT(&x, bhxh_db_hash_str(nm), nmem, strcmp(names[j], nm) == 0);

		if (d == 0) {
			/* The name's first occurrence in a member block. */
			names[nmem] = nm;
			mem[nmem].name = occ[k];
			d = (uint32_t)++nmem;
		}
		which[k] = d - 1;
		mem[d - 1].ngids++;
	}
	/* Pass 2: each member's gid list in U32, in group order. */
	fill = calloc(nmem + 1, sizeof(*fill));
	if (fill == NULL)
		goto out;
	for (size_t i = 0, off = u32_base; i < nmem; i++) {
		mem[i].gids = (uint32_t)off;
		off += mem[i].ngids;
	}
	for (size_t gi = 0; gi < s->ngroups; gi++) {
		const struct bhxh_srcgroup *g = &s->groups[gi];

		for (uint32_t k = g->mem; k < g->mem + g->nmem; k++) {
			struct bhxh_dbmember *e = &mem[which[k]];
			uint32_t *list = u32 + (e->gids - u32_base);

			if (fill[which[k]] > 0 && list[fill[which[k]] - 1] == g->gid)
				continue; /* listed twice in the same group */
			list[fill[which[k]]++] = g->gid;
		}
	}
	for (size_t i = 0; i < nmem; i++)
		mem[i].ngids = fill[i]; /* the tail of a shortened list is unused */
	*ret_mem = mem;
	*ret_nmem = nmem;
	mem = NULL;
	r = 0;
out:
	free(x.t);
	free(names);
	free(which);
	free(fill);
	free(mem);
	return r;
}

/* Everything passwd.db is made of, freed by pw_free(). */
struct pwparts {
	struct img m;                /* strings, and the records for hashing */
	struct bhxh_dbuser *users;
	struct bhxh_dbgroup *groups;
	struct bhxh_dbmember *mem;
	size_t nmem;
	uint32_t *u32, *occ;         /* U32 section; member string offsets */
	uint32_t *rev;               /* REVOKED section */
	size_t nrev;
	uint64_t revoked_sum;
	uint32_t *h[BHXH_SEC_COUNT];
	size_t nh[BHXH_SEC_COUNT];
};

static void pw_free(struct pwparts *p)
{
	free(p->m.strings.p);
	free(p->users);
	free(p->groups);
	free(p->mem);
	free(p->u32);
	free(p->occ);
	free(p->rev);
	for (int i = 0; i < BHXH_SEC_COUNT; i++)
		free(p->h[i]);
}

/* USERS (with their strings and checksums) and REVOKED. */
static int build_users(const struct bhxh_dirsrc *s, struct pwparts *p)
{
	struct buf *st = &p->m.strings;
	int r;

	p->users = calloc(s->nusers + 1, sizeof(*p->users));
	p->rev = calloc(s->nusers + 1, sizeof(*p->rev));
	if (p->users == NULL || p->rev == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->nusers; i++) {
		const struct bhxh_srcuser *u = &s->users[i];
		struct bhxh_dbuser *d = &p->users[i];

		if ((r = str_add(st, u->name, &d->name)) < 0 ||
		    (r = str_add(st, u->passwd, &d->passwd)) < 0 ||
		    (r = str_add(st, u->gecos, &d->gecos)) < 0 ||
		    (r = str_add(st, u->dir, &d->dir)) < 0 ||
		    (r = str_add(st, u->shell, &d->shell)) < 0)
			return r;
		d->uid = u->uid;
		d->gid = u->gid;
		d->flags = u->revoked ? BHXH_DBU_REVOKED : 0;
	}
	/* The revoked names once more, one after the other: the check at
	 * every login reads them as one contiguous block. */
	for (size_t i = 0; i < s->nusers; i++)
		if (s->users[i].revoked && (r = str_add(st, s->users[i].name, &p->rev[p->nrev++])) < 0)
			return r;
	/* Checksums once every string is in place (the buffer may move). */
	for (size_t i = 0; i < s->nusers; i++)
		p->users[i].sum = bhxh_db_user_sum(&p->users[i], (const char *)st->p, st->len);
	p->revoked_sum = p->nrev == 0 ? bhxh_db_mix(BHXH_DB_SUM_INIT, "", 0)
				      : bhxh_db_mix(BHXH_DB_SUM_INIT, st->p + p->rev[0],
						    st->len - p->rev[0]);
	return 0;
}

/* GROUPS and their member blocks: U32 [0, nmembers) holds each name's
 * offset in its block, occ[] its absolute string offset. */
static int build_groups(const struct bhxh_dirsrc *s, struct pwparts *p)
{
	struct buf *st = &p->m.strings;
	int r;

	p->groups = calloc(s->ngroups + 1, sizeof(*p->groups));
	/* U32: member string offsets of every group, then the gid lists. */
	p->u32 = calloc(2 * s->nmembers + 1, sizeof(*p->u32));
	p->occ = calloc(s->nmembers + 1, sizeof(*p->occ));
	if (p->groups == NULL || p->u32 == NULL || p->occ == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct bhxh_srcgroup *g = &s->groups[i];
		struct bhxh_dbgroup *d = &p->groups[i];

		if ((r = str_add(st, g->name, &d->name)) < 0 ||
		    (r = str_add(st, g->passwd, &d->passwd)) < 0)
			return r;
		d->gid = g->gid;
		d->mem = g->mem;
		d->nmem = g->nmem;
		d->memblk = (uint32_t)st->len;
		for (uint32_t k = g->mem; k < g->mem + g->nmem; k++) {
			const char *nm = s->members[k];

			if (st->len > UINT32_MAX / 2)
				return -E2BIG;
			p->occ[k] = (uint32_t)st->len;
			p->u32[k] = p->occ[k] - d->memblk;
			if ((r = buf_add(st, nm, strlen(nm) + 1)) < 0)
				return r;
		}
		d->memlen = (uint32_t)(st->len - d->memblk);
		if (d->memlen == 0)
			d->memblk = 0;
	}
	return 0;
}

/* The hash indexes of passwd.db. */
static int build_pw_hashes(const struct bhxh_dirsrc *s, struct pwparts *p)
{
	p->m.users = p->users;
	p->m.groups = p->groups;
	p->m.mem = p->mem;
	if ((p->h[BHXH_SEC_H_UNAME] = hash_table(s->nusers, &p->nh[BHXH_SEC_H_UNAME], hv_uname,
						 &p->m)) == NULL ||
	    (p->h[BHXH_SEC_H_UID] = hash_table(s->nusers, &p->nh[BHXH_SEC_H_UID], hv_uid,
					       &p->m)) == NULL ||
	    (p->h[BHXH_SEC_H_GNAME] = hash_table(s->ngroups, &p->nh[BHXH_SEC_H_GNAME], hv_gname,
						 &p->m)) == NULL ||
	    (p->h[BHXH_SEC_H_GID] = hash_table(s->ngroups, &p->nh[BHXH_SEC_H_GID], hv_gid,
					       &p->m)) == NULL ||
	    (p->h[BHXH_SEC_H_MNAME] = hash_table(p->nmem, &p->nh[BHXH_SEC_H_MNAME], hv_mname,
						 &p->m)) == NULL)
		return -ENOMEM;
	return 0;
}

static int build_passwd(const struct bhxh_dirsrc *s, const struct bhxh_dbbuild *bd, void **ret,
			size_t *ret_len)
{
	struct pwparts p;
	struct bhxh_dbimage im;
	int r;

	memset(&p, 0, sizeof(p));
	memset(&im, 0, sizeof(im));
	if ((r = buf_add(&p.m.strings, "", 1)) < 0 || (r = build_users(s, &p)) < 0 ||
	    (r = build_groups(s, &p)) < 0 ||
	    (r = build_members(s, p.occ, &p.mem, &p.nmem, p.u32 + s->nmembers, s->nmembers)) <
		    0 ||
	    (r = build_pw_hashes(s, &p)) < 0)
		goto out;
	im.data[BHXH_SEC_STRINGS] = p.m.strings.p;
	im.count[BHXH_SEC_STRINGS] = p.m.strings.len;
	im.data[BHXH_SEC_USERS] = p.users;
	im.count[BHXH_SEC_USERS] = s->nusers;
	im.data[BHXH_SEC_GROUPS] = p.groups;
	im.count[BHXH_SEC_GROUPS] = s->ngroups;
	im.data[BHXH_SEC_U32] = p.u32;
	im.count[BHXH_SEC_U32] = 2 * s->nmembers;
	im.data[BHXH_SEC_MEMBERS] = p.mem;
	im.count[BHXH_SEC_MEMBERS] = p.nmem;
	im.data[BHXH_SEC_REVOKED] = p.rev;
	im.count[BHXH_SEC_REVOKED] = p.nrev;
	im.revoked_sum = p.revoked_sum;
	for (int i = 0; i < BHXH_SEC_COUNT; i++) {
		if (p.h[i] == NULL)
			continue;
		im.data[i] = p.h[i];
		im.count[i] = p.nh[i];
	}
	r = bhxh_dirdb_assemble(BHXH_DB_MAGIC_PW, bd, &im, ret, ret_len);
out:
	pw_free(&p);
	return r;
}

/* shadow.db: its own strings, the records (a revoked account expires on
 * 1970-01-02, so that pam_unix refuses it too) and the name index. */
static int build_shadow(const struct bhxh_dirsrc *s, const struct bhxh_dbbuild *bd, void **ret,
			size_t *ret_len)
{
	struct img m;
	struct bhxh_dbimage im;
	struct bhxh_dbshadow *sp = calloc(s->nsp + 1, sizeof(*sp));
	uint32_t *h = NULL;
	size_t nh = 0;
	int r = sp == NULL ? -ENOMEM : 0;

	memset(&m, 0, sizeof(m));
	memset(&im, 0, sizeof(im));
	if (r == 0)
		r = buf_add(&m.strings, "", 1);
	for (size_t i = 0; r == 0 && i < s->nsp; i++) {
		const struct bhxh_srcshadow *e = &s->sp[i];
		const struct bhxh_srcuser *u = bhxh_dirsrc_user(s, e->name);

		r = str_add(&m.strings, e->name, &sp[i].name);
		if (r == 0)
			r = str_add(&m.strings, e->passwd, &sp[i].passwd);
		sp[i].lastchg = e->f[0];
		sp[i].min = e->f[1];
		sp[i].max = e->f[2];
		sp[i].warn = e->f[3];
		sp[i].inact = e->f[4];
		sp[i].expire = e->f[5];
		sp[i].flag = e->flag;
		if (u != NULL && u->revoked) {
			sp[i].flags = BHXH_DBU_REVOKED;
			sp[i].expire = 1;
		}
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; i < s->nsp; i++)
		sp[i].sum = bhxh_db_shadow_sum(&sp[i], (const char *)m.strings.p, m.strings.len);
	m.sp = sp;
	h = hash_table(s->nsp, &nh, hv_sname, &m);
	if (h == NULL) {
		r = -ENOMEM;
		goto out;
	}
	im.data[BHXH_SEC_STRINGS] = m.strings.p;
	im.count[BHXH_SEC_STRINGS] = m.strings.len;
	im.data[BHXH_SEC_SHADOW] = sp;
	im.count[BHXH_SEC_SHADOW] = s->nsp;
	im.data[BHXH_SEC_H_SNAME] = h;
	im.count[BHXH_SEC_H_SNAME] = nh;
	r = bhxh_dirdb_assemble(BHXH_DB_MAGIC_SP, bd, &im, ret, ret_len);
out:
	/* the strings hold password hashes */
	if (m.strings.p != NULL)
		bhxh_wipe(m.strings.p, m.strings.cap);
	free(m.strings.p);
	if (sp != NULL)
		bhxh_wipe(sp, (s->nsp + 1) * sizeof(*sp));
	free(sp);
	free(h);
	return r;
}

int bhxh_dirdb_serialize(const struct bhxh_dirsrc *s, uint64_t generation, void **ret_pw,
			 size_t *ret_pwlen, void **ret_sp, size_t *ret_splen)
{
	struct bhxh_dbbuild bd = { .generation = generation };
	void *pw = NULL;
	size_t pwlen = 0;
	int r;

	/* The build id ties the two files together (and names the
	 * generation directory): random, so that two builds of the same
	 * generation number never pass for one. */
	if (getrandom(bd.id, sizeof(bd.id), 0) != (ssize_t)sizeof(bd.id))
		return errno != 0 ? -errno : -EIO;
	r = build_passwd(s, &bd, &pw, &pwlen);
	if (r < 0)
		return r;
	r = build_shadow(s, &bd, ret_sp, ret_splen);
	if (r < 0) {
		free(pw);
		return r;
	}
	*ret_pw = pw;
	*ret_pwlen = pwlen;
	return 0;
}
