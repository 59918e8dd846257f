#!/bin/bash
# Faults of a directory password change: the directory unreachable (down,
# or hanging: bounded by ldap_timeout), the administrative bind refused,
# ppolicy refusals (minimum age, a locked account), passwords never sent
# without TLS, a change racing the sync, a machine whose clock is skewed.
# Each: a clear message, a PAM code, nothing half-changed, the old
# password still valid.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
dirpw_setup
follow_on A
follow_on B
export LDAPTLS_CACERT="$T/slapd/ca.pem"
# binds KEY PASSWORD: the directory accepts this password for uid KEY
binds() {
	ldapwhoami -x -ZZ -H "$SLAPD_URI" -D "uid=$1,ou=people,$SLAPD_BASE" -w "$2" >/dev/null 2>&1
}
P1='Quill orbit kettle 4721'

# 1. Directory down: the change fails at once with a clear message, the
# old password works here and, once the server is back, there too.
slapd_stop
out=$(printf '%s\n' 'Old-Pass-2026a' "$P1" "$P1" | pam_as A 410001 dpa chauthtok 2>&1) &&
	fail "change accepted with the directory down: $out"
echo "$out"
assert_match "cannot be reached" "$out" "down: message"
assert_match "chauthtok: 9 " "$out" "down: PAM_AUTHINFO_UNAVAIL"
out=$(printf '%s\n' "$P1" "$P1" | pam_on A dpa chauthtok 2>&1) && fail "root reset accepted: $out"
assert_match "chauthtok: 9 " "$out" "down (root): PAM_AUTHINFO_UNAVAIL"
login_ok A dpa 'Old-Pass-2026a' || fail "old password refused on A while the directory is down"
slapd_restart
binds dpa 'Old-Pass-2026a' || fail "the directory lost the old password"

# 2. Directory hanging (SIGSTOP): bounded by ldap_timeout (5 s).
kill -STOP "$SLAPD_PID"
t0=$(date +%s)
out=$(printf '%s\n' "$P1" "$P1" | pam_on A dpa chauthtok 2>&1) && {
	kill -CONT "$SLAPD_PID"
	fail "change accepted from a hanging directory: $out"
}
t1=$(date +%s)
kill -CONT "$SLAPD_PID"
echo "hang: $((t1 - t0)) s: $out"
[ $((t1 - t0)) -le 12 ] || fail "a hanging directory held the change $((t1 - t0)) s"
assert_match "chauthtok: 9 " "$out" "hang: PAM_AUTHINFO_UNAVAIL"
binds dpa 'Old-Pass-2026a' || fail "the directory lost the old password after the hang"
wait_until 10 login_ok A dpa 'Old-Pass-2026a' || fail "A lost dpa after the hang"

# 3. The administrative bind refused (wrong password file): root cannot
# reset; the user's own change still works.
printf 'wrong\n' >"$T/badadmin.pw"
chmod 600 "$T/badadmin.pw"
machine_conf A "ldap_passwd_admin_pw_file = $T/badadmin.pw"
out=$(printf '%s\n' "$P1" "$P1" | pam_on A dpb chauthtok 2>&1) && fail "bad admin accepted: $out"
assert_match "configuration error" "$out" "admin bind: message"
assert_match "chauthtok: 3 " "$out" "admin bind: PAM_SERVICE_ERR"
chmod 644 "$T/pwadmin.pw"
machine_conf A
out=$(printf '%s\n' "$P1" "$P1" | pam_on A dpb chauthtok 2>&1) && fail "readable admin file: $out"
chmod 600 "$T/pwadmin.pw"
binds dpb 'Old-Pass-2026b' || fail "dpb's password changed by a refused reset"

# 4. No TLS: refused before anything is sent.
machine_conf A "ldap_starttls = no"
out=$(printf '%s\n' 'Old-Pass-2026a' | pam_as A 410001 dpa chauthtok 2>&1) && fail "no TLS: $out"
assert_match "chauthtok: 3 " "$out" "no TLS: PAM_SERVICE_ERR"
machine_conf A

