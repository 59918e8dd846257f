#!/bin/bash
# Password changes of directory accounts through PAM on machine A, usable
# on machine B within 2 s (each machine follows the directory with its own
# db sync --follow); the agency's checks apply first; the directory's
# ppolicy refusals are shown and audited; a user changing their own
# password binds with the current one; root resets with the
# administrative identity; local accounts are left to pam_unix.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
dirpw_setup
follow_on A
follow_on B

login_ok A dpa 'Old-Pass-2026a' || fail "dpa cannot log in on A with the first password"
login_ok B dpa 'Old-Pass-2026a' || fail "dpa cannot log in on B with the first password"

# The user changes their own password on A (real uid dpa, as passwd runs).
NEW1='Quill orbit kettle 4721'
out=$(printf '%s\n' 'Old-Pass-2026a' "$NEW1" "$NEW1" | pam_as A 410001 dpa chauthtok 2>&1) ||
	fail "self change on A: $out"
echo "$out"
assert_match "chauthtok: 0 " "$out" "self change"
assert_match "central directory" "$out" "success message"
wait_until 2 login_ok B dpa "$NEW1" || fail "new password not usable on B within 2 s"
login_ok A dpa "$NEW1" || fail "new password not usable on A"
login_refused B dpa 'Old-Pass-2026a' || fail "old password still works on B after the sync"

# A wrong current password is refused before the new one is asked.
out=$(printf '%s\n' 'Wrong-Pass-0000' | pam_as A 410001 dpa chauthtok 2>&1) &&
	fail "wrong current password accepted: $out"
assert_match "current password is wrong" "$out" "wrong current password message"
assert_match "chauthtok: 7 " "$out" "wrong current password: PAM_AUTH_ERR"

# The agency's checks come first (a weak password never reaches LDAP).
out=$(printf '%s\n' "$NEW1" 'abc' 'abc' 'abc' 'abc' 'abc' 'abc' | pam_as A 410001 dpa chauthtok 2>&1) &&
	fail "weak password accepted: $out"
login_ok B dpa "$NEW1" || fail "a refused change changed something"

# Fleet history (ppolicy pwdInHistory on the server): the password used on
# A is refused on B.
# (Both changes on A: B's own history of the account is empty, only the
# directory's can refuse.)
NEW2='Zinc marble yacht 9035'
out=$(printf '%s\n' "$NEW1" "$NEW2" "$NEW2" | pam_as A 410001 dpa chauthtok 2>&1) ||
	fail "second change on A: $out"
wait_until 2 login_ok B dpa "$NEW2" || fail "second password not usable on B"
out=$(printf '%s\n' "$NEW2" "$NEW1" "$NEW1" | pam_as B 410001 dpa chauthtok 2>&1) &&
	fail "password from the history accepted on B: $out"
echo "$out"
assert_match "used before" "$out" "history refusal message"
assert_match "chauthtok: 20 " "$out" "history refusal: PAM_AUTHTOK_ERR"
login_ok A dpa "$NEW2" || fail "refused change altered the password"

# Root resets another user's password with the administrative identity
# (no current password asked).
NEW3='Walrus copper fjord 6128'
out=$(printf '%s\n' "$NEW3" "$NEW3" | pam_on A dpb chauthtok 2>&1) || fail "root reset: $out"
assert_match "chauthtok: 0 " "$out" "root reset"
wait_until 2 login_ok B dpb "$NEW3" || fail "root's reset not usable on B"

# In Vietnamese: root's reset on B back to the previous password set on A
# (in the directory's history: it checks the history for the administrative
# identity too).
if [ -n "$(locale -a 2>/dev/null | grep -i '^vi_VN\.utf-\?8$')" ]; then
	NEW4='Lantern cobalt meadow 7146'
	out=$(printf '%s\n' "$NEW4" "$NEW4" | pam_on A dpb chauthtok 2>&1) || fail "reset 2: $out"
	wait_until 2 login_ok B dpb "$NEW4" || fail "reset 2 not usable on B"
	out=$(printf '%s\n' "$NEW3" "$NEW3" |
		LANG=vi_VN.UTF-8 LANGUAGE=vi BHXH_TEST_LOCALEDIR="$(test_localedir)" \
			pam_on B dpb chauthtok 2>&1) && fail "history password accepted for root: $out"
	echo "$out"
	assert_match "đã từng được dùng" "$out" "Vietnamese history refusal"
fi

# A local account is pam_unix's: the directory line ignores it.
LU=$(uniq_name)
scratch_user "$LU" 'Local-Pass-2026x'
LNEW='Gravel tulip sonar 3317'
out=$(printf '%s\n' "$LNEW" "$LNEW" | pam_on A "$LU" chauthtok 2>&1) || fail "local change: $out"
assert_match "chauthtok: 0 " "$out" "local change"
printf '%s\n' "$LNEW" | pam_on A "$LU" auth >/dev/null || fail "local password not changed"
echo "ok"
