/* What pam_bhxh keeps for the life of one PAM handle (pam_set_data), so
 * that the several calls of one login -- preauth, authfail or authsucc,
 * the account phase, the session -- parse the configuration file once and
 * ask NSS about the user once:
 *   - the configuration after the file (defaults + conf= + file), keyed by
 *     the conf= arguments; each call applies its own arguments on top;
 *   - the user's passwd lookup, keyed by the user name (PAM_USER may
 *     change between calls; a new name is looked up again).
 * The audit connection is kept the same way (audit_glue.c).  A handle that
 * lives for a whole session (sshd) sees a configuration change at its next
 * handle, as pam_faillock does. */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_modutil.h>

#include "glue.h"

#define CONF_DATA "pam_bhxh_conf_base"
#define USER_DATA "pam_bhxh_user"
#define KEY_MAX (2 * PATH_MAX)

struct conf_base {
	char key[KEY_MAX]; /* the conf= arguments, '\n'-separated */
	struct bhxh_conf base;
};

struct user_cache {
	char name[BHXH_NAME_MAX_CONF + 1];
	bool known;
	uid_t uid;
	gid_t gid;
};

static void free_data(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

/* The conf= arguments, which alone decide the base; false when too long
 * (then nothing is kept). */
static bool conf_key(int argc, const char **argv, char *key)
{
	size_t used = 0;

	key[0] = '\0';
	for (int i = 0; i < argc; i++) {
		size_t n;

		if (strncmp(argv[i], "conf=", 5) != 0)
			continue;
		n = strlen(argv[i]);
		if (used + n + 2 > KEY_MAX)
			return false;
		memcpy(key + used, argv[i], n);
		used += n;
		key[used++] = '\n';
		key[used] = '\0';
	}
	return true;
}

int bhxh_pam_conf_load(pam_handle_t *pamh, struct bhxh_conf *c, int argc, const char **argv,
		       char *err, size_t errlen)
{
	const void *d = NULL;
	struct conf_base *b;
	char key[KEY_MAX];
	bool keyed = conf_key(argc, argv, key);
	int r;

	if (keyed && pam_get_data(pamh, CONF_DATA, &d) == PAM_SUCCESS && d != NULL &&
	    strcmp(((const struct conf_base *)d)->key, key) == 0) {
		*c = ((const struct conf_base *)d)->base;
		return bhxh_conf_load_args(c, argc, argv, err, errlen);
	}
	r = bhxh_conf_load_base(c, argc, argv, err, errlen);
	if (r < 0)
		return r;
	/* keep a copy; without memory, the next call parses again */
	b = keyed ? malloc(sizeof(*b)) : NULL;
	if (b != NULL) {
		memcpy(b->key, key, sizeof(key));
		b->base = *c;
		if (pam_set_data(pamh, CONF_DATA, b, free_data) != PAM_SUCCESS)
			free(b);
	}
	return bhxh_conf_load_args(c, argc, argv, err, errlen);
}

void bhxh_pam_lookup_user(struct bhxh_pam *ctx)
{
	const void *d = NULL;
	struct user_cache *u;
	struct passwd *pw;

	if (pam_get_data(ctx->pamh, USER_DATA, &d) == PAM_SUCCESS && d != NULL &&
	    strcmp(((const struct user_cache *)d)->name, ctx->user) == 0) {
		const struct user_cache *k = d;

		ctx->known = k->known;
		ctx->uid = k->uid;
		ctx->gid = k->gid;
		return;
	}
	/* libpam's helper (it frees its copy at pam_end); it looks up at
	 * every call, hence the cache */
	pw = pam_modutil_getpwnam(ctx->pamh, ctx->user);
	if (pw != NULL) {
		ctx->known = true;
		ctx->uid = pw->pw_uid;
		ctx->gid = pw->pw_gid;
	}
	/* an unknown user is kept too: the same answer for the whole handle
	 * (a name valid for bhxh_valid_username() fits in name) */
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return;
	if (bhxh_strlcpy(u->name, ctx->user, sizeof(u->name)) < 0) {
		free(u);
		return;
	}
	u->known = ctx->known;
	u->uid = ctx->uid;
	u->gid = ctx->gid;
	if (pam_set_data(ctx->pamh, USER_DATA, u, free_data) != PAM_SUCCESS)
		free(u);
}
