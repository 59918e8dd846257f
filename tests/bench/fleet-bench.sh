#!/bin/sh
# The fleet benchmark (not part of make check): `bhxhctl report` against
# `aureport --auth` on the same collector log, with wall-clock time and
# peak memory (getrusage via /usr/bin/time) of each.
#   tests/bench/fleet-bench.sh BUILDDIR [LINES [MACHINES]]   generates the log
#   LOG=/path/audit.log tests/bench/fleet-bench.sh BUILDDIR  uses a log
# Defaults: 10,000,000 lines from 1,000 machines (about 2.5 GB; generating
# it takes minutes).  Each command runs RUNS times (default 2), page cache
# warm; the best time is kept.
set -eu
build=${1:?usage: fleet-bench.sh BUILDDIR [LINES [MACHINES]]}
n=${2:-10000000}
machines=${3:-1000}
runs=${RUNS:-2}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /var/tmp/bhxh-fleet-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${LOG:-}" ]; then
	LOG=$tmp/audit.log
	python3 "$here/gen-audit-log.py" "$n" 1 "$machines" >"$LOG"
fi
echo "log: $(wc -l <"$LOG") lines, $(du -m "$LOG" | cut -f1) MiB"
: >"$tmp/empty.conf"
measure() { # NAME CMD...: best wall-clock seconds and its peak RSS (MiB)
	name=$1
	shift
	best= rss=
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || {
			cat "$tmp/err" >&2
			exit 1
		}
		read -r t m <"$tmp/t"
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t rss=$m; fi
	done
	printf '%-34s %8.2f s %8d MiB\n' "$name" "$best" $((rss / 1024))
	last=$best
}
cat "$LOG" >/dev/null # warm the page cache
measure "aureport --auth -if LOG" aureport --auth -if "$LOG"
a=$last
measure "bhxhctl report LOG" "$build/bhxhctl/bhxhctl" --conf "$tmp/empty.conf" report "$LOG"
r=$last
measure "bhxhctl report --json LOG" "$build/bhxhctl/bhxhctl" --conf "$tmp/empty.conf" report --json "$LOG"
measure "bhxhctl report --html OUT LOG" "$build/bhxhctl/bhxhctl" --conf "$tmp/empty.conf" report --html "$tmp/r.html" "$LOG"
echo "speed-up of bhxhctl report over aureport --auth: $(echo "scale=1; $a / $r" | bc)x"
