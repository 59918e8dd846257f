/* Configuration: one grammar for module arguments, /etc/security/bhxh.conf
 * and bhxhctl.  Each area of the project (lockout, audit, password, expiry,
 * directory) owns a sub-structure and a table of options; this engine knows
 * nothing of their meaning.  Errors are returned as -EINVAL with a message
 * naming "file:line" or "argument 'x'" in the caller's buffer; nothing is
 * logged here. */
#ifndef BHXH_CONF_H
#define BHXH_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf_areas.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define BHXH_DEFAULT_CONF SYSCONFDIR "/security/bhxh.conf"
#define BHXH_STATE_DIR LOCALSTATEDIR "/lib/bhxh"
#define BHXH_CONF_LINE_MAX 1024
#define BHXH_CONF_LINES_MAX 10000
#define BHXH_ERR_MAX 512
/* Failures kept per account (tally.h BHXH_TALLY_RECORDS) bound deny=. */
#define BHXH_DENY_MAX 64

/* What the lockout code is asked to do in the auth phase. */
enum bhxh_auth_mode {
	BHXH_MODE_NONE = 0,
	BHXH_MODE_PREAUTH,
	BHXH_MODE_AUTHFAIL,
	BHXH_MODE_AUTHSUCC,
};

/* Value of unlock_time meaning "until an administrator resets". */
#define BHXH_UNLOCK_NEVER 0
/* root_unlock_time not given: use unlock_time. */
#define BHXH_UNSET UINT64_MAX

struct bhxh_lockout_conf {
	uint64_t deny;             /* failures that lock; 0 disables lockout */
	uint64_t fail_interval;    /* seconds */
	uint64_t unlock_time;      /* seconds; 0 = never */
	uint64_t root_unlock_time; /* seconds; BHXH_UNSET = unlock_time */
	bool even_deny_root;
	bool local_users_only;
	bool nodelay;
	char admin_group[BHXH_NAME_MAX_CONF + 1];
	char dir[PATH_MAX];
};

struct bhxh_conf {
	/* module-argument-only settings */
	enum bhxh_auth_mode mode;
	char conf_path[PATH_MAX];
	/* general */
	bool silent;
	bool debug;
	/* areas */
	struct bhxh_lockout_conf lockout;
	struct bhxh_audit_conf audit;
	struct bhxh_pw_conf pw;
	struct bhxh_expiry_conf expiry;
	struct bhxh_dir_conf dir;
	struct bhxh_posture_conf posture;
	struct bhxh_report_conf report;
};

enum bhxh_opt_type {
	BHXH_OPT_FLAG,     /* bare word, or =yes/no/true/false/1/0 */
	BHXH_OPT_UINT,     /* decimal in [min, max] */
	BHXH_OPT_SECONDS,  /* like UINT; "never" stores 0 when allow_never */
	BHXH_OPT_STRING,   /* up to size-1 bytes */
	BHXH_OPT_PATH,     /* absolute path, up to size-1 bytes */
	BHXH_OPT_CUSTOM,   /* parsed by fn */
};

/* Where an option may appear. */
#define BHXH_SCOPE_ARG  0x1
#define BHXH_SCOPE_FILE 0x2
#define BHXH_SCOPE_ANY  (BHXH_SCOPE_ARG | BHXH_SCOPE_FILE)

struct bhxh_opt {
	const char *name;
	enum bhxh_opt_type type;
	size_t offset;     /* into struct bhxh_conf */
	size_t size;       /* STRING/PATH buffer size */
	uint64_t min, max; /* UINT/SECONDS */
	bool allow_never;  /* SECONDS */
	unsigned scope;
	/* CUSTOM: value is NULL for a bare word.  Return 0 or -EINVAL with a
	 * message (without location) in err. */
	int (*fn)(struct bhxh_conf *c, const char *value, char *err, size_t errlen);
};

/* Each area's table ends with an entry whose name is NULL. */
extern const struct bhxh_opt bhxh_opts_core[];
extern const struct bhxh_opt bhxh_opts_audit[];
extern const struct bhxh_opt bhxh_opts_pw[];
extern const struct bhxh_opt bhxh_opts_expiry[];
extern const struct bhxh_opt bhxh_opts_dir[];
extern const struct bhxh_opt bhxh_opts_posture[];
extern const struct bhxh_opt bhxh_opts_report[];

/* Defaults of every area. */
void bhxh_conf_init(struct bhxh_conf *c);
/* Area hooks called by bhxh_conf_init() and after loading, to set defaults
 * and check cross-option consistency (0 or -EINVAL with message). */
void bhxh_conf_init_audit(struct bhxh_conf *c);
void bhxh_conf_init_pw(struct bhxh_conf *c);
void bhxh_conf_init_expiry(struct bhxh_conf *c);
void bhxh_conf_init_dir(struct bhxh_conf *c);
void bhxh_conf_init_posture(struct bhxh_conf *c);
void bhxh_conf_init_report(struct bhxh_conf *c);

/* Apply one "key" or "key=value" token.  scope says where it came from;
 * where is the prefix used in error messages ("file:12" or NULL for an
 * argument). */
int bhxh_conf_apply(struct bhxh_conf *c, const char *token, unsigned scope,
		    const char *where, char *err, size_t errlen);

/* Read a configuration file.  A missing file is not an error when
 * missing_ok; anything else wrong (unreadable, world-writable, bad line) is. */
int bhxh_conf_load_file(struct bhxh_conf *c, const char *path, bool missing_ok,
			char *err, size_t errlen);

/* Everything in order: defaults, the file named by a conf= argument (or the
 * default file, which may be missing), then the arguments, which win. */
int bhxh_conf_load(struct bhxh_conf *c, int argc, const char **argv,
		   char *err, size_t errlen);

#endif
