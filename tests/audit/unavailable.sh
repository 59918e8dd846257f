#!/bin/bash
# Audit unavailable: each case this machine can produce, with
# audit_unavailable=syslog (the record goes to syslog, the login goes on)
# and audit_unavailable=deny (the record goes to syslog, the login is
# refused):
#   - no audit in the kernel: simulated by a user namespace, where the
#     kernel answers ECONNREFUSED exactly as a kernel built without audit
#   - no CAP_AUDIT_WRITE (setpriv drops it from the bounding set)
#   - kernel audit disabled (auditctl -e 0): at once without the status
#     cache (audit_status_cache=0), within the cache's time with it
#   - auditd stopped: at once, although the status cache names it
# The last two touch the whole machine: the audit tests' lock keeps the
# others out, and the state is restored at once (and on any exit).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/audit/common.sh"
require_root
require_cmd auditctl
require_cmd unshare
require_cmd setpriv
require_cmd python3
audit_lock # before ensure_auditd: another audit test may have stopped auditd
ensure_auditd

d=$(scratch_dir)
mkdir -m 700 "$d/pam.d" "$d/tally"
user=$(uniq_name)
pass='Dung-Mat-Khau-9'
scratch_user "$user" "$pass"
o="conf=$d/bhxh.conf dir=$d/tally nodelay"
# the status cache of this test alone (test-hook builds)
export BHXH_TEST_RUN_DIR="$d/run"
cache_line=
cat >"$d/pam.d/svc" <<EOS
auth     required   pam_unix.so
auth     required   $PAM_BHXH_SO authsucc $o
session  required   $PAM_BHXH_SO $o
EOS

# A private syslog: a datagram socket bound over /dev/log in a private
# mount namespace of each pamdrive run.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
f = open(sys.argv[2], "ab", 0)
while True:
    f.write(s.recv(65536) + b"\n")
' "$d/log" "$d/syslog" 9>&- &
listener=$!
on_exit "kill $listener"
for _ in $(seq 50); do [ -S "$d/log" ] && break; sleep 0.1; done
[ -S "$d/log" ] || fail "syslog listener did not start"
if [ ! -e /dev/log ]; then
	: >/dev/log
	on_exit "rm -f /dev/log"
fi

# drive MODE WRAPPER...: one login (auth + session), returns pamdrive's status
drive() {
	printf 'audit_unavailable = %s\n%s\n' "$1" "$cache_line" >"$d/bhxh.conf"
	shift
	: >"$d/syslog"
	printf '%s\n' "$pass" | unshare -m sh -c 'mount --bind "$0" /dev/log && shift && exec "$@"' \
		"$d/log" x "$@" "$PAMDRIVE" --confdir "$d/pam.d" --rhost 203.0.113.9 svc "$user" \
		auth open >"$d/out" 2>&1
}
# check CASE WHY WRAPPER...: syslog lets the login in, deny refuses it; both
# leave the record in syslog
check() {
	local name=$1 why=$2
	shift 2
	drive syslog "$@" || fail "$name, syslog: login refused: $(cat "$d/out")"
	sleep 0.2
	grep -q "audit unavailable ($why): type=TRUSTED_APP op=PAM:bhxh_authsucc acct=\"$user\" .*reason=authenticated .*hostname=203.0.113.9 addr=203.0.113.9 .*res=success" "$d/syslog" ||
		fail "$name, syslog: no fallback record: $(cat "$d/syslog")"
	grep -q "op=PAM:bhxh_session_open acct=\"$user\"" "$d/syslog" ||
		fail "$name, syslog: no session record"
	drive deny "$@" && fail "$name, deny: login allowed"
	grep -q '^auth: [1-9]' "$d/out" || fail "$name, deny: auth not refused: $(cat "$d/out")"
	sleep 0.2
	grep -q "audit unavailable ($why), refusing: type=TRUSTED_APP op=PAM:bhxh_authsucc acct=\"$user\"" "$d/syslog" ||
		fail "$name, deny: no fallback record: $(cat "$d/syslog")"
	echo "ok: $name"
}

