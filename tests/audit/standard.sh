#!/bin/bash
# audit_standard: pam_bhxh writes the standard records itself (for a libpam
# built without audit).  Debian's libpam audits too, so here each attempt
# has libpam's USER_AUTH and exactly one of pam_bhxh's (grantors=pam_bhxh),
# also when preauth refuses and authsucc refuses again in the same stack.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/audit/common.sh"
require_root
require_cmd ausearch
audit_lock # before ensure_auditd: another audit test may have stopped auditd
ensure_auditd

d=$(scratch_dir)
mkdir -m 700 "$d/pam.d" "$d/tally"
printf 'audit_standard\n' >"$d/bhxh.conf"
user=$(uniq_name)
pass='Dung-Mat-Khau-8'
scratch_user "$user" "$pass"
so=$PAM_BHXH_SO
o="conf=$d/bhxh.conf dir=$d/tally deny=2 unlock_time=600"
# preauth "required": a refused attempt goes on through the stack
cat >"$d/pam.d/svc" <<EOS
auth     required   $so preauth $o
auth     [success=1 default=bad] pam_unix.so
auth     [default=die] $so authfail $o
auth     sufficient $so authsucc $o
auth     required   pam_deny.so
session  required   $so $o
EOS
drive() { printf '%s\n' "$1" | "$PAMDRIVE" --confdir "$d/pam.d" --rhost 198.51.100.4 svc "$user" "${@:2}" >/dev/null 2>&1; }

sleep 1
start=$(audit_now)
sleep 1
drive "$pass" auth open close || fail "login failed"
drive wrong-1 auth && fail "wrong password accepted"
drive wrong-2 auth && fail "wrong password accepted" # locks
drive "$pass" auth && fail "locked account accepted" # preauth refuses (once)
acct="acct=\"$user\""
wait_for "$start" "type=USER_AUTH .*$acct" 8
wait_for "$start" "type=USER_END .*$acct .*grantors=pam_bhxh" 1
assert_eq 4 "$(count "$start" "type=USER_AUTH .*op=PAM:authentication $acct grantors=pam_bhxh .*hostname=198.51.100.4 addr=198.51.100.4 ")" "pam_bhxh's USER_AUTH records"
assert_eq 1 "$(count "$start" "type=USER_AUTH .*op=PAM:authentication $acct grantors=pam_bhxh .*res=success")" "successful USER_AUTH"
assert_eq 1 "$(count "$start" "type=TRUSTED_APP .*$acct .*reason=account_locked")" \
	"one refusal per attempt (preauth's; authsucc of the same attempt adds none)"
assert_eq 1 "$(count "$start" "type=USER_START .*op=PAM:session_open $acct grantors=pam_bhxh")" "USER_START"
assert_eq 1 "$(count "$start" "type=USER_END .*op=PAM:session_close $acct grantors=pam_bhxh")" "USER_END"
exit 0
