/* bhxhctl db sync|status: the directory database from LDAP (ldap area).
 *
 *   db sync --once     read the whole directory, validate it like db build,
 *                      install it as the next generation
 *   db sync --follow   stay connected (RFC 4533 refreshAndPersist) and
 *                      install each change within a second; reconnect with
 *                      back-off, keep serving the last good generation
 *   db status          what the follower last did
 *
 * Every applied generation and every refused update is one audit record
 * (op=bhxhctl:db_sync); a refused update leaves the installed generation
 * untouched. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libaudit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "dirlock_sync.h"
#include "dirdb.h"
#include "dirdb_build.h"
#include "i18n.h"
#include "ldap_client.h"
#include "ldap_map.h"
#include "sync_bis.h"

#define SYNC_USAGE                                                                         \
	N_("usage: bhxhctl db sync --once|--follow [--db DIR] [--force]\n"                \
	   "       bhxhctl db status [--db DIR] [--json]")

#define LOCAL_PASSWD "/etc/passwd"
#define LOCAL_GROUP "/etc/group"
#define STATUS_FILE "status"
#define BACKOFF_MAX 60

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct sync {
	struct cli *cli;
	const struct bhxh_ldap_conf *lc;
	const char *dbdir;
	bool force;
	const char *mode;   /* once, follow, poll */
	int statefd;        /* the root-only state directory, or -1 */
	/* status */
	const char *state;  /* connected, disconnected, polling, done, refused */
	const char *last_read; /* once/poll: "delta" or "full"; NULL: not read */
	/* --once: keep the read state (modifyTimestamp deltas) only for a
	 * server without the sync control; a follower does not need it */
	bool once_probe, stateless;
	time_t since, last_applied, last_ok;
	uint64_t generation;
	char last_error[BHXH_ERR_MAX];
	/* the passwd.db build installed or verified last */
	bool known;
	uint64_t known_gen;
	uint8_t known_id[BHXH_DB_BUILD_ID_LEN];
	/* --follow: the images of the installed generation, kept to patch
	 * the next change into (apply_patch), the size of its strings at the
	 * last full build, and the local files that build was checked with */
	bool keep_images;
	void *img_pw, *img_sp;
	size_t img_pwlen, img_splen;
	uint64_t img_strings_full, img_u32_full;
	struct stat local_st[2];
};

static time_t now_s(void)
{
	return time(NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- status file ------------------------------------------------------- */

static void put_kv(FILE *f, const char *k, const char *v)
{
	fprintf(f, "%s=", k);
	for (; *v; v++)
		fputc(*v == '\n' ? ' ' : *v, f);
	fputc('\n', f);
}

/* The state directory's status file, replaced atomically. */
static void write_status(struct sync *s)
{
	char tmp[32];
	FILE *f;
	int fd;

	if (s->statefd < 0)
		return;
	snprintf(tmp, sizeof(tmp), ".status.%ld", (long)getpid());
	(void)unlinkat(s->statefd, tmp, 0);
	fd = openat(s->statefd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (f == NULL) {
		(void)close(fd);
		(void)unlinkat(s->statefd, tmp, 0);
		return;
	}
	fprintf(f, "pid=%ld\n", (long)getpid());
	put_kv(f, "mode", s->mode);
	put_kv(f, "source", s->lc->uri);
	put_kv(f, "state", s->state);
	fprintf(f, "since=%lld\n", (long long)s->since);
	fprintf(f, "last_applied=%lld\n", (long long)s->last_applied);
	fprintf(f, "last_ok=%lld\n", (long long)s->last_ok);
	fprintf(f, "generation=%llu\n", (unsigned long long)s->generation);
	put_kv(f, "last_error", s->last_error);
	if (s->last_read != NULL)
		put_kv(f, "last_read", s->last_read);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		(void)fclose(f);
		(void)unlinkat(s->statefd, tmp, 0);
		return;
	}
	(void)fclose(f);
	(void)renameat(s->statefd, tmp, s->statefd, STATUS_FILE);
}

static void set_state(struct sync *s, const char *state, const char *error)
{
	if (s->state == NULL || strcmp(s->state, state) != 0)
		s->since = now_s();
	s->state = state;
	if (error != NULL)
		(void)bhxh_strlcpy(s->last_error, error, sizeof(s->last_error));
	write_status(s);
}

/* ---- audit ------------------------------------------------------------- */

struct counts {
	unsigned added, removed, changed;
	uint64_t removed_users;
	char revoked[1024]; /* names newly revoked or removed, comma-separated */
	unsigned nrevoked;
};

static void add_revoked(struct counts *k, const char *name)
{
	size_t len = strlen(k->revoked);

	k->nrevoked++;
	if (len + strlen(name) + 2 < sizeof(k->revoked) - 16)
		snprintf(k->revoked + len, sizeof(k->revoked) - len, "%s%s", len ? "," : "",
			 name);
}

static void audit_sync(struct sync *s, bool ok, const char *reason, const struct counts *k,
		       size_t users, size_t groups, const char *error)
{
	char extra[BHXH_AUDIT_MSG_MAX - 256], enc[2 * 1024 + 3], src[2 * 256 + 3];
	struct bhxh_audit_msg m = {
		.op = "bhxhctl:db_sync",
		.acct = NULL,
		.id = -1,
		.reason = reason,
		.extra = extra,
		.success = ok,
	};
	size_t n;
	int r;

	if (bhxh_audit_encode(src, sizeof(src), s->lc->uri) < 0)
		snprintf(src, sizeof(src), "\"?\"");
	n = (size_t)snprintf(extra, sizeof(extra), "source=%s generation=%llu", src,
			     (unsigned long long)s->generation);
	if (k != NULL && n < sizeof(extra)) {
		n += (size_t)snprintf(extra + n, sizeof(extra) - n,
				      " users=%zu groups=%zu added=%u removed=%u changed=%u "
				      "revocations=%u",
				      users, groups, k->added, k->removed, k->changed, k->nrevoked);
		if (k->nrevoked > 0 && n < sizeof(extra) &&
		    bhxh_audit_encode(enc, sizeof(enc), k->revoked) == 0)
			n += (size_t)snprintf(extra + n, sizeof(extra) - n, " revoked=%s", enc);
	}
	if (error != NULL && n < sizeof(extra)) {
		char e[2 * 300 + 3], cut[301];

		(void)bhxh_strlcpy(cut, error, sizeof(cut));
		if (bhxh_audit_encode(e, sizeof(e), cut) == 0)
			(void)snprintf(extra + n, sizeof(extra) - n, " error=%s", e);
	}
	r = bhxh_audit_send(AUDIT_USER_MGMT, &m);
	if (r < 0)
		cli_err(_("warning: audit record not sent: %s"), strerror(-r));
}

/* ---- one generation ---------------------------------------------------- */

static bool same_str(const struct bhxh_db *db, uint32_t off, const char *s)
{
	const char *o = bhxh_db_str(db, off);

	return o != NULL && strcmp(o, s) == 0;
}

/* What the new source changes against the installed database. */
static void count_changes(const struct bhxh_db *old, const struct bhxh_dirsrc *src,
			  struct counts *k)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < src->nusers; i++) {
		const struct bhxh_srcuser *u = &src->users[i];
		const struct bhxh_dbuser *o = old ? bhxh_db_user_by_name(old, u->name) : NULL;
		bool was_revoked;

		if (o == NULL) {
			k->added++;
			continue;
		}
		was_revoked = (o->flags & BHXH_DBU_REVOKED) != 0;
		if (u->revoked && !was_revoked)
			add_revoked(k, u->name);
		if (o->uid != u->uid || o->gid != u->gid || was_revoked != u->revoked ||
		    !same_str(old, o->gecos, u->gecos) || !same_str(old, o->dir, u->dir) ||
		    !same_str(old, o->shell, u->shell))
			k->changed++;
	}
	for (size_t i = 0; i < src->ngroups; i++) {
		const struct bhxh_srcgroup *g = &src->groups[i];
		const struct bhxh_dbgroup *o = old ? bhxh_db_group_by_name(old, g->name) : NULL;
		bool same;

		if (o == NULL) {
			k->added++;
			continue;
		}
		same = o->gid == g->gid && o->nmem == g->nmem;
		for (uint32_t j = 0; same && j < g->nmem; j++) {
			const char *mn = bhxh_db_group_member(old, o, j);

			same = mn != NULL && strcmp(mn, src->members[g->mem + j]) == 0;
		}
		if (!same)
			k->changed++;
	}
	for (uint64_t i = 0; old != NULL && i < old->nusers; i++) {
		const char *name = bhxh_db_str(old, old->users[i].name);

		if (name != NULL && bhxh_dirsrc_user(src, name) == NULL) {
			k->removed++;
			k->removed_users++;
			add_revoked(k, name);
		}
	}
	for (uint64_t i = 0; old != NULL && i < old->ngroups; i++) {
		const char *name = bhxh_db_str(old, old->groups[i].name);

		if (name != NULL && bhxh_dirsrc_group(src, name) == NULL)
			k->removed++;
	}
}

