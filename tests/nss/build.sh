#!/bin/sh
# bhxhctl db build / verify: validation errors name file:line and install
# nothing; local collisions, uid 0, mass deletion (db_max_delete, --force);
# verify finds corruption and bad modes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
setup_scratch
make_source "$T/src"
db_build "$T/src" "$T/db" >"$T/out" || fail "build: $(cat "$T/out")"
assert_match "installed generation 1 in $T/db: 1003 users, 4 groups, 12 shadow entries" "$(cat "$T/out")" "build output"
"$BHXHCTL" --conf "$EMPTY_CONF" db verify --db "$T/db" >"$T/out" || fail "verify: $(cat "$T/out")"
assert_match "passwd.db: generation 1, 1003 users, 4 groups: ok" "$(cat "$T/out")" "verify output"
before=$(md5sum "$T/db/passwd.db" "$T/db/shadow.db")

# refused SRC WHAT EXPECTED-ERROR: the build fails and nothing changes.
refused() {
	local err
	err=$(db_build "$1" "$T/db" 2>&1 >/dev/null) && fail "$2: accepted"
	assert_match "$3" "$err" "$2"
	assert_eq "$before" "$(md5sum "$T/db/passwd.db" "$T/db/shadow.db")" "$2: database changed"
}
cp -r "$T/src" "$T/s1"
sed -i '500s|.*|u496:x:300496:200001:User:/home/u496|' "$T/s1/passwd"
refused "$T/s1" "bad line" "passwd:500: expected 7 fields"
cp -r "$T/src" "$T/s2"
echo "evil:x:0:200001::/root:/bin/sh" >>"$T/s2/passwd"
refused "$T/s2" "uid 0" "passwd:1004: uid and gid 0 are refused"
cp -r "$T/src" "$T/s3"
echo "daemon:x:399998:200001::/:/bin/sh" >>"$T/s3/passwd"
refused "$T/s3" "local name" "passwd:1004: user 'daemon' is also a local account in /etc/passwd"
cp -r "$T/src" "$T/s4"
echo "shadowy:x:1:200001::/:/bin/sh" >>"$T/s4/passwd"
refused "$T/s4" "local uid" "passwd:1004: uid 1 is also used by local 'daemon'"
cp -r "$T/src" "$T/s5"
echo "u3:x:399997:200001::/:/bin/sh" >>"$T/s5/passwd"
refused "$T/s5" "duplicate" "passwd:1004: duplicate user 'u3' \\(line 7\\)"
cp -r "$T/src" "$T/s6"
echo "root2:x:0:" >>"$T/s6/group"
refused "$T/s6" "gid 0" "group:5: gid 0 is refused"
cp -r "$T/src" "$T/s7"
echo "ghost" >>"$T/s7/revoked"
refused "$T/s7" "revoked unknown" "revoked:[0-9]+: user 'ghost' is not in passwd"

# Mass deletion: more than db_max_delete percent (default 10) is refused.
cp -r "$T/src" "$T/s8"
head -n 800 "$T/src/passwd" >"$T/s8/passwd"
grep -E '^(alice|bob|u[0-9]):' "$T/src/shadow" >"$T/s8/shadow"
err=$(db_build "$T/s8" "$T/db" 2>&1 >/dev/null) && fail "mass deletion accepted"
assert_match "removes 203 of 1003 accounts, more than db_max_delete=10%" "$err" "mass deletion"
echo "db_max_delete=25" >"$T/more.conf"
"$BHXHCTL" --conf "$T/more.conf" db build "$T/s8" --db "$T/db" >/dev/null || fail "db_max_delete=25"
db_build "$T/src" "$T/db" >/dev/null || fail "rebuild"
head -n 3 "$T/src/passwd" >"$T/s8/passwd"
grep -E '^(alice|bob):' "$T/src/shadow" >"$T/s8/shadow"
db_build "$T/s8" "$T/db" >/dev/null 2>&1 && fail "mass deletion accepted"
db_build "$T/s8" "$T/db" --force >"$T/out" || fail "--force"
assert_match "generation 4" "$(cat "$T/out")" "generation counts builds"

# verify: corruption, generation mismatch, modes.
db_build "$T/src" "$T/db" --force >/dev/null || fail "rebuild"
cp "$T/db/shadow.db" "$T/shadow.old"
db_build "$T/src" "$T/db" >/dev/null || fail "rebuild"
cp "$T/shadow.old" "$T/db/shadow.db"
"$BHXHCTL" --conf "$EMPTY_CONF" db verify --db "$T/db" >/dev/null 2>"$T/err" && fail "generation mismatch"
assert_match "different builds" "$(cat "$T/err")" "generation mismatch"
db_build "$T/src" "$T/db" >/dev/null || fail "rebuild"
printf 'X' | dd of="$T/db/passwd.db" bs=1 seek=5000 conv=notrunc 2>/dev/null
"$BHXHCTL" --conf "$EMPTY_CONF" db verify --db "$T/db" >/dev/null 2>"$T/err" && fail "corruption not found"
assert_match "corrupt, truncated or not a pam_bhxh database" "$(cat "$T/err")" "verify corrupt"
db_build "$T/src" "$T/db" >/dev/null 2>&1 && fail "build over a corrupt database without --force"
db_build "$T/src" "$T/db" --force >/dev/null || fail "build --force over corrupt"
chmod 666 "$T/db/passwd.db"
"$BHXHCTL" --conf "$EMPTY_CONF" db verify --db "$T/db" >/dev/null 2>"$T/err" && fail "mode 666 accepted"
assert_match "owned by root" "$(cat "$T/err")" "verify mode"
echo "ok"
