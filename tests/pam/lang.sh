#!/bin/bash
# lang=: remote users of a real sshd read pam_bhxh's messages in
# Vietnamese.  sshd never calls setlocale(), so without lang= they read
# English; lang=vi forces Vietnamese.  lang=auto takes LC_ALL/LC_MESSAGES/
# LANG from the PAM environment (checked through pamdrive: pam_env fills it
# in setcred, which sshd calls only after authentication), and the
# program's own locale is never changed.  The sshd listens on 127.0.0.1 (a
# port in 22220-22229) with its own configuration and host key; its PAM
# service file and the catalogue directory are replaced in a private mount
# namespace only.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
if [ -z "${BHXH_LANG_NS:-}" ]; then
	command -v unshare >/dev/null 2>&1 || { echo "SKIP: needs unshare" >&2; exit 77; }
	BHXH_LANG_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$top_srcdir/tests/lib.sh"

SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || skip "sshd not installed (openssh-server)"
require_cmd ssh
require_cmd sshpass
require_cmd ssh-keygen
require_vi_locale
[ -x "$PAMDRIVE" ] || skip "pamdrive not built"
PAMDRIVE=$(readlink -f "$PAMDRIVE")
[ -f "$PAM_BHXH_SO" ] || skip "pam_bhxh.so not built"
SO=$(readlink -f "$PAM_BHXH_SO")
LOCALES=$(test_localedir)
# sshd empties the environment of its PAM process (BHXH_TEST_LOCALEDIR
# cannot reach it): the catalogue goes where the build looks for it, in
# this namespace only
[ -n "${BHXH_LOCALEDIR:-}" ] || skip "BHXH_LOCALEDIR not set (run through make check)"
if [ -d "$BHXH_LOCALEDIR" ]; then
	mount --bind "$LOCALES" "$BHXH_LOCALEDIR" || skip "cannot bind-mount $BHXH_LOCALEDIR"
