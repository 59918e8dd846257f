#!/bin/bash
# Valgrind's memcheck over the code that runs inside other programs and on
# input from outside.  ASan and UBSan (the sanitize build) do not see a
# read of uninitialized memory: a branch on it, or its bytes handed to the
# kernel.  Memcheck does.  Any error it reports fails the test:
#   - pam_bhxh.so in a real stack (pamdrive, pam_unix): failed logins up
#     to the lock, attempts while locked, a login, the account phase, and
#     a password change with a weak and then a good password, each record
#     sent to the kernel's audit;
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

VG_LOG=$(scratch_dir)
n=0
# vg CMD...: CMD under memcheck, with its own exit status; what memcheck
# reports goes to a file of its own, which vg_clean checks
vg() {
	n=$((n + 1))
	valgrind -q --leak-check=no --track-origins=yes --suppressions="$top_srcdir/tests/valgrind.supp" \
		--log-file="$VG_LOG/vg.$$.$n.%p" "$@"
}
# vg_clean WHAT: no memcheck report so far (each is printed)
vg_clean() {
	local f bad=0
	for f in "$VG_LOG"/vg.*; do
		[ -s "$f" ] || continue
		echo "---- $f" >&2
		cat "$f" >&2
		bad=1
	done
	[ "$bad" = 0 ] || fail "$1: memcheck found errors (above)"
	echo "$1: no memcheck error"
}

# ---- pam_bhxh.so -------------------------------------------------------
d=$(scratch_dir)
mkdir -m 700 "$d/pam.d" "$d/tally"
: >"$d/bhxh.conf"
chmod 600 "$d/bhxh.conf"
export BHXH_TEST_RUN_DIR="$d/run"
user=$(uniq_name)
pass='Dung-Mat-Khau-7'
scratch_user "$user" "$pass"
opts="conf=$d/bhxh.conf dir=$d/tally deny=3 unlock_time=600 nodelay"
cat >"$d/pam.d/svc" <<EOS
auth     requisite  $PAM_BHXH_SO preauth $opts
auth     [success=1 default=bad] pam_unix.so
auth     [default=die] $PAM_BHXH_SO authfail $opts
auth     sufficient $PAM_BHXH_SO authsucc $opts
auth     required   pam_deny.so
account  required   pam_unix.so
account  required   $PAM_BHXH_SO $opts
password requisite  $PAM_BHXH_SO $opts
password required   pam_deny.so
EOS
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
# chauthtok: the current password, a weak one refused, a good one accepted
# by the policy (pam_deny then ends the change: nothing is written)
out=$(drive "$(printf '%s\n' "$pass" abc abc 'Quill orbit kettle 4721' 'Quill orbit kettle 4721')" chauthtok)
echo "$out"
assert_match "chauthtok: [0-9]+ " "$out" "password change"
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
	valgrind -q --leak-check=no --track-origins=yes \
		--suppressions="$top_srcdir/tests/valgrind.supp" --log-file="$VG_LOG/vg.follow.%p" \
		"$BHXHCTL" --conf "$CONF" db sync --follow >>"$T/follow.log" 2>&1 9>&- &
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
