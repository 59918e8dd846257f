/* The password checker (see pwcheck.h).
 *
 * Order of the checks: size, length in characters, same as the old one,
 * the guessing estimate (which names the pattern: Vietnamese phrase,
 * keyboard walk, agency word...), the denylist, then libpwquality's classic
 * checks with cracklib behind them.  The estimate is a cheapest-path
 * segmentation of the password into known pieces, each with a cost in bits
 * (a common word ~8, a Vietnamese syllable ~11, a keyboard walk ~9, a year
 * ~7, a word of the denylist ~16, a random lowercase letter 4.7); capitals,
 * leetspeak and diacritics in a word add a bit each.  It is deliberately
 * simple and conservative: it refuses decorated words, and it accepts long
 * passphrases because each extra word costs an attacker another 8-16 bits. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <crack.h>
#include <pwquality.h>

#include "denylist.h"
#include "i18n.h"
#include "pwcheck.h"
#include "pwwords.h"
#include "util.h"

#define VI_DICT_LINES_MAX 500000
#define TRIE_NODES_MAX 65535
#define WORD_MAX 24
#define USER_WORDS_MAX 8

/* Word classes in the trie (a bit each; a word may have several). */
enum {
	W_SYL = 1,    /* Vietnamese syllable (hunspell-vi) */
	W_VI = 2,     /* built-in Vietnamese list */
	W_EN = 4,     /* built-in English list */
	W_AGENCY = 8, /* badwords= */
};

/* Token kinds of the estimate, in the order reasons are preferred. */
enum tok {
	T_CHAR = 0, T_USER, T_AGENCY, T_VI, T_EN, T_WALK, T_SEQ, T_REPEAT, T_DATE, T_MAX_
};

struct trie_node {
	uint16_t next[26];
	uint8_t cls;
};

struct bhxh_pw_policy {
	struct bhxh_pw_params params;
	pwquality_settings_t *pwq;
	struct bhxh_denylist *dl;
	struct trie_node *trie;
	size_t ntrie, trie_cap;
};

/* One character of the password after normalisation. */
struct pch {
	uint32_t cp;
	char base;   /* folded letter a-z (diacritics removed), or 0 */
	char l1, l2; /* letters a leetspeak character stands for, or 0 */
	char kb;     /* unshifted key for walk detection, or 0 */
	uint8_t upper, diac;
	uint8_t cls; /* 0 lower, 1 upper, 2 digit, 3 symbol, 4 space, 5 other */
};

/* ---- profiles ----------------------------------------------------------- */

int bhxh_pw_profile(const char *name, struct bhxh_pw_params *ret)
{
	/* minlen credits(d,u,l,o) minclass maxrepeat maxsequence maxclassrepeat
	 * dictcheck usercheck gecoscheck enforce_for_root retry min_strength remember
	 * difok usersubstr enforcing (libpwquality's defaults) */
	static const struct {
		const char *name;
		struct bhxh_pw_params p;
	} profiles[] = {
		/* agency default: 12 characters, no composition rules, the estimate
		 * must reach 50 bits, 5 remembered */
		{ "bhxh", { 12, 0, 0, 0, 0, 0, 3, 4, 0, 1, 1, 1, 1, 3, 50, 5, 1, 0, 1 } },
		/* NIST SP 800-63B rev 4: 15 characters, no composition rules,
		 * blocklist and context words; no forced history */
		{ "nist", { 15, 0, 0, 0, 0, 0, 4, 0, 0, 1, 1, 1, 1, 3, 40, 0, 1, 0, 1 } },
		/* administrators: longer, stronger, longer history */
		{ "admin", { 16, 0, 0, 0, 0, 0, 3, 4, 0, 1, 1, 1, 1, 3, 64, 24, 1, 0, 1 } },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(profiles); i++)
		if (strcmp(name, profiles[i].name) == 0) {
			*ret = profiles[i].p;
			return 0;
		}
	return -EINVAL;
}

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
static size_t split_chars(const char *s, struct pch *out, size_t max)
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

/* ---- word trie -------------------------------------------------------------- */

static int trie_add(struct bhxh_pw_policy *p, const char *w, size_t len, uint8_t cls)
{
	size_t node = 0;

	if (len < 2 || len > WORD_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] + 32) : w[i];
		unsigned k;

		if (c < 'a' || c > 'z')
			return 0; /* not a plain word: ignored */
		k = (unsigned)(c - 'a');
		if (p->trie[node].next[k] == 0) {
			if (p->ntrie >= TRIE_NODES_MAX)
				return -E2BIG;
			if (p->ntrie == p->trie_cap) {
				size_t cap = p->trie_cap * 2;
				struct trie_node *t = realloc(p->trie, cap * sizeof(*t));

				if (t == NULL)
					return -ENOMEM;
				p->trie = t;
				p->trie_cap = cap;
			}
			memset(&p->trie[p->ntrie], 0, sizeof(p->trie[0]));
			p->trie[node].next[k] = (uint16_t)p->ntrie++;
		}
		node = p->trie[node].next[k];
	}
	p->trie[node].cls |= cls;
	return 0;
}

/* hunspell .dic: a count line, then "word" or "word/FLAGS".  Words are
 * folded to a-z; anything else (digits, acronyms with other letters) is
 * skipped. */
