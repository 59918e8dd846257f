/* Following the directory with the LDAP Content Synchronization operation
 * (RFC 4533, refreshAndPersist) through libldap's ldap_sync_* API, and the
 * on-disk state that lets a restart resume without a full read: the sync
 * cookie and the entries it stands for, saved together (see
 * ldap_client.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ldap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ldap_client.h"
#include "sha1.h"
#include "util.h"

#define CACHE_FILE "sync.cache"
#define CACHE_MAGIC "BHXHLSC1"
#define POLL_FILE "poll.cache"
#define POLL_MAGIC "BHXHLPC1"
#define COOKIE_MAX 4096
#define UUID_LEN 16

int bhxh_ldap_entry_from_msg(LDAP *ld, LDAPMessage *msg, struct bhxh_ldap_ebuf *scratch,
			     struct bhxh_ldap_entry **ret);

struct slot {
	uint8_t uuid[UUID_LEN];
	struct bhxh_ldap_entry *e; /* NULL: empty, or a tombstone when tomb */
	bool tomb;
	bool present;
	uint64_t seq; /* when first put: the server's order (polling) */
};

struct bhxh_ldap_follow {
	const struct bhxh_ldap_conf *c;
	int dirfd;
	bool poll;               /* modifyTimestamp polling: keys are kind + DN */
	bool keep_maps;          /* entries keep their mapping (long-lived) */
	const char *file, *magic;
	uint64_t confsum;        /* what the cached entries were read with */
	struct slot *t;
	size_t mask, used, live;
	uint64_t next_seq;
	struct bhxh_ldap_entry **list; /* the live entries, rebuilt on demand */
	bool list_ok;
	uint8_t (*changed)[UUID_LEN];  /* added or modified since the last take */
	size_t nchanged, cachanged;
	struct bhxh_ldap_entry **chlist;
	bool need_full;               /* a refresh happened since the last take */
	bool deleted;                 /* an entry was deleted since the last take, and
				       * it is not on gone[] (rfc2307bis: or moved) */
	char **gone;                  /* names of the accounts deleted since */
	size_t ngone, cagone;
	char **gone_out;              /* what the last take handed out */
	size_t ngone_out;
	uint8_t cookie[COOKIE_MAX];
	size_t cookielen;
	ldap_sync_t ls;
	bool started, refreshed, full, present_mode, ended;
	char filter[2 * BHXH_LDAP_FILTER_MAX + 8];
	const char *attrs[BHXH_LDAP_ATTRS_MAX + 1]; /* + modifyTimestamp when polling */
	/* during a poll */
	const struct bhxh_ldap_follow_ops *ops;
	void *arg;
	int error;
	unsigned events;
	struct bhxh_ldap_ebuf scratch; /* each entry read is serialized here */
	struct bhxh_ldap_premap *premap; /* polling: accounts mapped as read */
};

/* ---- the uuid table ---------------------------------------------------- */

static size_t uhash(const uint8_t *u)
{
	size_t h = 1469598103934665603ULL;

	for (int i = 0; i < UUID_LEN; i++)
		h = (h ^ u[i]) * 1099511628211ULL;
	return h;
}

static int table_grow(struct bhxh_ldap_follow *f)
{
	size_t nsz = f->t == NULL ? 1024 : (f->mask + 1) * (f->live * 4 > f->mask ? 2 : 1);
	struct slot *nt = calloc(nsz, sizeof(*nt));

	if (nt == NULL)
		return -ENOMEM;
	for (size_t i = 0; f->t != NULL && i <= f->mask; i++) {
		size_t p;

		if (f->t[i].e == NULL)
			continue;
		p = uhash(f->t[i].uuid) & (nsz - 1);
		while (nt[p].e != NULL)
			p = (p + 1) & (nsz - 1);
		nt[p] = f->t[i];
	}
	free(f->t);
	f->t = nt;
	f->mask = nsz - 1;
	f->used = f->live;
	return 0;
}

/* The slot of uuid, or the empty slot where it would go. */
static struct slot *find(struct bhxh_ldap_follow *f, const uint8_t *u, bool *found)
{
	size_t p = uhash(u) & f->mask;
	struct slot *free_slot = NULL;

	for (;;) {
		struct slot *s = &f->t[p];

		if (s->e == NULL && !s->tomb) {
			*found = false;
			return free_slot != NULL ? free_slot : s;
		}
		if (s->tomb) {
			if (free_slot == NULL)
				free_slot = s;
		} else if (memcmp(s->uuid, u, UUID_LEN) == 0) {
			*found = true;
			return s;
		}
		p = (p + 1) & f->mask;
	}
}

static int put(struct bhxh_ldap_follow *f, const uint8_t *u, struct bhxh_ldap_entry *e)
{
	struct slot *s;
	bool found;

	if ((f->used + 1) * 2 > f->mask + 1) {
		int r = table_grow(f);

		if (r < 0)
			return r;
	}
	s = find(f, u, &found);
	if (found) {
		/* what the entry was mapped to before (a patch of the
		 * installed generation needs the same name) */
		struct bhxh_ldap_mapped *om = s->e->mapped, *nm = e->mapped;

		/* an account that becomes a group (or anything else): not a
		 * change a patch can follow */
		if (s->e->kind != e->kind && f->refreshed)
			f->need_full = true;
		/* rfc2307bis: an entry moved to another DN changes what the
		 * groups listing either DN resolve to; the patch knows only
		 * the new one (the full build, as for an unnamed deletion) */
		if (f->refreshed && f->c->schema == BHXH_LDAP_RFC2307BIS &&
		    strcmp(s->e->dn, e->dn) != 0)
			f->deleted = true;
		if (om != NULL && nm != NULL && nm->prev_name == NULL) {
			if (om->text != NULL)
				nm->prev_name = strdup(om->name);
			else {
				nm->prev_name = om->prev_name;
				om->prev_name = NULL;
			}
		}
		bhxh_ldap_entry_free(s->e);
	} else {
		if (!s->tomb)
			f->used++;
		f->live++;
		memcpy(s->uuid, u, UUID_LEN);
		s->seq = f->next_seq++;
	}
	s->e = e;
	s->tomb = false;
	s->present = true;
	f->list_ok = false;
	if (f->refreshed && !f->need_full) {
		if (f->nchanged == f->cachanged) {
			size_t nc = f->cachanged ? 2 * f->cachanged : 64;
			void *q = realloc(f->changed, nc * UUID_LEN);

			if (q == NULL) {
				f->need_full = true; /* look at everything instead */
				return 0;
			}
			f->changed = q;
			f->cachanged = nc;
		}
		memcpy(f->changed[f->nchanged++], u, UUID_LEN);
	}
	return 0;
}

