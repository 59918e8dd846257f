#!/bin/bash
# Expiry of directory accounts with the agency's cap (max_days): the
# directory's shadowLastChange is old, so the account phase asks for a
# change at login; the forced change (PAM_CHANGE_EXPIRED_AUTHTOK) goes to
# the directory, whose ppolicy sets pwdChangedTime; the sync maps that to
# the last change, so the next login on B is not asked again.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
dirpw_setup
for m in A B; do machine_conf "$m" "max_days = 90"; done
follow_on A
follow_on B

out=$(printf '%s\n' 'Old-Pass-2026a' | pam_on B dpa auth acct 2>&1) &&
	fail "expired directory account accepted: $out"
echo "$out"
assert_match "acct: 12 " "$out" "expired: PAM_NEW_AUTHTOK_REQD"

# The forced change at login on A, as the user (as sshd/login do after
# the account phase said PAM_NEW_AUTHTOK_REQD).
NEW='Tundra violet engine 5820'
out=$(printf '%s\n' 'Old-Pass-2026a' | pam_as A 410001 dpa auth acct 2>&1)
assert_match "acct: 12 " "$out" "A: change asked"
out=$(printf '%s\n' 'Old-Pass-2026a' "$NEW" "$NEW" | pam_as A 410001 dpa chauthtok-expired 2>&1)
echo "$out"
assert_match "chauthtok-expired: 0 " "$out" "A: forced change"
ldap_search '(uid=dpa)' pwdChangedTime | grep -q '^pwdChangedTime: ' ||
	fail "the directory did not record pwdChangedTime"
wait_until 2 login_ok B dpa "$NEW" || fail "B still asks for a change or refuses the new password"
out=$(printf '%s\n' "$NEW" | pam_on B dpa auth acct 2>&1) || fail "B: $out"
echo "ok"
