#!/bin/sh
# The glibc NSS contract of libnss_bhxh.so.2, called directly: buffer-size
# sweeps forcing ERANGE, errno, enumeration, initgroups, shadow, and
# UNAVAIL for a missing, corrupt or unsafe database.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
setup_scratch
make_source "$T/src"
db_build "$T/src" "$T/db" >/dev/null || fail "build"
export BHXH_NSS_DB_DIR="$T/db"
"$NSS_DRIVER" "$NSS_SO" contract || fail "contract"

# Missing database: UNAVAIL.
BHXH_NSS_DB_DIR="$T/none" "$NSS_DRIVER" "$NSS_SO" status alice >"$T/out"
assert_eq "UNAVAIL 2" "$(cat "$T/out")" "no database"
# Corrupt (truncated) database: UNAVAIL, no crash.
mkdir -m 755 "$T/bad"
head -c 300 "$T/db/passwd.db" >"$T/bad/passwd.db"
BHXH_NSS_DB_DIR="$T/bad" "$NSS_DRIVER" "$NSS_SO" status alice >"$T/out"
assert_match "^UNAVAIL" "$(cat "$T/out")" "truncated database"
# Foreign file.
head -c 4096 /dev/urandom >"$T/bad/passwd.db"
BHXH_NSS_DB_DIR="$T/bad" "$NSS_DRIVER" "$NSS_SO" status alice >"$T/out"
assert_match "^UNAVAIL" "$(cat "$T/out")" "foreign file"
# Writable by others: refused.
cp "$T/db/passwd.db" "$T/bad/passwd.db"
chmod 666 "$T/bad/passwd.db"
BHXH_NSS_DB_DIR="$T/bad" "$NSS_DRIVER" "$NSS_SO" status alice >"$T/out"
assert_match "^UNAVAIL" "$(cat "$T/out")" "world-writable database"
chmod 644 "$T/bad/passwd.db"
BHXH_NSS_DB_DIR="$T/bad" "$NSS_DRIVER" "$NSS_SO" status alice >"$T/out"
assert_eq "SUCCESS 0" "$(cat "$T/out")" "copied database"
chmod 777 "$T/bad"
BHXH_NSS_DB_DIR="$T/bad" "$NSS_DRIVER" "$NSS_SO" status alice >"$T/out"
assert_match "^UNAVAIL" "$(cat "$T/out")" "world-writable directory"
chmod 755 "$T/bad"
# Only _nss_bhxh_* is exported.
others=$(nm -D --defined-only "$NSS_SO" | awk '{print $3}' | grep -v '^_nss_bhxh_' || true)
assert_eq "" "$others" "exported symbols"
# Links nothing but libc.
libs=$(objdump -p "$NSS_SO" | awk '/NEEDED/ {print $2}' | grep -v '^libc\.so' | grep -v -e 'libasan' -e 'libubsan' || true)
assert_eq "" "$libs" "linked libraries"
echo "ok"
