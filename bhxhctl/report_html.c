/* bhxhctl report --html: one self-contained page for the reviewers (inline
 * CSS and SVG; no script, no font or image from the network), in the
 * current language.  Every name comes from the log: escaped, and valid
 * UTF-8 already (lib/report.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "report_out.h"
#include "util.h"

#define U(x) ((unsigned long long)(x))

static void esc(FILE *f, const char *s)
{
	char clean[4 * BHXH_REPORT_NAME_MAX + 1024];

	bhxh_utf8_clean(s, strlen(s), clean, sizeof(clean));
	for (const char *p = clean; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		}
	}
}

static const char *const palette[] = { "#c0392b", "#2471a3", "#229954", "#b9770e", "#7d3c98",
				       "#17a589" };

struct bar {
	const char *label;
	uint64_t value;
};

/* A horizontal bar chart. */
static void bar_chart(FILE *f, const char *title, const struct bar *b, size_t n, const char *color)
{
	uint64_t max = 1;
	const int w = 640, label_w = 220, row = 22;
	int h = (int)(n ? n : 1) * row + 10;

	fprintf(f, "<figure><figcaption>");
	esc(f, title);
	fprintf(f, "</figcaption>\n");
	if (n == 0) {
		fprintf(f, "<p class=\"none\">");
		esc(f, _("none"));
		fprintf(f, "</p></figure>\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (b[i].value > max)
			max = b[i].value;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" role=\"img\">\n", w, h, w, h);
	for (size_t i = 0; i < n; i++) {
		int y = 5 + (int)i * row;
		int bw = (int)((double)b[i].value / (double)max * (w - label_w - 70));
		char label[64];

		bhxh_utf8_clean(b[i].label, strlen(b[i].label), label, 30);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 6, y + 15);
		esc(f, label);
		fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
			   "<text x=\"%d\" y=\"%d\">%llu</text>\n",
			label_w, y + 3, bw > 0 ? bw : 1, row - 6, color, label_w + bw + 4, y + 15,
			U(b[i].value));
	}
	fprintf(f, "</svg></figure>\n");
}

static int cmp_bar(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* The n largest of a field over a table, as bars (out holds top). */
static size_t top_bars(const struct bhxh_report_entry *e, size_t n, size_t top,
		       uint64_t (*get)(const struct bhxh_report_entry *), struct bar *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t v = get(&e[i]);

		if (v == 0)
			continue;
		if (k < top) {
			out[k++] = (struct bar){ e[i].name, v };
			qsort(out, k, sizeof(*out), cmp_bar);
		} else if (v > out[k - 1].value) {
			out[k - 1] = (struct bar){ e[i].name, v };
			qsort(out, k, sizeof(*out), cmp_bar);
		}
	}
	return k;
}

static uint64_t get_failures(const struct bhxh_report_entry *e)
{
	return e->st.auth_failures;
}

static uint64_t get_src_failures(const struct bhxh_report_entry *e)
{
	return e->failures;
}

static uint64_t get_locks(const struct bhxh_report_entry *e)
{
	return e->st.locks;
}

static void heading(FILE *f, const char *title)
{
	fprintf(f, "<h2>");
	esc(f, title);
	fprintf(f, "</h2>\n");
}

/* A bar chart of the top entries of one of the report's tables (accounts,
 * machines, sources) by one field. */
static void top_chart(FILE *f, struct bhxh_report *rep,
		      size_t (*table)(struct bhxh_report *, const struct bhxh_report_entry **),
		      uint64_t (*get)(const struct bhxh_report_entry *), size_t top, struct bar *bars,
		      const char *caption, const char *color)
{
	const struct bhxh_report_entry *e;
	size_t n = table(rep, &e);

	bar_chart(f, caption, bars, top_bars(e, n, top, get, bars), color);
}

/* Failures over time: all machines as bars, the busiest machines as
 * lines. */
