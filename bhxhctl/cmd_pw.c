/* bhxhctl commands of the pw area: password check, denylist, history.
 * Thin front ends over lib/pwcheck, lib/denylist and lib/history; the
 * password check doubles as the test and benchmark harness. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "denylist.h"
#include "history.h"
#include "i18n.h"
#include "pwcheck.h"
#include "util.h"

/* Apply "key=value" policy arguments on top of the loaded configuration. */
static int apply_args(struct cli *cli, int argc, char **argv, int *i)
{
	char err[BHXH_ERR_MAX];

	if (strchr(argv[*i], '=') == NULL && argv[*i][0] == '-')
		return -ENOENT;
	if (bhxh_conf_apply(&cli->conf, argv[*i], BHXH_SCOPE_ANY, NULL, err, sizeof(err)) < 0) {
		cli_err("%s", err);
		return -EINVAL;
	}
	(*i)++;
	return 0;
}

/* The password phase's configuration, as the module reads it: the peers'
 * files (pwquality.conf, pwhistory.conf) first, then bhxh.conf. */
static int load_pw_conf(struct cli *cli)
{
	char err[BHXH_ERR_MAX], arg[PATH_MAX + 8];
	const char *args[1];
	int n = 0;

	if (cli->conf_path != NULL) {
		snprintf(arg, sizeof(arg), "conf=%s", cli->conf_path);
		args[n++] = arg;
	}
	if (bhxh_conf_load_pw(&cli->conf, n, args, err, sizeof(err)) < 0) {
		cli_err("%s", err);
		return -EINVAL;
	}
	cli->conf_loaded = true;
	return 0;
}

static void strip_newline(char *s, ssize_t *n)
{
	while (*n > 0 && (s[*n - 1] == '\n' || s[*n - 1] == '\r'))
		s[--*n] = '\0';
}

static int password_check(struct cli *cli, int argc, char **argv)
{
	const char *user = NULL, *gecos = NULL;
	struct bhxh_pw_policy *pol = NULL;
	char err[BHXH_ERR_MAX], why[512];
	char *line = NULL;
	size_t cap = 0, lineno = 0, refused = 0;
	bool quiet = false;
	ssize_t n;
	int i = 0, r, rc = CLI_OK;

	if (load_pw_conf(cli) < 0)
		return CLI_ERR;
	while (i < argc) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
			user = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--gecos") == 0 && i + 1 < argc) {
			gecos = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
			quiet = true;
			i++;
		} else if (apply_args(cli, argc, argv, &i) < 0) {
			cli_err(_("usage: bhxhctl password check [--user U] [--gecos G] [--quiet] "
				  "[option=value...] < candidates"));
			return CLI_ERR;
		}
	}
	if (user != NULL && !bhxh_valid_username(user)) {
		cli_err(_("invalid user name"));
		return CLI_ERR;
	}
	if (user != NULL && gecos == NULL) {
		struct passwd *pw = getpwnam(user);

		if (pw != NULL && pw->pw_gecos != NULL)
			gecos = pw->pw_gecos;
	}
	r = bhxh_pw_policy_new(&cli->conf.pw, &pol, err, sizeof(err));
	if (r < 0) {
		cli_err(_("cannot prepare the password policy: %s"), err);
		return CLI_ERR;
	}
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		struct bhxh_pw_verdict v;

		strip_newline(line, &n);
		lineno++;
		r = bhxh_pw_check(pol, line, NULL, user, gecos, &v);
		bhxh_wipe(line, (size_t)n);
		if (r < 0) {
			cli_err(_("line %zu: the password cannot be checked: %s"), lineno, v.detail);
			rc = CLI_ERR;
			break;
		}
		if (v.reason != BHXH_PW_OK)
			refused++;
		if (quiet)
			continue;
		bhxh_pw_explain(&v, why, sizeof(why));
		printf("%zu\t%s\t%s\t%u\t%s\n", lineno, v.reason == BHXH_PW_OK ? "ok" : "refused",
		       bhxh_pw_reason_code(v.reason), v.bits, v.reason == BHXH_PW_OK ? "" : why);
	}
	if (line != NULL) {
		bhxh_wipe(line, cap);
		free(line);
	}
	bhxh_pw_policy_free(pol);
	if (quiet)
		printf(_("%zu checked, %zu refused\n"), lineno, refused);
	if (rc == CLI_OK && refused > 0)
		rc = CLI_NO;
	return rc;
}

int cmd_password(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "check") == 0)
		return password_check(cli, argc - 1, argv + 1);
	cli_err(_("usage: bhxhctl password check [--user U] [option=value...] < candidates"));
	return CLI_ERR;
}

