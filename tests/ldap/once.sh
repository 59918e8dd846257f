#!/bin/sh
# bhxhctl db sync --once against a private slapd: the directory is
# installed as a generation, resolved through glibc with the plugin (a
# private mount namespace), read again without a new generation when
# nothing changed, revocations and rfc2307bis nested groups applied.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_cmd unshare
require_cmd getent
ldap_setup

out=$(sync_once 2>&1) || fail "sync --once: $out"
assert_match "installed generation 1 .*: 202 users, 21 groups, 202 shadow entries" "$out" "first sync"
out=$("$BHXHCTL" --conf "$CONF" db verify --db "$DB" 2>&1) || fail "db verify: $out"
out=$(in_ns <<'NS'
echo "pw=$(getent passwd alice)"
echo "id=$(id u3)"
echo "gr=$(getent group ldstaff)"
echo "sp=$(getent shadow alice)"
echo "n=$(getent passwd u199 | cut -d: -f3)"
NS
) || fail "namespace: $out"
assert_match "pw=alice:x:400001:600000:User alice:/home/alice:/bin/bash" "$out" "getent passwd"
assert_match "id=uid=500003\(u3\) gid=600000\(g0\) groups=600000\(g0\),600003\(g3\)" "$out" "id"
assert_match "gr=ldstaff:x:700001:alice,bob" "$out" "getent group"
assert_match 'sp=alice:\$6\$salt\$hash:19000::99999::::' "$out" "{CRYPT} hash and shadow fields"
assert_match "n=500199" "$out" "last account"

# Nothing changed: no new generation.
out=$(sync_once 2>&1) || fail "second sync: $out"
assert_match "generation 1 .* is up to date" "$out" "unchanged directory"
# This server offers the sync control: --once keeps no modifyTimestamp
# read state (that is for servers without it: poll.sh)
[ -e "$STATE/poll.cache" ] && fail "--once saved a poll state for a server with the sync control"

# A revocation (ldap_revoked_filter) and a new member.
ldap_mod <<EOF2
dn: uid=alice,ou=people,$SLAPD_BASE
changetype: modify
replace: employeeType
employeeType: revoked

dn: cn=ldstaff,ou=groups,$SLAPD_BASE
changetype: modify
add: memberUid
memberUid: u7
EOF2
out=$(sync_once 2>&1) || fail "sync after change: $out"
assert_match "installed generation 2 .*0 added, 0 removed, 2 changed" "$out" "second generation"
out=$(in_ns <<'NS'
echo "sp=$(getent shadow alice | cut -d: -f1,8)"
echo "id=$(id -Gn u7)"
NS
) || fail "namespace: $out"
assert_match "sp=alice:1" "$out" "revoked account expired in shadow"
assert_match "id=g0 g7 ldstaff" "$out" "new member"
json=$("$BHXHCTL" --conf "$CONF" db status --json) || fail "db status"
assert_match '"generation":2,"users":202,"groups":21' "$json" "db status --json"
assert_match '"mode":"once","state":"done"' "$json" "db status state"
# the status file is read only as the follower writes it: a link in its
# place, or a file others may write, says nothing
mv "$STATE/status" "$STATE/status.real"
sed 's/^state=.*/state=forged/' "$STATE/status.real" >"$T/forged"
ln -s "$T/forged" "$STATE/status"
json=$("$BHXHCTL" --conf "$CONF" db status --json) || fail "db status"
[[ $json != *forged* ]] || fail "db status followed a link: $json"
rm "$STATE/status"
cp "$T/forged" "$STATE/status"
chmod 666 "$STATE/status"
json=$("$BHXHCTL" --conf "$CONF" db status --json) || fail "db status"
[[ $json != *forged* ]] || fail "db status believed a file others may write: $json"
mv "$STATE/status.real" "$STATE/status"
assert_match '"state":"done"' "$("$BHXHCTL" --conf "$CONF" db status --json)" "db status again"
# a sync killed between writing its status and renaming it leaves
# .status.PID: the next sync removes those of processes gone, not others'
sleep 0 & dead=$!
wait "$dead"
sleep 300 & alive=$!
on_exit "kill $alive 2>/dev/null"
: >"$STATE/.status.$dead"
: >"$STATE/.status.$alive"
out=$(sync_once 2>&1) || fail "sync after a killed one: $out"
[ ! -e "$STATE/.status.$dead" ] || fail "a dead sync's temporary status file left"
[ -e "$STATE/.status.$alive" ] || fail "a running sync's temporary status file removed"
rm -f "$STATE/.status.$alive"
kill "$alive"

# SASL EXTERNAL over ldapi:// (root's peer credentials), no password.
LDAP_URI_OVERRIDE=$SLAPD_LDAPI LDAP_NO_BIND=1 write_conf "ldap_sasl_external = yes"
out=$(sync_once 2>&1) || fail "SASL EXTERNAL over ldapi: $out"
# (this identity may not read userPassword: alice's hash is no longer served)
assert_match "installed generation 3 .*\(0 added, 0 removed, 0 changed\)" "$out" "SASL EXTERNAL sync"
out=$(in_ns <<<'getent shadow alice') || fail "namespace"
assert_match "^alice:\*:19000:" "$out" "hash not readable by this identity"

# rfc2307bis: groupOfNames with member DNs, nested groups resolved.
ldap_add <<EOF2
dn: cn=bisinner,ou=groups,$SLAPD_BASE
objectClass: groupOfNames
objectClass: bhxhTestPosixGroupAux
cn: bisinner
gidNumber: 700020
member: uid=bob,ou=people,$SLAPD_BASE

dn: cn=bisouter,ou=groups,$SLAPD_BASE
objectClass: groupOfNames
objectClass: bhxhTestPosixGroupAux
cn: bisouter
gidNumber: 700021
member: uid=u9, ou=people, $SLAPD_BASE
member: cn=bisinner,ou=groups,$SLAPD_BASE
member: cn=nobody,ou=elsewhere,$SLAPD_BASE
EOF2
write_conf "ldap_schema = rfc2307bis" \
	"ldap_group_filter = (|(objectClass=posixGroup)(objectClass=bhxhTestPosixGroupAux))"
out=$(sync_once 2>&1) || fail "rfc2307bis sync: $out"
out=$(in_ns <<'NS'
echo "outer=$(getent group bisouter)"
echo "bob=$(id -Gn bob)"
NS
) || fail "namespace: $out"
assert_match "outer=bisouter:x:700021:u9,bob" "$out" "nested group members"
assert_match "bob=g0 ldstaff bisinner bisouter" "$out" "nested membership in id"
grep -q bhxh /etc/nsswitch.conf && fail "real nsswitch.conf changed"
echo ok
