#!/bin/bash
# The real passwd(1), run by a directory user in tmux on machine A (setuid
# root, its PAM service the stack of conf/pam.d/bhxh-example, seen only in a
# private mount namespace): the current password is asked and checked by
# the directory, the new one is checked by the agency's rules and written to
# the directory; machine B accepts it within 2 s.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
require_cmd tmux
[ -x /usr/bin/passwd ] || skip "needs passwd"
[ -u /usr/bin/passwd ] || skip "passwd is not setuid root"
# passwd is not built with the sanitizers: it cannot load a sanitizer build
[ -z "${SAN_PRELOAD:-}" ] || skip "passwd cannot load a sanitizer build of the module"
dirpw_setup
follow_on A
follow_on B
on A true # writes $T/on.sh (machine A's namespace)

sock=bhxh-dp$$
export TMUX_TMPDIR=$T
on_exit "tmux -L '$sock' kill-server"
pane() { tmux -L "$sock" capture-pane -p -S -200 -t pw; }
# wait_for REGEX COUNT
wait_for() {
	for _ in $(seq 1 150); do
		[ "$(pane | grep -Ec -- "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "passwd never showed /$1/ $2 times: $(pane)"
}
keys() { tmux -L "$sock" send-keys -t pw -l "$1" && tmux -L "$sock" send-keys -t pw Enter; }
# run_passwd LANG: passwd as dpa in a fresh window
run_passwd() {
	tmux -L "$sock" kill-server 2>/dev/null
	tmux -L "$sock" new-session -d -s pw -x 200 -y 50 \
		"env LANG=$1 LANGUAGE=${1%%.*} unshare -m sh '$T/on.sh' setpriv --reuid=410001 --regid=600000 --clear-groups /usr/bin/passwd; echo passwd-exit=\$?; sleep 60" ||
		fail "cannot start passwd in tmux"
}

NEW='Quill orbit kettle 4721'
run_passwd C.UTF-8
wait_for 'Current password:' 1
keys 'Old-Pass-2026a'
wait_for 'New password:' 1
keys "$NEW"
wait_for 'Retype new password:' 1
keys "$NEW"
wait_for 'passwd-exit=' 1
echo "$(pane)"
assert_match 'passwd-exit=0' "$(pane)" "passwd exit status"
assert_match 'central directory' "$(pane)" "passwd shows the directory's success"
pane | grep -q "$NEW" && fail "the password was echoed"
wait_until 2 login_ok B dpa "$NEW" || fail "the new password does not work on B"

echo "ok"
