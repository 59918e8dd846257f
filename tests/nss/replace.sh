#!/bin/sh
# Threads look users and groups up while the database is replaced again and
# again: every answer is consistent, the database never looks unavailable
# (each generation is renamed into place), no descriptor leaks.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
setup_scratch
make_source "$T/src"
db_build "$T/src" "$T/db" >/dev/null || fail "build"
export BHXH_NSS_DB_DIR="$T/db"
"$NSS_DRIVER" "$NSS_SO" stress 4 >"$T/out" 2>&1 &
pid=$!
on_exit "kill $pid"
n=0
while kill -0 "$pid" 2>/dev/null; do
	# Alternate two generations that differ in every user's GECOS.
	sed -i "s/:User [0-9]*:/:User $n:/" "$T/src/passwd"
	db_build "$T/src" "$T/db" >/dev/null || fail "rebuild $n"
	n=$((n + 1))
done
wait "$pid" || { cat "$T/out"; fail "stress"; }
cat "$T/out"
[ "$n" -ge 3 ] || fail "only $n replacements"
echo "ok: $n replacements"
