/* SHA-1 from FIPS 180-4 section 6.1 (see sha1.h).  Written for this project
 * rather than taken from a library: it is the only hash the password phase
 * needs, and it is small (tested against the standard's vectors in
 * tests/unit/denylist_test.c). */
#include "config.h"

#include <string.h>

#include "sha1.h"
#include "util.h"

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int t = 0; t < 16; t++)
		w[t] = be32(p + 4 * t);
	for (int t = 16; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	for (int t = 0; t < 80; t++) {
		uint32_t f, k, tmp;

		if (t < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		tmp = rol(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	bhxh_wipe(w, sizeof(w));
}

void bhxh_sha1_init(struct bhxh_sha1 *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
					0xc3d2e1f0 };

	memset(c, 0, sizeof(*c));
	memcpy(c->h, iv, sizeof(iv));
}

void bhxh_sha1_update(struct bhxh_sha1 *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->len += len;
	while (len > 0) {
		size_t n = 64 - c->fill < len ? 64 - c->fill : len;

		memcpy(c->buf + c->fill, p, n);
		c->fill += n;
		p += n;
		len -= n;
		if (c->fill == 64) {
			block(c->h, c->buf);
			c->fill = 0;
		}
	}
}

void bhxh_sha1_final(struct bhxh_sha1 *c, unsigned char out[BHXH_SHA1_LEN])
{
	uint64_t bits = c->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = (c->fill < 56 ? 56 : 120) - c->fill;

	for (int i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	bhxh_sha1_update(c, pad, padlen + 8);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	bhxh_wipe(c, sizeof(*c));
}

void bhxh_sha1(const void *data, size_t len, unsigned char out[BHXH_SHA1_LEN])
{
	struct bhxh_sha1 c;

	bhxh_sha1_init(&c);
	bhxh_sha1_update(&c, data, len);
	bhxh_sha1_final(&c, out);
}
