/* Reason codes (audit) and the explanations shown to users (gettext). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pwcheck.h"

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

