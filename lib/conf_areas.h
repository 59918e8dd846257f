/* Per-area configuration structures.  Each area owns its own header so that
 * areas can grow independently; struct bhxh_conf (conf.h) embeds them all. */
#ifndef BHXH_CONF_AREAS_H
#define BHXH_CONF_AREAS_H

#include "util.h"

#define BHXH_NAME_MAX_CONF BHXH_NAME_MAX

#include "conf_audit.h"
#include "conf_pw.h"
#include "conf_expiry.h"
#include "conf_dir.h"
#include "conf_posture.h"
#include "conf_report.h"
#include "conf_ldap.h"
#include "conf_dirpw.h"

#endif
