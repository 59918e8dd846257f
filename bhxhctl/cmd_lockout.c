/* bhxhctl lockout status | reset */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libaudit.h>

#include "audit.h"
#include "cli.h"
#include "dirlock_sync.h"
#include "i18n.h"
#include "lockout.h"
#include "tally.h"

struct status {
	const char *user;   /* as asked, or the name stored in a shared slot */
	const char *slot;   /* the shared slot file of a name that is no account */
	bool corrupt;
	bool locked;
	unsigned failures;
	int64_t unlock_in; /* -1: until reset; only when locked */
	const struct bhxh_tally *t;
	struct bhxh_lock_policy p;
};

/* Longest name accepted on the command line: the module takes any name and
 * maps the ones that are not accounts to a shared slot. */
#define NAME_ARG_MAX 256

/* The file the module uses for this name: the account's own, or the hashed
 * slot shared by names that are not accounts (the same computation). */
static bool file_for(const char *user, char *fname, size_t len)
{
	bool known = bhxh_valid_username(user) && getpwnam(user) != NULL;

	bhxh_tally_file_name(user, known, fname, len);
	return known;
}

static void policy_for(const struct bhxh_conf *c, const char *user, bool account,
		       struct bhxh_lock_policy *p)
{
	struct passwd *pw = account ? getpwnam(user) : NULL;
	bool priv = pw != NULL &&
		    bhxh_lockout_privileged(&c->lockout, user, pw->pw_uid, pw->pw_gid);

	(void)bhxh_lockout_policy(&c->lockout, priv, p);
}

/* Read one file as the module would: fname, for user (NULL: the name
 * stored in a shared slot). */
static int read_status(int dirfd, const struct bhxh_conf *c, const char *fname,
		       const char *user, bool account, struct bhxh_tally *t, struct status *st)
{
	int64_t now = (int64_t)time(NULL);
	int fd, r;

	memset(st, 0, sizeof(*st));
	st->slot = account ? NULL : fname;
	st->t = t;
	bhxh_tally_clear(t, user ? user : "");
	st->user = t->user;
	policy_for(c, t->user, account, &st->p);
	fd = dirfd < 0 ? -ENOENT : bhxh_tally_open(dirfd, fname, false);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	r = bhxh_tally_read(fd, user, t);
	close(fd);
	if (r == -EBADMSG) {
		st->corrupt = true;
		st->locked = true;
		st->unlock_in = -1;
		return 0;
	}
	if (r < 0)
		return r;
	st->user = t->user;
	if (user == NULL)
		policy_for(c, t->user, account, &st->p);
	st->failures = bhxh_lockout_failures(t, &st->p, now);
	st->locked = bhxh_lockout_state(t, now, &st->unlock_in) == BHXH_LOCKED;
	return 0;
}

