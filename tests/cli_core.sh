#!/bin/bash
# bhxhctl config check and lockout status/reset from the command line, and
# the module's exported symbols (only pam_sm_*) with a dlopen smoke test.
. "$top_srcdir/tests/lib.sh"
d=$(scratch_dir)
ctl() { LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" "$@"; }

# --- config check ---------------------------------------------------------
# the shipped /etc/security/bhxh.conf must be valid (an invalid one would
# refuse every login)
cp "$top_srcdir/conf/bhxh.conf" "$d/shipped.conf"
chmod 644 "$d/shipped.conf"
out=$(ctl config check --file "$d/shipped.conf" 2>&1) || fail "shipped bhxh.conf invalid: $out"
printf 'deny = 5\nunlock_time = never\n# comment\neven_deny_root\n' >"$d/good.conf"
out=$(ctl config check --file "$d/good.conf") || fail "valid file refused: $out"
assert_match 'valid' "$out" "config check says valid"
printf 'deny = 5\nfail_interval = 10m\n' >"$d/bad.conf"
out=$(ctl config check --file "$d/bad.conf" 2>&1) && fail "invalid file accepted"
assert_match "bad.conf:2: fail_interval" "$out" "error names file:line and option"
printf 'deny=3\nno_such_key=1\n' >"$d/bad2.conf"
out=$(ctl config check --file "$d/bad2.conf" 2>&1) && fail "unknown key accepted"
assert_match "bad2.conf:2: unknown option 'no_such_key'" "$out" "unknown key"
out=$(ctl config check --file "$d/good.conf" deny=65536 2>&1) && fail "deny=65536 accepted"
assert_match "argument 'deny'" "$out" "bad module argument"
chmod 666 "$d/good.conf"
ctl config check --file "$d/good.conf" >/dev/null 2>&1 && fail "world-writable file accepted"
chmod 644 "$d/good.conf"

# --- lockout status / reset on an empty and a filled directory --------------
: >"$d/empty.conf"
mkdir -m 700 "$d/tally"
out=$(ctl --conf "$d/empty.conf" lockout status --dir "$d/tally" --json)
assert_eq '[]' "$out" "no failures: empty array"
out=$(ctl --conf "$d/empty.conf" lockout status --user nobody --dir "$d/tally" --json)
assert_match '^\{"user":"nobody","locked":false,"failures":0,"unlock_in":null' "$out" "unknown: unlocked"
ctl --conf "$d/empty.conf" lockout reset --dir "$d/tally" >/dev/null 2>&1 &&
	fail "reset without --user or --all accepted"
ctl --conf "$d/empty.conf" lockout reset --user a --all --dir "$d/tally" >/dev/null 2>&1 &&
	fail "reset with both --user and --all accepted"
# a name that is no account (even a path) is the module's shared slot
out=$(ctl --conf "$d/empty.conf" lockout status --user ../etc --dir "$d/tally" --json) ||
	fail "status of a name that is no account"
assert_match '"account":false,"slot":"\.unknown-[0-9a-f][0-9a-f]"' "$out" "shared slot shown"
[ -e "$d/etc" ] && fail "a path as user name reached the file system"
# faillock(8)'s command line
out=$(ctl --conf "$d/empty.conf" lockout --dir "$d/tally" --user nobody) || fail "faillock --user"
assert_eq "$(printf 'nobody:\nWhen                Type  Source                                           Valid')" \
	"$out" "faillock table header"
ctl --conf "$d/empty.conf" lockout --dir "$d/tally" --bogus >/dev/null 2>&1 &&
	fail "faillock: unknown option accepted"
ctl --conf "$d/empty.conf" lockout --dir "$d/tally" --reset || fail "faillock --reset (all)"
ctl --conf "$d/empty.conf" lockout reset --all --dir "$d/tally" || fail "reset --all on empty dir"

# --- the module exports only pam_sm_* and loads on its own -------------------
syms=$(nm -D --defined-only "$PAM_BHXH_SO" | awk '{print $3}' | sort | tr '\n' ' ')
assert_eq "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_chauthtok pam_sm_close_session pam_sm_open_session pam_sm_setcred " \
	"$syms" "exported symbols"
if [ -z "${SAN_PRELOAD:-}" ]; then
	python3 - "$PAM_BHXH_SO" <<'EOP' || fail "dlopen smoke test"
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_LOCAL)
assert lib.pam_sm_authenticate
EOP
fi
echo ok
