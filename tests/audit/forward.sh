#!/bin/bash
# Forwarding end to end, real auditd on both ends: a collector auditd
# (its own config directory, tcp_listen_port on 60600-60609, local_events =
# no) and this machine's auditd with audisp-remote turned on by
# conf/bhxh-forward.  Logins through PAM (pam_bhxh in the stack) arrive at
# the collector with node=; the collector is stopped, more logins are made
# and queued, the collector restarts and every queued record arrives
# (counted).  bhxhctl report on the collector's log sees the machine.
# The machine's audit configuration is restored byte for byte (checksums).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/audit/common.sh"
require_root
require_cmd auditd
require_cmd unshare
[ -x /sbin/audisp-remote ] || skip "audisp-remote missing (audispd-plugins)"
# the whole test holds the audit lock: it reconfigures the machine's auditd
audit_lock
ensure_auditd
[ -r /var/run/auditd.pid ] || skip "auditd has no pid file"
FORWARD="$top_srcdir/conf/bhxh-forward"
d=$(scratch_dir)
files="auditd.conf audisp-remote.conf plugins.d/au-remote.conf"

# ---- exact backup of the machine's configuration ------------------------
mkdir -p "$d/backup/plugins.d"
for f in $files; do cp -p "/etc/audit/$f" "$d/backup/$f" || fail "backup $f"; done
sums_before=$(cd /etc/audit && md5sum $files)
spool_existed=no
[ -e /var/spool/audit ] && spool_existed=yes
restored=no
restore() {
	[ $restored = no ] || return 0
	restored=yes
	for f in $files; do cp -p "$d/backup/$f" "/etc/audit/$f"; done
	# back to the machine's own settings: restart auditd (9>&-: not our lock)
	if [ -d /run/systemd/system ]; then
		systemctl restart auditd.service
	elif [ -r /var/run/auditd.pid ] && kill -TERM "$(cat /var/run/auditd.pid)" 2>/dev/null; then
		for _ in $(seq 100); do pgrep -x auditd >/dev/null || break; sleep 0.1; done
	fi
	pgrep -x auditd >/dev/null || auditd 9>&-
	for _ in $(seq 50); do [ -s /var/run/auditd.pid ] && break; sleep 0.1; done
	auditctl -e 1 >/dev/null 2>&1
	rm -f /var/spool/audit/remote.log
	[ $spool_existed = yes ] || rmdir /var/spool/audit 2>/dev/null
}
on_exit restore

# ---- the collector ----------------------------------------------------------
port=
for p in $(seq 60600 60609); do
	ss -ltnH "sport = :$p" 2>/dev/null | grep -q . || { port=$p; break; }
done
[ -n "$port" ] || skip "ports 60600-60609 all in use"
c="$d/collector"
mkdir -p "$c/logs" "$c/plugins.d"
# the shipped collector configuration, with a scratch log, port and plugin
# directory; any source port (the test's audisp-remote uses no local_port);
# no libwrap (hosts.allow is not the test's)
sed -e "s|^log_file = .*|log_file = $c/logs/audit.log|" -e "s|^plugin_dir = .*|plugin_dir = $c/plugins.d|" \
	-e "s|^tcp_listen_port = .*|tcp_listen_port = $port|" -e "s|^tcp_client_ports = .*|tcp_client_ports = 1-65535|" \
	-e "s|^use_libwrap = .*|use_libwrap = no|" -e "s|^log_group = .*|log_group = root|" \
	-e "s|^space_left = .*|space_left = 2|" -e "s|^admin_space_left = .*|admin_space_left = 1|" \
	-e "s|^tcp_max_per_addr = .*|tcp_max_per_addr = 16|" -e "s|^freq = .*|freq = 1|" \
	"$top_srcdir/conf/collector-auditd.conf" >"$c/auditd.conf"
chmod 600 "$c/auditd.conf"
cpid=
start_collector() {
	# a private /run: the collector must not touch the machine's
	# /var/run/auditd.pid (auditd removes its pid file when it exits)
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /run &&
		exec auditd -n -c "$1"' sh "$c" 9>&- >>"$c/out" 2>&1 &
	cpid=$!
	for _ in $(seq 50); do
		ss -ltnH "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	fail "collector did not listen on $port: $(tail -3 "$c/out")"
}
stop_collector() {
	[ -n "$cpid" ] || return 0
	kill "$cpid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	cpid=
}
on_exit 'stop_collector'
start_collector

# ---- forwarding on ---------------------------------------------------------
sh "$FORWARD" enable --server "127.0.0.1:$port" --queue-depth 5000 >/dev/null || fail "bhxh-forward enable"
assert_eq "active: yes" "$(sh "$FORWARD" status | head -1)" "status after enable"
for _ in $(seq 100); do
	ss -tnH state established "dport = :$port" 2>/dev/null | grep -q . && break
	sleep 0.1
done
ss -tnH state established "dport = :$port" | grep -q . || fail "audisp-remote did not connect"

# ---- logins through PAM -----------------------------------------------------
user=$(uniq_name)
pass='Chuyen-Tiep-2026'
scratch_user "$user" "$pass"
mkdir -m 700 "$d/pam.d" "$d/tally"
: >"$d/bhxh.conf"
make_stack "$d/pam.d" svc "conf=$d/bhxh.conf dir=$d/tally deny=0"
login() { yes "$pass" | head -n "$1" | "$PAMDRIVE" --confdir "$d/pam.d" --rhost 198.51.100.77 \
	--repeat "$1" svc "$user" auth acct >"$d/login.out" 2>&1 || fail "login failed: $(tail -3 "$d/login.out")"; }
node=$(hostname)
# USER_AUTH of our user, with node=, at the collector
arrived() { grep -c "^node=$node type=USER_AUTH .*acct=\"$user\"" "$c/logs/audit.log" 2>/dev/null || true; }
wait_arrived() { # N SECONDS
	for _ in $(seq $(($2 * 10))); do
		[ "$(arrived)" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "$(arrived) of $1 records at the collector"
}
login 5
wait_arrived 5 10

# ---- the collector goes away: records queue on the machine -----------------
stop_collector
ss -ltnH "sport = :$port" | grep -q . && fail "collector still listening"
login 20
sleep 1
assert_eq 5 "$(arrived)" "nothing arrives while the collector is down"
start_collector
# audisp-remote reconnects on its next record or retry
login 1
wait_arrived 26 40
assert_eq 26 "$(arrived)" "records at the collector (none lost, none twice)"
# every record of the user, not just USER_AUTH: same count as sent locally
assert_eq 26 "$(grep -c "^node=$node type=USER_ACCT .*acct=\"$user\"" "$c/logs/audit.log")" "USER_ACCT records"

# ---- the fleet report on the collector's log ----------------------------------
json=$("$BHXHCTL" --conf "$d/bhxh.conf" report --json --user "$user" "$c/logs/audit.log") || fail "report"
printf '%s' "$json" | python3 -c "
import json, sys
j = json.load(sys.stdin)
h = [x for x in j['hosts'] if x['host'] == sys.argv[1]]
assert h and h[0]['auth_successes'] == 26, j['hosts']
" "$node" || fail "report on the collector: host $node with 26 logins"

# ---- forwarding off, configuration back exactly --------------------------------
sh "$FORWARD" disable >/dev/null || fail "bhxh-forward disable"
sh "$FORWARD" status >/dev/null && fail "status after disable says active"
stop_collector
restore
assert_eq "$sums_before" "$(cd /etc/audit && md5sum $files)" "machine's audit configuration restored"
exit 0
