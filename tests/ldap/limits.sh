#!/bin/sh
# bhxhctl db sync --once against a slapd that gives the reader at most 10
# entries a search (any number through pages), with 12 revoked accounts:
# the revoked filter's search, asked without paging while the entries are
# read (a server keeps one paged search per connection), is cut short by
# the limit; it is then asked again with paging, and every revocation is
# applied (none lost, nothing refused).  Both with the sync control and
# without it (modifyTimestamp polling).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_cmd unshare
require_cmd getent
for variant in syncprov nosyncprov; do
	if [ $variant = syncprov ]; then
		ldap_setup sizelimit=10
	else
		ldap_setup sizelimit=10 nosyncprov
	fi
	# the limit holds for an unpaged search
	out=$(ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_READER_DN" -w "$SLAPD_READER_PW" \
		-b "$SLAPD_BASE" '(objectClass=posixAccount)' 1.1 2>&1) &&
		fail "$variant: the size limit does not hold: $(echo "$out" | tail -2)"
	for i in $(seq 100 111); do
		printf 'dn: uid=u%d,ou=people,%s\nchangetype: modify\nreplace: employeeType\nemployeeType: revoked\n\n' \
			"$i" "$SLAPD_BASE"
	done | ldap_mod || fail "ldapmodify"
	out=$(sync_once 2>&1) || fail "$variant: sync --once: $out"
	assert_match "installed generation 1 .*: 202 users, 21 groups" "$out" "$variant: sync"
	out=$(in_ns <<'NS'
for i in $(seq 98 113); do echo "u$i=$(getent shadow u$i | cut -d: -f8)"; done
NS
	) || fail "namespace: $out"
	for i in $(seq 100 111); do
		assert_match "u$i=1$" "$out" "$variant: u$i revoked"
	done
	for i in 98 99 112 113; do
		assert_match "u$i=$" "$out" "$variant: u$i not revoked"
	done
	slapd_stop
done
exit 0
