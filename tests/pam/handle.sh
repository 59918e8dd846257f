#!/bin/bash
# What one PAM handle costs the system (issue 15): through a real stack
# (pam_unix + pam_bhxh at faillock's three positions, account phase), one
# failed and one successful login, each in one handle, traced with strace:
#   - pam_bhxh opens one audit netlink socket per handle (libpam's own
#     records are counted in a baseline run without pam_bhxh) and asks the
#     kernel's audit status at most once -- not at all while the status
#     cache of an earlier login is fresh, once with audit_status_cache=0;
#   - the configuration file and the state directory are opened once per
#     handle;
#   - pam_bhxh looks the user up once (/etc/passwd opens, against the
#     baseline);
#   - the application has the same descriptors after pam_end as before;
#   - the auth and account phases map neither the password-phase object
#     nor libpwquality/libcrack; chauthtok maps them, and refuses (service
#     error) when the object is missing.
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd strace

d=$(scratch_dir)
mkdir -m 700 "$d/pam.d" "$d/tally"
export BHXH_TEST_RUN_DIR="$d/run"
: >"$d/bhxh.conf"
user=$(uniq_name)
pass='Dung-Mat-Khau-7'
scratch_user "$user" "$pass"
opts="conf=$d/bhxh.conf dir=$d/tally deny=5 nodelay"
lockout_stack "$d/pam.d/with" "$opts" "password requisite  $PAM_BHXH_SO $opts" \
	"password required   pam_deny.so"
cat >"$d/pam.d/base" <<EOS
auth     required   pam_unix.so
account  required   pam_unix.so
EOS

trace() { # SERVICE ANSWER OPS... -> strace output in $d/trace
	local svc=$1 answer=$2
	shift 2
	printf '%s\n' "$answer" | strace -f -qq -o "$d/trace" -e trace=socket,sendto,sendmsg,openat,open,connect \
		-e abbrev=none "$PAMDRIVE" --fds 1 --confdir "$d/pam.d" "$svc" "$user" "$@" >"$d/out" 2>&1 || true
}
netlink() { grep -c 'socket(AF_NETLINK, [^,]*, NETLINK_AUDIT)' "$d/trace" || true; }
status_q() { grep -Ec 'nlmsg_type=(AUDIT_GET|0x3e8)\b' "$d/trace" || true; }
opens() { grep -E "open(at)?\(.*\"$1\"" "$d/trace" | grep -vc ENOENT || true; }
fds_ok() {
	local l
	l=$(grep '^fds:' "$d/out") || fail "$1: no fd count: $(cat "$d/out")"
	set -- $l "$1"
	[ "$2" = "$3" ] || fail "$4: $2 descriptors before pam_start, $3 after pam_end: $(grep -E "socket|connect" "$d/trace")"
}

for case in fail ok; do
	answer=wrong-password
	[ $case = ok ] && answer=$pass
	trace base "$answer" auth acct
	b_sock=$(netlink)
	b_pw=$(opens /etc/passwd)
	trace with "$answer" auth acct
	if [ $case = ok ]; then
		grep -q '^acct: 0 ' "$d/out" || fail "successful login: $(cat "$d/out")"
	else
		grep -q '^auth: 7 ' "$d/out" || fail "failed login: $(cat "$d/out")"
	fi
	sock=$(netlink)
	[ "$sock" -gt "$b_sock" ] || skip "no audit netlink socket (kernel audit unavailable?)"
	assert_eq 1 "$((sock - b_sock))" "$case: pam_bhxh's audit sockets per handle"
	q=$(status_q)
	[ "$q" -le 1 ] || fail "$case: $q audit status queries in one handle"
	if pgrep -x auditd >/dev/null; then
		# the handle above left a fresh status: the next one asks nothing
		[ -s "$BHXH_TEST_RUN_DIR/audit-status" ] || fail "$case: no status cache written"
		trace with "$answer" auth acct
		assert_eq 0 "$(status_q)" "$case: status queries with a fresh cache"
		echo 'audit_status_cache = 0' >"$d/bhxh.conf"
		trace with "$answer" auth acct
		assert_eq 1 "$(status_q)" "$case: status queries with audit_status_cache=0"
		: >"$d/bhxh.conf"
	fi
	assert_eq 1 "$(opens "$d/bhxh.conf")" "$case: configuration file opens per handle"
	assert_eq 1 "$(opens "$d/tally")" "$case: state directory opens per handle"
	pw=$(opens /etc/passwd)
	[ "$((pw - b_pw))" -le 1 ] || fail "$case: pam_bhxh opened /etc/passwd $((pw - b_pw)) times"
	fds_ok "$case"
	echo "ok: $case: 1 audit socket, $q status query, 1 configuration parse, 1 state directory, $((pw - b_pw)) passwd lookup"
