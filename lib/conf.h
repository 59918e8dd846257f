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
/* The peers' files (faillock.conf...) are looked up where the peers look,
 * whatever the build's sysconfdir. */
#define BHXH_PEER_DIR "/etc/security"
#define BHXH_STATE_DIR LOCALSTATEDIR "/lib/bhxh"
/* Volatile files shared between logins (tmpfs): the audit status cache. */
#define BHXH_RUN_DIR RUNSTATEDIR "/bhxh"
#define BHXH_CONF_LINE_MAX 1024
/* lines of one of our own files (bhxh.conf): the peers' files have no cap,
 * as the peers have none */
#define BHXH_CONF_LINES_MAX 10000
/* skipped at the start of a configuration file */
#define BHXH_UTF8_BOM "\xef\xbb\xbf"
#define BHXH_ERR_MAX 512
/* pam_faillock's range for deny= (an unsigned short); lockout.h says how
 * counts above the tally's detailed records stay safe. */
#define BHXH_DENY_MAX 65535

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
	bool silent;               /* faillock.conf's silent: lockout messages only */
	bool audit;                /* accepted; see pam_bhxh(8) */
	bool no_log_info;          /* no informative syslog lines */
	uint64_t warn_remaining;   /* tell the user when this few attempts remain */
	bool lock_sync;            /* fdatasync the write that locks (default yes) */
	char admin_group[BHXH_NAME_MAX_CONF + 1];
	char dir[BHXH_CONF_PATH_MAX];
};

struct bhxh_conf {
	/* module-argument-only settings */
	enum bhxh_auth_mode mode;
	char conf_path[BHXH_CONF_PATH_MAX];
	/* general */
	bool silent;
	bool debug;
	char lang[8]; /* vi, en, auto: language of the messages (i18n.h) */
	/* areas */
	struct bhxh_lockout_conf lockout;
	struct bhxh_audit_conf audit;
	struct bhxh_pw_conf pw;
	struct bhxh_expiry_conf expiry;
	struct bhxh_dir_conf dir;
	struct bhxh_posture_conf posture;
	struct bhxh_report_conf report;
	struct bhxh_ldap_conf ldap;
	struct bhxh_dirpw_conf dirpw;
};

enum bhxh_opt_type {
	BHXH_OPT_FLAG,     /* bare word, or =yes/no/true/false/1/0 */
	BHXH_OPT_UINT,     /* decimal in [min, max] */
	BHXH_OPT_SECONDS,  /* like UINT; "never" stores 0 when allow_never */
	BHXH_OPT_STRING,   /* up to size-1 bytes */
	BHXH_OPT_PATH,     /* absolute path, up to size-1 bytes */
	BHXH_OPT_CUSTOM,   /* parsed by fn */
};

/* Where an option may appear: a module argument, bhxh.conf, or a peer's
 * own file (each peer file accepts exactly the keys of its peer). */
#define BHXH_SCOPE_ARG       0x01
#define BHXH_SCOPE_FILE      0x02
#define BHXH_SCOPE_ANY       (BHXH_SCOPE_ARG | BHXH_SCOPE_FILE)
#define BHXH_SCOPE_FAILLOCK  0x04 /* /etc/security/faillock.conf */
#define BHXH_SCOPE_PWQUALITY 0x08 /* /etc/security/pwquality.conf */
#define BHXH_SCOPE_PWHISTORY 0x10 /* /etc/security/pwhistory.conf */
#define BHXH_SCOPE_PEERS     (BHXH_SCOPE_FAILLOCK | BHXH_SCOPE_PWQUALITY | BHXH_SCOPE_PWHISTORY)

/* CUSTOM options: value is NULL for a bare word.  Return 0 or -EINVAL
 * with a message (without location) in err. */
typedef int (*bhxh_opt_fn)(struct bhxh_conf *c, const char *value, char *err, size_t errlen);

/* Longest option name + 1 */
#define BHXH_OPT_NAME_SIZE 28

/* The tables hold no pointer: the names are inline and a custom option's
 * function is an index into its table's fns[].  A pointer in a table must
 * be relocated at every load of the module -- at every PAM handle -- and
 * dirties the pages that hold it (measured: about 7 us a handle for these
 * tables; BENCHMARKS.md, "Lockout path"). */