static void report_bad_lines(const struct bhxh_dl_stats *st)
{
	char lines[BHXH_DL_BAD_LINES_MAX * 21 + 1] = "";
	size_t used = 0;

	if (st->bad == 0)
		return;
	for (uint64_t i = 0; i < st->bad && i < BHXH_DL_BAD_LINES_MAX; i++) {
		int k = snprintf(lines + used, sizeof(lines) - used, "%s%llu", i ? " " : "",
				 (unsigned long long)st->bad_lines[i]);

		if (k < 0 || (size_t)k >= sizeof(lines) - used)
			break;
		used += (size_t)k;
	}
	cli_err(_("%llu malformed lines left out (not HASH:COUNT), first at lines: %s"),
		(unsigned long long)st->bad, lines);
}

/* build LIST [-o FILE] [--format text|hibp-sha1] [--min-count N] [--bits N]
 * [--arity 3|4] [--high-precision] [--filter fuse|bloom] */
static int denylist_build(struct cli *cli, int argc, char **argv)
{
	const char *list = NULL, *out = NULL;
	struct bhxh_dl_opts o = { .bits = BHXH_DL_BITS_DEFAULT, .arity = 3 };
	uint64_t v;
	bool strict = false;
	struct bhxh_dl_stats st;
	int r;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-o") == 0 && val != NULL) {
			out = val;
			i++;
		} else if (strcmp(a, "--bits") == 0 && val != NULL) {
			if (bhxh_parse_uint(val, 8, 32, &v) < 0) {
				cli_err(_("--bits expects a number from 8 to 32"));
				return CLI_ERR;
			}
			o.bits = (unsigned)v;
			i++;
		} else if (strcmp(a, "--arity") == 0 && val != NULL) {
			if (bhxh_parse_uint(val, 3, 4, &v) < 0) {
				cli_err(_("--arity expects 3 or 4"));
				return CLI_ERR;
			}
			o.arity = (unsigned)v;
			i++;
		} else if (strcmp(a, "--high-precision") == 0) {
			o.arity = 4;
			o.bits = 30;
		} else if (strcmp(a, "--min-count") == 0 && val != NULL) {
			if (bhxh_parse_uint(val, 1, UINT64_MAX, &o.min_count) < 0) {
				cli_err(_("--min-count expects a positive number"));
				return CLI_ERR;
			}
			i++;
		} else if (strcmp(a, "--format") == 0 && val != NULL) {
			if (strcmp(val, "text") == 0)
				o.input = BHXH_DL_IN_TEXT;
			else if (strcmp(val, "hibp-sha1") == 0)
				o.input = BHXH_DL_IN_HIBP_SHA1;
			else {
				cli_err(_("--format expects text or hibp-sha1"));
				return CLI_ERR;
			}
			i++;
		} else if (strcmp(a, "--filter") == 0 && val != NULL) {
			if (strcmp(val, "fuse") == 0)
				o.filter = BHXH_DL_FUSE;
			else if (strcmp(val, "bloom") == 0)
				o.filter = BHXH_DL_BLOOM;
			else {
				cli_err(_("--filter expects fuse or bloom"));
				return CLI_ERR;
			}
			i++;
		} else if (strcmp(a, "--strict") == 0)
			strict = true;
		else if (list == NULL && (a[0] != '-' || strcmp(a, "-") == 0))
			list = a;
		else {
			list = NULL;
			break;
		}
	}
	if (list == NULL || (o.min_count != 0 && o.input != BHXH_DL_IN_HIBP_SHA1) ||
	    (o.filter == BHXH_DL_BLOOM && (o.input != BHXH_DL_IN_TEXT || strcmp(list, "-") == 0))) {
		cli_err(_("usage: bhxhctl denylist build LIST|- [-o FILE] [--format text|hibp-sha1] "
			  "[--min-count N] [--bits N] [--arity 3|4] [--high-precision] [--strict]"));
		return CLI_ERR;
	}
	if (out == NULL) {
		if (cli_load_conf(cli) < 0)
			return CLI_ERR;
		out = cli->conf.pw.denylist;
		if (strcmp(out, "none") == 0) {
			cli_err(_("no output file: give -o FILE"));
			return CLI_ERR;
		}
	}
	r = bhxh_denylist_build_opts(list, out, &o, &st);
	if (r < 0) {
		cli_err(_("cannot build %s from %s: %s"), out, list, strerror(-r));
		return CLI_ERR;
	}
	report_bad_lines(&st);
	printf(_("%s: %llu entries, %llu lines skipped, %llu bytes (%.2f bytes per entry)\n"), out,
	       (unsigned long long)st.entries, (unsigned long long)st.skipped,
	       (unsigned long long)st.file_bytes,
	       st.entries ? (double)st.file_bytes / (double)st.entries : 0.0);
	if (st.duplicates > 0)
		printf(_("%llu duplicate entries counted once\n"), (unsigned long long)st.duplicates);
	return strict && st.bad > 0 ? CLI_ERR : CLI_OK;
}

