/* Account phase: accounts revoked in the central directory (dir area). */
#include "config.h"

#include "glue.h"

int bhxh_pam_dir_account(struct bhxh_pam *ctx)
{
	(void)ctx;
	return PAM_SUCCESS;
}
