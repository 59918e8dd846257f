#!/bin/bash
# A locked user at the real login(1) prompt, driven in tmux: with the stack
# of README and conf/pam.d/bhxh-example ("auth required pam_bhxh.so
# preauth"), the user is told the account is locked and still prompted for
# the password, which is neither echoed nor counted again; login then asks
# for a user name afresh, so the password never lands on the screen or in
# the next user name.  login's PAM service is a scratch file seen only in a
# private mount namespace (the tmux server runs there); the machine's
# /etc/pam.d/login is untouched.
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd tmux
require_cmd unshare
[ -x /bin/login ] || skip "needs login"

user=$(uniq_name)
pass='Login-Tmux-5z!'
scratch_user "$user" "$pass"
w=$(scratch_dir)
T=$w/tally
mkdir -m 700 "$T"
cp -a /etc/pam.d "$w/pamd"
mkdir -m 755 "$w/varlib"
cat >"$w/pamd/login" <<EOF
auth     required                 $PAM_BHXH_SO preauth dir=$T nodelay
auth     [success=1 default=bad]  pam_unix.so nodelay
auth     [default=die]            $PAM_BHXH_SO authfail dir=$T nodelay
auth     sufficient               $PAM_BHXH_SO authsucc dir=$T nodelay
auth     required                 pam_deny.so
account  required                 $PAM_BHXH_SO dir=$T
account  required                 pam_unix.so
session  required                 pam_unix.so
EOF
# Under ASan the sanitizer runtime is preloaded into login; its crypt()
# interceptor needs libcrypt loaded from the start (see tests_pamdrive_LDADD)
preload=${SAN_PRELOAD:-}
[ -n "$preload" ] && preload="$preload libcrypt.so.1"
sock=bhxh-$user
# the server's socket lives in the scratch directory, removed at exit
export TMUX_TMPDIR=$w
before=$(md5sum </etc/pam.d/login)
on_exit "tmux -L '$sock' kill-server"
unshare -m --propagation private bash -c "
	mount --bind '$w/pamd' /etc/pam.d &&
	mount --bind '$w/varlib' /var/lib &&
	exec env LD_PRELOAD='$preload' tmux -L '$sock' new-session -d -s login -x 150 -y 50 /bin/login
" || fail "cannot start login in tmux"
# login (with PAM) gives up after three attempts: keep its screen, and start
# the next login from the same server (inside the namespace)
tmux -L "$sock" set-option -g remain-on-exit on >/dev/null

s=login
pane() { tmux -L "$sock" capture-pane -p -S -200 -t "$s"; }
# wait_for REGEX COUNT: until the pane shows REGEX at least COUNT times
wait_for() {
	for _ in $(seq 1 100); do
		[ "$(pane | grep -Ec -- "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "login never showed /$1/ $2 times: $(pane)"
}
type_line() { tmux -L "$sock" send-keys -t "$s" -l "$1"; tmux -L "$sock" send-keys -t "$s" Enter; }
counted() {
	LD_PRELOAD="${SAN_PRELOAD:-}" "$BHXHCTL" lockout --dir "$T" --user "$user" | grep -c ' V$'
}

# three wrong passwords: the third locks (deny=3)
for i in 1 2 3; do
	wait_for 'login:' "$i"
	type_line "$user"
	wait_for '^Password:' "$i"
	type_line "wrong-$i"
	[ "$i" = 3 ] || wait_for 'Login incorrect' "$i"
done
wait_for 'Maximum number of tries' 1
assert_match 'locked after 3 failed logins' "$(pane)" "the third failure locks and says so"
assert_eq 3 "$(counted)" "three failures counted"

# a new login: locked, told, and still prompted; the right password is
# refused
tmux -L "$sock" new-session -d -s login2 -x 150 -y 50 /bin/login || fail "second login"
s=login2
wait_for 'login:' 1
type_line "$user"
wait_for '^Password:' 1
type_line "$pass"
wait_for 'Login incorrect' 1
screen=$(pane)
printf '%s\n' "$screen"
assert_match 'The account is locked' "$screen" "locked user told"
assert_match '^Password:' "$(sed -n '/The account is locked/,$p' <<<"$screen")" \
	"prompted for the password after being told"
[ "$(s=login pane | grep -c -- 'wrong-')" = 0 ] || fail "a password was echoed"
[ "$(grep -c -- "$pass" <<<"$screen")" = 0 ] || fail "the password is on the screen"
assert_eq 3 "$(counted)" "the attempt while locked is not counted again"
# login asks for a user name afresh (nothing typed went into it)
wait_for 'login:' 2
assert_match 'login:$' "$(pane | grep -v '^$' | tail -1)" "a fresh user name prompt"
assert_eq "$before" "$(md5sum </etc/pam.d/login)" "the machine's /etc/pam.d/login"
echo ok
