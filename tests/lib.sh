# Shared helpers for the shell tests.  Source it: . "$top_srcdir/tests/lib.sh"
# Root-only tests call require_root (exit 77 = skip).  Everything a test
# creates on the machine is registered with on_exit and removed by the trap,
# whatever way the test ends.

set -u
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
BHXHCTL="$top_builddir/bhxhctl/bhxhctl"
PAMDRIVE="$top_builddir/tests/pamdrive"
PAM_BHXH_SO="$top_builddir/pam_bhxh/.libs/pam_bhxh.so"

_cleanups=()
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
require_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() { [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"; }
# assert_match REGEX TEXT WHAT
assert_match() { printf '%s' "$2" | grep -Eq -- "$1" || fail "$3: '$2' does not match /$1/"; }

# Every scratch directory lives under one root made here, in the test's own
# shell, so the cleanup is registered even when scratch_dir runs in a
# command substitution (a subshell).
BHXH_TEST_ROOT=$(mktemp -d /tmp/bhxh-test.XXXXXX)
chmod 700 "$BHXH_TEST_ROOT"
on_exit "rm -rf '$BHXH_TEST_ROOT'"

# A private scratch directory (0700), removed at exit.
scratch_dir() {
	mktemp -d "$BHXH_TEST_ROOT/d.XXXXXX"
}

# scratch_user NAME PASSWORD: a real local account, removed at exit.
scratch_user() {
	useradd -M -N -s /usr/sbin/nologin "$1" || fail "useradd $1"
	on_exit "userdel -f '$1'"
	printf '%s:%s\n' "$1" "$2" | chpasswd || fail "chpasswd $1"
}

# scratch_service NAME <<EOF ... EOF: a real /etc/pam.d service, removed at
# exit.  Prefer pamdrive --confdir with a private directory when the test
# does not need the system's own libpam service lookup.
scratch_service() {
	[ -e "/etc/pam.d/$1" ] && fail "/etc/pam.d/$1 already exists"
	on_exit "rm -f '/etc/pam.d/$1'"
	cat >"/etc/pam.d/$1"
}

# Start auditd when it is not running (it is left running: it is a system
# service, and other tests use it).  Returns 77 when audit is unavailable.
# Tests that use auditd run one at a time (some stop and restart it): the
# lock is held until the test exits.
ensure_auditd() {
	require_cmd auditctl
	exec 9>/run/lock/bhxh-audit-tests.lock
	flock 9
	if ! pgrep -x auditd >/dev/null 2>&1; then
		auditd -s enable >/dev/null 2>&1 9>&- || skip "cannot start auditd"
		for _ in $(seq 50); do
			pgrep -x auditd >/dev/null 2>&1 && break
			sleep 0.1
		done
	fi
	auditctl -e 1 >/dev/null 2>&1 || true
	auditctl -s 2>/dev/null | grep -q 'enabled 1' || skip "kernel audit is not enabled"
}

# lockout_stack FILE OPTIONS [LINE...]: a PAM service with pam_bhxh at
# pam_faillock's three auth positions around pam_unix (README's stack),
# the account phase of pam_unix and pam_bhxh, then the LINEs given.
lockout_stack() {
	local f=$1 o=$2
	shift 2
	{
		cat <<EOS
auth     requisite  $PAM_BHXH_SO preauth $o
auth     [success=1 default=bad] pam_unix.so
auth     [default=die] $PAM_BHXH_SO authfail $o
auth     sufficient $PAM_BHXH_SO authsucc $o
auth     required   pam_deny.so
account  required   pam_unix.so
account  required   $PAM_BHXH_SO $o
EOS
		[ $# = 0 ] || printf '%s\n' "$@"
	} >"$f"
}

# Memcheck (tests/memcheck.sh, tests/dirpw/memcheck.sh).  vg_init sets VG,
# the valgrind command (an array) writing each process's report to
# VG_LOG/vg.PID; VG_LOG is writable by every uid, as a driver run with a
# user's real uid writes there too.  vg_clean WHAT fails when any report
# is not empty (each is printed).
vg_init() {
	VG_LOG=$(scratch_dir)
	chmod 1777 "$VG_LOG"
	VG=(valgrind -q --leak-check=no --track-origins=yes
		"--suppressions=$top_srcdir/tests/valgrind.supp" "--log-file=$VG_LOG/vg.%p")
}
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

# A unique scratch name for users and services: bhxht + pid + random.
uniq_name() { printf 'bhxht%s%04x' "$$" "$((RANDOM % 65536))"; }

# Search audit records of a given type for an account since the test began.
# audit_find TYPE ACCT [START]
audit_find() {
	ausearch --input-logs -i -m "$1" -ts "${3:-${AUDIT_START:-recent}}" 2>/dev/null | grep -F "acct=$2" || true
}

# A message catalogue tree of the tree's po/vi.po, for BHXH_TEST_LOCALEDIR
# (test builds read it instead of the installed one).  Compiled here from
# vi.po itself: gettext's po/Makefile remakes the srcdir's vi.gmo only when
# the template changes, so in a reused tree that file can be older than
# vi.po.  Prints the directory.
test_localedir() {
	local d gmo
	d=$(scratch_dir)
	mkdir -p "$d/vi/LC_MESSAGES"
	if command -v msgfmt >/dev/null 2>&1; then
		msgfmt -o "$d/vi/LC_MESSAGES/pam_bhxh.mo" "$top_srcdir/po/vi.po" ||
			fail "po/vi.po does not compile"
	else
		for gmo in "$top_builddir/po/vi.gmo" "$top_srcdir/po/vi.gmo"; do
			[ -f "$gmo" ] && break
		done
		[ -f "$gmo" ] || skip "neither msgfmt nor po/vi.gmo"
		cp "$gmo" "$d/vi/LC_MESSAGES/pam_bhxh.mo"
	fi
	echo "$d"
}
require_vi_locale() {
	locale -a 2>/dev/null | grep -qi '^vi_VN\.utf-\?8$' || skip "vi_VN.UTF-8 locale not generated"
}
