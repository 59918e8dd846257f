/* bhxhctl expiry status: password aging and account status for IT review.
 *
 * Every account NSS enumerates (getpwent: /etc/passwd, nss_bhxh, any
 * source), with its shadow entry (getspnam) and last-login record, judged by
 * the same pure function the PAM module uses (lib/expiry.c), at the same
 * "now".  Without --user only accounts that need attention are listed. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libaudit.h>

#include "audit.h"
#include "cli.h"
#include "dirdb.h"
#include "expiry.h"
#include "i18n.h"
#include "lastlogin.h"

/* Accounts listed at most (a bound on what enumeration may return). */
#define MAX_ACCOUNTS 1000000

struct account {
	char *name;
	uid_t uid;
};

struct status_opts {
	const char *user;
	uint64_t within;
	bool json;
};

enum status {
	ST_OK,
	ST_EXPIRES_SOON,
	ST_MUST_CHANGE_NOW,
	ST_PASSWORD_EXPIRED,
	ST_PASSWORD_INACTIVE,
	ST_ACCOUNT_EXPIRED,
	ST_INACTIVE,
	ST_REVOKED,
};

static const struct {
	const char *code;
	const char *label;
} statuses[] = {
	[ST_OK] = { "ok", N_("ok") },
	[ST_EXPIRES_SOON] = { "expires_soon", N_("expires soon") },
	[ST_MUST_CHANGE_NOW] = { "must_change_now", N_("must change now") },
	[ST_PASSWORD_EXPIRED] = { "password_expired", N_("password expired") },
	[ST_PASSWORD_INACTIVE] = { "password_inactive", N_("disabled: password expired") },
	[ST_ACCOUNT_EXPIRED] = { "account_expired", N_("account expired") },
	[ST_INACTIVE] = { "inactive", N_("disabled: inactive") },
	[ST_REVOKED] = { "revoked", N_("revoked in the central directory") },
};

static int64_t cli_now(void)
{
#ifdef BHXH_TESTING
	/* Test builds only, as in the module: a fixed clock. */
	const char *t = secure_getenv("BHXH_TEST_NOW");
	uint64_t v;

	if (t != NULL && bhxh_parse_uint(t, 0, INT64_MAX, &v) == 0)
		return (int64_t)v;
#endif
	return (int64_t)time(NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "%s\n", _("usage: bhxhctl expiry status [--user USER] [--within DAYS] [--json]"));
	fprintf(f, "%s\n", _("       bhxhctl expiry reactivate --user USER"));
}

static int cmp_account(const void *a, const void *b)
{
	return strcmp(((const struct account *)a)->name, ((const struct account *)b)->name);
}

