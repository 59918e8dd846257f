#!/bin/bash
# Password-check and denylist benchmark (pw area); see BENCHMARKS.md.
#   tests/bench/pw_bench.sh BUILD_DIR [ENTRIES]
# The candidate list is john-data's password.lst plus the shipped Vietnamese
# list and a few passphrases, the same list for pam_bhxh and libpwquality;
# pam_bhxh uses the default denylist built by make.
set -eu
build=${1:?usage: pw_bench.sh BUILD_DIR [ENTRIES]}
entries=${2:-10000000}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/bhxh-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
{
	grep -v '^#!comment:' /usr/share/john/password.lst 2>/dev/null || true
	cat "$src/data/vi-passwords.txt"
	printf '%s\n' 'con mèo đen ngủ trên mái nhà cũ' 'correct horse battery staple' \
		'P@ssw0rd1234' 'Bhxh@2026Hanoi' 'Anhyeuem@2026' 'Matkhau@12345' 'qwertyuiop123'
} >"$tmp/list"
make -C "$build" tests/bench/pw_bench data/denylist.bhxhdl >/dev/null
dl="$build/data/denylist.bhxhdl"
echo "== list 1: leaked and common passwords (mostly short)"
"$build/tests/bench/pw_bench" "$tmp/list" 0 "$tmp" "$dl"
# three-word phrases from the same list: long enough to reach every check
paste -d ' ' "$tmp/list" <(tail -n +2 "$tmp/list") <(tail -n +3 "$tmp/list") >"$tmp/phrases"
echo "== list 2: three-word phrases built from list 1 (all past minlen)"
"$build/tests/bench/pw_bench" "$tmp/phrases" "$entries" "$tmp" "$dl"
