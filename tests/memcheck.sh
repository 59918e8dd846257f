#!/bin/bash
# Valgrind's memcheck over the code that runs inside other programs and on
# input from outside.  ASan and UBSan (the sanitize build) do not see a
# read of uninitialized memory: a branch on it, or its bytes handed to the
# kernel.  Memcheck does.  Any error it reports fails the test:
#   - pam_bhxh.so in a real stack (pamdrive, pam_unix): failed logins up
#     to the lock, attempts while locked, a login, the account phase, and
#     a password change with a short and then a good password (the
#     denylist, the estimate, libpwquality), each record sent to the
#     kernel's audit;
#   - libnss_bhxh.so.2 through its contract driver (lookups with buffer
#     sweeps, enumeration, initgroups, shadow, revoked accounts);
#   - bhxhctl: db build, db verify, config check, lockout status, and
#     db sync --once and --follow from a private slapd (paged reads,
#     mapping, the RFC 4533 refresh and changes).
# Not in sanitizer builds (valgrind and ASan do not mix).
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd valgrind
[ -z "${SAN_PRELOAD:-}" ] || skip "a sanitizer build (valgrind and ASan do not mix)"

vg_init
# vg CMD...: CMD under memcheck, with its own exit status (vg_clean checks
# the reports)
vg() { "${VG[@]}" "$@"; }

# ---- pam_bhxh.so -------------------------------------------------------
d=$(scratch_dir)
mkdir -m 700 "$d/pam.d" "$d/tally"
# the password phase's files in the build tree (history kept here)
printf 'denylist = %s\nhistory_dir = %s\n' "$top_builddir/data/denylist.bhxhdl" "$d/history" \
	>"$d/bhxh.conf"
chmod 600 "$d/bhxh.conf"
export BHXH_TEST_RUN_DIR="$d/run"
user=$(uniq_name)
pass='Dung-Mat-Khau-7'
scratch_user "$user" "$pass"
opts="conf=$d/bhxh.conf dir=$d/tally deny=3 unlock_time=600 nodelay"
# the password phase ends with pam_permit: pam_bhxh judges, nothing is
# written to /etc/shadow
lockout_stack "$d/pam.d/svc" "$opts" "password requisite  $PAM_BHXH_SO $opts" \
	"password required   pam_permit.so"
drive() { # ANSWERS OPS...: pamdrive's output
	local a=$1
	shift
	printf '%s\n' "$a" | vg "$PAMDRIVE" --confdir "$d/pam.d" svc "$user" "$@" 2>&1
}
out=$(drive "$pass" auth acct)
assert_match "acct: 0 " "$out" "login"
for i in 1 2 3; do
	out=$(drive "wrong-$i" auth)
	assert_match "auth: 7 " "$out" "failed login $i"
done
out=$(drive "$pass" auth acct)
assert_match "auth: 7 " "$out" "login while locked"
out=$(vg "$BHXHCTL" --conf "$d/bhxh.conf" lockout status --user "$user" --dir "$d/tally" 2>&1) ||
	fail "lockout status: $out"
out=$(vg "$BHXHCTL" --conf "$d/bhxh.conf" lockout reset --user "$user" --dir "$d/tally" 2>&1) ||
	fail "lockout reset: $out"
out=$(drive "$pass" auth acct)
assert_match "acct: 0 " "$out" "login after the reset"
# chauthtok (root: no current password asked): a short password refused,
# then a passphrase accepted (the denylist, the estimate, libpwquality)
out=$(drive "$(printf '%s\n' abc 'Quill orbit kettle 4721' 'Quill orbit kettle 4721')" chauthtok)
echo "$out"
assert_match "too short" "$out" "the short password refused"
assert_match "chauthtok: 0 " "$out" "the passphrase accepted"
out=$(vg "$BHXHCTL" --conf "$d/bhxh.conf" config check 2>&1) || fail "config check: $out"
vg_clean "pam_bhxh.so, bhxhctl lockout and config check"

# ---- libnss_bhxh.so.2 --------------------------------------------------
. "$top_srcdir/tests/nss/common.sh"
setup_scratch
make_source "$T/src"
vg "$BHXHCTL" --conf "$EMPTY_CONF" db build "$T/src" --db "$T/db" >/dev/null || fail "db build"
vg "$BHXHCTL" --conf "$EMPTY_CONF" db verify --db "$T/db" >/dev/null || fail "db verify"
BHXH_NSS_DB_DIR="$T/db" vg "$NSS_DRIVER" "$NSS_SO" contract >/dev/null || fail "contract"
vg_clean "libnss_bhxh.so.2, bhxhctl db build and verify"

# ---- bhxhctl db sync from LDAP -----------------------------------------
if command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; then
	. "$top_srcdir/tests/ldap/common.sh"
	ldap_setup
	out=$(vg "$BHXHCTL" --conf "$CONF" db sync --once 2>&1) || fail "db sync --once: $out"
	assert_match "installed generation 1 " "$out" "db sync --once"
	# the follower (RFC 4533: the refresh, then an account added and
	# deleted as they come), stopped with SIGTERM as systemd does
	rm -rf "$DB" "$STATE"
	vg "$BHXHCTL" --conf "$CONF" db sync --follow >>"$T/follow.log" 2>&1 9>&- &
	vgf=$!
	on_exit "kill $vgf"
	wait_until 60 gen_is 1 || fail "follower: no first generation: $(cat "$T/follow.log")"
	ldif_user vgnew 500990 600000 | ldap_add || fail "ldapadd"
	wait_until 30 gen_is 2 || fail "follower: the account added: $(cat "$T/follow.log")"
	ldap_del "uid=vgnew,ou=people,$SLAPD_BASE" || fail "ldapdelete"
	wait_until 30 gen_is 3 || fail "follower: the account deleted: $(cat "$T/follow.log")"
	kill -TERM "$vgf"
	wait "$vgf" || true
	cat "$T/follow.log"
	vg_clean "bhxhctl db sync --once and --follow"
else
	echo "no slapd: db sync not checked"
fi
echo ok