static int load_vi_dict(struct bhxh_pw_policy *p, const char *path, char *err, size_t errlen)
{
	char line[256];
	unsigned lines = 0;
	FILE *f;
	int r = 0;

	f = fopen(path, "re");
	if (f == NULL) {
		r = -errno;
		snprintf(err, errlen, "Vietnamese dictionary %s: %s (install hunspell-vi or set "
			 "vi_dict=none)", path, strerror(errno));
		return r;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		struct pch ch[WORD_MAX + 1];
		char w[WORD_MAX + 1];
		char *slash;
		size_t n, k = 0;

		if (++lines > VI_DICT_LINES_MAX)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		slash = strchr(line, '/');
		if (slash != NULL)
			*slash = '\0';
		n = split_chars(line, ch, WORD_MAX + 1);
		if (n < 2 || n > WORD_MAX)
			continue;
		for (size_t i = 0; i < n && ch[i].base; i++)
			w[k++] = ch[i].base;
		if (k != n)
			continue;
		r = trie_add(p, w, k, W_SYL);
		if (r < 0) {
			snprintf(err, errlen, "Vietnamese dictionary %s: too many words", path);
			break;
		}
	}
	fclose(f);
	return r;
}

/* ---- the estimate ------------------------------------------------------------ */

/* Costs in tenths of a bit. */
#define C_LOWER 47
#define C_UPPER 57
#define C_DIGIT 33
#define C_SYMBOL 50
#define C_SPACE 10
#define C_OTHER 70
#define C_SYL 110
#define C_VI 80
#define C_EN 80
#define C_AGENCY 40
#define C_USER 20
#define C_YEAR 70
#define C_DATE 150
#define C_LISTED 160 /* a substring found in the denylist (john, cracklib words) */
#define LISTED_MIN 4
#define LISTED_MAX 16

static unsigned log2_10(size_t n) /* 10*log2(n), rounded up, small n */
{
	unsigned r = 0;

	while (((size_t)1 << (r / 10 + 1)) <= n)
		r += 10;
	return r + (n > ((size_t)1 << (r / 10)) ? 6 : 0);
}

static const unsigned char_cost[] = { C_LOWER, C_UPPER, C_DIGIT, C_SYMBOL, C_SPACE, C_OTHER };

struct est {
	const struct pch *c;
	size_t n;
	unsigned *cost;   /* cost[i] = cheapest for the first i characters */
	uint8_t *kind;    /* token kind ending at i */
	uint16_t *from;   /* where that token started */
};

static void relax(struct est *e, size_t i, size_t j, unsigned c, enum tok kind)
{
	if (e->cost[i] + c < e->cost[j]) {
		e->cost[j] = e->cost[i] + c;
		e->kind[j] = (uint8_t)kind;
		e->from[j] = (uint16_t)i;
	}
}

static unsigned word_cost(uint8_t cls, unsigned caps, unsigned leet_used, unsigned diac)
{
	unsigned c = (cls & W_AGENCY) ? C_AGENCY : (cls & (W_VI | W_EN)) ? C_VI : C_SYL;

	return c + (caps ? 10 : 0) + (leet_used ? 10 : 0) + (diac ? 10 : 0);
}

static enum tok word_kind(uint8_t cls)
{
	return (cls & W_AGENCY) ? T_AGENCY : (cls & W_VI) ? T_VI : (cls & W_EN) ? T_EN : T_VI;
}

/* Walk the trie from character i, trying the letter and its leetspeak
 * readings; relax every word end. */
static void trie_walk(const struct bhxh_pw_policy *p, struct est *e, size_t start, size_t i,
		      size_t node, unsigned caps, unsigned lt, unsigned diac)
{
	if (i > start && p->trie[node].cls)
		relax(e, start, i, word_cost(p->trie[node].cls, caps, lt, diac),
		      word_kind(p->trie[node].cls));
	if (i >= e->n || i - start >= WORD_MAX)
		return;
	const struct pch *c = &e->c[i];
	char alts[3] = { c->base, c->l1, c->l2 };

	/* "toi yeu em", "toi.yeu.em": separators inside a phrase hide nothing */
	if (node != 0 && (c->cp == ' ' || c->cp == '.' || c->cp == '_' || c->cp == '-')) {
		trie_walk(p, e, start, i + 1, node, caps, lt, diac);
		return;
	}

	for (int a = 0; a < 3; a++) {
		size_t nx;

		if (alts[a] == 0)
			continue;
		nx = p->trie[node].next[alts[a] - 'a'];
		if (nx != 0)
			trie_walk(p, e, start, i + 1, nx, caps | c->upper, lt | (a > 0),
				  diac | c->diac);
	}
}

/* Keyboard position (x in quarter keys, row) of an unshifted key. */
static bool key_pos(char k, int *x, int *row)
{
	static const char *const rows[] = { "`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'",
					    "zxcvbnm,./" };
	static const int off[] = { 0, 6, 7, 9 };

	for (int r = 0; r < 4; r++) {
		const char *p = k ? strchr(rows[r], k) : NULL;

		if (p != NULL) {
			*x = off[r] + 4 * (int)(p - rows[r]);
			*row = r;
			return true;
		}
	}
	return false;
}

