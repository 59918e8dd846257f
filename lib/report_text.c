/* Text that every parser accepts: audit fields are hex-decoded from
 * untrusted records and may hold any bytes, but the report's JSON, CSV and
 * HTML must be valid UTF-8.  Invalid sequences are replaced (U+FFFD), and
 * names are cut only between characters. */
#include "config.h"

#include <string.h>

#include "report.h"

size_t bhxh_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (len == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0; /* continuation byte, 0xc0/0xc1, 0xf5.. */
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t bhxh_utf8_clean(const char *in, size_t len, char *out, size_t outlen)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0;

	if (outlen == 0)
		return 0;
	while (i < len) {
		const char *src;
		size_t n, w;

		/* ASCII (nearly every name): copied as it is */
		while (i < len && p[i] < 0x80 && p[i] != 0 && o < outlen - 1)
			out[o++] = (char)p[i++];
		if (i == len || o == outlen - 1)
			break;
		n = bhxh_utf8_seq(p + i, len - i);
		src = (const char *)p + i;
		w = n;
		if (n == 0) { /* one bad byte, one replacement */
			src = repl;
			w = 3;
			n = 1;
		} else if (p[i] == '\0') {
			src = "?";
		}
		if (o + w > outlen - 1)
			break;
		memcpy(out + o, src, w);
		o += w;
		i += n;
	}
	out[o] = '\0';
	return o;
}

size_t bhxh_utf8_cut(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = len, back;

	/* at most 3 continuation bytes before a lead byte */
	for (back = 0; back < 4 && i > 0; back++) {
		unsigned c = p[--i];

		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte: look further back */
		if (c < 0x80)
			return len; /* ASCII: the end is a boundary */
		/* a lead byte: is its sequence complete? */
		return bhxh_utf8_seq(p + i, len - i) == len - i ? len : i;
	}
	return len; /* not UTF-8 at the end: left to bhxh_utf8_clean() */
}
