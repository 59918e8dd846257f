/* gettext for the module, the CLI and the library: always our own text
 * domain, because a PAM module runs inside someone else's program. */
#ifndef BHXH_I18N_H
#define BHXH_I18N_H

#include <libintl.h>

#define _(s) dgettext(PACKAGE, s)
#define N_(s) (s)
#define P_(s, p, n) dngettext(PACKAGE, s, p, n)

/* bindtextdomain() once per process. */
void bhxh_i18n_init(void);

#endif