static uint64_t body_sum(const void *img)
{
	return ((const struct bhxh_dbhdr *)img)->body_sum;
}

/* The build a passwd.db image (header first) belongs to. */
static void remember_build(struct sync *s, const void *img)
{
	const struct bhxh_dbhdr *h = img;

	s->known = true;
	s->known_gen = h->generation;
	memcpy(s->known_id, h->build_id, sizeof(s->known_id));
}

/* The body checksum of an installed file, or 0. */
static uint64_t installed_sum(const char *dbdir, const char *name, unsigned flags)
{
	struct bhxh_db db;
	uint64_t sum = 0;

	if (bhxh_db_open(dbdir, name, flags, &db) == 0) {
		sum = body_sum(db.base);
		bhxh_db_close(&db);
	}
	return sum;
}

/* The installed passwd.db, its body checksum verified (a pass over the
 * whole file) unless it is the very build this process installed or
 * verified last: a follower pays for it once, not at each change. */
static int open_installed(struct sync *s, unsigned flags, struct bhxh_db *db)
{
	struct bhxh_db chk;
	int r = bhxh_db_open(s->dbdir, BHXH_DB_PASSWD, flags, db);

	if (r < 0)
		return r;
	if (s->known && s->known_gen == db->generation &&
	    memcmp(s->known_id, db->build_id, sizeof(s->known_id)) == 0)
		return 0;
	r = bhxh_db_from_memory(db->base, db->size, false, flags | BHXH_DB_CHECKSUM, &chk);
	if (r < 0) {
		bhxh_db_close(db);
		return r;
	}
	remember_build(s, db->base);
	return 0;
}

enum { APPLIED = 0, UNCHANGED = 1, REFUSED = -1, FAILED = -2, NOT_PATCHED = -3 };

static const char *const local_files[2] = { LOCAL_PASSWD, LOCAL_GROUP };

static void drop_images(struct sync *s)
{
	free(s->img_pw);
	if (s->img_sp != NULL) {
		bhxh_wipe(s->img_sp, s->img_splen); /* password hashes */
		free(s->img_sp);
	}
	s->img_pw = s->img_sp = NULL;
}

