/* db sync --follow with ldap_schema = rfc2307bis: which entries a patch
 * of the installed generation must map again so that group members given
 * by DN resolve as in a full build (see sync_bis.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dirdb.h"
#include "ldap_client.h"
#include "ldap_map.h"
#include "sync_bis.h"

/* A key of a DN that equal DNs share: FNV-1a of its bytes, letters folded,
 * spaces dropped.  bhxh_ldap_dn_canon only folds letters and drops
 * spaces, so DNs it makes equal have the same key (keys that match are
 * then only candidates: the build compares canonical DNs). */
static uint64_t dn_key(const char *dn)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)dn; *p; p++) {
		unsigned char ch = *p;

		if (ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		h = (h ^ ch) * 1099511628211ULL;
	}
	return h == 0 ? 1 : h;
}

/* A set of keys (open addressing, 0 empty). */
struct kset {
	uint64_t *t;
	size_t mask, n;
};

static int kset_init(struct kset *k, size_t n)
{
	size_t sz = 16;

	while (sz < 2 * n + 2)
		sz *= 2;
	k->t = calloc(sz, sizeof(*k->t));
	k->mask = sz - 1;
	k->n = n;
	return k->t == NULL ? -ENOMEM : 0;
}

/* Put key h (at most the n keys the set was made for). */
static void kset_put(struct kset *k, uint64_t h)
{
	size_t p = (size_t)h & k->mask;

	while (k->t[p] != 0 && k->t[p] != h)
		p = (p + 1) & k->mask;
	k->t[p] = h;
}

static bool kset_has(const struct kset *k, uint64_t h)
{
	size_t p = (size_t)h & k->mask;

	while (k->t[p] != 0) {
		if (k->t[p] == h)
			return true;
		p = (p + 1) & k->mask;
	}
	return false;
}

static const struct bhxh_ldap_attr *entry_attr(const struct bhxh_ldap_entry *e, const char *name)
{
	for (size_t i = 0; name[0] != '\0' && i < e->nattrs; i++)
		if (strcasecmp(e->attrs[i].name, name) == 0)
			return &e->attrs[i];
	return NULL;
}

static bool in_list(struct bhxh_ldap_entry *const *l, size_t n, const struct bhxh_ldap_entry *e)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == e)
			return true;
	return false;
}

/* Does group entry e have a name (any value of the group-name attribute)
 * among names? */
static bool group_named(const struct bhxh_ldap_conf *lc, const struct bhxh_ldap_entry *e,
			const char *const *names, size_t n)
{
	const struct bhxh_ldap_attr *a = entry_attr(e, lc->attr.group_name);

	for (size_t v = 0; a != NULL && v < a->nvals; v++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(a->vals[v].p, names[i]) == 0)
				return true;
	return false;
}

/* The names of the groups the installed generation lists the deleted
 * accounts in (*ret, malloc'ed; pointers into o). */
static int gone_groups(const struct bhxh_db *o, const char *const *gone, size_t ngone,
		       const char ***ret, size_t *ret_n)
{
	const char **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < ngone; i++) {
		const struct bhxh_dbmember *m = bhxh_db_member_by_name(o, gone[i]);
		const uint32_t *gids = m != NULL ? bhxh_db_u32(o, m->gids, m->ngids) : NULL;

		if (m != NULL && gids == NULL)
			goto bad;
		for (uint32_t k = 0; m != NULL && k < m->ngids; k++) {
			const struct bhxh_dbgroup *g = bhxh_db_group_by_gid(o, gids[k]);
			const char *nm = g != NULL ? bhxh_db_str(o, g->name) : NULL;

			if (nm == NULL)
				goto bad;
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 16;
				const char **q = realloc(v, nc * sizeof(*q));

				if (q == NULL)
					goto bad;
				v = q;
				cap = nc;
			}
			v[n++] = nm;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
bad:
	free(v);
	return -EBADMSG;
}

