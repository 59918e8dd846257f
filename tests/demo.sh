#!/bin/bash
# The demonstration (demo/run.sh) on this build, as root: it runs to the end
# and shows each capability with the right outcome (screen 3 from a
# private slapd when slapd is installed: db sync --once, then a revocation
# pushed to db sync --follow and refused at the next login), writes the
# HTML report, and leaves nothing on the machine (accounts, /etc/pam.d,
# nsswitch.conf, state, the demo's slapd and follower).  Holds the
# audit tests' lock (it reads auditd's log).  Skipped in sanitizer builds
# (system programs would load the instrumented NSS plugin) and in
# distcheck's scratch prefix.
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd unshare
require_cmd chage
require_cmd python3
[ -z "${SAN_PRELOAD:-}" ] || skip "sanitizer build"
# distcheck's scratch prefix: the demo is checked in the normal builds
[ "${BHXH_SYSCONFDIR:-}" = /etc ] || skip "built with sysconfdir=${BHXH_SYSCONFDIR:-?}"
require_vi_locale
ensure_auditd
# (other tests add scratch users and services meanwhile: only the files
# nothing else changes are compared)
before=$(cat /etc/pam.d/common-* /etc/nsswitch.conf | md5sum)
out=$(BHXH_DEMO_BUILD="$top_builddir" bash "$top_srcdir/demo/run.sh" 2>&1) || {
	printf '%s\n' "$out"
	fail "demo/run.sh exited with an error"
}
printf '%s\n' "$out"
# (kept by the demo for the user; removed by this test whatever happens)
html=$(printf '%s\n' "$out" | grep -o '/tmp/bhxh-demo-report-[0-9]*\.html' | head -1)
[ -z "$html" ] || on_exit "rm -f '$html'"
user=$(printf '%s\n' "$out" | grep -o 'bhxhdemo[0-9]*' | head -1)
duser=$(printf '%s\n' "$out" | grep -o 'nvdemo[0-9]*' | head -1)
[ -n "$user" ] && [ -n "$duser" ] || fail "no demo account names in the output"
section() { printf '%s\n' "$out" | sed -n "/ $1\\. /,/ $(($1 + 1))\\. /p"; }
s1=$(section 1) s2=$(section 2) s3=$(section 3) s4=$(section 4) s5=$(section 5)

# 1. lockout, in both languages; status; reset
assert_match 'The account is locked after 3 failed logins' "$s1" "lock message"
assert_match 'Tài khoản đã bị khóa sau 3 lần đăng nhập sai' "$s1" "lock message in Vietnamese"
assert_match "$user: LOCKED" "$s1" "lockout status"
assert_match 'acct: 0 ' "$(printf '%s\n' "$s1" | sed -n '/resets the lock/,$p')" "in after the reset"
# 2. expiry forces a change; weak refused with the reason (en, vi); strong taken
assert_match 'Your password expired on [0-9-]+\. You must change it now' "$s2" "expiry"
assert_match 'acct: 12 ' "$s2" "PAM_NEW_AUTHTOK_REQD"
assert_match 'common Vietnamese word' "$s2" "weak password reason"
assert_match 'Mật khẩu là một từ, tên hoặc cụm từ tiếng Việt phổ biến' "$s2" "reason in Vietnamese"
assert_match 'chauthtok: 0 ' "$s2" "strong password taken"
assert_match 'refused	vietnamese_phrase' "$s2" "bhxhctl password check"
# 3. directory account in, revoked, refused at once (en, vi): from a
# private slapd (db sync --once, then the follower), or from files
assert_match "^$duser:x:" "$s3" "directory account resolved through the plugin"
if [ -x /usr/sbin/slapd ] && [ -f /usr/lib/ldap/syncprov.so ] && command -v ldapmodify >/dev/null; then
	assert_match 'ldap_uri = ldap://127\.0\.0\.1:388[89][0-9]/' "$s3" "a private slapd on the demo's ports"
	assert_match "installed generation 1 in .*: 1 users, 1 groups, 1 shadow entries \(2 added" \
		"$s3" "LDAP publication (db sync --once)"
	assert_match "generation 2 installed by the follower [0-9]+ ms after the change" "$s3" \
		"revocation pushed by the follower"
	assert_match 'state: +connected since' "$s3" "db status of the follower"
	assert_match 'generation: +2 \(1 users, 1 groups\)' "$s3" "db status generation"
	# (refused by the login that came after the follower, nothing run between)
	after=$(printf '%s\n' "$s3" | sed -n '/installed by the follower/,/bhxhctl db status/p')
	[ "$(printf '%s\n' "$after" | grep -c 'acct: 6 ')" = 2 ] ||
		fail "logins after the LDAP revocation not refused: $after"
	assert_match 'Your account has been revoked' "$after" "revoked message after the LDAP change"
	assert_match 'Tài khoản của bạn đã bị thu hồi' "$after" "in Vietnamese"
