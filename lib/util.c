#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/file.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void bhxh_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void bhxh_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

int bhxh_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (const char *p = s; *p != '\0'; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

bool bhxh_valid_username(const char *name)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strnlen(name, BHXH_NAME_MAX + 1);
	if (len == 0 || len > BHXH_NAME_MAX)
		return false;
	if (name[0] == '-' || name[0] == '.')
		return false; /* also rules out "." and ".." */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c == 0x7f || c == '/' || c == ':' || c == '\\')
			return false;
	}
	return true;
}

int bhxh_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n;

	if (size == 0)
		return -ENAMETOOLONG;
	n = strnlen(src, size);
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int bhxh_open_regular(int dirfd, const char *path, int flags, unsigned mode,
		      struct stat *ret_st)
{
	struct stat st;
	int fd, r;

	fd = openat(dirfd, path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		    (mode_t)mode);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EPERM;
		goto fail;
	}
	if (ret_st != NULL)
		*ret_st = st;
	return fd;
fail:
	(void)close(fd);
	return r;
}

int bhxh_open_state_file(int dirfd, const char *name, int flags, unsigned mode, unsigned forbid,
			 int lock_op, struct stat *ret_st)
{
	struct stat st;
	int fd, r;

	fd = bhxh_open_regular(dirfd, name, flags, mode, &st);
	if (fd < 0)
		return fd;
	/* no second name (a hard link elsewhere); 0 is a file that was
	 * just replaced by a rename, which is fine to read */
	if (st.st_uid != geteuid() || st.st_nlink > 1 || (st.st_mode & forbid) != 0) {
		r = -EPERM;
		goto fail;
	}
	/* wait for another process's lock, but not for ever: a stuck
	 * process must not hang every login of the account */
	if (lock_op != 0 && (r = bhxh_flock_timeout(fd, lock_op, BHXH_LOCK_TIMEOUT_MS)) < 0)
		goto fail;
	if (ret_st != NULL)
		*ret_st = st;
	return fd;
fail:
	(void)close(fd);
	return r;
}

int bhxh_replace_file(int dirfd, const char *tmp, const char *name, const void *buf, size_t len,
		      unsigned mode, bool sync)
{
	int fd, r = 0;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
		    (mode_t)mode);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (fchmod(fd, (mode_t)mode) < 0 || write(fd, buf, len) != (ssize_t)len ||
	    (sync && fsync(fd) < 0))
		r = errno != 0 ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dirfd, tmp, 0);
	return r;
}

int bhxh_flock_timeout(int fd, int op, unsigned timeout_ms)
{
	struct timespec start, now;
	long wait_ns = 1000000; /* 1 ms, doubling up to 32 ms */

	if (clock_gettime(CLOCK_MONOTONIC, &start) < 0)
		return -errno;
	for (;;) {
		struct timespec ts;

		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
			return -errno;
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
		    (long)timeout_ms)
			return -ETIMEDOUT;
		ts.tv_sec = 0;
		ts.tv_nsec = wait_ns;
		(void)nanosleep(&ts, NULL);
		if (wait_ns < 32000000)
			wait_ns *= 2;
	}
}