static void del_slot(struct bhxh_ldap_follow *f, struct slot *s)
{
	bhxh_ldap_entry_free(s->e);
	s->e = NULL;
	s->tomb = true;
	s->present = false;
	f->live--;
	f->list_ok = false;
}

/* Note the name of the account e, deleted: -EINVAL when e is not a
 * mapped account (or was renamed since it was mapped). */
static int gone_add(struct bhxh_ldap_follow *f, const struct bhxh_ldap_entry *e)
{
	const struct bhxh_ldap_mapped *m = e->mapped;
	char *nm;

	if (e->kind != BHXH_LDAP_USER || m == NULL || m->text == NULL || m->name == NULL ||
	    (m->prev_name != NULL && strcmp(m->prev_name, m->name) != 0))
		return -EINVAL;
	if (f->ngone == f->cagone) {
		size_t nc = f->cagone ? 2 * f->cagone : 16;
		char **q = realloc(f->gone, nc * sizeof(*q));

		if (q == NULL)
			return -ENOMEM;
		f->gone = q;
		f->cagone = nc;
	}
	if ((nm = strdup(m->name)) == NULL)
		return -ENOMEM;
	f->gone[f->ngone++] = nm;
	return 0;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

size_t bhxh_ldap_follow_take_gone(struct bhxh_ldap_follow *f, const char *const **ret)
{
	free_names(f->gone_out, f->ngone_out);
	free(f->gone_out);
	f->gone_out = f->gone;
	f->ngone_out = f->ngone;
	f->gone = NULL;
	f->ngone = f->cagone = 0;
	*ret = (const char *const *)f->gone_out;
	return f->ngone_out;
}

static void del(struct bhxh_ldap_follow *f, const uint8_t *u)
{
	bool found;
	struct slot *s = find(f, u, &found);

	if (found) {
		/* an account gone is not a change of the entries left, nor of
		 * what the revoked filter says of them: its name is all the
		 * next take needs (anything else: the whole directory) */
		if (f->refreshed && gone_add(f, s->e) < 0)
			f->deleted = true;
		del_slot(f, s);
	}
}

static void mark(struct bhxh_ldap_follow *f, const uint8_t *u)
{
	bool found;
	struct slot *s = find(f, u, &found);

	if (found)
		s->present = true;
}

static void clear_all(struct bhxh_ldap_follow *f)
{
	for (size_t i = 0; f->t != NULL && i <= f->mask; i++)
		if (f->t[i].e != NULL)
			del_slot(f, &f->t[i]);
}

static int by_seq(const void *a, const void *b)
{
	const struct slot *x = *(const struct slot *const *)a, *y = *(const struct slot *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The live slots (malloc'ed, *ret_n of them): in the order they were first
 * put when polling (the server's order, as a full read gives them: the
 * same entry comes first in every error message), else in table order. */
static struct slot **live_slots(struct bhxh_ldap_follow *f, size_t *ret_n)
{
	struct slot **l = malloc((f->live + 1) * sizeof(*l));
	size_t n = 0;

	if (l == NULL)
		return NULL;
	for (size_t i = 0; f->t != NULL && i <= f->mask; i++)
		if (f->t[i].e != NULL)
			l[n++] = &f->t[i];
	if (f->poll)
		qsort(l, n, sizeof(*l), by_seq);
	*ret_n = n;
	return l;
}

size_t bhxh_ldap_follow_entries(struct bhxh_ldap_follow *f, struct bhxh_ldap_entry ***ret)
{
	if (!f->list_ok) {
		struct bhxh_ldap_entry **l = realloc(f->list, (f->live + 1) * sizeof(*l));
		struct slot **sl;
		size_t n = 0;

		if (l == NULL || (f->list = l, sl = live_slots(f, &n)) == NULL) {
			*ret = f->list;
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			l[i] = sl[i]->e;
		free(sl);
		f->list_ok = true;
	}
	*ret = f->list;
	return f->live;
}

size_t bhxh_ldap_follow_take_changed(struct bhxh_ldap_follow *f, struct bhxh_ldap_entry ***ret,
				     bool *ret_full, bool *ret_deleted)
{
	size_t n = 0;
	struct bhxh_ldap_entry **l = realloc(f->chlist, (f->nchanged + 1) * sizeof(*l));

	*ret_full = f->need_full;
	*ret_deleted = f->deleted;
	f->need_full = false;
	f->deleted = false;
	if (l == NULL) {
		*ret_full = true;
		f->nchanged = 0;
		*ret = f->chlist;
		return 0;
	}
	f->chlist = l;
	for (size_t i = 0; i < f->nchanged; i++) {
		bool found;
		struct slot *s = find(f, f->changed[i], &found);

		if (found)
			l[n++] = s->e;
	}
	f->nchanged = 0;
	*ret = l;
	return n;
}

bool bhxh_ldap_follow_refreshed(const struct bhxh_ldap_follow *f)
{
	return f->refreshed;
}

/* ---- the state file ---------------------------------------------------- */

static uint64_t conf_sum(const struct bhxh_ldap_conf *c, const char *const *attrs)
{
	uint64_t h = 1469598103934665603ULL;
	const char *parts[] = { c->base, c->user_base, c->group_base, c->user_filter,
				c->group_filter };

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(parts); i++)
		for (const char *p = parts[i]; ; p++) {
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			if (*p == '\0')
				break;
		}
	for (size_t i = 0; attrs[i] != NULL; i++)
		for (const char *p = attrs[i]; ; p++) {
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			if (*p == '\0')
				break;
		}
	return h ^ (uint64_t)c->schema;
}

static int write_raw(int fd, const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The state file is written through one buffer (an entry is two small
 * pieces: a write each would be 200,000 system calls at 100,000 entries). */
#define WBUF_SIZE (1u << 20)
struct wbuf {
	int fd;
	uint8_t *p;
	size_t len;
};

static int wb_flush(struct wbuf *w)
{
	int r = write_raw(w->fd, w->p, w->len);

	bhxh_wipe(w->p, w->len); /* entries may hold password hashes */
	w->len = 0;
	return r;
}

static int write_all(struct wbuf *w, const void *p, size_t n, uint32_t *crc)
{
	int r;

	*crc = bhxh_crc32(*crc, p, n);
	if (w->len + n > WBUF_SIZE && (r = wb_flush(w)) < 0)
		return r;
	if (n > WBUF_SIZE)
		return write_raw(w->fd, p, n);
	memcpy(w->p + w->len, p, n);
	w->len += n;
	return 0;
}

void bhxh_ldap_remove_stale_tmp(int dfd, const char *name)
{
	char prefix[64];
	struct dirent *de;
	size_t pl;
	DIR *d;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		(void)close(fd);
		return;
	}
	pl = (size_t)snprintf(prefix, sizeof(prefix), ".%s.", name);
	while (pl < sizeof(prefix) && (de = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(de->d_name, prefix, pl) != 0)
			continue;
		pid = strtol(de->d_name + pl, &end, 10);
		if (*end == '\0' && pid > 0 && pid != (long)getpid() &&
		    kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	}
	(void)closedir(d);
}

int bhxh_ldap_follow_save(struct bhxh_ldap_follow *f)
{
	char tmp[64];
	uint32_t crc = 0, n32;
	uint64_t n64 = f->live;
	struct slot **sl = NULL;
	struct wbuf wb = { -1, NULL, 0 };
	size_t nsl = 0;
	int fd, r = 0;

	if (f->dirfd < 0)
		return 0;
	bhxh_ldap_remove_stale_tmp(f->dirfd, f->file);
	snprintf(tmp, sizeof(tmp), ".%s.%ld", f->file, (long)getpid());
	(void)unlinkat(f->dirfd, tmp, 0);
	wb.p = malloc(WBUF_SIZE);
	if (wb.p == NULL)
		return -ENOMEM;
	fd = openat(f->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(wb.p);
		return -errno;
	}
	wb.fd = fd;
	if (f->started && f->ls.ls_cookie.bv_val != NULL &&
	    f->ls.ls_cookie.bv_len <= COOKIE_MAX) {
		/* the cookie of the entries in memory now */
		memcpy(f->cookie, f->ls.ls_cookie.bv_val, f->ls.ls_cookie.bv_len);
		f->cookielen = f->ls.ls_cookie.bv_len;
	}
	n32 = (uint32_t)f->cookielen;
	if ((r = write_all(&wb, f->magic, 8, &crc)) < 0 ||
	    (r = write_all(&wb, &f->confsum, 8, &crc)) < 0 || (r = write_all(&wb, &n32, 4, &crc)) < 0 ||
	    (r = write_all(&wb, f->cookie, f->cookielen, &crc)) < 0 ||
	    (r = write_all(&wb, &n64, 8, &crc)) < 0)
		goto fail;
	sl = live_slots(f, &nsl);
	if (sl == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < nsl; i++) {
		size_t bl;
		const void *b = bhxh_ldap_entry_blob(sl[i]->e, &bl);

		if ((r = write_all(&wb, sl[i]->uuid, UUID_LEN, &crc)) < 0 ||
		    (r = write_all(&wb, b, bl, &crc)) < 0)
			goto fail;
	}
	{
		uint32_t c2 = crc, dummy = 0;

		if ((r = write_all(&wb, &c2, 4, &dummy)) < 0 || (r = wb_flush(&wb)) < 0)
			goto fail;
	}
	/* No fsync: the file is a cache.  After a crash it is the previous
	 * one (a resume from an older cookie, or deltas since an older read:
	 * the server or the listing gives what changed since) or one whose
	 * checksum fails (a full read); the entries and the cookie are
	 * never mixed.  An fsync of 30 MB would cost every --once and every
	 * idle follower a third of a second. */
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (renameat(f->dirfd, tmp, f->dirfd, f->file) < 0) {
		r = -errno;
		goto fail;
	}
	free(sl);
	free(wb.p);
	return 0;
fail:
	free(sl);
	if (wb.p != NULL) {
		bhxh_wipe(wb.p, WBUF_SIZE);
		free(wb.p);
	}
	if (fd >= 0)
		(void)close(fd);
	(void)unlinkat(f->dirfd, tmp, 0);
	return r;
}

/* Load the state file; anything wrong with it means a full refresh. */
static int load(struct bhxh_ldap_follow *f)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0, off;
	uint64_t n64, sum;
	uint32_t n32, crc;
	int fd, r = -EBADMSG;

	fd = openat(f->dirfd, f->file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0 || st.st_size < 32 || (uint64_t)st.st_size > (4ULL << 30))
		goto out;
	buf = malloc((size_t)st.st_size);
	if (buf == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto out;
		got += (size_t)k;
	}
	memcpy(&crc, buf + got - 4, 4);
	if (memcmp(buf, f->magic, 8) != 0 || bhxh_crc32(0, buf, got - 4) != crc)
		goto out;
	memcpy(&sum, buf + 8, 8);
	memcpy(&n32, buf + 16, 4);
	if (sum != f->confsum || n32 > COOKIE_MAX || 20 + (size_t)n32 + 8 > got - 4)
		goto out;
	memcpy(f->cookie, buf + 20, n32);
	f->cookielen = n32;
	off = 20 + n32;
	memcpy(&n64, buf + off, 8);
	off += 8;
	for (uint64_t i = 0; i < n64; i++) {
		struct bhxh_ldap_entry *e;
		uint32_t bl;

		if (got - 4 - off < UUID_LEN + 4)
			goto bad;
		memcpy(&bl, buf + off + UUID_LEN, 4);
		if (bl > got - 4 - off - UUID_LEN)
			goto bad;
		if (bhxh_ldap_entry_parse(buf + off + UUID_LEN, bl, &e) < 0)
			goto bad;
		if (f->keep_maps && bhxh_ldap_entry_keep_map(e) < 0) {
			bhxh_ldap_entry_free(e);
			goto bad;
		}
		/* polling: the search that found it said (the key's first byte) */
		e->kind = f->poll ? buf[off] : bhxh_ldap_kind_in(f->c, e);
		if (put(f, buf + off, e) < 0) {
			bhxh_ldap_entry_free(e);
			goto bad;
		}
		off += UUID_LEN + bl;
	}
	if (off != got - 4)
		goto bad;
	r = 0;
	goto out;
bad:
	clear_all(f);
	f->cookielen = 0;
out:
	if (buf != NULL) {
		bhxh_wipe(buf, got);
		free(buf);
	}
	(void)close(fd);
	return r;
}

static int follow_new(const struct bhxh_ldap_conf *c, int state_dirfd, bool poll,
		      bool keep_maps, struct bhxh_ldap_follow **ret)
{
	struct bhxh_ldap_follow *f = calloc(1, sizeof(*f));
	int r;

	if (f == NULL)
		return -ENOMEM;
	f->c = c;
	f->dirfd = state_dirfd;
	f->poll = poll;
	f->keep_maps = keep_maps;
	f->file = poll ? POLL_FILE : CACHE_FILE;
	f->magic = poll ? POLL_MAGIC : CACHE_MAGIC;
	bhxh_ldap_attr_list(c, f->attrs);
	/* Polling: the kind of an entry is the search that found it, no need
	 * of objectClass (three values of each account, which the server
	 * encodes and checks against its ACLs for nothing). */
	if (poll && strcmp(f->attrs[0], "objectClass") == 0)
		memmove(f->attrs, f->attrs + 1, BHXH_LDAP_ATTRS_MAX * sizeof(*f->attrs));
	f->confsum = conf_sum(c, f->attrs);
	if (poll) {
		/* the timestamps are one server's: another URI starts afresh */
		size_t n = 0;

		while (f->attrs[n] != NULL)
			n++;
		f->attrs[n] = "modifyTimestamp";
		f->attrs[n + 1] = NULL;
		for (const char *p = c->uri; *p != '\0'; p++)
			f->confsum = (f->confsum ^ (unsigned char)*p) * 1099511628211ULL;
	}
	snprintf(f->filter, sizeof(f->filter), "(|%s%s)", c->user_filter, c->group_filter);
	r = table_grow(f);
	if (r < 0) {
		free(f);
		return r;
	}
	if (state_dirfd >= 0)
		(void)load(f);
	*ret = f;
	return 0;
}

int bhxh_ldap_follow_new(const struct bhxh_ldap_conf *c, int state_dirfd,
			 struct bhxh_ldap_follow **ret)
{
	return follow_new(c, state_dirfd, false, true, ret);
}

int bhxh_ldap_poll_new(const struct bhxh_ldap_conf *c, int state_dirfd, bool keep_maps,
		       struct bhxh_ldap_follow **ret)
{
	return follow_new(c, state_dirfd, true, keep_maps, ret);
}

void bhxh_ldap_poll_stateless(struct bhxh_ldap_follow *f)
{
	size_t n = 0;

	if (!f->poll || f->cookielen != 0)
		return;
	while (f->attrs[n] != NULL)
		n++;
	if (n > 0 && strcmp(f->attrs[n - 1], "modifyTimestamp") == 0)
		f->attrs[n - 1] = NULL;
}

void bhxh_ldap_follow_reset(struct bhxh_ldap_follow *f)
{
	f->cookielen = 0;
}

void bhxh_ldap_follow_free(struct bhxh_ldap_follow *f)
{
	if (f == NULL)
		return;
	bhxh_ldap_follow_stop(f);
	if (f->list_ok) {
		/* in the order of the list (when polling, the order they were
		 * read, which is the order of memory): the table's order is a
		 * cache miss per entry (70 ms at 100,000 entries) */
		for (size_t i = 0; i < f->live; i++)
			bhxh_ldap_entry_free(f->list[i]);
		for (size_t i = 0; f->t != NULL && i <= f->mask; i++)
			f->t[i].e = NULL;
	} else
		clear_all(f);
	free(f->t);
	free(f->list);
	free(f->changed);
	free(f->chlist);
	free_names(f->gone, f->ngone);
	free(f->gone);
	free_names(f->gone_out, f->ngone_out);
	free(f->gone_out);
	bhxh_ldap_eb_free(&f->scratch);
	bhxh_ldap_premap_free(f->premap);
	bhxh_wipe(f, sizeof(*f));
	free(f);
}

/* ---- callbacks --------------------------------------------------------- */

static bool uuid_ok(const struct berval *u)
{
	return u != NULL && u->bv_len == UUID_LEN;
}

static int on_entry(ldap_sync_t *ls, LDAPMessage *msg, struct berval *uuid,
		    ldap_sync_refresh_t phase)
{
	struct bhxh_ldap_follow *f = ls->ls_private;
	struct bhxh_ldap_entry *e = NULL;
	int r;

	if (!uuid_ok(uuid))
		return LDAP_SUCCESS;
	f->events++;
	switch (phase) {
	case LDAP_SYNC_CAPI_PRESENT:
		mark(f, (const uint8_t *)uuid->bv_val);
		return LDAP_SUCCESS;
	case LDAP_SYNC_CAPI_DELETE:
		del(f, (const uint8_t *)uuid->bv_val);
		break;
	case LDAP_SYNC_CAPI_ADD:
	case LDAP_SYNC_CAPI_MODIFY:
		r = bhxh_ldap_entry_from_msg(ls->ls_ld, msg, &f->scratch, &e);
		if (r == 0)
			r = bhxh_ldap_entry_keep_map(e);
		if (r == 0) {
			e->kind = bhxh_ldap_kind_in(f->c, e);
			r = put(f, (const uint8_t *)uuid->bv_val, e);
		}
		if (r < 0) {
			bhxh_ldap_entry_free(e);
			f->error = r;
			return LDAP_NO_MEMORY;
		}
		break;
	default:
		return LDAP_SUCCESS;
	}
	if (f->refreshed && f->ops != NULL && f->ops->changed != NULL)
		f->ops->changed(f->arg);
	return LDAP_SUCCESS;
}

static int on_reference(ldap_sync_t *ls, LDAPMessage *msg)
{
	(void)ls;
	(void)msg;
	return LDAP_SUCCESS;
}

/* The refresh ends with refreshDelete (explicit deletions were sent) or
 * refreshPresent (every entry still there was named: the others go). */
static bool ended_in_delete(LDAP *ld, LDAPMessage *msg)
{
	struct berval *data = NULL;
	char *oid = NULL;
	bool del = false;

	if (ldap_parse_intermediate(ld, msg, &oid, &data, NULL, 0) == LDAP_SUCCESS &&
	    data != NULL && data->bv_len > 0)
		del = (unsigned char)data->bv_val[0] == LDAP_TAG_SYNC_REFRESH_DELETE;
	if (oid != NULL)
		ldap_memfree(oid);
	if (data != NULL)
		ber_bvfree(data);
	return del;
}

static int on_intermediate(ldap_sync_t *ls, LDAPMessage *msg, BerVarray uuids,
			   ldap_sync_refresh_t phase)
{
	struct bhxh_ldap_follow *f = ls->ls_private;

	f->events++;
	switch (phase) {
	case LDAP_SYNC_CAPI_PRESENTS:
		f->present_mode = true;
		break;
	case LDAP_SYNC_CAPI_PRESENTS_IDSET:
		f->present_mode = true;
		for (size_t i = 0; uuids != NULL && uuids[i].bv_val != NULL; i++)
			if (uuid_ok(&uuids[i]))
				mark(f, (const uint8_t *)uuids[i].bv_val);
		break;
	case LDAP_SYNC_CAPI_DELETES_IDSET:
		for (size_t i = 0; uuids != NULL && uuids[i].bv_val != NULL; i++)
			if (uuid_ok(&uuids[i]))
				del(f, (const uint8_t *)uuids[i].bv_val);
		if (f->refreshed && f->ops != NULL && f->ops->changed != NULL)
			f->ops->changed(f->arg);
		break;
	case LDAP_SYNC_CAPI_DONE:
		if (f->refreshed)
			break;
		if (f->full || (f->present_mode && !ended_in_delete(ls->ls_ld, msg))) {
			for (size_t i = 0; i <= f->mask; i++)
				if (f->t[i].e != NULL && !f->t[i].present)
					del_slot(f, &f->t[i]);
		}
		f->refreshed = true;
		f->need_full = true;
		f->nchanged = 0;
		if (f->ops != NULL && f->ops->refreshed != NULL)
			f->ops->refreshed(f->arg);
		break;
	default:
		break;
	}
	return LDAP_SUCCESS;
}

static int on_result(ldap_sync_t *ls, LDAPMessage *msg, int refreshDeletes)
{
	struct bhxh_ldap_follow *f = ls->ls_private;

	(void)msg;
	(void)refreshDeletes;
	f->ended = true;
	return LDAP_SUCCESS;
}

/* ---- the operation ----------------------------------------------------- */

void bhxh_ldap_follow_stop(struct bhxh_ldap_follow *f)
{
	if (!f->started)
		return;
	if (f->ls.ls_ld != NULL && f->ls.ls_msgid > 0 && !f->ended)
		(void)ldap_abandon_ext(f->ls.ls_ld, f->ls.ls_msgid, NULL, NULL);
	/* keep the cookie: it belongs to the entries in memory */
	if (f->ls.ls_cookie.bv_val != NULL && f->ls.ls_cookie.bv_len <= COOKIE_MAX) {
		memcpy(f->cookie, f->ls.ls_cookie.bv_val, f->ls.ls_cookie.bv_len);
		f->cookielen = f->ls.ls_cookie.bv_len;
	}
	/* the documented fields are ours, not ldap_mem*'s */
	f->ls.ls_base = NULL;
	f->ls.ls_filter = NULL;
	f->ls.ls_attrs = NULL;
	f->ls.ls_ld = NULL;
	ldap_sync_destroy(&f->ls, 0);
	f->started = false;
}

static void start_fields(struct bhxh_ldap_follow *f, LDAP *ld)
{
	ldap_sync_initialize(&f->ls);
	f->ls.ls_base = (char *)f->c->base;
	f->ls.ls_scope = LDAP_SCOPE_SUBTREE;
	f->ls.ls_filter = f->filter;
	f->ls.ls_attrs = (char **)f->attrs;
	f->ls.ls_timeout = 0;
	f->ls.ls_search_entry = on_entry;
	f->ls.ls_search_reference = on_reference;
	f->ls.ls_intermediate = on_intermediate;
	f->ls.ls_search_result = on_result;
	f->ls.ls_private = f;
	f->ls.ls_ld = ld;
	if (f->cookielen > 0) {
		struct berval cv = { f->cookielen, (char *)f->cookie };

		(void)ber_dupbv(&f->ls.ls_cookie, &cv);
	}
	for (size_t i = 0; i <= f->mask; i++)
		f->t[i].present = false;
	f->full = f->cookielen == 0;
	f->present_mode = false;
	f->refreshed = false;
	f->ended = false;
	f->error = 0;
	f->started = true;
}

int bhxh_ldap_follow_start(struct bhxh_ldap_follow *f, LDAP *ld, char *err, size_t errlen)
{
	int rc;

	bhxh_ldap_follow_stop(f);
	start_fields(f, ld);
	/* libldap runs the whole refresh phase here */
	rc = ldap_sync_init(&f->ls, LDAP_SYNC_REFRESH_AND_PERSIST);
	if (rc == LDAP_SYNC_REFRESH_REQUIRED) {
		/* the server cannot resume from our cookie: read it all */
		bhxh_ldap_follow_stop(f);
		f->cookielen = 0;
		start_fields(f, ld);
		rc = ldap_sync_init(&f->ls, LDAP_SYNC_REFRESH_AND_PERSIST);
	}
	if (rc == LDAP_UNAVAILABLE_CRITICAL_EXTENSION) {
		snprintf(err, errlen, "%.200s: no sync control", f->c->uri);
		return -EOPNOTSUPP;
	}
	if (rc != LDAP_SUCCESS || f->error < 0 || f->ended || !f->refreshed) {
		char *msg = NULL;

		(void)ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg);
		snprintf(err, errlen, "%.200s: sync refresh failed: %s%s%.200s", f->c->uri,
			 f->error < 0 ? strerror(-f->error)
				      : ldap_err2string(rc < 0 ? LDAP_SERVER_DOWN : rc),
			 msg && *msg ? ": " : "", msg ? msg : "");
		if (msg != NULL)
			ldap_memfree(msg);
		if (f->ended && rc == LDAP_SUCCESS)
			snprintf(err, errlen, "%.200s: the server ended the sync search",
				 f->c->uri);
		return rc == LDAP_UNAVAILABLE_CRITICAL_EXTENSION ? -EOPNOTSUPP : -ECONNRESET;
	}
	return 0;
}

/* One ldap_sync_poll(): 1 when something was handled, 0 when nothing was
 * there, -ECONNRESET when the search or the connection ended. */
static int poll_once(struct bhxh_ldap_follow *f, char *err, size_t errlen)
{
	unsigned before = f->events;
	int rc = ldap_sync_poll(&f->ls);

	if (rc == LDAP_SYNC_REFRESH_REQUIRED) {
		/* the server cannot go on from our state: read it all again */
		snprintf(err, errlen, "%.200s: the server asks for a full refresh", f->c->uri);
		f->cookielen = 0;
		if (f->ls.ls_cookie.bv_val != NULL)
			f->ls.ls_cookie.bv_len = 0;
		return -ECONNRESET;
	}
	if (rc < 0 || (rc != LDAP_SUCCESS && rc != 0) || f->ended || f->error < 0) {
		snprintf(err, errlen, "%.200s: %s", f->c->uri,
			 f->ended ? "the server ended the sync search"
				  : f->error < 0 ? strerror(-f->error)
						 : ldap_err2string(rc < 0 ? LDAP_SERVER_DOWN : rc));
		return -ECONNRESET;
	}
	return f->events != before;
}

int bhxh_ldap_follow_poll(struct bhxh_ldap_follow *f, int timeout_ms,
			  const struct bhxh_ldap_follow_ops *ops, void *arg, char *err,
			  size_t errlen)
{
	struct pollfd p = { -1, POLLIN, 0 };
	unsigned start = f->events;
	int r = 0;

	f->ops = ops;
	f->arg = arg;
	for (int round = 0; round < 2; round++) {
		/* What libldap already holds (also from other searches on the
		 * same connection); a message just read from the socket may
		 * need a second call to be handed over. */
		for (int idle = 0; idle < 2;) {
			r = poll_once(f, err, errlen);
			if (r < 0)
				goto out;
			idle = r == 0 ? idle + 1 : 0;
		}
		if (f->events != start || round == 1)
			break;
		if (ldap_get_option(f->ls.ls_ld, LDAP_OPT_DESC, &p.fd) != LDAP_OPT_SUCCESS ||
		    p.fd < 0) {
			snprintf(err, errlen, "%.200s: connection closed", f->c->uri);
			r = -ECONNRESET;
			goto out;
		}
		r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno != EINTR) {
			r = -errno;
			snprintf(err, errlen, "poll: %s", strerror(-r));
			goto out;
		}
		if (r <= 0)
			break;
	}
	r = 0;
out:
	f->ops = NULL;
	return r;
}

/* ---- polling with modifyTimestamp deltas -------------------------------- */

#define TS_LEN 15 /* YYYYMMDDHHMMSSZ */

struct pollrun {
	struct bhxh_ldap_follow *f;
	int kind;
	bool changed;      /* an entry added, modified or removed */
	bool no_ts;        /* an entry without modifyTimestamp: no deltas */
	char maxts[TS_LEN + 1];
	char since[TS_LEN + 1]; /* entries modified since are read again */
	struct fetch {
		int kind;
		char *dn;
	} *fetch;              /* the entries to read (new or modified) */
	size_t nfetch;
	char *err;
	size_t errlen;
};

/* The key of an entry: the kind of search that found it, then 15 bytes of
 * the SHA-1 of its canonical DN. */
static int dn_key(int kind, const char *dn, uint8_t key[UUID_LEN])
{
	uint8_t d[BHXH_SHA1_LEN];
	char *cd = bhxh_ldap_dn_canon(dn);

	if (cd == NULL)
		return -ENOMEM;
	bhxh_sha1(cd, strlen(cd), d);
	free(cd);
	key[0] = (uint8_t)kind;
	memcpy(key + 1, d, UUID_LEN - 1);
	return 0;
}

/* A GeneralizedTime's first 14 digits as YYYYMMDDHHMMSSZ; false if
 * malformed. */
static bool ts_norm(const char *v, size_t len, char out[TS_LEN + 1])
{
	if (len < 14)
		return false;
	for (int i = 0; i < 14; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	memcpy(out, v, 14);
	out[14] = 'Z';
	out[15] = '\0';
	return true;
}

/* ts minus secs, in the same form ("" when ts is malformed). */
static void ts_minus(const char *ts, unsigned secs, char out[TS_LEN + 1])
{
	int64_t v = bhxh_ldap_gentime(ts);
	struct tm tm;
	time_t t;

	out[0] = '\0';
	if (v < 0)
		return;
	t = (time_t)v - (time_t)secs;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, TS_LEN + 1, "%Y%m%d%H%M%SZ", &tm) != TS_LEN)
		out[0] = '\0';
}

/* An entry of a full or delta search: held under its key; an entry the
 * same as the one held (the overlap) changes nothing. */
static int poll_entry(void *arg, LDAP *ld, LDAPMessage *m)
{
	struct pollrun *pr = arg;
	struct bhxh_ldap_follow *f = pr->f;
	struct bhxh_ldap_entry *e = NULL;
	uint8_t key[UUID_LEN];
	char ts[TS_LEN + 1];
	bool have_ts = false, found;
	struct slot *sl;
	int r = bhxh_ldap_entry_from_msg(ld, m, &f->scratch, &e);

	if (r == 0 && f->keep_maps)
		r = bhxh_ldap_entry_keep_map(e);
	if (r == 0)
		r = dn_key(pr->kind, e->dn, key);
	if (r < 0) {
		bhxh_ldap_entry_free(e);
		snprintf(pr->err, pr->errlen, "reading an entry: %s", strerror(-r));
		return r;
	}
	e->kind = pr->kind;
	for (size_t i = 0; i < e->nattrs; i++)
		if (strcasecmp(e->attrs[i].name, "modifyTimestamp") == 0 && e->attrs[i].nvals > 0)
			have_ts = ts_norm(e->attrs[i].vals[0].p, e->attrs[i].vals[0].len, ts);
	if (!have_ts)
		pr->no_ts = true;
	else if (strcmp(ts, pr->maxts) > 0)
		memcpy(pr->maxts, ts, sizeof(ts));
	sl = find(f, key, &found);
	if (found && sl->e->bloblen == e->bloblen &&
	    memcmp(sl->e->blob, e->blob, e->bloblen) == 0) {
		sl->present = true;
		bhxh_ldap_entry_free(e);
		return 0;
	}
	/* mapped now, while the server prepares the next entries */
	bhxh_ldap_entry_premap(f->c, e, &f->premap);
	r = put(f, key, e);
	if (r < 0) {
		bhxh_ldap_entry_free(e);
		snprintf(pr->err, pr->errlen, "%s", strerror(-r));
		return r;
	}
	pr->changed = true;
	return 0;
}

/* The modifyTimestamp of an entry as read, normalized; false if none. */
static bool entry_ts(const struct bhxh_ldap_entry *e, char out[TS_LEN + 1])
{
	for (size_t i = 0; i < e->nattrs; i++)
		if (strcasecmp(e->attrs[i].name, "modifyTimestamp") == 0 && e->attrs[i].nvals > 0)
			return ts_norm(e->attrs[i].vals[0].p, e->attrs[i].vals[0].len, out);
	return false;
}

/* An entry of the listing (its DN and modifyTimestamp alone): marks the
 * entry held under it, and notes it for reading when it is new, its
 * timestamp differs from the one held, or it is within the overlap. */
static int poll_list(void *arg, LDAP *ld, LDAPMessage *m)
{
	struct pollrun *pr = arg;
	char *dn = ldap_get_dn(ld, m), ts[TS_LEN + 1], held[TS_LEN + 1];
	struct berval **v;
	uint8_t key[UUID_LEN];
	bool found, have_ts = false, want;
	struct slot *sl;
	int r;

	if (dn == NULL)
		return -EBADMSG;
	r = dn_key(pr->kind, dn, key);
	if (r < 0)
		goto out;
	v = ldap_get_values_len(ld, m, "modifyTimestamp");
	if (v != NULL && v[0] != NULL)
		have_ts = ts_norm(v[0]->bv_val, v[0]->bv_len, ts);
	if (v != NULL)
		ldap_value_free_len(v);
	if (!have_ts) {
		pr->no_ts = true;
		goto out;
	}
	if (strcmp(ts, pr->maxts) > 0)
		memcpy(pr->maxts, ts, sizeof(ts));
	sl = find(pr->f, key, &found);
	if (found)
		sl->present = true;
	want = !found || !entry_ts(sl->e, held) || strcmp(held, ts) != 0 ||
	       strcmp(ts, pr->since) >= 0;
	if (want && pr->nfetch < BHXH_LDAP_POLL_FETCH_MAX + 1) {
		if (pr->fetch == NULL)
			pr->fetch = calloc(BHXH_LDAP_POLL_FETCH_MAX + 1, sizeof(*pr->fetch));
		if (pr->fetch == NULL || (pr->fetch[pr->nfetch].dn = strdup(dn)) == NULL) {
			r = -ENOMEM;
			goto out;
		}
		pr->fetch[pr->nfetch++].kind = pr->kind;
	}
out:
	ldap_memfree(dn);
	return r;
}

/* Read one entry (base scope, with the filter of its kind); an entry that
 * is gone or no longer matches is dropped. */
static int fetch_one(struct pollrun *pr, LDAP *ld, const struct fetch *x)
{
	const struct bhxh_ldap_conf *c = pr->f->c;
	struct timeval tv = { (time_t)c->timeout, 0 };
	LDAPMessage *res = NULL;
	uint8_t key[UUID_LEN];
	size_t seen = 0;
	int rc, r = 0;

	pr->kind = x->kind;
	rc = ldap_search_ext_s(ld, x->dn, LDAP_SCOPE_BASE,
			       x->kind == BHXH_LDAP_USER ? c->user_filter : c->group_filter,
			       (char **)pr->f->attrs, 0, NULL, NULL, &tv, 1, &res);
	if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) {
		snprintf(pr->err, pr->errlen, "%.200s: search %.200s: %s", c->uri, x->dn,
			 ldap_err2string(rc));
		r = rc == LDAP_NO_MEMORY ? -ENOMEM : -ECONNRESET;
		goto out;
	}
	for (LDAPMessage *m = ldap_first_entry(ld, res); m != NULL && r == 0;
	     m = ldap_next_entry(ld, m), seen++)
		r = poll_entry(pr, ld, m);
	if (r == 0 && seen == 0 && dn_key(x->kind, x->dn, key) == 0) {
		bool found;
		struct slot *sl = find(pr->f, key, &found);

		if (found)
			sl->present = false;
	}
out:
	if (res != NULL)
		ldap_msgfree(res);
	return r;
}

