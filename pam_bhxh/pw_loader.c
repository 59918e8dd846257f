/* The password phase, loaded on demand.
 *
 * pam_sm_chauthtok is the only phase that needs libpwquality, libcrack and
 * libcrypt.  They live in a separate object, pam_bhxh_password.so, in a
 * private directory (PKGLIBDIR, chosen by configure: $libdir/pam_bhxh), so
 * that every login (auth, account, session) maps none of them: dlopen of a
 * PAM module with those dependencies costs a few hundred microseconds per
 * handle (BENCHMARKS.md).  The object is opened here, checked (a regular
 * file owned by root or by us, not writable by group or others), called
 * with this module's glue (audit and messages) and kept loaded.
 *
 * When it cannot be loaded the change is refused (fail closed), logged and
 * audited with reason=module_unavailable.
 *
 * Run from a libtool build tree (pam_bhxh.so itself loaded from a ".libs"
 * directory: make check, never an installed system), the object is taken
 * from beside the module when PKGLIBDIR has none, so that the tests of a
 * build without --enable-test-hooks find it too. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "glue.h"

#ifndef PKGLIBDIR
#define PKGLIBDIR "/usr/lib/pam_bhxh"
#endif
#define PW_OBJECT PKGLIBDIR "/pam_bhxh_password.so"
#define PW_ENTRY "bhxh_pw_phase_v2"

typedef int pw_entry_fn(struct bhxh_pam *ctx, size_t ctx_size, int argc, const char **argv);

static const struct bhxh_pam_ops glue_ops = {
	.audit = bhxh_pam_audit,
	.say = bhxh_pam_vsay,
	.user_is_local = bhxh_pam_user_is_local,
};

/* The object beside pam_bhxh.so when that is a libtool build tree's
 * ".libs" directory; NULL otherwise. */
static const char *build_tree_path(char *buf, size_t len)
{
	Dl_info di;
	const char *slash;
	int n;

	if (dladdr((void *)bhxh_pam_password, &di) == 0 || di.dli_fname == NULL)
		return NULL;
	slash = strrchr(di.dli_fname, '/');
	if (slash == NULL || slash - di.dli_fname < 6 || strncmp(slash - 6, "/.libs", 6) != 0)
		return NULL;
	n = snprintf(buf, len, "%.*s/pam_bhxh_password.so", (int)(slash - di.dli_fname),
		     di.dli_fname);
	return n > 0 && (size_t)n < len ? buf : NULL;
}

static const char *object_path(char *buf, size_t len)
{
	const char *p;

#ifdef BHXH_TESTING
	/* Test builds only: an explicit object (or none) for the tests. */
	p = secure_getenv("BHXH_TEST_PWMOD");
	if (p != NULL && p[0] == '/')
		return p;
#endif
	if (access(PW_OBJECT, F_OK) < 0 && errno == ENOENT &&
	    (p = build_tree_path(buf, len)) != NULL)
		return p;
	return PW_OBJECT;
}

/* The file dlopen() will map: regular, owned by root or by us, not
 * writable by group or others.  0 or -errno. */
static int object_ok(const char *path)
{
	struct stat st;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022) != 0)
		r = -EPERM;
	close(fd);
	return r;
}

int bhxh_pam_password(struct bhxh_pam *ctx, int argc, const char **argv)
{
	char buf[PATH_MAX];
	const char *path = object_path(buf, sizeof(buf));
	pw_entry_fn *entry;
	void *h;
	int r;

	r = object_ok(path);
	if (r < 0) {
		bhxh_log(ctx, LOG_ERR, "password phase %s unusable: %s; refusing", path,
			 strerror(-r));
		goto fail;
	}
	/* RTLD_NODELETE: stays mapped for the life of the process (libcrack
	 * and libpwquality are not written to be unloaded and reloaded). */
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (h == NULL) {
		const char *e = dlerror();

		bhxh_log(ctx, LOG_ERR, "cannot load the password phase %s: %s; refusing", path,
			 e ? e : "?");
		goto fail;
	}
	*(void **)&entry = dlsym(h, PW_ENTRY);
	if (entry == NULL) {
		bhxh_log(ctx, LOG_ERR, "%s has no %s (another version?); refusing", path, PW_ENTRY);
		dlclose(h);
		goto fail;
	}
	ctx->ops = &glue_ops;
	r = entry(ctx, sizeof(*ctx), argc, argv);
	dlclose(h); /* the reference only: RTLD_NODELETE keeps it mapped */
	return r;
fail:
	(void)bhxh_pam_audit(ctx, BHXH_AUDIT_DECISION, "PAM:bhxh_chauthtok", "module_unavailable",
			     NULL, false);
	return PAM_SERVICE_ERR;
}
