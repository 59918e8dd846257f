#!/bin/bash
# Every option of pam_faillock(8) and faillock.conf(5) (Linux-PAM 1.5.2)
# through pam_bhxh: each is accepted as a module argument and in
# /etc/security/faillock.conf, with pam_faillock's meaning where it can be
# observed (locking, unlocking, messages, delay, files).  What no peer
# accepts fails closed and `bhxhctl config check` names the file and line.
# Runs in a private mount namespace: /etc/security and /var/lib there are
# scratch copies.
# (re-run there before tests/lib.sh makes its scratch root: the exec would
# skip the cleanup that removes it)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
if [ -z "${BHXH_IN_NS:-}" ]; then
	command -v unshare >/dev/null 2>&1 || { echo "SKIP: needs unshare" >&2; exit 77; }
	BHXH_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$top_srcdir/tests/lib.sh"

user=$(uniq_name)
group=$(uniq_name)g
pass='Options-Test-7y!'
scratch_user "$user" "$pass"
groupadd "$group" || fail "groupadd"
on_exit "groupdel '$group'"
w=$(scratch_dir)
mkdir -p "$w/pamd" "$w/varlib"
cp -a /etc/security "$w/security"
: >"$w/security/bhxh.conf"
: >"$w/security/faillock.conf"
chmod 644 "$w/security/bhxh.conf" "$w/security/faillock.conf"
mount --bind "$w/security" /etc/security || fail "bind /etc/security"
mount --bind "$w/varlib" /var/lib || fail "bind /var/lib"
T=$w/tally

# stack ARGS: the CIS form, ARGS on every pam_bhxh line
stack() {
	cat >"$w/pamd/opt" <<EOF
auth     required                 $PAM_BHXH_SO preauth dir=$T $1
auth     [success=1 default=bad]  pam_unix.so nodelay
auth     [default=die]            $PAM_BHXH_SO authfail dir=$T $1
auth     sufficient               $PAM_BHXH_SO authsucc dir=$T $1
auth     required                 pam_deny.so
account  required                 $PAM_BHXH_SO dir=$T $1
account  required                 pam_unix.so
EOF
	rm -rf "$T"
	mkdir -m 700 "$T"
}
# attempt PASSWORD: prints pamdrive's transcript, returns its code
attempt() {
	printf '%s\n' "$1" | LD_PRELOAD="${SAN_PRELOAD:-}" "$PAMDRIVE" --confdir "$w/pamd" \
		opt "$user" auth acct 2>&1
}
rc_of() { attempt "$1" >/dev/null; echo $?; }
faillock_conf() { printf '%b' "$1" >/etc/security/faillock.conf; }

# expect_lock_after N ARGS: N wrong passwords lock, the right one is refused
expect_lock_after() {
	stack "$2"
	for ((i = 1; i < $1; i++)); do
		[ "$(rc_of wrong)" = 7 ] || fail "$2: failure $i"
	done
	[ "$(rc_of wrong)" = 7 ] || fail "$2: failure $1"
	[ "$(rc_of "$pass")" = 7 ] || fail "$2: not locked after $1 failures"
}
# expect_no_lock N ARGS: N wrong passwords, the right one still gets in
expect_no_lock() {
	stack "$2"
	for ((i = 1; i <= $1; i++)); do
		[ "$(rc_of wrong)" = 7 ] || fail "$2: failure $i"
	done
	[ "$(rc_of "$pass")" = 0 ] || fail "$2: locked after $1 failures"
}

# ---- module arguments ----------------------------------------------------
expect_lock_after 3 "nodelay"                              # defaults: deny=3
expect_lock_after 1 "nodelay deny=1"
expect_lock_after 4 "nodelay deny=4"
expect_no_lock 5 "nodelay deny=0"                           # 0: no lockout
expect_no_lock 5 "nodelay deny=65535"                       # faillock's maximum
expect_no_lock 4 "nodelay deny=1 fail_interval=0"           # empty window
expect_lock_after 1 "nodelay deny=1 fail_interval=604800"
stack "nodelay deny=2 fail_interval=1"
rc_of wrong >/dev/null
sleep 2
rc_of wrong >/dev/null
[ "$(rc_of "$pass")" = 0 ] || fail "fail_interval=1: failures 2 s apart locked"
expect_lock_after 1 "nodelay deny=1 unlock_time=1"
sleep 2
[ "$(rc_of "$pass")" = 0 ] || fail "unlock_time=1: still locked after 2 s"
for v in never 0; do
	expect_lock_after 1 "nodelay deny=1 unlock_time=$v"
	json=$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout status --dir "$T" --user "$user" --json)
	assert_match '"until_reset":true' "$json" "unlock_time=$v: until reset"