struct bhxh_opt {
	char name[BHXH_OPT_NAME_SIZE]; /* "" ends a table */
	enum bhxh_opt_type type;
	size_t offset;     /* into struct bhxh_conf */
	size_t size;       /* STRING/PATH buffer size */
	uint64_t min, max; /* UINT/SECONDS */
	bool allow_never;  /* SECONDS */
	bool any_value;    /* FLAG: a value that is not no/false/0 sets it, as
			    * pam_faillock's flags ignore what follows them */
	unsigned char fn;  /* CUSTOM: 1 + its index in the table's fns[] */
	unsigned scope;
	/* Scopes (peer files) from which the option is accepted and checked
	 * but not applied: the peer's meaning has no place in pam_bhxh. */
	unsigned ignore_scope;
};

/* One area's options and the functions of its custom ones. */
struct bhxh_opt_table {
	const struct bhxh_opt *opts;
	const bhxh_opt_fn *fns;
	size_t nfns;
};

extern const struct bhxh_opt_table bhxh_opts_core;
extern const struct bhxh_opt_table bhxh_opts_audit;
extern const struct bhxh_opt_table bhxh_opts_pw;
extern const struct bhxh_opt_table bhxh_opts_expiry;
extern const struct bhxh_opt_table bhxh_opts_dir;
extern const struct bhxh_opt_table bhxh_opts_posture;
extern const struct bhxh_opt_table bhxh_opts_report;
extern const struct bhxh_opt_table bhxh_opts_ldap;
extern const struct bhxh_opt_table bhxh_opts_dirpw;

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
void bhxh_conf_init_ldap(struct bhxh_conf *c);
void bhxh_conf_init_dirpw(struct bhxh_conf *c);

/* Apply one "key" or "key=value" token.  scope says where it came from;
 * where is the prefix used in error messages ("file:12" or NULL for an
 * argument). */
int bhxh_conf_apply(struct bhxh_conf *c, const char *token, unsigned scope,
		    const char *where, char *err, size_t errlen);

/* Read a configuration file.  A missing file is not an error when
 * missing_ok; anything else wrong (unreadable, world-writable, bad line) is.
 * Lines are "key", "key=value" or "key value" (pam_faillock's grammar). */
int bhxh_conf_load_file(struct bhxh_conf *c, const char *path, bool missing_ok,
			char *err, size_t errlen);

/* Read a peer's file (faillock.conf...) with scope S: only that peer's keys
 * are accepted, with the peer's meaning.  A missing file is not an error. */
int bhxh_conf_load_peer(struct bhxh_conf *c, const char *path, unsigned scope,
			char *err, size_t errlen);

/* Everything in order, each later source winning over the earlier ones:
 * defaults, the peers' files found in peer_dir (BHXH_PEER_DIR), the file
 * named by a conf= argument (or the default bhxh.conf, which may be
 * missing), then the module arguments. */
int bhxh_conf_load_in(struct bhxh_conf *c, int argc, const char **argv, const char *peer_dir,
		      char *err, size_t errlen);
int bhxh_conf_load(struct bhxh_conf *c, int argc, const char **argv,
		   char *err, size_t errlen);
/* The steps of bhxh_conf_load_in(): the peers' files of peer_dir (after
 * the defaults), then bhxh.conf and the arguments over what c already
 * holds.  bhxh_conf_peer_dir() is BHXH_PEER_DIR (or, in test builds,
 * $BHXH_TEST_PEER_DIR). */
int bhxh_conf_load_peers(struct bhxh_conf *c, const char *peer_dir, char *err, size_t errlen);
int bhxh_conf_load_over(struct bhxh_conf *c, int argc, const char **argv,
			char *err, size_t errlen);
const char *bhxh_conf_peer_dir(void);

/* The password phase's configuration: as bhxh_conf_load(), with
 * pwquality.conf (after the *.conf of pwquality.conf.d, as libpwquality
 * reads them) and pwhistory.conf read after faillock.conf, before
 * bhxh.conf and the arguments (conf_pw.c).  The peers' file names come
 * from bhxh.conf or the arguments (pwquality_conf=, pwhistory_conf=).  A key
 * the peer does not know, or a value it cannot parse, is an error naming
 * file:line, as in bhxh.conf. */
int bhxh_conf_load_pw(struct bhxh_conf *c, int argc, const char **argv,
		      char *err, size_t errlen);
/* The two halves of bhxh_conf_load(): defaults, the peers' files, conf=
 * and the file (what the PAM module keeps per handle, keyed by the conf=
 * arguments), then the arguments on top. */
int bhxh_conf_load_base(struct bhxh_conf *c, int argc, const char **argv,
			char *err, size_t errlen);
int bhxh_conf_load_args(struct bhxh_conf *c, int argc, const char **argv,
			char *err, size_t errlen);

/* Every area's table, for tools and tests that walk all options. */
extern const struct bhxh_opt_table *const *const bhxh_all_tables;
extern const size_t bhxh_all_tables_count;

#endif