/* Names come from login attempts: never let one drive the terminal. */
static void print_name(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void print_json(const struct status *st)
{
	printf("{\"user\":");
	cli_json_str(stdout, st->user);
	printf(",\"locked\":%s,\"failures\":%u,\"unlock_in\":", st->locked ? "true" : "false",
	       st->failures);
	if (st->locked && st->unlock_in >= 0)
		printf("%lld", (long long)st->unlock_in);
	else
		printf("null");
	printf(",\"until_reset\":%s,\"corrupt\":%s,\"total\":%llu,\"sources\":[",
	       st->locked && st->unlock_in < 0 ? "true" : "false", st->corrupt ? "true" : "false",
	       (unsigned long long)st->t->total);
	for (uint32_t i = 0; i < st->t->nrec; i++) {
		const struct bhxh_tally_rec *r = &st->t->rec[i];

		printf("%s{\"time\":%lld,\"service\":", i ? "," : "", (long long)r->time);
		cli_json_str(stdout, r->service);
		printf(",\"source\":");
		cli_json_str(stdout, r->source);
		printf("}");
	}
	printf("],\"account\":%s,\"slot\":", st->slot ? "false" : "true");
	if (st->slot)
		cli_json_str(stdout, st->slot);
	else
		printf("null");
	printf("}");
}

static void format_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

static void print_text(const struct status *st)
{
	char when[32];

	print_name(st->user);
	if (st->slot)
		printf(_(" (not an account; shared slot %s)"), st->slot);
	printf(": ");
	if (st->corrupt)
		printf("%s", _("LOCKED (state file corrupt; reset to clear)"));
	else if (st->locked && st->unlock_in < 0)
		printf("%s", _("LOCKED until reset"));
	else if (st->locked)
		printf(_("LOCKED, unlocks in %lld s"), (long long)st->unlock_in);
	else
		printf("%s", _("not locked"));
	printf(P_(", %u failure in the window\n", ", %u failures in the window\n", st->failures),
	       st->failures);
	/* the last few sources, newest first */
	for (uint32_t i = st->t->nrec, shown = 0; i > 0 && shown < 5; i--, shown++) {
		const struct bhxh_tally_rec *r = &st->t->rec[i - 1];

		format_time(r->time, when, sizeof(when));
		printf("    %s  %-12s ", when, r->service[0] ? r->service : "-");
		print_name(r->source[0] ? r->source : "-");
		putchar('\n');
	}
}

/* faillock(8)'s table.  pam_bhxh keeps the remote host, else the terminal,
 * without saying which: a terminal-like source is shown as TTY. */
static void print_faillock(const struct status *st)
{
	int64_t now = (int64_t)time(NULL);
	char when[32];

	print_name(st->user);
	printf(":\n%-19s %-5s %-48s %-5s\n", "When", "Type", "Source", "Valid");
	for (uint32_t i = 0; i < st->t->nrec; i++) {
		const struct bhxh_tally_rec *r = &st->t->rec[i];
		const char *src = r->source[0] ? r->source : r->service;
		const char *type = !r->source[0]                         ? "SVC" :
				   strncmp(src, "tty", 3) == 0 ||
						   strncmp(src, "pts/", 4) == 0 ||
						   strncmp(src, "/dev/", 5) == 0 ||
						   strcmp(src, "console") == 0 || src[0] == ':' ?
										"TTY" :
										"RHOST";
		bool valid = st->p.fail_interval > 0 &&
			     r->time > now - (int64_t)st->p.fail_interval;

		format_time(r->time, when, sizeof(when));
		printf("%-19s %-5s %-52.52s %s\n", when, type, src, valid ? "V" : "I");
	}
}

enum out_format { OUT_TEXT, OUT_JSON, OUT_FAILLOCK };

static void print_status(const struct status *st, enum out_format fmt)
{
	if (fmt == OUT_JSON)
		print_json(st);
	else if (fmt == OUT_FAILLOCK)
		print_faillock(st);
	else
		print_text(st);
}

static const char *dir_of(const struct cli *cli, const char *opt)
{
	return opt != NULL ? opt : cli->conf.lockout.dir;
}

static bool is_slot_name(const char *n)
{
	return strncmp(n, ".unknown-", 9) == 0;
}

static int do_status(struct cli *cli, const char *user, const char *dir, enum out_format fmt)
{
	struct bhxh_tally t;
	struct status st;
	char fname[BHXH_NAME_MAX + 32];
	int dirfd, r, rc = CLI_OK;
	bool first = true;
	DIR *d;
	struct dirent *de;

	if (user != NULL && (user[0] == '\0' || strlen(user) > NAME_ARG_MAX)) {
		cli_err(_("invalid user name '%.100s'"), user);
		return CLI_ERR;
	}
	dirfd = bhxh_tally_open_dir(dir_of(cli, dir), false);
	if (dirfd < 0 && dirfd != -ENOENT) {
		cli_err(_("cannot open %s: %s"), dir_of(cli, dir), strerror(-dirfd));
		return CLI_ERR;
	}
	if (user != NULL) {
		bool account = file_for(user, fname, sizeof(fname));

		r = read_status(dirfd, &cli->conf, fname, user, account, &t, &st);
		if (r < 0) {
			cli_err(_("cannot read the state of %s: %s"), user, strerror(-r));
			if (dirfd >= 0)
				close(dirfd);
			return CLI_ERR;
		}
		print_status(&st, fmt);
		if (fmt == OUT_JSON)
			putchar('\n');
		if (dirfd >= 0)
			close(dirfd);
		return CLI_OK;
	}
	if (fmt == OUT_JSON)
		putchar('[');
	if (dirfd >= 0) {
		int dfd = dup(dirfd);

		d = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (d == NULL) {
			cli_err(_("cannot list %s: %s"), dir_of(cli, dir), strerror(errno));
			if (dfd >= 0)
				close(dfd);
			close(dirfd);
			return CLI_ERR;
		}
		while ((de = readdir(d)) != NULL) {
			bool slot = is_slot_name(de->d_name);

			if (!slot && (de->d_name[0] == '.' || !bhxh_valid_username(de->d_name)))
				continue;
			r = read_status(dirfd, &cli->conf, de->d_name, slot ? NULL : de->d_name,
					!slot, &t, &st);
			if (r < 0) {
				cli_err(_("cannot read the state of %s: %s"), de->d_name,
					strerror(-r));
				rc = CLI_ERR;
				continue;
			}
			if (st.failures == 0 && !st.locked && t.nrec == 0)
				continue;
			if (fmt == OUT_JSON && !first)
				putchar(',');
			print_status(&st, fmt);
			first = false;
		}
		closedir(d);
		close(dirfd);
	}
	if (fmt == OUT_JSON)
		printf("]\n");
	else if (first && fmt == OUT_TEXT)
		printf("%s\n", _("No account has recorded failures."));
	return rc;
}

static void audit_reset(const char *user)
{
	struct bhxh_audit_msg m = {
		.op = "bhxhctl:lockout_reset",
		.acct = user,
		.id = -1,
		.reason = "admin_reset",
		.success = true,
	};
	struct passwd *pw = getpwnam(user);
	int r;

	if (pw != NULL)
		m.id = (long long)pw->pw_uid;
	/* the kernel adds the administrator's login uid (auid=) */
	r = bhxh_audit_send(AUDIT_ACCT_UNLOCK, &m);
	if (r < 0)
		cli_err(_("warning: audit record not sent: %s"), strerror(-r));
}

static int reset_one(int dirfd, const char *fname, const char *user)
{
	struct bhxh_tally t;
	int fd, r;

	fd = bhxh_tally_open(dirfd, fname, true);
	if (fd < 0)
		return fd;
	r = bhxh_tally_read(fd, user, &t);
	/* a corrupt file is rewritten from scratch: that is what reset is for */
	if (r == -EBADMSG) {
		memset(&t, 0, sizeof(t));
		t.seq = 1;
		r = 0;
	}
	if (r == 0) {
		bhxh_tally_clear(&t, user);
		r = bhxh_tally_write(fd, &t, true);
	}
	close(fd);
	return r;
}

static int do_reset(struct cli *cli, const char *user, bool all, const char *dir)
{
	int dirfd, r, rc = CLI_OK;

	if (user != NULL && (user[0] == '\0' || strlen(user) > NAME_ARG_MAX)) {
		cli_err(_("invalid user name '%.100s'"), user);
		return CLI_ERR;
	}
	/* dirlock.c: a directory account is unlocked on every machine */
	if (user != NULL && dirlock_admin_reset(&cli->conf, user) < 0)
		rc = CLI_ERR;
	dirfd = bhxh_tally_open_dir(dir_of(cli, dir), false);
	if (dirfd == -ENOENT)
		return rc; /* nothing was ever recorded */
	if (dirfd < 0) {
		cli_err(_("cannot open %s: %s"), dir_of(cli, dir), strerror(-dirfd));
		return CLI_ERR;
	}
	if (user != NULL) {
		char fname[BHXH_NAME_MAX + 32];
		bool account = file_for(user, fname, sizeof(fname));

		/* a name that is no account: its shared slot, as the module */
		r = reset_one(dirfd, fname, account ? user : "");
		if (r < 0) {
			cli_err(_("cannot reset %s: %s"), user, strerror(-r));
			rc = CLI_ERR;
		} else
			audit_reset(user);
	} else if (all) {
		int dfd = dup(dirfd);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *de;

		if (d == NULL) {
			cli_err(_("cannot list %s: %s"), dir_of(cli, dir), strerror(errno));
			if (dfd >= 0)
				close(dfd);
			close(dirfd);
			return CLI_ERR;
		}
		while ((de = readdir(d)) != NULL) {
			bool slot = strncmp(de->d_name, ".unknown-", 9) == 0;

			if (!slot && (de->d_name[0] == '.' || !bhxh_valid_username(de->d_name)))
				continue;
			/* a directory account's lock is the fleet's: cleared in
			 * the directory too, as for --user */
			if (!slot && dirlock_admin_reset(&cli->conf, de->d_name) < 0)
				rc = CLI_ERR;
			r = reset_one(dirfd, de->d_name, slot ? "" : de->d_name);
			if (r < 0) {
				cli_err(_("cannot reset %s: %s"), de->d_name, strerror(-r));
				rc = CLI_ERR;
			} else if (!slot)
				audit_reset(de->d_name);
		}
		closedir(d);
	}
	close(dirfd);
	return rc;
}

/* faillock(8)'s own command line: bhxhctl lockout [--dir D] [--user U]
 * [--reset].  Without --reset it prints faillock's table (of every file
 * when no user is given); --reset without --user resets every file, as
 * faillock does. */
static int faillock_cli(struct cli *cli, int argc, char **argv)
{
	const char *dir = NULL, *user = NULL;
	bool reset = false;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc && argv[i + 1][0] != '\0')
			dir = argv[++i];
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc && argv[i + 1][0] != '\0')
			user = argv[++i];
		else if (strcmp(argv[i], "--reset") == 0)
			reset = true;
		else {
			cli_err("%s",
				_("usage: bhxhctl lockout [--dir /path/to/tally-directory] [--user username] [--reset]"));
			return CLI_ERR;
		}
	}
	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	if (reset)
		return do_reset(cli, user, user == NULL, dir);
	return do_status(cli, user, dir, OUT_FAILLOCK);
}