static bool adjacent(char a, char b)
{
	int xa, ra, xb, rb;

	if (a == b || !key_pos(a, &xa, &ra) || !key_pos(b, &xb, &rb))
		return false;
	if (ra == rb)
		return abs(xa - xb) == 4;
	return abs(ra - rb) == 1 && abs(xa - xb) < 4;
}

static bool is_year(const struct pch *c)
{
	unsigned y = 0;

	for (int i = 0; i < 4; i++) {
		if (c[i].cls != 2)
			return false;
		y = y * 10 + (c[i].cp - '0');
	}
	return y >= 1940 && y <= 2039;
}

static bool is_date(const struct pch *c, size_t len)
{
	unsigned d[8] = { 0 };

	for (size_t i = 0; i < len; i++) {
		if (c[i].cls != 2)
			return false;
		d[i] = c[i].cp - '0';
	}
	unsigned a = d[0] * 10 + d[1], b = d[2] * 10 + d[3];

	/* ddmm.. or mmdd.. (6 or 8 digits), or yyyymmdd */
	if (len == 8 && (d[0] == 1 || d[0] == 2) && d[4] * 10 + d[5] >= 1 &&
	    d[4] * 10 + d[5] <= 12)
		return true;
	return a >= 1 && a <= 31 && b >= 1 && b <= 31 && (a <= 12 || b <= 12);
}

static void user_words(const char *user, const char *gecos, char w[][WORD_MAX + 1],
		       size_t *nw)
{
	const char *src[2] = { user, gecos };

	*nw = 0;
	for (int s = 0; s < 2; s++) {
		struct pch ch[128];
		size_t n, k = 0;

		if (src[s] == NULL)
			continue;
		n = split_chars(src[s], ch, BHXH_ARRAY_SIZE(ch));
		for (size_t i = 0; i <= n; i++) {
			if (i < n && ch[i].base && k < WORD_MAX) {
				w[*nw][k++] = ch[i].base;
				continue;
			}
			if (k >= 3 && *nw < USER_WORDS_MAX) {
				w[*nw][k] = '\0';
				(*nw)++;
			}
			k = 0;
			if (*nw >= USER_WORDS_MAX)
				return;
		}
	}
}

static bool match_word(const struct pch *c, size_t n, const char *w, unsigned *caps,
		       unsigned *lt)
{
	size_t len = strlen(w);

	if (len > n)
		return false;
	*caps = *lt = 0;
	for (size_t i = 0; i < len; i++) {
		if (c[i].base == w[i])
			*caps |= c[i].upper;
		else if (c[i].l1 == w[i] || c[i].l2 == w[i])
			*lt = 1;
		else
			return false;
	}
	return true;
}

