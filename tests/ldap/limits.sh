#!/bin/sh
# The full read: each search is asked first without paging (the server's
# cheapest), and again with paging only when the server cuts it short.
#
# 1. A slapd that gives the reader at most 10 entries a search (any number
#    through pages), with 12 revoked accounts: the searches of accounts, of
#    groups and of the revoked filter are each cut short by the limit after
#    10 entries; each is then asked again with paging, and every entry is
#    installed once (the counts; through the pages, each account sent once
#    more in all), every revocation applied (none lost, nothing refused).
#    Both with the sync control and without it (modifyTimestamp polling).
# 2. A slapd without a limit: one unpaged search of accounts, one of groups
#    (slapd's log: no pages), asking only for the attributes the server's
#    schema defines (with and without the ppolicy overlay), and for all of
#    them when the schema cannot be read.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_cmd unshare
require_cmd getent

# mark: where slapd's log (stats) is now
mark() { LOG_FROM=$(($(wc -l <"$SLAPD_DIR/slapd.log") + 1)); }
# searches FILTER-REGEX: "nentries err" of each search since the mark whose
# filter matches, one line each.
searches() {
	tail -n "+$LOG_FROM" "$SLAPD_DIR/slapd.log" | awk -v re="$1" '
		/ SRCH base=/ { c = $3 " " $4; want[c] = ($0 ~ re) }
		/ SEARCH RESULT / { c = $3 " " $4
			if (want[c]) {
				n = ""; e = ""
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^nentries=/) n = substr($i, 10)
					if ($i ~ /^err=/) e = substr($i, 5)
				}
				print n, e
			}
			delete want[c] }'
}
# sum of the entries of the searches that ended well, and how many did
sum_ok() { awk '$2 == 0 { s += $1; n++ } END { print s + 0, n + 0 }'; }

for variant in syncprov nosyncprov; do
	if [ $variant = syncprov ]; then
		ldap_setup sizelimit=10 stats
	else
		ldap_setup sizelimit=10 nosyncprov stats
	fi
	# the limit holds for an unpaged search
	out=$(ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_READER_DN" -w "$SLAPD_READER_PW" \
		-b "$SLAPD_BASE" '(objectClass=posixAccount)' 1.1 2>&1) &&
		fail "$variant: the size limit does not hold: $(echo "$out" | tail -2)"
	for i in $(seq 100 111); do
		printf 'dn: uid=u%d,ou=people,%s\nchangetype: modify\nreplace: employeeType\nemployeeType: revoked\n\n' \
			"$i" "$SLAPD_BASE"
	done | ldap_mod || fail "ldapmodify"
	mark
	out=$(sync_once 2>&1) || fail "$variant: sync --once: $out"
	assert_match "installed generation 1 .*: 202 users, 21 groups" "$out" "$variant: sync"
	# each search cut short after 10 entries (err=4: sizeLimitExceeded),
	# then every entry once through the pages (7 entries a page)
	for what in 'objectClass=posixAccount\)\)"$:202' 'objectClass=posixGroup\)\)"$:21' \
		'employeeType=revoked\)\)"$:12'; do
		s=$(searches "${what%:*}")
		echo "$variant: ${what%:*}: $(echo "$s" | tr '\n' ' ')"
		assert_eq "10 4" "$(echo "$s" | head -1)" "$variant: ${what%:*}: first search"
		assert_eq "1" "$(echo "$s" | grep -c ' 4$')" "$variant: ${what%:*}: cut once"
		ok=$(echo "$s" | sum_ok)
		assert_eq "${what#*:}" "${ok% *}" "$variant: ${what%:*}: entries through the pages"
		[ "${ok#* }" -gt 1 ] || fail "$variant: ${what%:*}: not paged: $s"
	done
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

# no limit: one search each, unpaged; of the attributes, only those the
# server's schema defines (without the ppolicy overlay, slapd knows neither
# pwdChangedTime nor pwdAccountLockedTime; with it, both); a server whose
# schema cannot be read is asked for every configured attribute, and the
# sync is the same
for variant in noppolicy noschema ppolicy; do
	if [ $variant = noppolicy ]; then
		ldap_setup stats
	elif [ $variant = noschema ]; then
		ldap_setup stats noschema
		# the reader is refused the schema (and still reads the root DSE)
		s=$(ldapsearch -LLL -x -H "$SLAPD_URI" -D "$SLAPD_READER_DN" -w "$SLAPD_READER_PW" \
			-b cn=Subschema -s base '(objectClass=*)' attributeTypes 2>&1 | grep -c '^attributeTypes:')
		assert_eq 0 "$s" "noschema: the schema is unreadable"
	else
		[ -f "$SLAPD_MODDIR/ppolicy.so" ] || break
		ldap_setup stats ppolicy
	fi
	mark
	out=$(sync_once 2>&1) || fail "$variant: sync --once: $out"
	assert_match "installed generation 1 .*: 202 users, 21 groups" "$out" "$variant: sync"
	for what in 'objectClass=posixAccount\)\)"$:202' 'objectClass=posixGroup\)\)"$:21' \
		'employeeType=revoked\)\)"$:0'; do
		s=$(searches "${what%:*}")
		echo "$variant: ${what%:*}: $s"
		assert_eq "${what#*:} 0" "$s" "$variant: ${what%:*}: one unpaged search"
	done
	a=$(tail -n "+$LOG_FROM" "$SLAPD_DIR/slapd.log" | grep ' SRCH attr=uid uidNumber ' | head -1)
	echo "$variant: $a"
	assert_match "attr=uid uidNumber gidNumber .*shadowLastChange" "$a" "$variant: attributes"
	if [ $variant = noppolicy ]; then
		case $a in *pwd*) fail "$variant: attributes the schema lacks asked for: $a" ;; esac
	else # ppolicy: both defined; noschema: not known to be undefined
		assert_match " pwdChangedTime pwdAccountLockedTime$" "$a" "$variant: attributes"
	fi
	slapd_stop
done
exit 0