/* See sync_bis.h. */
bool sync_bis_entries(const struct bhxh_ldap_conf *lc, struct bhxh_ldap_entry *const *ch,
		      size_t nch, const char *const *gone, size_t ngone, const struct bhxh_db *o,
		      struct bhxh_ldap_entry *const *ents, size_t n,
		      struct bhxh_ldap_entry ***ret, size_t *ret_n)
{
	const char *mattr = lc->attr.member;
	struct kset gdn = { 0 }, adn = { 0 }, rdn = { 0 }, mdn = { 0 };
	struct bhxh_ldap_entry **out = NULL, **grp = NULL;
	const char **gnames = NULL;
	size_t ngn = 0, ng = 0, nadd = 0, nchg = 0, nout = 0, nmem = 0;
	bool *rec = NULL, ok = false;

	*ret = NULL;
	*ret_n = nch;
	for (size_t i = 0; i < nch; i++) {
		nchg += ch[i]->kind == BHXH_LDAP_GROUP;
		nadd += ch[i]->kind == BHXH_LDAP_USER && ch[i]->mapped != NULL &&
			ch[i]->mapped->prev_name == NULL;
	}
	if (nchg + nadd + ngone == 0)
		return true; /* accounts modified alone: no member changes */
	if (gone_groups(o, gone, ngone, &gnames, &ngn) < 0 ||
	    (grp = malloc((n + 1) * sizeof(*grp))) == NULL ||
	    (out = malloc((nch + n + 1) * sizeof(*out))) == NULL ||
	    kset_init(&adn, nadd) < 0)
		goto out;
	/* one pass over the entries (each a cache miss at 100,000): the groups */
	for (size_t i = 0; i < n; i++)
		if (ents[i]->kind == BHXH_LDAP_GROUP)
			grp[ng++] = ents[i];
	if ((rec = calloc(ng + 1, sizeof(*rec))) == NULL || kset_init(&gdn, ng) < 0)
		goto out;
	memcpy(out, ch, nch * sizeof(*out));
	nout = nch;
	for (size_t i = 0; i < nch; i++)
		if (ch[i]->kind == BHXH_LDAP_USER && ch[i]->mapped != NULL &&
		    ch[i]->mapped->prev_name == NULL)
			kset_put(&adn, dn_key(ch[i]->dn));
	/* the groups to map again: changed, listing an account added, or
	 * listing a deleted one */
	for (size_t i = 0; i < ng; i++) {
		const struct bhxh_ldap_entry *e = grp[i];
		const struct bhxh_ldap_attr *mb = entry_attr(e, mattr);

		kset_put(&gdn, dn_key(e->dn));
		rec[i] = in_list(ch, nch, e) || group_named(lc, e, gnames, ngn);
		for (size_t v = 0; !rec[i] && nadd > 0 && mb != NULL && v < mb->nvals; v++)
			rec[i] = kset_has(&adn, dn_key(mb->vals[v].p));
		if (rec[i]) {
			nmem += mb != NULL ? mb->nvals : 0;
			if (!in_list(ch, nch, e))
				out[nout++] = grp[i];
		}
	}
	if (kset_init(&rdn, nout) < 0 || kset_init(&mdn, nmem) < 0)
		goto out;
	for (size_t i = 0; i < ng; i++)
		if (rec[i])
			kset_put(&rdn, dn_key(grp[i]->dn));
	/* no nesting around them: no group lists one of them, none of them
	 * lists a group; the DNs they list */
	for (size_t i = 0; i < ng; i++) {
		const struct bhxh_ldap_attr *mb = entry_attr(grp[i], mattr);

		for (size_t v = 0; mb != NULL && v < mb->nvals; v++) {
			uint64_t h = dn_key(mb->vals[v].p);

			if (kset_has(&rdn, h) || (rec[i] && kset_has(&gdn, h)))
				goto out;
			if (rec[i])
				kset_put(&mdn, h);
		}
	}
	/* the accounts they list */
	for (size_t i = 0; nmem > 0 && i < n; i++)
		if (ents[i]->kind == BHXH_LDAP_USER && kset_has(&mdn, dn_key(ents[i]->dn)) &&
		    !in_list(ch, nch, ents[i]))
			out[nout++] = ents[i];
	ok = true;
out:
	free(gdn.t);
	free(adn.t);
	free(rdn.t);
	free(mdn.t);
	free(rec);
	free(grp);
	free(gnames);
	if (!ok) {
		free(out);
		return false;
	}
	*ret = out;
	*ret_n = nout;
	return true;
}
