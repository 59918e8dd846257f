/* Session phase: audit of session open and close (audit area). */
#include "config.h"

#include "glue.h"

int bhxh_pam_session(struct bhxh_pam *ctx, bool open)
{
	(void)ctx;
	(void)open;
	return PAM_SUCCESS;
}
