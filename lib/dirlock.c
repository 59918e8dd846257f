/* The lock queue of the fleet-wide lockout (see dirlock.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlock.h"
#include "util.h"

int bhxh_dirlock_queue(const char *qdir, const char *user, bool lock, long long when)
{
	char tmp[BHXH_NAME_MAX + 16], line[BHXH_DIRLOCK_LINE_MAX];
	int dfd, n, r;

	if (!bhxh_valid_username(user))
		return -EINVAL;
	dfd = bhxh_open_state_dir(qdir, true);
	if (dfd < 0)
		return dfd;
	n = lock ? snprintf(line, sizeof(line), "lock %lld\n", when)
		 : snprintf(line, sizeof(line), "unlock\n");
	snprintf(tmp, sizeof(tmp), ".%s.tmp", user);
	r = bhxh_replace_file(dfd, tmp, user, line, (size_t)n, 0600, true);
	(void)close(dfd);
	return r;
}

int bhxh_dirlock_parse(const char *text, size_t len, bool *ret_lock, long long *ret_when)
{
	char buf[BHXH_DIRLOCK_LINE_MAX];
	uint64_t v;

	if (len == 0 || len >= sizeof(buf))
		return -EBADMSG;
	memcpy(buf, text, len);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, "unlock") == 0) {
		*ret_lock = false;
		*ret_when = 0;
		return 0;
	}
	if (strncmp(buf, "lock ", 5) != 0 || bhxh_parse_uint(buf + 5, 1, INT64_MAX, &v) < 0)
		return -EBADMSG;
	*ret_lock = true;
	*ret_when = (long long)v;
	return 0;
}