else
	top=$BHXH_LOCALEDIR
	while [ ! -d "$(dirname "$top")" ]; do top=$(dirname "$top"); done
	over=$(readlink -f "$(dirname "$top")")
	case "$SO/" in "$over"/*) skip "the catalogue directory would hide the module" ;; esac
	mount -t tmpfs tmpfs "$over" || skip "cannot mount over $over"
	mkdir -p "$BHXH_LOCALEDIR" && cp -a "$LOCALES/." "$BHXH_LOCALEDIR/"
fi

D=$(scratch_dir)
chmod 755 "$D"
U=$(uniq_name)
PW='Kx7#mQ2!vRz9pL'
scratch_user "$U" "$PW"

# privilege separation directory
if [ ! -d /run/sshd ]; then
	mkdir -m 755 /run/sshd && on_exit "rmdir /run/sshd"
fi

# a copy of /etc/pam.d in which the sshd service is ours
mkdir "$D/pam.d"
cp -a /etc/pam.d/. "$D/pam.d/"
mount --bind "$D/pam.d" /etc/pam.d || skip "cannot bind-mount /etc/pam.d"

service() { # service LANG-ARG
	{
			cat <<EOF
auth requisite $SO preauth conf=$D/bhxh.conf $1
auth [success=1 default=bad] pam_unix.so nodelay
auth [default=die] $SO authfail conf=$D/bhxh.conf $1
auth sufficient $SO authsucc conf=$D/bhxh.conf $1
auth required pam_deny.so
account required pam_unix.so
session required pam_permit.so
EOF
	} >/etc/pam.d/sshd
}
printf 'deny = 1\nnodelay\nunlock_time = 600\ndir = %s/tally\naudit_unavailable = syslog\n' "$D" \
	>"$D/bhxh.conf"

reset_lock() { rm -rf "$D/tally"; }

# lang=auto through pamdrive: LANG from the PAM environment (pam_env's
# setcred, run first), LC_ALL over LANG, nothing set: the program's locale;
# the program's own locale is left as it was.
VI='Tài khoản (đã |đang )?bị khóa'
EN='account is locked'
mkdir "$D/drive.d"
drive() { # drive LANG-ARG ENVFILE-LINES PROGRAM-LANG EXPECT REJECT
	printf '%b' "$2" >"$D/env"
	cat >"$D/drive.d/x" <<EOF
auth required pam_env.so readenv=1 envfile=$D/env
auth requisite $SO preauth conf=$D/bhxh.conf $1
auth [success=1 default=bad] pam_unix.so nodelay
auth [default=die] $SO authfail conf=$D/bhxh.conf $1
EOF
	reset_lock
	out=$(printf 'bad\nbad\n' | LANG=$3 LC_ALL= LANGUAGE= PAMDRIVE_SHOW_LOCALE=1 \
		LD_PRELOAD="${SAN_PRELOAD:-}" "$PAMDRIVE" --repeat 2 --confdir "$D/drive.d" x "$U" setcred auth 2>&1)
	assert_match "$4" "$out" "pamdrive lang '$1' env '$2' program '$3'"
	if printf '%s' "$out" | grep -Eq -- "$5"; then fail "pamdrive $1/$2/$3: matches /$5/: $out"; fi
	assert_match "program locale: ${3:-C}\$" "$out" "program's locale changed"
}
drive "" 'LANG=vi_VN.UTF-8\n' C "$VI" "$EN"
drive lang=auto 'LANG=C\nLC_ALL=vi_VN.UTF-8\n' C "$VI" "$EN"
drive lang=auto '' vi_VN.UTF-8 "$VI" "$EN"
drive lang=auto '' C "$EN" "$VI"
drive lang=en 'LANG=vi_VN.UTF-8\n' vi_VN.UTF-8 "$EN" "$VI"
drive lang=vi '' C "$VI" "$EN"

# sshd's preauth child runs in a seccomp sandbox that a preloaded sanitizer
# runtime cannot live in: sanitizer builds stop here (the module's code was
# exercised above)
if [ -n "${SAN_PRELOAD:-}" ]; then
	echo "lang: sshd part skipped in a sanitizer build"
	echo "lang: ok"
	exit 0
fi

ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey" || fail "ssh-keygen"
PORT=
for p in $(seq 22220 22229); do
	ss -ltn "sport = :$p" 2>/dev/null | grep -q LISTEN || { PORT=$p; break; }
done
[ -n "$PORT" ] || skip "no free port in 22220-22229"
cat >"$D/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $D/hostkey
PidFile $D/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
PermitRootLogin no
AuthorizedKeysFile none
StrictModes no
AllowUsers $U
MaxAuthTries 3
LogLevel VERBOSE
EOF
"$SSHD" -D -f "$D/sshd_config" -E "$D/sshd.log" &
SSHD_PID=$!
on_exit "kill $SSHD_PID; wait $SSHD_PID"
for _ in $(seq 50); do
	ss -ltn "sport = :$PORT" 2>/dev/null | grep -q LISTEN && break
	kill -0 $SSHD_PID 2>/dev/null || fail "sshd did not start: $(cat "$D/sshd.log")"
	sleep 0.1
done

# attempt PASSWORD: one keyboard-interactive login; prints what ssh showed.
# The OpenSSH client writes the server's keyboard-interactive instructions
# through its log, which escapes every byte above 0x7f as \ooo: decode.
attempt() {
	LC_ALL=vi_VN.UTF-8 sshpass -p "$1" ssh -F /dev/null -p "$PORT" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
		"$U@127.0.0.1" true 2>&1 </dev/null | sed 's/\\\([0-3][0-7][0-7]\)/\\0\1/g' |
		while IFS= read -r line; do printf '%b\n' "$line"; done
}

# case NAME LANG-ARG [env] EXPECT-REGEX REJECT-REGEX
check() {
	local name=$1 arg=$2 env=$3 want=$4 reject=$5 out
	service "$arg" "$env"
	reset_lock
	out=$(attempt 'wrong password')           # locks (deny=1)
	out="$out$(attempt "$PW")"                 # refused at preauth: locked
	assert_match "$want" "$out" "$name"
	if printf '%s' "$out" | grep -Eq -- "$reject"; then fail "$name: '$out' matches /$reject/"; fi
}
check "no lang, sshd's C locale" "" "" "$EN" "bị khóa"
check "lang=auto, nothing in the PAM environment" "lang=auto" "" "$EN" "bị khóa"
check "lang=vi" "lang=vi" "" "$VI" "$EN"
check "lang=en" "lang=en" "" "$EN" "bị khóa"
echo "lang: ok"