/* Keep the images of the generation now installed (they become ours). */
static void keep_images(struct sync *s, void **pw, size_t pwlen, void **sp, size_t splen,
			bool full)
{
	drop_images(s);
	s->img_pw = *pw;
	s->img_pwlen = pwlen;
	s->img_sp = *sp;
	s->img_splen = splen;
	*pw = *sp = NULL;
	if (full) {
		const struct bhxh_dbhdr *h = s->img_pw;

		s->img_strings_full = h->sec[BHXH_SEC_STRINGS].count;
		s->img_u32_full = h->sec[BHXH_SEC_U32].count;
	}
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Validate the entries like db build, guard against mass deletion, and
 * install them as the next generation (nothing when nothing changed). */
static int apply(struct sync *s, struct bhxh_ldap_entry *const *ents, size_t n)
{
	unsigned flags = geteuid() == 0 ? 0 : BHXH_DB_TRUST_EUID;
	struct bhxh_ldap_src ls;
	struct bhxh_db old;
	struct counts k;
	char err[BHXH_ERR_MAX];
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0;
	bool have_old = false, local_ok = true;
	struct stat local[2];
	uint64_t gen = 1;
	int r, rc = FAILED;

	bhxh_ldap_src_init(&ls);
	memset(&old, 0, sizeof(old));
	memset(local, 0, sizeof(local));
	for (int i = 0; i < 2; i++)
		local_ok &= stat(local_files[i], &local[i]) == 0;
	dirlock_apply(&s->cli->conf, ents, n); /* dirlock.c: the fleet's locks */
	r = bhxh_ldap_build(s->lc, (const struct bhxh_ldap_entry *const *)ents, n, LOCAL_PASSWD,
			    LOCAL_GROUP, &ls, err, sizeof(err));
	if (r < 0) {
		cli_err(_("directory refused, nothing installed: %s"), err);
		set_state(s, s->state ? s->state : "refused", err);
		audit_sync(s, false, "invalid_source", NULL, 0, 0, err);
		rc = REFUSED;
		goto out;
	}
	r = open_installed(s, flags, &old);
	have_old = r == 0;
	if (r < 0 && r != -ENOENT && !s->force) {
		snprintf(err, sizeof(err), "%s: %s", s->dbdir, strerror(-r));
		cli_err(_("the installed database in %s is unusable (%s); use --force to replace it"),
			s->dbdir, strerror(-r));
		set_state(s, s->state ? s->state : "refused", err);
		goto out;
	}
	if (have_old)
		gen = old.generation + 1;
	count_changes(have_old ? &old : NULL, &ls.s, &k);
	if (have_old && old.nusers > 0 && !s->force) {
		uint64_t removed_users = k.removed_users;

		if (removed_users * 100 > s->cli->conf.dir.db_max_delete * old.nusers) {
			snprintf(err, sizeof(err),
				 "this update removes %llu of %llu accounts, more than "
				 "db_max_delete=%llu%%",
				 (unsigned long long)removed_users, (unsigned long long)old.nusers,
				 (unsigned long long)s->cli->conf.dir.db_max_delete);
			cli_err(_("refused: this update removes %llu of %llu accounts, more than "
				  "db_max_delete=%llu%%; check the source or use --force"),
				(unsigned long long)removed_users, (unsigned long long)old.nusers,
				(unsigned long long)s->cli->conf.dir.db_max_delete);
			set_state(s, s->state ? s->state : "refused", err);
			audit_sync(s, false, "mass_delete", &k, ls.s.nusers, ls.s.ngroups, err);
			rc = REFUSED;
			goto out;
		}
	}
	r = bhxh_dirdb_serialize(&ls.s, gen, &pw, &pwlen, &sp, &splen);
	if (r < 0) {
		snprintf(err, sizeof(err), "%s", strerror(-r));
		cli_err(_("cannot build the database: %s"), strerror(-r));
		set_state(s, s->state ? s->state : "refused", err);
		goto out;
	}
	if (have_old && body_sum(pw) == body_sum(old.base) &&
	    body_sum(sp) == installed_sum(s->dbdir, BHXH_DB_SHADOW, flags)) {
		s->generation = old.generation;
		rc = UNCHANGED;
		goto out;
	}
	if (bhxh_dirdb_install(s->dbdir, pw, pwlen, sp, splen, err, sizeof(err)) < 0) {
		cli_err(_("cannot install the database: %s"), err);
		set_state(s, s->state ? s->state : "refused", err);
		audit_sync(s, false, "install_failed", &k, ls.s.nusers, ls.s.ngroups, err);
		goto out;
	}
	remember_build(s, pw);
	s->generation = gen;
	s->last_applied = now_s();
	s->last_error[0] = '\0';
	audit_sync(s, true, "applied", &k, ls.s.nusers, ls.s.ngroups, NULL);
	printf(_("installed generation %llu in %s: %zu users, %zu groups, %zu shadow entries "
		 "(%u added, %u removed, %u changed)\n"),
	       (unsigned long long)gen, s->dbdir, ls.s.nusers, ls.s.ngroups, ls.s.nsp, k.added,
	       k.removed, k.changed);
	fflush(stdout);
	rc = APPLIED;
out:
	/* a follower patches the next change into what is installed now
	 * (these images, or the same content under an older build id) */
	if (s->keep_images && (rc == APPLIED || rc == UNCHANGED) && local_ok) {
		keep_images(s, &pw, pwlen, &sp, splen, true);
		memcpy(s->local_st, local, sizeof(local));
	} else if (rc != UNCHANGED)
		drop_images(s);
	if (have_old)
		bhxh_db_close(&old);
	free(pw);
	if (sp != NULL) {
		bhxh_wipe(sp, splen);
		free(sp);
	}
	bhxh_ldap_src_free(&ls);
	return rc;
}

/* ---- --once and polling ------------------------------------------------- */

static void save_state(struct bhxh_ldap_follow *f)
{
	int w = bhxh_ldap_follow_save(f);

	if (w < 0)
		cli_err(_("warning: cannot save the sync state: %s"), strerror(-w));
}

/* Bring the poller up to date (modifyTimestamp deltas when it has a saved
 * state, else a full read) and apply the entries: always, or only when
 * something changed or the last try did not get through (*pending).  The
 * state is saved after an update that did not fail, so that the next run
 * (the timer's --once too) reads deltas.  APPLIED/UNCHANGED/REFUSED, or
 * FAILED with err set when the directory could not be read. */
static int poll_apply(struct sync *s, struct bhxh_ldap_follow *f, bool always, bool *pending,
		      char *err, size_t errlen)
{
	struct bhxh_ldap_entry **ents;
	bool changed = false, delta = false;
	LDAP *ld = NULL;
	size_t n;
	int r, rc = UNCHANGED;

	err[0] = '\0';
	r = bhxh_ldap_connect(s->lc, &ld, err, errlen);
	if (r == 0 && s->once_probe) {
		r = bhxh_ldap_offers_sync(ld, s->lc);
		if (r < 0)
			snprintf(err, errlen, "reading the root DSE: %s", strerror(-r));
		else {
			s->stateless = r > 0;
			if (s->stateless)
				bhxh_ldap_poll_stateless(f);
			r = 0;
		}
	}
	if (r == 0)
		r = bhxh_ldap_poll_read(f, ld, (int64_t)now_s(), &changed, &delta, err, errlen);
	bhxh_ldap_close(ld);
	if (r < 0) {
		*pending = true; /* what was read may not be applied yet */
		return FAILED;
	}
	s->last_ok = now_s();
	s->last_read = delta ? "delta" : "full";
	n = bhxh_ldap_follow_entries(f, &ents);
	if (always || changed || *pending) {
		rc = apply(s, ents, n);
		*pending = rc == FAILED;
		if (rc != FAILED && (changed || !delta) && !s->stateless)
			save_state(f);
	}
	dirlock_tick(&s->cli->conf, ents, n);
	return rc;
}

/* One read and apply; returns APPLIED/UNCHANGED/REFUSED/FAILED. */
static int once(struct sync *s)
{
	struct bhxh_ldap_follow *f = NULL;
	char err[BHXH_ERR_MAX];
	bool pending = true;
	int r = bhxh_ldap_poll_new(s->lc, s->statefd, false, &f);

	if (r < 0) {
		cli_err(_("cannot read the directory, nothing installed: %s"), strerror(-r));
		return FAILED;
	}
	s->once_probe = true;
	r = poll_apply(s, f, true, &pending, err, sizeof(err));
	if (r == FAILED && err[0] != '\0') {
		cli_err(_("cannot read the directory, nothing installed: %s"), err);
		set_state(s, "disconnected", err);
	}
	bhxh_ldap_follow_free(f);
	return r;
}

/* ---- --follow ---------------------------------------------------------- */

struct follow_ctx {
	struct sync *s;
	bool dirty;
	long long first_change, last_change;
	bool unsaved;
	long long last_save;
};

static void on_refreshed(void *arg)
{
	struct follow_ctx *fc = arg;

	fc->dirty = true;
	fc->first_change = fc->last_change = now_ms() - 100000; /* apply now */
}

static void on_changed(void *arg)
{
	struct follow_ctx *fc = arg;
	long long t = now_ms();

	if (!fc->dirty)
		fc->first_change = t;
	fc->dirty = true;
	fc->last_change = t;
}

/* Can the images kept be patched: the installed generation (*ret_gen) is
 * still the one this follower made (the images kept after an unchanged
 * build carry the next number in their header: the installed one counts),
 * the local files are as they were at its last full build, and the
 * strings and lists abandoned by earlier patches are under a quarter of
 * the file? */
static bool patchable(struct sync *s, unsigned flags, uint64_t *ret_gen)
{
	const struct bhxh_dbhdr *hp = s->img_pw, *hs = s->img_sp;
	struct bhxh_db opw;
	bool ok;

	if (s->img_pw == NULL ||
	    hp->sec[BHXH_SEC_STRINGS].count > s->img_strings_full + s->img_strings_full / 4 ||
	    hp->sec[BHXH_SEC_U32].count > s->img_u32_full + s->img_u32_full / 4 + 4096)
		return false;
	for (int i = 0; i < 2; i++) {
		struct stat st;

		if (stat(local_files[i], &st) < 0 || !same_file(&st, &s->local_st[i]))
			return false;
	}
	if (bhxh_db_open(s->dbdir, BHXH_DB_PASSWD, flags, &opw) < 0)
		return false;
	ok = body_sum(opw.base) == hp->body_sum &&
	     installed_sum(s->dbdir, BHXH_DB_SHADOW, flags) == hs->body_sum;
	*ret_gen = opw.generation;
	bhxh_db_close(&opw);
	return ok;
}

/* Which accounts of the entries to patch, sub (the delta's nch changed
 * entries first), are new (added[k] for its k-th account): changed entries
 * the installed generation has no record of.  False when the patch cannot
 * follow the change: an account renamed, an entry that is neither an
 * account nor a group. */
static bool delta_kinds(struct bhxh_ldap_entry *const *sub, size_t nch, size_t nsub,
			const struct bhxh_dirsrc *d, bool *added)
{
	size_t k = 0;

	for (size_t i = 0; i < nsub; i++) {
		const struct bhxh_ldap_mapped *m = sub[i]->mapped;

		if (sub[i]->kind == BHXH_LDAP_GROUP)
			continue;
		if (sub[i]->kind != BHXH_LDAP_USER || m == NULL || m->name == NULL ||
		    k >= d->nusers || strcmp(d->users[k].name, m->name) != 0)
			return false;
		if (m->prev_name != NULL && strcmp(m->prev_name, m->name) != 0)
			return false;
		added[k++] = i < nch && m->prev_name == NULL;
	}
	return k == d->nusers;
}

/* The audit counts of a patch, as count_changes makes them. */
static void patch_counts(const struct bhxh_dirsrc *d, const unsigned *what,
			 const char *const *gone, size_t ngone, struct counts *k)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < d->nusers + d->ngroups; i++) {
		k->added += (what[i] & BHXH_PATCH_ADDED) != 0;
		k->changed += (what[i] & BHXH_PATCH_CHANGED) != 0;
		if (i < d->nusers && (what[i] & BHXH_PATCH_REVOKED))
			add_revoked(k, d->users[i].name);
	}
	k->removed = (unsigned)ngone;
	k->removed_users = ngone;
	for (size_t i = 0; i < ngone; i++)
		add_revoked(k, gone[i]);
}

