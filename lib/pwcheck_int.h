/* Internals of the password checker, shared by its parts (not installed,
 * not for the glue):
 *
 *   pwcheck.c           the policy: profiles, libpwquality settings, the check
 *   pwcheck_chars.c     characters: UTF-8, folding, leetspeak, keyboard keys
 *   pwcheck_estimate.c  the word trie and the guessing estimate
 *   pwcheck_explain.c   reason codes and the explanations shown to users */
#ifndef BHXH_PWCHECK_INT_H
#define BHXH_PWCHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pwquality.h>

#include "pwcheck.h"

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

/* Split s into characters; combining marks join the character before them.
 * Returns the number of characters (at most max). */
size_t bhxh_pw_split_chars(const char *s, struct pch *out, size_t max);

/* Add a word (folded a-z) of class cls to the policy's trie. */
int bhxh_pw_trie_add(struct bhxh_pw_policy *p, const char *w, size_t len, uint8_t cls);

/* Add the syllables of a hunspell .dic file to the trie. */
int bhxh_pw_load_vi_dict(struct bhxh_pw_policy *p, const char *path, char *err, size_t errlen);

/* Estimated bits of the n characters c, and the pattern that covers most. */
unsigned bhxh_pw_estimate(const struct bhxh_pw_policy *p, const struct pch *c, size_t n,
			  const char *user, const char *gecos, enum bhxh_pw_reason *pattern);

#endif
