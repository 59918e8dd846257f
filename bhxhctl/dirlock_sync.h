/* Fleet-wide lockout, the sync's side (dirpw area, bhxhctl/dirlock.c). */
#ifndef BHXH_DIRLOCK_SYNC_H
#define BHXH_DIRLOCK_SYNC_H

#include <stddef.h>

#include "conf.h"

struct bhxh_ldap_entry;

/* Before each generation: lock here the accounts locked in the directory,
 * reset here those unlocked there since the last call. */
void dirlock_apply(const struct bhxh_conf *conf, struct bhxh_ldap_entry *const *ents, size_t n);
/* Often (every 250 ms while following): write the queued locks and
 * unlocks, clear the timed locks that are over. */
void dirlock_tick(const struct bhxh_conf *conf, struct bhxh_ldap_entry *const *ents, size_t n);
/* bhxhctl lockout reset --user: clear the directory's lock (queued for the
 * sync when the directory cannot be reached).  0 or -errno (told). */
int dirlock_admin_reset(const struct bhxh_conf *conf, const char *user);

#endif
