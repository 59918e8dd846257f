#!/bin/bash
# The shipped pam-auth-update profiles, end to end, as root, in a private
# mount namespace: copies of /etc/pam.d, /etc/security, /var/lib,
# /usr/share/pam-configs and the PAM module directory (with the built
# pam_bhxh.so) are bind-mounted over the real ones, pam-auth-update enables
# the profiles, and a scratch account is locked and unlocked through the
# generated common-auth / common-account.  Nothing outside the namespace
# changes (checked at the end).
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd unshare
require_cmd pam-auth-update
[ -n "${PAM_SYSMODDIR:-}" ] && [ -d "$PAM_SYSMODDIR" ] || skip "PAM module directory unknown"
# the profiles use the module's built-in paths: only a build for /etc and /var
[ "${BHXH_SYSCONFDIR:-}" = /etc ] && [ "${BHXH_LOCALSTATEDIR:-}" = /var ] ||
	skip "built with sysconfdir=${BHXH_SYSCONFDIR:-?} localstatedir=${BHXH_LOCALSTATEDIR:-?}"
user=$(uniq_name)
pass='Dung-Mat-Khau-2026'
scratch_user "$user" "$pass"
w=$(scratch_dir)
before=$(cat /etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/common-password | md5sum)
cp -a /etc/pam.d "$w/pamd"
cp -a /etc/security "$w/security"
: >"$w/security/bhxh.conf"
mkdir -m 755 "$w/varlib"
cp -a /var/lib/pam "$w/varlib/pam"
cp -a /usr/share/pam-configs "$w/cfg"
cp "$top_srcdir"/conf/pam-configs/bhxh* "$w/cfg/"
cp -a "$PAM_SYSMODDIR" "$w/sec"
cp "$PAM_BHXH_SO" "$w/sec/pam_bhxh.so"
printf '@include common-auth\n@include common-account\n' >"$w/pamd/bhxhpau"

cat >"$w/inner.sh" <<'EOS'
set -eu
w=$1 user=$2 pass=$3
mount --bind "$w/pamd" /etc/pam.d
mount --bind "$w/security" /etc/security
mount --bind "$w/varlib" /var/lib
mount --bind "$w/cfg" /usr/share/pam-configs
mount --bind "$w/sec" "$PAM_SYSMODDIR"
DEBIAN_FRONTEND=noninteractive pam-auth-update --package --enable bhxh-preauth bhxh-authfail bhxh
grep -v '^#' /etc/pam.d/common-auth | grep -v '^$' >"$w/common-auth"
grep -v '^#' /etc/pam.d/common-account | grep -v '^$' >"$w/common-account"
grep -v '^#' /etc/pam.d/common-password | grep -v '^$' >"$w/common-password"
drive() { printf '%s\n' "$1" | LD_PRELOAD="${SAN_PRELOAD:-}" "$PAMDRIVE" bhxhpau "$user" auth acct || true; }
drive wrong1 >"$w/out1"
drive wrong2 >"$w/out2"
drive wrong3 >"$w/out3"
drive "$pass" >"$w/out4"
LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout status --user "$user" --json >"$w/status"
LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout reset --user "$user"
drive "$pass" >"$w/out5"
ls -ld /var/lib/bhxh /var/lib/bhxh/tally >"$w/dirs"
EOS
export PAMDRIVE BHXHCTL SAN_PRELOAD PAM_SYSMODDIR
unshare -m --propagation private bash "$w/inner.sh" "$w" "$user" "$pass" ||
	fail "pam-auth-update or the stack failed in the namespace"

# the generated stacks: preauth first, pam_unix's success jumps over
# authfail and pam_deny, authsucc after pam_permit
ca=$(cat "$w/common-auth")
assert_match '^auth	required	pam_bhxh\.so preauth' "$ca" "preauth first, required (always prompts)"
n_unix=$(grep -n 'pam_unix.so' "$w/common-auth" | cut -d: -f1)
n_fail=$(grep -n 'pam_bhxh.so authfail' "$w/common-auth" | cut -d: -f1)
n_deny=$(grep -n 'pam_deny.so' "$w/common-auth" | cut -d: -f1)
n_succ=$(grep -n 'pam_bhxh.so authsucc' "$w/common-auth" | cut -d: -f1)
[ "$n_unix" -lt "$n_fail" ] && [ "$n_fail" -lt "$n_deny" ] && [ "$n_deny" -lt "$n_succ" ] ||
	fail "auth order: $ca"
assert_match 'success=2' "$(sed -n "${n_unix}p" "$w/common-auth")" "pam_unix jumps over authfail and pam_deny"
assert_match 'required	pam_bhxh\.so' "$(cat "$w/common-account")" "account line"
cp_=$(cat "$w/common-password")
assert_match '^password	requisite	pam_bhxh\.so' "$cp_" "password check before pam_unix"
assert_match 'password	\[success=[0-9]+ ignore=ignore default=die\]	pam_bhxh\.so directory' \
	"$cp_" "directory accounts' line before pam_unix, with its jump computed"
assert_match 'optional	pam_bhxh\.so record' "$cp_" "history record after pam_unix"

# through the generated stack: three wrong passwords lock, reset unlocks
assert_match 'auth: 7 ' "$(cat "$w/out1")" "wrong password refused"
assert_match 'locked after 3 failed logins' "$(cat "$w/out3")" "third failure locks"
assert_match 'auth: 7 ' "$(cat "$w/out4")" "right password refused while locked"
assert_match '"locked":true' "$(cat "$w/status")" "status in the default state directory"
assert_match 'acct: 0 ' "$(cat "$w/out5")" "in after the reset"
assert_match '^drwx------ .* /var/lib/bhxh$' "$(head -1 "$w/dirs")" "state parent root-only"

# nothing outside the namespace changed
after=$(cat /etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/common-password | md5sum)
assert_eq "$before" "$after" "the machine's own common-* files"
[ -e /etc/pam.d/bhxhpau ] && fail "service file leaked"
[ -e /var/lib/bhxh/tally/"$user" ] && fail "state leaked into the real /var/lib"
echo ok
