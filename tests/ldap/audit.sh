#!/bin/sh
# Each applied generation of bhxhctl db sync is one audit record
# (op=bhxhctl:db_sync, counts, revocations named); a refused update is
# audited with its reason.  Reads auditd's log: holds the audit tests' lock.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/audit/common.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_root
require_slapd
require_cmd ausearch
ensure_auditd
ldap_setup
start=$(audit_now)
sleep 1
out=$(sync_once 2>&1) || fail "sync: $out"
echo "$out"
case $out in *"audit record not sent"*) fail "audit unavailable during the test: $out ($(auditctl -s | head -1))" ;; esac
wait_for "$start" 'type=USER_MGMT.*op=bhxhctl:db_sync acct="\?" reason=applied source="ldap://127\.0\.0\.1:[0-9]+/" generation=1 users=202 groups=21 added=223 removed=0 changed=0 revocations=0.*res=success' 1
ldap_mod <<L || fail "ldapmodify"
dn: uid=alice,ou=people,$SLAPD_BASE
changetype: modify
replace: employeeType
employeeType: revoked
L
ldap_del "uid=u3,ou=people,$SLAPD_BASE" || fail "ldapdelete"
out=$(sync_once 2>&1) || fail "sync: $out"
wait_for "$start" 'op=bhxhctl:db_sync .*reason=applied .*generation=2 users=201 groups=21 added=0 removed=1 changed=1 revocations=2 revoked="alice,u3".*res=success' 1
ldif_user rooty 0 600000 | ldap_add || fail "ldapadd"
sync_once >/dev/null 2>&1 && fail "uid 0 accepted"
wait_for "$start" 'op=bhxhctl:db_sync .*reason=invalid_source source="ldap://[^ ]*" generation=2 error=.*res=failed' 1
echo ok