static void free_fetch(struct pollrun *pr)
{
	for (size_t i = 0; i < pr->nfetch; i++)
		free(pr->fetch[i].dn);
	free(pr->fetch);
	pr->fetch = NULL;
	pr->nfetch = 0;
}

/* A search of pr->kind cut short by the server, about to be made again
 * with paging: what it marked present is marked again by the new search
 * (its entries are held under their keys: taken again, they are the same
 * ones), what it noted for reading is noted again. */
static void poll_restart(void *arg)
{
	struct pollrun *pr = arg;

	for (size_t i = 0; i <= pr->f->mask; i++)
		if (pr->f->t[i].e != NULL && pr->f->t[i].e->kind == pr->kind)
			pr->f->t[i].present = false;
	while (pr->nfetch > 0 && pr->fetch[pr->nfetch - 1].kind == pr->kind)
		free(pr->fetch[--pr->nfetch].dn);
}

/* Both searches (accounts, groups) with filter (&FILTER EXTRA), attrs. */
static int poll_search(struct pollrun *pr, LDAP *ld, const char *extra, char **attrs,
		       int (*fn)(void *, LDAP *, LDAPMessage *))
{
	const struct bhxh_ldap_conf *c = pr->f->c;
	char filter[2 * BHXH_LDAP_FILTER_MAX + 64];
	int r;

	pr->kind = BHXH_LDAP_USER;
	snprintf(filter, sizeof(filter), "(&%s%s)", c->user_filter, extra);
	r = bhxh_ldap_search_all(ld, c, c->user_base[0] ? c->user_base : c->base, filter, attrs,
				 fn, poll_restart, pr, pr->err, pr->errlen);
	if (r < 0)
		return r;
	pr->kind = BHXH_LDAP_GROUP;
	snprintf(filter, sizeof(filter), "(&%s%s)", c->group_filter, extra);
	return bhxh_ldap_search_all(ld, c, c->group_base[0] ? c->group_base : c->base, filter,
				    attrs, fn, poll_restart, pr, pr->err, pr->errlen);
}