static unsigned estimate(const struct bhxh_pw_policy *p, const struct pch *c, size_t n,
			 const char *user, const char *gecos, enum bhxh_pw_reason *pattern)
{
	unsigned cost[BHXH_PASS_MAX + 1];
	uint8_t kind[BHXH_PASS_MAX + 1];
	uint16_t from[BHXH_PASS_MAX + 1];
	unsigned covered[T_MAX_] = { 0 };
	char uw[USER_WORDS_MAX][WORD_MAX + 1];
	size_t nuw;
	struct est e = { c, n, cost, kind, from };
	static const enum bhxh_pw_reason reason_of[T_MAX_] = {
		BHXH_PW_TOO_WEAK, BHXH_PW_USER_NAME, BHXH_PW_AGENCY_WORD,
		BHXH_PW_VIETNAMESE_PHRASE, BHXH_PW_DICTIONARY_WORD, BHXH_PW_KEYBOARD_WALK,
		BHXH_PW_SEQUENCE, BHXH_PW_REPEATED, BHXH_PW_DATE,
	};
	enum tok best = T_CHAR;

	user_words(user, gecos, uw, &nuw);
	for (size_t i = 0; i <= n; i++)
		cost[i] = UINT32_MAX / 2;
	cost[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t j;

		relax(&e, i, i + 1, char_cost[c[i].cls] - (c[i].diac && c[i].cls == 5 ? 10 : 0),
		      T_CHAR);
		if (p->trie != NULL)
			trie_walk(p, &e, i, i, 0, 0, 0, 0);
		for (size_t u = 0; u < nuw; u++) {
			unsigned caps, lt;

			if (match_word(c + i, n - i, uw[u], &caps, &lt))
				relax(&e, i, i + strlen(uw[u]),
				      C_USER + (caps ? 10 : 0) + (lt ? 10 : 0), T_USER);
		}
		/* keyboard walk: at least 4 keys, each next to the one before; the
		 * turns are counted as the walk grows (linear per start, so a long
		 * walk cannot make the check quadratic per start) */
		unsigned turns = 0;

		for (j = i + 1; j < n && adjacent(c[j - 1].kb, c[j].kb); j++) {
			int x0, r0, x1, r1, x2, r2;

			if (j >= i + 2 && key_pos(c[j - 2].kb, &x0, &r0) &&
			    key_pos(c[j - 1].kb, &x1, &r1) && key_pos(c[j].kb, &x2, &r2) &&
			    (x1 - x0 != x2 - x1 || r1 - r0 != r2 - r1))
				turns++;
			if (j + 1 - i >= 4)
				relax(&e, i, j + 1, 66 + log2_10(j + 1 - i) + 15 * turns, T_WALK);
		}
		/* sequences: constant step of +1 or -1, at least 3 */
		for (int d = -1; d <= 1; d += 2) {
			for (j = i + 1; j < n && c[j].cls == c[i].cls && c[i].cls <= 2 &&
					(int64_t)c[j].cp - (int64_t)c[j - 1].cp == d; j++)
				if (j + 1 - i >= 3)
					relax(&e, i, j + 1, 40 + log2_10(j + 1 - i), T_SEQ);
		}
		/* repeats of one character */
		for (j = i + 1; j < n && c[j].cp == c[i].cp; j++)
			if (j + 1 - i >= 3)
				relax(&e, i, j + 1, char_cost[c[i].cls] + log2_10(j + 1 - i),
				      T_REPEAT);
		/* a repeated block ("abcabc", "hanoihanoi"): the second copy is nearly free */
		for (size_t len = 2; len <= WORD_MAX && i >= len && i + len <= n; len++) {
			bool same = true;

			for (size_t k = 0; k < len && same; k++)
				same = c[i - len + k].cp == c[i + k].cp;
			if (same)
				relax(&e, i, i + len, 10, T_REPEAT);
		}
		/* substrings on the denylist: it doubles as the dictionary of the
		 * estimate ("money carmen mickey" is three listed words) */
		if (p->dl != NULL && c[i].base) {
			char w[LISTED_MAX];
			unsigned caps = 0, lt = 0;

			for (j = i; j < n && j - i < LISTED_MAX && (c[j].base || c[j].l1); j++) {
				w[j - i] = c[j].base ? c[j].base : c[j].l1;
				caps |= c[j].upper;
				lt |= !c[j].base;
				if (j + 1 - i >= LISTED_MIN && bhxh_denylist_contains(p->dl, w, j + 1 - i))
					relax(&e, i, j + 1, C_LISTED + (caps ? 10 : 0) + (lt ? 10 : 0),
					      T_EN);
			}
			bhxh_wipe(w, sizeof(w));
		}
		if (i + 4 <= n && is_year(c + i))
			relax(&e, i, i + 4, C_YEAR, T_DATE);
		if (i + 6 <= n && is_date(c + i, 6))
			relax(&e, i, i + 6, C_DATE - 20, T_DATE);
		if (i + 8 <= n && is_date(c + i, 8))
			relax(&e, i, i + 8, C_DATE, T_DATE);
	}
	/* which pattern covers most of the password */
	for (size_t j = n; j > 0; j = from[j])
		covered[kind[j]] += (unsigned)(j - from[j]);
	for (int t = T_USER; t < T_MAX_; t++)
		if (covered[t] > covered[best] || (best == T_CHAR && covered[t] > 0))
			best = (enum tok)t;
	if (pattern != NULL)
		*pattern = reason_of[best];
	return (cost[n] + 9) / 10;
}

unsigned bhxh_pw_strength(const struct bhxh_pw_policy *p, const char *pass, const char *user,
			  const char *gecos, enum bhxh_pw_reason *ret_pattern)
{
	struct pch c[BHXH_PASS_MAX];
	size_t n = split_chars(pass, c, BHXH_ARRAY_SIZE(c));
	unsigned bits = estimate(p, c, n, user, gecos, ret_pattern);

	bhxh_wipe(c, sizeof(c));
	return bits;
}

/* ---- policy ----------------------------------------------------------------- */

static int set_pwq(pwquality_settings_t *q, int setting, int value, char *err, size_t errlen)
{
	if (pwquality_set_int_value(q, setting, value) != 0) {
		snprintf(err, errlen, "libpwquality refused setting %d = %d", setting, value);
		return -EINVAL;
	}
	return 0;
}

static int get_pwq(pwquality_settings_t *q, int setting, int *v)
{
	return pwquality_get_int_value(q, setting, v) == 0 ? 0 : -EINVAL;
}

/* Apply a params struct (all fields, or only those explicitly set) to the
 * libpwquality settings. */
