/* Helpers shared by the fuzz harnesses (header only: each harness is one
 * small file plus this).  Harnesses use only the public functions of the lib/ headers;
 * where a parser takes a path, the input is written to a file in a private
 * scratch directory first (a memfd's /proc path is a symlink, which every
 * O_NOFOLLOW open refuses).
 *
 * The scratch directory is made once per process (mkdtemp under $TMPDIR or
 * /tmp, 0700) and removed at exit. */
#ifndef BHXH_FUZZ_COMMON_H
#define BHXH_FUZZ_COMMON_H

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c)                                                                     \
	do {                                                                               \
		if (!(c)) {                                                                \
			fprintf(stderr, "fuzz assertion failed: %s (%s:%d)\n", #c,         \
				__FILE__, __LINE__);                                       \
			abort();                                                           \
		}                                                                          \
	} while (0)

static char fuzz_scratch[256];

/* Remove every entry of dir, one level of subdirectories included. */
static inline void fuzz_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char sub[4096];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub))
			continue;
		if (unlink(sub) < 0) {
			fuzz_empty_dir(sub);
			(void)rmdir(sub);
		}
	}
	closedir(d);
}

static inline void fuzz_cleanup(void)
{
	if (fuzz_scratch[0] != '\0') {
		fuzz_empty_dir(fuzz_scratch);
		(void)rmdir(fuzz_scratch);
	}
}

/* The private scratch directory (created on first use). */
static inline const char *fuzz_dir(void)
{
	if (fuzz_scratch[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		snprintf(fuzz_scratch, sizeof(fuzz_scratch), "%s/bhxh-fuzz.XXXXXX",
			 tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
		if (mkdtemp(fuzz_scratch) == NULL) {
			perror("mkdtemp");
			abort();
		}
		atexit(fuzz_cleanup);
	}
	return fuzz_scratch;
}

/* Write data to DIR/name (dir NULL: the scratch directory), mode 0600;
 * returns the path in a static buffer. */
static inline const char *fuzz_write(const char *dir, const char *name, const void *data, size_t len)
{
	static char path[4096];
	size_t done = 0;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : fuzz_dir(), name) >=
	    (int)sizeof(path))
		abort();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (done < len) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		if (n <= 0) {
			perror(path);
			abort();
		}
		done += (size_t)n;
	}
	close(fd);
	return path;
}

/* Split data at each sep byte into at most max NUL-terminated copies, each
 * allocated to its exact length (so ASan sees any overread); the last part
 * takes the rest.  Parts not present are empty strings.  Free with
 * fuzz_free_parts. */
static inline void fuzz_split(const uint8_t *data, size_t size, uint8_t sep, char **parts, size_t max)
{
	size_t start = 0, k = 0;

	for (size_t i = 0; i <= size && k < max; i++) {
		if (i < size && (data[i] != sep || k == max - 1))
			continue;
		parts[k] = malloc(i - start + 1);
		if (parts[k] == NULL)
			abort();
		memcpy(parts[k], data + start, i - start);
		parts[k][i - start] = '\0';
		k++;
		start = i + 1;
	}
	for (; k < max; k++) {
		parts[k] = calloc(1, 1);
		if (parts[k] == NULL)
			abort();
	}
}

static inline void fuzz_free_parts(char **parts, size_t max)
{
	for (size_t k = 0; k < max; k++)
		free(parts[k]);
}

#endif
