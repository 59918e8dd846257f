#!/bin/bash
# Valgrind's memcheck over the directory-password path (tests/memcheck.sh
# covers the rest): lib/ldap_pw.c in the password-phase object through PAM
# on machines A and B (StartTLS, the ppolicy control): a user's own change, a
# wrong current password, a change the directory's history refuses,
# root's reset with the administrative identity; and bhxhctl lockout reset
# of a directory account (the lock identity's write).  Any memcheck report
# fails.  Not in sanitizer builds.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
require_cmd valgrind
[ -z "${SAN_PRELOAD:-}" ] || skip "a sanitizer build (valgrind and ASan do not mix)"
dirpw_setup
follow_on A
follow_on B

vg_init
# vg_as M UID USER OPS... <answers: pam_as under memcheck
vg_as() {
	local m=$1 u=$2
	shift 2
	on "$m" "${VG[@]}" "$PAMDRIVE" --ruid "$u" --confdir "$T/pam.d" "dpm${m,,}" "$@"
}

NEW1='Quill orbit kettle 4721'
out=$(printf '%s\n' 'Old-Pass-2026a' "$NEW1" "$NEW1" | vg_as A 410001 dpa chauthtok 2>&1)
echo "$out"
assert_match "chauthtok: 0 " "$out" "self change"
out=$(printf '%s\n' 'Wrong-Pass-0000' | vg_as A 410001 dpa chauthtok 2>&1)
assert_match "chauthtok: 7 " "$out" "wrong current password"
NEW2='Zinc marble yacht 9035'
out=$(printf '%s\n' "$NEW1" "$NEW2" "$NEW2" | vg_as A 410001 dpa chauthtok 2>&1)
assert_match "chauthtok: 0 " "$out" "second change"
# refused by the directory's history (ppolicy control in the answer): on
# B, whose own history of dpa is empty
wait_until 5 login_ok B dpa "$NEW2" || fail "the second password did not reach B"
out=$(printf '%s\n' "$NEW2" "$NEW1" "$NEW1" | vg_as B 410001 dpa chauthtok 2>&1)
echo "$out"
assert_match "chauthtok: 20 " "$out" "history refusal"
assert_match "used before" "$out" "history refusal message"
NEW3='Walrus copper fjord 6128'
out=$(printf '%s\n' "$NEW3" "$NEW3" | on A "${VG[@]}" "$PAMDRIVE" --confdir "$T/pam.d" dpma dpb chauthtok 2>&1)
assert_match "chauthtok: 0 " "$out" "root's reset"
vg_clean "password changes through PAM"

# A lock of dpc on A reaches the directory; bhxhctl lockout reset under
# memcheck clears it there.
for i in 1 2 3; do login_refused A dpc "wrong-$i" || fail "wrong password $i accepted"; done
wait_until 5 dir_locked dpc || fail "the lock did not reach the directory: $(cat "$T/A/follow.log")"
out=$(on A "${VG[@]}" "$BHXHCTL" --conf "$T/A/bhxh.conf" lockout reset --user dpc 2>&1) ||
	fail "lockout reset: $out"
dir_locked dpc && fail "the reset did not clear the directory"
vg_clean "bhxhctl lockout reset of a directory account"
echo ok
