#!/bin/bash
# The Debian packages, end to end, as root: build them from a clean copy of
# the source (tests/deb/build.sh: nocheck, lintian clean) or take them from
# $BHXH_DEB_DIR (tests/ci.sh builds them once), then, in a private mount
# namespace, over an overlay of the machine's own root (the real / is the
# read-only lower layer; every write goes to a tmpfs that disappears with
# the namespace), chroot into it and:
#   apt-get install ./*.deb           nothing in /etc/pam.d changes; bhxh
#                                     joins passwd/group/shadow in
#                                     nsswitch.conf
#   pam-auth-update --enable ...      the module locks and unlocks an account
#                                     through the system's common-auth
#   bhxhctl db build                  a directory account resolves via NSS
#   apt-get remove                    common-* and nsswitch.conf as before;
#                                     state in /var/lib/bhxh kept
#   apt-get purge                     state and conffile gone; no file of the
#                                     packages and no pam_bhxh line left;
#                                     common-*, nsswitch.conf, /var/lib/pam
#                                     exactly as before
# The machine itself is never changed (checked at the end).
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd unshare
require_cmd chroot
require_cmd apt-get
require_cmd pam-auth-update
# distcheck's scratch prefix: the packages are built and tested in the
# normal builds only
[ "${BHXH_SYSCONFDIR:-}" = /etc ] && [ "${BHXH_LOCALSTATEDIR:-}" = /var ] ||
	skip "built with sysconfdir=${BHXH_SYSCONFDIR:-?} localstatedir=${BHXH_LOCALSTATEDIR:-?}"
[ -z "${SAN_PRELOAD:-}" ] || skip "sanitizer build (the packages are tested in the plain build)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
	skip "no overlay filesystem"
[ -x "$PAMDRIVE" ] || fail "tests/pamdrive not built"

w=$(scratch_dir)
if [ -n "${BHXH_DEB_DIR:-}" ]; then
	debs=$BHXH_DEB_DIR
else
	require_cmd dpkg-buildpackage
	require_cmd dh
	git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		skip "not a git checkout (the packages are built from the tracked files)"
	debs=$w/debs
	start=$(date +%s)
	bash "$top_srcdir/tests/deb/build.sh" "$debs" || fail "package build or lintian"
	echo "packages built and checked by lintian in $(($(date +%s) - start)) s"
fi
for p in libpam-bhxh libnss-bhxh bhxh-tools bhxh-common; do
	ls "$debs/${p}"_*.deb >/dev/null 2>&1 || fail "no ${p}_*.deb in $debs"
done

