#!/bin/bash
# Audit records of directory password changes and of the fleet-wide
# lockout: a change, a ppolicy refusal (with its reason) and an unreachable
# directory through PAM; the lock applied from the directory and the unlock
# on machine B.  Never a password.  Reads auditd's log: holds the audit
# tests' lock.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/audit/common.sh"
. "$top_srcdir/tests/dirpw/common.sh"
require_root
require_cmd ausearch
ensure_auditd
dirpw_setup
follow_on A
follow_on B
start=$(audit_now)
sleep 1
P1='Quill orbit kettle 4721'
printf '%s\n' 'Old-Pass-2026a' "$P1" "$P1" | pam_as A 410001 dpa chauthtok >/dev/null 2>&1 ||
	fail "change"
wait_for "$start" 'op=PAM:bhxh_chauthtok acct="dpa" .*reason=ldap_changed .*store=ldap.*res=success' 1
P2='Zinc marble yacht 9035'
printf '%s\n' "$P1" "$P2" "$P2" | pam_as A 410001 dpa chauthtok >/dev/null 2>&1 || fail "change 2"
wait_until 2 login_ok B dpa "$P2" || fail "P2 not on B"
printf '%s\n' "$P2" "$P1" "$P1" | pam_as B 410001 dpa chauthtok >/dev/null 2>&1 &&
	fail "history accepted"
wait_for "$start" 'op=PAM:bhxh_chauthtok acct="dpa" .*reason=ldap_in_history .*store=ldap.*res=failed' 1
printf '%s\n' "$P1" "$P1" | pam_on A dpb chauthtok >/dev/null 2>&1 || fail "root reset"
wait_for "$start" 'op=PAM:bhxh_chauthtok acct="dpb" .*reason=ldap_changed .*store=ldap by=root.*res=success' 1
slapd_stop
printf '%s\n' "$P2" 'Walrus copper fjord 6128' 'Walrus copper fjord 6128' |
	pam_as A 410001 dpa chauthtok >/dev/null 2>&1 && fail "change with the directory down"
wait_for "$start" 'op=PAM:bhxh_chauthtok acct="dpa" .*reason=ldap_unreachable .*res=failed' 1
slapd_restart
# the fleet lockout: B applies A's lock and audits it (A locked it itself:
# no second record); a reset on B is audited too
wait_until 10 login_ok A dpc 'Old-Pass-2026c' || fail "A not following again"
for _ in 1 2 3; do
	printf '%s\n' 'Not-The-Password-1' | pam_on A dpc auth >/dev/null 2>&1
done
wait_for "$start" 'type=RESP_ACCT_LOCK .*op=bhxhctl:directory_lock acct="dpc" .*reason=directory_lock.*res=success' 1
on B "$BHXHCTL" --conf "$T/B/bhxh.conf" lockout reset --user dpc >/dev/null || fail "reset"
wait_for "$start" 'op=bhxhctl:directory_unlock acct="dpc" .*reason=directory_unlock.*res=success' 1
audit_raw "$start" | grep -F -e "$P1" -e "$P2" -e 'Old-Pass-2026' && fail "a password in the audit log"
echo ok
