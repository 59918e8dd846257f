/* Characters of a password (see pwcheck_int.h): UTF-8 decoding, a letter
 * with its combining marks as one character, diacritics folded away,
 * leetspeak readings and the unshifted keyboard key of each character. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwcheck_int.h"
#include "util.h"

/* ---- characters ----------------------------------------------------------- */

/* Decode one UTF-8 sequence; invalid bytes come back one by one as
 * themselves (so any byte string has a length) with *len = 1. */
static uint32_t utf8_next(const unsigned char *s, size_t *len)
{
	uint32_t c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		   (c & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t v;

	if (n <= 1) {
		*len = 1;
		return c;
	}
	v = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return c;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*len = 1;
		return c;
	}
	*len = n;
	return v;
}

static bool combining(uint32_t c)
{
	return (c >= 0x300 && c <= 0x36f) || (c >= 0x1dc0 && c <= 0x1dff) ||
	       (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe20 && c <= 0xfe2f);
}

/* Fold a Latin/Vietnamese letter to its base a-z; 0 when not a letter. */
static char fold_letter(uint32_t c, uint8_t *upper, uint8_t *diac)
{
	static const char latin1[] = "aaaaaa_ceeeeiiiidnooooo_ouuuuy__"
				     "aaaaaa_ceeeeiiiidnooooo_ouuuuy_y";
	*upper = 0;
	*diac = 0;
	if (c >= 'a' && c <= 'z')
		return (char)c;
	if (c >= 'A' && c <= 'Z') {
		*upper = 1;
		return (char)(c + 32);
	}
	*diac = 1;
	if (c >= 0xc0 && c <= 0xff) {
		*upper = c < 0xe0;
		return latin1[c - 0xc0] == '_' ? 0 : latin1[c - 0xc0];
	}
	switch (c) {
	case 0x102: case 0x103: *upper = c == 0x102; return 'a';
	case 0x110: case 0x111: *upper = c == 0x110; return 'd';
	case 0x128: case 0x129: *upper = c == 0x128; return 'i';
	case 0x168: case 0x169: *upper = c == 0x168; return 'u';
	case 0x1a0: case 0x1a1: *upper = c == 0x1a0; return 'o';
	case 0x1af: case 0x1b0: *upper = c == 0x1af; return 'u';
	default: break;
	}
	if (c >= 0x1ea0 && c <= 0x1ef9) {
		*upper = (c & 1) == 0;
		return c <= 0x1eb7 ? 'a' : c <= 0x1ec7 ? 'e' : c <= 0x1ecb ? 'i' :
		       c <= 0x1ee3 ? 'o' : c <= 0x1ef1 ? 'u' : 'y';
	}
	*diac = 0;
	return 0;
}

static void leet(char c, char *l1, char *l2)
{
	static const char from[] = "013456789@$!|+(2";
	static const char to1[] = "oieasgtbgasilrcz";
	static const char to2[] = "\0l\0\0\0b\0\0\0\0\0l\0\0\0\0";
	const char *p = c ? strchr(from, c) : NULL;

	*l1 = p ? to1[p - from] : 0;
	*l2 = p ? to2[p - from] : 0;
}

static char unshift(char c)
{
	static const char sh[] = "!@#$%^&*()_+{}|:\"<>?~";
	static const char un[] = "1234567890-=[]\\;',./`";
	const char *p;

	if (c >= 'A' && c <= 'Z')
		return (char)(c + 32);
	p = c ? strchr(sh, c) : NULL;
	return p ? un[p - sh] : c;
}

/* Split s into characters; combining marks join the character before them.
 * Returns the number of characters (at most max). */
size_t bhxh_pw_split_chars(const char *s, struct pch *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0' && n < max) {
		size_t len;
		uint32_t c = utf8_next(p, &len);
		struct pch *ch = &out[n];

		p += len;
		if (combining(c) && n > 0) {
			out[n - 1].diac = 1;
			continue;
		}
		memset(ch, 0, sizeof(*ch));
		ch->cp = c;
		ch->base = fold_letter(c, &ch->upper, &ch->diac);
		if (c < 0x80) {
			ch->kb = (c > ' ' && c < 0x7f) ? unshift((char)c) : 0;
			if (!ch->base)
				leet((char)c, &ch->l1, &ch->l2);
		}
		if (ch->base)
			ch->cls = ch->upper ? 1 : (c < 0x80 ? 0 : 5);
		else if (c >= '0' && c <= '9')
			ch->cls = 2;
		else if (c == ' ')
			ch->cls = 4;
		else if (c < 0x80)
			ch->cls = 3;
		else
			ch->cls = 5;
		n++;
	}
	return n;
}

size_t bhxh_pw_charlen(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0') {
		size_t len;
		uint32_t c = utf8_next(p, &len);

		p += len;
		if (!(combining(c) && n > 0))
			n++;
	}
	return n;
}
