# Helpers of the posture tests (sourced after tests/lib.sh): a private
# ClamAV daemon with a tiny signature database made here (no update can be
# downloaded), and a fake /sys/class/net for the wireless check (test-hook
# builds read $BHXH_TEST_SYSFS_NET).

# clamd_setup DIR: write DIR/clamd.conf and a one-signature DIR/db/bhxh.hdb
clamd_setup() {
	local d=$1
	mkdir -p "$d/db"
	printf 'pam_bhxh posture test sample\n' >"$d/sample"
	printf '%s:%s:Bhxh.Posture.Test\n' "$(md5sum <"$d/sample" | cut -d' ' -f1)" \
		"$(stat -c %s "$d/sample")" >"$d/db/bhxh.hdb"
	cat >"$d/clamd.conf" <<EOC
Foreground yes
DatabaseDirectory $d/db
LocalSocket $d/clamd.sock
PidFile $d/clamd.pid
LogFile $d/clamd.log
TemporaryDirectory $d
User root
EOC
}

# clamd_start DIR: start it (fd 9 closed: it must not hold the audit lock),
# wait until its socket answers; its pid in CLAMD_PID; stopped at exit.
clamd_start() {
	local d=$1
	rm -f "$d/clamd.sock"
	/usr/sbin/clamd -c "$d/clamd.conf" 9>&- </dev/null >/dev/null 2>&1 &
	CLAMD_PID=$!
	on_exit "kill $CLAMD_PID 2>/dev/null; wait $CLAMD_PID 2>/dev/null"
	for _ in $(seq 200); do
		[ -S "$d/clamd.sock" ] && [ -s "$d/clamd.pid" ] && return 0
		kill -0 "$CLAMD_PID" 2>/dev/null || fail "clamd exited: $(tail -5 "$d/clamd.log")"
		sleep 0.05
	done
	fail "clamd did not start: $(tail -5 "$d/clamd.log")"
}

clamd_stop() {
	kill "$CLAMD_PID" 2>/dev/null
	wait "$CLAMD_PID" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$CLAMD_PID" 2>/dev/null || return 0
		sleep 0.05
	done
	fail "clamd $CLAMD_PID did not stop"
}

# fake_iface NETDIR NAME wireless|ethernet up|down
fake_iface() {
	mkdir -p "$1/$2"
	[ "$3" = wireless ] && mkdir -p "$1/$2/wireless"
	if [ "$4" = up ]; then echo 0x1003 >"$1/$2/flags"; else echo 0x1002 >"$1/$2/flags"; fi
}
