#!/bin/sh
# bhxhctl db sync --follow against a private slapd (syncprov): deletions,
# revocations and membership changes made with ldapdelete/ldapmodify are
# seen through glibc with the plugin (getent, id, and processes of root and
# of an ordinary user that were already running) within 2 s; a bad change is refused while the last good
# generation keeps serving; the server going away and coming back; a
# restart resumes from the saved cookie; a connection cut in the middle of
# the refresh; a server without the sync control (periodic full reads).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_cmd unshare
require_cmd getent
require_cmd python3
require_cmd setpriv
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 (the system's, for an ordinary user)"
ldap_setup
P="ou=people,$SLAPD_BASE"
follow_start
wait_until 10 gen_is 1 || fail "no first generation: $(cat "$T/follow.log")"
status_is connected || fail "not connected: $("$BHXHCTL" --conf "$CONF" db status)"

# Changes within 2 s, seen by getent/id and by a running process.
# An ordinary user's process too (nobody): the scratch directories are
# made traversable, the database is 0755/0644 as installed.
chmod 711 "$BHXH_TEST_ROOT" "$T"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
out=$(in_ns <<NS
python3 "$top_srcdir/tests/ldap/watch.py" u7 10 >"$T/watch.out" &
W=\$!
$NOBODY /usr/bin/python3 "$top_srcdir/tests/ldap/watch.py" u7 10 >"$T/watch2.out" 2>&1 &
W2=\$!
for _ in \$(seq 100); do grep -q ready "$T/watch.out" 2>/dev/null && grep -q ready "$T/watch2.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$T/watch2.out" || echo "nobody_error=\$(cat "$T/watch2.out")"
ms() { echo \$(( (\$(date +%s%N) - t0) / 1000000 )); }
t0=\$(date +%s%N)
ldapdelete -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" "uid=u7,$P"
while getent passwd u7 >/dev/null; do [ \$(ms) -gt 5000 ] && break; sleep 0.01; done
echo "delete_ms=\$(ms)"
wait \$W \$W2
echo "running_ms=\$(( (\$(tail -1 "$T/watch.out") - t0) / 1000000 ))"
echo "nobody_ms=\$(( (\$(tail -1 "$T/watch2.out") - t0) / 1000000 ))"
t0=\$(date +%s%N)
ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null <<L
dn: uid=alice,$P
changetype: modify
replace: employeeType
employeeType: revoked
L
while [ "\$(getent shadow alice | cut -d: -f8)" != 1 ]; do [ \$(ms) -gt 5000 ] && break; sleep 0.01; done
echo "revoke_ms=\$(ms)"
t0=\$(date +%s%N)
ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null <<L
dn: cn=ldstaff,ou=groups,$SLAPD_BASE
changetype: modify
add: memberUid
memberUid: u8
L
while ! $NOBODY id -Gn u8 | grep -qw ldstaff; do [ \$(ms) -gt 5000 ] && break; sleep 0.01; done
echo "member_ms=\$(ms)"
NS
) || fail "namespace: $out"
echo "$out"
for what in delete running nobody revoke member; do
	ms=$(printf '%s\n' "$out" | sed -n "s/^${what}_ms=//p")
	[ -n "$ms" ] && [ "$ms" -ge 0 ] && [ "$ms" -lt 2000 ] || fail "$what not seen within 2 s ($ms ms)"
done

# A bad change is refused; the last good generation keeps serving.
g=$(db_gen)
ldap_mod <<L || fail "ldapmodify"
dn: uid=bob,$P
changetype: modify
replace: uidNumber
uidNumber: 0
L
wait_until 5 grep -q "uid=bob,$P: uidNumber 0 (root) is refused" "$T/follow.log" ||
	fail "bad change not reported: $(cat "$T/follow.log")"
assert_eq "$g" "$(db_gen)" "generation after a refused change"
out=$(in_ns <<<'getent passwd bob') || fail "bob no longer served"
assert_match "bob:x:400002:" "$out" "last good generation"
ldap_mod <<L || fail "ldapmodify"
dn: uid=bob,$P
changetype: modify
replace: uidNumber
uidNumber: 400002
L
ldap_del "uid=u11,$P" || fail "ldapdelete u11"
wait_until 5 gen_is $((g + 1)) || fail "no generation after the fix: $(tail -3 "$T/follow.log")"

# The server goes away: logins keep working, db status says so.
slapd_stop
wait_until 5 status_is disconnected || fail "status not disconnected"
st=$("$BHXHCTL" --conf "$CONF" db status) || fail "db status"
echo "$st"
assert_match "keeps serving the installed generation" "$st" "db status while down"
out=$(in_ns <<<'getent passwd u12') || fail "u12 not served while the server is down"
slapd_restart
wait_until 15 status_is connected || fail "no reconnection: $(tail -5 "$T/follow.log")"
g=$(db_gen)
ldap_del "uid=u13,$P" || fail "ldapdelete u13"
wait_until 5 gen_is $((g + 1)) || fail "no generation after reconnecting"

# A restart resumes from the saved cookie and sees what changed meanwhile.
follow_stop
ldap_del "uid=u14,$P" || fail "ldapdelete u14"
follow_start
wait_until 5 gen_is $((g + 2)) || fail "change made while stopped not applied"
grep -q "resuming from the saved sync state" "$T/follow.log" || fail "did not resume"
ns_absent u14 || fail "u14 not removed"
follow_stop

# The connection is cut in the middle of the refresh (fresh state): the
# follower says so, reconnects and gets there.
cut_proxy 30000 1
STATE="$T/state2" LDAP_URI_OVERRIDE=$PROXY_URI write_conf
: >"$T/follow.log"
follow_start
wait_until 15 status_is connected || fail "no recovery from a cut refresh: $(cat "$T/follow.log")"
grep -Eq "unreachable|lost" "$T/follow.log" || fail "cut not reported: $(cat "$T/follow.log")"
follow_stop

# A server without the sync control: periodic full reads.
slapd_stop
slapd_init "$T/slapd3" nosyncprov
{ cat "$T/dir.ldif"; ldif_user nosync 400300 600000; } >"$T/dir3.ldif"
slapd_load "$T/dir3.ldif"
slapd_start
STATE="$T/state3" write_conf "ldap_poll_interval = 1"
: >"$T/follow.log"
g=$(db_gen)
follow_start
wait_until 10 grep -q "does not offer the sync control" "$T/follow.log" ||
	fail "no fallback: $(cat "$T/follow.log")"
wait_until 10 ns_present nosync || fail "fallback did not install: $(cat "$T/follow.log")"
ldap_del "uid=nosync,$P" || fail "ldapdelete nosync"
wait_until 10 ns_absent nosync ||
	fail "fallback polling does not apply deletions: $(tail -5 "$T/follow.log")"
follow_stop
grep -q bhxh /etc/nsswitch.conf && fail "real nsswitch.conf changed"
echo ok