# 5. ppolicy refusals: minimum age, and a locked account.
ldap_mod <<LDIF || fail "policy"
dn: cn=default,ou=policies,$SLAPD_BASE
changetype: modify
replace: pwdMinAge
pwdMinAge: 3600
LDIF
out=$(printf '%s\n' 'Old-Pass-2026a' "$P1" "$P1" | pam_as A 410001 dpa chauthtok 2>&1) ||
	fail "first change: $out"
P2='Zinc marble yacht 9035'
out=$(printf '%s\n' "$P1" "$P2" "$P2" | pam_as A 410001 dpa chauthtok 2>&1) &&
	fail "change within pwdMinAge accepted: $out"
echo "$out"
assert_match "changed too recently" "$out" "pwdMinAge: message"
assert_match "chauthtok: 20 " "$out" "pwdMinAge: PAM_AUTHTOK_ERR"
binds dpa "$P1" || fail "refused change altered the password"
ldap_mod <<LDIF || fail "locked"
dn: uid=dpc,ou=people,$SLAPD_BASE
changetype: modify
replace: pwdAccountLockedTime
pwdAccountLockedTime: 000001010000Z
LDIF
out=$(printf '%s\n' 'Old-Pass-2026c' | pam_as A 410003 dpc chauthtok 2>&1) && fail "locked: $out"
echo "$out"
assert_match "locked" "$out" "locked: message"
ldap_mod <<LDIF || fail "unlock"
dn: uid=dpc,ou=people,$SLAPD_BASE
changetype: modify
delete: pwdAccountLockedTime
LDIF
ldap_mod <<LDIF || fail "policy"
dn: cn=default,ou=policies,$SLAPD_BASE
changetype: modify
replace: pwdMinAge
pwdMinAge: 0
LDIF

# 6. A change racing the sync: B's sync is down during the change and
# comes back; five resets in a row while both follow: the last one wins
# everywhere, no earlier one is left.
follow_off B
out=$(printf '%s\n' "$P2" "$P2" | pam_on A dpb chauthtok 2>&1) || fail "reset: $out"
login_ok B dpb 'Old-Pass-2026b' || fail "B (no sync) lost the old password"
follow_on B
wait_until 2 login_ok B dpb "$P2" || fail "B did not catch up after its sync restarted"
for i in 1 2 3 4 5; do
	printf '%s\n' "Racing lantern cobalt $i$i$i" "Racing lantern cobalt $i$i$i" |
		pam_on A dpb chauthtok >/dev/null 2>&1 || fail "reset $i"
done
wait_until 2 login_ok B dpb 'Racing lantern cobalt 555' || fail "B: last reset not usable"
wait_until 2 login_ok A dpb 'Racing lantern cobalt 555' || fail "A: last reset not usable"
login_refused B dpb 'Racing lantern cobalt 444' || fail "B: an older password still works"

# 7. Clock skew: B's clock 30 min behind, then 5 min ahead; a lock from A
# (unlock_time 600 s) still refuses on B, a reset on A still unlocks B, and
# a lock dated in the future is reported.
fail3() {
	for _ in 1 2 3; do
		printf '%s\n' 'Not-The-Password-1' | pam_on "$1" "$2" auth >/dev/null 2>&1
	done
}
for skew in -1800 300; do
	follow_off B
	BHXH_TEST_CLOCK_SKEW=$skew follow_on B
	fail3 A dpc
	wait_until 2 login_refused B dpc 'Old-Pass-2026c' || fail "skew $skew: lock not applied on B"
	on A "$BHXHCTL" --conf "$T/A/bhxh.conf" lockout reset --user dpc >/dev/null ||
		fail "skew $skew: reset"
	wait_until 2 login_ok B dpc 'Old-Pass-2026c' || fail "skew $skew: reset not applied on B"
done
grep -q "in the future" "$T/B/follow.log" || fail "the skew was not reported: $(cat "$T/B/follow.log")"
echo "ok"
