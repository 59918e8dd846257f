# Helpers of the audit end-to-end tests (sourced after tests/lib.sh).
#
# Audit tests run one at a time (one of them stops auditd and disables
# kernel audit): they hold /run/lock/bhxh-audit-tests.lock on fd 9 until
# they exit.  When ensure_auditd already took it on fd 9, that is kept.
# Anything started while holding it must not inherit fd 9 (auditd would keep
# the lock for ever): start daemons with 9>&-.

export LC_ALL=C
AUDIT_LOCK=/run/lock/bhxh-audit-tests.lock

audit_lock() {
	[ "$(readlink "/proc/$$/fd/9" 2>/dev/null)" = "$AUDIT_LOCK" ] && return 0
	mkdir -p /run/lock
	exec 9>>"$AUDIT_LOCK"
	flock -w 600 9 || fail "cannot take $AUDIT_LOCK"
}

# ausearch and aureport read standard input when it is not a terminal (as
# in a parallel make check): always pass --input-logs.

# The time now, as ausearch/aureport -ts want it (two words, C locale).
audit_now() { date '+%m/%d/%y %H:%M:%S'; }

# audit_raw START: the raw records since START (two words), from auditd's log
audit_raw() {
	# shellcheck disable=SC2086
	ausearch --input-logs --raw -ts $1 2>/dev/null || true
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

# A pam.d directory with the recommended lockout stack around pam_unix
# and pam_bhxh's session records.
# make_stack DIR SERVICE "MODULE OPTIONS"
make_stack() {
	lockout_stack "$1/$2" "$3" "session  required   $PAM_BHXH_SO $3"
}