else
	assert_match "~ user $duser: revoked" "$s3" "db diff"
fi
assert_match 'Your account has been revoked' "$s3" "revoked message"
assert_match 'Tài khoản của bạn đã bị thu hồi' "$s3" "revoked message in Vietnamese"
[ "$(printf '%s\n' "$s3" | grep -c 'acct: 0 ')" = 1 ] || fail "one login before the revocation: $s3"
[ "$(printf '%s\n' "$s3" | grep -c 'acct: 6 ')" = 2 ] || fail "refused after the revocation: $s3"
# 4. posture: refused without the antivirus (en, vi), in with it
reasons="too_many_failures locked_timed admin_reset password_expired vietnamese_phrase revoked"
if [ -x /usr/sbin/clamd ]; then
	assert_match "antivirus \(clamd\) is not running" "$s4" "antivirus missing"
	assert_match "Phần mềm diệt virus của cơ quan \(clamd\) không chạy" "$s4" "in Vietnamese"
	[ "$(printf '%s\n' "$s4" | grep -c 'acct: 6 ')" = 2 ] || fail "posture refusals: $s4"
	assert_match 'acct: 0 ' "$(printf '%s\n' "$s4" | sed -n '/is started/,$p')" "in with clamd running"
	assert_match 'posture: +ok' "$s4" "bhxhctl posture"
	reasons="$reasons posture_av_missing"
else
	assert_match 'skipped: clamav-daemon is not installed' "$s4" "posture skipped"
fi
# 5. the audit trail and the report
for r in $reasons; do
	assert_match "reason=$r" "$s5" "audit record reason=$r"
done
assert_match "^$user +[0-9]+ +[0-9]+ " "$s5" "report row for $user"
assert_match "^$duser +3 +0 +2 +0 +0 +0 +0 +0 +2 " "$s5" "report row for $duser (2 revoked refusals)"
# the HTML report: written, kept for the user (removed here)
[ -n "$html" ] || fail "HTML report path not printed: $s5"
[ -s "$html" ] || fail "HTML report $html missing or empty"
grep -q "$duser" "$html" || fail "HTML report $html does not name $duser"
rm -f "$html"
# nothing left behind
getent passwd "$user" >/dev/null && fail "demo account left"
getent passwd "$duser" >/dev/null && fail "directory account visible outside the demo"
assert_eq "$before" "$(cat /etc/pam.d/common-* /etc/nsswitch.conf | md5sum)" \
	"/etc/pam.d/common-*, nsswitch.conf"
[ -e /etc/pam.d/bhxh-demo ] && fail "PAM service left in /etc/pam.d"
work=$(printf '%s\n' "$out" | grep -o '/tmp/bhxh-demo\.[A-Za-z0-9]*' | head -1)
[ -n "$work" ] || fail "work directory not named in the output"
[ -e "$work" ] && fail "work directory $work left"
pgrep -f "$work/" >/dev/null && fail "a process of the demo (slapd, the follower) left: $(pgrep -af "$work/")"
echo ok
