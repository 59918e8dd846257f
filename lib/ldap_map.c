/* From LDAP entries to the directory source (see ldap_map.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "ldap_map.h"
#include "util.h"

#define ID_MAX 4294967294ULL

__attribute__((format(printf, 3, 4))) static int seterr(char *err, size_t errlen,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- small helpers ----------------------------------------------------- */

struct tbuf {
	char *p;
	size_t len, cap;
	const char **dn; /* DN of each line (1-based) */
	size_t lines, calines;
};

static int tb_add(struct tbuf *b, const char *s, size_t n)
{
	if (b->len + n + 2 > b->cap) {
		size_t nc = b->cap == 0 ? 65536 : b->cap;
		char *q;

		while (nc < b->len + n + 2)
			nc *= 2;
		if (nc > BHXH_SRC_FILE_MAX)
			return -E2BIG;
		q = malloc(nc);
		if (q == NULL)
			return -ENOMEM;
		if (b->p != NULL) {
			memcpy(q, b->p, b->len);
			bhxh_wipe(b->p, b->cap); /* may hold password hashes */
			free(b->p);
		}
		b->p = q;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int tb_str(struct tbuf *b, const char *s)
{
	return tb_add(b, s, strlen(s));
}

/* End the current line, which came from entry dn. */
static int tb_endline(struct tbuf *b, const char *dn)
{
	int r = tb_add(b, "\n", 1);

	if (r < 0)
		return r;
	if (b->lines + 2 > b->calines) {
		size_t nc = b->calines == 0 ? 1024 : b->calines * 2;
		const char **q = realloc(b->dn, nc * sizeof(*q));

		if (q == NULL)
			return -ENOMEM;
		b->dn = q;
		b->calines = nc;
	}
	b->dn[++b->lines] = dn;
	return 0;
}

static void tb_free(struct tbuf *b)
{
	if (b->p != NULL) {
		bhxh_wipe(b->p, b->cap);
		free(b->p);
	}
	free(b->dn);
	memset(b, 0, sizeof(*b));
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* String -> index map (open addressing; keys are not owned). */
struct smap {
	const char **k;
	size_t *v;
	size_t mask, n;
};

static int smap_init(struct smap *m, size_t n)
{
	size_t sz = 16;

	while (sz < 2 * n + 2)
		sz *= 2;
	m->k = calloc(sz, sizeof(*m->k));
	m->v = calloc(sz, sizeof(*m->v));
	m->mask = sz - 1;
	m->n = 0;
	return m->k == NULL || m->v == NULL ? -ENOMEM : 0;
}

static void smap_free(struct smap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* Insert key -> v unless present; returns the slot. */
static size_t smap_slot(const struct smap *m, const char *key)
{
	size_t p = hash_str(key) & m->mask;

	while (m->k[p] != NULL && strcmp(m->k[p], key) != 0)
		p = (p + 1) & m->mask;
	return p;
}

static bool smap_get(const struct smap *m, const char *key, size_t *ret)
{
	size_t p = smap_slot(m, key);

	if (m->k[p] == NULL)
		return false;
	*ret = m->v[p];
	return true;
}

/* 0 inserted, 1 already there (*old set), -errno. */
static int smap_put(struct smap *m, const char *key, size_t v, size_t *old)
{
	size_t p;

	if (2 * (m->n + 1) > m->mask) {
		struct smap b;
		int r = smap_init(&b, 2 * m->n + 8);

		if (r < 0) {
			smap_free(&b);
			return r;
		}
		for (size_t i = 0; i <= m->mask; i++)
			if (m->k[i] != NULL) {
				size_t q = smap_slot(&b, m->k[i]);

				b.k[q] = m->k[i];
				b.v[q] = m->v[i];
			}
		b.n = m->n;
		smap_free(m);
		*m = b;
	}
	p = smap_slot(m, key);
	if (m->k[p] != NULL) {
		if (old != NULL)
			*old = m->v[p];
		return 1;
	}
	m->k[p] = key;
	m->v[p] = v;
	m->n++;
	return 0;
}

/* ---- entries ----------------------------------------------------------- */

static const struct bhxh_ldap_attr *attr(const struct bhxh_ldap_entry *e, const char *name)
{
	unsigned char c0 = (unsigned char)name[0] | 0x20;

	if (name[0] == '\0')
		return NULL;
	/* the first letter, case-folded, before the full comparison: this is
	 * called some 20 times per entry of a 100,000-entry directory */
	for (size_t i = 0; i < e->nattrs; i++)
		if (((unsigned char)e->attrs[i].name[0] | 0x20) == c0 &&
		    strcasecmp(e->attrs[i].name, name) == 0)
			return e->attrs[i].nvals > 0 ? &e->attrs[i] : NULL;
	return NULL;
}

enum bhxh_ldap_kind bhxh_ldap_kind(const struct bhxh_ldap_attrs *a, const struct bhxh_ldap_entry *e)
{
	static const char *const person[] = { "posixAccount", "shadowAccount", "person",
					      "inetOrgPerson", "user", "account" };
	const struct bhxh_ldap_attr *oc = attr(e, "objectClass");

	if (attr(e, a->uidnumber) != NULL)
		return BHXH_LDAP_USER;
	/* an account without its uid number is still an account (and is
	 * refused as such), not a group */
	for (size_t i = 0; oc != NULL && i < oc->nvals; i++)
		for (size_t k = 0; k < BHXH_ARRAY_SIZE(person); k++)
			if (strcasecmp(oc->vals[i].p, person[k]) == 0)
				return BHXH_LDAP_USER;
	if (attr(e, a->gidnumber) != NULL)
		return BHXH_LDAP_GROUP;
	return BHXH_LDAP_OTHER;
}

void bhxh_ldap_attr_list(const struct bhxh_ldap_conf *c, const char **ret)
{
	static const char *const shadow[] = { "shadowLastChange", "shadowMin", "shadowMax",
					      "shadowWarning",    "shadowInactive", "shadowExpire",
					      "shadowFlag" };
	const struct bhxh_ldap_attrs *a = &c->attr;
	size_t n = 0;

	ret[n++] = "objectClass";
	ret[n++] = a->uid;
	ret[n++] = a->uidnumber;
	ret[n++] = a->gidnumber;
	ret[n++] = a->gecos;
	ret[n++] = a->home;
	ret[n++] = a->shell;
	if (strcasecmp(a->group_name, a->uid) != 0)
		ret[n++] = a->group_name;
	if (strcasecmp(a->group_name, "cn") != 0 && strcasecmp(a->uid, "cn") != 0)
		ret[n++] = "cn"; /* gecos when the gecos attribute is absent */
	ret[n++] = a->member_uid;
	if (c->schema == BHXH_LDAP_RFC2307BIS)
		ret[n++] = a->member;
	if (c->shadow) {
		ret[n++] = a->password;
		for (size_t i = 0; i < BHXH_ARRAY_SIZE(shadow); i++)
			ret[n++] = shadow[i];
		ret[n++] = "pwdChangedTime"; /* ppolicy: newer than shadowLastChange */
	}
	ret[n++] = "pwdAccountLockedTime"; /* ppolicy: the fleet-wide lockout */
	ret[n] = NULL;
}

/* A value fit for a text field: bounded, printable, no ':' (the separator)
 * and, for names, no ',' (the member separator). */
static bool val_ok(const struct bhxh_ldap_val *v)
{
	if (v->len > BHXH_LDAP_VAL_MAX || strlen(v->p) != v->len)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		unsigned char ch = (unsigned char)v->p[i];

		if (ch < 0x20 || ch == 0x7f || ch == ':')
			return false;
	}
	return true;
}

static bool name_ok(const struct bhxh_ldap_val *v)
{
	return val_ok(v) && bhxh_valid_username(v->p) && strchr(v->p, ',') == NULL;
}

/* The value of the RDN's first attribute, for choosing among the values of
 * a multi-valued name ("uid=a,ou=..." -> "a"); out has room for len+1. */
static bool rdn_value(const char *dn, const char *name, const char *v)
{
	size_t nl = strlen(name), vl = strlen(v);

	while (*dn == ' ')
		dn++;
	if (strncasecmp(dn, name, nl) != 0)
		return false;
	dn += nl;
	while (*dn == ' ')
		dn++;
	if (*dn++ != '=')
		return false;
	while (*dn == ' ')
		dn++;
	return strncmp(dn, v, vl) == 0 && (dn[vl] == ',' || dn[vl] == '+' || dn[vl] == '\0');
}

/* The one value of a name attribute: required; several values choose the
 * one in the RDN, else the first (nslcd does the same). */
static int name_of(const struct bhxh_ldap_entry *e, const char *an, const char **ret,
		   char *err, size_t errlen)
{
	const struct bhxh_ldap_attr *a = attr(e, an);
	const struct bhxh_ldap_val *v;

	if (a == NULL)
		return seterr(err, errlen, "%s: no %s", e->dn, an);
	v = &a->vals[0];
	for (size_t i = 1; i < a->nvals; i++)
		if (rdn_value(e->dn, an, a->vals[i].p))
			v = &a->vals[i];
	if (!name_ok(v))
		return seterr(err, errlen, "%s: invalid name in %s", e->dn, an);
	*ret = v->p;
	return 0;
}

/* A single-valued optional text field (gecos, home, shell): NULL if absent. */
static int text_of(const struct bhxh_ldap_entry *e, const char *an, const char **ret,
		   char *err, size_t errlen)
{
	const struct bhxh_ldap_attr *a = attr(e, an);

	*ret = NULL;
	if (a == NULL)
		return 0;
	if (a->vals[0].len > BHXH_LDAP_VAL_MAX)
		return seterr(err, errlen, "%s: %s is longer than %d bytes", e->dn, an,
			      BHXH_LDAP_VAL_MAX);
	if (!val_ok(&a->vals[0]))
		return seterr(err, errlen, "%s: %s holds a control character or ':'", e->dn, an);
	*ret = a->vals[0].p;
	return 0;
}

/* A number attribute: required ones must be present and single-valued. */
static int num_of(const struct bhxh_ldap_entry *e, const char *an, bool required,
		  uint64_t max, int64_t *ret, char *err, size_t errlen)
{
	const struct bhxh_ldap_attr *a = attr(e, an);
	uint64_t v;

	*ret = -1;
	if (a == NULL)
		return required ? seterr(err, errlen, "%s: missing %s", e->dn, an) : 0;
	if (a->nvals > 1)
		return seterr(err, errlen, "%s: %s has %zu values", e->dn, an, a->nvals);
	if (a->vals[0].len > 20 || strlen(a->vals[0].p) != a->vals[0].len ||
	    bhxh_parse_uint(a->vals[0].p, 0, max, &v) < 0)
		return seterr(err, errlen, "%s: malformed %s '%.20s'", e->dn, an,
			      val_ok(&a->vals[0]) ? a->vals[0].p : "?");
	*ret = (int64_t)v;
	return 0;
}

/* ---- users ------------------------------------------------------------- */

int64_t bhxh_ldap_gentime(const char *v)
{
	int f[6], w[6] = { 4, 2, 2, 2, 2, 2 };
	struct tm tm;
	const char *p = v;
	time_t t;

	for (int i = 0; i < 6; i++) {
		f[i] = 0;
		for (int k = 0; k < w[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			f[i] = f[i] * 10 + (*p - '0');
		}
	}
	if (*p == '.' || *p == ',')
		while (*++p >= '0' && *p <= '9')
			;
	if (p[0] != 'Z' || p[1] != '\0' || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	t = timegm(&tm);
	return t < 0 ? -1 : (int64_t)t;
}

static int map_user(const struct bhxh_ldap_conf *c, const struct bhxh_ldap_entry *e,
		    struct tbuf *pw, struct tbuf *sp, struct tbuf *rv, const char **ret_name,
		    char *err, size_t errlen)
{
	static const char *const sf[] = { "shadowLastChange", "shadowMin",	"shadowMax",
					  "shadowWarning",    "shadowInactive", "shadowExpire" };
	const struct bhxh_ldap_attrs *a = &c->attr;
	const char *name, *gecos, *home, *shell, *hash = NULL;
	int64_t uid, gid, f[7];
	bool any_shadow = false;
	char num[64];
	int r;

	if ((r = name_of(e, a->uid, &name, err, errlen)) < 0 ||
	    (r = num_of(e, a->uidnumber, true, ID_MAX, &uid, err, errlen)) < 0 ||
	    (r = num_of(e, a->gidnumber, true, ID_MAX, &gid, err, errlen)) < 0 ||
	    (r = text_of(e, a->gecos, &gecos, err, errlen)) < 0 ||
	    (r = text_of(e, a->home, &home, err, errlen)) < 0 ||
	    (r = text_of(e, a->shell, &shell, err, errlen)) < 0)
		return r;
	/* no gecos: the common name, as nslcd does */
	if (gecos == NULL && (r = text_of(e, "cn", &gecos, err, errlen)) < 0)
		return r;
	if (uid == 0)
		return seterr(err, errlen, "%s: %s 0 (root) is refused", e->dn, a->uidnumber);
	if (gid == 0)
		return seterr(err, errlen, "%s: %s 0 (root) is refused", e->dn, a->gidnumber);
	if (home == NULL)
		return seterr(err, errlen, "%s: missing %s", e->dn, a->home);
	if (c->shadow) {
		const struct bhxh_ldap_attr *pa = attr(e, a->password);

		for (int i = 0; i < 6; i++) {
			if ((r = num_of(e, sf[i], false, INT32_MAX, &f[i], err, errlen)) < 0)
				return r;
			any_shadow |= f[i] >= 0;
		}
		if ((r = num_of(e, "shadowFlag", false, UINT32_MAX, &f[6], err, errlen)) < 0)
			return r;
		/* A password changed through ppolicy (Password Modify) updates
		 * pwdChangedTime, not shadowLastChange: the newer one counts. */
		{
			const struct bhxh_ldap_attr *ct = attr(e, "pwdChangedTime");
			int64_t t = ct != NULL ? bhxh_ldap_gentime(ct->vals[0].p) : -1;
			int64_t day = t < 0 ? -1 : t / 86400;

			if (day > f[0]) {
				f[0] = day;
				any_shadow = true;
			}
		}
		/* Only {CRYPT} hashes are usable by pam_unix; other schemes
		 * ({SSHA}...) stay on the server. */
		for (size_t i = 0; pa != NULL && i < pa->nvals; i++) {
			const struct bhxh_ldap_val *v = &pa->vals[i];

			if (v->len >= 7 && strncasecmp(v->p, "{CRYPT}", 7) == 0) {
				if (!val_ok(v) || v->p[7] == '\0')
					return seterr(err, errlen, "%s: malformed {CRYPT} %s",
						      e->dn, a->password);
				hash = v->p + 7;
				break;
			}
		}
	}
	snprintf(num, sizeof(num), ":x:%lld:%lld:", (long long)uid, (long long)gid);
	if ((r = tb_str(pw, name)) < 0 || (r = tb_str(pw, num)) < 0 ||
	    (r = tb_str(pw, gecos ? gecos : "")) < 0 || (r = tb_str(pw, ":")) < 0 ||
	    (r = tb_str(pw, home)) < 0 || (r = tb_str(pw, ":")) < 0 ||
	    (r = tb_str(pw, shell ? shell : "/bin/sh")) < 0 || (r = tb_endline(pw, e->dn)) < 0)
		return r;
	if (any_shadow || hash != NULL) {
		if ((r = tb_str(sp, name)) < 0 || (r = tb_str(sp, ":")) < 0 ||
		    (r = tb_str(sp, hash ? hash : "*")) < 0)
			return r;
		for (int i = 0; i < 7; i++) {
			if (f[i] >= 0)
				snprintf(num, sizeof(num), ":%lld", (long long)f[i]);
			else
				snprintf(num, sizeof(num), ":");
			if ((r = tb_str(sp, num)) < 0)
				return r;
		}
		if ((r = tb_endline(sp, e->dn)) < 0)
			return r;
	}
	if (e->revoked && ((r = tb_str(rv, name)) < 0 || (r = tb_endline(rv, e->dn)) < 0))
		return r;
	*ret_name = name;
	return 0;
}

/* Map an entry that keeps its mapping, once (into scratch), and keep the
 * result with it. */
static int map_keep(const struct bhxh_ldap_conf *c, const struct bhxh_ldap_entry *e,
		    struct tbuf *scratch, char *err, size_t errlen)
{
	struct bhxh_ldap_mapped *m = e->mapped;
	const char *name;
	char *t;
	int r;

	for (int k = 0; k < 3; k++) {
		scratch[k].len = 0;
		scratch[k].lines = 0;
	}
	r = map_user(c, e, &scratch[0], &scratch[1], &scratch[2], &name, err, errlen);
	if (r < 0)
		return r;
	/* one line each (without its '\n'), the shadow one optional */
	m->pwlen = scratch[0].len - 1;
	m->has_sp = scratch[1].len > 0;
	m->splen = m->has_sp ? scratch[1].len - 1 : 0;
	m->size = m->pwlen + m->splen + 2;
	t = malloc(m->size);
	if (t == NULL)
		return -ENOMEM;
	memcpy(t, scratch[0].p, m->pwlen);
	t[m->pwlen] = '\0';
	if (m->has_sp)
		memcpy(t + m->pwlen + 1, scratch[1].p, m->splen);
	t[m->pwlen + 1 + m->splen] = '\0';
	bhxh_wipe(scratch[1].p, scratch[1].len); /* the password hash */
	m->text = t;
	m->name = name;
	return 0;
}

struct bhxh_ldap_premap {
	struct tbuf t[3];
};

void bhxh_ldap_entry_premap(const struct bhxh_ldap_conf *c, struct bhxh_ldap_entry *e,
			    struct bhxh_ldap_premap **scratch)
{
	char err[16];

	if (e->kind != BHXH_LDAP_USER || (e->mapped != NULL && e->mapped->text != NULL))
		return;
	if (*scratch == NULL && (*scratch = calloc(1, sizeof(**scratch))) == NULL)
		return;
	if (bhxh_ldap_entry_keep_map(e) == 0)
		(void)map_keep(c, e, (*scratch)->t, err, sizeof(err));
}

void bhxh_ldap_premap_free(struct bhxh_ldap_premap *p)
{
	if (p == NULL)
		return;
	for (int k = 0; k < 3; k++)
		tb_free(&p->t[k]);
	free(p);
}

/* map_user for an entry that keeps its mapping: the kept lines when there
 * are, else map it once (into scratch) and keep the result.  The revoked
 * line is not kept: e->revoked is set afresh by each read. */
static int map_user_kept(const struct bhxh_ldap_conf *c, const struct bhxh_ldap_entry *e,
			 struct tbuf *pw, struct tbuf *sp, struct tbuf *rv, struct tbuf *scratch,
			 const char **ret_name, char *err, size_t errlen)
{
	struct bhxh_ldap_mapped *m = e->mapped;
	int r;

	if (m->text == NULL && (r = map_keep(c, e, scratch, err, errlen)) < 0)
		return r;
	if ((r = tb_add(pw, m->text, m->pwlen)) < 0 || (r = tb_endline(pw, e->dn)) < 0)
		return r;
	if (m->has_sp && ((r = tb_add(sp, m->text + m->pwlen + 1, m->splen)) < 0 ||
			  (r = tb_endline(sp, e->dn)) < 0))
		return r;
	if (e->revoked && ((r = tb_str(rv, m->name)) < 0 || (r = tb_endline(rv, e->dn)) < 0))
		return r;
	*ret_name = m->name;
	return 0;
}

/* ---- DNs --------------------------------------------------------------- */

char *bhxh_ldap_dn_canon(const char *dn)
{
	size_t n = strlen(dn), o = 0;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char ch = dn[i];

		if (ch == '\\' && i + 1 < n) { /* keep escapes as they are */
			out[o++] = ch;
			out[o++] = dn[++i];
			continue;
		}
		if (ch == ' ') {
			/* drop spaces next to separators and at the ends */
			size_t j = i;

			while (j < n && dn[j] == ' ')
				j++;
			if (o == 0 || j == n || strchr(",=+", dn[j]) != NULL ||
			    strchr(",=+", out[o - 1]) != NULL) {
				i = j - 1;
				continue;
			}
		}
		out[o++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	out[o] = '\0';
	return out;
}

bool bhxh_ldap_dn_under(const char *dn, const char *base)
{
	char *d, *b;
	bool ok = false;
	size_t dl, bl;

	if (base[0] == '\0')
		return true;
	d = bhxh_ldap_dn_canon(dn);
	b = bhxh_ldap_dn_canon(base);
	if (d != NULL && b != NULL) {
		dl = strlen(d);
		bl = strlen(b);
		ok = dl == bl ? strcmp(d, b) == 0
			      : dl > bl && strcmp(d + dl - bl, b) == 0 && d[dl - bl - 1] == ',' &&
					(dl - bl < 2 || d[dl - bl - 2] != '\\');
	}
	free(d);
	free(b);
	return ok;
}

enum bhxh_ldap_kind bhxh_ldap_kind_in(const struct bhxh_ldap_conf *c,
				      const struct bhxh_ldap_entry *e)
{
	enum bhxh_ldap_kind k = bhxh_ldap_kind(&c->attr, e);

	if (k == BHXH_LDAP_USER && !bhxh_ldap_dn_under(e->dn, c->user_base))
		return BHXH_LDAP_OTHER;
	if (k == BHXH_LDAP_GROUP && !bhxh_ldap_dn_under(e->dn, c->group_base))
		return BHXH_LDAP_OTHER;
	return k;
}

/* ---- groups ------------------------------------------------------------ */

struct gctx {
	const struct bhxh_ldap_conf *c;
	const struct bhxh_ldap_entry *const *ents;
	struct smap user_dn;   /* canonical DN -> user name index (in unames) */
	struct smap group_dn;  /* canonical DN -> entry index */
	const char **unames;   /* per entry: the user's name or NULL */
	char **canon;          /* per entry: canonical DN */
	unsigned char *state;  /* per entry: 0 new, 1 being expanded, 2 done */
	size_t nmembers;
	size_t steps; /* expansions, bounded (diamonds of nested groups) */
};

/* Add the members of group entry gi (nested groups expanded) to set. */
static int expand(struct gctx *g, size_t gi, struct smap *set, struct tbuf *out, bool *first,
		  unsigned depth, char *err, size_t errlen)
{
	const struct bhxh_ldap_entry *e = g->ents[gi];
	const struct bhxh_ldap_attr *mu = attr(e, g->c->attr.member_uid);
	const struct bhxh_ldap_attr *mb =
		g->c->schema == BHXH_LDAP_RFC2307BIS ? attr(e, g->c->attr.member) : NULL;
	int r = 0;

	if (++g->steps > 10 * (size_t)BHXH_LDAP_MEMBERS_MAX)
		return seterr(err, errlen, "%s: nested groups too large to expand", e->dn);
	if (depth > BHXH_LDAP_NEST_MAX)
		return seterr(err, errlen, "%s: groups nested more than %d deep", e->dn,
			      BHXH_LDAP_NEST_MAX);
	g->state[gi] = 1;
	for (size_t i = 0; mu != NULL && i < mu->nvals && r >= 0; i++) {
		const char *nm = mu->vals[i].p;

		if (!name_ok(&mu->vals[i])) {
			r = seterr(err, errlen, "%s: invalid member name in %s", e->dn,
				   g->c->attr.member_uid);
			break;
		}
		r = smap_put(set, nm, 0, NULL);
		if (r == 0 && ++g->nmembers > BHXH_LDAP_MEMBERS_MAX)
			r = seterr(err, errlen, "%s: more than %d group members in all", e->dn,
				   BHXH_LDAP_MEMBERS_MAX);
		if (r == 0) {
			if ((r = tb_str(out, *first ? "" : ",")) == 0)
				r = tb_str(out, nm);
			*first = false;
		}
	}
	for (size_t i = 0; mb != NULL && i < mb->nvals && r >= 0; i++) {
		char *cd = bhxh_ldap_dn_canon(mb->vals[i].p);
		size_t k;

		if (cd == NULL) {
			r = -ENOMEM;
			break;
		}
		if (smap_get(&g->user_dn, cd, &k)) {
			const char *nm = g->unames[k];

			r = smap_put(set, nm, 0, NULL);
			if (r == 0 && ++g->nmembers > BHXH_LDAP_MEMBERS_MAX)
				r = seterr(err, errlen, "%s: more than %d group members in all",
					   e->dn, BHXH_LDAP_MEMBERS_MAX);
			if (r == 0) {
				if ((r = tb_str(out, *first ? "" : ",")) == 0)
					r = tb_str(out, nm);
				*first = false;
			}
		} else if (smap_get(&g->group_dn, cd, &k)) {
			if (g->state[k] == 1)
				r = seterr(err, errlen, "%s: group cycle through %s", e->dn,
					   g->ents[k]->dn);
			else
				r = expand(g, k, set, out, first, depth + 1, err, errlen);
		}
		/* other DNs (outside the bases, not accounts): not members */
		free(cd);
	}
	g->state[gi] = 0;
	return r < 0 ? r : 0;
}

static int map_group(struct gctx *g, size_t gi, struct tbuf *gr, char *err, size_t errlen)
{
	const struct bhxh_ldap_entry *e = g->ents[gi];
	const struct bhxh_ldap_attrs *a = &g->c->attr;
	struct smap set;
	const char *name;
	int64_t gid;
	bool first = true;
	char num[48];
	int r;

	if ((r = name_of(e, a->group_name, &name, err, errlen)) < 0 ||
	    (r = num_of(e, a->gidnumber, true, ID_MAX, &gid, err, errlen)) < 0)
		return r;
	if (gid == 0)
		return seterr(err, errlen, "%s: %s 0 (root) is refused", e->dn, a->gidnumber);
	snprintf(num, sizeof(num), ":x:%lld:", (long long)gid);
	if ((r = tb_str(gr, name)) < 0 || (r = tb_str(gr, num)) < 0)
		return r;
	if ((r = smap_init(&set, 16)) == 0)
		r = expand(g, gi, &set, gr, &first, 0, err, errlen);
	smap_free(&set);
	return r < 0 ? r : tb_endline(gr, e->dn);
}

void bhxh_ldap_src_init(struct bhxh_ldap_src *ls)
{
	memset(ls, 0, sizeof(*ls));
	bhxh_dirsrc_init(&ls->s);
}

void bhxh_ldap_src_free(struct bhxh_ldap_src *ls)
{
	bhxh_dirsrc_free(&ls->s);
	for (size_t k = 0; k < BHXH_ARRAY_SIZE(ls->text); k++)
		if (ls->text[k] != NULL) {
			bhxh_wipe(ls->text[k], ls->cap[k]);
			free(ls->text[k]);
		}
	memset(ls, 0, sizeof(*ls));
}

/* ---- the whole source -------------------------------------------------- */

/* "passwd:12: msg (line 3)" -> "DN: msg (also DN3)". */
static void name_dn(char *err, size_t errlen, struct tbuf *const *tb)
{
	static const char *const kinds[] = { "passwd:", "group:", "shadow:", "revoked:" };
	char out[1024];
	const struct tbuf *b = NULL;
	unsigned long line, other;
	char *end, *rest, *l;
	size_t k;

	for (k = 0; k < BHXH_ARRAY_SIZE(kinds); k++)
		if (strncmp(err, kinds[k], strlen(kinds[k])) == 0)
			break;
	if (k == BHXH_ARRAY_SIZE(kinds))
		return;
	b = tb[k];
	line = strtoul(err + strlen(kinds[k]), &end, 10);
	if (end[0] != ':' || line == 0 || line > b->lines)
		return;
	rest = end + 1;
	l = strstr(rest, " (line ");
	if (l != NULL && (other = strtoul(l + 7, &end, 10)) > 0 && other <= b->lines &&
	    *end == ')') {
		*l = '\0';
		snprintf(out, sizeof(out), "%s:%s (also %s)", b->dn[line], rest, b->dn[other]);
	} else
		snprintf(out, sizeof(out), "%s:%s", b->dn[line], rest);
	(void)bhxh_strlcpy(err, out, errlen);
	if (strlen(out) >= errlen && errlen > 4)
		memcpy(err + errlen - 4, "...", 4);
}

int bhxh_ldap_build(const struct bhxh_ldap_conf *c, const struct bhxh_ldap_entry *const *ents,
		    size_t n, const char *local_passwd, const char *local_group,
		    struct bhxh_ldap_src *ls, char *err, size_t errlen)
{
	struct bhxh_dirsrc *s = &ls->s;
	struct tbuf pw = { 0 }, gr = { 0 }, sp = { 0 }, rv = { 0 };
	struct tbuf *const tbs[] = { &pw, &gr, &sp, &rv };
	struct tbuf scratch[3];
	struct gctx g;
	int r;

	memset(&g, 0, sizeof(g));
	memset(scratch, 0, sizeof(scratch));
	g.c = c;
	g.ents = ents;
	g.unames = calloc(n + 1, sizeof(*g.unames));
	g.canon = calloc(n + 1, sizeof(*g.canon));
	g.state = calloc(n + 1, 1);
	r = -ENOMEM;
	/* the DN maps serve rfc2307bis' member DNs alone */
	if (g.unames == NULL || g.canon == NULL || g.state == NULL ||
	    smap_init(&g.user_dn, c->schema == BHXH_LDAP_RFC2307BIS ? n : 0) < 0 ||
	    smap_init(&g.group_dn, c->schema == BHXH_LDAP_RFC2307BIS ? n : 0) < 0)
		goto out;
	/* Empty sources still parse (and are refused by the guard). */
	if ((r = tb_add(&pw, "", 0)) < 0 || (r = tb_add(&gr, "", 0)) < 0 ||
	    (r = tb_add(&sp, "", 0)) < 0 || (r = tb_add(&rv, "", 0)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct bhxh_ldap_entry *e = ents[i];

		if (e->kind == BHXH_LDAP_OTHER)
			continue;
		if (e->kind == BHXH_LDAP_USER) {
			r = e->mapped != NULL ? map_user_kept(c, e, &pw, &sp, &rv, scratch,
							      &g.unames[i], err, errlen)
					      : map_user(c, e, &pw, &sp, &rv, &g.unames[i], err,
							 errlen);
			if (r < 0)
				goto out;
		}
		if (c->schema == BHXH_LDAP_RFC2307BIS) {
			r = -ENOMEM;
			if ((g.canon[i] = bhxh_ldap_dn_canon(e->dn)) == NULL)
				goto out;
			r = smap_put(e->kind == BHXH_LDAP_USER ? &g.user_dn : &g.group_dn,
				     g.canon[i], i, NULL);
			if (r < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (ents[i]->kind != BHXH_LDAP_GROUP)
			continue;
		r = map_group(&g, i, &gr, err, errlen);
		if (r < 0)
			goto out;
	}
	for (int k = BHXH_SRC_PASSWD; k <= BHXH_SRC_REVOKED; k++) {
		struct tbuf *b = tbs[k];
		static const char *const fname[] = { "passwd", "group", "shadow", "revoked" };

		r = bhxh_dirsrc_parse(s, (enum bhxh_srckind)k, fname[k], b->p, b->len, err, errlen);
		/* the source keeps the text: its records point into it */
		ls->text[k] = b->p;
		ls->cap[k] = b->cap;
		b->p = NULL;
		if (r < 0) {
			name_dn(err, errlen, tbs);
			goto out;
		}
	}
	r = bhxh_dirsrc_validate(s, local_passwd, local_group, err, errlen);
	if (r < 0)
		name_dn(err, errlen, tbs);
out:
	for (size_t i = 0; g.canon != NULL && i < n; i++)
		free(g.canon[i]);
	free(g.canon);
	free(g.unames);
	free(g.state);
	smap_free(&g.user_dn);
	smap_free(&g.group_dn);
	for (size_t k = 0; k < BHXH_ARRAY_SIZE(tbs); k++)
		tb_free(tbs[k]);
	for (size_t k = 0; k < BHXH_ARRAY_SIZE(scratch); k++)
		tb_free(&scratch[k]);
	return r;
}

/* ---- serialized entries ------------------------------------------------ */

#define EB_MAX (64u << 20) /* one entry, values already capped */

static void eb_put(struct bhxh_ldap_ebuf *b, const void *p, size_t n)
{
	if (b->err != 0)
		return;
	if (b->len + n > b->cap) {
		size_t nc = b->cap == 0 ? 1024 : b->cap;
		uint8_t *q;

		while (nc < b->len + n)
			nc *= 2;
		if (nc - b->start > EB_MAX) {
			b->err = -E2BIG;
			return;
		}
		q = malloc(nc);
		if (q == NULL) {
			b->err = -ENOMEM;
			return;
		}
		if (b->p != NULL) {
			memcpy(q, b->p, b->len);
			bhxh_wipe(b->p, b->cap);
			free(b->p);
		}
		b->p = q;
		b->cap = nc;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void eb_u32(struct bhxh_ldap_ebuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	eb_put(b, x, 4);
}

static void eb_patch(struct bhxh_ldap_ebuf *b, size_t at, uint32_t v)
{
	if (b->err != 0)
		return;
	b->p[at] = (uint8_t)v;
	b->p[at + 1] = (uint8_t)(v >> 8);
	b->p[at + 2] = (uint8_t)(v >> 16);
	b->p[at + 3] = (uint8_t)(v >> 24);
}

static uint32_t rd_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void bhxh_ldap_eb_begin_n(struct bhxh_ldap_ebuf *b, const char *dn, size_t len)
{
	b->start = b->len;
	b->nattrs = 0;
	b->nvals_at = 0;
	eb_u32(b, 0);
	b->nattrs_at = b->len;
	eb_u32(b, 0);
	eb_put(b, dn, len);
	eb_put(b, "", 1);
}

void bhxh_ldap_eb_begin(struct bhxh_ldap_ebuf *b, const char *dn)
{
	bhxh_ldap_eb_begin_n(b, dn, strlen(dn));
}

void bhxh_ldap_eb_attr_n(struct bhxh_ldap_ebuf *b, const char *name, size_t len)
{
	if (b->nvals_at != 0)
		eb_patch(b, b->nvals_at, b->nvals);
	b->nattrs++;
	b->nvals = 0;
	b->nvals_at = b->len;
	eb_u32(b, 0);
	eb_put(b, name, len);
	eb_put(b, "", 1);
}

void bhxh_ldap_eb_attr(struct bhxh_ldap_ebuf *b, const char *name)
{
	bhxh_ldap_eb_attr_n(b, name, strlen(name));
}

void bhxh_ldap_eb_val(struct bhxh_ldap_ebuf *b, const void *p, size_t len)
{
	size_t keep = len > BHXH_LDAP_VAL_MAX ? BHXH_LDAP_VAL_MAX + 1 : len;

	if (len > UINT32_MAX) {
		b->err = -E2BIG;
		return;
	}
	b->nvals++;
	eb_u32(b, (uint32_t)len);
	eb_u32(b, (uint32_t)keep);
	eb_put(b, p, keep);
	eb_put(b, "", 1);
}

int bhxh_ldap_eb_end(struct bhxh_ldap_ebuf *b)
{
	if (b->nvals_at != 0)
		eb_patch(b, b->nvals_at, b->nvals);
	eb_patch(b, b->nattrs_at, b->nattrs);
	eb_patch(b, b->start, (uint32_t)(b->len - b->start));
	return b->err;
}

void bhxh_ldap_eb_free(struct bhxh_ldap_ebuf *b)
{
	if (b->p != NULL) {
		bhxh_wipe(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* A NUL-terminated string at p[*off] within n bytes. */
static const char *rd_str(const uint8_t *p, size_t n, size_t *off)
{
	const uint8_t *z;

	if (*off >= n)
		return NULL;
	z = memchr(p + *off, '\0', n - *off);
	if (z == NULL)
		return NULL;
	{
		const char *s = (const char *)p + *off;

		*off = (size_t)(z - p) + 1;
		return s;
	}
}

/* Walk the serialized entry: count (fill == NULL) or fill. */
static int walk(const uint8_t *p, size_t n, struct bhxh_ldap_entry *e,
		struct bhxh_ldap_attr *attrs, struct bhxh_ldap_val *vals, size_t *ret_nvals)
{
	size_t off = 8, nv = 0;
	uint32_t na;
	const char *dn;

	if (n < 9 || rd_u32(p) != n)
		return -EBADMSG;
	na = rd_u32(p + 4);
	if ((dn = rd_str(p, n, &off)) == NULL || na > n)
		return -EBADMSG;
	if (e != NULL) {
		e->dn = dn;
		e->nattrs = na;
		e->attrs = attrs;
	}
	for (uint32_t i = 0; i < na; i++) {
		uint32_t cnt;
		const char *name;

		if (n - off < 4)
			return -EBADMSG;
		cnt = rd_u32(p + off);
		off += 4;
		if ((name = rd_str(p, n, &off)) == NULL || cnt > n)
			return -EBADMSG;
		if (attrs != NULL) {
			attrs[i].name = name;
			attrs[i].nvals = cnt;
			attrs[i].vals = vals + nv;
		}
		for (uint32_t k = 0; k < cnt; k++) {
			uint32_t len, keep;

			if (n - off < 8)
				return -EBADMSG;
			len = rd_u32(p + off);
			keep = rd_u32(p + off + 4);
			off += 8;
			if (keep > len || keep > BHXH_LDAP_VAL_MAX + 1 ||
			    (keep < len && keep != BHXH_LDAP_VAL_MAX + 1) || n - off < (size_t)keep + 1 ||
			    p[off + keep] != '\0')
				return -EBADMSG;
			if (vals != NULL) {
				vals[nv].p = (const char *)p + off;
				vals[nv].len = len;
			}
			nv++;
			off += keep + 1;
		}
	}
	if (off != n)
		return -EBADMSG;
	*ret_nvals = nv;
	return 0;
}

int bhxh_ldap_entry_parse(const void *p, size_t n, struct bhxh_ldap_entry **ret)
{
	struct bhxh_ldap_entry *e;
	struct bhxh_ldap_attr *attrs;
	struct bhxh_ldap_val *vals;
	size_t nv = 0, na, sz;
	uint8_t *blob;
	int r;

	r = walk(p, n, NULL, NULL, NULL, &nv);
	if (r < 0)
		return r;
	na = rd_u32((const uint8_t *)p + 4);
	sz = sizeof(*e) + na * sizeof(*attrs) + nv * sizeof(*vals) + n;
	e = calloc(1, sz);
	if (e == NULL)
		return -ENOMEM;
	attrs = (struct bhxh_ldap_attr *)(e + 1);
	vals = (struct bhxh_ldap_val *)(attrs + na);
	blob = (uint8_t *)(vals + nv);
	memcpy(blob, p, n);
	(void)walk(blob, n, e, attrs, vals, &nv);
	e->size = sz;
	e->blob = blob;
	e->bloblen = n;
	*ret = e;
	return 0;
}

int bhxh_ldap_entry_keep_map(struct bhxh_ldap_entry *e)
{
	if (e->mapped == NULL)
		e->mapped = calloc(1, sizeof(*e->mapped));
	return e->mapped == NULL ? -ENOMEM : 0;
}

void bhxh_ldap_entry_free(struct bhxh_ldap_entry *e)
{
	if (e == NULL)
		return;
	if (e->mapped != NULL) {
		free(e->mapped->prev_name);
		if (e->mapped->text != NULL) {
			bhxh_wipe(e->mapped->text, e->mapped->size); /* the password hash */
			free(e->mapped->text);
		}
		free(e->mapped);
	}
	bhxh_wipe(e, e->size);
	free(e);
}

const void *bhxh_ldap_entry_blob(const struct bhxh_ldap_entry *e, size_t *ret_len)
{
	*ret_len = e->bloblen;
	return e->blob;
}
