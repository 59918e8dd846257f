/* Audit glue: what the audit area adds to glue.h. */
#ifndef BHXH_AUDIT_GLUE_H
#define BHXH_AUDIT_GLUE_H

#include "glue.h"

/* The start of an authentication attempt (preauth): with audit_standard,
 * pam_bhxh writes at most one USER_AUTH record per attempt. */
void bhxh_pam_audit_begin(struct bhxh_pam *ctx);

/* At the start of every call: the handle's audit socket is opened and the
 * kernel asked for its audit status, without waiting; the answer is read
 * with the first record, after the phase has done its work. */
void bhxh_pam_audit_prepare(struct bhxh_pam *ctx);

#endif