static size_t img_count(const void *img, int sec)
{
	return (size_t)((const struct bhxh_dbhdr *)img)->sec[sec].count;
}

/* Install a patched generation and say so (audit, output). */
static int install_patched(struct sync *s, uint64_t gen, void **pw, size_t pwlen, void **sp,
			   size_t splen, const struct counts *k)
{
	size_t nu = img_count(*pw, BHXH_SEC_USERS), ng = img_count(*pw, BHXH_SEC_GROUPS);
	char err[BHXH_ERR_MAX];

	if (bhxh_dirdb_install(s->dbdir, *pw, pwlen, *sp, splen, err, sizeof(err)) < 0) {
		cli_err(_("cannot install the database: %s"), err);
		set_state(s, s->state ? s->state : "refused", err);
		audit_sync(s, false, "install_failed", k, nu, ng, err);
		drop_images(s);
		return FAILED;
	}
	remember_build(s, *pw);
	s->generation = gen;
	s->last_applied = now_s();
	s->last_error[0] = '\0';
	audit_sync(s, true, "applied", k, nu, ng, NULL);
	printf(_("installed generation %llu in %s (patched): %zu users, %zu groups, %zu shadow "
		 "entries (%u added, %u removed, %u changed)\n"),
	       (unsigned long long)gen, s->dbdir, nu, ng, img_count(*sp, BHXH_SEC_SHADOW),
	       k->added, k->removed, k->changed);
	fflush(stdout);
	keep_images(s, pw, pwlen, sp, splen, false);
	return APPLIED;
}

