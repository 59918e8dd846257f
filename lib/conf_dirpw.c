/* Options of the dirpw area (directory password changes, fleet lockout). */
#include "config.h"

#include <stddef.h>

#include "conf.h"

#define DP(f) offsetof(struct bhxh_conf, dirpw.f)
#define DPSZ(f) sizeof(((struct bhxh_conf *)0)->dirpw.f)
#define STR(key, f)                                                                         \
	{ .name = key, .type = BHXH_OPT_STRING, .offset = DP(f), .size = DPSZ(f),           \
	  .scope = BHXH_SCOPE_FILE }
#define PATHOPT(key, f)                                                                     \
	{ .name = key, .type = BHXH_OPT_PATH, .offset = DP(f), .size = DPSZ(f),             \
	  .scope = BHXH_SCOPE_FILE }

static const struct bhxh_opt opts[] = {
	{ .name = "directory", .type = BHXH_OPT_FLAG, .offset = DP(directory),
	  .scope = BHXH_SCOPE_ARG },
	STR("ldap_passwd_admin_dn", admin_dn),
	PATHOPT("ldap_passwd_admin_pw_file", admin_pw_file),
	{ .name = "ldap_lockout", .type = BHXH_OPT_FLAG, .offset = DP(lockout),
	  .scope = BHXH_SCOPE_FILE },
	STR("ldap_lock_dn", lock_dn),
	PATHOPT("ldap_lock_pw_file", lock_pw_file),
	PATHOPT("ldap_lock_queue_dir", lock_queue_dir),
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_dirpw = { opts, NULL, 0 };

void bhxh_conf_init_dirpw(struct bhxh_conf *c)
{
	(void)bhxh_strlcpy(c->dirpw.lock_queue_dir, BHXH_STATE_DIR "/dirlock",
			   sizeof(c->dirpw.lock_queue_dir));
}
