/* Standalone driver for the fuzz harnesses, for builds without libFuzzer
 * (gcc, make check): runs LLVMFuzzerTestOneInput once on every file named on
 * the command line, or on every regular file in a directory named there.
 * make check replays the committed seed corpora (and the inputs of fixed
 * crashes) this way, under the sanitizers in the sanitize build. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *p = realloc(buf, cap ? 2 * cap : 4096);

			if (p == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
			cap = cap ? 2 * cap : 4096;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	/* an exact-size copy, so that an overread is caught */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned runs = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 2;
		}
		if (S_ISDIR(st.st_mode)) {
			struct dirent **list;
			int n = scandir(argv[i], &list, NULL, alphasort);

			if (n < 0) {
				perror(argv[i]);
				return 2;
			}
			for (int k = 0; k < n; k++) {
				char path[4096];

				if (list[k]->d_name[0] != '.') {
					snprintf(path, sizeof(path), "%s/%s", argv[i], list[k]->d_name);
					if (run_file(path) < 0)
						return 2;
					runs++;
				}
				free(list[k]);
			}
			free(list);
		} else {
			if (run_file(argv[i]) < 0)
				return 2;
			runs++;
		}
	}
	printf("%s: %u inputs replayed\n", argv[0], runs);
	return 0;
}
