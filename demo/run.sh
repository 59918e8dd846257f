#!/bin/bash
# The pam_bhxh demonstration, as root on a fresh Debian 12 machine:
# installs the build dependencies, builds, then shows a throwaway account
# being locked by wrong passwords in a throwaway PAM service, what the user
# sees (in English and Vietnamese), `bhxhctl lockout status`, and the audit
# records that auditd received.  Everything it creates (user, service file,
# state) is removed at the end; the machine's login configuration is not
# touched.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

bash tests/deps.sh >/dev/null
autoreconf -fi >/dev/null 2>&1
mkdir -p _build-demo
(cd _build-demo && "$src/configure" --sysconfdir=/etc --localstatedir=/var \
	--enable-test-hooks >/dev/null && make -j"$(nproc)" >/dev/null)
b=$src/_build-demo
if ! pgrep -x auditd >/dev/null; then auditd -s enable; sleep 1; fi
auditctl -e 1 >/dev/null

user=bhxhdemo$((RANDOM % 9000 + 1000))
svc=bhxh-demo-$$
work=$(mktemp -d /tmp/bhxh-demo.XXXXXX)
cleanup() {
	rm -f "/etc/pam.d/$svc"
	userdel -f "$user" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
chmod 700 "$work"
mkdir -m 700 "$work/tally" "$work/locale"
mkdir -p "$work/locale/vi/LC_MESSAGES"
cp "$src/po/vi.gmo" "$work/locale/vi/LC_MESSAGES/pam_bhxh.mo"
: >"$work/bhxh.conf"
useradd -M -N -s /usr/sbin/nologin "$user"
echo "$user:Dung-Mat-Khau-2026" | chpasswd
so=$b/pam_bhxh/.libs/pam_bhxh.so
a="dir=$work/tally conf=$work/bhxh.conf deny=3 unlock_time=600"
cat >"/etc/pam.d/$svc" <<EOS
auth     requisite                $so preauth $a
auth     [success=1 default=bad]  pam_unix.so nodelay
auth     [default=die]            $so authfail $a
auth     sufficient               $so authsucc $a
auth     required                 pam_deny.so
account  required                 $so $a
account  required                 pam_unix.so
EOS
login() { # LANG PASSWORD
	printf '%s\n' "$2" | env LANG="$1" LC_ALL="$1" BHXH_TEST_LOCALEDIR="$work/locale" \
		"$b/tests/pamdrive" --tty pts/7 --rhost 203.0.113.25 "$svc" "$user" auth acct || true
}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "PAM service /etc/pam.d/$svc (removed at the end)"
cat "/etc/pam.d/$svc"
say "Three wrong passwords for $user from 203.0.113.25"
for p in sai-1 sai-2 sai-3; do login C.UTF-8 "$p"; done
say "The right password now: refused, the account is locked"
login C.UTF-8 Dung-Mat-Khau-2026
say "The same, for a user whose locale is Vietnamese"
login vi_VN.UTF-8 Dung-Mat-Khau-2026
say "bhxhctl lockout status --user $user"
"$b/bhxhctl/bhxhctl" lockout status --user "$user" --dir "$work/tally"
"$b/bhxhctl/bhxhctl" lockout status --user "$user" --dir "$work/tally" --json
say "Audit records auditd received for $user (ausearch -i)"
sleep 1
ausearch -i -ts recent 2>/dev/null | grep -F "acct=$user" | grep -v -E 'ADD_USER|ADD_GROUP|USER_CHAUTHTOK' || true
say "The administrator resets the lock; the user logs in"
"$b/bhxhctl/bhxhctl" lockout reset --user "$user" --dir "$work/tally"
login C.UTF-8 Dung-Mat-Khau-2026
say "Done: user $user, service $svc and state are being removed"