/* Apply the changed and deleted entries by patching the installed
 * generation's images (bhxh_dirdb_patch) instead of building the whole
 * directory again, when patchable() and delta_kinds() allow it.  The
 * delta is mapped and validated like a full build (against the local
 * files too); the mass-deletion guard counts the accounts deleted.
 * Anything else, an entry that does not map or validate, a guard that
 * would refuse, a change the patch cannot prove right, is NOT_PATCHED:
 * the full build then decides, and refuses and audits as always. */
static int apply_patch(struct sync *s, struct bhxh_ldap_entry *const *ch, size_t nch,
		       const char *const *gone, size_t ngone,
		       struct bhxh_ldap_entry *const *ents, size_t n)
{
	unsigned flags = geteuid() == 0 ? 0 : BHXH_DB_TRUST_EUID;
	struct bhxh_dirdb_delta dl = { NULL, NULL, gone, ngone, BHXH_LDAP_MEMBERS_MAX };
	struct bhxh_ldap_entry **sub = NULL;
	size_t nsub = nch;
	struct bhxh_ldap_src ls;
	struct bhxh_db opw, osp;
	struct counts k;
	char err[BHXH_ERR_MAX];
	void *pw = NULL, *sp = NULL;
	size_t pwlen = 0, splen = 0;
	unsigned *what = NULL;
	bool *added = NULL;
	uint64_t gen = 0;
	int r, rc = NOT_PATCHED;

	if (nch + ngone == 0 || !patchable(s, flags, &gen))
		return NOT_PATCHED;
	bhxh_ldap_src_init(&ls);
	if (bhxh_db_from_memory(s->img_pw, s->img_pwlen, false, flags, &opw) < 0 ||
	    bhxh_db_from_memory(s->img_sp, s->img_splen, true, flags, &osp) < 0)
		goto out;
	/* rfc2307bis: the groups whose members the delta changes and the
	 * accounts they list are mapped with it */
	if (s->lc->schema == BHXH_LDAP_RFC2307BIS &&
	    !sync_bis_entries(s->lc, ch, nch, gone, ngone, &opw, ents, n, &sub, &nsub))
		goto out;
	if (bhxh_ldap_build(s->lc, (const struct bhxh_ldap_entry *const *)(sub ? sub : ch), nsub,
			    LOCAL_PASSWD, LOCAL_GROUP, &ls, err, sizeof(err)) < 0 ||
	    (what = calloc(ls.s.nusers + ls.s.ngroups + 1, sizeof(*what))) == NULL ||
	    (added = calloc(ls.s.nusers + 1, sizeof(*added))) == NULL ||
	    !delta_kinds(sub ? sub : ch, nch, nsub, &ls.s, added))
		goto out;
	if (!s->force && ngone * 100 > s->cli->conf.dir.db_max_delete * opw.nusers)
		goto out; /* the full build refuses it, and audits */
	dl.d = &ls.s;
	dl.added = added;
	r = bhxh_dirdb_patch(&opw, &osp, &dl, gen + 1, what, &pw, &pwlen, &sp, &splen);
	if (r >= 0)
		dirlock_apply(&s->cli->conf, ents, n); /* dirlock.c: the fleet's locks */
	if (r == 1)
		rc = UNCHANGED;
	if (r != 0)
		goto out;
	patch_counts(&ls.s, what, gone, ngone, &k);
	rc = install_patched(s, gen + 1, &pw, pwlen, &sp, splen, &k);
out:
	free(sub);
	free(what);
	free(added);
	free(pw);
	if (sp != NULL) {
		bhxh_wipe(sp, splen);
		free(sp);
	}
	bhxh_ldap_src_free(&ls);
	return rc;
}