done
# admin_group: its members are treated like root (not locked without
# even_deny_root; root_unlock_time applies to them)
usermod -a -G "$group" "$user" || fail "usermod"
expect_no_lock 3 "nodelay deny=1 admin_group=$group"
expect_lock_after 1 "nodelay deny=1 admin_group=$group even_deny_root"
expect_lock_after 1 "nodelay deny=1 admin_group=$group even_deny_root root_unlock_time=1 unlock_time=600"
sleep 2
[ "$(rc_of "$pass")" = 0 ] || fail "root_unlock_time=1: still locked"
expect_lock_after 1 "nodelay deny=1 admin_group=$group even_deny_root root_unlock_time=never"
gpasswd -d "$user" "$group" >/dev/null || fail "gpasswd"
# accepted, nothing to observe beyond the normal outcome
expect_lock_after 1 "nodelay deny=1 audit no_log_info"
expect_lock_after 1 "nodelay deny=1 local_users_only"  # the scratch user is in /etc/passwd
# silent: no message; without it the lock is explained
stack "nodelay deny=1 silent"
out=$(attempt wrong)
[ -z "$(grep -E '^(error|info):' <<<"$out")" ] || fail "silent: $out"
stack "nodelay deny=1"
assert_match 'locked' "$(attempt wrong)" "lock message"
stack "nodelay deny=3 warn_remaining=2"
assert_match '2 attempts left' "$(attempt wrong)" "warn_remaining"
# nodelay: without it a failure waits 2 s (libpam randomises it to 1-3 s)
stack "deny=5"
s=$(date +%s%N); rc_of wrong >/dev/null; e=$(date +%s%N)
[ $(((e - s) / 1000000)) -ge 990 ] || fail "no delay without nodelay"
stack "deny=5 nodelay"
s=$(date +%s%N); rc_of wrong >/dev/null; e=$(date +%s%N)
[ $(((e - s) / 1000000)) -lt 990 ] || fail "nodelay: delayed"
# a failure counts whatever failed, also a module that sets no PAM_AUTHTOK
stack "nodelay"
sed -i 's/pam_unix.so nodelay$/pam_deny.so/' "$w/pamd/opt"
out=$(attempt "$pass")
assert_match '^auth: 7 ' "$out" "pam_deny refuses"
assert_eq 1 "$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout --dir "$T" --user "$user" | grep -c ' V$')" \
	"a pam_deny failure (no PAM_AUTHTOK) is counted"
# a name that is no account locks like one, and bhxhctl shows that state
# (its shared slot), in the listing too
stack "nodelay deny=1"
nouser=$(uniq_name)x
printf 'wrong\n' | LD_PRELOAD="${SAN_PRELOAD:-}" "$PAMDRIVE" --confdir "$w/pamd" opt "$nouser" auth >/dev/null 2>&1
json=$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout status --dir "$T" --user "$nouser" --json)
assert_match '"locked":true.*"account":false,"slot":"\.unknown-' "$json" "status of a name that is no account"
assert_match "^$nouser \\(not an account; shared slot \\.unknown-[0-9a-f]+\\): LOCKED" \
	"$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout status --dir "$T")" "listing shows the slot"
# dir=: the records are where dir= says
stack "nodelay"
rc_of wrong >/dev/null
[ -f "$T/$user" ] || fail "dir=: no record in $T"
# conf=: absolute, and relative to the program's working directory (as
# pam_faillock's fopen())
mkdir "$w/cwd"
printf 'deny = 1\n' >"$w/cwd/my.conf"
expect_lock_after 1 "nodelay conf=$w/cwd/my.conf"
stack "nodelay conf=my.conf"
(cd "$w/cwd" && rc_of wrong >/dev/null)
(cd "$w/cwd" && [ "$(rc_of "$pass")" = 7 ]) || fail "conf=relative not read from the working directory"

