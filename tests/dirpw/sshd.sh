#!/bin/bash
# A forced password change at login, end to end through the real sshd on
# 127.0.0.1 (ports 22230-22239) and ssh in tmux: a directory account whose
# password is older than the agency's max_days logs in on machine A, is
# told to change it, types the current and the new password; the change
# goes to the directory; the command runs; machine B then accepts the new
# password and asks for no change.  sshd, its PAM service (the stack of
# conf/pam.d/bhxh-example) and the plugin live in a private mount
# namespace; the machine's sshd and /etc are untouched.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
require_cmd tmux
require_cmd ssh
require_cmd ssh-keygen
[ -x /usr/sbin/sshd ] || skip "needs openssh-server"
[ -z "${SAN_PRELOAD:-}" ] || skip "sshd cannot load a sanitizer build of the module"
dirpw_setup
for m in A B; do machine_conf "$m" "max_days = 90"; done
follow_on A
follow_on B
service_on A

ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" || fail "host key"
mkdir -p "$T/run-sshd" "$T/home"
chmod 755 "$T/run-sshd"
port=
for p in $(seq 22230 22239); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || skip "no free port in 22230-22239"
cat >"$T/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $T/hostkey
PidFile $T/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
PermitRootLogin no
StrictModes no
UseDNS no
Subsystem sftp internal-sftp
CONF
cat >"$T/sshd.sh" <<SH
set -e
mount --make-rprivate /
mount --bind '$T/nsswitch.conf' /etc/nsswitch.conf
mount --bind '$T/ld.so.cache' /etc/ld.so.cache
mount --bind '$T/varlib' '$BHXH_LOCALSTATEDIR/lib'
mount --bind '$T/A/db' '$DBPATH'
mount --bind '$T/pam.d/dpma' /etc/pam.d/sshd
mkdir -p /run/sshd 2>/dev/null || mount --bind '$T/run-sshd' /run/sshd
exec /usr/sbin/sshd -D -e -f '$T/sshd_config'
SH
unshare -m sh "$T/sshd.sh" >"$T/sshd.log" 2>&1 9>&- &
SSHD_PID=$!
on_exit "kill $SSHD_PID"
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	kill -0 "$SSHD_PID" 2>/dev/null || fail "sshd did not start: $(cat "$T/sshd.log")"
	sleep 0.05
done

sock=bhxh-ssh$$
export TMUX_TMPDIR=$T
on_exit "tmux -L '$sock' kill-server"
pane() { tmux -L "$sock" capture-pane -p -S -200 -t ssh; }
wait_for() {
	for _ in $(seq 1 200); do
		[ "$(pane | grep -Ec -- "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "ssh never showed /$1/ $2 times: $(pane) -- sshd: $(tail -5 "$T/sshd.log")"
}
keys() { tmux -L "$sock" send-keys -t ssh -l "$1" && tmux -L "$sock" send-keys -t ssh Enter; }
tmux -L "$sock" new-session -d -s ssh -x 200 -y 50 \
	"ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PreferredAuthentications=keyboard-interactive -p $port dpa@127.0.0.1 'echo LOGGED-IN-AS-\$(id -un)'; echo ssh-exit=\$?; sleep 60" ||
	fail "tmux"
NEW='Tundra violet engine 5820'
wait_for '[Pp]assword:' 1
keys 'Old-Pass-2026a'
wait_for 'Current password:' 1
keys 'Old-Pass-2026a'
wait_for 'New password:' 1
keys "$NEW"
wait_for 'Retype new password:' 1
keys "$NEW"
wait_for 'ssh-exit=' 1
echo "$(pane)"
assert_match 'must change it now' "$(pane)" "the expiry was told"
assert_match 'LOGGED-IN-AS-dpa' "$(pane)" "the login went on after the change"
assert_match 'ssh-exit=0' "$(pane)" "ssh exit status"
pane | grep -q "$NEW" && fail "the password was echoed"
wait_until 2 login_ok B dpa "$NEW" || fail "B refuses the new password or asks for a change"
echo "ok"