snapshot() { # the files the packages must leave as they found them
	cat /etc/pam.d/common-* /etc/nsswitch.conf /var/lib/pam/* 2>/dev/null | md5sum
}
before=$(snapshot)
user=$(uniq_name)
pass='Dung-Mat-Khau-2026'
mkdir -p "$w/in" "$w/out" "$w/ns"
cp "$debs"/libpam-bhxh_*.deb "$debs"/libnss-bhxh_*.deb "$debs"/bhxh-tools_*.deb \
	"$debs"/bhxh-common_*.deb "$w/in/"
cp "$PAMDRIVE" "$w/in/pamdrive"

# Runs inside the chroot.  Each check prints "ok: ..." or fails.
cat >"$w/in/steps.sh" <<'EOS'
set -eu
user=$1 pass=$2
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
state() { cat /etc/pam.d/common-* /etc/nsswitch.conf /var/lib/pam/* 2>/dev/null | md5sum; }
# The lower layer is the live /etc: a lock file of a useradd running on the
# machine at the moment would block ours.  Removing it here removes it from
# the overlay only.
unlock_pw() { rm -f /etc/passwd.lock /etc/shadow.lock /etc/group.lock /etc/gshadow.lock \
	/etc/subuid.lock /etc/subgid.lock; }
pkgs="libpam-bhxh libnss-bhxh bhxh-tools bhxh-common"
orig_pam=$(cat /etc/pam.d/common-* | md5sum)
orig_nss=$(cat /etc/nsswitch.conf)
orig=$(state)
# man-db's trigger is slow and irrelevant here
rm -f /var/lib/man-db/auto-update

apt-get install -y --no-install-recommends /in/*.deb >/out/apt-install.log 2>&1 ||
	{ tail -30 /out/apt-install.log; fail "apt-get install"; }
for p in $pkgs; do
	dpkg-query -W -f '${db:Status-Abbrev}' "$p" | grep -q '^ii' || fail "$p not installed"
	dpkg -L "$p" >>/out/files
done
m=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
for f in "/lib/$m/security/pam_bhxh.so" "/lib/$m/libnss_bhxh.so.2" /usr/sbin/bhxhctl \
	/etc/security/bhxh.conf /usr/share/pam_bhxh/denylist.bhxhdl \
	/usr/share/locale/vi/LC_MESSAGES/pam_bhxh.mo /usr/share/pam-configs/bhxh \
	/usr/share/man/man8/pam_bhxh.8.gz; do
	[ -e "$f" ] || fail "$f not installed"
done
ok "files in their multiarch places"
# no test hook in what is shipped (a hook sets the clock, turns off audit
# records...: only in builds configured with --enable-test-hooks)
while read -r f; do
	[ -f "$f" ] && [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	! grep -aq BHXH_TEST_ "$f" || fail "$f has test hooks ($(grep -ao 'BHXH_TEST_[A-Z_]*' "$f" | sort -u | tr '\n' ' '))"
	n=$((${n:-0} + 1))
done </out/files
[ "${n:-0}" -ge 4 ] || fail "only ${n:-0} ELF files checked for test hooks"
ok "no test hooks in the $n shipped ELF files"
[ "$(cat /etc/pam.d/common-* | md5sum)" = "$orig_pam" ] || fail "installing changed /etc/pam.d/common-*"
ok "installing left /etc/pam.d/common-* alone"
for db in passwd group shadow; do
	grep -Eq "^$db:.*[[:space:]]bhxh([[:space:]]|\$)" /etc/nsswitch.conf ||
		fail "bhxh not added to $db in nsswitch.conf: $(grep "^$db:" /etc/nsswitch.conf)"
done
ok "nsswitch.conf: bhxh on passwd, group, shadow"
bhxhctl config check >/out/config-check.log 2>&1 || fail "bhxhctl config check: $(cat /out/config-check.log)"
ok "shipped bhxh.conf is valid"

# the system's own common-auth, with the profiles enabled
# (the account first: chpasswd goes through common-password, where
# pam_bhxh would rightly refuse this weak password)
unlock_pw
useradd -M -N -s /usr/sbin/nologin "$user"
echo "$user:$pass" | chpasswd
pam-auth-update --enable bhxh-preauth bhxh-authfail bhxh
grep -q 'pam_bhxh.so preauth' /etc/pam.d/common-auth || fail "profiles not enabled"
printf '@include common-auth\n@include common-account\n' >/etc/pam.d/bhxhpkg
drive() { printf '%s\n' "$1" | /in/pamdrive bhxhpkg "$user" auth acct || true; }
out=$(drive "$pass")
case $out in *"auth: 0 "*"acct: 0 "*) ;; *) fail "right password refused: $out";; esac
ok "right password: in"
drive wrong1 >/dev/null
drive wrong2 >/dev/null
out=$(drive wrong3)
case $out in *"locked after 3 failed logins"*) ;; *) fail "third failure did not lock: $out";; esac
out=$(drive "$pass")
case $out in *"auth: 7 "*) ;; *) fail "locked account let in: $out";; esac
ok "three wrong passwords lock the account, the right one is then refused"
bhxhctl lockout status --user "$user" --json | grep -q '"locked":true' || fail "status"
bhxhctl lockout reset --user "$user" >/dev/null
out=$(drive "$pass")
case $out in *"acct: 0 "*) ;; *) fail "not in after reset: $out";; esac
ok "reset by bhxhctl, in again"

# a directory account through the plugin and the system's nsswitch.conf
mkdir -p /tmp/export
echo "${user}d:x:250001:250001:Directory user:/home/${user}d:/bin/sh" >/tmp/export/passwd
echo "${user}g:x:250001:${user}d" >/tmp/export/group
bhxhctl db build /tmp/export >/out/db-build.log 2>&1 || fail "db build: $(cat /out/db-build.log)"
getent passwd "${user}d" | grep -q ":250001:250001:" || fail "directory account not resolved"
getent group "${user}g" | grep -q "${user}d" || fail "directory group not resolved"
ok "directory account and group resolved through libnss_bhxh"
[ -d /var/lib/bhxh ] || fail "no state directory"
rm -f /etc/pam.d/bhxhpkg

# remove: the stacks and nsswitch.conf as before, state kept
apt-get remove -y $pkgs >/out/apt-remove.log 2>&1 || { tail -30 /out/apt-remove.log; fail "apt-get remove"; }
[ "$(cat /etc/pam.d/common-* | md5sum)" = "$orig_pam" ] ||
	{ grep -rn bhxh /etc/pam.d; fail "remove left /etc/pam.d/common-* changed"; }
ok "remove: /etc/pam.d/common-* as before"
[ "$(cat /etc/nsswitch.conf)" = "$orig_nss" ] ||
	{ diff <(echo "$orig_nss") /etc/nsswitch.conf; fail "remove left nsswitch.conf changed"; }
ok "remove: nsswitch.conf as before"
[ -d /var/lib/bhxh ] && [ -e /etc/security/bhxh.conf ] || fail "remove deleted state or conffile"
ok "remove: state and bhxh.conf kept"

# purge what remove left (packages with conffiles or purge scripts stay in
# dpkg's "rc" state; apt no longer knows the others)
rcpkgs=$(dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' $pkgs 2>/dev/null | awk '$2 ~ /^rc/ {print $1}')
echo "after remove, config files left by: $rcpkgs" >/out/rc
[ -n "$rcpkgs" ] || fail "nothing left to purge after remove"
apt-get purge -y $rcpkgs >/out/apt-purge.log 2>&1 || { tail -30 /out/apt-purge.log; fail "apt-get purge"; }
for p in $pkgs; do
	if dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^[a-z][a-zA-Z]'; then
		fail "$p still known to dpkg: $(dpkg-query -W -f '${db:Status-Abbrev}' "$p")"
	fi
done
while read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] || [ -L "$f" ] && fail "left behind: $f"
done </out/files
for d in /var/lib/bhxh /var/lib/bhxh-db /etc/security/bhxh.conf /usr/share/pam_bhxh \
	/usr/share/doc/libpam-bhxh /usr/share/doc/bhxh-common; do
	[ -e "$d" ] && fail "left behind: $d"
done
grep -rl 'pam_bhxh' /etc/pam.d && fail "pam_bhxh line left in /etc/pam.d"
unlock_pw
userdel -f "$user"
[ "$(state)" = "$orig" ] ||
	{ cat /etc/pam.d/common-auth /etc/nsswitch.conf /var/lib/pam/seen; fail "purge did not restore common-*, nsswitch.conf, /var/lib/pam"; }
ok "purge: no file, no state, no pam_bhxh line left; common-*, nsswitch.conf, /var/lib/pam as before"
EOS

# Runs in the private mount namespace: overlay root, chroot, then a look at
# everything the packages wrote (the overlay's upper layer).
cat >"$w/ns.sh" <<'EOS'
set -eu
w=$1 user=$2 pass=$3
mount -t tmpfs -o mode=0755 bhxhpkg "$w/ns"
mkdir "$w/ns/upper" "$w/ns/work" "$w/ns/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$w/ns/upper,workdir=$w/ns/work" "$w/ns/root"
r=$w/ns/root
for d in proc sys dev; do mount --rbind "/$d" "$r/$d"; done
mount -t tmpfs tmpfs "$r/tmp"
mount -t tmpfs tmpfs "$r/run"
mkdir -p "$r/run/lock" "$r/in" "$r/out"
mount --bind "$w/in" "$r/in"
mount --bind "$w/out" "$r/out"
rc=0
chroot "$r" /bin/bash /in/steps.sh "$user" "$pass" || rc=$?
# files the packages created and left behind (overlay whiteouts, the
# character devices recording deletions, do not count)
(cd "$w/ns/upper" && find . -name '*bhxh*' ! -type c ! -path './in*' ! -path './out*') >"$w/out/upper-left" || true
exit $rc
EOS

start=$(date +%s)
rc=0
unshare -m --propagation private bash "$w/ns.sh" "$w" "$user" "$pass" >"$w/out/steps" 2>&1 || rc=$?
cat "$w/out/steps"
[ "$rc" = 0 ] || fail "in the overlay root (exit $rc)"
left=$(cat "$w/out/upper-left")
[ -z "$left" ] || fail "files left in the overlay after purge: $left"
echo "ok: no file named *bhxh* left in the overlay's upper layer"
echo "install/remove/purge in the overlay root took $(($(date +%s) - start)) s"
# and the machine itself never saw any of it
assert_eq "$before" "$(snapshot)" "the machine's own common-*, nsswitch.conf, /var/lib/pam"
dpkg-query -W libpam-bhxh >/dev/null 2>&1 && fail "libpam-bhxh known to the machine's dpkg"
getent passwd "$user" >/dev/null && fail "scratch user leaked to the machine"
echo ok
