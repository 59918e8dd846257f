/* Session phase: audit of session open and close (audit area).  libpam
 * writes USER_START / USER_END itself; pam_bhxh adds its decision record
 * naming the service, terminal and remote host, so that a review finds the
 * whole login in one search (ausearch -m TRUSTED_APP -ua ...). */
#include "config.h"

#include "glue.h"

int bhxh_pam_session(struct bhxh_pam *ctx, bool open)
{
	int r = bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION,
			       open ? "PAM:bhxh_session_open" : "PAM:bhxh_session_close",
			       open ? "session_open" : "session_close", NULL, true);

	/* audit_unavailable=deny refuses to open an unaudited session; a
	 * session that is already open is always allowed to close */
	return open ? r : PAM_SUCCESS;
}