/* Apply the follower's entries.  The revoked filter is asked about every
 * account after a refresh, and about the changed accounts alone after that
 * (one base-scope search each; a deletion changes nothing of what the
 * filter says of the others). */
static int follow_apply(struct sync *s, struct bhxh_ldap_follow *f, LDAP *ld)
{
	struct bhxh_ldap_entry **ents, **changed;
	const char *const *gone;
	size_t n, nch, ngone;
	char err[BHXH_ERR_MAX];
	bool full, deleted;
	int r = 0;

	nch = bhxh_ldap_follow_take_changed(f, &changed, &full, &deleted);
	ngone = bhxh_ldap_follow_take_gone(f, &gone);
	n = bhxh_ldap_follow_entries(f, &ents);
	if (full)
		r = bhxh_ldap_mark_revoked(ld, s->lc, ents, n, err, sizeof(err));
	for (size_t i = 0; !full && r == 0 && i < nch; i++)
		r = bhxh_ldap_check_revoked(ld, s->lc, changed[i], err, sizeof(err));
	if (r < 0) {
		cli_err(_("cannot read the directory, nothing installed: %s"), err);
		drop_images(s); /* the changes taken are not in them: a full build next */
		return FAILED;
	}
	if (!full && !deleted) {
		r = apply_patch(s, changed, nch, gone, ngone, ents, n);
		if (r != NOT_PATCHED)
			return r;
	}
	return apply(s, ents, n);
}

/* Save the sync state (cookie and entries): at most every SAVE_EVERY_MS
 * while changes come, when they stop, and at the end.  After a crash the
 * follower resumes from an older cookie; the server sends the changes
 * again, which are whole entries: nothing is lost. */
#define SAVE_EVERY_MS 10000
#define SAVE_IDLE_MS 2000

/* Without the sync control: every poll_interval, the entries modified
 * since the last poll and the list of DNs (poll_apply); a generation is
 * installed only when something changed. */
static int poll_loop(struct sync *s)
{
	struct bhxh_ldap_follow *f = NULL;
	bool pending = true;
	int r = bhxh_ldap_poll_new(s->lc, s->statefd, true, &f);

	s->mode = "poll";
	if (r < 0) {
		cli_err(_("cannot start following the directory: %s"), strerror(-r));
		return CLI_ERR;
	}
	while (!stop_requested) {
		char err[BHXH_ERR_MAX];

		r = poll_apply(s, f, false, &pending, err, sizeof(err));
		if (r == FAILED && err[0] != '\0') {
			cli_err(_("directory unreachable, still serving generation %llu: %s (next "
				  "try in %u s)"),
				(unsigned long long)s->generation, err,
				(unsigned)s->lc->poll_interval);
			set_state(s, "disconnected", err);
		} else
			set_state(s, "polling", r == FAILED ? NULL : "");
		for (uint64_t i = 0; i < s->lc->poll_interval * 10 && !stop_requested; i++)
			(void)poll(NULL, 0, 100);
	}
	set_state(s, "stopped", NULL);
	bhxh_ldap_follow_free(f);
	return CLI_OK;
}

static int follow(struct sync *s)
{
	const struct bhxh_ldap_follow_ops ops = { on_refreshed, on_changed };
	struct bhxh_ldap_follow *f = NULL;
	struct follow_ctx fc = { s, false, 0, 0, false, 0 };
	unsigned backoff = 1;
	int r;

	s->keep_images = true;
	r = bhxh_ldap_follow_new(s->lc, s->statefd, &f);
	if (r < 0) {
		cli_err(_("cannot start following the directory: %s"), strerror(-r));
		return CLI_ERR;
	}
	{
		struct bhxh_ldap_entry **ents;
		size_t n = bhxh_ldap_follow_entries(f, &ents);

		if (n > 0)
			cli_err(_("resuming from the saved sync state (%zu entries)"), n);
	}
	set_state(s, "disconnected", NULL);
	while (!stop_requested) {
		char err[BHXH_ERR_MAX];
		LDAP *ld = NULL;

		r = bhxh_ldap_connect(s->lc, &ld, err, sizeof(err));
		if (r == 0)
			r = bhxh_ldap_follow_start(f, ld, err, sizeof(err));
		if (r == -EOPNOTSUPP) {
			cli_err(_("the server does not offer the sync control; reading the changes "
				  "(modifyTimestamp) every %llu s instead"),
				(unsigned long long)s->lc->poll_interval);
			bhxh_ldap_follow_stop(f);
			bhxh_ldap_close(ld);
			bhxh_ldap_follow_free(f);
			return poll_loop(s);
		}
		if (r < 0) {
			cli_err(_("directory unreachable, still serving generation %llu: %s (next "
				  "try in %u s)"),
				(unsigned long long)s->generation, err, backoff);
			set_state(s, "disconnected", err);
			bhxh_ldap_follow_stop(f);
			bhxh_ldap_close(ld);
			for (unsigned i = 0; i < backoff * 10 && !stop_requested; i++)
				(void)poll(NULL, 0, 100);
			backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
			continue;
		}
		if (strcmp(s->state, "connected") != 0)
			cli_err(_("connected to %s"), s->lc->uri);
		set_state(s, "connected", "");
		backoff = 1;
		/* the refresh is complete: apply it now */
		fc.dirty = true;
		fc.first_change = fc.last_change = now_ms() - 100000;
		while (!stop_requested) {
			long long t = now_ms();
			int wait = 1000;

			if (s->cli->conf.dirpw.lockout) { /* dirlock.c: queued locks */
				struct bhxh_ldap_entry **le;
				size_t ln = bhxh_ldap_follow_entries(f, &le);

				dirlock_tick(&s->cli->conf, le, ln);
			}

			if (fc.dirty && bhxh_ldap_follow_refreshed(f)) {
				long long due = fc.last_change + (long long)s->lc->batch_ms;

				/* a burst waits batch_ms after its last change, at
				 * most a second after its first */
				if (due > fc.first_change + 1000)
					due = fc.first_change + 1000;
				if (t >= due) {
					fc.dirty = false;
					if (follow_apply(s, f, ld) != FAILED)
						fc.unsaved = true;
					if (fc.unsaved && now_ms() - fc.last_save >= SAVE_EVERY_MS) {
						save_state(f);
						fc.unsaved = false;
						fc.last_save = now_ms();
					}
					s->last_ok = now_s();
					write_status(s);
					continue;
				}
				wait = (int)(due - t);
			} else if (fc.unsaved) {
				if (t - fc.last_change >= SAVE_IDLE_MS) {
					save_state(f);
					fc.unsaved = false;
					fc.last_save = t;
					continue;
				}
				wait = (int)(fc.last_change + SAVE_IDLE_MS - t);
			}
			if (s->cli->conf.dirpw.lockout && wait > 250)
				wait = 250;
			r = bhxh_ldap_follow_poll(f, wait, &ops, &fc, err, sizeof(err));
			if (r < 0)
				break;
		}
		if (fc.unsaved) {
			save_state(f);
			fc.unsaved = false;
			fc.last_save = now_ms();
		}
		bhxh_ldap_follow_stop(f);
		bhxh_ldap_close(ld);
		if (stop_requested)
			break;
		cli_err(_("connection to the directory lost, still serving generation %llu: %s"),
			(unsigned long long)s->generation, err);
		set_state(s, "disconnected", err);
		(void)poll(NULL, 0, 1000);
	}
	set_state(s, "stopped", NULL);
	bhxh_ldap_follow_free(f);
	drop_images(s);
	return CLI_OK;
}

