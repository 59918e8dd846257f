/* SHA-1 (FIPS 180-4), for the keys of Have I Been Pwned's password list:
 * the denylist stores SHA-1 digests and the checker hashes a candidate the
 * same way.  Not used for anything that needs collision resistance. */
#ifndef BHXH_SHA1_H
#define BHXH_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define BHXH_SHA1_LEN 20

struct bhxh_sha1 {
	uint32_t h[5];
	uint64_t len;          /* bytes so far */
	unsigned char buf[64];
	size_t fill;
};

void bhxh_sha1_init(struct bhxh_sha1 *c);
void bhxh_sha1_update(struct bhxh_sha1 *c, const void *data, size_t len);
/* Writes the digest and wipes the context (it held the message). */
void bhxh_sha1_final(struct bhxh_sha1 *c, unsigned char out[BHXH_SHA1_LEN]);
void bhxh_sha1(const void *data, size_t len, unsigned char out[BHXH_SHA1_LEN]);

#endif
