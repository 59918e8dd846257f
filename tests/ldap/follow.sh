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

# Changes of accounts that keep their name and uid are patched into the
# installed generation (no full build): passwd fields, shadow fields, a
# revocation lifted and set again; a new name or a name taken from another
# account goes through the full build (and its refusals).  Each result is
# what glibc sees, and db verify checks the files.
g=$(db_gen)
ldap_mod <<L || fail "ldapmodify u20"
dn: uid=u20,$P
changetype: modify
replace: loginShell
loginShell: /bin/zsh
-
replace: gecos
gecos: Patched Twenty
L
wait_until 5 gen_is $((g + 1)) || fail "no generation for u20: $(tail -3 "$T/follow.log")"
ldap_mod <<L || fail "ldapmodify u21 alice"
dn: uid=u21,$P
changetype: modify
replace: shadowMax
shadowMax: 42

dn: uid=alice,$P
changetype: modify
delete: employeeType
L
wait_until 5 gen_is $((g + 2)) || fail "no generation for u21: $(tail -3 "$T/follow.log")"
out=$(in_ns <<'NS'
echo "u20=$(getent passwd u20)"
echo "u21=$(getent shadow u21 | cut -d: -f5)"
echo "alice=$(getent shadow alice | cut -d: -f8)"
echo "u19=$(getent passwd u19)"
NS
) || fail "namespace: $out"
assert_match "u20=u20:x:500020:600000:Patched Twenty:/home/u20:/bin/zsh" "$out" "patched passwd fields"
assert_match "u21=42" "$out" "patched shadow field"
assert_match "alice=$" "$out" "revocation lifted"
assert_match "u19=u19:x:500019:600000:User 19:/home/u19:/bin/bash" "$out" "other records kept"
out=$("$BHXHCTL" --conf "$CONF" db verify --db "$DB" 2>&1) || fail "db verify after patches: $out"
ldap_mod <<L || fail "ldapmodify alice"
dn: uid=alice,$P
changetype: modify
replace: employeeType
employeeType: revoked
L
wait_until 5 gen_is $((g + 3)) || fail "no generation for alice: $(tail -3 "$T/follow.log")"
out=$(in_ns <<<'getent shadow alice | cut -d: -f8') || fail "namespace"
assert_eq 1 "$out" "revoked again"
"$BHXHCTL" --conf "$CONF" db verify --db "$DB" >/dev/null || fail "db verify after revocation"
# a new name: the full build (the old name gone, the new one served)
ldap_mod <<L || fail "ldapmodify u22"
dn: uid=u22,$P
changetype: modrdn
newrdn: uid=u22x
deleteoldrdn: 1
L
wait_until 5 gen_is $((g + 4)) || fail "no generation for u22: $(tail -3 "$T/follow.log")"
ns_absent u22 || fail "u22 still served after its rename"
ns_present u22x || fail "u22x not served"
# another account's name taken by an entry (its RDN moved to cn first: a
# new DN with the same name, nothing to install): refused as a duplicate,
# then put back
ldap_mod <<L || fail "ldapmodify u23 rdn"
dn: uid=u23,$P
changetype: modrdn
newrdn: cn=User 23
deleteoldrdn: 0
L
ldap_mod <<L || fail "ldapmodify u23"
dn: cn=User 23,$P
changetype: modify
replace: uid
uid: u24
L
wait_until 5 grep -q "duplicate user 'u24'" "$T/follow.log" ||
	fail "duplicate name not refused: $(tail -3 "$T/follow.log")"
assert_eq $((g + 4)) "$(db_gen)" "generation after the refused rename"
ldap_mod <<L || fail "ldapmodify u23 back"
dn: cn=User 23,$P
changetype: modify
replace: uid
uid: u23
-
replace: loginShell
loginShell: /bin/ksh
L
wait_until 5 gen_is $((g + 5)) || fail "no generation after the fix: $(tail -3 "$T/follow.log")"
out=$(in_ns <<<'getent passwd u23; getent passwd u24') || fail "namespace"
assert_match "^u23:x:500023:.*:/bin/ksh u24:x:500024:" "$(echo $out)" "u23 and u24 after the fix"
"$BHXHCTL" --conf "$CONF" db verify --db "$DB" >/dev/null || fail "db verify after the fix"

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
# a deletion builds everything again, the others' revocations as they were
out=$(in_ns <<<'getent shadow alice | cut -d: -f8') || fail "namespace"
assert_eq 1 "$out" "still revoked after a deletion"
ns_absent u11 || fail "u11 still served after its deletion"

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
