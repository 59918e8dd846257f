/* Unit tests of bhxh_dirdb_patch (lib/dirdb_patch.c): accounts added,
 * deleted and changed and group memberships changed are patched into an
 * installed generation, and the result means exactly what a full build of
 * the same directory means (every lookup, the enumeration, the member
 * index of initgroups, the shadow entries, the revocations); what the
 * patch cannot prove right is refused with -ESRCH (the full build then). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirdb.h"
#include "dirdb_build.h"
#include "util.h"

/* ---- a source from text ------------------------------------------------ */

static void parse(struct bhxh_dirsrc *s, enum bhxh_srckind k, const char *text)
{
	static const char *const fname[] = { "passwd", "group", "shadow", "revoked" };
	size_t n = strlen(text);
	char *b = malloc(n + 1), err[256] = "";

	ck_assert_ptr_nonnull(b);
	memcpy(b, text, n);
	free(s->buf[k]);
	s->buf[k] = b;
	ck_assert_msg(bhxh_dirsrc_parse(s, k, fname[k], b, n, err, sizeof(err)) == 0, "%s", err);
}

static void load(struct bhxh_dirsrc *s, const char *pw, const char *gr, const char *sp,
		 const char *rv)
{
	char err[256] = "";

	bhxh_dirsrc_init(s);
	parse(s, BHXH_SRC_PASSWD, pw);
	parse(s, BHXH_SRC_GROUP, gr);
	parse(s, BHXH_SRC_SHADOW, sp);
	parse(s, BHXH_SRC_REVOKED, rv);
	ck_assert_msg(bhxh_dirsrc_validate(s, NULL, NULL, err, sizeof(err)) == 0, "%s", err);
}

struct imgs {
	void *pw, *sp;
	size_t pwlen, splen;
	struct bhxh_db db, sdb;
};

static void open_imgs(struct imgs *m)
{
	ck_assert_int_eq(bhxh_db_from_memory(m->pw, m->pwlen, false, BHXH_DB_CHECKSUM, &m->db), 0);
	ck_assert_int_eq(bhxh_db_from_memory(m->sp, m->splen, true, BHXH_DB_CHECKSUM, &m->sdb), 0);
	ck_assert_int_eq(bhxh_db_check(&m->db), 0);
	ck_assert_int_eq(bhxh_db_check(&m->sdb), 0);
	ck_assert(bhxh_db_same_build(&m->db, &m->sdb));
}

static void full_build(const struct bhxh_dirsrc *s, struct imgs *m)
{
	ck_assert_int_eq(bhxh_dirdb_serialize(s, 7, &m->pw, &m->pwlen, &m->sp, &m->splen), 0);
	open_imgs(m);
}

static void free_imgs(struct imgs *m)
{
	free(m->pw);
	if (m->sp != NULL)
		bhxh_wipe(m->sp, m->splen);
	free(m->sp);
	memset(m, 0, sizeof(*m));
}

static int patch(const struct imgs *o, const struct bhxh_dirsrc *d, const bool *added,
		 const char *const *gone, size_t ngone, uint64_t max_members, unsigned *what,
		 struct imgs *n)
{
	const struct bhxh_dirdb_delta dl = { d, added, gone, ngone, max_members };
	int r;

	memset(n, 0, sizeof(*n));
	r = bhxh_dirdb_patch(&o->db, &o->sdb, &dl, o->db.generation + 1, what, &n->pw, &n->pwlen,
			     &n->sp, &n->splen);
	if (r == 0)
		open_imgs(n);
	else
		ck_assert_ptr_null(n->pw);
	return r;
}

