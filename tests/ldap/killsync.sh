#!/bin/bash
# SIGKILL at random moments of `bhxhctl db sync --once`, many times, against
# a private slapd whose directory changes before every sync (a revocation
# set and cleared in turn, so that each sync installs a new generation):
# after each kill the installed database verifies (passwd.db and shadow.db
# of one build) and still resolves; the next complete sync leaves only the
# current and the previous generation.  The server has no sync control, so
# that --once also saves its read state (modifyTimestamp deltas) at every
# run, and the kills land in those saves too.  About 10 s.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
require_cmd timeout
ldap_setup nosyncprov
ROUNDS=${BHXH_KILL_ROUNDS:-120}
out=$(sync_once 2>&1) || fail "first sync: $out"
killed=0
start=$SECONDS
for ((i = 0; i < ROUNDS; i++)); do
	if ((i % 2)); then v=revoked; else v=staff; fi
	ldap_mod >/dev/null <<EOF2 || fail "ldapmodify in round $i"
dn: uid=alice,ou=people,$SLAPD_BASE
changetype: modify
replace: employeeType
employeeType: $v
EOF2
	# a random moment within a sync (about 20-40 ms here)
	delay=$(printf '0.%03d' $((RANDOM % 40)))
	"$BHXHCTL" --conf "$CONF" db sync --once >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	if kill -KILL "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
	wait "$pid" 2>/dev/null
	out=$(timeout 20 "$BHXHCTL" --conf "$CONF" db verify --db "$DB" 2>&1) ||
		fail "round $i (killed after ${delay}s): db verify: $out"
	((SECONDS - start > 60)) && { echo "time budget reached after $i rounds"; break; }
done
rounds=$((i < ROUNDS ? i + 1 : ROUNDS))
echo "$killed of $rounds syncs killed, in $((SECONDS - start)) s"
need=$((rounds / 10))
((need < 3)) && need=3
[ "$killed" -ge "$need" ] || fail "too few syncs were killed ($killed of $rounds): timing off"
# the next complete sync installs and cleans up after the killed ones
out=$(sync_once 2>&1) || fail "final sync: $out"
"$BHXHCTL" --conf "$CONF" db verify --db "$DB" >/dev/null || fail "final verify"
left=$(cd "$DB" && ls -A | sort | tr '\n' ' ')
assert_match "^\.lock current g[0-9]+-[0-9a-f]{8} (g[0-9]+-[0-9a-f]{8} )?passwd\.db shadow\.db $" \
	"$left" "only the current and the previous generation are left"
out=$(in_ns <<<'getent passwd u7') || fail "lookup after the kills"
assert_match "^u7:x:500007:" "$out" "the directory still resolves"
# the saved read state (poll.cache, written by killed runs too) gives the
# directory as it is: alice revoked or not as the last round left her
if (((rounds - 1) % 2)); then want=1; else want=; fi
out=$(in_ns <<<'getent shadow alice | cut -d: -f8') || fail "shadow lookup"
assert_eq "$want" "$out" "alice's revocation after the kills"
left=$(cd "$STATE" && ls -A | grep -v '^\.status\.' | sort | tr '\n' ' ')
assert_eq "poll.cache status " "$left" "state directory: no leftovers of killed saves"
echo ok
