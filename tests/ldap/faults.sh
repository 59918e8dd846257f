#!/bin/sh
# Bad input and faults of bhxhctl db sync --once: each gives a clear error
# (naming the entry's DN where there is one), installs nothing, and leaves
# the installed generation as it was.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
ldap_setup tls
P="ou=people,$SLAPD_BASE"

# -- connection faults, before anything is installed --
printf 'wrong\n' >"$T/badpw"
chmod 600 "$T/badpw"
write_conf "ldap_bind_pw_file = $T/badpw"
expect_refused "wrong bind password" "bind as cn=reader,dc=bhxh,dc=test: Invalid credentials"
chmod 644 "$T/pw"
write_conf
expect_refused "password file readable by others" "must be a regular file owned by root with mode 0600"
chmod 600 "$T/pw"
LDAP_URI_OVERRIDE="ldap://127.0.0.1:1/" write_conf
expect_refused "unreachable server" "Can't contact LDAP server"
[ -e "$DB/passwd.db" ] && fail "something was installed"
# TLS: StartTLS with an unknown CA fails; with the test CA it works.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other CA" \
	-keyout "$T/other.key" -out "$T/other.pem" >/dev/null 2>&1 || fail "openssl"
write_conf "ldap_starttls = yes" "ldap_tls_cacert = $T/other.pem"
expect_refused "TLS with the wrong CA" "StartTLS failed"
# failover: the first URI is down, the second answers (over TLS)
LDAP_URI_OVERRIDE="ldap://127.0.0.1:1/ $SLAPD_URI" write_conf "ldap_starttls = yes" \
	"ldap_tls_cacert = $T/slapd/ca.pem"
out=$(sync_once 2>&1) || fail "failover + StartTLS: $out"
assert_eq 1 "$(db_gen)" "first generation"
write_conf

# -- bad entries: each refused naming its DN --
add_bad() { # LDIF on stdin; refused with REGEX; then the entry is deleted
	ldap_add || fail "ldapadd"
	expect_refused "$1" "$2"
	ldap_del "$3" || fail "ldapdelete $3"
}
write_conf "ldap_user_filter = (uid=*)"
ldif_user nonum 1 1 | sed '/^uidNumber/d;/posixAccount/d;/^gidNumber/d;/^homeDirectory/d;/^loginShell/d' |
	add_bad "missing uidNumber" "uid=nonum,$P: missing uidNumber" "uid=nonum,$P"
ldif_user negnum -5 600000 | add_bad "malformed uidNumber" "uid=negnum,$P: malformed uidNumber '-5'" "uid=negnum,$P"
ldif_user rooty 0 600000 | add_bad "uid 0" "uid=rooty,$P: uidNumber 0 \(root\) is refused" "uid=rooty,$P"
ldif_user u5x 500005 600000 | add_bad "duplicate uid" "uid=u5x,$P: duplicate uid 500005 \(also uid=u5,$P\)" "uid=u5x,$P"
ldap_add <<EOF2 || fail "ldapadd ou"
dn: ou=more,$SLAPD_BASE
objectClass: organizationalUnit
ou: more
EOF2
ldif_user u7 400100 600000 | sed "s/,ou=people,/,ou=more,/" |
	add_bad "duplicate name" "duplicate user 'u7'" "uid=u7,ou=more,$SLAPD_BASE"
ldif_user daemon 400101 600000 | add_bad "local account" "uid=daemon,$P: user 'daemon' is also a local account in /etc/passwd" "uid=daemon,$P"
# A 10 MB attribute: refused by size, never stored.
{
	ldif_user huge 400102 600000 | sed '/^$/d'
	printf 'gecos: '
	head -c 10485760 /dev/zero | tr '\0' 'a'
	printf '\n\n'
} >"$T/huge.ldif"
add_bad "10 MB attribute" "uid=huge,$P: gecos is longer than 4096 bytes" "uid=huge,$P" <"$T/huge.ldif"
write_conf

# A group cycle (rfc2307bis).
write_conf "ldap_schema = rfc2307bis" \
	"ldap_group_filter = (|(objectClass=posixGroup)(objectClass=bhxhTestPosixGroupAux))"
ldap_add <<EOF2 || fail "ldapadd cycle"
dn: cn=cyca,ou=groups,$SLAPD_BASE
objectClass: groupOfNames
objectClass: bhxhTestPosixGroupAux
cn: cyca
gidNumber: 700030
member: cn=cycb,ou=groups,$SLAPD_BASE

dn: cn=cycb,ou=groups,$SLAPD_BASE
objectClass: groupOfNames
objectClass: bhxhTestPosixGroupAux
cn: cycb
gidNumber: 700031
member: cn=cyca,ou=groups,$SLAPD_BASE
EOF2
expect_refused "group cycle" "cn=cyc[ab],ou=groups,$SLAPD_BASE: group cycle through cn=cyc[ab],ou=groups"
ldap_del "cn=cyca,ou=groups,$SLAPD_BASE" "cn=cycb,ou=groups,$SLAPD_BASE"
write_conf

# Mass deletion: 30 of 202 accounts is more than db_max_delete=10%.
for i in $(seq 100 129); do echo "uid=u$i,$P"; done >"$T/dns"
ldap_del -f "$T/dns" || fail "ldapdelete"
expect_refused "mass deletion" "removes 30 of 202 accounts, more than db_max_delete=10%"
out=$(sync_once --force 2>&1) || fail "--force: $out"
assert_eq 2 "$(db_gen)" "forced generation"

# A server that closes the connection in the middle of the search.
cut_proxy 20000 100
LDAP_URI_OVERRIDE=$PROXY_URI write_conf
ldif_user late 400200 600000 | ldap_add || fail "ldapadd late"
expect_refused "connection cut mid-search" "Can't contact LDAP server|connection|search"
"$BHXHCTL" --conf "$CONF" db verify --db "$DB" >/dev/null || fail "database damaged"
echo ok
