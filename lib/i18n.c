/* Messages in the user's language without touching the program's locale
 * (see i18n.h).  A PAM module runs inside login, sshd, sudo, a screen
 * locker: it must not call setlocale(), and sshd never does, so remote
 * users would always read English.  Instead each thread that runs the
 * module may carry its own LC_MESSAGES locale object (newlocale), switched
 * in with uselocale() around each catalogue lookup only. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "i18n.h"

/* The language chosen for this thread's messages, (locale_t)0 for the
 * program's own.  Thread-local, so concurrent PAM handles in one program
 * (a multi-threaded server) never see each other's language. */
static __thread locale_t msg_locale;

/* The catalogue is bound at the first message, not at every PAM call: most
 * calls (a login that succeeds, a silent failure) show none. */
const char *bhxh_gettext(const char *s)
{
	locale_t old;
	const char *r;

	bhxh_i18n_init();
	if (msg_locale == (locale_t)0)
		return dgettext(PACKAGE, s);
	old = uselocale(msg_locale);
	r = dgettext(PACKAGE, s);
	(void)uselocale(old);
	return r;
}

const char *bhxh_ngettext(const char *s, const char *p, unsigned long n)
{
	locale_t old;
	const char *r;

	bhxh_i18n_init();
	if (msg_locale == (locale_t)0)
		return dngettext(PACKAGE, s, p, n);
	old = uselocale(msg_locale);
	r = dngettext(PACKAGE, s, p, n);
	(void)uselocale(old);
	return r;
}

/* The module is unloaded at pam_end(): free the calling thread's locale
 * object then (the thread that ran the module, in the usual case), so a
 * login program that loads and unloads the module never accumulates them. */
__attribute__((destructor)) static void free_msg_locale(void)
{
	if (msg_locale != (locale_t)0) {
		freelocale(msg_locale);
		msg_locale = (locale_t)0;
	}
}

static bool set_locale(const char *name)
{
	locale_t l;

	if (name == NULL || *name == '\0' || strlen(name) > 64 || strchr(name, '/') != NULL)
		return false;
	l = newlocale(LC_MESSAGES_MASK, name, (locale_t)0);
	if (l == (locale_t)0)
		return false;
	msg_locale = l;
	return true;
}

static const char *first_set(const char *a, const char *b, const char *c)
{
	if (a != NULL && *a != '\0')
		return a;
	if (b != NULL && *b != '\0')
		return b;
	return c;
}

int bhxh_i18n_set(const char *lang, const char *lc_all, const char *lc_messages,
		  const char *lang_env)
{
	if (msg_locale != (locale_t)0) {
		freelocale(msg_locale);
		msg_locale = (locale_t)0;
	}
	if (lang == NULL || strcmp(lang, "auto") == 0) {
		/* POSIX order: LC_ALL, then LC_MESSAGES, then LANG */
		const char *v = first_set(lc_all, lc_messages, lang_env);

		if (v == NULL || *v == '\0')
			return 0; /* the program's locale */
		return set_locale(v) ? 0 : -ENOENT;
	}
	if (strcmp(lang, "en") == 0)
		return set_locale("C") ? 0 : -ENOENT;
	if (strcmp(lang, "vi") == 0)
		return set_locale("vi_VN.UTF-8") || set_locale("vi_VN.utf8") || set_locale("vi_VN")
			       ? 0 : -ENOENT;
	return -EINVAL;
}