static void clear_present(struct bhxh_ldap_follow *f)
{
	for (size_t i = 0; i <= f->mask; i++)
		f->t[i].present = false;
}

/* Remove what the last listing did not name; true if anything went. */
static bool drop_absent(struct bhxh_ldap_follow *f)
{
	bool any = false;

	for (size_t i = 0; i <= f->mask; i++)
		if (f->t[i].e != NULL && !f->t[i].present) {
			del_slot(f, &f->t[i]);
			any = true;
		}
	return any;
}

int bhxh_ldap_poll_read(struct bhxh_ldap_follow *f, LDAP *ld, int64_t now, bool *ret_changed,
			bool *ret_delta, char *err, size_t errlen)
{
	int64_t full_at = now, read_at;
	struct pollrun pr = { .f = f, .err = err, .errlen = errlen };
	char *tsonly[] = { (char *)"modifyTimestamp", NULL };
	const char *attrs[BHXH_LDAP_ATTRS_MAX + 2];
	struct bhxh_ldap_entry **ents;
	bool *was = NULL;
	size_t n;
	int rmsgid = -1, r;

	*ret_delta = false;
	pr.since[0] = '\0';
	bhxh_ldap_read_ahead(ld);
	/* the revoked filter's search first: the server runs it while the
	 * entries are read */
	r = bhxh_ldap_revoked_ask(ld, f->c, &rmsgid, err, errlen);
	if (r < 0)
		return r;
	/* the state: the newest modifyTimestamp seen, when everything was
	 * last read (at least once a day, whatever the deltas said) and when
	 * the last read was made */
	if (f->cookielen == TS_LEN + 16) {
		char at[TS_LEN + 1];
		struct tm tm;
		time_t t;

		memcpy(pr.maxts, f->cookie, TS_LEN);
		pr.maxts[TS_LEN] = '\0';
		memcpy(&full_at, f->cookie + TS_LEN, 8);
		memcpy(&read_at, f->cookie + TS_LEN + 8, 8);
		t = (time_t)read_at;
		if (now >= full_at && now - full_at < BHXH_LDAP_POLL_FULL_EVERY &&
		    gmtime_r(&t, &tm) != NULL &&
		    strftime(at, sizeof(at), "%Y%m%d%H%M%SZ", &tm) == TS_LEN)
			ts_minus(at, BHXH_LDAP_POLL_OVERLAP, pr.since);
		else
			full_at = now;
	}
	if (pr.since[0] != '\0' && f->live > 0) {
		/* every DN with its modifyTimestamp (one scan, no other
		 * values): what is no longer listed was deleted or left the
		 * filters; what is new, or modified since it was read (or
		 * within the overlap), is read whole, entry by entry */
		clear_present(f);
		r = poll_search(&pr, ld, "", tsonly, poll_list);
		for (size_t i = 0; r == 0 && !pr.no_ts && pr.nfetch <= BHXH_LDAP_POLL_FETCH_MAX &&
				   i < pr.nfetch;
		     i++)
			r = fetch_one(&pr, ld, &pr.fetch[i]);
		if (r < 0) {
			free_fetch(&pr);
			goto fail;
		}
		if (!pr.no_ts && pr.nfetch <= BHXH_LDAP_POLL_FETCH_MAX) {
			free_fetch(&pr);
			*ret_delta = true;
			pr.changed |= drop_absent(f);
			goto revoked;
		}
		/* more changes than are worth reading one by one, or an entry
		 * without modifyTimestamp: read it all */
		free_fetch(&pr);
	}
	/* everything */
	f->cookielen = 0;
	full_at = now;
	pr.maxts[0] = '\0';
	pr.no_ts = false;
	clear_present(f);
	/* only the attributes the server defines (a name it does not know
	 * costs it at each attribute of each entry) */
	bhxh_ldap_defined_attrs(ld, f->c, f->attrs, attrs);
	r = poll_search(&pr, ld, "", (char **)attrs, poll_entry);
	if (r < 0)
		goto fail;
	pr.changed |= drop_absent(f);
revoked:
	/* the revoked filter, asked again about every account (DNs only: a
	 * revocation through a group's membership leaves the account's own
	 * modifyTimestamp as it was) */
	n = bhxh_ldap_follow_entries(f, &ents);
	was = malloc(n + 1);
	if (was == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		was[i] = ents[i]->revoked;
	r = bhxh_ldap_mark_revoked_from(ld, f->c, rmsgid, ents, n, err, errlen);
	for (size_t i = 0; r == 0 && i < n; i++)
		pr.changed |= was[i] != ents[i]->revoked;
	free(was);
	if (r < 0)
		return r;
	/* without modifyTimestamp on every entry, every poll reads it all */
	if (!pr.no_ts && pr.maxts[0] != '\0') {
		memcpy(f->cookie, pr.maxts, TS_LEN);
		memcpy(f->cookie + TS_LEN, &full_at, 8);
		memcpy(f->cookie + TS_LEN + 8, &now, 8);
		f->cookielen = TS_LEN + 16;
	} else
		f->cookielen = 0;
	*ret_changed = pr.changed;
	return 0;
fail:
	if (rmsgid >= 0)
		(void)ldap_abandon_ext(ld, rmsgid, NULL, NULL);
	return r;
}
