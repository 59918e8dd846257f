#!/bin/bash
# End to end with a real auditd: drive a real PAM stack (pam_unix +
# pam_bhxh) for a scratch user, then check pam_bhxh's records with ausearch,
# that aureport --auth / --failed still count each attempt exactly once,
# and bhxhctl report's numbers (from the log files and from standard input).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/audit/common.sh"
require_root
require_cmd ausearch
require_cmd aureport
audit_lock # before ensure_auditd: another audit test may have stopped auditd
ensure_auditd

d=$(scratch_dir)
mkdir -m 700 "$d/pam.d" "$d/tally"
: >"$d/bhxh.conf"
user=$(uniq_name)
pass='Dung-Mat-Khau-7'
scratch_user "$user" "$pass"
svc=bhxhaudit
make_stack "$d/pam.d" "$svc" "conf=$d/bhxh.conf dir=$d/tally deny=3 unlock_time=600"
drive() { # RHOST ANSWER OPS...
	local rhost=$1 answer=$2
	shift 2
	printf '%s\n' "$answer" | "$PAMDRIVE" --confdir "$d/pam.d" --tty pts/9 --rhost "$rhost" \
		"$svc" "$user" "$@" >>"$d/out" 2>&1
}
ok() { drive "$@" || fail "$* failed: $(tail -3 "$d/out")"; }
no() { if drive "$@"; then fail "$* succeeded"; fi; }

sleep 1 # chpasswd's record is before the start
start=$(audit_now)
sleep 1
no 192.0.2.10 wrong-1 auth
no 192.0.2.10 wrong-2 auth
ok 192.0.2.11 "$pass" auth acct open close
no 192.0.2.10 wrong-3 auth
no 2001:db8::5 wrong-4 auth
no 192.0.2.12 wrong-5 auth # the third failure in a row: locks
no 192.0.2.12 "$pass" auth # refused: locked
no 192.0.2.12 wrong-6 auth # refused: locked
attempts=8
failed=7

acct="acct=\"$user\""
wait_for "$start" "type=USER_AUTH .*$acct" "$attempts"
wait_for "$start" "type=TRUSTED_APP .*op=PAM:bhxh_session_close $acct" 1

# pam_bhxh's own records, each with service, terminal, host and reason
assert_eq 5 "$(count "$start" "type=TRUSTED_APP .*op=PAM:bhxh_authfail $acct id=[0-9]+ reason=wrong_password grantors=bhxh service=\"$svc\" .*hostname=[^ ]+ addr=[^ ]+ terminal=pts/9 res=failed")" "wrong_password records"
assert_eq 1 "$(count "$start" "type=TRUSTED_APP .*op=PAM:bhxh_authfail $acct .*hostname=2001:db8::5 addr=2001:db8::5 ")" "IPv6 address as given"
assert_eq 1 "$(count "$start" "type=TRUSTED_APP .*op=PAM:bhxh_authsucc $acct .*reason=authenticated .*hostname=192.0.2.11 addr=192.0.2.11 terminal=pts/9 res=success")" "authenticated record"
assert_eq 1 "$(count "$start" "type=ANOM_LOGIN_FAILURES .*$acct .*reason=too_many_failures .*failures=3 .*res=failed")" "ANOM_LOGIN_FAILURES"
assert_eq 1 "$(count "$start" "type=RESP_ACCT_LOCK_TIMED .*$acct .*reason=locked_timed .*hostname=192.0.2.12 ")" "RESP_ACCT_LOCK_TIMED"
assert_eq 2 "$(count "$start" "type=TRUSTED_APP .*op=PAM:bhxh_preauth $acct .*reason=account_locked .*res=failed")" "locked refusals"
assert_eq 1 "$(count "$start" "type=TRUSTED_APP .*op=PAM:bhxh_session_open $acct .*reason=session_open .*res=success")" "session open"
# never a password, not even a rejected one
assert_eq 0 "$(audit_raw "$start" | grep -c -e wrong- -e "$pass" || true)" "passwords in the audit log"
# ausearch finds the reason with an interpreted search too
ausearch --input-logs -i -m TRUSTED_APP -ts $start 2>/dev/null | grep -q "acct=$user .*reason=account_locked" ||
	fail "ausearch -i does not show the reason"

