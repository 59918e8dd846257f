/* From LDAP entries to directory records (ldap area).  Pure functions, no
 * libldap: the entries are plain structures that lib/ldap_client.c fills
 * from the server, the unit tests from tables and the fuzzer from bytes.
 *
 * The records are written out in the text format of bhxhctl db build
 * (passwd, group, shadow, revoked) and parsed and validated by the very
 * same code (dirdb_build.h): the same refusals apply to both sources.  An
 * error names the entry's DN.  Library code: 0 or -errno, no logging. */
#ifndef BHXH_LDAP_MAP_H
#define BHXH_LDAP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf_ldap.h"
#include "dirdb_build.h"

/* Caps: a value longer than a source field is refused (a 10 MB attribute
 * names its entry, never reaches the database). */
#define BHXH_LDAP_VAL_MAX BHXH_SRC_FIELD_MAX
#define BHXH_LDAP_MEMBERS_MAX 1000000
#define BHXH_LDAP_NEST_MAX 64

struct bhxh_ldap_val {
	const char *p; /* NUL-terminated copy; len excludes the NUL */
	size_t len;
};

struct bhxh_ldap_attr {
	const char *name;
	size_t nvals;
	const struct bhxh_ldap_val *vals;
};

/* What bhxh_ldap_build made of an account entry, kept with the entry by
 * the follower (an entry never changes once made: a modification arrives
 * as a new entry), so that a change maps the changed entries alone. */
struct bhxh_ldap_mapped {
	char *text;   /* passwd line NUL shadow line NUL (lines without '\n') */
	size_t pwlen, splen, size;
	bool has_sp;
	const char *name; /* the account's name (in the entry) */
	char *prev_name;  /* the name the entry it replaced was mapped to, or NULL */
};

/* One entry as read (only the attributes asked for). */
struct bhxh_ldap_entry {
	const char *dn;
	size_t nattrs;
	const struct bhxh_ldap_attr *attrs;
	bool revoked; /* matched ldap_revoked_filter */
	int kind;     /* enum bhxh_ldap_kind */
	size_t size;  /* of the allocation (bhxh_ldap_entry_parse) */
	const uint8_t *blob;
	size_t bloblen;
	struct bhxh_ldap_mapped *mapped; /* NULL: not kept (bhxh_ldap_entry_keep_map) */
};

/* What the entry is, from its attributes: an account has the uid-number
 * attribute or an account object class (posixAccount, person, user...), a
 * group the gid-number attribute; anything else is ignored (e.g. an
 * organizational unit seen by a sync search).  (--once knows the kind from
 * the search that found the entry.) */
enum bhxh_ldap_kind { BHXH_LDAP_OTHER = 0, BHXH_LDAP_USER, BHXH_LDAP_GROUP };
enum bhxh_ldap_kind bhxh_ldap_kind(const struct bhxh_ldap_attrs *a,
				   const struct bhxh_ldap_entry *e);

/* The attribute names to ask the server for (NULL-terminated, pointers into
 * c); ret must hold BHXH_LDAP_ATTRS_MAX. */
#define BHXH_LDAP_ATTRS_MAX 24
void bhxh_ldap_attr_list(const struct bhxh_ldap_conf *c, const char **ret);

/* A source built from entries: the dirsrc's records point into texts
 * owned here (wiped when freed: the shadow text holds password hashes). */
struct bhxh_ldap_src {
	struct bhxh_dirsrc s;
	char *text[4];
	size_t cap[4];
};

void bhxh_ldap_src_init(struct bhxh_ldap_src *ls);
void bhxh_ldap_src_free(struct bhxh_ldap_src *ls);

/* Build the source from the entries: users and groups mapped, members
 * resolved (rfc2307bis: member DNs of users and of nested groups; a cycle
 * is an error), then parsed and validated like db build (local_passwd,
 * local_group: the local files to check against, NULL to skip).  On error
 * err names the entry's DN; ls is freed with bhxh_ldap_src_free() in
 * every case. */
