#!/bin/bash
# The account phase against the real /etc/shadow through glibc's NSS: a
# scratch account whose aging is set with chage(1), a private pam.d
# directory (pamdrive --confdir) and the clock injected with BHXH_TEST_NOW.
# Root only (useradd, chage, reading /etc/shadow).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pam/expiry-env.sh"

require_root
require_test_hooks
require_cmd chage
require_cmd useradd
require_cmd ausearch
ensure_auditd

d=$(scratch_dir)
on_exit "rm -rf '$d'" # scratch_dir ran in a subshell: register here
user=$(uniq_name)
scratch_user "$user" 'Scratch-pass-1'
NOW0=1780315200 # 2026-06-01 12:00 UTC
D=$(day_of $NOW0)
export BHXH_TEST_NOW=$NOW0

mkdir "$d/pam.d"
: >"$d/empty.conf"
chmod 600 "$d/empty.conf"
cat >"$d/pam.d/bhxh-expiry" <<SVC
account required $PAM_BHXH_SO conf=$d/empty.conf dir=$d/tally nodelay max_days=90 inactive_days=30 lastlogin_dir=$d/lastlogin
SVC
acct() { LC_ALL=C "$PAMDRIVE" --confdir "$d/pam.d" bhxh-expiry "$1" acct </dev/null; }

chage -d $((D - 10)) -M 99999 -E -1 "$user" || fail "chage"
out=$(acct "$user"); rc=$?
assert_eq 0 "$rc" "fresh password: $out"

chage -d $((D - 100)) "$user"
out=$(acct "$user"); rc=$?
assert_eq 12 "$rc" "sp_max 99999, changed 100 days ago (PAM_NEW_AUTHTOK_REQD): $out"
assert_match '^error: Your password expired on 2026-05-22\. You must change it now\.$' "$out" "message"

chage -d 0 "$user"
out=$(acct "$user"); rc=$?
assert_eq 12 "$rc" "chage -d 0: $out"
assert_match 'You must change your password now' "$out" "message"

chage -d $((D - 87)) "$user"
out=$(acct "$user"); rc=$?
assert_eq 0 "$rc" "warning: $out"
assert_match '^info: Your password will expire in 3 days, on 2026-06-04\.' "$out" "warning"

chage -d $((D - 10)) -E "$D" "$user"
out=$(acct "$user"); rc=$?
assert_eq 13 "$rc" "chage -E today (PAM_ACCT_EXPIRED): $out"
assert_match 'Your account has expired' "$out" "message"

chage -E -1 -d $((D - 95)) -I 5 "$user"
out=$(acct "$user"); rc=$?
assert_eq 13 "$rc" "grace passed: $out"
assert_match 'was not changed in time' "$out" "message"

# inactivity: the login at now0 is recorded; 31 days later without a login
# the account is refused; bhxhctl expiry reactivate lets it in again
chage -I -1 -d "$D" "$user"
out=$(acct "$user"); rc=$?
assert_eq 0 "$rc" "active: $out"
assert_eq "1 $NOW0" "$(cat "$d/lastlogin/$user")" "recorded login"
assert_eq "0:0 600" "$(stat -c '%u:%g %a' "$d/lastlogin/$user")" "record owner and mode"
export BHXH_TEST_NOW=$((NOW0 + 31 * 86400))
out=$(acct "$user"); rc=$?
assert_eq 13 "$rc" "inactive for 31 days: $out"
assert_match 'no successful login for more than 30 days' "$out" "message"
printf 'inactive_days = 30\nlastlogin_dir = %s\n' "$d/lastlogin" >"$d/ctl.conf"
chmod 600 "$d/ctl.conf"
"$BHXHCTL" --conf "$d/ctl.conf" expiry reactivate --user "$user" >/dev/null 2>&1 || fail "reactivate"
out=$(acct "$user"); rc=$?
assert_eq 0 "$rc" "after reactivate: $out"

# a state directory someone else could write is not trusted
chmod 0770 "$d/lastlogin"
out=$(acct "$user"); rc=$?
assert_eq 4 "$rc" "group-writable last-login directory (PAM_SYSTEM_ERR): $out"
chmod 0700 "$d/lastlogin"

out=$(acct "no-such-user-$user"); rc=$?
assert_eq 10 "$rc" "unknown user (PAM_USER_UNKNOWN): $out"

# every decision above reached auditd with its reason
for reason in allowed password_expired must_change_now warn_expiry account_expired \
	password_inactive inactive state_error; do
	found=
	for _ in $(seq 50); do
		found=$(ausearch --input-logs -m TRUSTED_APP -ts recent --raw 2>/dev/null |
			grep -F "acct=\"$user\"" | grep -F "reason=$reason " || true)
		[ -n "$found" ] && break
		sleep 0.1
	done
	[ -n "$found" ] || fail "no audit record with reason=$reason for $user"
	assert_match 'op=PAM:bhxh_account' "$found" "$reason record names the phase"
done
echo PASS
