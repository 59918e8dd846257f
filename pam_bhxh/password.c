/* Password phase: strength and history (pw area). */
#include "config.h"

#include "glue.h"

int bhxh_pam_password(struct bhxh_pam *ctx)
{
	(void)ctx;
	return PAM_IGNORE;
}
