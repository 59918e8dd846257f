/* Time arguments of bhxhctl report (--since/--until): ISO 8601 and the
 * forms ausearch and aureport accept.  Pure: "now" is passed in. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "report_time.h"
#include "util.h"

/* ---- time arguments -------------------------------------------------- */

static long long local_midnight(long long t, int days_back, int align)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return t;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= days_back;
	if (align == 1) /* week: back to Sunday, as ausearch in the C locale */
		tm.tm_mday -= tm.tm_wday;
	else if (align == 2)
		tm.tm_mday = 1;
	else if (align == 3) {
		tm.tm_mday = 1;
		tm.tm_mon = 0;
	}
	tm.tm_isdst = -1;
	return (long long)mktime(&tm);
}

/* n digits exactly into *v */
static const char *digits(const char *p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return NULL;
		*v = *v * 10 + (p[i] - '0');
	}
	return p + n;
}

/* "HH:MM" or "HH:MM:SS" at p; returns the end or NULL */
static const char *parse_hms(const char *p, struct tm *tm)
{
	int h, m, s = 0;

	if ((p = digits(p, 2, &h)) == NULL || *p++ != ':' || (p = digits(p, 2, &m)) == NULL)
		return NULL;
	if (*p == ':' && (p = digits(p + 1, 2, &s)) == NULL)
		return NULL;
	if (h > 23 || m > 59 || s > 60)
		return NULL;
	tm->tm_hour = h;
	tm->tm_min = m;
	tm->tm_sec = s;
	return p;
}

static bool valid_date(int y, int mo, int d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] &&
	       !(mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

int bhxh_report_parse_time(const char *date, const char *tod, long long now, long long *ret)
{
	static const struct {
		const char *word;
		int days_back, align;
	} words[] = {
		{ "today", 0, 0 },    { "yesterday", 1, 0 },  { "this-week", 0, 1 },
		{ "week-ago", 7, 0 }, { "this-month", 0, 2 }, { "this-year", 0, 3 },
	};
	struct tm tm;
	const char *p;
	int y, mo, d, zone_sign = 0, zh = 0, zm = 0;
	long long t;

	if (date == NULL)
		return -EINVAL;
	if (tod == NULL) {
		if (strcmp(date, "now") == 0) {
			*ret = now;
			return 0;
		}
		if (strcmp(date, "recent") == 0) {
			*ret = now - 600;
			return 0;
		}
		for (size_t i = 0; i < BHXH_ARRAY_SIZE(words); i++)
			if (strcmp(date, words[i].word) == 0) {
				*ret = local_midnight(now, words[i].days_back, words[i].align);
				return 0;
			}
	}
	memset(&tm, 0, sizeof(tm));
	if ((p = digits(date, 4, &y)) != NULL && *p == '-') {
		/* ISO 8601 */
		if ((p = digits(p + 1, 2, &mo)) == NULL || *p++ != '-' ||
		    (p = digits(p, 2, &d)) == NULL)
			return -EINVAL;
		if (*p == 'T' || *p == ' ') {
			if ((p = parse_hms(p + 1, &tm)) == NULL)
				return -EINVAL;
			if (*p == '.') /* fractions of a second are ignored */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
			if (*p == 'Z') {
				zone_sign = 1;
				p++;
			} else if (*p == '+' || *p == '-') {
				zone_sign = *p == '+' ? 1 : -1;
				if ((p = digits(p + 1, 2, &zh)) == NULL)
					return -EINVAL;
				if (*p == ':')
					p++;
				if (*p != '\0' && (p = digits(p, 2, &zm)) == NULL)
					return -EINVAL;
				if (zh > 14 || zm > 59)
					return -EINVAL;
			}
		}
		if (*p != '\0')
			return -EINVAL;
	} else {
		/* auditd's MM/DD/YYYY or MM/DD/YY, with the time in the same
		 * argument or the next one */
		const char *sp = strchr(date, ' ');
		size_t n = sp ? (size_t)(sp - date) : strlen(date);

		if (sp != NULL) {
			if (tod != NULL)
				return -EINVAL;
			tod = sp + 1;
		}

		if ((p = digits(date, 2, &mo)) == NULL || *p++ != '/' ||
		    (p = digits(p, 2, &d)) == NULL || *p++ != '/')
			return -EINVAL;
		if (n == 10) {
			if ((p = digits(p, 4, &y)) == NULL)
				return -EINVAL;
		} else if (n == 8) {
			if ((p = digits(p, 2, &y)) == NULL)
				return -EINVAL;
			y += y < 70 ? 2000 : 1900;
		} else
			return -EINVAL;
	}
	if (!valid_date(y, mo, d))
		return -EINVAL;
	if (tod != NULL) {
		if (zone_sign != 0 || (p = parse_hms(tod, &tm)) == NULL || *p != '\0')
			return -EINVAL;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	if (zone_sign != 0) {
		t = (long long)timegm(&tm);
		t -= zone_sign * (zh * 3600LL + zm * 60LL);
	} else {
		tm.tm_isdst = -1;
		t = (long long)mktime(&tm);
	}
	if (t == -1)
		return -EINVAL;
	*ret = t;
	return 0;
}