/* check [-f FILE] [--lookup]: verify the whole file (both checksums); with
 * --lookup also read candidates from stdin and say which are listed. */
static int denylist_check(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL;
	struct bhxh_denylist *dl = NULL;
	bool lookup = false;
	char *line = NULL;
	size_t cap = 0, listed = 0;
	ssize_t n;
	int r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--lookup") == 0)
			lookup = true;
		else {
			cli_err(_("usage: bhxhctl denylist check [-f FILE] [--lookup < candidates]"));
			return CLI_ERR;
		}
	}
	if (file == NULL) {
		if (cli_load_conf(cli) < 0)
			return CLI_ERR;
		file = cli->conf.pw.denylist;
	}
	r = bhxh_denylist_open(file, true, &dl);
	if (r < 0) {
		cli_err(_("%s: %s"), file,
			r == -EBADMSG ? _("corrupt (bad checksum or format)") : strerror(-r));
		return CLI_ERR;
	}
	printf(_("%s: valid, %llu entries, %llu bytes\n"), file,
	       (unsigned long long)bhxh_denylist_entries(dl),
	       (unsigned long long)bhxh_denylist_bytes(dl));
	printf(_("format %u (%s), %s keys, %u bits\n"), bhxh_denylist_version(dl),
	       bhxh_denylist_version(dl) == BHXH_DL_VERSION ? _("binary fuse filter")
							    : _("Bloom filter"),
	       bhxh_denylist_key_kind(dl) == BHXH_DL_KEY_SHA1 ? "SHA-1" : _("text"),
	       bhxh_denylist_bits(dl));
	while (lookup && (n = getline(&line, &cap, stdin)) >= 0) {
		bool hit;

		strip_newline(line, &n);
		hit = bhxh_denylist_contains(dl, line, (size_t)n);
		bhxh_wipe(line, (size_t)n);
		listed += hit;
		printf("%s\n", hit ? _("listed") : _("not listed"));
	}
	if (line != NULL) {
		bhxh_wipe(line, cap);
		free(line);
	}
	bhxh_denylist_close(dl);
	return listed ? CLI_NO : CLI_OK;
}

int cmd_denylist(struct cli *cli, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "build") == 0)
		return denylist_build(cli, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "check") == 0)
		return denylist_check(cli, argc - 1, argv + 1);
	cli_err(_("usage: bhxhctl denylist build LIST [-o FILE] [options] | check [-f FILE] [--lookup]"));
	return CLI_ERR;
}

/* A user exists when NSS says so; an NSS error is "cannot tell". */
static int user_exists(const char *user, void *arg)
{
	struct passwd *pw;

	(void)arg;
	errno = 0;
	pw = getpwnam(user);
	if (pw != NULL)
		return 1;
	if (errno == 0 || errno == ENOENT || errno == ESRCH || errno == EBADF || errno == EPERM)
		return 0;
	return -errno;
}

int cmd_history(struct cli *cli, int argc, char **argv)
{
	const char *dir, *file = "/etc/security/opasswd";
	int i = 1, r;

	if (argc < 1 || (strcmp(argv[0], "import") != 0 && strcmp(argv[0], "prune") != 0)) {
		cli_err(_("usage: bhxhctl history import [FILE] [--dir DIR] | prune [--dir DIR]"));
		return CLI_ERR;
	}
	if (cli_load_conf(cli) < 0)
		return CLI_ERR;
	dir = cli->conf.pw.history_dir;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[0], "import") == 0 && argv[i][0] == '/')
			file = argv[i];
		else {
			cli_err(_("unexpected argument '%s'"), argv[i]);
			return CLI_ERR;
		}
	}
	if (strcmp(argv[0], "import") == 0) {
		unsigned users = 0, bad = 0;

		r = bhxh_history_import(dir, file, &users, &bad);
		if (r < 0) {
			cli_err(_("cannot import %s into %s: %s"), file, dir, strerror(-r));
			return CLI_ERR;
		}
		printf(_("%s: history of %u users imported into %s, %u bad entries skipped\n"),
		       file, users, dir, bad);
		return bad ? CLI_NO : CLI_OK;
	}
	{
		unsigned removed = 0;

		r = bhxh_history_prune(dir, user_exists, NULL, &removed);
		if (r < 0) {
			cli_err(_("cannot prune %s: %s"), dir, strerror(-r));
			return CLI_ERR;
		}
		printf(_("%s: history of %u deleted users removed\n"), dir, removed);
	}
	return CLI_OK;
}
