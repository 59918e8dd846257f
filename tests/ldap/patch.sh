#!/bin/sh
# bhxhctl db sync --follow patches accounts added and deleted and group
# membership changes into the installed generation instead of building the
# whole directory again: each change is seen through glibc with the plugin
# within 2 s (getent, id), the output says "(patched)", db verify passes;
# what the patch cannot prove right (a duplicate uid, a name that is also
# a local account) goes to the full build and is refused there, the last
# good generation serving.  At the end the patched generation is dumped
# through glibc (passwd, group, shadow, every name's groups) and compared
# with a full build of the same directory (--once into another database).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_cmd unshare
require_cmd getent
require_cmd setpriv
ldap_setup
P="ou=people,$SLAPD_BASE"
G="ou=groups,$SLAPD_BASE"
follow_start
wait_until 10 gen_is 1 || fail "no first generation: $(cat "$T/follow.log")"

npatched() { grep -c "(patched)" "$T/follow.log"; }
# step WHAT: the next generation comes within 2 s, patched
step() {
	wait_until 2 gen_is $((g + 1)) || fail "$1: no generation: $(tail -3 "$T/follow.log")"
	assert_eq $((p + 1)) "$(npatched)" "$1: patched"
	g=$((g + 1))
	p=$((p + 1))
}
g=$(db_gen)
p=$(npatched)

# An account added, with a password hash; resolvable by name and uid,
# enumerated, with its shadow entry.
ldif_user newbie 500900 600000 'userPassword: {CRYPT}$6$n$hash' | ldap_add || fail "ldapadd"
step "account added"
out=$(in_ns <<'NS'
echo "name=$(getent passwd newbie)"
echo "uid=$(getent passwd 500900 | cut -d: -f1)"
echo "shadow=$(getent shadow newbie | cut -d: -f2,3,5)"
echo "enum=$(getent passwd | grep -c '^newbie:')"
NS
) || fail "namespace: $out"
assert_match "name=newbie:x:500900:600000:User newbie:/home/newbie:/bin/bash" "$out" "added"
assert_match "uid=newbie" "$out" "added, by uid"
assert_match 'shadow=\$6\$n\$hash:19000:99999' "$out" "added, shadow"
assert_match "enum=1" "$out" "added, enumerated"
# ... for an ordinary user's process too (the patched files keep the
# installed modes: passwd.db for everyone, shadow.db not for nobody)
chmod 711 "$BHXH_TEST_ROOT" "$T"
out=$(in_ns <<'NS'
setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c \
	'echo "name=$(getent passwd newbie)"; echo "shadow=$(getent shadow newbie)"'
NS
) || fail "namespace: $out"
assert_match "name=newbie:x:500900:600000:" "$out" "added, seen by nobody"
assert_match "shadow=$" "$out" "added, shadow not for nobody"

# Group memberships: newbie and u4 join g3, u3 leaves it (id; u4's
# initgroups is compared with the full build's at the end).
ldap_mod <<L || fail "ldapmodify g3"
dn: cn=g3,$G
changetype: modify
add: memberUid
memberUid: newbie
memberUid: u4
-
delete: memberUid
memberUid: u3
L
step "membership"
out=$(in_ns <<'NS'
echo "newbie=$(id -Gn newbie)"
echo "u3=$(id -Gn u3)"
echo "u23=$(id -Gn u23)"
echo "g3=$(getent group g3)"
NS
) || fail "namespace: $out"
assert_match "newbie=.*g3" "$out" "joined g3"
case $(printf '%s\n' "$out" | grep '^u3=') in *g3*) fail "u3 still in g3: $out" ;; esac
assert_match "u23=.*g3" "$out" "others stay in g3"
assert_match "g3=g3:x:600003:u23,u43,u63" "$out" "g3 members"
case $(printf '%s\n' "$out" | grep '^g3=') in *u3,*|*,u3,*|*,u3) fail "u3 still listed: $out" ;; esac

# Accounts deleted: a plain one and a revoked one; gone by name and uid,
# from shadow, from the enumeration, from the revoked list.
ldap_del "uid=u5,$P" || fail "ldapdelete u5"
step "account deleted"
ldap_mod <<L || fail "ldapmodify alice"
dn: uid=alice,$P
changetype: modify
replace: employeeType
employeeType: revoked
L
step "revoked"
ldap_del "uid=alice,$P" || fail "ldapdelete alice"
step "revoked account deleted"
out=$(in_ns <<'NS'
echo "u5=$(getent passwd u5)$(getent passwd 500005)$(getent shadow u5)"
echo "alice=$(getent passwd alice)$(getent shadow alice)"
echo "enum=$(getent passwd | grep -c '^\(u5\|alice\):')"
echo "u6=$(getent passwd u6 | cut -d: -f1)"
NS
) || fail "namespace: $out"
assert_match "u5=$" "$out" "u5 gone"
assert_match "alice=$" "$out" "alice gone"
assert_match "enum=0" "$out" "gone from the enumeration"
assert_match "u6=u6" "$out" "the others stay"
out=$("$BHXHCTL" --conf "$CONF" db verify --db "$DB" 2>&1) || fail "db verify after patches: $out"

# The generation patched five times means what a full build of the same
# directory means.
same_as_full_build "after five patches" newbie

# A uid already taken, a name that is also a local account: the patch
# does not decide, the full build refuses; the last good generation
# serves, and the entries removed, the next change is applied.
ldif_user dupuid 500007 600000 | ldap_add || fail "ldapadd dupuid"
wait_until 5 grep -q "duplicate uid 500007" "$T/follow.log" ||
	fail "duplicate uid not refused: $(tail -3 "$T/follow.log")"
assert_eq "$g" "$(db_gen)" "generation after a duplicate uid"
ldap_del "uid=dupuid,$P" || fail "ldapdelete dupuid"
sleep 1.5 # applied in full (a generation when the order of the records differs)
g=$(db_gen)
ldif_user daemon 500901 600000 | ldap_add || fail "ldapadd daemon"
wait_until 5 grep -q "user 'daemon' is also a local account" "$T/follow.log" ||
	fail "local name not refused: $(tail -3 "$T/follow.log")"
assert_eq "$g" "$(db_gen)" "generation after a local name"
ldap_del "uid=daemon,$P" || fail "ldapdelete daemon"
ldif_user late 500902 600000 | ldap_add || fail "ldapadd late"
wait_until 5 ns_present late || fail "late not served: $(tail -3 "$T/follow.log")"
g=$(db_gen)
p=$(npatched)
ldif_user later 500903 600000 | ldap_add || fail "ldapadd later"
step "account added after refusals"

echo ok
