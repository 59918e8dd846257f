/* The LDAP side of bhxhctl db sync (ldap area): connect and bind, read the
 * whole directory, follow it with the Content Synchronization operation
 * (RFC 4533).  libldap only; linked into bhxhctl, never into the PAM module
 * or the NSS plugin.  Library code: 0 or -errno with a message naming the
 * server or the entry, no logging. */
#ifndef BHXH_LDAP_CLIENT_H
#define BHXH_LDAP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf_ldap.h"
#include "ldap_map.h"

typedef struct ldap LDAP;
typedef struct ldapmsg LDAPMessage; /* as ldap.h has them (C11 allows the repeat) */

/* Connect (URIs in order), StartTLS when asked, bind (simple with the
 * password file, SASL EXTERNAL, or anonymous).  -ECONNREFUSED (no server
 * reachable), -EACCES (bind refused), -EPROTO (TLS), -EPERM (password file
 * not root-only), -EINVAL. */
int bhxh_ldap_connect(const struct bhxh_ldap_conf *c, LDAP **ret, char *err, size_t errlen);
void bhxh_ldap_close(LDAP *ld);
/* Does the server list the Content Synchronization control (RFC 4533)
 * among its root DSE's supportedControl?  1, 0 (not listed, or the root
 * DSE not readable), or -EIO (the connection failed). */
int bhxh_ldap_offers_sync(LDAP *ld, const struct bhxh_ldap_conf *c);

/* From now on, read the connection through a read-ahead buffer (liblber's
 * own layer, beneath TLS when there is TLS): libldap reads each message
 * in two read()s, its header then the rest, after a poll(): three system
 * calls per entry of a full read; with the buffer one read() takes in
 * the many messages the server has sent (a full read at 100,000 entries:
 * 306,000 system calls -> 5,000).  For the connections of full reads
 * (--once, polling) only: the sync search of --follow, which waits for
 * its messages with zero timeouts, loses its connection through it.
 * Nothing happens when the layer is refused (only slower). */
void bhxh_ldap_read_ahead(LDAP *ld);

/* Mark (entry->revoked) the accounts of ents that match the revoked filter
 * (one search; nothing to do when the filter is empty). */
int bhxh_ldap_mark_revoked(LDAP *ld, const struct bhxh_ldap_conf *c,
			   struct bhxh_ldap_entry *const *ents, size_t n, char *err,
			   size_t errlen);
/* The same in two steps: the search asked for first (*ret_msgid, -1 when
 * there is no filter), so that the server runs it (on another of its
 * threads) while the entries are read on the same connection; then its
 * results applied to the entries read.  A msgid of -1 asks it now. */
int bhxh_ldap_revoked_ask(LDAP *ld, const struct bhxh_ldap_conf *c, int *ret_msgid, char *err,
			  size_t errlen);
int bhxh_ldap_mark_revoked_from(LDAP *ld, const struct bhxh_ldap_conf *c, int msgid,
				struct bhxh_ldap_entry *const *ents, size_t n, char *err,
				size_t errlen);

/* A paged subtree search (pages asked for ahead of the entries handled);
 * each entry goes to fn, which returns 0 or -errno (that stops the read).
 * The fallback of bhxh_ldap_search_all and of the revoked filter's search. */
int bhxh_ldap_paged(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base,
		    const char *filter, char **attrs, int (*fn)(void *, LDAP *, LDAPMessage *),
		    void *arg, char *err, size_t errlen);

/* A subtree search of everything under base: first unpaged (one search,
 * the server's cheapest: no candidates computed again for each page),
 * each entry handed to fn as it arrives; when the server ends it with an
 * error code instead (its size limit: slapd's sizelimit, Active
 * Directory's MaxPageSize; an administrative limit; any refusal), the
 * entries fn was handed are only some of them: restart(arg) is called
 * (fn is to forget them, or to take them again as the same entries) and
 * the search is made again, paged (bhxh_ldap_paged).  fn returns 0 or
 * -errno (that stops the read). */
int bhxh_ldap_search_all(LDAP *ld, const struct bhxh_ldap_conf *c, const char *base,
			 const char *filter, char **attrs,
			 int (*fn)(void *, LDAP *, LDAPMessage *), void (*restart)(void *),
			 void *arg, char *err, size_t errlen);

/* The attributes of attrs (NULL-terminated, at most BHXH_LDAP_ATTRS_MAX + 1)
 * that the server's schema defines, into out (as large): the others are
 * never in an entry, and a server may pay for each name it does not know
 * at each attribute of each entry it sends (slapd: 0.1-0.2 s of its CPU in
 * a full read of 100,000 accounts asking for pwdChangedTime and
 * pwdAccountLockedTime without the ppolicy overlay).  All of them when the
 * schema cannot be read (root DSE's subschemaSubentry, its attributeTypes). */
void bhxh_ldap_defined_attrs(LDAP *ld, const struct bhxh_ldap_conf *c,
			     const char *const *attrs, const char **out);

/* Remove from dirfd the temporary files ".NAME.PID" that writers of NAME
 * killed before their rename left (PID a process that is gone; a running
 * writer's file is kept). */
void bhxh_ldap_remove_stale_tmp(int dirfd, const char *name);

/* Set e->revoked from one base-scope search of e (an account changed while
 * following: the filter is asked about it alone). */
int bhxh_ldap_check_revoked(LDAP *ld, const struct bhxh_ldap_conf *c,
			    struct bhxh_ldap_entry *e, char *err, size_t errlen);