/* ---- the same meaning -------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void same_str(const struct bhxh_db *a, uint32_t oa, const struct bhxh_db *b, uint32_t ob,
		     const char *what)
{
	const char *x = bhxh_db_str(a, oa), *y = bhxh_db_str(b, ob);

	ck_assert_msg(x != NULL && y != NULL && strcmp(x, y) == 0, "%s: '%s' != '%s'", what,
		      x ? x : "(null)", y ? y : "(null)");
}

static void same_users(const struct bhxh_db *a, const struct bhxh_db *b)
{
	ck_assert_uint_eq(a->nusers, b->nusers);
	for (uint64_t i = 0; i < a->nusers; i++) {
		const struct bhxh_dbuser *u = &a->users[i];
		const char *name = bhxh_db_str(a, u->name);
		const struct bhxh_dbuser *v = bhxh_db_user_by_name(b, name);

		ck_assert_msg(v != NULL, "user %s missing", name);
		ck_assert_int_eq(bhxh_db_user_ok(a, u), 0);
		ck_assert_int_eq(bhxh_db_user_ok(b, v), 0);
		ck_assert_uint_eq(u->uid, v->uid);
		ck_assert_uint_eq(u->gid, v->gid);
		ck_assert_uint_eq(u->flags, v->flags);
		ck_assert(bhxh_db_user_by_uid(a, u->uid) == u);
		ck_assert(bhxh_db_user_by_uid(b, u->uid) == v);
		same_str(a, u->passwd, b, v->passwd, name);
		same_str(a, u->gecos, b, v->gecos, name);
		same_str(a, u->dir, b, v->dir, name);
		same_str(a, u->shell, b, v->shell, name);
		ck_assert_int_eq(bhxh_db_revoked(a, name), bhxh_db_revoked(b, name));
	}
	ck_assert_uint_eq(a->nrev, b->nrev);
	for (uint64_t i = 0; i < a->nrev; i++)
		ck_assert_int_eq(bhxh_db_revoked(b, bhxh_db_str(a, a->rev[i])), 1);
}

static void same_groups(const struct bhxh_db *a, const struct bhxh_db *b)
{
	ck_assert_uint_eq(a->ngroups, b->ngroups);
	for (uint64_t i = 0; i < a->ngroups; i++) {
		const struct bhxh_dbgroup *g = &a->groups[i];
		const char *name = bhxh_db_str(a, g->name);
		const struct bhxh_dbgroup *h = bhxh_db_group_by_name(b, name);

		ck_assert_msg(h != NULL, "group %s missing", name);
		ck_assert_uint_eq(g->gid, h->gid);
		ck_assert(bhxh_db_group_by_gid(b, g->gid) == h);
		same_str(a, g->passwd, b, h->passwd, name);
		ck_assert_uint_eq(g->nmem, h->nmem);
		for (uint32_t k = 0; k < g->nmem; k++)
			ck_assert_str_eq(bhxh_db_group_member(a, g, k), bhxh_db_group_member(b, h, k));
	}
	/* initgroups: each name's groups (their order is not a meaning) */
	ck_assert_uint_eq(a->nmem, b->nmem);
	for (uint64_t i = 0; i < a->nmem; i++) {
		const struct bhxh_dbmember *m = &a->mem[i];
		const char *name = bhxh_db_str(a, m->name);
		const struct bhxh_dbmember *n = bhxh_db_member_by_name(b, name);
		uint32_t x[64], y[64];

		ck_assert_msg(n != NULL, "member %s missing", name);
		ck_assert_uint_eq(m->ngids, n->ngids);
		ck_assert_uint_le(m->ngids, 64);
		memcpy(x, bhxh_db_u32(a, m->gids, m->ngids), m->ngids * sizeof(*x));
		memcpy(y, bhxh_db_u32(b, n->gids, n->ngids), n->ngids * sizeof(*y));
		qsort(x, m->ngids, sizeof(*x), cmp_u32);
		qsort(y, m->ngids, sizeof(*y), cmp_u32);
		ck_assert_msg(memcmp(x, y, m->ngids * sizeof(*x)) == 0, "groups of %s", name);
	}
}

static void same_shadow(const struct bhxh_db *a, const struct bhxh_db *b)
{
	ck_assert_uint_eq(a->nsp, b->nsp);
	for (uint64_t i = 0; i < a->nsp; i++) {
		const struct bhxh_dbshadow *e = &a->sp[i];
		const char *name = bhxh_db_str(a, e->name);
		const struct bhxh_dbshadow *f = bhxh_db_shadow_by_name(b, name);

		ck_assert_msg(f != NULL, "shadow %s missing", name);
		ck_assert_int_eq(bhxh_db_shadow_ok(a, e), 0);
		ck_assert_int_eq(bhxh_db_shadow_ok(b, f), 0);
		same_str(a, e->passwd, b, f->passwd, name);
		ck_assert_uint_eq(e->flags, f->flags);
		ck_assert(e->lastchg == f->lastchg && e->min == f->min && e->max == f->max &&
			  e->warn == f->warn && e->inact == f->inact && e->expire == f->expire &&
			  e->flag == f->flag);
	}
}

