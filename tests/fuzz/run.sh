#!/bin/bash
# Run the libFuzzer harnesses built by tests/fuzz/build.sh, each for a
# bounded time over its seed corpus, and fail on any crash, leak, hang
# (over 10 s for one input) or failed assertion:
#
#   tests/fuzz/run.sh [-t SECONDS] [-j JOBS] [-o EXTRA-LIBFUZZER-OPTION]... [OUTDIR [NAME...]]
#
# SECONDS per harness (default 20), JOBS harnesses at a time (default: the
# number of cores).  OUTDIR defaults to _build-fuzz; NAMEs (fuzz_conf ...)
# default to every harness there.  The seeds are the committed corpus
# tests/fuzz/corpus/NAME plus those that OUTDIR/seeds writes in the current
# binary formats; new inputs go to OUTDIR/corpus/NAME (kept between runs),
# crashes to OUTDIR/artifacts/.  Prints one line per harness (execs,
# execs/s, libFuzzer's cov: and ft:) and "fuzz: N passed, M failed".
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=20
jobs=$(nproc 2>/dev/null || echo 2)
extra=()
while getopts "t:j:o:" opt; do
	case $opt in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) extra+=("$OPTARG") ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
out=${1:-$src/_build-fuzz}
shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$out"/fuzz_*; do
		[ -x "$f" ] && [ -f "$f" ] && names+=("$(basename "$f")")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "run.sh: no harness in $out (run tests/fuzz/build.sh first)" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
mkdir -p "$out/logs" "$out/artifacts" "$out/corpus"
rm -rf "$out/seeds-current"
"$out/seeds" "$out/seeds-current" || { echo "fuzz: 0 passed, 1 failed"; exit 1; }

# tmpfs for the harnesses' scratch files (their fsync()s cost nothing there)
scratch=$(mktemp -d /dev/shm/bhxh-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT

max_len() {
	case $1 in
	fuzz_tally) echo 16384 ;;   # two slots of the tally file
	fuzz_report) echo 16384 ;;  # several audit lines
	*) echo 4096 ;;             # pwcheck: 4 times BHXH_PASS_MAX
	esac
}

run_one() { # NAME
	local name=$1 log=$out/logs/$1.log rc
	local dirs=("$out/corpus/$name")
	mkdir -p "$out/corpus/$name"
	[ -d "$src/tests/fuzz/corpus/$name" ] && dirs+=("$src/tests/fuzz/corpus/$name")
	[ -d "$out/seeds-current/$name" ] && dirs+=("$out/seeds-current/$name")
	TMPDIR=$scratch \
	ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$name")" -error_exitcode=1 -timeout_exitcode=1 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" \
		"${extra[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	echo "$rc" >"$out/logs/$name.rc"
}

running=0
for name in "${names[@]}"; do
	if [ ! -x "$out/$name" ]; then
		echo "run.sh: $out/$name: not built" >&2
		echo 1 >"$out/logs/$name.rc"
		continue
	fi
	run_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

pass=0 fail=0
for name in "${names[@]}"; do
	log=$out/logs/$name.log
	rc=$(cat "$out/logs/$name.rc" 2>/dev/null || echo 1)
	execs=$(awk '/stat::number_of_executed_units:/{print $2}' "$log" 2>/dev/null | tail -1)
	rate=$(awk '/stat::average_exec_per_sec:/{print $2}' "$log" 2>/dev/null | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" 2>/dev/null | tail -1)
	corp=$(grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" 2>/dev/null | tail -1)
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		printf '%-16s ok    %s execs, %s/s, %s, %s\n' "$name" "${execs:-?}" "${rate:-?}" \
			"${cov:-cov: ?}" "${corp:-corp: ?}"
	else
		fail=$((fail + 1))
		printf '%-16s FAIL  (exit %s) log: %s\n' "$name" "$rc" "$log"
		grep -E -A40 '^==[0-9]+==ERROR|runtime error|fuzz assertion|ALARM|Test unit written' \
			"$log" 2>/dev/null | head -80
		for a in "$out/artifacts/$name"-*; do
			[ -f "$a" ] && echo "  reproduce: $out/$name $a"
		done
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
