/* Options of the posture area. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

#define POST(f) offsetof(struct bhxh_conf, posture.f)
#define POST_SIZE(f) sizeof(((struct bhxh_conf *)0)->posture.f)

static int parse_policy(const char *v, unsigned *ret, char *err, size_t errlen)
{
	if (v != NULL && strcmp(v, "off") == 0)
		*ret = BHXH_POSTURE_OFF;
	else if (v != NULL && strcmp(v, "warn") == 0)
		*ret = BHXH_POSTURE_WARN;
	else if (v != NULL && strcmp(v, "deny") == 0)
		*ret = BHXH_POSTURE_DENY;
	else {
		snprintf(err, errlen, "expects off, warn or deny, not '%.64s'", v ? v : "");
		return -EINVAL;
	}
	return 0;
}

static int opt_posture_av(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return parse_policy(v, &c->posture.av, e, l);
}

static int opt_posture_wifi(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	return parse_policy(v, &c->posture.wifi, e, l);
}

/* A process name as the kernel shows it in /proc/PID/comm: 1 to 15 bytes,
 * no '/' and no control characters. */
static int opt_posture_av_process(struct bhxh_conf *c, const char *v, char *e, size_t l)
{
	size_t n = v != NULL ? strlen(v) : 0;

	if (n == 0 || n > BHXH_COMM_MAX) {
		snprintf(e, l, "needs a process name of 1 to %d bytes", BHXH_COMM_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i] == '/' || (unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			snprintf(e, l, "'%.64s' is not a process name", v);
			return -EINVAL;
		}
	memcpy(c->posture.av_process, v, n + 1);
	return 0;
}

/* The custom options' functions, by .fn - 1 (conf.h: no pointer in a table) */
enum {
	FN_opt_posture_av = 1,
	FN_opt_posture_av_process,
	FN_opt_posture_wifi,
};

static const bhxh_opt_fn fns[] = {
	[FN_opt_posture_av - 1] = opt_posture_av,
	[FN_opt_posture_av_process - 1] = opt_posture_av_process,
	[FN_opt_posture_wifi - 1] = opt_posture_wifi,
};

static const struct bhxh_opt opts[] = {
	{ .name = "posture_av", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY,
	  .fn = FN_opt_posture_av },
	{ .name = "posture_av_process", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY,
	  .fn = FN_opt_posture_av_process },
	{ .name = "posture_av_pidfile", .type = BHXH_OPT_PATH, .offset = POST(av_pidfile),
	  .size = POST_SIZE(av_pidfile), .scope = BHXH_SCOPE_ANY },
	{ .name = "posture_av_db", .type = BHXH_OPT_PATH, .offset = POST(av_db),
	  .size = POST_SIZE(av_db), .scope = BHXH_SCOPE_ANY },
	{ .name = "posture_av_max_age_days", .type = BHXH_OPT_UINT,
	  .offset = POST(av_max_age_days), .min = 1, .max = 36500, .scope = BHXH_SCOPE_ANY },
	{ .name = "posture_wifi", .type = BHXH_OPT_CUSTOM, .scope = BHXH_SCOPE_ANY,
	  .fn = FN_opt_posture_wifi },
	{ .name = "" },
};

const struct bhxh_opt_table bhxh_opts_posture = { opts, fns, BHXH_ARRAY_SIZE(fns) };

void bhxh_conf_init_posture(struct bhxh_conf *c)
{
	c->posture.av = BHXH_POSTURE_WARN;
	c->posture.wifi = BHXH_POSTURE_WARN;
	c->posture.av_max_age_days = 7;
}