static void free_accounts(struct account *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* Every account NSS enumerates, sorted by name, each name once (the same
 * account may come from two sources). */
static int list_accounts(struct account **ret, size_t *ret_n)
{
	struct account *v = NULL;
	size_t n = 0, cap = 0, out = 0;
	struct passwd *pw;
	int r = 0;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (!bhxh_valid_username(pw->pw_name))
			continue;
		if (n == MAX_ACCOUNTS) {
			r = -E2BIG;
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct account *nv = realloc(v, ncap * sizeof(*nv));

			if (nv == NULL) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[n].name = strdup(pw->pw_name);
		if (v[n].name == NULL) {
			r = -ENOMEM;
			break;
		}
		v[n].uid = pw->pw_uid;
		n++;
	}
	endpwent();
	if (r < 0) {
		free_accounts(v, n);
		return r;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_account);
	for (size_t i = 0; i < n; i++) {
		if (out > 0 && strcmp(v[out - 1].name, v[i].name) == 0) {
			free(v[i].name);
			continue;
		}
		v[out++] = v[i];
	}
	*ret = v;
	*ret_n = out;
	return 0;
}

/* The shadow entry, or all-empty when the account has none. */
static int read_shadow(const char *user, struct bhxh_shadow *ret)
{
	int r = bhxh_shadow_read(user, ret);

	return r == -ENOENT ? 0 : r;
}

static enum status classify(const struct bhxh_expiry_result *r, uint64_t within)
{
	switch (r->verdict) {
	case BHXH_EXPIRY_ACCOUNT_EXPIRED:
		return ST_ACCOUNT_EXPIRED;
	case BHXH_EXPIRY_PASSWORD_INACTIVE:
		return ST_PASSWORD_INACTIVE;
	case BHXH_EXPIRY_INACTIVE:
		return ST_INACTIVE;
	case BHXH_EXPIRY_MUST_CHANGE:
		return r->reason == BHXH_EXPIRY_REASON_LSTCHG_ZERO ? ST_MUST_CHANGE_NOW
								    : ST_PASSWORD_EXPIRED;
	case BHXH_EXPIRY_WARN:
	case BHXH_EXPIRY_OK:
		break;
	}
	if (r->pw_expire_day != BHXH_NEVER && (uint64_t)(r->pw_expire_day - r->today) <= within)
		return ST_EXPIRES_SOON;
	/* the account itself may stop soon */
	if (r->acct_expire_day != BHXH_NEVER && (uint64_t)(r->acct_expire_day - r->today) <= within)
		return ST_EXPIRES_SOON;
	return ST_OK;
}

static void json_date(FILE *f, const char *key, int64_t day)
{
	char buf[32];

	fprintf(f, ",\"%s\":", key);
	if (day == BHXH_NEVER || day < 0)
		fputs("null", f);
	else
		cli_json_str(f, bhxh_expiry_date(day, buf, sizeof(buf)));
}

static void print_account(const struct status_opts *o, const struct account *a,
			  const struct bhxh_expiry_result *r, int64_t last_login, enum status st,
			  bool *first)
{
	char d1[32], d2[32], d3[32];
	int64_t ll_day = last_login >= 0 ? bhxh_expiry_day(last_login) : BHXH_NEVER;

	if (o->json) {
		fputs(*first ? "\n" : ",\n", stdout);
		fputs("{\"user\":", stdout);
		cli_json_str(stdout, a->name);
		printf(",\"uid\":%lu,\"status\":\"%s\",\"revoked\":%s", (unsigned long)a->uid,
		       statuses[st].code, st == ST_REVOKED ? "true" : "false");
		json_date(stdout, "password_expires", r->pw_expire_day);
		json_date(stdout, "password_disabled", r->pw_disable_day);
		json_date(stdout, "account_expires", r->acct_expire_day);
		json_date(stdout, "last_login", ll_day);
		json_date(stdout, "inactive_from",
			  r->inactive_at == BHXH_NEVER ? BHXH_NEVER
						       : bhxh_expiry_day(r->inactive_at));
		if (r->pw_expire_day != BHXH_NEVER)
			printf(",\"days_left\":%lld", (long long)(r->pw_expire_day - r->today));
		else
			fputs(",\"days_left\":null", stdout);
		fputc('}', stdout);
	} else {
		if (*first)
			printf("%-20s %-28s %-12s %-12s %s\n", _("USER"), _("STATUS"),
			       _("PASSWORD"), _("ACCOUNT"), _("LAST LOGIN"));
		printf("%-20s %-28s %-12s %-12s %s\n", a->name, _(statuses[st].label),
		       r->pw_expire_day == BHXH_NEVER
			       ? "-"
			       : bhxh_expiry_date(r->pw_expire_day, d1, sizeof(d1)),
		       r->acct_expire_day == BHXH_NEVER
			       ? "-"
			       : bhxh_expiry_date(r->acct_expire_day, d2, sizeof(d2)),
		       ll_day == BHXH_NEVER ? "-" : bhxh_expiry_date(ll_day, d3, sizeof(d3)));
	}
	*first = false;
}

static int status(struct cli *cli, const struct status_opts *o)
{
	const struct bhxh_expiry_conf *pol;
	struct account *accts = NULL, one;
	size_t n = 0;
	int64_t now = cli_now(), baseline = -1;
	int dirfd = -1, r, rc = CLI_OK;
	bool first = true, warned = false, have_db = false;
	struct bhxh_db db;
	unsigned dbflags = 0;
	char d[32];

	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	pol = &cli->conf.expiry;

	if (o->user != NULL) {
		struct passwd *pw = bhxh_valid_username(o->user) ? getpwnam(o->user) : NULL;

		if (pw == NULL) {
			cli_err(_("unknown user '%.100s'"), o->user);
			return CLI_ERR;
		}
		one.name = pw->pw_name;
		one.uid = pw->pw_uid;
		accts = &one;
		n = 1;
	} else {
		r = list_accounts(&accts, &n);
		if (r < 0) {
			cli_err(_("cannot list the accounts: %s"), strerror(-r));
			return CLI_ERR;
		}
	}

	if (pol->inactive_days != BHXH_DAYS_UNSET) {
		dirfd = bhxh_lastlogin_open_dir(pol->lastlogin_dir, false, now);
		if (dirfd < 0 && dirfd != -ENOENT)
			cli_err(_("last-login records in %s unusable (%s): inactivity not shown"),
				pol->lastlogin_dir, strerror(-dirfd));
		if (dirfd >= 0 && bhxh_lastlogin_baseline(dirfd, &baseline) < 0)
			baseline = -1;
	}

#ifdef BHXH_TESTING
	dbflags |= BHXH_DB_TRUST_EUID;
#endif
	r = bhxh_db_open(cli->conf.dir.db_dir, BHXH_DB_PASSWD, dbflags, &db);
	if (r == 0)
		have_db = true;
	else if (r != -ENOENT)
		cli_err(_("directory database in %s unusable (%s): revocations not shown"),
			cli->conf.dir.db_dir, strerror(-r));

	if (o->json)
		printf("{\"now\":\"%s\",\"within\":%llu,\"accounts\":[",
		       bhxh_expiry_date(bhxh_expiry_day(now), d, sizeof(d)),
		       (unsigned long long)o->within);
	for (size_t i = 0; i < n; i++) {
		struct bhxh_shadow sp;
		struct bhxh_activity act = { .last_login = -1, .baseline = baseline };
		struct bhxh_expiry_result res;
		enum status st;

		r = read_shadow(accts[i].name, &sp);
		if (r < 0) {
			if (!warned)
				cli_err(_("cannot read the shadow entry of %.100s: %s"),
					accts[i].name, strerror(-r));
			warned = true;
			rc = CLI_ERR;
			continue;
		}
		if (dirfd >= 0) {
			r = bhxh_lastlogin_read(dirfd, accts[i].name, &act.last_login);
			if (r < 0 && r != -ENOENT)
				cli_err(_("last-login record of %.100s unusable: %s"),
					accts[i].name, strerror(-r));
			if (r < 0)
				act.last_login = -1;
		}
		act.exempt = accts[i].uid == 0 || accts[i].uid < pol->inactive_min_uid;
		if (bhxh_expiry_check(&sp, pol, dirfd >= 0 ? &act : NULL, now, &res) < 0) {
			rc = CLI_ERR;
			continue;
		}
		st = classify(&res, o->within);
		/* revoked in the central directory: refused whatever the dates say */
		if (have_db) {
			const struct bhxh_dbuser *u = bhxh_db_user_by_name(&db, accts[i].name);

			if (u != NULL && (u->flags & BHXH_DBU_REVOKED))
				st = ST_REVOKED;
		}
		if (st == ST_OK && o->user == NULL)
			continue;
		if (st != ST_OK && rc == CLI_OK)
			rc = CLI_NO;
		print_account(o, &accts[i], &res, act.last_login, st, &first);
	}
	if (o->json)
		printf("%s]}\n", first ? "" : "\n");
	else if (first)
		printf("%s\n", _("No account needs attention."));
	if (dirfd >= 0)
		close(dirfd);
	if (have_db)
		bhxh_db_close(&db);
	if (o->user == NULL)
		free_accounts(accts, n);
	return rc;
}

/* Give an inactive account a fresh start: record a login now (audited as
 * an unlock).  Password and account expiry are not touched (chage does that). */
static int reactivate(struct cli *cli, const char *user)
{
	struct bhxh_audit_msg m = { .op = "bhxhctl:expiry_reactivate", .reason = "reactivated",
				    .id = -1, .success = true };
	struct passwd *pw;
	int dirfd, r;

	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	pw = bhxh_valid_username(user) ? getpwnam(user) : NULL;
	if (pw == NULL) {
		cli_err(_("unknown user '%.100s'"), user);
		return CLI_ERR;
	}
	dirfd = bhxh_lastlogin_open_dir(cli->conf.expiry.lastlogin_dir, true, cli_now());
	if (dirfd < 0) {
		cli_err(_("cannot open %s: %s"), cli->conf.expiry.lastlogin_dir, strerror(-dirfd));
		return CLI_ERR;
	}
	/* remove first, so that the granularity never skips the write */
	if (unlinkat(dirfd, user, 0) < 0 && errno != ENOENT) {
		r = -errno;
	} else {
		r = bhxh_lastlogin_write(dirfd, user, cli_now());
	}
	close(dirfd);
	if (r < 0) {
		cli_err(_("cannot record a login for %.100s: %s"), user, strerror(-r));
		return CLI_ERR;
	}
	m.acct = user;
	m.id = (long long)pw->pw_uid;
	r = bhxh_audit_send(AUDIT_ACCT_UNLOCK, &m);
	if (r < 0)
		cli_err(_("warning: audit record not sent: %s"), strerror(-r));
	printf(_("%s: reactivated (inactivity counted from now)\n"), user);
	return CLI_OK;
}

int cmd_expiry(struct cli *cli, int argc, char **argv)
{
	struct status_opts o = { 0 };
	bool within_set = false;

	if (argc == 3 && strcmp(argv[0], "reactivate") == 0 && strcmp(argv[1], "--user") == 0)
		return reactivate(cli, argv[2]);
	if (argc < 1 || strcmp(argv[0], "status") != 0) {
		usage(stderr);
		return CLI_ERR;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o.json = true;
		} else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
			o.user = argv[++i];
		} else if (strcmp(argv[i], "--within") == 0 && i + 1 < argc) {
			if (bhxh_parse_uint(argv[++i], 0, 36500, &o.within) < 0) {
				cli_err(_("--within: a number of days from 0 to 36500 is expected"));
				return CLI_ERR;
			}
			within_set = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return CLI_OK;
		} else {
			cli_err(_("unknown argument '%.100s'"), argv[i]);
			usage(stderr);
			return CLI_ERR;
		}
	}
	if (!within_set) {
		if (cli_load_conf(cli) < 0)
			return CLI_ERR;
		o.within = cli->conf.expiry.warn_days == BHXH_DAYS_UNSET
				   ? 7
				   : cli->conf.expiry.warn_days;
	}
	return status(cli, &o);
}