/* ---- db status --------------------------------------------------------- */

struct status {
	long pid;
	char mode[16], source[BHXH_LDAP_URI_MAX], state[32], last_error[BHXH_ERR_MAX];
	char last_read[16];
	long long since, last_applied, last_ok;
};

static void read_status(const char *dir, struct status *st)
{
	char path[PATH_MAX + 16], line[BHXH_LDAP_URI_MAX + 32];
	struct stat sb;
	FILE *f;
	int fd;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "%s/%s", dir, STATUS_FILE);
	/* the follower's own file: no link, no other writer */
	fd = bhxh_open_regular(AT_FDCWD, path, O_RDONLY, 0, &sb);
	if (fd < 0)
		return;
	if ((sb.st_uid != 0 && sb.st_uid != geteuid()) || (sb.st_mode & 022) != 0 ||
	    (f = fdopen(fd, "r")) == NULL) {
		(void)close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strchr(line, '='), *v;

		if (eq == NULL)
			continue;
		*eq = '\0';
		v = eq + 1;
		v[strcspn(v, "\n")] = '\0';
		if (strcmp(line, "pid") == 0)
			st->pid = strtol(v, NULL, 10);
		else if (strcmp(line, "mode") == 0)
			(void)bhxh_strlcpy(st->mode, v, sizeof(st->mode));
		else if (strcmp(line, "source") == 0)
			(void)bhxh_strlcpy(st->source, v, sizeof(st->source));
		else if (strcmp(line, "state") == 0)
			(void)bhxh_strlcpy(st->state, v, sizeof(st->state));
		else if (strcmp(line, "last_read") == 0)
			(void)bhxh_strlcpy(st->last_read, v, sizeof(st->last_read));
		else if (strcmp(line, "last_error") == 0)
			(void)bhxh_strlcpy(st->last_error, v, sizeof(st->last_error));
		else if (strcmp(line, "since") == 0)
			st->since = strtoll(v, NULL, 10);
		else if (strcmp(line, "last_applied") == 0)
			st->last_applied = strtoll(v, NULL, 10);
		else if (strcmp(line, "last_ok") == 0)
			st->last_ok = strtoll(v, NULL, 10);
	}
	(void)fclose(f);
}