/* Both ways: a's records in b and (the counts being equal) no other. */
static void same_meaning(const struct imgs *a, const struct imgs *b)
{
	same_users(&a->db, &b->db);
	same_users(&b->db, &a->db);
	same_groups(&a->db, &b->db);
	same_groups(&b->db, &a->db);
	same_shadow(&a->sdb, &b->sdb);
	same_shadow(&b->sdb, &a->sdb);
}

/* ---- the cases --------------------------------------------------------- */

static const char PW[] = "alice:x:200001:200001:Alice:/home/alice:/bin/bash\n"
			 "bob:x:200002:200001:Bob B:/home/bob:/bin/sh\n"
			 "carol:*:200003:200002::/home/carol:/usr/sbin/nologin\n";
static const char GR[] = "staff2:x:200001:alice,bob\n"
			 "devs:x:200002:bob,localuser,bob\n"
			 "empty:x:200003:\n";
static const char SP[] = "alice:$6$salt$hash:19000:0:99999:7:::\n"
			 "bob:!:19000::::::\n";
static const char RV[] = "bob\n";

/* The base image, a delta patched into it, and the full build of the
 * directory after the change: the same meaning. */
static void check_case(const char *dpw, const char *dgr, const char *dsp, const char *drv,
		       const bool *added, const char *const *gone, size_t ngone, const char *apw,
		       const char *agr, const char *asp, const char *arv, unsigned *what)
{
	struct bhxh_dirsrc s, d, t;
	struct imgs base, patched, full;

	load(&s, PW, GR, SP, RV);
	full_build(&s, &base);
	load(&d, dpw, dgr, dsp, drv);
	ck_assert_int_eq(patch(&base, &d, added, gone, ngone, 0, what, &patched), 0);
	load(&t, apw, agr, asp, arv);
	full_build(&t, &full);
	same_meaning(&patched, &full);
	free_imgs(&base);
	free_imgs(&patched);
	free_imgs(&full);
	bhxh_dirsrc_free(&s);
	bhxh_dirsrc_free(&d);
	bhxh_dirsrc_free(&t);
}

START_TEST(added_account_resolves_everywhere)
{
	static const bool added[] = { true };
	unsigned what[2];
	struct bhxh_dirsrc s, d;
	struct imgs base, n;
	const struct bhxh_dbuser *u;
	const struct bhxh_dbmember *m;
	const struct bhxh_dbshadow *e;
	bool seen = false;

	/* dave: new, with a shadow entry */
	check_case("dave:x:200004:200002:Dave:/home/dave:/bin/sh\n", "",
		   "dave:$6$d$h:19100:1:90:7:::\n", "", added, NULL, 0,
		   "alice:x:200001:200001:Alice:/home/alice:/bin/bash\n"
		   "bob:x:200002:200001:Bob B:/home/bob:/bin/sh\n"
		   "carol:*:200003:200002::/home/carol:/usr/sbin/nologin\n"
		   "dave:x:200004:200002:Dave:/home/dave:/bin/sh\n",
		   GR, "alice:$6$salt$hash:19000:0:99999:7:::\nbob:!:19000::::::\n"
		   "dave:$6$d$h:19100:1:90:7:::\n", RV, what);
	ck_assert_uint_eq(what[0], BHXH_PATCH_ADDED | BHXH_PATCH_DIFFERS);

	load(&s, PW, "staff2:x:200001:alice,bob,dave\n" "devs:x:200002:bob\n", SP, RV);
	full_build(&s, &base);
	load(&d, "dave:x:200004:200002:Dave:/home/dave:/bin/sh\n", "", "", "dave\n");
	ck_assert_int_eq(patch(&base, &d, added, NULL, 0, 0, what, &n), 0);
	u = bhxh_db_user_by_name(&n.db, "dave");
	ck_assert_ptr_nonnull(u);
	ck_assert(bhxh_db_user_by_uid(&n.db, 200004) == u);
	ck_assert_str_eq(bhxh_db_str(&n.db, u->shell), "/bin/sh");
	ck_assert_int_eq(bhxh_db_revoked(&n.db, "dave"), 1); /* added revoked */
	ck_assert_int_eq(bhxh_db_revoked(&n.db, "bob"), 1);
	ck_assert_uint_eq(n.db.nusers, 4);
	for (uint64_t i = 0; i < n.db.nusers; i++)
		seen |= strcmp(bhxh_db_str(&n.db, n.db.users[i].name), "dave") == 0;
	ck_assert(seen); /* enumerated */
	m = bhxh_db_member_by_name(&n.db, "dave"); /* in its groups */
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->ngids, 1);
	ck_assert_uint_eq(*bhxh_db_u32(&n.db, m->gids, 1), 200001);
	e = bhxh_db_shadow_by_name(&n.sdb, "dave");
	ck_assert_ptr_null(e); /* it has none */
	free_imgs(&base);
	free_imgs(&n);
	bhxh_dirsrc_free(&s);
	bhxh_dirsrc_free(&d);
}
END_TEST