static void time_chart(FILE *f, struct bhxh_report *rep, size_t top)
{
	const struct bhxh_report_totals *t = bhxh_report_totals(rep);
	const struct bhxh_report_entry *e;
	size_t nh = bhxh_report_hosts(rep, &e), lo = 0, hi = BHXH_REPORT_BUCKETS, nb;
	struct bar best[6];
	size_t nbest = top_bars(e, nh, top < 6 ? top : 6, get_failures, best);
	const int w = 900, h = 280, x0 = 50, y0 = 20, ph = 200;
	uint32_t max = 1;
	char t1[40];
	double bw;

	fprintf(f, "<figure><figcaption>");
	esc(f, _("Failed logins over time"));
	fprintf(f, "</figcaption>\n");
	while (lo < hi && t->series[lo] == 0)
		lo++;
	while (hi > lo && t->series[hi - 1] == 0)
		hi--;
	if (lo == hi) {
		fprintf(f, "<p class=\"none\">");
		esc(f, _("none"));
		fprintf(f, "</p></figure>\n");
		return;
	}
	nb = hi - lo;
	for (size_t i = lo; i < hi; i++)
		if (t->series[i] > max)
			max = t->series[i];
	bw = (double)(w - x0 - 10) / (double)nb;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" role=\"img\">\n", w, h, w, h);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>\n", x0, y0 + ph,
		w - 10, y0 + ph);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%u</text>\n", x0 - 4, y0 + 10, max);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", x0 - 4, y0 + ph);
	for (size_t i = lo; i < hi; i++) {
		int bh = (int)((double)t->series[i] / max * ph);

		fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#d5d8dc\"/>\n",
			x0 + (double)(i - lo) * bw, y0 + ph - bh, bw > 2 ? bw - 1 : bw, bh);
	}
	for (size_t k = 0; k < nbest; k++) {
		const struct bhxh_report_entry *he = NULL;

		for (size_t i = 0; i < nh; i++)
			if (e[i].name == best[k].label)
				he = &e[i];
		if (he == NULL || he->series == NULL)
			continue;
		fprintf(f, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
			palette[k]);
		for (size_t i = lo; i < hi; i++)
			fprintf(f, "%.1f,%.1f ", x0 + ((double)(i - lo) + 0.5) * bw,
				y0 + ph - (double)he->series[i] / max * ph);
		fprintf(f, "\"/>\n<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			   "<text x=\"%d\" y=\"%d\">", x0 + 10 + (int)k * 140, y0 + ph + 40, palette[k],
			x0 + 26 + (int)k * 140, y0 + ph + 51);
		esc(f, he->name);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\">", x0, y0 + ph + 18);
	esc(f, report_time_str(t->series_start + (long long)lo * t->bucket_len, false, t1,
			       sizeof(t1)));
	fprintf(f, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", w - 10, y0 + ph + 18);
	esc(f, report_time_str(t->series_start + (long long)hi * t->bucket_len, false, t1,
			       sizeof(t1)));
	fprintf(f, "</text>\n</svg><p class=\"note\">");
	fprintf(f, _("Grey bars: all machines; lines: the %zu machines with most failures; "
		     "one bar: %lld min."),
		nbest, t->bucket_len / 60);
	fprintf(f, "</p></figure>\n");
}

/* The most pressing kinds first (an attack in progress), then by time. */
static int alert_rank(enum bhxh_alert_kind k)
{
	static const int rank[BHXH_ALERT_KINDS] = {
		[BHXH_ALERT_SPRAY] = 0,	       [BHXH_ALERT_SPREAD] = 1,
		[BHXH_ALERT_LOCK_STORM] = 2,     [BHXH_ALERT_PW_REJECTIONS] = 3,
		[BHXH_ALERT_REVOKED_LOGIN] = 4, [BHXH_ALERT_EXPIRED_LOGIN] = 5,
	};

	return (unsigned)k < BHXH_ALERT_KINDS ? rank[k] : BHXH_ALERT_KINDS;
}

static int cmp_alert(const void *a, const void *b)
{
	const struct bhxh_report_alert *const *x = a, *const *y = b;
	int rx = alert_rank((*x)->kind), ry = alert_rank((*y)->kind);

	if (rx != ry)
		return rx - ry;
	return (*x)->first < (*y)->first ? -1 : (*x)->first > (*y)->first;
}

/* Rows of the alerts table; more are counted under it. */
#define HTML_ALERTS_MAX 500

