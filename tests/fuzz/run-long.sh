#!/bin/bash
# A long fuzzing run, by hand (not in CI):
#
#   tests/fuzz/run-long.sh [SECONDS-PER-HARNESS [JOBS [NAME...]]]
#
# Builds the harnesses (tests/fuzz/build.sh, into _build-fuzz) and runs each
# for SECONDS (default 300), JOBS at a time (default: the number of cores),
# keeping the corpus grown in _build-fuzz/corpus/ between runs.  Prints the
# per-harness lines of run.sh and a Markdown table for BENCHMARKS.md
# (total execs, execs/s, libFuzzer's cov: and ft:, corpus size).  Inputs
# worth keeping (new coverage, small) can be minimised into the committed
# corpus with: _build-fuzz/NAME -merge=1 tests/fuzz/corpus/NAME _build-fuzz/corpus/NAME
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-300}
jobs=${2:-$(nproc 2>/dev/null || echo 2)}
shift 2 2>/dev/null || shift $#
out=$src/_build-fuzz

bash "$src/tests/fuzz/build.sh" "$out" || exit $?
start=$(date +%s)
bash "$src/tests/fuzz/run.sh" -t "$secs" -j "$jobs" "$out" "$@" | tee "$out/run-long.txt"
rc=${PIPESTATUS[0]}
echo
echo "Run of $(date -u +%Y-%m-%d), ${secs} s per harness, $jobs at a time," \
	"$(($(date +%s) - start)) s in all:"
echo
echo "| harness | execs | execs/s | cov | ft | corpus |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
sed -nE 's/^(fuzz_[a-z_]+) +ok +([0-9]+) execs, ([0-9]+)\/s, cov: ([0-9]+) ft: ([0-9]+), corp: (.*)$/| \1 | \2 | \3 | \4 | \5 | \6 |/p' \
	"$out/run-long.txt"
exit "$rc"
