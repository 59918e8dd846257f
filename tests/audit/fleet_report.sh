#!/bin/bash
# bhxhctl report on a collector's log (no root, no auditd): per-host
# counters, the fleet alerts with thresholds from bhxh.conf, output that
# parsers accept (JSON through a JSON parser, CSV as strict UTF-8) even when
# a record holds bytes that are not UTF-8, and the HTML page's structure.
. "$top_srcdir/tests/lib.sh"
require_cmd python3
d=$(scratch_dir)
serial=0
rec() { # NODE TYPE TIME BODY
	serial=$((serial + 1))
	printf "node=%s type=%s msg=audit(%s.000:%s): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='%s'\n" \
		"$1" "$2" "$3" "$serial" "$4"
}
failed_login() { # NODE TIME ACCT SOURCE
	rec "$1" USER_AUTH "$2" "op=PAM:authentication grantors=? acct=\"$3\" exe=\"/usr/sbin/sshd\" hostname=$4 addr=$4 terminal=ssh res=failed"
}
t0=1795600000
{
	# spraying: 12 accounts from one address on 4 machines in 4 minutes
	for i in $(seq 0 11); do failed_login "may00$((i % 4))" $((t0 + i * 20)) "nv$i" 198.51.100.7; done
	# one account guessed on 6 machines, twice each, in 50 minutes
	for i in $(seq 0 11); do failed_login "may1$((i / 2))" $((t0 + 1000 + i * 250)) tranh "10.1.0.$i"; done
	# an account name that is not UTF-8 (hex FF FE 41) and a control char
	rec pc9 USER_AUTH $((t0 + 9000)) "op=PAM:authentication grantors=? acct=FFFE41 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=failed"
	rec pc9 USER_AUTH $((t0 + 9001)) "op=PAM:authentication grantors=? acct=610A62 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=failed"
	# a revoked account
	rec pc3 TRUSTED_APP $((t0 + 9500)) "op=PAM:bhxh_account acct=\"cu\" reason=revoked grantors=bhxh exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=failed"
	# an expiry warning
	rec pc3 TRUSTED_APP $((t0 + 9600)) "op=PAM:bhxh_account acct=\"lan\" reason=warn_expiry grantors=bhxh days_left=5 expires=2026-12-01 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=success"
} >"$d/fleet.log"
: >"$d/empty.conf"

json=$("$BHXHCTL" --conf "$d/empty.conf" report --json "$d/fleet.log") || fail "report --json"
printf '%s' "$json" | python3 -m json.tool >/dev/null || fail "report --json is not valid JSON"
py() { printf '%s' "$json" | python3 -c "import json,sys; j=json.load(sys.stdin); $1"; }
assert_eq 12 "$(py 'print(len(j["hosts"]))')" "hosts list"
assert_eq "may000 3" "$(py 'h=[x for x in j["hosts"] if x["host"]=="may000"][0]; print(h["host"], h["auth_failures"])')" "host counters"
assert_eq "password_spraying 198.51.100.7 12 4" \
	"$(py 'a=[x for x in j["alerts"] if x["kind"]=="password_spraying"][0]; print(a["kind"], a["source"], a["account_count"], a["host_count"])')" "spraying alert"
assert_eq "account_failing_on_many_hosts tranh 6" \
	"$(py 'a=[x for x in j["alerts"] if x["kind"]=="account_failing_on_many_hosts"][0]; print(a["kind"], a["account"], a["host_count"])')" "spread alert"
assert_eq "revoked_account_login cu 1" \
	"$(py 'a=[x for x in j["alerts"] if x["kind"]=="revoked_account_login"][0]; print(a["kind"], a["account"], a["events"])')" "revoked alert"