/* mkdir 0700, creating the parent (/var/lib/bhxh) too when it is missing. */
static int make_state_dir(const char *path)
{
	char parent[PATH_MAX];
	char *slash;

	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	if (bhxh_strlcpy(parent, path, sizeof(parent)) < 0)
		return -ENAMETOOLONG;
	slash = strrchr(parent, '/');
	if (slash == NULL || slash == parent)
		return -ENOENT;
	*slash = '\0';
	if (mkdir(parent, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int bhxh_open_state_dir(const char *path, bool create)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		int r = make_state_dir(path);

		if (r < 0)
			return r;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static const uint32_t crc_table[256] = {
	0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu,
	0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u,
	0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u,
	0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
	0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
	0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u,
	0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
	0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
	0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u,
	0xcfba9599u, 0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
	0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u, 0x01db7106u,
	0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
	0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du,
	0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
	0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
	0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
	0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u,
	0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u,
	0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau,
	0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
	0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
	0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au,
	0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u,
	0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
	0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
	0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu,
	0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u, 0xa1d1937eu,
	0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
	0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u,
	0x316e8eefu, 0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
	0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u,
	0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
	0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu,
	0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u,
	0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
	0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
	0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u,
	0x616bffd3u, 0x166ccf45u, 0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u,
	0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu,
	0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
	0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u,
	0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
	0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

#include <pthread.h>

/* Slicing by 8 (eight bytes a step, about five times the speed of the byte
 * loop: a failure record's slot is 7.8 kB and the login path checks it at
 * every attempt).  crc_slice[k][i] is the CRC of byte i followed by k + 1
 * zero bytes, derived from crc_table once per process (about 2 us). */
static uint32_t crc_slice[7][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_slice_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint32_t c = crc_table[i];

		for (unsigned k = 0; k < 7; k++) {
			c = (c >> 8) ^ crc_table[c & 0xff];
			crc_slice[k][i] = c;
		}
	}
}

uint32_t bhxh_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the tables pay for themselves from about a kilobyte */
	if (len >= 1024 && pthread_once(&crc_once, crc_slice_init) == 0) {
		for (; len >= 8; p += 8, len -= 8) {
			uint32_t lo, hi;

			memcpy(&lo, p, 4);
			memcpy(&hi, p + 4, 4);
			lo ^= crc;
			crc = crc_slice[6][lo & 0xff] ^ crc_slice[5][(lo >> 8) & 0xff] ^
			      crc_slice[4][(lo >> 16) & 0xff] ^ crc_slice[3][lo >> 24] ^
			      crc_slice[2][hi & 0xff] ^ crc_slice[1][(hi >> 8) & 0xff] ^
			      crc_slice[0][(hi >> 16) & 0xff] ^ crc_table[hi >> 24];
		}
	}
#endif
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Appending zero bytes to a message multiplies the CRC register by
 * x^(8n) modulo the polynomial (nothing is added to it), so the CRC of a
 * buffer that ends in n zero bytes is computed from the CRC of the rest in
 * O(log n): a failure record's slot is mostly zeros.  Polynomials are in
 * the reflected order of the table (bit 31 is x^0). */
static uint32_t mult_mod_p(uint32_t a, uint32_t b)
{
	uint32_t m = (uint32_t)1 << 31, p = 0;

	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0)
				break;
		}
		m >>= 1;
		b = (b & 1) ? (b >> 1) ^ 0xedb88320u : b >> 1;
	}
	return p;
}

/* x^(2^k) mod P for k = 0..31: each the square of the one before
 * (x^1 = bit 30 in the reflected order). */
static const uint32_t x2k_mod_p[32] = {
	0x40000000u, 0x20000000u, 0x08000000u, 0x00800000u, 0x00008000u, 0xedb88320u,
	0xb1e6b092u, 0xa06a2517u, 0xed627daeu, 0x88d14467u, 0xd7bbfe6au, 0xec447f11u,
	0x8e7ea170u, 0x6427800eu, 0x4d47bae0u, 0x09fe548fu, 0x83852d0fu, 0x30362f1au,
	0x7b5a9cc3u, 0x31fec169u, 0x9fec022au, 0x6c8dedc4u, 0x15d6874du, 0x5fde7a4eu,
	0xbad90e37u, 0x2e4e5eefu, 0x4eaba214u, 0xa8a472c0u, 0x429a969eu, 0x148d302au,
	0xc40ba6d0u, 0xc4e22c3cu,
};

uint32_t bhxh_crc32_zeros(uint32_t crc, uint64_t n)
{
	/* x^(8n) as the product of the x^(2^k) of the bits of 8n; longer
	 * runs (none here: a slot is 7.8 kB) are done 256 MB at a time */
	uint32_t xn = (uint32_t)1 << 31; /* x^0 */
	const uint64_t chunk = (uint64_t)1 << 28;

	while (n >= chunk) {
		crc = bhxh_crc32_zeros(crc, chunk - 1);
		crc = bhxh_crc32_zeros(crc, 1);
		n -= chunk;
	}
	n *= 8; /* < 2^31: k stays below 31 */
	for (unsigned k = 0; n != 0; n >>= 1, k++)
		if (n & 1)
			xn = mult_mod_p(x2k_mod_p[k], xn);
	return ~mult_mod_p(xn, ~crc);
}

#include "i18n.h"

static pthread_once_t i18n_once = PTHREAD_ONCE_INIT;

static void i18n_bind(void)
{
	const char *dir = LOCALEDIR;
#ifdef BHXH_TESTING
	/* Test builds only: the tests' catalogs, compiled from po/ into the
	 * build tree (mk/expiry.am), since LOCALEDIR is fixed at configure
	 * time and nothing is installed during make check. */
	const char *t = secure_getenv("BHXH_TEST_LOCALEDIR");

	if (t != NULL && t[0] == '/')
		dir = t;
#endif
	bindtextdomain(PACKAGE, dir);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
}

void bhxh_i18n_init(void)
{
	(void)pthread_once(&i18n_once, i18n_bind);
}
