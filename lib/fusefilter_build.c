/* Binary fuse filter: construction (bhxhctl only; see fusefilter.h).
 *
 * Memory for n distinct keys and S ~ 1.125 n slots: the keys (8n), a
 * count and an XOR of keys per slot (9S), the peeling order (4n) and the
 * fingerprints: about 24 bytes per key at 16 bits (2.4 GB for 100 million
 * keys), plus 8n while the keys are sorted.  Sorting the keys first puts
 * them in slot order (the first slot is a multiply-shift of the key), so
 * filling the slot arrays walks memory in order instead of at random. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fusefilter.h"

#define ROUNDS_MAX 64

int bhxh_fuse_layout(uint64_t n, unsigned arity, unsigned bits, struct bhxh_fuse *ret)
{
	double ln = n > 2 ? log((double)n) : log(2.0), factor, e;
	uint64_t seglen, capacity, segcount, slots;

	if ((arity != 3 && arity != 4) || bits < 8 || bits > 32)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->arity = arity;
	ret->bits = bits;
	if (n == 0)
		return 0;
	/* the paper's sizing: segments grow with n (locality while peeling)
	 * and the space factor falls to its asymptote, 1.125 for arity 3,
	 * 1.075 for arity 4 */
	if (arity == 3) {
		e = floor(ln / log(3.33) + 2.25);
		factor = fmax(1.125, 0.875 + 0.25 * log(1e6) / ln);
	} else {
		e = floor(ln / log(2.91) - 0.5);
		factor = fmax(1.075, 0.77 + 0.305 * log(6e5) / ln);
	}
	e = fmin(fmax(e, 2.0), 18.0);
	seglen = (uint64_t)1 << (unsigned)e;
	capacity = (uint64_t)ceil((double)n * factor);
	segcount = (capacity + seglen - 1) / seglen;
	segcount = segcount > arity - 1 ? segcount - (arity - 1) : 1;
	if (segcount == 0)
		segcount = 1;
	slots = (segcount + arity - 1) * seglen;
	if (slots > BHXH_FUSE_SLOTS_MAX)
		return -E2BIG;
	ret->seglen = (uint32_t)seglen;
	ret->segcount = (uint32_t)segcount;
	ret->slots = (uint32_t)slots;
	return 0;
}

/* LSD radix sort, 8 bits a pass, then drop duplicates; returns the count. */
static int sort_unique(uint64_t *keys, size_t n, size_t *ret_n)
{
	uint64_t *tmp, *src = keys, *dst;
	size_t k = 0;

	if (n > 1) {
		tmp = malloc(n * sizeof(*tmp));
		if (tmp == NULL)
			return -ENOMEM;
		dst = tmp;
		for (unsigned shift = 0; shift < 64; shift += 8) {
			size_t cnt[257] = { 0 };
			uint64_t *t;

			for (size_t i = 0; i < n; i++)
				cnt[((src[i] >> shift) & 0xff) + 1]++;
			if (cnt[((src[0] >> shift) & 0xff) + 1] == n)
				continue; /* every key has this digit */
			for (int b = 0; b < 256; b++)
				cnt[b + 1] += cnt[b];
			for (size_t i = 0; i < n; i++)
				dst[cnt[(src[i] >> shift) & 0xff]++] = src[i];
			t = src;
			src = dst;
			dst = t;
		}
		if (src != keys)
			memcpy(keys, src, n * sizeof(*keys));
		free(tmp);
	}
	for (size_t i = 0; i < n; i++)
		if (k == 0 || keys[i] != keys[k - 1])
			keys[k++] = keys[i];
	*ret_n = k;
	return 0;
}

static void set_fp(unsigned char *fp, unsigned bits, uint64_t i, uint32_t v)
{
	uint64_t bit = i * bits, old = 0, mask = ((1ULL << bits) - 1) << (bit & 7);
	unsigned nbytes = (unsigned)(((bit & 7) + bits + 7) / 8);

	for (unsigned k = 0; k < nbytes; k++)
		old |= (uint64_t)fp[bit / 8 + k] << (8 * k);
	old = (old & ~mask) | (((uint64_t)v << (bit & 7)) & mask);
	for (unsigned k = 0; k < nbytes; k++)
		fp[bit / 8 + k] = (unsigned char)(old >> (8 * k));
}

/* A growable stack of slot numbers (the slots that fell to one key while
 * the scan was past them). */
struct ustack {
	uint32_t *v;
	size_t n, cap;
};

static int push(struct ustack *s, uint32_t x)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint32_t *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
	return 0;
}