done

# the write that locks is flushed (fdatasync) unless lock_sync=no
cat >"$d/pam.d/lock1" <<EOS
auth     requisite  $PAM_BHXH_SO preauth conf=$d/bhxh.conf dir=$d/tally deny=1 nodelay
auth     [success=1 default=bad] pam_unix.so
auth     [default=die] $PAM_BHXH_SO authfail conf=$d/bhxh.conf dir=$d/tally deny=1 nodelay
auth     sufficient $PAM_BHXH_SO authsucc conf=$d/bhxh.conf dir=$d/tally deny=1 nodelay
auth     required   pam_deny.so
EOS
lock_syncs() { # CONF-LINE: fdatasync calls of one failure that locks
	printf '%s\n' "$1" >"$d/bhxh.conf"
	rm -f "$d/tally/$user"
	printf 'wrong-password\n' | strace -f -qq -o "$d/trace" -e trace=fdatasync,fsync \
		"$PAMDRIVE" --confdir "$d/pam.d" lock1 "$user" auth >"$d/out" 2>&1 || true
	grep -q '^auth: 7 ' "$d/out" || fail "lock1: $(cat "$d/out")"
	grep -c 'sync(' "$d/trace" || true
}
assert_eq 1 "$(lock_syncs '')" "flushes of the write that locks"
assert_eq 0 "$(lock_syncs 'lock_sync = no')" "flushes with lock_sync=no"
: >"$d/bhxh.conf"
rm -f "$d/tally/$user"
echo "ok: the lock is flushed, not with lock_sync=no"

# the login path loads nothing of the password phase
printf '%s\n' "$pass" | LD_DEBUG=files "$PAMDRIVE" --confdir "$d/pam.d" with "$user" auth acct \
	>"$d/out" 2>"$d/ld" || fail "login: $(cat "$d/out")"
if grep -E 'file=(libpwquality|libcrack|pam_bhxh_password)' "$d/ld"; then
	fail "the auth/account phases loaded password-phase code"
fi
# ... chauthtok does (the object is found; a short password is refused by it)
printf '%s\n' short short | LD_DEBUG=files "$PAMDRIVE" --fds 1 --confdir "$d/pam.d" with "$user" \
	chauthtok >"$d/out" 2>"$d/ld" || true
grep -q 'file=.*pam_bhxh_password' "$d/ld" || fail "chauthtok did not load the password object"
grep -q 'file=libpwquality' "$d/ld" || fail "chauthtok did not load libpwquality"
grep -q '^chauthtok: 20 ' "$d/out" || fail "short password: $(cat "$d/out")"
fds_ok chauthtok
# ... and fails closed without it
printf '%s\n' short short | BHXH_TEST_PWMOD=/nonexistent/pam_bhxh_password.so \
	"$PAMDRIVE" --confdir "$d/pam.d" with "$user" chauthtok >"$d/out" 2>&1 || true
grep -q '^chauthtok: 3 ' "$d/out" || fail "missing password object: $(cat "$d/out")"
echo "ok: password phase loaded on demand only"