static int params_to_pwq(pwquality_settings_t *q, const struct bhxh_pw_params *v,
			 const struct bhxh_pw_conf *only, char *err, size_t errlen)
{
	const struct {
		int setting;
		int value;
		int64_t conf;
	} map[] = {
		{ PWQ_SETTING_MIN_LENGTH, v->minlen, only ? only->minlen : 0 },
		{ PWQ_SETTING_DIG_CREDIT, v->dcredit, only ? only->dcredit : 0 },
		{ PWQ_SETTING_UP_CREDIT, v->ucredit, only ? only->ucredit : 0 },
		{ PWQ_SETTING_LOW_CREDIT, v->lcredit, only ? only->lcredit : 0 },
		{ PWQ_SETTING_OTH_CREDIT, v->ocredit, only ? only->ocredit : 0 },
		{ PWQ_SETTING_MIN_CLASS, v->minclass, only ? only->minclass : 0 },
		{ PWQ_SETTING_MAX_REPEAT, v->maxrepeat, only ? only->maxrepeat : 0 },
		{ PWQ_SETTING_MAX_SEQUENCE, v->maxsequence, only ? only->maxsequence : 0 },
		{ PWQ_SETTING_MAX_CLASS_REPEAT, v->maxclassrepeat, only ? only->maxclassrepeat : 0 },
		{ PWQ_SETTING_DICT_CHECK, v->dictcheck, only ? only->dictcheck : 0 },
		{ PWQ_SETTING_USER_CHECK, v->usercheck, only ? only->usercheck : 0 },
		{ PWQ_SETTING_GECOS_CHECK, v->gecoscheck, only ? only->gecoscheck : 0 },
		{ PWQ_SETTING_ENFORCE_ROOT, v->enforce_for_root, only ? only->enforce_for_root : 0 },
		{ PWQ_SETTING_RETRY_TIMES, v->retry, only ? only->retry : 0 },
		{ PWQ_SETTING_DIFF_OK, v->difok, only ? only->difok : 0 },
		{ PWQ_SETTING_USER_SUBSTR, v->usersubstr, only ? only->usersubstr : 0 },
		{ PWQ_SETTING_ENFORCING, v->enforcing, only ? only->enforcing : 0 },
	};

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(map); i++) {
		if (only != NULL && map[i].conf == BHXH_PW_UNSET)
			continue;
		if (set_pwq(q, map[i].setting, only ? (int)map[i].conf : map[i].value, err,
			    errlen) < 0)
			return -EINVAL;
	}
	return 0;
}

static int pwq_to_params(pwquality_settings_t *q, struct bhxh_pw_params *v)
{
	int r = 0;

	r |= get_pwq(q, PWQ_SETTING_MIN_LENGTH, &v->minlen);
	r |= get_pwq(q, PWQ_SETTING_DIG_CREDIT, &v->dcredit);
	r |= get_pwq(q, PWQ_SETTING_UP_CREDIT, &v->ucredit);
	r |= get_pwq(q, PWQ_SETTING_LOW_CREDIT, &v->lcredit);
	r |= get_pwq(q, PWQ_SETTING_OTH_CREDIT, &v->ocredit);
	r |= get_pwq(q, PWQ_SETTING_MIN_CLASS, &v->minclass);
	r |= get_pwq(q, PWQ_SETTING_MAX_REPEAT, &v->maxrepeat);
	r |= get_pwq(q, PWQ_SETTING_MAX_SEQUENCE, &v->maxsequence);
	r |= get_pwq(q, PWQ_SETTING_MAX_CLASS_REPEAT, &v->maxclassrepeat);
	r |= get_pwq(q, PWQ_SETTING_DICT_CHECK, &v->dictcheck);
	r |= get_pwq(q, PWQ_SETTING_USER_CHECK, &v->usercheck);
	r |= get_pwq(q, PWQ_SETTING_GECOS_CHECK, &v->gecoscheck);
	r |= get_pwq(q, PWQ_SETTING_ENFORCE_ROOT, &v->enforce_for_root);
	r |= get_pwq(q, PWQ_SETTING_RETRY_TIMES, &v->retry);
	r |= get_pwq(q, PWQ_SETTING_DIFF_OK, &v->difok);
	r |= get_pwq(q, PWQ_SETTING_USER_SUBSTR, &v->usersubstr);
	r |= get_pwq(q, PWQ_SETTING_ENFORCING, &v->enforcing);
	return r ? -EINVAL : 0;
}

/* cracklib needs three files; a missing one must be a clear error, not a
 * "BAD PASSWORD: error loading dictionary" for every password, nor (worse)
 * a silent accept. */
static int check_dict(const char *dictpath, char *err, size_t errlen)
{
	static const char *const ext[] = { ".pwd", ".pwi", ".hwm" };
	const char *base = dictpath[0] ? dictpath : GetDefaultCracklibDict();
	char f[PATH_MAX];

	for (size_t i = 0; i < BHXH_ARRAY_SIZE(ext); i++) {
		snprintf(f, sizeof(f), "%s%s", base, ext[i]);
		if (access(f, R_OK) != 0) {
			int e = errno;

			snprintf(err, errlen, "cracklib dictionary %s: %s (install cracklib-runtime "
				 "and run update-cracklib, or set dictcheck=0)", f, strerror(e));
			return -e;
		}
	}
	return 0;
}