START_TEST(deleted_account_leaves_every_index)
{
	static const char *const gone_alice[] = { "alice" };
	static const char *const gone_bob_carol[] = { "bob", "carol" };
	unsigned what[2];
	struct bhxh_dirsrc s, d;
	struct imgs base, n;

	/* alice (shadow entry), then bob (revoked) and carol at once; the
	 * groups keep listing the names, as a full build keeps them */
	check_case("", "", "", "", NULL, gone_alice, 1,
		   "bob:x:200002:200001:Bob B:/home/bob:/bin/sh\n"
		   "carol:*:200003:200002::/home/carol:/usr/sbin/nologin\n",
		   GR, "bob:!:19000::::::\n", RV, what);
	check_case("", "", "", "", NULL, gone_bob_carol, 2,
		   "alice:x:200001:200001:Alice:/home/alice:/bin/bash\n", GR,
		   "alice:$6$salt$hash:19000:0:99999:7:::\n", "", what);

	load(&s, PW, GR, SP, RV);
	full_build(&s, &base);
	load(&d, "", "", "", "");
	ck_assert_int_eq(patch(&base, &d, NULL, gone_bob_carol, 2, 0, what, &n), 0);
	ck_assert_ptr_null(bhxh_db_user_by_name(&n.db, "bob"));
	ck_assert_ptr_null(bhxh_db_user_by_uid(&n.db, 200002));
	ck_assert_ptr_null(bhxh_db_user_by_name(&n.db, "carol"));
	ck_assert_ptr_null(bhxh_db_user_by_uid(&n.db, 200003));
	ck_assert_ptr_null(bhxh_db_shadow_by_name(&n.sdb, "bob"));
	ck_assert_int_eq(bhxh_db_revoked(&n.db, "bob"), 0);
	ck_assert_uint_eq(n.db.nrev, 0);
	ck_assert_uint_eq(n.db.nusers, 1);
	ck_assert_str_eq(bhxh_db_str(&n.db, n.db.users[0].name), "alice");
	ck_assert_ptr_nonnull(bhxh_db_user_by_uid(&n.db, 200001));
	free_imgs(&base);
	free_imgs(&n);
	bhxh_dirsrc_free(&s);
	bhxh_dirsrc_free(&d);
}
END_TEST

START_TEST(membership_change_shows_in_initgroups)
{
	unsigned what[4];
	struct bhxh_dirsrc s, d;
	struct imgs base, n;
	const struct bhxh_dbmember *m;

	/* devs: bob and localuser leave, carol and newname come */
	check_case("", "devs:x:200002:carol,newname,carol\n", "", "", NULL, NULL, 0, PW,
		   "staff2:x:200001:alice,bob\n"
		   "devs:x:200002:carol,newname,carol\n"
		   "empty:x:200003:\n",
		   SP, RV, what);
	ck_assert_uint_eq(what[0], BHXH_PATCH_CHANGED | BHXH_PATCH_DIFFERS);
	/* empty gets everyone; staff2 loses everyone */
	check_case("", "empty:x:200003:alice,bob,carol\nstaff2:x:200001:\n", "", "", NULL, NULL, 0,
		   PW,
		   "staff2:x:200001:\n"
		   "devs:x:200002:bob,localuser,bob\n"
		   "empty:x:200003:alice,bob,carol\n",
		   SP, RV, what);

	load(&s, PW, GR, SP, RV);
	full_build(&s, &base);
	load(&d, "", "devs:x:200002:alice\n", "", "");
	ck_assert_int_eq(patch(&base, &d, NULL, NULL, 0, 0, what, &n), 0);
	m = bhxh_db_member_by_name(&n.db, "alice");
	ck_assert_uint_eq(m->ngids, 2);
	m = bhxh_db_member_by_name(&n.db, "bob");
	ck_assert_uint_eq(m->ngids, 1);
	ck_assert_uint_eq(*bhxh_db_u32(&n.db, m->gids, 1), 200001);
	ck_assert_ptr_null(bhxh_db_member_by_name(&n.db, "localuser"));
	free_imgs(&n);
	bhxh_dirsrc_free(&d);
	/* the same list: nothing differs */
	load(&d, "", "devs:x:200002:bob,localuser,bob\n", "", "");
	ck_assert_int_eq(patch(&base, &d, NULL, NULL, 0, 0, what, &n), 1);
	ck_assert_uint_eq(what[0], 0);
	free_imgs(&base);
	bhxh_dirsrc_free(&s);
	bhxh_dirsrc_free(&d);
}
END_TEST

