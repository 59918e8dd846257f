#!/bin/bash
# bhxhctl report streams in bounded memory: peak RSS (getrusage, through
# /usr/bin/time) stays under 200 MB on 1,000,000 lines, both for an
# ordinary collector log (1,000,000 lines) and for a hostile one in which
# every line names a new 200-byte account (500,000 lines: without the
# memory budget that is over 200 MB of names and counters).  The 10,000,000-line run is a benchmark
# (BENCHMARKS.md).  Sanitizer builds skip: ASan's shadow memory is not ours.
. "$top_srcdir/tests/lib.sh"
[ -x /usr/bin/time ] || skip "needs /usr/bin/time (package time)"
require_cmd python3
[ -z "${SAN_PRELOAD:-}" ] || skip "RSS is not meaningful under sanitizers"
d=$(scratch_dir)
: >"$d/bhxh.conf"
limit_kb=$((200 * 1024))

peak() { # the peak RSS in kB of bhxhctl report --json reading stdin
	/usr/bin/time -f '%M' -o "$d/rss" "$BHXHCTL" --conf "$d/bhxh.conf" report --json - \
		>"$d/out.json" || fail "report failed"
	cat "$d/rss"
}

# ordinary: 200,000 generated lines (100 machines) five times over
python3 "$top_srcdir/tests/bench/gen-audit-log.py" 200000 3 >"$d/part.log" || fail "gen-audit-log"
rss=$(for _ in 1 2 3 4 5; do cat "$d/part.log"; done | peak)
lines=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lines"])' "$d/out.json")
assert_eq $((5 * $(wc -l <"$d/part.log"))) "$lines" "lines read"
[ "$rss" -lt "$limit_kb" ] || fail "peak RSS $rss kB on an ordinary log"
echo "ordinary log, 1,000,000 lines: peak RSS $rss kB"

# hostile: 500,000 distinct 200-byte account names (the budget bites at
# about 300,000)
rss=$(awk 'BEGIN {
	pad = sprintf("%190s", ""); gsub(/ /, "x", pad)
	for (i = 0; i < 500000; i++)
		printf "node=h%d type=USER_AUTH msg=audit(1795600000.%03d:%d): pid=1 uid=0 msg=\x27op=PAM:authentication acct=\"%s%d\" hostname=10.%d.%d.%d addr=? res=failed\x27\n", i % 1000, i % 1000, i, pad, i, i % 256, (i / 256) % 256, i % 7
}' | peak)
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["lines"] == 500000, j["lines"]
assert j["records"] + j["overflow"] == 500000, (j["records"], j["overflow"])
assert j["overflow"] > 0, "the budget never bit"
assert j["memory_bytes"] <= 128 << 20, j["memory_bytes"]
' "$d/out.json" || fail "hostile log: counts or budget"
[ "$rss" -lt "$limit_kb" ] || fail "peak RSS $rss kB on a hostile log"
echo "hostile log, 500,000 distinct names: peak RSS $rss kB"
exit 0