#define LOCKOUT_USAGE                                                                             \
	N_("usage: bhxhctl lockout status|reset [--user U] [--all] [--dir D] "                    \
	   "[--json|--format text|json|faillock]\n"                                                \
	   "       bhxhctl lockout [--dir D] [--user U] [--reset]   (faillock's command line)")

int cmd_lockout(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *user = NULL, *dir = NULL, *sub;
	enum out_format fmt = OUT_TEXT;
	bool all = false;
	int c;

	if (argc < 1 || argv[0][0] == '-')
		return faillock_cli(cli, argc, argv);
	sub = argv[0];
	optind = 1;
	while ((c = getopt_long(argc, argv, "u:d:jf:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'j':
			fmt = OUT_JSON;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				fmt = OUT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				fmt = OUT_JSON;
			else if (strcmp(optarg, "faillock") == 0)
				fmt = OUT_FAILLOCK;
			else {
				cli_err("%s", _(LOCKOUT_USAGE));
				return CLI_ERR;
			}
			break;
		case 'a':
			all = true;
			break;
		default:
			cli_err("%s", _(LOCKOUT_USAGE));
			return c == 'h' ? CLI_OK : CLI_ERR;
		}
	}
	if (optind != argc) {
		cli_err(_("unexpected argument '%s'"), argv[optind]);
		return CLI_ERR;
	}
	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	if (strcmp(sub, "status") == 0) {
		if (all) {
			cli_err("%s", _("--all is for reset"));
			return CLI_ERR;
		}
		return do_status(cli, user, dir, fmt);
	}
	if (strcmp(sub, "reset") == 0) {
		if ((user == NULL) == !all) {
			cli_err("%s", _("reset needs exactly one of --user U or --all"));
			return CLI_ERR;
		}
		return do_reset(cli, user, all, dir);
	}
	cli_err(_("unknown lockout command '%s'"), sub);
	return CLI_ERR;
}
