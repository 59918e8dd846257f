/* The one shadow reader, shared by the module's account phase and
 * bhxhctl expiry (see expiry.h). */
#include "config.h"

#include <errno.h>
#include <shadow.h>
#include <unistd.h>

#include "expiry.h"

int bhxh_shadow_read(const char *user, struct bhxh_shadow *ret)
{
	struct spwd *sp;
	int e;

	*ret = (struct bhxh_shadow){ .lstchg = -1, .max = -1, .warn = -1, .inact = -1,
				     .expire = -1 };
	errno = 0;
	sp = getspnam(user);
	e = errno;
	if (sp == NULL) {
		if (e != 0 && e != ENOENT && e != ESRCH)
			return -e;
		/* Without root, glibc's files backend cannot open /etc/shadow
		 * and reports "no entry": that must not read as "no aging". */
		return geteuid() == 0 ? -ENOENT : -EACCES;
	}
	/* what the policy needs, never the hash itself */
	ret->lstchg = sp->sp_lstchg;
	ret->max = sp->sp_max;
	ret->warn = sp->sp_warn;
	ret->inact = sp->sp_inact;
	ret->expire = sp->sp_expire;
	ret->has_password = sp->sp_pwdp != NULL && sp->sp_pwdp[0] != '!' && sp->sp_pwdp[0] != '*';
	return 0;
}