int bhxh_pw_policy_new(const struct bhxh_pw_conf *conf, struct bhxh_pw_policy **ret,
		       char *err, size_t errlen)
{
	struct bhxh_pw_policy *p;
	struct bhxh_pw_params prof;
	int r;

	if (bhxh_pw_profile(conf->profile, &prof) < 0) {
		snprintf(err, errlen, "unknown profile '%.32s'", conf->profile);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->pwq = pwquality_default_settings();
	p->trie_cap = 4096;
	p->trie = calloc(p->trie_cap, sizeof(*p->trie));
	p->ntrie = 1;
	if (p->pwq == NULL || p->trie == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	/* profile < explicit options (the peers' files were read into conf
	 * before bhxh.conf and the arguments: bhxh_conf_load_pw) */
	r = params_to_pwq(p->pwq, &prof, NULL, err, errlen);
	if (r < 0)
		goto fail;
	r = params_to_pwq(p->pwq, &prof, conf, err, errlen);
	if (r < 0)
		goto fail;
	if (conf->badwords[0] != '\0' &&
	    pwquality_set_str_value(p->pwq, PWQ_SETTING_BAD_WORDS, conf->badwords) != 0) {
		r = -ENOMEM;
		goto fail;
	}
	if (strcmp(conf->dictpath, "none") != 0 && conf->dictpath[0] != '\0' &&
	    pwquality_set_str_value(p->pwq, PWQ_SETTING_DICT_PATH, conf->dictpath) != 0) {
		r = -ENOMEM;
		goto fail;
	}
	r = pwq_to_params(p->pwq, &p->params);
	if (r < 0) {
		snprintf(err, errlen, "cannot read back the libpwquality settings");
		goto fail;
	}
	p->params.min_strength = (int)(conf->min_strength != BHXH_PW_UNSET ? conf->min_strength :
				       prof.min_strength);
	p->params.remember = (int)(conf->remember != BHXH_PW_UNSET ? conf->remember :
				   prof.remember);
	/* the peers' clamps (libpwquality clamps minlen and minclass itself) */
	p->params.remember = p->params.remember < 0 ? 0 :
			     p->params.remember > 400 ? 400 : p->params.remember;
	p->params.retry = p->params.retry < 1 ? 1 : p->params.retry > 10 ? 10 : p->params.retry;
	/* minlen is enforced here in characters; libpwquality's byte count with
	 * credits would only ever be more lenient, so give it its floor */
	r = set_pwq(p->pwq, PWQ_SETTING_MIN_LENGTH, 6, err, errlen);
	if (r < 0)
		goto fail;
	if (p->params.dictcheck) {
		const char *dp = NULL;

		(void)pwquality_get_str_value(p->pwq, PWQ_SETTING_DICT_PATH, &dp);
		r = check_dict(dp ? dp : "", err, errlen);
		if (r < 0)
			goto fail;
	}
	/* word lists */
	for (size_t i = 0; i < bhxh_pw_words_vi_n && r == 0; i++)
		r = trie_add(p, bhxh_pw_words_vi[i], strlen(bhxh_pw_words_vi[i]), W_VI);
	for (size_t i = 0; i < bhxh_pw_words_en_n && r == 0; i++)
		r = trie_add(p, bhxh_pw_words_en[i], strlen(bhxh_pw_words_en[i]), W_EN);
	for (const char *w = conf->badwords; *w != '\0' && r == 0;) {
		size_t len = strcspn(w, " ,\t");

		r = trie_add(p, w, len, W_AGENCY);
		w += len;
		w += strspn(w, " ,\t");
	}
	if (r == 0 && strcmp(conf->vi_dict, "none") != 0)
		r = load_vi_dict(p, conf->vi_dict, err, errlen);
	if (r < 0)
		goto fail;
	if (strcmp(conf->denylist, "none") != 0) {
		struct stat st;
		/* the payload checksum is verified when the file is small enough
		 * to read at every password change; bhxhctl denylist check always */
		bool verify = stat(conf->denylist, &st) == 0 && st.st_size <= (64 << 20);

		r = bhxh_denylist_open(conf->denylist, verify, &p->dl);
		if (r < 0) {
			snprintf(err, errlen, "denylist %s: %s%s", conf->denylist,
				 r == -EBADMSG ? "corrupt (bad checksum or format)" : strerror(-r),
				 r == -ENOENT ? " (build it with bhxhctl denylist build, or set "
						"denylist=none)" : "");
			goto fail;
		}
	}
	*ret = p;
	return 0;
fail:
	bhxh_pw_policy_free(p);
	return r < 0 ? r : -EINVAL;
}

void bhxh_pw_policy_free(struct bhxh_pw_policy *p)
{
	if (p == NULL)
		return;
	pwquality_free_settings(p->pwq);
	bhxh_denylist_close(p->dl);
	free(p->trie);
	free(p);
}

const struct bhxh_pw_params *bhxh_pw_policy_params(const struct bhxh_pw_policy *p)
{
	return &p->params;
}

/* ---- the check ----------------------------------------------------------- */

static enum bhxh_pw_reason map_pwq(int e)
{
	switch (e) {
	case PWQ_ERROR_SAME_PASSWORD:
		return BHXH_PW_SAME_AS_OLD;
	case PWQ_ERROR_TOO_SIMILAR:
	case PWQ_ERROR_CASE_CHANGES_ONLY:
	case PWQ_ERROR_ROTATED:
		return BHXH_PW_TOO_SIMILAR;
	case PWQ_ERROR_PALINDROME:
		return BHXH_PW_PALINDROME;
	case PWQ_ERROR_MIN_DIGITS:
	case PWQ_ERROR_MIN_UPPERS:
	case PWQ_ERROR_MIN_LOWERS:
	case PWQ_ERROR_MIN_OTHERS:
	case PWQ_ERROR_MIN_CLASSES:
		return BHXH_PW_TOO_FEW_CLASSES;
	case PWQ_ERROR_MAX_CONSECUTIVE:
	case PWQ_ERROR_MAX_CLASS_REPEAT:
		return BHXH_PW_REPEATED;
	case PWQ_ERROR_MAX_SEQUENCE:
		return BHXH_PW_SEQUENCE;
	case PWQ_ERROR_USER_CHECK:
	case PWQ_ERROR_GECOS_CHECK:
		return BHXH_PW_USER_NAME;
	case PWQ_ERROR_BAD_WORDS:
		return BHXH_PW_AGENCY_WORD;
	case PWQ_ERROR_CRACKLIB_CHECK:
		return BHXH_PW_DICTIONARY_WORD;
	case PWQ_ERROR_MIN_LENGTH:
		return BHXH_PW_TOO_SHORT;
	case PWQ_ERROR_EMPTY_PASSWORD:
		return BHXH_PW_EMPTY;
	default:
		return BHXH_PW_POLICY_ERROR;
	}
}

/* Denylist candidates: the password folded, then without the digits and
 * symbols around it, then that core read as leetspeak ("P@ssw0rd1234" ->
 * "password"). */
static bool denylisted(const struct bhxh_pw_policy *p, const char *pw, const struct pch *c,
		       size_t n)
{
	char core[BHXH_PASS_MAX + 1];
	size_t a = 0, b = n, k = 0;
	bool hit = bhxh_denylist_contains(p->dl, pw, strlen(pw));

	while (a < b && !c[a].base && c[a].cls != 5)
		a++;
	while (b > a && !c[b - 1].base && c[b - 1].cls != 5)
		b--;
	/* the core must be ASCII letters/leet to be rebuilt byte for byte */
	for (size_t i = a; i < b && k < BHXH_PASS_MAX; i++) {
		if (c[i].cp >= 0x80) {
			k = 0;
			break;
		}
		core[k++] = (char)c[i].cp;
	}
	if (k >= 4 && k < n) /* strictly shorter than the password */
		hit |= bhxh_denylist_contains(p->dl, core, k);
	if (k >= 4) {
		bool changed = false;

		for (size_t i = 0; i < k; i++)
			if (!c[a + i].base && c[a + i].l1) {
				core[i] = c[a + i].l1;
				changed = true;
			}
		if (changed)
			hit |= bhxh_denylist_contains(p->dl, core, k);
	}
	bhxh_wipe(core, sizeof(core));
	return hit;
}

int bhxh_pw_check(const struct bhxh_pw_policy *p, const char *newpass, const char *oldpass,
		  const char *user, const char *gecos, struct bhxh_pw_verdict *v)
{
	const struct bhxh_pw_params *q = &p->params;
	struct pch *c = NULL;
	enum bhxh_pw_reason pattern;
	void *aux = NULL;
	size_t blen, n;
	int e, r = 0;

	memset(v, 0, sizeof(*v));
	blen = strnlen(newpass, BHXH_PASS_MAX + 1);
	if (blen == 0) {
		v->reason = BHXH_PW_EMPTY;
		v->need = q->minlen;
		return 0;
	}
	if (blen > BHXH_PASS_MAX) {
		v->reason = BHXH_PW_TOO_LONG;
		v->need = BHXH_PASS_MAX;
		return 0;
	}
	c = calloc(BHXH_PASS_MAX, sizeof(*c));
	if (c == NULL) {
		v->reason = BHXH_PW_POLICY_ERROR;
		snprintf(v->detail, sizeof(v->detail), "out of memory");
		return -ENOMEM;
	}
	n = split_chars(newpass, c, BHXH_PASS_MAX);
	v->chars = (unsigned)n;
	if (n < (size_t)q->minlen) {
		v->reason = BHXH_PW_TOO_SHORT;
		v->need = q->minlen;
		goto out;
	}
	if (oldpass != NULL && strcmp(newpass, oldpass) == 0) {
		v->reason = BHXH_PW_SAME_AS_OLD;
		goto out;
	}
	v->bits = estimate(p, c, n, user, gecos, &pattern);
	if (v->bits < (unsigned)q->min_strength) {
		v->reason = pattern;
		v->need = q->min_strength;
		goto out;
	}
	if (p->dl != NULL && denylisted(p, newpass, c, n)) {
		v->reason = BHXH_PW_DENYLISTED;
		goto out;
	}
	e = pwquality_check(p->pwq, newpass, oldpass, user, &aux);
	if (e < 0) {
		char buf[PWQ_MAX_ERROR_MESSAGE_LEN];

		pwquality_strerror(buf, sizeof(buf), e, aux);
		v->reason = map_pwq(e);
		/* cracklib's text is about the dictionary, never the password */
		snprintf(v->detail, sizeof(v->detail), "pwquality %d: %.80s", e, buf);
		if (e == PWQ_ERROR_CRACKLIB_CHECK && strstr(buf, "dictionary") != NULL &&
		    strstr(buf, "load") != NULL) {
			v->reason = BHXH_PW_POLICY_ERROR;
			r = -ENOENT;
		} else if (v->reason == BHXH_PW_POLICY_ERROR)
			r = -EINVAL;
		if (v->reason == BHXH_PW_TOO_FEW_CLASSES)
			v->need = q->minclass;
	}
out:
	bhxh_wipe(c, BHXH_PASS_MAX * sizeof(*c));
	free(c);
	return r;
}

/* ---- codes and messages ------------------------------------------------- */

static const char *const codes[BHXH_PW_REASON_MAX_] = {
	[BHXH_PW_OK] = "ok",
	[BHXH_PW_EMPTY] = "empty",
	[BHXH_PW_TOO_SHORT] = "too_short",
	[BHXH_PW_TOO_LONG] = "too_long",
	[BHXH_PW_SAME_AS_OLD] = "same_as_old",
	[BHXH_PW_TOO_SIMILAR] = "too_similar",
	[BHXH_PW_USER_NAME] = "user_name",
	[BHXH_PW_AGENCY_WORD] = "agency_word",
	[BHXH_PW_DENYLISTED] = "denylisted",
	[BHXH_PW_DICTIONARY_WORD] = "dictionary_word",
	[BHXH_PW_VIETNAMESE_PHRASE] = "vietnamese_phrase",
	[BHXH_PW_KEYBOARD_WALK] = "keyboard_walk",
	[BHXH_PW_SEQUENCE] = "sequence",
	[BHXH_PW_REPEATED] = "repeated",
	[BHXH_PW_DATE] = "date",
	[BHXH_PW_TOO_FEW_CLASSES] = "too_few_classes",
	[BHXH_PW_PALINDROME] = "palindrome",
	[BHXH_PW_TOO_WEAK] = "too_weak",
	[BHXH_PW_REUSED] = "reused",
	[BHXH_PW_TOO_SOON] = "too_soon",
	[BHXH_PW_MISMATCH] = "mismatch",
	[BHXH_PW_POLICY_ERROR] = "policy_error",
};

const char *bhxh_pw_reason_code(enum bhxh_pw_reason r)
{
	return (r >= 0 && r < BHXH_PW_REASON_MAX_ && codes[r]) ? codes[r] : "error";
}

void bhxh_pw_explain(const struct bhxh_pw_verdict *v, char *buf, size_t len)
{
	const char *hint = _("Use a passphrase of several unrelated words, for example four "
			     "words with spaces between them.");
	const char *why;

	switch (v->reason) {
	case BHXH_PW_OK:
		snprintf(buf, len, "%s", _("The password is acceptable."));
		return;
	case BHXH_PW_EMPTY:
		why = _("No password was entered.");
		break;
	case BHXH_PW_TOO_SHORT:
		snprintf(buf, len,
			 P_("The password is too short: it has %u character, at least %d are needed. "
			    "%s",
			    "The password is too short: it has %u characters, at least %d are "
			    "needed. %s",
			    v->chars),
			 v->chars, v->need, hint);
		return;
	case BHXH_PW_TOO_LONG:
		snprintf(buf, len, _("The password is too long: at most %d bytes are accepted."),
			 v->need);
		return;
	case BHXH_PW_SAME_AS_OLD:
		why = _("The new password is the same as the old one.");
		break;
	case BHXH_PW_TOO_SIMILAR:
		why = _("The new password is too similar to the old one.");
		break;
	case BHXH_PW_USER_NAME:
		why = _("The password contains your user name or your name.");
		break;
	case BHXH_PW_AGENCY_WORD:
		why = _("The password is built on the agency's name or a place or unit name "
			"(such as bhxh, vssid, hanoi).");
		break;
	case BHXH_PW_DENYLISTED:
		why = _("The password is on the list of leaked or common passwords.");
		break;
	case BHXH_PW_DICTIONARY_WORD:
		why = _("The password is a dictionary word with a few changes; attackers try "
			"those first.");
		break;
	case BHXH_PW_VIETNAMESE_PHRASE:
		why = _("The password is a common Vietnamese word, name or phrase (such as "
			"matkhau, anhyeuem, hanoi); capitals, digits or symbols around it do not "
			"hide it.");
		break;
	case BHXH_PW_KEYBOARD_WALK:
		why = _("The password follows keys next to each other on the keyboard (such as "
			"qwerty or 1qaz2wsx).");
		break;
	case BHXH_PW_SEQUENCE:
		why = _("The password is mostly a sequence (such as 123456 or abcdef).");
		break;
	case BHXH_PW_REPEATED:
		why = _("The password repeats characters or a part of itself.");
		break;
	case BHXH_PW_DATE:
		why = _("The password is mostly a date or a year.");
		break;
	case BHXH_PW_TOO_FEW_CLASSES:
		why = _("The password does not mix the kinds of characters this policy requires.");
		break;
	case BHXH_PW_PALINDROME:
		why = _("The password is a palindrome.");
		break;
	case BHXH_PW_TOO_WEAK:
		why = _("The password is too easy to guess.");
		break;
	case BHXH_PW_REUSED:
		why = _("The password was used recently; choose one you have not used before.");
		break;
	case BHXH_PW_TOO_SOON:
		why = _("The password was changed too recently to be changed again.");
		hint = _("Try again later, or ask an administrator.");
		break;
	case BHXH_PW_MISMATCH:
		why = _("The two passwords entered do not match.");
		hint = _("Type the same password twice.");
		break;
	default:
		why = _("The password cannot be checked because of a configuration error.");
		hint = _("Contact the IT department.");
		break;
	}
	snprintf(buf, len, "%s %s", why, hint);
}
