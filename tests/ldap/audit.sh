#!/bin/sh
# Each applied generation of bhxhctl db sync is one audit record
# (op=bhxhctl:db_sync, counts, revocations named); a refused update is
# audited with its reason.  A follower's patched generations (an account
# added, one deleted, a membership changed) are audited with the counts a
# full build gives.  Reads auditd's log: holds the audit tests' lock.
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
ldap_del "uid=rooty,ou=people,$SLAPD_BASE" || fail "ldapdelete rooty"
follow_start
wait_until 10 status_is connected || fail "follower not connected: $(cat "$T/follow.log")"
# a first change, seen through the plugin: the follower's first (full)
# build is then behind it, and what comes next is patched
printf 'dn: uid=u5,ou=people,%s\nchangetype: modify\nreplace: loginShell\nloginShell: /bin/sh\n' \
	"$SLAPD_BASE" | ldap_mod || fail "ldapmodify u5"
u5_changed() { echo "getent passwd u5" | in_ns | grep -q ':/bin/sh$'; }
wait_until 10 u5_changed || fail "no generation for u5: $(cat "$T/follow.log")"
g=$(db_gen)
p=$(grep -c '(patched)' "$T/follow.log")
ldif_user newbie 500900 600000 | ldap_add || fail "ldapadd newbie"
wait_until 5 gen_is $((g + 1)) || fail "no generation for newbie: $(cat "$T/follow.log")"
ldap_del "uid=u4,ou=people,$SLAPD_BASE" || fail "ldapdelete u4"
wait_until 5 gen_is $((g + 2)) || fail "no generation for u4: $(cat "$T/follow.log")"
printf 'dn: cn=g2,ou=groups,%s\nchangetype: modify\nadd: memberUid\nmemberUid: newbie\n' \
	"$SLAPD_BASE" | ldap_mod || fail "ldapmodify g2"
wait_until 5 gen_is $((g + 3)) || fail "no generation for g2: $(cat "$T/follow.log")"
assert_eq $((p + 3)) "$(grep -c '(patched)' "$T/follow.log")" "patched generations"
wait_for "$start" "op=bhxhctl:db_sync .*reason=applied .*generation=$((g + 1)) users=202 groups=21 added=1 removed=0 changed=0 revocations=0 .*res=success" 1
wait_for "$start" "op=bhxhctl:db_sync .*reason=applied .*generation=$((g + 2)) users=201 groups=21 added=0 removed=1 changed=0 revocations=1 revoked=\"u4\".*res=success" 1
wait_for "$start" "op=bhxhctl:db_sync .*reason=applied .*generation=$((g + 3)) users=201 groups=21 added=0 removed=0 changed=1 revocations=0 .*res=success" 1
echo ok
