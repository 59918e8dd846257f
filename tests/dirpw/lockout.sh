#!/bin/bash
# Fleet-wide lockout through the directory's ppolicy pwdAccountLockedTime:
# a lock on machine A refuses on machine B within 2 s; bhxhctl lockout
# reset on B unlocks A; an unlock in the directory unlocks everywhere; a
# timed lock is cleared by the machine that wrote it; the lock identity can
# write that attribute and nothing else.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
dirpw_setup
follow_on A
follow_on B

# fail3 M USER: three wrong passwords on machine M
fail3() {
	for _ in 1 2 3; do
		printf '%s\n' 'Not-The-Password-1' | pam_on "$1" "$2" auth >/dev/null 2>&1
	done
}
login_ok B dpc 'Old-Pass-2026c' || fail "dpc cannot log in on B"

# A lock on A reaches the directory and B.
fail3 A dpc
login_refused A dpc 'Old-Pass-2026c' || fail "dpc not locked on A"
wait_until 2 dir_locked dpc || fail "the lock did not reach the directory: $(cat "$T/A/follow.log")"
wait_until 2 login_refused B dpc 'Old-Pass-2026c' || fail "dpc still logs in on B"
out=$(printf '%s\n' 'Old-Pass-2026c' | pam_on B dpc auth acct 2>&1)
echo "$out"
assert_match "locked" "$out" "B's message"
out=$(on B "$BHXHCTL" --conf "$T/B/bhxh.conf" lockout status --user dpc)
assert_match "LOCKED" "$out" "lockout status on B"
# a local account's lock stays local
LU=$(uniq_name)
scratch_user "$LU" 'Local-Pass-2026x'
fail3 A "$LU"
sleep 0.5
[ -z "$(ls "$T/A/queue" | grep -v '\.sent$' | grep -x "$LU")" ] || fail "local account queued"

# bhxhctl lockout reset on B unlocks A.
out=$(on B "$BHXHCTL" --conf "$T/B/bhxh.conf" lockout reset --user dpc 2>&1) || fail "reset: $out"
echo "$out"
dir_locked dpc && fail "the reset did not clear the directory"
login_ok B dpc 'Old-Pass-2026c' || fail "dpc still locked on B after the reset"
wait_until 2 login_ok A dpc 'Old-Pass-2026c' || fail "dpc still locked on A after the reset on B"

# bhxhctl lockout reset --all on A clears the directory too: B unlocks.
fail3 B dpc
wait_until 2 dir_locked dpc || fail "lock on B did not reach the directory"
wait_until 2 login_refused A dpc 'Old-Pass-2026c' || fail "lock on B did not reach A"
out=$(on A "$BHXHCTL" --conf "$T/A/bhxh.conf" lockout reset --all 2>&1) || fail "reset --all: $out"
dir_locked dpc && fail "reset --all did not clear the directory"
wait_until 2 login_ok B dpc 'Old-Pass-2026c' || fail "dpc still locked on B after reset --all on A"

# An unlock in the directory (an administrator's ldapmodify) unlocks all.
fail3 B dpc
wait_until 2 login_refused A dpc 'Old-Pass-2026c' || fail "lock on B did not reach A"
ldap_mod <<LDIF || fail "ldapmodify"
dn: uid=dpc,ou=people,$SLAPD_BASE
changetype: modify
delete: pwdAccountLockedTime
LDIF
wait_until 2 login_ok A dpc 'Old-Pass-2026c' || fail "directory unlock did not reach A"
wait_until 2 login_ok B dpc 'Old-Pass-2026c' || fail "directory unlock did not reach B"

# The lock identity: pwdAccountLockedTime and nothing else.
lk() { ldapmodify -x -ZZ -H "$SLAPD_URI" -D "$LOCKER_DN" -w "$LOCKER_PW" "$@"; }
export LDAPTLS_CACERT="$T/slapd/ca.pem"
lk >/dev/null 2>&1 <<LDIF && fail "the lock identity changed a password"
dn: uid=dpa,ou=people,$SLAPD_BASE
changetype: modify
replace: userPassword
userPassword: x
LDIF
lk >/dev/null 2>&1 <<LDIF && fail "the lock identity changed another attribute"
dn: uid=dpa,ou=people,$SLAPD_BASE
changetype: modify
replace: loginShell
loginShell: /bin/evil
LDIF
ldapsearch -x -ZZ -LLL -H "$SLAPD_URI" -D "$LOCKER_DN" -w "$LOCKER_PW" -b "$SLAPD_BASE" \
	'(uid=dpa)' userPassword | grep -q '^userPassword' && fail "the lock identity reads hashes"
lk >/dev/null 2>&1 <<LDIF && fail "the lock identity locked an entry outside the people"
dn: $SLAPD_READER_DN
changetype: modify
replace: pwdAccountLockedTime
pwdAccountLockedTime: 000001010000Z
LDIF
ldapsearch -x -ZZ -LLL -H "$SLAPD_URI" -D "$LOCKER_DN" -w "$LOCKER_PW" -b "$SLAPD_BASE" \
	'(uid=dpa)' pwdHistory | grep -q '^pwdHistory' && fail "the lock identity reads the history"
lk >/dev/null 2>&1 <<LDIF || fail "the lock identity cannot lock"
dn: uid=dpa,ou=people,$SLAPD_BASE
changetype: modify
replace: pwdAccountLockedTime
pwdAccountLockedTime: 000001010000Z
LDIF
wait_until 2 login_refused A dpa 'Old-Pass-2026a' || fail "permanent lock not applied on A"
on A "$BHXHCTL" --conf "$T/A/bhxh.conf" lockout reset --user dpa >/dev/null || fail "reset dpa"
wait_until 2 login_ok B dpa 'Old-Pass-2026a' || fail "dpa still locked on B"

# Timed unlocks: the machine that wrote the lock clears it when it is over.
follow_off A
follow_off B
UNLOCK_TIME=6
machine_conf A
machine_conf B
follow_on A
follow_on B
fail3 A dpb
wait_until 2 dir_locked dpb || fail "timed lock did not reach the directory"
wait_until 2 login_refused B dpb 'Old-Pass-2026b' || fail "timed lock did not reach B"
wait_until 8 eval '! dir_locked dpb' || fail "timed lock not cleared in the directory"
wait_until 2 login_ok B dpb 'Old-Pass-2026b' || fail "dpb locked on B after the timed unlock"
wait_until 2 login_ok A dpb 'Old-Pass-2026b' || fail "dpb locked on A after the timed unlock"
echo "ok"
