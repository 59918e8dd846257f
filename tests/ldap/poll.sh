#!/bin/sh
# bhxhctl db sync against a server without the sync control (a slapd
# without syncprov): --once and the --follow fallback read modifyTimestamp
# deltas from the saved state (entries modified since the last read, and
# the DNs alone to find deletions); additions, modifications, deletions,
# revocations and group changes reach getent/id in the namespace; a
# connection cut in the middle of a delta installs nothing and leaves the
# saved state as it was.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_cmd unshare
require_cmd getent
require_cmd md5sum
ldap_setup nosyncprov
P="ou=people,$SLAPD_BASE"
last_read() {
	"$BHXHCTL" --conf "$CONF" db status --json | sed -n 's/.*"last_read":"\([a-z]*\)".*/\1/p'
}
# ns_field NAME FIELD: a field of the account's passwd line through glibc
ns_field() { echo "getent passwd '$1' | cut -d: -f$2" | in_ns 2>/dev/null; }
field_is() { [ "$(ns_field "$1" "$2")" = "$3" ]; }

# (an entry whose modifyTimestamp is within 5 s of the previous read is
# read again, changed or not: the directory was loaded just now)
sleep 6
out=$(sync_once 2>&1) || fail "first sync: $out"
assert_match "installed generation 1 .*: 202 users, 21 groups" "$out" "first sync"
assert_eq full "$(last_read)" "first read"
[ -s "$STATE/poll.cache" ] || fail "no poll state saved"
out=$(sync_once 2>&1) || fail "second sync: $out"
assert_match "generation 1 .* is up to date" "$out" "unchanged directory"
assert_eq delta "$(last_read)" "second read"
out=$("$BHXHCTL" --conf "$CONF" db status 2>&1) || fail "db status: $out"
assert_match "last read: .*changed since the previous read" "$out" "db status text"

# An addition, a modification, a deletion, a revocation and a new group
# member, read as one delta.
ldif_user newbie 400500 600000 | ldap_add || fail "ldapadd newbie"
ldap_mod <<EOF2 || fail "ldapmodify"
dn: uid=u5,$P
changetype: modify
replace: loginShell
loginShell: /bin/zsh

dn: uid=alice,$P
changetype: modify
replace: employeeType
employeeType: revoked

dn: cn=ldstaff,ou=groups,$SLAPD_BASE
changetype: modify
add: memberUid
memberUid: u9
EOF2
ldap_del "uid=u6,$P" || fail "ldapdelete u6"
out=$(sync_once 2>&1) || fail "delta sync: $out"
assert_match "installed generation 2 .*\(1 added, 1 removed, 3 changed\)" "$out" "delta counts"
assert_eq delta "$(last_read)" "delta read"
out=$(in_ns <<'NS'
echo "new=$(getent passwd newbie | cut -d: -f3)"
echo "sh=$(getent passwd u5 | cut -d: -f7)"
echo "gone=$(getent passwd u6 || echo none)"
echo "sp=$(getent shadow alice | cut -d: -f1,8)"
echo "id=$(id -Gn u9)"
NS
) || fail "namespace: $out"
assert_match "new=400500" "$out" "added account"
assert_match "sh=/bin/zsh" "$out" "modified account"
assert_match "gone=none" "$out" "deleted account"
assert_match "sp=alice:1" "$out" "revoked account expired in shadow"
assert_match "id=g0 g9 ldstaff" "$out" "new group member"
out=$("$BHXHCTL" --conf "$CONF" db verify --db "$DB" 2>&1) || fail "db verify: $out"

# A connection cut in the middle of a delta (a fresh state through a proxy:
# the first connection reads everything, the second is cut after 25000
# bytes: after the listing of DNs and timestamps, inside the 100 changed
# entries read one by one): nothing installed, the state file as it was;
# the next run applies the whole delta.
cut_proxy 25000 1 1
STATE="$T/state2" LDAP_URI_OVERRIDE=$PROXY_URI write_conf
out=$(sync_once 2>&1) || fail "full read through the proxy: $out"
assert_eq full "$(last_read)" "new URI and state: full read"
for i in $(seq 100 199); do
	printf 'dn: uid=u%d,%s\nchangetype: modify\nreplace: loginShell\nloginShell: /bin/ksh\n\n' \
		"$i" "$P"
done | ldap_mod || fail "ldapmodify of 100 accounts"
g=$(db_gen)
sum=$(md5sum <"$T/state2/poll.cache")
out=$(sync_once 2>&1) && fail "cut delta accepted: $out"
echo "cut: $out"
assert_match "cannot read the directory, nothing installed: .*: search uid=u1[0-9][0-9],ou=people" \
	"$out" "cut while reading the changed entries"
assert_eq "$g" "$(db_gen)" "generation after the cut"
assert_eq "$sum" "$(md5sum <"$T/state2/poll.cache")" "state after the cut"
assert_eq /bin/bash "$(ns_field u150 7)" "nothing of the cut delta served"
out=$(sync_once 2>&1) || fail "after the cut: $out"
assert_match "installed generation $((g + 1)) .*\(0 added, 0 removed, 100 changed\)" "$out" \
	"delta after the cut"
assert_eq delta "$(last_read)" "read after the cut"
assert_eq /bin/ksh "$(ns_field u150 7)" "delta served after the cut"
kill "$PROXY_PID" 2>/dev/null

# --follow falls back to polling, from the state the --once runs saved:
# each kind of change reaches glibc within a few polls.
write_conf "ldap_poll_interval = 1"
: >"$T/follow.log"
follow_start
wait_until 10 grep -q "does not offer the sync control" "$T/follow.log" ||
	fail "no fallback: $(cat "$T/follow.log")"
wait_until 10 status_is polling || fail "not polling: $(cat "$T/follow.log")"
assert_eq delta "$(last_read)" "the poller reads deltas from the saved state"
ldap_mod <<EOF2 || fail "ldapmodify"
dn: uid=u7,$P
changetype: modify
replace: loginShell
loginShell: /bin/dash
EOF2
wait_until 10 field_is u7 7 /bin/dash || fail "modification not polled: $(tail -5 "$T/follow.log")"
ldap_del "uid=newbie,$P" || fail "ldapdelete newbie"
wait_until 10 ns_absent newbie || fail "deletion not polled: $(tail -5 "$T/follow.log")"
ldif_user polled 400501 600000 | ldap_add || fail "ldapadd polled"
wait_until 10 ns_present polled || fail "addition not polled: $(tail -5 "$T/follow.log")"
ldap_mod <<EOF2 || fail "ldapmodify"
dn: uid=bob,$P
changetype: modify
replace: employeeType
employeeType: revoked

dn: cn=ldstaff,ou=groups,$SLAPD_BASE
changetype: modify
delete: memberUid
memberUid: u9
EOF2
revoked_bob() { echo "getent shadow bob | cut -d: -f8" | in_ns 2>/dev/null | grep -qx 1; }
wait_until 10 revoked_bob || fail "revocation not polled: $(tail -5 "$T/follow.log")"
out=$(echo "id -Gn u9" | in_ns) || fail "namespace"
assert_eq "g0 g9" "$out" "group change polled"
assert_eq delta "$(last_read)" "the poller reads deltas"
follow_stop
grep -q bhxh /etc/nsswitch.conf && fail "real nsswitch.conf changed"
echo ok
