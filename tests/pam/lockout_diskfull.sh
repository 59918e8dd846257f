#!/bin/bash
# A full file system under the state directory: failures can no longer be
# counted, so preauth refuses (fail closed) until space is freed.  Runs in a
# private mount namespace with a tiny tmpfs (root only).
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd unshare
work=$(scratch_dir)
cat >"$work/inner.sh" <<'EOS'
set -eu
work=$1
mount -t tmpfs -o size=256k,mode=0700 bhxh-full "$work/state"
mkdir -m 700 "$work/state/tally"
drive() {
	printf '%s\n' "$1" | LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$NSS_WRAPPER_SO" \
		NSS_WRAPPER_PASSWD="$work/passwd" NSS_WRAPPER_GROUP="$work/group" \
		"$PAMDRIVE" --confdir "$work/pam.d" full lehoangc auth
}
drive Dung-2026-Roi >"$work/before" || { cat "$work/before"; exit 10; }
dd if=/dev/zero of="$work/state/filler" bs=4k 2>/dev/null || true
if drive Dung-2026-Roi >"$work/during"; then exit 11; fi
rm -f "$work/state/filler"
drive Dung-2026-Roi >"$work/after" || exit 12
EOS
mkdir -m 700 "$work/state" "$work/pam.d"
: >"$work/bhxh.conf"
echo "lehoangc:Dung-2026-Roi:full" >"$work/passdb"
echo "lehoangc:x:1700:1700::/home/lehoangc:/bin/sh" >"$work/passwd"
echo "g:x:1700:" >"$work/group"
a="dir=$work/state/tally conf=$work/bhxh.conf nodelay"
cat >"$work/pam.d/full" <<EOS
auth requisite $PAM_BHXH_SO preauth $a
auth [success=1 default=bad] $PAM_MATRIX_SO passdb=$work/passdb
auth [default=die] $PAM_BHXH_SO authfail $a
auth sufficient $PAM_BHXH_SO authsucc $a
auth required $PAM_SYSMODDIR/pam_deny.so
EOS
export PAMDRIVE NSS_WRAPPER_SO SAN_PRELOAD
unshare -m --propagation private bash "$work/inner.sh" "$work"
rc=$?
case $rc in
0) ;;
10) fail "login refused before the disk was full: $(cat "$work/before")" ;;
11) fail "login accepted while the state file system was full" ;;
12) fail "login still refused after space was freed: $(cat "$work/after")" ;;
*) fail "inner script failed ($rc)" ;;
esac
assert_match 'auth: 7 ' "$(cat "$work/during")" "refused with PAM_AUTH_ERR while full"
mountpoint -q "$work/state" && fail "tmpfs leaked out of the namespace"
echo ok
