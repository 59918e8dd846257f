# Helpers of the audit end-to-end tests (sourced after tests/lib.sh).
#
# All audit tests take /run/lock/bhxh-audit-tests.lock: shared while they
# only read the log, exclusive while one of them stops auditd or disables
# kernel audit, so that a parallel "make -j check" never sees a hole.

export LC_ALL=C
AUDIT_LOCK=/run/lock/bhxh-audit-tests.lock

# audit_lock shared|exclusive: held until the test exits
audit_lock() {
	mkdir -p /run/lock
	exec 9>>"$AUDIT_LOCK"
	if [ "$1" = exclusive ]; then flock -x -w 120 9; else flock -s -w 120 9; fi ||
		fail "cannot take $AUDIT_LOCK"
}

# The time now, as ausearch/aureport -ts want it (two words, C locale).
audit_now() { date '+%m/%d/%y %H:%M:%S'; }

# audit_raw START: the raw records since START (two words), from auditd's log
audit_raw() {
	# shellcheck disable=SC2086
	ausearch --raw -ts $1 2>/dev/null || true
}

# wait_for START REGEX N: wait (up to 10 s) until N raw records match REGEX
wait_for() {
	local n=0
	for _ in $(seq 100); do
		n=$(audit_raw "$1" | grep -Ec -- "$2" || true)
		[ "$n" -ge "$3" ] && return 0
		sleep 0.1
	done
	fail "only $n of $3 audit records match /$2/"
}

# count START REGEX: raw records since START matching REGEX
count() { audit_raw "$1" | grep -Ec -- "$2" || true; }

# A pam.d directory with the recommended lockout stack around pam_unix.
# make_stack DIR SERVICE "MODULE OPTIONS"
make_stack() {
	local so=$PAM_BHXH_SO opts=$3
	cat >"$1/$2" <<EOS
auth     requisite  $so preauth $opts
auth     [success=1 default=bad] pam_unix.so
auth     [default=die] $so authfail $opts
auth     sufficient $so authsucc $opts
auth     required   pam_deny.so
account  required   pam_unix.so
account  required   $so $opts
session  required   $so $opts
EOS
}
