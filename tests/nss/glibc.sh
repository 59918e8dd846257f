#!/bin/sh
# getent and id through glibc itself: a private mount namespace (unshare -m)
# with a private nsswitch.conf and /etc/group bind-mounted over the real
# ones, and the plugin found through LD_LIBRARY_PATH (getent and id are
# not setuid).  Nothing outside the namespace changes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
require_root
require_cmd unshare
require_cmd getent
setup_scratch
make_source "$T/src"
echo "mergeg:x:250000:alice" >>"$T/src/group"
db_build "$T/src" "$T/db" >/dev/null || fail "build"
# the same source built again: another build id
db_build "$T/src" "$T/db2" >/dev/null || fail "second build"
mkdir "$T/lib"
ln -s "$NSS_SO" "$T/lib/libnss_bhxh.so.2"
cat >"$T/nsswitch.conf" <<NSS
passwd: files bhxh
group: files [SUCCESS=merge] bhxh
shadow: files bhxh
NSS
cp /etc/group "$T/group"
echo "mergeg:x:250000:localmember" >>"$T/group"
cat >"$T/inner.sh" <<INNER
set -e
mount --make-rprivate /
mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf
mount --bind "$T/group" /etc/group
export LD_LIBRARY_PATH="$T/lib" BHXH_NSS_DB_DIR="$T/db" LD_PRELOAD="${SAN_PRELOAD:-}"
echo "pw=\$(getent passwd alice)"
echo "uid=\$(getent passwd 300042)"
echo "id=\$(id bob)"
echo "merge=\$(getent group mergeg)"
echo "sp=\$(getent shadow bob | cut -d: -f1,8)"
echo "root=\$(getent passwd root | cut -d: -f1,3)"
echo "none=\$(getent passwd mallory || echo absent)"
echo "spok=\$(getent shadow alice | cut -d: -f1)"
# shadow.db of another build next to this passwd.db: refused
cp "$T/db2/current/shadow.db" "$T/db/current/shadow.db"
echo "spmix=\$(getent shadow alice || echo refused)"
INNER
out=$(unshare -m sh "$T/inner.sh" 2>&1) || fail "namespace: $out"
echo "$out"
assert_match "pw=alice:x:200001:200001:Alice:/home/alice:/bin/bash" "$out" "getent passwd"
assert_match "uid=u42:x:300042:" "$out" "getent by uid"
assert_match "id=uid=200002\(bob\) gid=200001\(staff2\) groups=200001\(staff2\),200002\(devs\),200100\(big\)" "$out" "id bob"
assert_match "merge=mergeg:x:250000:localmember,alice" "$out" "[SUCCESS=merge]"
assert_match "sp=bob:1" "$out" "revoked bob expired in shadow"
assert_match "root=root:0" "$out" "local root still resolves"
assert_match "none=absent" "$out" "unknown user"
assert_match "spok=alice" "$out" "shadow entry served"
assert_match "spmix=refused" "$out" "shadow.db of another build is not served"
# The real configuration is untouched.
grep -q bhxh /etc/nsswitch.conf && fail "real nsswitch.conf changed"
echo "ok"
