/* bhxhctl report: the audit area's command.  Reads auditd logs (the local
 * ones, files given, or standard input) and prints a summary per account,
 * per machine and per failure source.  The counting is in lib/report.c. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"
#include "i18n.h"
#include "report.h"
#include "report_out.h"
#include "report_time.h"
#include "util.h"

/* auditd's own paths, whatever our prefix */
#define AUDITD_CONF "/etc/audit/auditd.conf"
#define AUDIT_LOG_FILE "/var/log/audit/audit.log"
#define MAX_FILES 1000
#define CHUNK (1u << 20)

enum fmt { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_HTML };

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: bhxhctl report [--since WHEN] [--until WHEN] [--user NAME] [--host NAME]\n"
		  "                      [--top N] [--json | --csv | --html OUT] [--lang vi|en]\n"
		  "                      [FILE... | -]\n"
		  "Without FILE, reads %s and its rotated files.\n"
		  "WHEN: ISO 8601 (2026-11-25, 2026-11-25T08:00:00+07:00), MM/DD/YYYY [HH:MM:SS],\n"
		  "      now, recent, today, yesterday, this-week, week-ago, this-month, this-year.\n"),
		AUDIT_LOG_FILE);
}

/* Where auditd writes: log_file in auditd.conf, as ausearch reads it. */
static void audit_log_file(char *path, size_t len)
{
	char line[BHXH_CONF_LINE_MAX + 2];
	FILE *f = fopen(AUDITD_CONF, "re");

	snprintf(path, len, "%s", AUDIT_LOG_FILE);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (bhxh_report_conf_log_file(line, path, len) != 0)
			break;
	fclose(f);
	if (path[0] != '/' || strrchr(path, '/')[1] == '\0')
		snprintf(path, len, "%s", AUDIT_LOG_FILE);
}

struct logname {
	char *path;
	long rotation;
};

static int by_rotation_desc(const void *a, const void *b)
{
	long x = ((const struct logname *)a)->rotation, y = ((const struct logname *)b)->rotation;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The default input: the log file and its rotated files, oldest first. */
static int default_files(const char *logfile, char ***ret, size_t *ret_n)
{
	char dir[PATH_MAX];
	const char *base = strrchr(logfile, '/') + 1;
	struct logname *v = NULL;
	struct dirent *de;
	char **paths = NULL;
	size_t n = 0;
	DIR *d;
	int r = 0;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - logfile), logfile);
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		long rot = bhxh_report_rotation(base, de->d_name);
		struct logname *nv;

		if (rot < 0)
			continue;
		if (n == MAX_FILES) {
			r = -E2BIG;
			break;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv == NULL) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		if (asprintf(&v[n].path, "%s%s", dir, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		v[n++].rotation = rot;
	}
	closedir(d);
	if (r == 0 && n > 0 && (paths = calloc(n, sizeof(*paths))) == NULL)
		r = -ENOMEM;
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i].path);
		free(v);
		return r;
	}
	qsort(v, n, sizeof(*v), by_rotation_desc);
	for (size_t i = 0; i < n; i++)
		paths[i] = v[i].path;
	free(v);
	*ret = paths;
	*ret_n = n;
	return 0;
}