# aureport: each attempt exactly once (libpam's USER_AUTH), none of ours
# shellcheck disable=SC2086
auth=$(aureport --input-logs --auth -ts $start 2>/dev/null | grep -c " $user " || true)
# shellcheck disable=SC2086
afail=$(aureport --input-logs --auth --failed -ts $start 2>/dev/null | grep -c " $user " || true)
assert_eq "$attempts" "$auth" "aureport --auth lines for the user"
assert_eq "$failed" "$afail" "aureport --auth --failed lines for the user"

# bhxhctl report: from the log files, and from ausearch --raw on stdin
# shellcheck disable=SC2086
json=$("$BHXHCTL" report --user "$user" --since $start --json) || fail "report failed"
for kv in '"auth_successes": 1' "\"auth_failures\": $failed" '"locks": 1' '"locked_refusals": 2' \
	'"password_changes": 0' '"password_rejections": 0'; do
	assert_match "$kv" "$json" "report --json"
done
assert_match '"malformed_lines": 0' "$json" "no malformed line in auditd's own log"
# shellcheck disable=SC2086
json2=$(ausearch --input-logs --raw -ts $start 2>/dev/null | "$BHXHCTL" report --user "$user" --json -) ||
	fail "report - failed"
assert_match "\"auth_failures\": $failed" "$json2" "report from stdin"
assert_match '"source": "192.0.2.10", "failures": 3' "$json2" "top failure source"
# shellcheck disable=SC2086
csv=$("$BHXHCTL" report --user "$user" --since $start --csv)
assert_match "^user,\"$user\",1,$failed,0,1,0,0,0,0,0,2," "$(printf '%s\n' "$csv" | grep '^user,')" "report --csv"
table=$("$BHXHCTL" report --user "$user" --since "$(date '+%Y-%m-%d')" --until "$(date '+%Y-%m-%d')")
assert_match "$user +1 +$failed " "$table" "report table"
"$BHXHCTL" report --user "$user" --since now+1 >/dev/null 2>&1 && fail "bad --since accepted"

# A hostile host name: libpam copies it into its USER_AUTH record verbatim,
# so "res=success" lands in that record (and aureport believes it); ours is
# hex-encoded, and bhxhctl report takes the last res=, the one libaudit
# appends.
start2=$(audit_now)
sleep 1
no 'evil res=success' wrong-7 auth
wait_for "$start2" "type=TRUSTED_APP .*op=PAM:bhxh_preauth $acct " 1
assert_eq 1 "$(count "$start2" "type=TRUSTED_APP .*op=PAM:bhxh_preauth $acct .*hostname=6576696C207265733D73756363657373 addr=\? ")" "encoded host name"
assert_eq 0 "$(count "$start2" "type=TRUSTED_APP .*$acct.*hostname=evil")" "raw hostile host name"
wait_for "$start2" "type=USER_AUTH .*$acct" 1
# shellcheck disable=SC2086
json=$("$BHXHCTL" report --user "$user" --since $start --json) || fail "report failed"
assert_match "\"auth_successes\": 1, \"auth_failures\": $((failed + 1))," "$json" "report after a forged res="

# the timed lock runs out (test clock): RESP_ACCT_UNLOCK_TIMED, then success
if grep -q '^#define BHXH_TESTING 1' "$top_builddir/config.h"; then
	later=$(($(date +%s) + 700))
	BHXH_TEST_NOW=$later ok 192.0.2.11 "$pass" auth
	wait_for "$start" "type=RESP_ACCT_UNLOCK_TIMED .*$acct .*reason=lock_expired" 1
fi
exit 0
