#!/bin/bash
# SIGKILL at random moments of `bhxhctl db build`, hundreds of times: after
# each kill the installed database verifies (passwd.db and shadow.db of one
# build), and the next complete build leaves no temporary file behind.
# Two sources alternate (different revocations), so that every build
# really changes the database.  About 15 s.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
require_cmd timeout
setup_scratch
ROUNDS=${BHXH_KILL_ROUNDS:-250}
make_source "$T/a"
make_source "$T/b" u1 u2 u3
db_build "$T/a" "$T/db" >/dev/null || fail "first build"
# how long a whole build takes here and now (the kills land within it)
t0=$(date +%s%N)
for _ in 1 2 3; do
	"$BHXHCTL" --conf "$EMPTY_CONF" db build "$T/b" --db "$T/db" >/dev/null 2>&1 ||
		fail "timing build"
done
build_ms=$((($(date +%s%N) - t0) / 3000000))
((build_ms < 5)) && build_ms=5
((build_ms > 900)) && build_ms=900
echo "a build takes about $build_ms ms"
killed=0 finished=0
start=$SECONDS
for ((i = 0; i < ROUNDS; i++)); do
	src=$T/a
	((i % 2)) && src=$T/b
	# a random moment within a build (plus the start of the process)
	delay=$(printf '0.%03d' $((RANDOM % (build_ms + build_ms / 4))))
	"$BHXHCTL" --conf "$EMPTY_CONF" db build "$src" --db "$T/db" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -KILL "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
	wait "$pid" 2>/dev/null && finished=$((finished + 1))
	out=$(timeout 20 "$BHXHCTL" --conf "$EMPTY_CONF" db verify --db "$T/db" 2>&1) ||
		fail "round $i (killed after ${delay}s): db verify: $out"
	((SECONDS - start > 50)) && { echo "time budget reached after $i rounds"; break; }
done
rounds=$((i < ROUNDS ? i + 1 : ROUNDS))
echo "$killed killed, $finished finished, in $rounds rounds, $((SECONDS - start)) s"
# Under load (a parallel make check, distcheck) builds are slower and fewer
# rounds fit in the budget: ask for a share of the rounds, not a number.
need=$((rounds / 10))
((need > 20)) && need=20
((need < 3)) && need=3
[ "$killed" -ge "$need" ] || fail "too few builds were killed ($killed of $rounds): timing off"
# Leftovers of killed builds grow the directory; the next build removes them.
db_build "$T/a" "$T/db" >/dev/null || fail "final build"
"$BHXHCTL" --conf "$EMPTY_CONF" db verify --db "$T/db" >/dev/null || fail "final verify"
left=$(cd "$T/db" && ls -A | sort | tr '\n' ' ')
assert_match "^\.lock current g[0-9]+-[0-9a-f]{8} g[0-9]+-[0-9a-f]{8} passwd\.db shadow\.db $" \
	"$left" "only the current and the previous generation are left"
size=$(du -sk "$T/db" | cut -f1)
[ "$size" -lt 2048 ] || fail "database directory is $size KiB after the kills"
echo ok