# audit available: no fallback, the login goes through in deny mode
drive deny env || fail "deny with audit available: $(cat "$d/out")"
sleep 0.2
grep -q "audit unavailable" "$d/syslog" && fail "fallback used while audit works"

check "no audit in the kernel" "Protocol not supported" unshare --user --map-root-user
check "no CAP_AUDIT_WRITE" "Operation not permitted" setpriv --bounding-set=-audit_write
# a record longer than the buffer the refusal is read into (the kernel
# echoes the whole record after the error): still refused
# (a remote host of 250 bytes with a space: hex in the record, 500 bytes)
long_host="x $(printf 'h%.0s' $(seq 248))"
printf '%s\n' "$pass" >"$d/in"
printf 'audit_unavailable = deny\n' >"$d/bhxh.conf"
: >"$d/syslog"
unshare -m sh -c 'mount --bind "$0" /dev/log && shift && exec "$@"' "$d/log" x \
	setpriv --bounding-set=-audit_write "$PAMDRIVE" --confdir "$d/pam.d" --rhost "$long_host" \
	svc "$user" auth open <"$d/in" >"$d/out" 2>&1 && fail "long record without CAP_AUDIT_WRITE: login allowed"
grep -q '^auth: [1-9]' "$d/out" || fail "long record: auth not refused: $(cat "$d/out")"
echo "ok: a long record's refusal is read"

if auditctl -s | grep -q '^enabled 2'; then
	echo "SKIP: audit configuration is locked (enabled 2): cannot disable it"
else
	on_exit "auditctl -e 1"
	auditctl -e 0 >/dev/null || fail "auditctl -e 0"
	rc=0
	(cache_line='audit_status_cache = 0' && check "kernel audit disabled" "Connection refused" env) || rc=$?
	# with the cache, a good status saved just before is believed for
	# at most audit_status_cache seconds
	if [ "$rc" = 0 ]; then
		auditctl -e 1 >/dev/null
		cache_line='audit_status_cache = 2'
		drive deny env || { echo "FAIL: priming the cache: $(cat "$d/out")"; rc=1; }
		auditctl -e 0 >/dev/null
		sleep 2.2
		(check "kernel audit disabled, seen after the cache's time" "Connection refused" env) || rc=$?
		cache_line=
	fi
	auditctl -e 1 >/dev/null
	[ "$rc" = 0 ] || exit "$rc"
fi

restart_auditd() {
	pgrep -x auditd >/dev/null || auditd -s enable 9>&-
	for _ in $(seq 50); do
		auditctl -s | grep -q '^pid [1-9]' && return 0
		sleep 0.1
	done
	return 1
}
on_exit "restart_auditd"
# the cache names the running auditd (a good status, saved by this login)
drive deny env || fail "deny with audit available: $(cat "$d/out")"
read -r _ cached <"$d/run/audit-status" || fail "no status cache written"
assert_eq "$(pgrep -x auditd)" "$cached" "status cache names auditd"
[ "$(stat -c '%U %a' "$d/run/audit-status")" = "root 644" ] || fail "cache file owner/mode"
kill "$(pgrep -x auditd)"
# gone: the kernel no longer names it and its process has exited (the
# cache is believed while the process it names lives)
for _ in $(seq 100); do
	auditctl -s | grep -q '^pid 0' && ! pgrep -x auditd >/dev/null && break
	sleep 0.1
done
auditctl -s | grep -q '^pid 0' || fail "auditd did not stop"
pgrep -x auditd >/dev/null && fail "auditd did not exit"
rc=0
(check "auditd stopped" "Transport endpoint is not connected" env) || rc=$?
restart_auditd || fail "auditd did not restart"
exit "$rc"
