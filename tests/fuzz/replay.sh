#!/bin/sh
# make check: replay the committed corpus of every harness through its gcc
# build (tests/fuzz/replay.c; fuzz_dirdb through its own --replay), so that
# inputs that once crashed a parser keep being run.  Every directory
# tests/fuzz/corpus/NAME is replayed through tests/fuzz/NAME (mk/fuzz.am).
# Fails on any crash, sanitizer report or failed harness assertion, and when
# a corpus has no harness built.
set -eu
b=${top_builddir:-.}/tests/fuzz
c=${top_srcdir:-.}/tests/fuzz/corpus
status=0
for d in "$c"/fuzz_*; do
	name=$(basename "$d")
	if [ ! -x "$b/$name" ]; then
		echo "FAIL: $b/$name not built (add it to mk/fuzz.am)" >&2
		status=1
	elif [ "$name" = fuzz_dirdb ]; then
		"$b/fuzz_dirdb" --replay "$d"/* || { echo "FAIL: $name" >&2; status=1; }
	else
		"$b/$name" "$d" || { echo "FAIL: $name" >&2; status=1; }
	fi
done
exit $status
