/* Binary fuse filter: layout and lookup (see fusefilter.h).  The build is
 * in fusefilter_build.c (bhxhctl only). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fusefilter.h"

static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t bhxh_fuse_mix(uint32_t round, uint64_t key)
{
	/* fmix64 is a bijection, and so is adding a constant */
	return round == 0 ? key : fmix64(key + round * 0x9e3779b97f4a7c15ULL);
}

bool bhxh_fuse_valid(const struct bhxh_fuse *f)
{
	if ((f->arity != 3 && f->arity != 4) || f->bits < 8 || f->bits > 32)
		return false;
	if (f->slots == 0)
		return true;
	if (f->seglen == 0 || f->seglen > BHXH_FUSE_SEGLEN_MAX || (f->seglen & (f->seglen - 1)) ||
	    f->segcount == 0)
		return false;
	return (uint64_t)(f->segcount + (uint64_t)f->arity - 1) * f->seglen == f->slots;
}

uint64_t bhxh_fuse_payload_bytes(const struct bhxh_fuse *f)
{
	return ((uint64_t)f->slots * f->bits + 7) / 8;
}

/* One slot in each of `arity` consecutive segments: the first from the
 * high bits of h (a multiply-shift into segcount * seglen), the others at
 * the same place in the next segments, their offsets inside the segment
 * XORed with other bits of h. */
void bhxh_fuse_slots(const struct bhxh_fuse *f, uint64_t h, uint32_t pos[4])
{
	uint64_t base = (uint64_t)(((unsigned __int128)h * ((uint64_t)f->segcount * f->seglen)) >> 64);
	uint64_t mask = f->seglen - 1;

	pos[0] = (uint32_t)base;
	pos[1] = (uint32_t)((base + f->seglen) ^ ((h >> 18) & mask));
	pos[2] = (uint32_t)((base + 2 * (uint64_t)f->seglen) ^ (h & mask));
	pos[3] = (uint32_t)((base + 3 * (uint64_t)f->seglen) ^
			    ((((h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL) >> 40) & mask));
}

uint32_t bhxh_fuse_fingerprint(const struct bhxh_fuse *f, uint64_t h)
{
	/* the top bits of an odd multiple depend on every bit of h */
	return (uint32_t)((h * 0x9e3779b97f4a7c15ULL) >> (64 - f->bits));
}

uint32_t bhxh_fuse_get(const unsigned char *fp, unsigned bits, uint64_t i)
{
	uint64_t bit, v = 0;
	unsigned nbytes;

	switch (bits) {
	case 8:
		return fp[i];
	case 16:
		return (uint32_t)fp[2 * i] | (uint32_t)fp[2 * i + 1] << 8;
	case 32:
		return (uint32_t)fp[4 * i] | (uint32_t)fp[4 * i + 1] << 8 |
		       (uint32_t)fp[4 * i + 2] << 16 | (uint32_t)fp[4 * i + 3] << 24;
	default:
		break;
	}
	bit = i * bits;
	nbytes = (unsigned)(((bit & 7) + bits + 7) / 8);
	for (unsigned k = 0; k < nbytes; k++)
		v |= (uint64_t)fp[bit / 8 + k] << (8 * k);
	return (uint32_t)((v >> (bit & 7)) & ((1ULL << bits) - 1));
}

bool bhxh_fuse_contains(const struct bhxh_fuse *f, uint64_t key)
{
	uint64_t h;
	uint32_t pos[4], x;

	if (f->slots == 0)
		return false;
	h = bhxh_fuse_mix(f->round, key);
	bhxh_fuse_slots(f, h, pos);
	x = bhxh_fuse_fingerprint(f, h);
	for (unsigned i = 0; i < f->arity; i++)
		x ^= bhxh_fuse_get(f->fp, f->bits, pos[i]);
	return x == 0;
}
