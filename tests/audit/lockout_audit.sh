#!/bin/bash
# End to end, as root, with the real auditd: a scratch user and a private
# PAM stack (pam_unix + pam_bhxh) driven by tests/pamdrive.  Wrong passwords
# lock the account; the records that auditd received are asserted with
# ausearch: ANOM_LOGIN_FAILURES, RESP_ACCT_LOCK_TIMED, the refusal while
# locked, RESP_ACCT_UNLOCK_TIMED, RESP_ACCT_LOCK (until reset) and the
# administrator's reset (ACCT_UNLOCK with the admin's login uid).
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd ausearch
ensure_auditd

user=$(uniq_name)
pass='Mat-Khau-Dung-2026!'
scratch_user "$user" "$pass"
work=$(scratch_dir)
mkdir -m 700 "$work/tally" "$work/pam.d"
: >"$work/bhxh.conf"
args="dir=$work/tally conf=$work/bhxh.conf nodelay"
stack() { # NAME EXTRA-ARGS
	cat >"$work/pam.d/$1" <<EOS
auth requisite $PAM_BHXH_SO preauth $args $2
auth [success=1 default=bad] pam_unix.so nodelay
auth [default=die] $PAM_BHXH_SO authfail $args $2
auth sufficient $PAM_BHXH_SO authsucc $args $2
auth required pam_deny.so
account required $PAM_BHXH_SO $args $2
account required pam_unix.so
EOS
}
stack timed "deny=3 unlock_time=300"
stack never "deny=3 unlock_time=never"
drive() { # SERVICE PASSWORD OP...
	local svc=$1 pw=$2
	shift 2
	printf '%s\n' "$pw" | LD_PRELOAD="${SAN_PRELOAD:-}" "$PAMDRIVE" --confdir "$work/pam.d" \
		--tty pts/9 --rhost 198.51.100.7 "$svc" "$user" "$@"
}
records() { # TYPE: raw records of that type for our account
	ausearch --input-logs -m "$1" -ts recent --raw 2>/dev/null | grep -F "acct=\"$user\"" || true
}
wait_for() { # TYPE: auditd writes asynchronously
	local i
	for i in $(seq 50); do
		[ -n "$(records "$1")" ] && return 0
		sleep 0.1
	done
	fail "no $1 record for $user"
}

now=$(date +%s)
export BHXH_TEST_NOW=$now
for i in 1 2; do
	out=$(drive timed wrong$i auth) && fail "wrong password accepted"
	assert_match 'auth: 7 ' "$out" "wrong password $i"
done
out=$(drive timed wrong3 auth) && fail "wrong password accepted"
assert_match 'locked after 3 failed logins' "$out" "lock message"
assert_match 'Try again in 5 minutes' "$out" "unlock time message"
out=$(drive timed "$pass" auth) && fail "locked account authenticated"
assert_match 'locked' "$out" "refused while locked"
out=$(drive timed "$pass" acct) && fail "account phase let a locked account in"
assert_match 'acct: 6 ' "$out" "account phase refuses (PAM_PERM_DENIED)"

json=$("$BHXHCTL" lockout status --user "$user" --dir "$work/tally" --json)
assert_match '"locked":true' "$json" "status locked"
assert_match '"failures":3' "$json" "status failures"
assert_match '"unlock_in":[0-9]+' "$json" "status unlock_in"
assert_match '198.51.100.7' "$json" "status source"

wait_for ANOM_LOGIN_FAILURES
wait_for RESP_ACCT_LOCK_TIMED
rec=$(records RESP_ACCT_LOCK_TIMED)
assert_match 'addr=198\.51\.100\.7' "$rec" "remote address as given"
assert_match 'terminal=pts/9' "$rec" "terminal"
assert_match 'service="timed"' "$rec" "service"
refused=$(ausearch --input-logs -ts recent --raw 2>/dev/null | grep -F "acct=\"$user\"" | grep 'reason=account_locked' || true)
[ -n "$refused" ] || fail "no record of the refusal while locked"

# the timed lock runs out
export BHXH_TEST_NOW=$((now + 301))
out=$(drive timed "$pass" auth acct) || fail "not unlocked after unlock_time: $out"
wait_for RESP_ACCT_UNLOCK_TIMED

# until reset, and the administrator's reset with the admin's login uid
export BHXH_TEST_NOW=$((now + 400))
for i in 1 2 3; do drive never "bad$i" auth >/dev/null && fail "accepted"; done
wait_for RESP_ACCT_LOCK
export BHXH_TEST_NOW=$((now + 400 + 86400 * 30))
drive never "$pass" auth >/dev/null && fail "a lock until reset expired by itself"
# the administrator: a process with a login uid (root's, when none is set)
(echo 0 >/proc/self/loginuid 2>/dev/null; cat /proc/self/loginuid >"$work/auid"
	exec env LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout reset --user "$user" \
	--dir "$work/tally") || fail "reset failed"
wait_for ACCT_UNLOCK
rec=$(records ACCT_UNLOCK)
auid=$(cat "$work/auid")
[ "$auid" != 4294967295 ] || skip "cannot give the administrator a login uid here"
assert_match " auid=$auid " "$rec" "reset record carries the admin's login uid"
assert_match 'reason=admin_reset' "$rec" "reset reason"
out=$(drive never "$pass" auth acct) || fail "reset did not unlock: $out"
echo "ok: lockout audit records found for $user"