/* Slot arrays: count[s] = (keys in s) << 2 | XOR of the key's index (0..3)
 * of s among its slots; xk[s] = XOR of those keys (mixed).  A slot with
 * one key names it, so it can be peeled: removed from its other slots,
 * which may then have one key in turn.  order[] records the peeled slots;
 * a peeled slot keeps its key and index (count 0, low bits untouched). */
static int peel(const struct bhxh_fuse *f, const uint64_t *keys, size_t n, uint8_t *count,
		uint64_t *xk, uint32_t *order, bool *ret_ok)
{
	struct ustack st = { 0 };
	size_t top = 0;
	uint32_t pos[4];
	int r = 0;

	memset(count, 0, f->slots);
	memset(xk, 0, (size_t)f->slots * sizeof(*xk));
	for (size_t i = 0; i < n; i++) {
		uint64_t h = bhxh_fuse_mix(f->round, keys[i]);

		bhxh_fuse_slots(f, h, pos);
		for (unsigned a = 0; a < f->arity; a++) {
			if (count[pos[a]] >= 0xfc) {
				*ret_ok = false; /* 63 keys in one slot: next round */
				return 0;
			}
			count[pos[a]] = (uint8_t)((count[pos[a]] + 4) ^ a);
			xk[pos[a]] ^= h;
		}
	}
	for (uint32_t s = 0; s < f->slots; s++) {
		if ((count[s] >> 2) != 1)
			continue;
		r = push(&st, s);
		while (r == 0 && st.n > 0) {
			uint32_t j = st.v[--st.n];
			unsigned w;
			uint64_t h;

			if ((count[j] >> 2) != 1)
				continue;
			w = count[j] & 3;
			h = xk[j];
			order[top++] = j;
			count[j] = (uint8_t)(count[j] - 4);
			bhxh_fuse_slots(f, h, pos);
			for (unsigned a = 0; a < f->arity && r == 0; a++) {
				if (a == w)
					continue;
				count[pos[a]] = (uint8_t)((count[pos[a]] - 4) ^ a);
				xk[pos[a]] ^= h;
				if ((count[pos[a]] >> 2) == 1 && pos[a] < s)
					r = push(&st, pos[a]);
			}
		}
		if (r < 0)
			break;
	}
	free(st.v);
	*ret_ok = r == 0 && top == n;
	return r;
}

/* In reverse peeling order each key's slot is the last of its slots still
 * free: its fingerprint XOR the other two (or three) goes there. */
static void assign(const struct bhxh_fuse *f, const uint8_t *count, const uint64_t *xk,
		   const uint32_t *order, size_t n, unsigned char *fp)
{
	uint32_t pos[4];

	for (size_t t = n; t-- > 0;) {
		uint32_t j = order[t];
		unsigned w = count[j] & 3;
		uint64_t h = xk[j];
		uint32_t v;

		bhxh_fuse_slots(f, h, pos);
		v = bhxh_fuse_fingerprint(f, h);
		for (unsigned a = 0; a < f->arity; a++)
			if (a != w)
				v ^= bhxh_fuse_get(fp, f->bits, pos[a]);
		set_fp(fp, f->bits, pos[w], v);
	}
}

int bhxh_fuse_build(uint64_t *keys, size_t n, unsigned arity, unsigned bits,
		    struct bhxh_fuse *ret, size_t *ret_distinct)
{
	struct bhxh_fuse f;
	uint8_t *count = NULL;
	uint64_t *xk = NULL;
	uint32_t *order = NULL;
	unsigned char *fp = NULL;
	size_t m;
	bool ok = false;
	int r;

	r = sort_unique(keys, n, &m);
	if (r < 0)
		return r;
	r = bhxh_fuse_layout(m, arity, bits, &f);
	if (r < 0)
		return r;
	fp = calloc(1, (size_t)bhxh_fuse_payload_bytes(&f) + 1);
	if (fp == NULL)
		return -ENOMEM;
	if (m > 0) {
		count = malloc(f.slots);
		xk = malloc((size_t)f.slots * sizeof(*xk));
		order = malloc(m * sizeof(*order));
		if (count == NULL || xk == NULL || order == NULL) {
			r = -ENOMEM;
			goto out;
		}
		for (f.round = 0; f.round < ROUNDS_MAX && !ok; f.round++) {
			r = peel(&f, keys, m, count, xk, order, &ok);
			if (r < 0)
				goto out;
			if (ok)
				break;
		}
		if (!ok) {
			r = -EAGAIN;
			goto out;
		}
		assign(&f, count, xk, order, m, fp);
	}
	f.fp = fp;
	fp = NULL;
	*ret = f;
	*ret_distinct = m;
out:
	free(count);
	free(xk);
	free(order);
	free(fp);
	return r;
}
