#!/bin/bash
# The lockout messages a user sees, in English (C locale) and Vietnamese
# (vi_VN.UTF-8), through a real stack (tests/pamdrive, private pam.d with
# pam_matrix as the password backend, nss_wrapper for the account).
. "$top_srcdir/tests/lib.sh"
require_vi_locale
work=$(scratch_dir)
export BHXH_TEST_LOCALEDIR=$(test_localedir)
mkdir -m 700 "$work/tally" "$work/pam.d"
: >"$work/bhxh.conf"
echo "tranthib:Dung-Roi-2026:msg" >"$work/passdb"
echo "tranthib:x:1600:1600:Tran Thi B:/home/tranthib:/bin/sh" >"$work/passwd"
echo "staff:x:1600:" >"$work/group"
a="dir=$work/tally conf=$work/bhxh.conf nodelay deny=3 unlock_time=1200"
cat >"$work/pam.d/msg" <<EOS
auth requisite $PAM_BHXH_SO preauth $a
auth [success=1 default=bad] $PAM_MATRIX_SO passdb=$work/passdb
auth [default=die] $PAM_BHXH_SO authfail $a
auth sufficient $PAM_BHXH_SO authsucc $a
auth required $PAM_SYSMODDIR/pam_deny.so
EOS
drive() { # LANG PASSWORD
	printf '%s\n' "$2" | env LANG="$1" LC_ALL="$1" LANGUAGE= \
		LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$NSS_WRAPPER_SO" \
		NSS_WRAPPER_PASSWD="$work/passwd" NSS_WRAPPER_GROUP="$work/group" \
		"$PAMDRIVE" --confdir "$work/pam.d" msg tranthib auth
}
export BHXH_TEST_NOW=1800000000
drive C x >/dev/null
drive C y >/dev/null
out=$(drive C z)
assert_match '^error: The account is locked after 3 failed logins\.$' "$out" "English lock message"
assert_match '^error: Try again in 20 minutes\.$' "$out" "English unlock time"

rm -rf "$work/tally"/*
vi=$(drive vi_VN.UTF-8 x; drive vi_VN.UTF-8 y; drive vi_VN.UTF-8 z)
assert_match 'Tài khoản đã bị khóa sau 3 lần đăng nhập sai\.' "$vi" "Vietnamese lock message"
assert_match 'Vui lòng thử lại sau 20 phút\.' "$vi" "Vietnamese unlock time"
export BHXH_TEST_NOW=1800000000
out=$(drive vi_VN.UTF-8 Dung-Roi-2026)
assert_match 'Tài khoản đã bị khóa sau 3 lần' "$out" "Vietnamese refusal while locked"
echo "ok"