/* What the patch cannot prove right: -ESRCH, no images. */
START_TEST(refusals_fall_back)
{
	static const bool added[] = { true };
	static const char *const gone_dave[] = { "dave" };
	static const char *const gone_alice[] = { "alice" };
	static const struct {
		const char *pw, *gr, *sp;
		const bool *added;
		const char *const *gone;
		size_t ngone;
		uint64_t max_members;
	} t[] = {
		/* an added name or uid already there */
		{ "alice:x:200009:1::/h:/bin/sh\n", "", "", added, NULL, 0, 0 },
		{ "dave:x:200001:1::/h:/bin/sh\n", "", "", added, NULL, 0, 0 },
		/* re-added under a deleted name in the same batch */
		{ "alice:x:200009:1::/h:/bin/sh\n", "", "", added, gone_alice, 1, 0 },
		/* a changed account that is not there, or with a new uid */
		{ "dave:x:200009:1::/h:/bin/sh\n", "", "", NULL, NULL, 0, 0 },
		{ "alice:x:200009:200001:Alice:/home/alice:/bin/bash\n", "", "", NULL, NULL, 0, 0 },
		/* a shadow entry appearing on a changed account */
		{ "carol:*:200003:200002::/home/carol:/bin/sh\n", "", "carol:*:1::::::\n", NULL,
		  NULL, 0, 0 },
		/* a deleted account that is not there */
		{ "", "", "", NULL, gone_dave, 1, 0 },
		/* a group added, renumbered, or with a new password field */
		{ "", "new:x:200009:alice\n", "", NULL, NULL, 0, 0 },
		{ "", "devs:x:200008:bob\n", "", NULL, NULL, 0, 0 },
		{ "", "devs:*:200002:bob\n", "", NULL, NULL, 0, 0 },
		/* more group members in all than the cap */
		{ "", "empty:x:200003:alice,bob,carol\n", "", NULL, NULL, 0, 7 },
	};
	struct bhxh_dirsrc s, d;
	struct imgs base, n;
	unsigned what[4];

	load(&s, PW, GR, SP, RV);
	full_build(&s, &base);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		load(&d, t[i].pw, t[i].gr, t[i].sp, "");
		ck_assert_msg(patch(&base, &d, t[i].added, t[i].gone, t[i].ngone, t[i].max_members,
				    what, &n) == -ESRCH,
			      "case %zu", i);
		bhxh_dirsrc_free(&d);
	}
	/* the cap not reached: patched */
	load(&d, "", "empty:x:200003:alice,carol\n", "", "");
	ck_assert_int_eq(patch(&base, &d, NULL, NULL, 0, 7, what, &n), 0);
	free_imgs(&n);
	bhxh_dirsrc_free(&d);
	/* an index that would be more than half full (8 slots, 3 accounts;
	 * 8 slots, 3 member names) */
	load(&d, "d1:x:300001:1::/h:/bin/sh\nd2:x:300002:1::/h:/bin/sh\n", "", "", "");
	{
		static const bool two[] = { true, true };

		ck_assert_int_eq(patch(&base, &d, two, NULL, 0, 0, what, &n), -ESRCH);
	}
	bhxh_dirsrc_free(&d);
	load(&d, "", "empty:x:200003:n1,n2\n", "", "");
	ck_assert_int_eq(patch(&base, &d, NULL, NULL, 0, 0, what, &n), -ESRCH);
	bhxh_dirsrc_free(&d);
	free_imgs(&base);
	bhxh_dirsrc_free(&s);
}
END_TEST

/* ---- random changes against full builds --------------------------------- */

#define MU 400
#define MG 16
#define MM 24

