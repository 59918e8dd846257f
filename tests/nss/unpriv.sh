#!/bin/bash
# Directory accounts for the directory users' own processes: the database
# as `db build` installs it (directory 0755, passwd.db 0644 root:root,
# shadow.db 0640 root:shadow) is read through glibc by an unprivileged uid
# (getent, id), and pam_unix run AS a directory user authenticates it
# through the setgid-shadow unix_chkpwd, as a screen locker does.
#
# A private mount namespace: the scratch database is bind-mounted at the
# plugin's compiled path, a private nsswitch.conf and an ld.so.cache that
# lists the built plugin over the real ones (a setgid program ignores
# LD_LIBRARY_PATH, the cache is how it finds libraries).  Nothing outside
# the namespace changes, except that the empty mount point
# $localstatedir/lib/bhxh-db is created if missing (and removed again).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
require_root
require_cmd unshare
require_cmd setpriv
require_cmd getent
require_cmd ldconfig
require_cmd python3
getent group shadow >/dev/null || skip "no shadow group"
CHKPWD=$(command -v unix_chkpwd || echo /usr/sbin/unix_chkpwd)
DBPATH="$BHXH_LOCALSTATEDIR/lib/bhxh-db"
[ -d "$BHXH_LOCALSTATEDIR/lib" ] || skip "no $BHXH_LOCALSTATEDIR/lib (scratch prefix)"
setup_scratch
make_source "$T/src"
PW='Dana#Bhxh-2026'
HASH=$(python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], "$6$bhxhtest"))' "$PW")
case $HASH in '$6$bhxhtest$'*) ;; *) skip "cannot hash a password (python3 crypt)" ;; esac
echo "dana:x:200010:200001:Dana:/nonexistent:/bin/sh" >>"$T/src/passwd"
echo "dana:$HASH:19000:0:99999:7:::" >>"$T/src/shadow"
db_build "$T/src" "$T/db" >/dev/null || fail "build"

# What the build installed.
assert_eq "755 root root" "$(stat -c '%a %U %G' "$T/db")" "database directory"
assert_eq "644 root root" "$(stat -L -c '%a %U %G' "$T/db/passwd.db")" "passwd.db"
assert_eq "640 root shadow" "$(stat -L -c '%a %U %G' "$T/db/shadow.db")" "shadow.db"

created=
if [ ! -e "$DBPATH" ]; then
	mkdir -m 0755 "$DBPATH" || fail "mkdir $DBPATH"
	created=1
	on_exit "rmdir '$DBPATH' 2>/dev/null || true"
fi
# The unprivileged user must reach the private PAM directory.
chmod 711 "$BHXH_TEST_ROOT" "$T"
mkdir -m 755 "$T/pub" "$T/pub/pam.d"
cat >"$T/pub/pam.d/bhxh-unpriv" <<'PAM'
auth     required pam_unix.so
account  required pam_unix.so
PAM
chmod 644 "$T/pub/pam.d/bhxh-unpriv"
cat >"$T/nsswitch.conf" <<NSS
passwd: files bhxh
group: files bhxh
shadow: files bhxh
NSS
echo "$top_builddir/nss_bhxh/.libs" >"$T/ld.so.conf"
ldconfig -C "$T/ld.so.cache" -f "$T/ld.so.conf" 2>/dev/null || fail "ldconfig"
chmod 644 "$T/ld.so.cache" "$T/nsswitch.conf"
chk=1
# A sanitizer build of the plugin cannot be loaded by unix_chkpwd (its
# runtime cannot be preloaded into a setgid program).
[ -n "${SAN_PRELOAD:-}" ] && chk=

cat >"$T/inner.sh" <<INNER
set -e
mount --make-rprivate /
mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf
mount --bind "$T/ld.so.cache" /etc/ld.so.cache
mount --bind "$T/db" "$DBPATH"
export LD_PRELOAD="${SAN_PRELOAD:-}"
as() { u=\$1; shift; setpriv --reuid="\$u" --regid="\$u" --clear-groups -- "\$@"; }
echo "pw=\$(as 65534 getent passwd alice)"
echo "uid=\$(as 65534 getent passwd 300042)"
echo "id=\$(as 65534 id bob)"
echo "gr=\$(as 65534 getent group devs)"
echo "nosp=\$(as 65534 getent shadow alice || echo refused)"
echo "rootsp=\$(getent shadow alice | cut -d: -f1,3)"
echo "self=\$(as 200010 id -un)"
if [ -n "$chk" ]; then
	echo "chkpwd-ok=\$(printf '%s\n' '$PW' | as 200010 "$top_builddir/tests/pamdrive" --confdir "$T/pub/pam.d" bhxh-unpriv dana auth acct 2>&1 | tr '\n' ' ')"
	echo "chkpwd-bad=\$(printf '%s\n' 'wrong-password' | as 200010 "$top_builddir/tests/pamdrive" --confdir "$T/pub/pam.d" bhxh-unpriv dana auth 2>&1 | tr '\n' ' ')"
fi
INNER
out=$(timeout 60 unshare -m bash "$T/inner.sh" 2>&1) || fail "namespace: $out"
echo "$out"
assert_match "pw=alice:x:200001:200001:Alice:/home/alice:/bin/bash" "$out" "getent passwd as nobody"
assert_match "uid=u42:x:300042:" "$out" "getent by uid as nobody"
assert_match "id=uid=200002\(bob\) gid=200001\(staff2\) groups=200001\(staff2\),200002\(devs\),200100\(big\)" "$out" "id as nobody"
assert_match "gr=devs:x:200002:bob,localuser" "$out" "getent group as nobody"
assert_match "nosp=refused" "$out" "shadow.db is not readable by others"
assert_match "rootsp=alice:19000" "$out" "root reads shadow.db"
assert_match "self=dana" "$out" "a directory user's own process resolves its name"
if [ -n "$chk" ]; then
	assert_match "chkpwd-ok=auth: 0 .*acct: 0 " "$out" "pam_unix as the user (unix_chkpwd) accepts the password"
	assert_match "chkpwd-bad=auth: 7 " "$out" "pam_unix as the user refuses a wrong password"
else
	echo "unix_chkpwd part skipped (sanitizer build)"
fi
[ -z "$created" ] || [ -z "$(ls -A "$DBPATH")" ] || fail "$DBPATH not empty outside the namespace"
grep -q bhxh /etc/nsswitch.conf && fail "real nsswitch.conf changed"
echo "ok"