assert_match '"from": "2026-' "$json" "alert window"
assert_eq "lan 2026-12-01 5" "$(py 'e=j["password_expiry_announced"][0]; print(e["user"], e["expires"], e["days_left"])')" "expiry announced"
# the bytes FF FE became U+FFFD, the newline an escape
assert_eq 1 "$(py 'print(sum(1 for u in j["users"] if u["user"]=="\ufffd\ufffdA"))')" "invalid UTF-8 replaced"
assert_eq 1 "$(py 'print(sum(1 for u in j["users"] if u["user"]=="a\nb"))')" "control character escaped"

# thresholds from bhxh.conf: spraying needs 13 accounts now, spread off
cat >"$d/bhxh.conf" <<EOC
report_spray_accounts = 13
report_spread_hosts = 0
EOC
json=$("$BHXHCTL" --conf "$d/bhxh.conf" report --json "$d/fleet.log") || fail "report with conf"
assert_eq 1 "$(py 'print(len(j["alerts"]))')" "thresholds from bhxh.conf"
echo "report_spray_window = 0" >"$d/bad.conf"
"$BHXHCTL" --conf "$d/bad.conf" report --json "$d/fleet.log" >/dev/null 2>&1
assert_eq 2 "$?" "invalid threshold refused"

# CSV: strict UTF-8, one row per name
"$BHXHCTL" --conf "$d/empty.conf" report --csv "$d/fleet.log" >"$d/out.csv" || fail "report --csv"
python3 -c "import csv,sys; rows=list(csv.reader(open(sys.argv[1], encoding='utf-8', errors='strict'))); assert any(r[1]=='\ufffd\ufffdA' for r in rows), rows" "$d/out.csv" \
	|| fail "CSV is not valid UTF-8 or lost the row"

# text: the alerts section
text=$("$BHXHCTL" --conf "$d/empty.conf" report "$d/fleet.log") || fail "report"
assert_match 'Password spraying from 198.51.100.7 \(failed logins: 12, accounts: 12, machines: 4\)' "$text" "text alert"

# HTML: one well-formed, self-contained file
"$BHXHCTL" --conf "$d/empty.conf" report --html "$d/r.html" "$d/fleet.log" || fail "report --html"
python3 "$top_srcdir/tests/audit/html_check.py" "$d/r.html" || fail "HTML check"
grep -q 'password_spraying' "$d/r.html" || fail "alerts table in HTML"
grep -q '<polyline' "$d/r.html" || fail "time chart in HTML"
# Vietnamese with --lang vi (catalogue of the build, test builds only)
if { [ -f "$top_builddir/po/vi.gmo" ] || [ -f "$top_srcdir/po/vi.gmo" ]; } &&
	"$BHXHCTL" --help >/dev/null 2>&1; then
	BHXH_TEST_LOCALEDIR=$(test_localedir) "$BHXHCTL" --conf "$d/empty.conf" report --lang vi \
		--html "$d/vi.html" "$d/fleet.log" || fail "report --html --lang vi"
	python3 "$top_srcdir/tests/audit/html_check.py" "$d/vi.html" || fail "HTML check (vi)"
	if locale -a 2>/dev/null | grep -qi '^vi_VN\.utf-\?8$'; then
		grep -q 'lang="vi"' "$d/vi.html" || fail "Vietnamese page: lang"
		grep -q 'Cảnh báo' "$d/vi.html" || fail "Vietnamese page: text"
		# without --lang: bhxh.conf's lang= chooses, --lang wins over it
		printf 'lang = vi\n' >"$d/vi.conf"
		chmod 600 "$d/vi.conf"
		out=$(BHXH_TEST_LOCALEDIR=$(test_localedir) "$BHXHCTL" --conf "$d/vi.conf" report \
			"$d/fleet.log") || fail "report with lang=vi"
		assert_match 'Báo cáo xác thực' "$out" "lang=vi in bhxh.conf: Vietnamese report"
		out=$(BHXH_TEST_LOCALEDIR=$(test_localedir) "$BHXHCTL" --conf "$d/vi.conf" report \
			--lang en "$d/fleet.log") || fail "report with lang=vi --lang en"
		assert_match 'Authentication report' "$out" "--lang en over lang=vi"
	fi
fi
exit 0