# ---- faillock.conf ----------------------------------------------------------
# every key, in each of pam_faillock's spellings
faillock_conf '# pam_faillock 1.5.2 keys\ndir = /var/run/faillock\naudit\nsilent\nno_log_info\nlocal_users_only\nnodelay\ndeny 2\nfail_interval=900\nunlock_time = 600\neven_deny_root\nroot_unlock_time = 60\nadmin_group = wheel\n'
expect_lock_after 2 ""                    # deny from faillock.conf, nodelay too
[ -f "$T/$user" ] || fail "faillock.conf dir= must not move pam_bhxh's records"
out=$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" config check) || fail "config check: $out"
# precedence: faillock.conf < bhxh.conf < module arguments (bhxh.conf is
# the build's: only when that is /etc, not in distcheck's scratch prefix)
if [ "${BHXH_SYSCONFDIR:-/etc}" = /etc ]; then
	printf 'deny = 3\n' >/etc/security/bhxh.conf
	expect_lock_after 3 ""
	expect_lock_after 1 "deny=1"
	: >/etc/security/bhxh.conf
fi
# faillock's flags take any value (pam_faillock sets them whatever follows)
faillock_conf 'nodelay\ndeny=1\nsilent = no\n'
stack ""
out=$(attempt wrong)
[ -z "$(grep -E '^(error|info):' <<<"$out")" ] || fail "faillock.conf 'silent = no' sets silent: $out"
# what pam_faillock does not accept fails closed, and config check says where
faillock_conf 'deny=3\nminlen=12\n'
[ "$(rc_of "$pass")" = 3 ] || fail "an unknown faillock.conf key must fail closed (PAM_SERVICE_ERR)"
out=$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" config check 2>&1) && fail "config check accepted it"
assert_match '/etc/security/faillock.conf:2: .*minlen' "$out" "config check names file:line"
faillock_conf 'deny=65536\n'
out=$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" config check 2>&1) && fail "deny=65536 accepted"
assert_match '/etc/security/faillock.conf:1: deny' "$out" "bad value: file:line"
# faillock.conf's syntax as pam_faillock reads it: each text below sets
# deny=2 for pam_faillock (checked, when installed: two failures lock) and
# for pam_bhxh alike
peer_locks_after_2() { # WHAT
	[ -n "${PAM_SYSMODDIR:-}" ] && [ -f "$PAM_SYSMODDIR/pam_faillock.so" ] || return 0
	stack "nodelay"
	sed -i "s|$PAM_BHXH_SO|$PAM_SYSMODDIR/pam_faillock.so|" "$w/pamd/opt"
	for i in 1 2; do [ "$(rc_of wrong)" = 7 ] || fail "pam_faillock, $1: failure $i"; done
	[ "$(rc_of "$pass")" = 7 ] || fail "pam_faillock does not read $1 as deny=2"
}
for text in 'deny = 2\r\nnodelay\r\n' 'deny = 2 # two\n' '\tdeny\t=\t2\t\n' 'deny=2   \n' \
	'deny = 2' 'deny 2\n' 'deny = 5\ndeny = 2\n' 'deny = 2\nsilent = 1\n' \
	'  # indented comment\n\n\t\ndeny = 2\n'; do
	faillock_conf "$text"
	peer_locks_after_2 "'$text'"
	expect_lock_after 2 "nodelay"
done
# an editor's UTF-8 byte order mark before the first line is skipped, not
# taken for part of an unknown key (every login refused; pam_faillock logs
# the unknown key and goes on)
faillock_conf '\xef\xbb\xbf# saved by an editor that marks UTF-8\ndeny = 2\n'
peer_locks_after_2 "a byte order mark and a comment"
expect_lock_after 2 "nodelay"
# any number of lines: pam_faillock reads a faillock.conf to its end,
# whatever its length, so pam_bhxh does too (a cap would be an outage
# where pam_faillock logs in); bhxh.conf, pam_bhxh's own, keeps its cap
{
	for ((i = 0; i < 6000; i++)); do printf '# note %d\n\naudit\n' $i; done
	printf 'deny = 2\n'
} >/etc/security/faillock.conf
peer_locks_after_2 "an 18,001-line faillock.conf"
expect_lock_after 2 "nodelay"
out=$(LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" config check 2>&1) || fail "config check, long faillock.conf: $out"
: >/etc/security/faillock.conf
echo ok