int bhxh_ldap_build(const struct bhxh_ldap_conf *c, const struct bhxh_ldap_entry *const *ents,
		    size_t n, const char *local_passwd, const char *local_group,
		    struct bhxh_ldap_src *ls, char *err, size_t errlen);

/* Entries travel (from the client, to and from the sync cache) in one
 * serialized form: u32 size, u32 nattrs, dn NUL, then per attribute u32
 * nvals, name NUL, and per value u32 length, u32 stored, bytes, NUL (values
 * longer than BHXH_LDAP_VAL_MAX keep their length but only the first
 * BHXH_LDAP_VAL_MAX + 1 bytes).  Little-endian. */
struct bhxh_ldap_ebuf {
	uint8_t *p;
	size_t len, cap, start, nattrs_at, nvals_at;
	uint32_t nattrs, nvals;
	int err;
};
void bhxh_ldap_eb_begin(struct bhxh_ldap_ebuf *b, const char *dn);
void bhxh_ldap_eb_attr(struct bhxh_ldap_ebuf *b, const char *name);
/* The same with a length (the DN or name as it lies in a message; no NUL
 * within). */
void bhxh_ldap_eb_begin_n(struct bhxh_ldap_ebuf *b, const char *dn, size_t len);
void bhxh_ldap_eb_attr_n(struct bhxh_ldap_ebuf *b, const char *name, size_t len);
void bhxh_ldap_eb_val(struct bhxh_ldap_ebuf *b, const void *p, size_t len);
/* 0 or -errno; the serialized entry is b->p + b->start, b->len - b->start. */
int bhxh_ldap_eb_end(struct bhxh_ldap_ebuf *b);
void bhxh_ldap_eb_free(struct bhxh_ldap_ebuf *b);

/* Parse one serialized entry of exactly n bytes into a new entry (one
 * allocation; its serialized form is kept in it, see _blob). */
int bhxh_ldap_entry_parse(const void *p, size_t n, struct bhxh_ldap_entry **ret);
void bhxh_ldap_entry_free(struct bhxh_ldap_entry *e);
/* Let bhxh_ldap_build keep what it maps of e with e (the follower's
 * entries; for one configuration only).  0 or -ENOMEM. */
int bhxh_ldap_entry_keep_map(struct bhxh_ldap_entry *e);
/* Map an account entry now, as bhxh_ldap_build would map it (the entry
 * keeps its passwd and shadow lines, bhxh_ldap_entry_keep_map), so that
 * the build finds it mapped: a full read maps each entry while the server
 * prepares the next ones.  An entry that does not map is left unmapped
 * (the build maps it again and names the error in its turn), so is one
 * when memory runs short.  For one configuration only; *scratch starts
 * NULL, freed with bhxh_ldap_premap_free. */
struct bhxh_ldap_premap;
void bhxh_ldap_entry_premap(const struct bhxh_ldap_conf *c, struct bhxh_ldap_entry *e,
			    struct bhxh_ldap_premap **scratch);
void bhxh_ldap_premap_free(struct bhxh_ldap_premap *p);
const void *bhxh_ldap_entry_blob(const struct bhxh_ldap_entry *e, size_t *ret_len);

/* Whether dn is base or below it (canonical comparison); "" is the root. */
bool bhxh_ldap_dn_under(const char *dn, const char *base);

/* A GeneralizedTime "YYYYMMDDHHMMSS[.f]Z" (as ppolicy and modifyTimestamp
 * write it) in seconds since the epoch; -1 when malformed. */
int64_t bhxh_ldap_gentime(const char *v);

/* The kind of an entry seen by the follower's single search of ldap_base:
 * bhxh_ldap_kind(), and an account (group) only below ldap_user_base
 * (ldap_group_base) when that is set, as --once would find it. */
enum bhxh_ldap_kind bhxh_ldap_kind_in(const struct bhxh_ldap_conf *c,
				      const struct bhxh_ldap_entry *e);

/* A DN in a canonical form for comparison: ASCII lower-cased, spaces
 * around ',', '=' and '+' removed.  Returns a malloc'ed string or NULL. */
char *bhxh_ldap_dn_canon(const char *dn);

#endif
