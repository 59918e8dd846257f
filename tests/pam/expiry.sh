#!/bin/bash
# The account phase through pam_wrapper, with accounts and shadow entries
# served by nss_wrapper (no real account is touched, no root needed) and
# the clock injected with BHXH_TEST_NOW.  The checks themselves are in
# tests/pam/expiry_test.c.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pam/expiry-env.sh"

require_test_hooks
require_vi_locale
pam_wrapper=$(wrapper_so pam_wrapper) || skip "libpam_wrapper.so not found"
nss_wrapper=$(wrapper_so nss_wrapper) || skip "libnss_wrapper.so not found"

d=$(scratch_dir)
on_exit "rm -rf '$d'" # scratch_dir ran in a subshell: register here
test_locales "$d/locale"

NOW0=1780315200 # 2026-06-01 12:00 UTC
D=$(day_of $NOW0)

cat >"$d/passwd" <<PW
root:x:0:0:root:/root:/bin/bash
mike:x:500:500:system:/:/usr/sbin/nologin
alice:x:1001:1001::/home/alice:/bin/bash
bob:x:1002:1002::/home/bob:/bin/bash
carol:x:1003:1003::/home/carol:/bin/bash
dave:x:1004:1004::/home/dave:/bin/bash
erin:x:1005:1005::/home/erin:/bin/bash
frank:x:1006:1006::/home/frank:/bin/bash
grace:x:1007:1007::/home/grace:/bin/bash
heidi:x:1008:1008::/home/heidi:/bin/bash
ivan:x:1009:1009::/home/ivan:/bin/bash
judy:x:1010:1010::/home/judy:/bin/bash
kate:x:1011:1011::/home/kate:/bin/bash
leo:x:1012:1012::/home/leo:/bin/bash
PW
awk -F: '{ print $1 ":x:" $4 ":" }' "$d/passwd" >"$d/group"
H='$6$salt$hash'
cat >"$d/shadow" <<SP
root:$H:$((D - 400)):0:99999:7:::
mike:*:$((D - 400)):0:99999:7:::
alice:$H:$((D - 10)):0:99999:7:::
bob:$H:$((D - 100)):0:99999:7:::
carol:$H:0:0:99999:7:::
dave:$H:$((D - 10)):0:99999:7::$D:
erin:$H:$((D - 87)):0:99999:7:::
frank:$H:$((D - 89)):0:99999:7:::
grace:$H:$((D - 95)):0:99999:7:5::
heidi:$H::0:99999:7:::
ivan:!$H:$((D - 100)):0:99999:7:::
judy:!$H:$((D - 400)):0:99999:7:::
kate:$H:$((D - 400)):0:99999:7:::
leo:$H:$((D - 400)):0:99999:7:::
SP
: >"$d/empty.conf"
chmod 600 "$d/empty.conf"

mkdir "$d/services"
printf '%s required pam_deny.so\n' auth account password session >"$d/services/other"
common="conf=$d/empty.conf dir=$d/tally nodelay"
cat >"$d/services/bhxh-expiry" <<SVC
account required $PAM_BHXH_SO $common max_days=90 warn_days=7
SVC
cat >"$d/services/bhxh-silent" <<SVC
account required $PAM_BHXH_SO $common max_days=90 warn_days=7 silent
SVC
cat >"$d/services/bhxh-inact" <<SVC
auth required $PAM_BHXH_SO authsucc $common inactive_days=30 lastlogin_dir=$d/lastlogin
account required $PAM_BHXH_SO $common inactive_days=30 lastlogin_dir=$d/lastlogin
SVC

export NSS_WRAPPER_PASSWD="$d/passwd" NSS_WRAPPER_GROUP="$d/group" NSS_WRAPPER_SHADOW="$d/shadow"
export PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$d/services"
# the sanitizer runtime first, when the build uses one
LD_PRELOAD="${SAN_PRELOAD:+$(echo $SAN_PRELOAD | tr ' ' ':'):}$pam_wrapper:$nss_wrapper" \
	"$top_builddir/tests/pam/expiry_test" "$NOW0" "$d/lastlogin" || fail "expiry_test"

# the state: private, no temporary files left behind
assert_eq 700 "$(stat -c %a "$d/lastlogin")" "last-login directory mode"
for f in "$d/lastlogin"/* "$d/lastlogin"/.since; do
	assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
done
leftover=$(find "$d/lastlogin" -name '.tmp.*' | wc -l)
assert_eq 0 "$leftover" "temporary files left"
echo "PASS"
