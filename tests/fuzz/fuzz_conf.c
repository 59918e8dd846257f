/* Fuzz target: the configuration (lib/conf.c and the area option tables).
 *
 * Input: FILE \0 ARGS.  FILE is written to a scratch file and read by
 * bhxh_conf_load() through a conf= argument; ARGS is split at newlines into
 * module arguments (those naming another conf= file are dropped, so every
 * run reads only its own input).  Each argument is also applied alone to
 * fresh defaults, so arguments are reached even when the file is refused.
 * FILE is also read as the peers' files: as faillock.conf (the same reader,
 * pam_faillock's keys) and as pwquality.conf (lib/conf_pw.c's reader). */
#include "config.h"

#include "fuzz_common.h"

#include "conf.h"

#define ARGS_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bhxh_conf c;
	char *parts[2], *argv[ARGS_MAX + 1], *save = NULL, conf_arg[4200];
	const char *path;
	char err[BHXH_ERR_MAX];
	int argc = 0;

	fuzz_split(data, size, '\0', parts, 2);
	path = fuzz_write(NULL, "bhxh.conf", parts[0], strlen(parts[0]));
	snprintf(conf_arg, sizeof(conf_arg), "conf=%s", path);
	argv[argc++] = conf_arg;
	for (char *a = strtok_r(parts[1], "\n", &save); a != NULL && argc <= ARGS_MAX;
	     a = strtok_r(NULL, "\n", &save))
		if (strncmp(a, "conf", 4) != 0)
			argv[argc++] = a;

	(void)bhxh_conf_load(&c, argc, (const char **)argv, err, sizeof(err));
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
	bhxh_conf_init(&c);
	err[0] = '\0';
	(void)bhxh_conf_load_peer(&c, path, BHXH_SCOPE_FAILLOCK, err, sizeof(err));
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
	{
		char pwq_arg[4200];
		const char *pwq_argv[1] = { pwq_arg };

		snprintf(pwq_arg, sizeof(pwq_arg), "pwquality_conf=%s", path);
		bhxh_conf_init(&c);
		err[0] = '\0';
		(void)bhxh_conf_load_pw(&c, 1, pwq_argv, err, sizeof(err));
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
	}
	for (int i = 1; i < argc; i++) {
		bhxh_conf_init(&c);
		err[0] = '\0';
		(void)bhxh_conf_apply(&c, argv[i], BHXH_SCOPE_ARG, NULL, err, sizeof(err));
		(void)bhxh_conf_apply(&c, argv[i], BHXH_SCOPE_FILE, "fuzz:1", err, sizeof(err));
	}
	fuzz_free_parts(parts, 2);
	return 0;
}