struct muser {
	char name[16], shell[16], hash[16];
	unsigned uid, gid;
	bool live, sp, rev;
	long lastchg;
};

struct mgroup {
	char name[16];
	unsigned gid;
	unsigned nmem;
	char mem[MM][16];
};

struct model {
	struct muser u[MU];
	unsigned nu;
	struct mgroup g[MG];
	unsigned ng;
	uint64_t rng;
};

static unsigned rnd(struct model *m, unsigned n)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return (unsigned)(m->rng % n);
}

struct text {
	char *p;
	size_t len, cap;
};

static void tx(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tx(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->cap - t->len < 512) {
		t->cap = t->cap ? 2 * t->cap : 65536;
		t->p = realloc(t->p, t->cap);
		ck_assert_ptr_nonnull(t->p);
	}
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void user_lines(const struct muser *u, struct text *pw, struct text *sp, struct text *rv)
{
	tx(pw, "%s:x:%u:%u:G %s:/home/%s:%s\n", u->name, u->uid, u->gid, u->name, u->name,
	   u->shell);
	if (u->sp)
		tx(sp, "%s:%s:%ld:0:99999:7:::\n", u->name, u->hash, u->lastchg);
	if (u->rev)
		tx(rv, "%s\n", u->name);
}

static void group_line(const struct mgroup *g, struct text *gr)
{
	tx(gr, "%s:x:%u:", g->name, g->gid);
	for (unsigned k = 0; k < g->nmem; k++)
		tx(gr, "%s%s", k ? "," : "", g->mem[k]);
	tx(gr, "\n");
}

static void load_texts(struct bhxh_dirsrc *s, struct text *t)
{
	for (int k = 0; k < 4; k++)
		if (t[k].p == NULL)
			tx(&t[k], "%s", "");
	load(s, t[0].p, t[1].p, t[2].p, t[3].p);
	for (int k = 0; k < 4; k++)
		free(t[k].p);
}

static void model_source(const struct model *m, struct bhxh_dirsrc *s)
{
	struct text t[4];

	memset(t, 0, sizeof(t));
	for (unsigned i = 0; i < m->nu; i++)
		if (m->u[i].live)
			user_lines(&m->u[i], &t[0], &t[2], &t[3]);
	for (unsigned i = 0; i < m->ng; i++)
		group_line(&m->g[i], &t[1]);
	load_texts(s, t);
}

static void new_user(struct model *m)
{
	struct muser *u = &m->u[m->nu];

	snprintf(u->name, sizeof(u->name), "u%u", m->nu);
	u->uid = 300000 + m->nu;
	u->gid = 300000 + rnd(m, 5);
	snprintf(u->shell, sizeof(u->shell), "/bin/sh%u", rnd(m, 3));
	snprintf(u->hash, sizeof(u->hash), "$6$%u", rnd(m, 1000));
	u->lastchg = 19000 + rnd(m, 100);
	u->live = true;
	u->sp = rnd(m, 3) != 0;
	u->rev = rnd(m, 8) == 0;
	m->nu++;
}

static void new_members(struct model *m, struct mgroup *g)
{
	g->nmem = rnd(m, MM);
	for (unsigned k = 0; k < g->nmem; k++) {
		if (rnd(m, 5) == 0)
			snprintf(g->mem[k], sizeof(g->mem[k]), "ext%u", rnd(m, 10));
		else
			snprintf(g->mem[k], sizeof(g->mem[k]), "u%u", rnd(m, m->nu + 5));
	}
}

/* One random change of the model; the delta's texts, added flags and gone
 * names describe it. */
struct delta {
	struct text t[4];
	bool added[16];
	unsigned nadded_flags;
	const char *gone[8];
	size_t ngone;
	bool touched[MU];
};

static unsigned live_pick(struct model *m, struct delta *dl)
{
	for (int tries = 0; tries < 50; tries++) {
		unsigned i = rnd(m, m->nu);

		if (m->u[i].live && !dl->touched[i])
			return i;
	}
	return MU;
}

static void random_change(struct model *m, struct delta *dl)
{
	unsigned nd = rnd(m, 4), na = rnd(m, 4), nc = rnd(m, 4), ng = rnd(m, 3);

	memset(dl, 0, sizeof(*dl));
	for (unsigned k = 0; k < nd; k++) {
		unsigned i = live_pick(m, dl);

		if (i == MU)
			continue;
		m->u[i].live = false;
		dl->touched[i] = true;
		dl->gone[dl->ngone++] = m->u[i].name;
	}
	for (unsigned k = 0; k < nc; k++) {
		unsigned i = live_pick(m, dl);
		struct muser *u;

		if (i == MU)
			continue;
		u = &m->u[i];
		dl->touched[i] = true;
		snprintf(u->shell, sizeof(u->shell), "/bin/z%u", rnd(m, 4));
		u->gid = 300000 + rnd(m, 5);
		u->rev = rnd(m, 3) == 0;
		if (u->sp) {
			snprintf(u->hash, sizeof(u->hash), "$6$%u", rnd(m, 1000));
			u->lastchg++;
		}
		dl->added[dl->nadded_flags++] = false;
		user_lines(u, &dl->t[0], &dl->t[2], &dl->t[3]);
	}
	for (unsigned k = 0; k < na && m->nu < MU; k++) {
		new_user(m);
		dl->touched[m->nu - 1] = true;
		dl->added[dl->nadded_flags++] = true;
		user_lines(&m->u[m->nu - 1], &dl->t[0], &dl->t[2], &dl->t[3]);
	}
	for (unsigned k = 0, first = rnd(m, m->ng); k < ng; k++) {
		struct mgroup *g = &m->g[(first + k) % m->ng];

		new_members(m, g);
		group_line(g, &dl->t[1]);
	}
}

/* Would the patch of cur to full fill an index more than half (and
 * rightly fall back)?  Memberships may peak above their final count. */
static bool crowded(const struct imgs *cur, const struct imgs *full)
{
	return 2 * full->db.nusers > cur->db.nh[BHXH_SEC_H_UNAME] ||
	       2 * (full->db.nmem + 3 * MM) > cur->db.nh[BHXH_SEC_H_MNAME] ||
	       2 * full->sdb.nsp > cur->sdb.nh[BHXH_SEC_H_SNAME];
}

START_TEST(random_changes_mean_what_a_full_build_means)
{
	struct model *m = calloc(1, sizeof(*m));
	struct bhxh_dirsrc s;
	struct imgs cur, next, full;
	unsigned patched = 0;

	ck_assert_ptr_nonnull(m);
	m->rng = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	for (unsigned i = 0; i < 200; i++)
		new_user(m);
	m->ng = MG;
	for (unsigned i = 0; i < MG; i++) {
		snprintf(m->g[i].name, sizeof(m->g[i].name), "g%u", i);
		m->g[i].gid = 400000 + i;
		new_members(m, &m->g[i]);
	}
	model_source(m, &s);
	full_build(&s, &cur);
	bhxh_dirsrc_free(&s);
	for (int round = 0; round < 60; round++) {
		struct delta *dl = calloc(1, sizeof(*dl));
		struct bhxh_dirsrc d;
		unsigned what[64];
		int r;

		ck_assert_ptr_nonnull(dl);
		random_change(m, dl);
		load_texts(&d, dl->t);
		r = patch(&cur, &d, dl->added, dl->gone, dl->ngone, 0, what, &next);
		model_source(m, &s);
		full_build(&s, &full);
		ck_assert_msg(r == 0 || r == 1 || (r == -ESRCH && crowded(&cur, &full)),
			      "round %d: %d", round, r);
		if (r == -ESRCH) { /* the follower builds in full then */
			free_imgs(&cur);
			cur = full;
			memset(&full, 0, sizeof(full));
		} else if (r == 0) {
			same_meaning(&next, &full);
			free_imgs(&cur);
			cur = next;
			patched++;
		} else
			same_meaning(&cur, &full);
		free_imgs(&full);
		bhxh_dirsrc_free(&s);
		bhxh_dirsrc_free(&d);
		free(dl);
	}
	ck_assert_uint_gt(patched, 40);
	free_imgs(&cur);
	free(m);
}
END_TEST

static Suite *dirpatch_suite(void)
{
	Suite *s = suite_create("dirpatch");
	TCase *tc = tcase_create("dirpatch");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, added_account_resolves_everywhere);
	tcase_add_test(tc, deleted_account_leaves_every_index);
	tcase_add_test(tc, membership_change_shows_in_initgroups);
	tcase_add_test(tc, refusals_fall_back);
	tcase_add_loop_test(tc, random_changes_mean_what_a_full_build_means, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dirpatch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
