#!/bin/bash
# bhxhctl expiry status over accounts served by nss_wrapper (passwd and
# shadow), with last-login records and the clock injected: the listing, the
# JSON, --user, --within, the exit codes and the Vietnamese labels.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pam/expiry-env.sh"

require_test_hooks
require_vi_locale
nss_wrapper=$(wrapper_so nss_wrapper) || skip "libnss_wrapper.so not found"

d=$(scratch_dir)
on_exit "rm -rf '$d'" # scratch_dir ran in a subshell: register here
test_locales "$d/locale"
NOW=1780315200 # 2026-06-01 12:00 UTC
D=$(day_of $NOW)
H='$6$salt$hash'
cat >"$d/passwd" <<PW
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/:/usr/sbin/nologin
alice:x:1001:1001::/h:/bin/bash
bob:x:1002:1002::/h:/bin/bash
carol:x:1003:1003::/h:/bin/bash
dave:x:1004:1004::/h:/bin/bash
erin:x:1005:1005::/h:/bin/bash
judy:x:1010:1010::/h:/bin/bash
PW
cat >"$d/shadow" <<SP
root:!:$((D - 400)):0:99999:7:::
daemon:*:$((D - 400)):0:99999:7:::
alice:$H:$((D - 10)):0:99999:7:::
bob:$H:$((D - 100)):0:99999:7:::
carol:$H:0:0:99999:7:::
dave:$H:$((D - 10)):0:99999:7::$D:
erin:$H:$((D - 87)):0:99999:7:::
judy:$H:$((D - 60)):0:99999:7:::
SP
awk -F: '{ print $1 ":x:" $4 ":" }' "$d/passwd" >"$d/group"
mkdir -m 700 "$d/ll"
echo "1 $((NOW - 100 * 86400))" >"$d/ll/.since"
echo "1 $((NOW - 40 * 86400))" >"$d/ll/judy"
for u in alice bob carol dave erin; do
	echo "1 $((NOW - 86400))" >"$d/ll/$u"
	chmod 600 "$d/ll/$u"
done
chmod 600 "$d/ll/.since" "$d/ll/judy"
cat >"$d/bhxh.conf" <<CONF
max_days = 90
warn_days = 7
inactive_days = 30
lastlogin_dir = $d/ll
CONF
chmod 600 "$d/bhxh.conf"

export NSS_WRAPPER_PASSWD="$d/passwd" NSS_WRAPPER_GROUP="$d/group" NSS_WRAPPER_SHADOW="$d/shadow"
export BHXH_TEST_NOW=$NOW
ctl() {
	LD_PRELOAD="${SAN_PRELOAD:+$(echo $SAN_PRELOAD | tr ' ' ':'):}$nss_wrapper" \
		"$BHXHCTL" --conf "$d/bhxh.conf" expiry status "$@"
}

out=$(LC_ALL=C ctl); rc=$?
assert_eq 1 "$rc" "exit code when accounts need attention"
assert_match '^bob +password expired +2026-05-22 ' "$(grep '^bob ' <<<"$out")" "bob"
assert_match '^carol +must change now ' "$(grep '^carol ' <<<"$out")" "carol"
assert_match '^dave +account expired +2026-08-20 +2026-06-01 ' "$(grep '^dave ' <<<"$out")" "dave"
assert_match '^erin +expires soon +2026-06-04 ' "$(grep '^erin ' <<<"$out")" "erin"
assert_match '^judy +disabled: inactive .* 2026-04-22$' "$(grep '^judy ' <<<"$out")" "judy"
for u in alice root daemon; do
	grep -q "^$u " <<<"$out" && fail "$u should not be listed: $out"
done

# --within widens the window; --user shows one account whatever its state
out=$(LC_ALL=C ctl --within 90); rc=$?
assert_match '^alice +expires soon +2026-08-20 .* 2026-05-31$' "$(grep '^alice ' <<<"$out")" "alice within 90"
out=$(LC_ALL=C ctl --user alice); rc=$?
assert_eq 0 "$rc" "exit code of a healthy account"
assert_match '^alice +ok +2026-08-20 ' "$(grep '^alice ' <<<"$out")" "alice"
LC_ALL=C ctl --user nosuchuser >/dev/null 2>&1; rc=$?
assert_eq 2 "$rc" "unknown user"
LC_ALL=C ctl --within 99999 >/dev/null 2>&1; rc=$?
assert_eq 2 "$rc" "--within out of range"
LC_ALL=C ctl --bogus >/dev/null 2>&1; rc=$?
assert_eq 2 "$rc" "unknown argument"

# JSON: one object per account, stable codes, dates or null
json=$(LC_ALL=C ctl --json)
printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["now"] == "2026-06-01", d
acc = {a["user"]: a for a in d["accounts"]}
assert sorted(acc) == ["bob", "carol", "dave", "erin", "judy"], sorted(acc)
assert acc["bob"]["status"] == "password_expired" and acc["bob"]["days_left"] == -10
assert acc["carol"]["status"] == "must_change_now"
assert acc["dave"]["status"] == "account_expired" and acc["dave"]["account_expires"] == "2026-06-01"
assert acc["erin"]["status"] == "expires_soon" and acc["erin"]["days_left"] == 3
assert acc["judy"]["status"] == "inactive" and acc["judy"]["last_login"] == "2026-04-22"
assert acc["judy"]["inactive_from"] == "2026-05-22"
' || fail "JSON: $json"

# reactivate: inactivity counted from now; the record is private
LD_PRELOAD="${SAN_PRELOAD:+$(echo $SAN_PRELOAD | tr ' ' ':'):}$nss_wrapper" \
	"$BHXHCTL" --conf "$d/bhxh.conf" expiry reactivate --user judy >/dev/null 2>&1 ||
	fail "reactivate judy"
assert_eq "1 $NOW" "$(cat "$d/ll/judy")" "judy's record after reactivate"
assert_eq 600 "$(stat -c %a "$d/ll/judy")" "mode of judy's record"
out=$(LC_ALL=C ctl --user judy); rc=$?
assert_eq 0 "$rc" "judy after reactivate"
assert_match '^judy +ok ' "$(grep '^judy ' <<<"$out")" "judy after reactivate"
LD_PRELOAD="${SAN_PRELOAD:+$(echo $SAN_PRELOAD | tr ' ' ':'):}$nss_wrapper" \
	"$BHXHCTL" --conf "$d/bhxh.conf" expiry reactivate --user nosuch >/dev/null 2>&1
assert_eq 2 "$?" "reactivate an unknown user"

# Vietnamese labels
out=$(LC_ALL=vi_VN.UTF-8 ctl)
assert_match '^bob +mật khẩu đã hết hạn' "$(grep '^bob ' <<<"$out")" "bob (vi)"
assert_match 'NGƯỜI DÙNG' "$out" "header (vi)"
echo PASS
