/* gettext for the module, the CLI and the library: always our own text
 * domain, because a PAM module runs inside someone else's program. */
#ifndef BHXH_I18N_H
#define BHXH_I18N_H

#include <libintl.h>

#define _(s) bhxh_gettext(s)
#define N_(s) (s)
#define P_(s, p, n) bhxh_ngettext(s, p, n)

/* bindtextdomain() once per process (util.c). */
void bhxh_i18n_init(void);

/* dgettext/dngettext in this thread's message language (i18n.c). */
const char *bhxh_gettext(const char *s) __attribute__((format_arg(1)));
const char *bhxh_ngettext(const char *s, const char *p, unsigned long n)
	__attribute__((format_arg(1))) __attribute__((format_arg(2)));

/* Choose this thread's message language without changing the program's
 * locale: lang "vi" (Vietnamese: the vi_VN.UTF-8 locale must exist), "en"
 * (the untranslated English), "auto" (the first set of the given LC_ALL,
 * LC_MESSAGES, LANG values, normally the PAM environment's; none set: the
 * program's own locale).  Returns 0, or -ENOENT when the locale does not
 * exist on this machine (then the program's locale is used). */
int bhxh_i18n_set(const char *lang, const char *lc_all, const char *lc_messages,
		  const char *lang_env);

#endif
