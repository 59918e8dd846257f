#!/bin/sh
# Side-by-side benchmark: `bhxhctl report` against `aureport --auth` on the
# same generated audit log (not part of make check).
#   tests/bench/report-bench.sh BUILDDIR [RECORDS]
# Prints the wall-clock seconds of each (best of three runs).
set -eu
build=${1:?usage: report-bench.sh BUILDDIR [RECORDS]}
n=${2:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/bhxh-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/gen-audit-log.py" "$n" >"$tmp/audit.log"
echo "log: $(wc -l <"$tmp/audit.log") lines, $(du -m "$tmp/audit.log" | cut -f1) MiB"

best() { # best of three wall-clock times of "$@", output discarded
	b=
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
	done
	printf '%.2f\n' "$b"
}
cat "$tmp/audit.log" >/dev/null # warm the page cache for both
a=$(best aureport --auth -if "$tmp/audit.log")
r=$(best "$build/bhxhctl/bhxhctl" report "$tmp/audit.log")
j=$(best "$build/bhxhctl/bhxhctl" report --json "$tmp/audit.log")
echo "aureport --auth -if LOG:        ${a} s"
echo "bhxhctl report LOG:             ${r} s"
echo "bhxhctl report --json LOG:      ${j} s"
if [ "$(echo "$r <= $a" | bc)" = 1 ]; then echo "OK: report is at least as fast"; else
	echo "SLOWER than aureport --auth"; exit 1; fi
