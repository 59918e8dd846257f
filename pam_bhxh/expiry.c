/* Account phase: password aging, inactivity (the expiry area). */
#include "config.h"

#include "glue.h"

int bhxh_pam_expiry_account(struct bhxh_pam *ctx)
{
	(void)ctx;
	return PAM_SUCCESS;
}

void bhxh_pam_expiry_auth_success(struct bhxh_pam *ctx)
{
	(void)ctx;
}
