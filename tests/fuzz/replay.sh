#!/bin/sh
# make check: replay the committed corpus of every harness through its gcc
# build (tests/fuzz/replay.c; fuzz_dirdb through its own --replay), so that
# inputs that once crashed a parser keep being run.  Fails on any crash,
# sanitizer report or failed harness assertion.
set -eu
b=${top_builddir:-.}/tests/fuzz
c=${top_srcdir:-.}/tests/fuzz/corpus
status=0
for name in fuzz_conf fuzz_tally fuzz_lastlogin fuzz_report fuzz_denylist fuzz_history \
	fuzz_pwcheck fuzz_dirsrc; do
	[ -d "$c/$name" ] || continue
	if ! "$b/$name" "$c/$name"; then
		echo "FAIL: $name" >&2
		status=1
	fi
done
if [ -d "$c/fuzz_dirdb" ]; then
	if ! "$b/fuzz_dirdb" --replay "$c"/fuzz_dirdb/*; then
		echo "FAIL: fuzz_dirdb" >&2
		status=1
	fi
fi
exit $status
