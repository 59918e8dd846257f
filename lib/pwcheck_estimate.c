/* The guessing estimate (see pwcheck.c for its place among the checks): a
 * cheapest-path segmentation of the password into known pieces, each with
 * a cost in bits, over a trie of the word lists. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denylist.h"
#include "pwcheck_int.h"
#include "util.h"

/* ---- word trie -------------------------------------------------------------- */

int bhxh_pw_trie_add(struct bhxh_pw_policy *p, const char *w, size_t len, uint8_t cls)
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
int bhxh_pw_load_vi_dict(struct bhxh_pw_policy *p, const char *path, char *err, size_t errlen)
{
	char line[256];
	unsigned lines = 0;
	struct stat st;
	FILE *f;
	int fd, r = 0;

	/* A system data file (a distribution may make it a symbolic link):
	 * links are followed, but the open never blocks and only a regular
	 * file is read -- a FIFO planted there must not hang a password
	 * change. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EPERM;
	}
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (f == NULL) {
		r = -errno;
		snprintf(err, errlen, "Vietnamese dictionary %s: %s (install hunspell-vi or set "
			 "vi_dict=none)", path, strerror(-r));
		if (fd >= 0)
			close(fd);
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
		n = bhxh_pw_split_chars(line, ch, WORD_MAX + 1);
		if (n < 2 || n > WORD_MAX)
			continue;
		for (size_t i = 0; i < n && ch[i].base; i++)
			w[k++] = ch[i].base;
		if (k != n)
			continue;
		r = bhxh_pw_trie_add(p, w, k, W_SYL);
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
		n = bhxh_pw_split_chars(src[s], ch, BHXH_ARRAY_SIZE(ch));
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

unsigned bhxh_pw_estimate(const struct bhxh_pw_policy *p, const struct pch *c, size_t n,
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
	size_t n = bhxh_pw_split_chars(pass, c, BHXH_ARRAY_SIZE(c));
	unsigned bits = bhxh_pw_estimate(p, c, n, user, gecos, ret_pattern);

	bhxh_wipe(c, sizeof(c));
	return bits;
}
