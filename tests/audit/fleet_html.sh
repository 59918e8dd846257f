#!/bin/bash
# bhxhctl report --html rendered by a real browser: headless Chromium
# (Debian's chromium; one start) takes a screenshot of the page made from a
# generated fleet log; the screenshot must have the window's size, not be
# blank and show the charts' colours; the page must pass the HTML check
# (well formed, no script, nothing loaded from anywhere).
. "$top_srcdir/tests/lib.sh"
require_cmd python3
command -v chromium >/dev/null 2>&1 || skip "needs chromium"
d=$(scratch_dir)
python3 "$top_srcdir/tests/bench/gen-audit-log.py" 20000 7 >"$d/fleet.log" || fail "gen-audit-log"
# alerts for spraying and revoked logins off: the charts come into view
printf 'report_spray_accounts = 0\nreport_spread_hosts = 0\nreport_refused_logins = 0\n' >"$d/bhxh.conf"
"$BHXHCTL" --conf "$d/bhxh.conf" report --html "$d/report.html" "$d/fleet.log" || fail "report --html"
python3 "$top_srcdir/tests/audit/html_check.py" "$d/report.html" || fail "HTML check"
mkdir "$d/profile"
# no network: the page must not need it, and the browser must not call home
timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$d/profile" --window-size=1000,1600 \
	--screenshot="$d/shot.png" "file://$d/report.html" >"$d/chromium.out" 2>&1 ||
	fail "chromium: $(tail -3 "$d/chromium.out")"
[ -s "$d/shot.png" ] || fail "no screenshot"
# bars of failed logins (accounts, sources), locks (accounts, machines)
python3 "$top_srcdir/tests/audit/png_check.py" "$d/shot.png" 1000 1600 \
	c0392b b9770e 7d3c98 2471a3 || fail "screenshot check"
exit 0