static void alerts_table(FILE *f, struct bhxh_report *rep)
{
	size_t n = bhxh_report_nalerts(rep);
	const struct bhxh_report_alert **v;
	char text[2048], t1[40], t2[40];

	heading(f, _("Alerts"));
	if (n == 0) {
		fprintf(f, "<p class=\"none\">");
		esc(f, _("none"));
		fprintf(f, "</p>\n");
		return;
	}
	fprintf(f, "<table class=\"alerts\"><thead><tr><th>");
	esc(f, _("Alert"));
	fprintf(f, "</th><th>");
	esc(f, _("From"));
	fprintf(f, "</th><th>");
	esc(f, _("To"));
	fprintf(f, "</th><th>");
	esc(f, _("Machines"));
	fprintf(f, "</th></tr></thead><tbody>\n");
	v = calloc(n, sizeof(*v));
	if (v == NULL) {
		fprintf(f, "</tbody></table>\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = bhxh_report_alert(rep, i);
	qsort(v, n, sizeof(*v), cmp_alert);
	for (size_t i = 0; i < n && i < HTML_ALERTS_MAX; i++) {
		const struct bhxh_report_alert *a = v[i];

		report_alert_text(a, text, sizeof(text));
		fprintf(f, "<tr class=\"%s\"><td>", bhxh_alert_kind_name(a->kind));
		esc(f, text);
		fprintf(f, "</td><td>%s</td><td>%s</td><td>",
			report_time_str(a->first, false, t1, sizeof(t1)),
			report_time_str(a->last, false, t2, sizeof(t2)));
		for (size_t k = 0; k < a->nhosts && k < 8; k++) {
			fprintf(f, "%s", k ? ", " : "");
			esc(f, a->hosts[k]);
		}
		fprintf(f, "%s</td></tr>\n", a->nhosts > 8 ? ", &hellip;" : "");
	}
	fprintf(f, "</tbody></table>\n");
	if (n > HTML_ALERTS_MAX) {
		fprintf(f, "<p class=\"note\">");
		fprintf(f, _("%zu more alerts: see bhxhctl report --json."), n - HTML_ALERTS_MAX);
		fprintf(f, "</p>\n");
	}
	free(v);
}

static int cmp_expiry(const void *a, const void *b)
{
	const struct bhxh_report_entry *const *x = a, *const *y = b;
	int c = strcmp((*x)->expires, (*y)->expires);

	return c ? c : strcmp((*x)->name, (*y)->name);
}

static void expiring_table(FILE *f, struct bhxh_report *rep, size_t top)
{
	const struct bhxh_report_entry *e, **v;
	size_t n = bhxh_report_users(rep, &e), k = 0;

	heading(f, _("Passwords expiring soon (announced at login)"));
	v = calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; v != NULL && i < n; i++)
		if (e[i].expires[0] != '\0')
			v[k++] = &e[i];
	if (k == 0) {
		fprintf(f, "<p class=\"none\">");
		esc(f, _("none"));
		fprintf(f, "</p>\n");
		free(v);
		return;
	}
	qsort(v, k, sizeof(*v), cmp_expiry);
	fprintf(f, "<table><thead><tr><th>");
	esc(f, _("Account"));
	fprintf(f, "</th><th>");
	esc(f, _("Expires"));
	fprintf(f, "</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < k && i < top * 5; i++) {
		fprintf(f, "<tr><td>");
		esc(f, v[i]->name);
		fprintf(f, "</td><td>");
		esc(f, v[i]->expires);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
	free(v);
}

/* The machines whose logins reported a posture finding. */
static void posture_table(FILE *f, struct bhxh_report *rep)
{
	const struct bhxh_report_entry *e;
	size_t n = bhxh_report_hosts(rep, &e);
	bool any = false;

	heading(f, _("Machines out of posture"));
	for (size_t i = 0; i < n; i++) {
		const uint64_t *p = e[i].st.posture;

		if (p[0] + p[1] + p[2] == 0)
			continue;
		if (!any) {
			fprintf(f, "<table class=\"posture\"><thead><tr><th>");
			esc(f, _("Machine"));
			fprintf(f, "</th><th>");
			esc(f, _("Antivirus not running"));
			fprintf(f, "</th><th>");
			esc(f, _("Signatures out of date"));
			fprintf(f, "</th><th>");
			esc(f, _("Wireless interface active"));
			fprintf(f, "</th></tr></thead><tbody>\n");
			any = true;
		}
		fprintf(f, "<tr><td>");
		esc(f, e[i].name);
		fprintf(f, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			   "<td class=\"n\">%llu</td></tr>\n",
			U(p[0]), U(p[1]), U(p[2]));
	}
	if (any) {
		fprintf(f, "</tbody></table>\n<p class=\"note\">");
		esc(f, _("Logins that saw each finding (pam_bhxh(8), LOGIN POSTURE)."));
		fprintf(f, "</p>\n");
	} else {
		fprintf(f, "<p class=\"none\">");
		esc(f, _("none"));
		fprintf(f, "</p>\n");
	}
}

static const char css[] =
	"body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}"
	"h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}"
	"figure{margin:16px 0}figcaption{font-weight:bold;margin-bottom:6px}"
	"svg text{font-family:sans-serif;font-size:12px;fill:#222}"
	"table{border-collapse:collapse;font-size:13px}"
	"th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}"
	"th{background:#eef}td.n{text-align:right}"
	"tr.password_spraying td,tr.account_failing_on_many_hosts td{background:#fdecea}"
	"tr.lock_storm td{background:#fef5e7}"
	"tr.revoked_account_login td,tr.expired_account_login td{background:#f4ecf7}"
	".none,.note{color:#666;font-size:13px}";

int report_html(struct bhxh_report *rep, FILE *f, const struct report_html_opts *o)
{
	const struct bhxh_report_totals *t = bhxh_report_totals(rep);
	const struct bhxh_report_entry *e;
	size_t nu, nh, top = o->top < 50 ? o->top : 50, k;
	struct bar *bars;
	char t1[40];

	bind_textdomain_codeset(PACKAGE, "UTF-8");
	bars = calloc(top + BHXH_REPORT_REASONS + 2, sizeof(*bars));
	if (bars == NULL)
		return -ENOMEM;
	/* TRANSLATORS: the language code of the report page (HTML lang=) */
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
		_("en"));
	esc(f, o->title ? o->title : _("Fleet authentication report"));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
	esc(f, o->title ? o->title : _("Fleet authentication report"));
	fprintf(f, "</h1>\n<p>");
	nh = bhxh_report_hosts(rep, &e);
	nu = bhxh_report_users(rep, &e);
	fprintf(f, _("%llu records from %zu machines, %zu accounts; %llu failed logins, %llu locks, "
		     "%llu password changes, %llu passwords refused."),
		U(t->records), nh, nu, U(t->all.auth_failures), U(t->all.locks),
		U(t->all.password_changes), U(t->all.password_rejections));
	fprintf(f, "</p>\n");
	alerts_table(f, rep);

	heading(f, _("Failed logins"));
	time_chart(f, rep, top);
	top_chart(f, rep, bhxh_report_users, get_failures, top, bars,
		  _("Accounts with most failed logins"), "#c0392b");
	top_chart(f, rep, bhxh_report_sources, get_src_failures, top, bars,
		  _("Sources with most failed logins"), "#b9770e");

	heading(f, _("Locks"));
	top_chart(f, rep, bhxh_report_users, get_locks, top, bars, _("Accounts locked most often"),
		  "#7d3c98");
	top_chart(f, rep, bhxh_report_hosts, get_locks, top, bars, _("Machines with most locks"),
		  "#2471a3");

	heading(f, _("Password changes"));
	k = 0;
	if (t->all.password_changes > 0)
		bars[k++] = (struct bar){ _("changed"), t->all.password_changes };
	for (size_t i = 0; t->all.reasons != NULL && i < BHXH_REPORT_REASONS &&
			   t->all.reasons[i].name[0];
	     i++)
		bars[k++] = (struct bar){ t->all.reasons[i].name, t->all.reasons[i].count };
	if (t->all.reasons_other > 0)
		bars[k++] = (struct bar){ _("other"), t->all.reasons_other };
	bar_chart(f, _("Password changes, and refusals by reason"), bars, k, "#229954");

	expiring_table(f, rep, top);
	posture_table(f, rep);
	fprintf(f, "<p class=\"note\">");
	fprintf(f, _("Generated by bhxhctl %s on %s."), PACKAGE_VERSION,
		report_time_str(o->now, false, t1, sizeof(t1)));
	fprintf(f, "</p>\n</body>\n</html>\n");
	free(bars);
	return ferror(f) ? -EIO : 0;
}
