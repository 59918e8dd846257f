/* db sync --follow, ldap_schema = rfc2307bis (bhxhctl/sync_bis.c): the
 * entries a patch of the installed generation maps. */
#ifndef BHXHCTL_SYNC_BIS_H
#define BHXHCTL_SYNC_BIS_H

#include <stdbool.h>
#include <stddef.h>

#include "dirdb.h"
#include "ldap_client.h"
#include "ldap_map.h"

/* The entries a patch maps (*ret, malloc'ed, *ret_n of them):
 * the changed entries ch, then the groups whose members the delta may
 * change (those that list the DN of an account added, those the
 * installed generation lists a deleted account in), then the accounts
 * any of those groups lists by DN (unchanged: mapped again so that
 * bhxh_ldap_build resolves the groups' members as the full build does);
 * *ret NULL (ch alone) when only accounts were modified (same DN, same
 * name: no group's members change).  False (the full build) when a group
 * of the patch lists a group or is listed by one: nested groups are the
 * full build's. */
bool sync_bis_entries(const struct bhxh_ldap_conf *lc, struct bhxh_ldap_entry *const *ch,
		      size_t nch, const char *const *gone, size_t ngone, const struct bhxh_db *o,
		      struct bhxh_ldap_entry *const *ents, size_t n,
		      struct bhxh_ldap_entry ***ret, size_t *ret_n);

#endif
