#!/bin/bash
# Denylist filters side by side, in one run, on the same lists: pam_bhxh's
# binary fuse filter (default 16-bit and --high-precision), its previous
# blocked Bloom filter (--filter bloom, format 1) and passwdqc's pwqfilter
# (Debian package passwdqc).  Not a test: run by hand from a build
# directory with tests enabled (make check builds tests/bench/dl_bench):
#
#   top_builddir=$PWD bash ../tests/bench/denylist_bench.sh [N] [PROBES] [BIG] [HIBP]
#
# N entries (default 2,000,000) and PROBES other strings (1,000,000) for
# size, false positives and lookups; BIG entries (default 20,000,000; 0
# skips) for build time and memory per entry, to extrapolate to 100
# million; HIBP lines (default 10,000,000; 0 skips) of the Pwned Passwords
# format for the projection to the full list.  Scratch space: about
# 25 bytes per BIG entry and 50 per HIBP line under ${BENCH_TMP:-/var/tmp}.
set -euo pipefail
: "${top_builddir:?run from a build directory with top_builddir set}"
n=${1:-2000000}
probes=${2:-1000000}
big=${3:-20000000}
hibp=${4:-10000000}
ctl=$top_builddir/bhxhctl/bhxhctl
dlb=$top_builddir/tests/bench/dl_bench
[ -x "$dlb" ] || { echo "build tests/bench/dl_bench first (make check or make tests/bench/dl_bench)" >&2; exit 77; }
command -v pwqfilter >/dev/null || { echo "needs pwqfilter (apt-get install passwdqc)" >&2; exit 77; }
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/bhxh-dlbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=0

# timed CMD...: "seconds maxRSS-MB" of the command on stderr's last line
timed() {
	/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>&1 || { cat "$work/out"; return 1; }
	awk '{printf "%.2f %.0f", $1, $2 / 1024}' "$work/time"
}

echo "== lists: $n entries, $probes other strings (disjoint), $(date -u '+%F'), $(nproc) cores," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
"$dlb" gen "$n" 1 L >"$work/list"
"$dlb" gen "$probes" 2 P >"$work/probes"

printf '%-22s %9s %11s %9s %12s %9s %9s %8s\n' filter build-s build-MB bytes/ent "not-found" "false-pos" rate lookup
row() { # NAME BUILD-TIME FILE PROBE-OUTPUT
	local e
	e=$(echo "$4" | sed -n 's/.*bytes=\([0-9]*\).*missed=\([0-9]*\)\/.*fp=\([0-9]*\)\/.*rate=\([^ ]*\) lookup=\([0-9]*\)ns.*/\1 \2 \3 \4 \5/p')
	set -- "$1" $2 $e
	printf '%-22s %9s %11s %9.3f %12s %9s %9s %6sns\n' "$1" "$2" "$3" "$(echo "$4 / $n" | bc -l)" \
		"$5" "$6" "$7" "$8"
}
for v in "fuse16:" "fuse-high:--high-precision" "fuse32:--bits 32" "bloom16 (old):--filter bloom --bits 16"; do
	name=${v%%:*}
	args=${v#*:}
	# shellcheck disable=SC2086
	t=$(timed "$ctl" denylist build "$work/list" -o "$work/f.$name" $args)
	row "$name" "$t" "$work/f.$name" "$("$dlb" probe "$work/f.$name" "$work/list" "$work/probes")"
done

# pwqfilter: capacity so that the list fills it to ~98% of its design load
# (its man page: "create a new filter for up to ~98% of CAPACITY entries")
cap=$(( (n * 100 + 97) / 98 ))
t=$(timed pwqfilter --create="$cap" -o "$work/f.pwq" <"$work/list")
pwq_bytes=$(stat -c %s "$work/f.pwq")
pwq_fp=$(pwqfilter -f "$work/f.pwq" -c <"$work/probes" || true)
lt=$(timed sh -c "pwqfilter -f '$work/f.pwq' -c <'$work/probes' || true")
pwq_missed=$(pwqfilter -f "$work/f.pwq" -c -v <"$work/list" || true)
printf '%-22s %9s %11s %9.3f %12s %9s %9.2e %6.0fns\n' "pwqfilter (passwdqc)" ${t% *} ${t#* } \
	"$(echo "$pwq_bytes / $n" | bc -l)" "$pwq_missed/$n" "$pwq_fp/$probes" \
	"$(echo "$pwq_fp / $probes" | bc -l)" "$(echo "${lt% *} * 1000000000 / $probes" | bc -l)"
echo "(lookup: bhxh = bhxh_denylist_contains() in one process, strings in memory; pwqfilter ="
echo " the whole pwqfilter -c command over the probe file, reading and MD4 included)"
pwqfilter -f "$work/f.pwq" --status 2>&1 | sed 's/^/  pwqfilter --status: /'

if [ "$big" -gt 0 ]; then
	echo "== build of $big entries (time, peak memory; per entry)"
	"$dlb" gen "$big" 3 B >"$work/big"
	rm -f "$work/list" "$work/probes" "$work"/f.*
	for v in "fuse16:" "fuse-high:--high-precision"; do
		name=${v%%:*}
		args=${v#*:}
		# shellcheck disable=SC2086
		t=$(timed "$ctl" denylist build "$work/big" -o "$work/b.$name" $args)
		printf '  %-20s %7.2f s %6d MB  %.2f us/entry %.1f bytes/entry peak  file %.3f bytes/entry\n' \
			"$name" ${t% *} ${t#* } "$(echo "${t% *} * 1000000 / $big" | bc -l)" \
			"$(echo "${t#* } * 1048576 / $big" | bc -l)" "$(echo "$(stat -c %s "$work/b.$name") / $big" | bc -l)"
		rm -f "$work/b.$name"
	done
	cap=$(( (big * 100 + 97) / 98 ))
	t=$(timed pwqfilter --create="$cap" -o "$work/b.pwq" <"$work/big")
	printf '  %-20s %7.2f s %6d MB  %.2f us/entry %.1f bytes/entry peak  file %.3f bytes/entry\n' \
		pwqfilter ${t% *} ${t#* } "$(echo "${t% *} * 1000000 / $big" | bc -l)" \
		"$(echo "${t#* } * 1048576 / $big" | bc -l)" "$(echo "$(stat -c %s "$work/b.pwq") / $big" | bc -l)"
	rm -f "$work/big" "$work/b.pwq"
fi

if [ "$hibp" -gt 0 ]; then
	echo "== Have I Been Pwned format: $hibp lines (HASH:COUNT, CRLF), streamed from standard input"
	"$dlb" hibp "$hibp" 4 H >"$work/pwned.txt"
	echo "  text: $(stat -c %s "$work/pwned.txt") bytes"
	t=$(timed sh -c "'$ctl' denylist build --format hibp-sha1 - -o '$work/h16' <'$work/pwned.txt'")
	printf '  %-20s %7.2f s %6d MB  file %d bytes (%.3f bytes/entry)\n' "all counts" ${t% *} ${t#* } \
		"$(stat -c %s "$work/h16")" "$(echo "$(stat -c %s "$work/h16") / $hibp" | bc -l)"
	t=$(timed sh -c "'$ctl' denylist build --format hibp-sha1 --min-count 500 - -o '$work/h500' <'$work/pwned.txt'")
	printf '  %-20s %7.2f s %6d MB  %s\n' "--min-count 500" ${t% *} ${t#* } "$(grep entries "$work/out")"
	"$ctl" denylist check -f "$work/h16" | sed 's/^/  /'
fi
