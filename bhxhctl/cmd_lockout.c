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
#include "i18n.h"
#include "lockout.h"
#include "tally.h"

struct status {
	const char *user;
	bool corrupt;
	bool locked;
	unsigned failures;
	int64_t unlock_in; /* -1: until reset; only when locked */
	const struct bhxh_tally *t;
};

static void policy_for(const struct bhxh_conf *c, const char *user, struct bhxh_lock_policy *p)
{
	struct passwd *pw = getpwnam(user);
	bool priv = pw != NULL &&
		    bhxh_lockout_privileged(&c->lockout, user, pw->pw_uid, pw->pw_gid);

	(void)bhxh_lockout_policy(&c->lockout, priv, p);
}

static int read_status(int dirfd, const struct bhxh_conf *c, const char *user,
		       struct bhxh_tally *t, struct status *st)
{
	struct bhxh_lock_policy p;
	int64_t now = (int64_t)time(NULL);
	int fd, r;

	memset(st, 0, sizeof(*st));
	st->user = user;
	st->t = t;
	bhxh_tally_clear(t, user);
	fd = bhxh_tally_open(dirfd, user, false);
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
	policy_for(c, user, &p);
	st->failures = bhxh_lockout_failures(t, &p, now);
	st->locked = bhxh_lockout_state(t, now, &st->unlock_in) == BHXH_LOCKED;
	return 0;
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
	printf("]}");
}

static void print_text(const struct status *st)
{
	char when[32];

	printf("%s: ", st->user);
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
		time_t tt = (time_t)r->time;
		struct tm tm;

		if (localtime_r(&tt, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
			snprintf(when, sizeof(when), "%lld", (long long)r->time);
		printf("    %s  %-12s %s\n", when, r->service[0] ? r->service : "-",
		       r->source[0] ? r->source : "-");
	}
}

static const char *dir_of(const struct cli *cli, const char *opt)
{
	return opt != NULL ? opt : cli->conf.lockout.dir;
}

static int do_status(struct cli *cli, const char *user, const char *dir, bool json)
{
	struct bhxh_tally t;
	struct status st;
	int dirfd, r, rc = CLI_OK;
	bool first = true;
	DIR *d;
	struct dirent *de;

	if (user != NULL && !bhxh_valid_username(user)) {
		cli_err(_("invalid user name '%.100s'"), user);
		return CLI_ERR;
	}
	dirfd = bhxh_tally_open_dir(dir_of(cli, dir), false);
	if (dirfd < 0 && dirfd != -ENOENT) {
		cli_err(_("cannot open %s: %s"), dir_of(cli, dir), strerror(-dirfd));
		return CLI_ERR;
	}
	if (user != NULL) {
		if (dirfd < 0) {
			bhxh_tally_clear(&t, user);
			memset(&st, 0, sizeof(st));
			st.user = user;
			st.t = &t;
		} else if ((r = read_status(dirfd, &cli->conf, user, &t, &st)) < 0) {
			cli_err(_("cannot read the state of %s: %s"), user, strerror(-r));
			close(dirfd);
			return CLI_ERR;
		}
		if (json) {
			print_json(&st);
			putchar('\n');
		} else
			print_text(&st);
		if (dirfd >= 0)
			close(dirfd);
		return CLI_OK;
	}
	if (json)
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
			if (de->d_name[0] == '.' || !bhxh_valid_username(de->d_name))
				continue;
			r = read_status(dirfd, &cli->conf, de->d_name, &t, &st);
			if (r < 0) {
				cli_err(_("cannot read the state of %s: %s"), de->d_name,
					strerror(-r));
				rc = CLI_ERR;
				continue;
			}
			if (st.failures == 0 && !st.locked && t.nrec == 0)
				continue;
			if (json) {
				if (!first)
					putchar(',');
				print_json(&st);
			} else
				print_text(&st);
			first = false;
		}
		closedir(d);
		close(dirfd);
	}
	if (json)
		printf("]\n");
	else if (first)
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

	if (user != NULL && !bhxh_valid_username(user)) {
		cli_err(_("invalid user name '%.100s'"), user);
		return CLI_ERR;
	}
	dirfd = bhxh_tally_open_dir(dir_of(cli, dir), false);
	if (dirfd == -ENOENT)
		return CLI_OK; /* nothing was ever recorded */
	if (dirfd < 0) {
		cli_err(_("cannot open %s: %s"), dir_of(cli, dir), strerror(-dirfd));
		return CLI_ERR;
	}
	if (user != NULL) {
		r = reset_one(dirfd, user, user);
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

int cmd_lockout(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "dir", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *user = NULL, *dir = NULL, *sub;
	bool json = false, all = false;
	int c;

	if (argc < 1) {
		cli_err("%s", _("usage: bhxhctl lockout status|reset [--user U] [--all] [--dir D] [--json]"));
		return CLI_ERR;
	}
	sub = argv[0];
	optind = 1;
	while ((c = getopt_long(argc, argv, "u:d:jah", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			user = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'a':
			all = true;
			break;
		default:
			cli_err("%s", _("usage: bhxhctl lockout status|reset [--user U] [--all] [--dir D] [--json]"));
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
		return do_status(cli, user, dir, json);
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