static void fmt_time(char *buf, size_t len, long long t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static int do_status(struct cli *cli, const char *dbdir, bool json)
{
	const struct bhxh_ldap_conf *lc = &cli->conf.ldap;
	unsigned flags = geteuid() == 0 ? 0 : BHXH_DB_TRUST_EUID;
	struct status st;
	struct bhxh_db db;
	bool running, have_db;
	long long now = (long long)now_s(), lag = -1;
	char t1[32], t2[32];
	const char *state;

	read_status(lc->state_dir, &st);
	running = st.pid > 0 && kill((pid_t)st.pid, 0) == 0;
	have_db = bhxh_db_open(dbdir, BHXH_DB_PASSWD, flags, &db) == 0;
	state = st.state[0] == '\0' ? "never" : st.state;
	if (st.state[0] != '\0' && !running && strcmp(st.mode, "follow") == 0)
		state = "stopped";
	if (strcmp(state, "connected") == 0)
		lag = 0; /* changes are pushed as they happen */
	else if (st.last_ok > 0)
		lag = now - st.last_ok;
	fmt_time(t1, sizeof(t1), st.last_applied);
	fmt_time(t2, sizeof(t2), st.since);
	if (json) {
		printf("{\"source\":");
		cli_json_str(stdout, st.source[0] ? st.source : lc->uri);
		printf(",\"mode\":");
		cli_json_str(stdout, st.mode);
		printf(",\"state\":");
		cli_json_str(stdout, state);
		printf(",\"running\":%s,\"since\":%lld,\"generation\":%llu,\"users\":%llu,"
		       "\"groups\":%llu,\"last_applied\":%lld,\"lag_seconds\":%lld,\"last_error\":",
		       running ? "true" : "false", st.since,
		       have_db ? (unsigned long long)db.generation : 0ULL,
		       have_db ? (unsigned long long)db.nusers : 0ULL,
		       have_db ? (unsigned long long)db.ngroups : 0ULL, st.last_applied, lag);
		cli_json_str(stdout, st.last_error);
		printf(",\"last_read\":");
		cli_json_str(stdout, st.last_read);
		printf("}\n");
	} else {
		printf(_("source:        %s\n"), st.source[0] ? st.source : lc->uri);
		printf(_("mode:          %s%s\n"), st.mode[0] ? st.mode : "-",
		       running || strcmp(st.mode, "once") == 0 || st.mode[0] == '\0'
			       ? ""
			       : _(" (not running)"));
		printf(_("state:         %s since %s\n"), state, t2);
		if (have_db)
			printf(_("generation:    %llu (%llu users, %llu groups) in %s\n"),
			       (unsigned long long)db.generation, (unsigned long long)db.nusers,
			       (unsigned long long)db.ngroups, dbdir);
		else
			printf(_("generation:    none installed in %s\n"), dbdir);
		printf(_("last change:   %s\n"), t1);
		if (lag >= 0)
			printf(_("lag:           %lld s\n"), lag);
		if (strcmp(st.last_read, "delta") == 0)
			printf("%s\n", _("last read:     the entries changed since the previous read"));
		else if (strcmp(st.last_read, "full") == 0)
			printf("%s\n", _("last read:     the whole directory"));
		if (st.last_error[0] != '\0')
			printf(_("last error:    %s\n"), st.last_error);
		if (have_db && (strcmp(state, "disconnected") == 0 || strcmp(state, "refused") == 0 ||
				strcmp(state, "stopped") == 0))
			printf("%s\n", _("The machine keeps serving the installed generation."));
	}
	if (have_db)
		bhxh_db_close(&db);
	return CLI_OK;
}

/* ---- entry ------------------------------------------------------------- */

static int open_state(struct sync *s)
{
	int fd = bhxh_open_state_dir(s->lc->state_dir, true);

	if (fd < 0) {
		cli_err(_("%s: cannot open the sync state directory: %s"), s->lc->state_dir,
			strerror(-fd));
		return fd;
	}
	s->statefd = fd;
	/* the status files of syncs killed before their rename */
	bhxh_ldap_remove_stale_tmp(fd, STATUS_FILE);
	return 0;
}

static int cmd_sync(struct cli *cli, int argc, char **argv, bool status)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },  { "follow", no_argument, NULL, 'F' },
		{ "db", required_argument, NULL, 'd' }, { "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sync s;
	const char *dbdir = NULL;
	bool once_mode = false, follow_mode = false, json = false;
	int c, rc;

	memset(&s, 0, sizeof(s));
	s.statefd = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "oFd:fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			once_mode = true;
			break;
		case 'F':
			follow_mode = true;
			break;
		case 'd':
			dbdir = optarg;
			break;
		case 'f':
			s.force = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			cli_err("%s", _(SYNC_USAGE));
			return c == 'h' ? CLI_OK : CLI_ERR;
		}
	}
	if (optind != argc || (!status && once_mode == follow_mode) ||
	    (status && (once_mode || follow_mode || s.force)) || (!status && json)) {
		cli_err("%s", _(SYNC_USAGE));
		return CLI_ERR;
	}
	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	if (dbdir == NULL)
		dbdir = cli->conf.dir.db_dir;
	if (dbdir[0] != '/') {
		cli_err("%s", _("the database directory must be an absolute path"));
		return CLI_ERR;
	}
	if (status)
		return do_status(cli, dbdir, json);
	s.cli = cli;
	s.lc = &cli->conf.ldap;
	s.dbdir = dbdir;
	s.mode = once_mode ? "once" : "follow";
	if (s.lc->uri[0] == '\0' || s.lc->base[0] == '\0') {
		cli_err("%s", _("ldap_uri and ldap_base must be set in the configuration"));
		return CLI_ERR;
	}
	if (open_state(&s) < 0)
		return CLI_ERR;
	{
		struct bhxh_db db;

		if (bhxh_db_open(dbdir, BHXH_DB_PASSWD, geteuid() == 0 ? 0 : BHXH_DB_TRUST_EUID,
				 &db) == 0) {
			s.generation = db.generation;
			bhxh_db_close(&db);
		}
	}
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		(void)sigaction(SIGTERM, &sa, NULL);
		(void)sigaction(SIGINT, &sa, NULL);
		sa.sa_handler = SIG_IGN;
		(void)sigaction(SIGPIPE, &sa, NULL);
	}
	if (once_mode) {
		int r = once(&s);

		if (r == UNCHANGED)
			printf(_("generation %llu in %s is up to date\n"),
			       (unsigned long long)s.generation, dbdir);
		if (r == APPLIED || r == UNCHANGED)
			set_state(&s, "done", "");
		rc = r == APPLIED || r == UNCHANGED ? CLI_OK : r == REFUSED ? CLI_NO : CLI_ERR;
	} else
		rc = follow(&s);
	(void)close(s.statefd);
	return rc;
}

/* "db sync" and "db status" here; the other db commands in cmd_dir.c. */
int cmd_db_any(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "sync") == 0)
		return cmd_sync(cli, argc, argv, false);
	if (argc >= 1 && strcmp(argv[0], "status") == 0)
		return cmd_sync(cli, argc, argv, true);
	return cmd_db(cli, argc, argv);
}
