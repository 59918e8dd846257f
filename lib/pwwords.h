/* Built-in word lists of the password checker (pw area). */
#ifndef BHXH_PWWORDS_H
#define BHXH_PWWORDS_H

#include <stddef.h>

/* Common Vietnamese password words, phrases, places and names, typed
 * without diacritics, as people put them in passwords. */
extern const char *const bhxh_pw_words_vi[];
extern const size_t bhxh_pw_words_vi_n;
/* Common English password words (cracklib covers the dictionary at large). */
extern const char *const bhxh_pw_words_en[];
extern const size_t bhxh_pw_words_en_n;

#endif
