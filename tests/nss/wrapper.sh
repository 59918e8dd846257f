#!/bin/sh
# getent and id through nss_wrapper loading libnss_bhxh.so.2
# (NSS_WRAPPER_MODULE_SO_PATH, NSS_WRAPPER_MODULE_FN_PREFIX=bhxh).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
if [ ! -f "${NSS_WRAPPER_SO:-}" ]; then
	# nss_wrapper.pc names the library in Libs, not through libdir.
	NSS_WRAPPER_SO=$(pkg-config --libs nss_wrapper 2>/dev/null | tr ' ' '\n' | grep '/libnss_wrapper\.so$' || true)
fi
[ -f "${NSS_WRAPPER_SO:-}" ] || skip "nss_wrapper not found"
require_cmd getent
setup_scratch
make_source "$T/src"
db_build "$T/src" "$T/db" >/dev/null || fail "build"
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/passwd"
echo 'root:x:0:' >"$T/group"
wrap() {
	LD_PRELOAD="${SAN_PRELOAD:-} $NSS_WRAPPER_SO" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" NSS_WRAPPER_MODULE_SO_PATH="$NSS_SO" \
		NSS_WRAPPER_MODULE_FN_PREFIX=bhxh BHXH_NSS_DB_DIR="$T/db" "$@"
}
assert_eq "alice:x:200001:200001:Alice:/home/alice:/bin/bash" "$(wrap getent passwd alice)" "getent passwd alice"
assert_eq "bob:x:200002:200001:Bob B:/home/bob:/bin/sh" "$(wrap getent passwd 200002)" "getent passwd 200002"
assert_eq "devs:x:200002:bob,localuser" "$(wrap getent group devs)" "getent group devs"
assert_eq "empty:x:200003:" "$(wrap getent group 200003)" "getent group 200003"
assert_eq "uid=200002(bob) gid=200001(staff2) groups=200001(staff2),200002(devs),200100(big)" \
	"$(wrap id bob)" "id bob"
assert_eq "1004" "$(wrap getent passwd | wc -l)" "enumeration"
assert_eq "5" "$(wrap getent group | wc -l)" "group enumeration"
wrap getent passwd mallory >/dev/null && fail "mallory found"
# A removed account disappears from lookups.
grep -v '^u500:' "$T/src/passwd" >"$T/p" && mv "$T/p" "$T/src/passwd"
db_build "$T/src" "$T/db" >/dev/null || fail "rebuild"
wrap getent passwd u500 >/dev/null && fail "removed u500 still found"
assert_match "^u6:" "$(wrap getent passwd u6)" "u6 kept"
echo "ok"