static int read_into(struct bhxh_report *rep, int fd, char *buf)
{
	ssize_t k;

	while ((k = read(fd, buf, CHUNK)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (bhxh_report_feed(rep, buf, (size_t)k) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int read_file(struct bhxh_report *rep, const char *path, char *buf)
{
	int fd, r;

	if (strcmp(path, "-") == 0)
		return read_into(rep, STDIN_FILENO, buf);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = read_into(rep, fd, buf);
	close(fd);
	return r;
}

/* ---- output --------------------------------------------------------- */

static void csv_str(const char *s)
{
	char clean[4 * BHXH_REPORT_NAME_MAX];

	/* valid UTF-8, quoted, and a leading = + - @ is defused for
	 * spreadsheets */
	bhxh_utf8_clean(s, strlen(s), clean, sizeof(clean));
	putchar('"');
	if (*clean == '=' || *clean == '+' || *clean == '-' || *clean == '@')
		putchar('\'');
	for (s = clean; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* Columns on a terminal: the width in characters of UTF-8 text (Vietnamese
 * headers, account names), or its length in bytes when it does not decode. */
static int text_width(const char *s)
{
	wchar_t w[BHXH_REPORT_NAME_MAX + 1];
	size_t n = mbstowcs(w, s, BHXH_ARRAY_SIZE(w) - 1);
	int cols;

	if (n == (size_t)-1)
		return (int)strlen(s);
	w[n] = L'\0';
	cols = wcswidth(w, n);
	return cols < 0 ? (int)n : cols;
}

/* Pad to width columns; right-aligned when right. */
static void print_col(const char *s, int width, bool right)
{
	int pad = width - text_width(s);

	if (right)
		printf("%*s%s", pad > 0 ? pad : 0, "", s);
	else
		printf("%s%*s", s, pad > 0 ? pad : 0, "");
}

/* A name for a terminal: control bytes become '?'. */
static void print_name(const char *s, int width)
{
	char tmp[BHXH_REPORT_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(tmp) - 1 && s[i]; i++)
		tmp[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	tmp[i] = '\0';
	print_col(tmp, width, false);
}

static void print_reasons(const struct bhxh_report_stats *s, enum fmt fmt)
{
	bool first = true;

	for (size_t i = 0; s->reasons != NULL && i < BHXH_REPORT_REASONS && s->reasons[i].name[0];
	     i++) {
		if (fmt == FMT_JSON) {
			printf("%s", first ? "" : ", ");
			cli_json_str(stdout, s->reasons[i].name);
			printf(": %llu", (unsigned long long)s->reasons[i].count);
		} else
			printf("%s%s:%llu", first ? "" : fmt == FMT_CSV ? ";" : ", ",
			       s->reasons[i].name, (unsigned long long)s->reasons[i].count);
		first = false;
	}
	if (s->reasons_other > 0) {
		if (fmt == FMT_JSON)
			printf("%s\"other\": %llu", first ? "" : ", ",
			       (unsigned long long)s->reasons_other);
		else
			printf("%sother:%llu", first ? "" : fmt == FMT_CSV ? ";" : ", ",
			       (unsigned long long)s->reasons_other);
	}
}

#define U(x) ((unsigned long long)(x))

static void json_entry(const char *key, const struct bhxh_report_entry *e)
{
	const struct bhxh_report_stats *s = &e->st;

	printf("    {\"%s\": ", key);
	cli_json_str(stdout, e->name);
	printf(", \"auth_successes\": %llu, \"auth_failures\": %llu, \"account_refusals\": %llu, "
	       "\"locks\": %llu, \"unlocks\": %llu, \"password_changes\": %llu, "
	       "\"password_rejections\": %llu, \"rejections_by_reason\": {",
	       U(s->auth_successes), U(s->auth_failures), U(s->acct_refusals), U(s->locks),
	       U(s->unlocks), U(s->password_changes), U(s->password_rejections));
	print_reasons(s, FMT_JSON);
	printf("}, \"expired_refusals\": %llu, \"revoked_refusals\": %llu, "
	       "\"locked_refusals\": %llu, \"posture\": {",
	       U(s->expired_refusals), U(s->revoked_refusals), U(s->locked_refusals));
	for (unsigned i = 0; i < BHXH_REPORT_POSTURE_KINDS; i++)
		printf("%s\"%s\": %llu", i ? ", " : "", bhxh_report_posture_reason(i),
		       U(s->posture[i]));
	printf("}}");
}

/* ---- alerts ---------------------------------------------------------- */

const char *report_time_str(long long t, bool utc, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL ||
	    strftime(buf, len, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", t);
	return buf;
}

void report_alert_text(const struct bhxh_report_alert *a, char *buf, size_t len)
{
	char key[4 * BHXH_REPORT_NAME_MAX];
	unsigned long long ev = a->events;

	bhxh_utf8_clean(a->key ? a->key : "", a->key ? strlen(a->key) : 0, key, sizeof(key));
	switch (a->kind) {
	case BHXH_ALERT_SPRAY:
		snprintf(buf, len,
			 _("Password spraying from %s (failed logins: %llu, accounts: %zu, "
			   "machines: %zu)"),
			 key, ev, a->naccounts, a->nhosts);
		break;
	case BHXH_ALERT_SPREAD:
		snprintf(buf, len,
			 _("Account %s failing on many machines (failed logins: %llu, machines: "
			   "%zu)"),
			 key, ev, a->nhosts);
		break;
	case BHXH_ALERT_LOCK_STORM:
		snprintf(buf, len,
			 _("Lock storm (accounts locked: %zu, machines: %zu, locks: %llu)"),
			 a->naccounts, a->nhosts, ev);
		break;
	case BHXH_ALERT_REVOKED_LOGIN:
		snprintf(buf, len,
			 _("Revoked account %s tried to log in (attempts: %llu, machines: %zu)"),
			 key, ev, a->nhosts);
		break;
	case BHXH_ALERT_EXPIRED_LOGIN:
		snprintf(buf, len,
			 _("Expired or disabled account %s tried to log in (attempts: %llu, "
			   "machines: %zu)"),
			 key, ev, a->nhosts);
		break;
	case BHXH_ALERT_PW_REJECTIONS:
		snprintf(buf, len,
			 _("Password changes refused in bulk (refusals: %llu, accounts: %zu, "
			   "machines: %zu)"),
			 ev, a->naccounts, a->nhosts);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

static void json_names(const char *key, const char *const *v, size_t n)
{
	printf(", \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		printf("%s", i ? ", " : "");
		cli_json_str(stdout, v[i]);
	}
	printf("]");
}

static void json_alerts(struct bhxh_report *rep)
{
	size_t n = bhxh_report_nalerts(rep);
	char t1[40], t2[40];

	printf("  \"alerts\": [\n");
	for (size_t i = 0; i < n; i++) {
		const struct bhxh_report_alert *a = bhxh_report_alert(rep, i);

		printf("    {\"kind\": \"%s\"", bhxh_alert_kind_name(a->kind));
		if (a->key != NULL) {
			printf(", \"%s\": ", a->kind == BHXH_ALERT_SPRAY ? "source" : "account");
			cli_json_str(stdout, a->key);
		}
		printf(", \"events\": %llu, \"account_count\": %zu, \"host_count\": %zu",
		       U(a->events), a->naccounts, a->nhosts);
		json_names("accounts", a->accounts, a->naccounts);
		json_names("hosts", a->hosts, a->nhosts);
		printf(", \"window\": {\"from\": \"%s\", \"to\": \"%s\", \"seconds\": %lld}}%s\n",
		       report_time_str(a->first, true, t1, sizeof(t1)),
		       report_time_str(a->last, true, t2, sizeof(t2)), a->last - a->first,
		       i + 1 < n ? "," : "");
	}
	printf("  ],\n  \"alerts_dropped\": %llu,\n",
	       U(bhxh_report_totals(rep)->alerts_dropped));
}

static void json_expiring(struct bhxh_report *rep)
{
	const struct bhxh_report_entry *e;
	size_t n = bhxh_report_users(rep, &e);
	bool first = true;

	printf("  \"password_expiry_announced\": [");
	for (size_t i = 0; i < n; i++) {
		if (e[i].expires[0] == '\0')
			continue;
		printf("%s\n    {\"user\": ", first ? "" : ",");
		cli_json_str(stdout, e[i].name);
		printf(", \"expires\": \"%s\", \"days_left\": %lld}", e[i].expires,
		       e[i].expires_days_left);
		first = false;
	}
	printf("%s],\n", first ? "" : "\n  ");
}

static void print_alerts(struct bhxh_report *rep)
{
	size_t n = bhxh_report_nalerts(rep);
	char text[1024], t1[40], t2[40];

	printf("\n%s\n", _("Alerts:"));
	if (n == 0)
		printf("  %s\n", _("none"));
	for (size_t i = 0; i < n; i++) {
		const struct bhxh_report_alert *a = bhxh_report_alert(rep, i);

		report_alert_text(a, text, sizeof(text));
		printf("  ");
		for (const char *p = text; *p; p++)
			putchar((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
		printf("\n    %s %s .. %s\n", _("window:"), report_time_str(a->first, false, t1, sizeof(t1)),
		       report_time_str(a->last, false, t2, sizeof(t2)));
		if (a->nhosts > 0) {
			printf("    %s ", _("machines:"));
			for (size_t k = 0; k < a->nhosts && k < 10; k++) {
				printf("%s", k ? ", " : "");
				print_name(a->hosts[k], 0);
			}
			printf("%s\n", a->nhosts > 10 ? ", ..." : "");
		}
	}
	if (bhxh_report_totals(rep)->alerts_dropped > 0)
		printf(_("Warning: %llu more alerts not kept.\n"),
		       U(bhxh_report_totals(rep)->alerts_dropped));
}

static void print_json(struct bhxh_report *rep, size_t top)
{
	const struct bhxh_report_totals *t = bhxh_report_totals(rep);
	const struct bhxh_report_entry *e;
	size_t n;

	printf("{\n  \"lines\": %llu,\n  \"malformed_lines\": %llu,\n  \"events\": %llu,\n"
	       "  \"records\": %llu,\n  \"overflow\": %llu,\n  \"users\": [\n",
	       U(t->lines), U(t->malformed), U(t->events), U(t->records), U(t->overflow));
	n = bhxh_report_users(rep, &e);
	for (size_t i = 0; i < n; i++) {
		json_entry("user", &e[i]);
		printf("%s\n", i + 1 < n ? "," : "");
	}
	printf("  ],\n  \"hosts\": [\n");
	n = bhxh_report_hosts(rep, &e);
	for (size_t i = 0; i < n; i++) {
		json_entry("host", &e[i]);
		printf("%s\n", i + 1 < n ? "," : "");
	}
	printf("  ],\n  \"top_failure_sources\": [\n");
	n = bhxh_report_sources(rep, &e);
	if (n > top)
		n = top;
	for (size_t i = 0; i < n; i++) {
		printf("    {\"source\": ");
		cli_json_str(stdout, e[i].name);
		printf(", \"failures\": %llu}%s\n", U(e[i].failures), i + 1 < n ? "," : "");
	}
	printf("  ],\n");
	json_expiring(rep);
	json_alerts(rep);
	printf("  \"memory_bytes\": %zu\n}\n", t->memory);
}

static void csv_row(const char *kind, const struct bhxh_report_entry *e)
{
	const struct bhxh_report_stats *s = &e->st;

	printf("%s,", kind);
	csv_str(e->name);
	printf(",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,\"", U(s->auth_successes),
	       U(s->auth_failures), U(s->acct_refusals), U(s->locks), U(s->unlocks),
	       U(s->password_changes), U(s->password_rejections), U(s->expired_refusals),
	       U(s->revoked_refusals), U(s->locked_refusals));
	print_reasons(s, FMT_CSV);
	printf("\",%llu,%llu,%llu\n", U(s->posture[0]), U(s->posture[1]), U(s->posture[2]));
}

static void print_csv(struct bhxh_report *rep, size_t top)
{
	const struct bhxh_report_entry *e;
	size_t n;

	printf("kind,name,auth_successes,auth_failures,account_refusals,locks,unlocks,"
	       "password_changes,password_rejections,expired_refusals,revoked_refusals,"
	       "locked_refusals,rejections_by_reason,posture_av_missing,posture_av_stale,"
	       "posture_wifi\n");
	n = bhxh_report_users(rep, &e);
	for (size_t i = 0; i < n; i++)
		csv_row("user", &e[i]);
	n = bhxh_report_hosts(rep, &e);
	for (size_t i = 0; i < n; i++)
		csv_row("host", &e[i]);
	n = bhxh_report_sources(rep, &e);
	for (size_t i = 0; i < n && i < top; i++) {
		printf("source,");
		csv_str(e[i].name);
		printf(",,%llu,,,,,,,,,,,,\n", U(e[i].failures));
	}
}

static void table_section(const char *title, const char *col, const struct bhxh_report_entry *e,
			  size_t n)
{
	/* TRANSLATORS: column headers of bhxhctl report; keep each within 7 characters */
	const char *const heads[] = { _("OK"),	  _("FAILED"),	_("REFUSED"), _("LOCKS"),
				      _("UNLOCKS"), _("PWCHG"),	_("PWREJ"),   _("EXPIRED"),
				      _("REVOKED"), _("LOCKED") };

	printf("\n%s\n", title);
	print_col(col, 24, false);
	for (size_t i = 0; i < BHXH_ARRAY_SIZE(heads); i++) {
		putchar(' ');
		print_col(heads[i], 7, true);
	}
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		const struct bhxh_report_stats *s = &e[i].st;

		print_name(e[i].name, 24);
		printf(" %7llu %7llu %7llu %7llu %7llu %7llu %7llu %7llu %7llu %7llu\n",
		       U(s->auth_successes), U(s->auth_failures), U(s->acct_refusals), U(s->locks),
		       U(s->unlocks), U(s->password_changes), U(s->password_rejections),
		       U(s->expired_refusals), U(s->revoked_refusals), U(s->locked_refusals));
		if (s->password_rejections > 0) {
			printf("  %s ", _("rejected passwords:"));
			print_reasons(s, FMT_TABLE);
			putchar('\n');
		}
	}
}

/* The machines whose logins reported a posture finding (pam_bhxh(8),
 * LOGIN POSTURE): logins that saw each finding. */
static void print_posture(const struct bhxh_report_entry *e, size_t n)
{
	/* TRANSLATORS: column headers of the posture table; keep each within 10 characters */
	const char *const heads[BHXH_REPORT_POSTURE_KINDS] = { _("NO AV"), _("OLD SIGS"),
							       _("WIRELESS") };
	bool any = false;

	printf("\n%s\n", _("Machines out of posture (logins that saw each finding):"));
	for (size_t i = 0; i < n; i++) {
		const uint64_t *p = e[i].st.posture;

		if (p[0] + p[1] + p[2] == 0)
			continue;
		if (!any) {
			print_col(_("MACHINE"), 24, false);
			for (unsigned k = 0; k < BHXH_REPORT_POSTURE_KINDS; k++) {
				putchar(' ');
				print_col(heads[k], 10, true);
			}
			putchar('\n');
			any = true;
		}
		print_name(e[i].name, 24);
		printf(" %10llu %10llu %10llu\n", U(p[0]), U(p[1]), U(p[2]));
	}
	if (!any)
		printf("  %s\n", _("none"));
}

static void print_table(struct bhxh_report *rep, size_t top)
{
	const struct bhxh_report_totals *t = bhxh_report_totals(rep);
	const struct bhxh_report_entry *e;
	size_t n;

	printf(_("Authentication report: %llu lines read, %llu malformed lines skipped, "
		 "%llu records counted.\n"),
	       U(t->lines), U(t->malformed), U(t->records));
	if (t->overflow > 0)
		printf(_("Warning: %llu records not counted (too many distinct names).\n"),
		       U(t->overflow));
	n = bhxh_report_users(rep, &e);
	table_section(_("Per account:"), _("ACCOUNT"), e, n);
	n = bhxh_report_hosts(rep, &e);
	table_section(_("Per machine:"), _("MACHINE"), e, n);
	print_posture(e, n);
	n = bhxh_report_sources(rep, &e);
	printf("\n%s\n", _("Top sources of failed authentications:"));
	if (n == 0)
		printf("  %s\n", _("none"));
	for (size_t i = 0; i < n && i < top; i++) {
		printf("  ");
		print_name(e[i].name, 40);
		printf(" %llu\n", U(e[i].failures));
	}
	print_alerts(rep);
	printf("\n%s\n", _("OK, FAILED: authentications; REFUSED: account checks refused; "
			   "LOCKS, UNLOCKS: lockouts;\nPWCHG: password changes; PWREJ: rejected "
			   "passwords; EXPIRED, REVOKED, LOCKED: refusals by pam_bhxh."));
}

/* "--opt VALUE" or "--opt=VALUE"; advances *i. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* "2026-11-25", "11/25/2026" or "11/25/26": a date without a time */
static bool date_only(const char *s)
{
	size_t n = strlen(s);

	return (n == 8 || n == 10) && s[0] >= '0' && s[0] <= '9' && strchr(s, ':') == NULL &&
	       strchr(s, ' ') == NULL && strchr(s, 'T') == NULL;
}

static bool looks_like_time(const char *s)
{
	return s != NULL && strlen(s) >= 5 && s[0] >= '0' && s[0] <= '9' && s[2] == ':';
}

/* --lang vi|en: the language of the report whatever the locale. */
static int set_language(const char *lang)
{
	if (strcmp(lang, "vi") == 0) {
		/* gettext ignores LANGUAGE under the C locale */
		if (setlocale(LC_MESSAGES, "vi_VN.UTF-8") == NULL &&
		    setlocale(LC_MESSAGES, "C.UTF-8") == NULL)
			(void)setlocale(LC_MESSAGES, "en_US.UTF-8");
		setenv("LANGUAGE", "vi", 1);
		bind_textdomain_codeset(PACKAGE, "UTF-8");
	} else if (strcmp(lang, "en") == 0) {
		setenv("LANGUAGE", "en", 1);
		(void)setlocale(LC_MESSAGES, "C");
	} else
		return -EINVAL;
	return 0;
}

/* The HTML page, written to a temporary file then renamed, so that a
 * reader never sees half a page; "-" writes to standard output. */
static int write_html(struct bhxh_report *rep, const char *path, const struct report_html_opts *o)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, r;

	if (strcmp(path, "-") == 0)
		return report_html(rep, stdout, o) == 0 && fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		cli_err(_("cannot write %s: %s"), path, strerror(ENAMETOOLONG));
		return CLI_ERR;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		cli_err(_("cannot write %s: %s"), path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return CLI_ERR;
	}
	(void)fchmod(fd, 0644);
	r = report_html(rep, f, o);
	if (fflush(f) != 0 || fsync(fd) != 0)
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		cli_err(_("cannot write %s: %s"), path, strerror(-r));
		return CLI_ERR;
	}
	return CLI_OK;
}

int cmd_report(struct cli *cli, int argc, char **argv)
{
	struct bhxh_report_filter f = { 0 };
	struct bhxh_report *rep = NULL;
	char node[256] = "", *buf = NULL;
	char **files = NULL;
	const char *html_out = NULL;
	size_t nfiles = 0, top = 10;
	bool own_files = false;
	enum fmt fmt = FMT_TABLE;
	bool lang_given = false;
	long long now = (long long)time(NULL);
	int i, r, rc = CLI_ERR;
	uint64_t v;

	for (i = 0; i < argc; i++) {
		const char *val;

		if (strcmp(argv[i], "--json") == 0)
			fmt = FMT_JSON;
		else if ((val = opt_value(argc, argv, &i, "--html")) != NULL) {
			fmt = FMT_HTML;
			html_out = val;
		} else if ((val = opt_value(argc, argv, &i, "--lang")) != NULL) {
			lang_given = true;
			if (set_language(val) < 0) {
				cli_err(_("--lang expects vi or en"));
				return CLI_ERR;
			}
		} else if (strcmp(argv[i], "--csv") == 0)
			fmt = FMT_CSV;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_OK;
		} else if (strncmp(argv[i], "--since", 7) == 0 || strncmp(argv[i], "--until", 7) == 0) {
			bool since = argv[i][2] == 's';
			const char *tod = NULL;
			long long t;

			val = opt_value(argc, argv, &i, since ? "--since" : "--until");
			if (val == NULL) {
				cli_err(_("unknown option '%s'"), argv[i]);
				return CLI_ERR;
			}
			if (i + 1 < argc && looks_like_time(argv[i + 1]))
				tod = argv[++i];
			if (bhxh_report_parse_time(val, tod, now, &t) < 0) {
				cli_err(_("'%s' is not a date or time that report understands"), val);
				return CLI_ERR;
			}
			if (since)
				f.since = t;
			else /* --until DATE: to the end of that day */
				f.until = tod == NULL && date_only(val) ? t + 86399 : t;
		} else if ((val = opt_value(argc, argv, &i, "--user")) != NULL)
			f.user = val;
		else if ((val = opt_value(argc, argv, &i, "--host")) != NULL)
			f.host = val;
		else if ((val = opt_value(argc, argv, &i, "--top")) != NULL) {
			if (bhxh_parse_uint(val, 1, 1000000, &v) < 0) {
				cli_err(_("--top needs a number from 1 to 1000000"));
				return CLI_ERR;
			}
			top = (size_t)v;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cli_err(_("unknown option '%s'"), argv[i]);
			usage(stderr);
			return CLI_ERR;
		} else
			break;
	}
	if (i < argc) {
		files = argv + i;
		nfiles = (size_t)(argc - i);
	} else {
		char logfile[PATH_MAX];

		audit_log_file(logfile, sizeof(logfile));
		r = default_files(logfile, &files, &nfiles);
		if (r < 0) {
			cli_err(_("cannot read %s: %s"), logfile, strerror(-r));
			return CLI_ERR;
		}
		own_files = true;
	}
	if (gethostname(node, sizeof(node) - 1) < 0)
		snprintf(node, sizeof(node), "?");
	f.local_node = node;
	/* alert thresholds: bhxh.conf (report_* keys) */
	if (cli_load_conf(cli) < 0)
		goto out;
	/* without --lang, bhxh.conf's lang= (vi or en; auto: the locale) */
	if (!lang_given && (strcmp(cli->conf.lang, "vi") == 0 || strcmp(cli->conf.lang, "en") == 0))
		(void)set_language(cli->conf.lang);
	f.alerts = &cli->conf.report;
	rep = bhxh_report_new(&f);
	buf = malloc(CHUNK);
	if (rep == NULL || buf == NULL) {
		cli_err("%s", strerror(ENOMEM));
		goto out;
	}
	for (size_t k = 0; k < nfiles; k++) {
		r = read_file(rep, files[k], buf);
		if (r < 0) {
			cli_err(_("cannot read %s: %s"), files[k], strerror(-r));
			goto out;
		}
	}
	if (bhxh_report_finish(rep) < 0) {
		cli_err("%s", strerror(ENOMEM));
		goto out;
	}
	if (fmt == FMT_HTML) {
		struct report_html_opts ho = { .top = top, .now = now };

		rc = write_html(rep, html_out, &ho);
		goto out;
	}
	if (fmt == FMT_JSON)
		print_json(rep, top);
	else if (fmt == FMT_CSV)
		print_csv(rep, top);
	else
		print_table(rep, top);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_ERR;
out:
	bhxh_report_free(rep);
	free(buf);
	if (own_files) {
		for (size_t k = 0; k < nfiles; k++)
			free(files[k]);
		free(files);
	}
	return rc;
}