/* ---- following (RFC 4533 refreshAndPersist) ---------------------------- */

struct bhxh_ldap_follow;

/* Callbacks of the follower: refreshed() once the refresh phase is over
 * (the entries are complete), changed() after each change of the persist
 * phase.  Entries are owned by the follower. */
struct bhxh_ldap_follow_ops {
	void (*refreshed)(void *arg);
	void (*changed)(void *arg);
};

/* A follower over the entry cache loaded from state_dir (empty when absent
 * or unreadable: a full refresh then).  Returns 0 or -errno. */
int bhxh_ldap_follow_new(const struct bhxh_ldap_conf *c, int state_dirfd,
			 struct bhxh_ldap_follow **ret);
void bhxh_ldap_follow_free(struct bhxh_ldap_follow *f);

/* Start the sync search on ld.  -EOPNOTSUPP: the server lacks the sync
 * control (fall back to polling). */
int bhxh_ldap_follow_start(struct bhxh_ldap_follow *f, LDAP *ld, char *err, size_t errlen);
/* Handle what the server sent, waiting at most timeout_ms for it; calls
 * the ops.  -ECONNRESET (connection lost: reconnect and start again). */
int bhxh_ldap_follow_poll(struct bhxh_ldap_follow *f, int timeout_ms,
			  const struct bhxh_ldap_follow_ops *ops, void *arg, char *err,
			  size_t errlen);
/* End the search (before closing ld). */
void bhxh_ldap_follow_stop(struct bhxh_ldap_follow *f);
/* The current entries (pointers valid until the next poll). */
size_t bhxh_ldap_follow_entries(struct bhxh_ldap_follow *f, struct bhxh_ldap_entry ***ret);
bool bhxh_ldap_follow_refreshed(const struct bhxh_ldap_follow *f);
/* The entries added or changed since the last call (pointers valid until
 * the next poll); *ret_full is true when a refresh happened since, and
 * every entry must be looked at again (the revoked filter asked of every
 * account); *ret_deleted when an entry was deleted since (the whole
 * directory to build, the others as they were). */
size_t bhxh_ldap_follow_take_changed(struct bhxh_ldap_follow *f, struct bhxh_ldap_entry ***ret,
				     bool *ret_full, bool *ret_deleted);
/* The names of the accounts deleted since the last call (valid until the
 * next call); *ret_deleted of take_changed is set only for the other
 * deletions (an entry that was not a mapped account). */
size_t bhxh_ldap_follow_take_gone(struct bhxh_ldap_follow *f, const char *const **ret);
/* Save the cookie and the entries (root-only file in state_dir, written
 * atomically): a restart resumes from them. */
int bhxh_ldap_follow_save(struct bhxh_ldap_follow *f);
/* Forget the cookie (the next start reads everything again). */
void bhxh_ldap_follow_reset(struct bhxh_ldap_follow *f);

/* ---- polling with modifyTimestamp deltas (servers without the sync
 * control, and db sync --once) ------------------------------------------ */

/* Entries whose modifyTimestamp is at most this many seconds before the
 * previous read (by this machine's clock) are read again even when their
 * timestamp did not change: a second change within the same second, or a
 * write that commits after a later one, carries the same or an earlier
 * time.  (It also covers that much clock difference with the server.) */
#define BHXH_LDAP_POLL_OVERLAP 5
/* Everything is read again at least this often (seconds). */
#define BHXH_LDAP_POLL_FULL_EVERY 86400
/* More new or modified entries than this in one poll: read everything
 * (one search) rather than entry by entry. */
#define BHXH_LDAP_POLL_FETCH_MAX 200

/* A poller over the entries and the newest modifyTimestamp saved in
 * state_dir (poll.cache; empty when absent, unreadable, or made with
 * another configuration or URI); keep_maps: the entries keep what the
 * builder maps of them (a long-lived poller).  Free with bhxh_ldap_follow_free; save
 * with bhxh_ldap_follow_save; the entries through bhxh_ldap_follow_entries. */
int bhxh_ldap_poll_new(const struct bhxh_ldap_conf *c, int state_dirfd, bool keep_maps,
		       struct bhxh_ldap_follow **ret);
/* A poller whose state will not be kept (a server with the sync control):
 * when it has no saved state, its full read does not ask for the
 * modifyTimestamp of every entry (which costs the server). */
void bhxh_ldap_poll_stateless(struct bhxh_ldap_follow *f);

/* Bring the poller's entries up to date.  With a saved state: one search of
 * every account's and group's DN with its modifyTimestamp (no other
 * values); what is not listed any more is dropped, and what is new, has
 * another modifyTimestamp than the entry held, or one at most
 * BHXH_LDAP_POLL_OVERLAP seconds before the previous read, is read whole (one
 * base-scope search each).  Without a state, with more than
 * BHXH_LDAP_POLL_FETCH_MAX entries to read, when an entry has no
 * modifyTimestamp, or once every BHXH_LDAP_POLL_FULL_EVERY: every entry.
 * The revoked filter is asked about every account (DNs only) each time.
 * *ret_changed: anything added, modified, removed or (un)revoked;
 * *ret_delta: only the deltas were read.  On error the saved state must
 * not be replaced, and what was read may be in memory without having been
 * applied (the caller applies at the next success). */
int bhxh_ldap_poll_read(struct bhxh_ldap_follow *f, LDAP *ld, int64_t now, bool *ret_changed,
			bool *ret_delta, char *err, size_t errlen);

#endif
