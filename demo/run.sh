#!/bin/bash
# The pam_bhxh demonstration, as root on a fresh Debian 12 machine, in one
# command (bash demo/run.sh).  It installs the build dependencies, builds,
# starts auditd if needed, then shows, with throwaway accounts and a private
# PAM configuration directory (pamdrive --confdir: nothing is written to
# /etc/pam.d):
#   1. lockout: three wrong passwords lock the account; the user is told
#      why, in English and Vietnamese; bhxhctl shows and resets the lock;
#   2. password policy: a password past the agency's 90 days must be
#      changed at login; a weak new password is refused with the reason
#      (English and Vietnamese), a strong passphrase is taken;
#   3. central directory: an account published by IT (bhxhctl db build)
#      logs in through the NSS plugin; IT revokes it and the next login is
#      refused at once.  The directory part runs in a private mount
#      namespace whose /etc/nsswitch.conf names the plugin; the machine's
#      own file is not touched;
#   4. login posture: with posture_av = deny, a login is refused while the
#      agency's antivirus (ClamAV, a private daemon here) is not running,
#      and goes on once it runs;
#   5. review: the audit records auditd received, summarised by
#      bhxhctl report (and an HTML report when bhxhctl has --html).
# Everything it creates (accounts, state, database, configuration) is
# removed at the end; only the HTML report, when made, is kept for you to
# open (its path is printed).
#
# BHXH_DEMO_BUILD=DIR uses an existing build (configured with
# --enable-test-hooks) instead of installing and building; the test suite
# runs the demo that way (tests/demo.sh) and checks what it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

if [ -n "${BHXH_DEMO_BUILD:-}" ]; then
	b=$BHXH_DEMO_BUILD
else
	bash tests/deps.sh >/dev/null
	autoreconf -fi >/dev/null 2>&1
	mkdir -p _build-demo
	(cd _build-demo && "$src/configure" --sysconfdir=/etc --localstatedir=/var \
		--enable-test-hooks >/dev/null && make -j"$(nproc)" >/dev/null)
	b=$src/_build-demo
fi
ctl=$b/bhxhctl/bhxhctl
drive=$b/tests/pamdrive
so=$b/pam_bhxh/.libs/pam_bhxh.so
nsso=$b/nss_bhxh/.libs/libnss_bhxh.so.2
for f in "$ctl" "$drive" "$so" "$nsso" "$b/data/denylist.bhxhdl"; do
	[ -e "$f" ] || { echo "demo: $f not built" >&2; exit 1; }
done
if ! pgrep -x auditd >/dev/null; then
	auditd -s enable
	for _ in $(seq 50); do pgrep -x auditd >/dev/null && break; sleep 0.1; done
fi
auditctl -e 1 >/dev/null

n=$((RANDOM % 9000 + 1000))
user=bhxhdemo$n          # a local account
duser=nvdemo$n           # an account of the central directory
svc=bhxh-demo
work=$(mktemp -d /tmp/bhxh-demo.XXXXXX)
clamd_pid=
cleanup() {
	if [ -n "$clamd_pid" ]; then kill "$clamd_pid" 2>/dev/null || true; wait "$clamd_pid" 2>/dev/null || true; fi
	userdel -f "$user" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
chmod 700 "$work"
mkdir -m 700 "$work/tally" "$work/history" "$work/lastlogin" "$work/pam.d"
mkdir -p "$work/locale/vi/LC_MESSAGES"
# the catalogue of this source tree (a build tree's vi.gmo can be older)
msgfmt -o "$work/locale/vi/LC_MESSAGES/pam_bhxh.mo" "$src/po/vi.po"

pass1='Dung-Mat-Khau-2026'
weak='Anhyeuem@2026'
strong='ca phe sua da buoi sang'
useradd -M -N -s /usr/sbin/nologin "$user"
echo "$user:$pass1" | chpasswd

# The policy (bhxh.conf: the module and bhxhctl read the same file), with
# every state directory in the work directory, and one PAM service.
cat >"$work/bhxh.conf" <<EOS
# lockout: 3 failures lock for 10 minutes
deny = 3
unlock_time = 600
dir = $work/tally
# passwords: the agency profile (12 characters, strength estimate,
# denylist, last 5 remembered); changed at least every 90 days
history_dir = $work/history
denylist = $b/data/denylist.bhxhdl
max_days = 90
warn_days = 7
lastlogin_dir = $work/lastlogin
# central directory
db_dir = $work/db
EOS
chmod 600 "$work/bhxh.conf"
a="conf=$work/bhxh.conf"
cat >"$work/pam.d/$svc" <<EOS
auth     required                 $so preauth $a
auth     [success=1 default=bad]  pam_unix.so nodelay
auth     [default=die]            $so authfail $a
auth     sufficient               $so authsucc $a
auth     required                 pam_deny.so
account  required                 $so $a
account  required                 pam_unix.so
password requisite                $so $a
password requisite                pam_unix.so use_authtok yescrypt
password optional                 $so record $a
EOS
# login LANG USER OP... (the answers to the prompts on standard input)
login() {
	local lang=$1
	shift
	env LANG="$lang" LC_ALL="$lang" BHXH_TEST_LOCALEDIR="$work/locale" \
		"$drive" --confdir "$work/pam.d" --tty pts/7 --rhost 203.0.113.25 "$svc" "$@" || true
}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
screen() { printf '\n\033[1;7m %s \033[0m\n' "$*"; }

screen "0. The policy and the PAM service (private copies; /etc is not touched)"
say "\$WORK/bhxh.conf"
sed "s|$work|\$WORK|g; s|$b|\$BUILD|g" "$work/bhxh.conf"
say "\$WORK/pam.d/$svc"
sed "s|$work|\$WORK|g; s|$b|\$BUILD|g" "$work/pam.d/$svc"

# ---------------------------------------------------------------------------
screen "1. Lockout: three wrong passwords lock the account"
say "Three wrong passwords for $user from 203.0.113.25"
for p in sai-1 sai-2 sai-3; do echo "$p" | login C.UTF-8 "$user" auth acct; done
say "The right password now: refused, the account is locked"
echo "$pass1" | login C.UTF-8 "$user" auth acct
say "The same, for a user whose locale is Vietnamese"
echo "$pass1" | login vi_VN.UTF-8 "$user" auth acct
say "bhxhctl lockout status --user $user"
"$ctl" --conf "$work/bhxh.conf" lockout status --user "$user"
say "The administrator resets the lock (bhxhctl lockout reset); the user logs in"
"$ctl" --conf "$work/bhxh.conf" lockout reset --user "$user"
echo "$pass1" | login C.UTF-8 "$user" auth acct

# ---------------------------------------------------------------------------
screen "2. Passwords: changed every 90 days, and strong"
say "The password was last changed 100 days ago (chage -d); policy max_days=90"
chage -d "$(($(date +%s) / 86400 - 100))" -M 99999 "$user"
chage -l "$user" | head -3
say "Login: expired by the agency's policy (the shadow entry says never); a weak new password"
echo "(the user then gives up with Ctrl-D)"
printf '%s\n' "$pass1" "$pass1" "$weak" | login C.UTF-8 "$user" auth acct chauthtok
say "The same weak password, for a user whose locale is Vietnamese"
printf '%s\n' "$pass1" "$pass1" "$weak" | login vi_VN.UTF-8 "$user" auth acct chauthtok
say "A passphrase of unrelated words is taken"
printf '%s\n' "$pass1" "$pass1" "$weak" "$strong" "$strong" | login C.UTF-8 "$user" auth acct chauthtok
say "The next login with the new password: in, no expiry message"
echo "$strong" | login C.UTF-8 "$user" auth acct
say "The same check for administrators, without a login: bhxhctl password check"
printf '%s\n' "$weak" "$strong" | "$ctl" --conf "$work/bhxh.conf" password check --user "$user" 2>&1 || true

# ---------------------------------------------------------------------------
screen "3. Central directory: an account published by IT, then revoked"
mkdir -m 700 "$work/export"
# The directory export.  Files here; once the LDAP sync (bhxhctl db sync)
# is in the tree, publish_directory gains a step that fills the same
# database from a throwaway LDAP server instead.
hash=$(python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$pass1")
echo "$duser:x:240$n:240$n:Nguyen Van Demo:/home/$duser:/bin/bash" >"$work/export/passwd"
echo "phongcntt$n:x:240$n:$duser" >"$work/export/group"
echo "$duser:$hash:$(($(date +%s) / 86400)):0:99999:7:::" >"$work/export/shadow"
echo "# revoked accounts" >"$work/export/revoked"
publish_directory() {
	"$ctl" --conf "$work/bhxh.conf" db build "$work/export" --db "$work/db"
}
# in_directory_ns CMD...: a private mount namespace whose nsswitch.conf is
# "passwd: files bhxh" (and group, shadow), with the plugin of this build
# reading this demo's database.
printf 'passwd: files bhxh\ngroup: files bhxh\nshadow: files bhxh\nhosts: files\n' >"$work/nsswitch.conf"
in_directory_ns() {
	unshare -m --propagation private sh -c 'mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"' \
		sh "$work/nsswitch.conf" env LD_LIBRARY_PATH="$(dirname "$nsso")" BHXH_NSS_DB_DIR="$work/db" "$@"
}
say "IT publishes the directory (bhxhctl db build); this machine sees the account"
publish_directory
in_directory_ns getent passwd "$duser" || true
in_directory_ns id "$duser" || true
say "$duser logs in with the directory password"
echo "$pass1" | in_directory_ns env LANG=C.UTF-8 LC_ALL=C.UTF-8 BHXH_TEST_LOCALEDIR="$work/locale" \
	"$drive" --confdir "$work/pam.d" --tty pts/8 "$svc" "$duser" auth acct || true
say "IT revokes $duser (the export's revoked list; bhxhctl db diff, then db build)"
echo "$duser" >>"$work/export/revoked"
"$ctl" --conf "$work/bhxh.conf" db diff "$work/export" --db "$work/db" || true
publish_directory
say "The next login of $duser is refused at once"
for lang in C.UTF-8 vi_VN.UTF-8; do
	echo "$pass1" | in_directory_ns env LANG="$lang" LC_ALL="$lang" BHXH_TEST_LOCALEDIR="$work/locale" \
		"$drive" --confdir "$work/pam.d" --tty pts/8 "$svc" "$duser" auth acct || true
done

# ---------------------------------------------------------------------------
screen "4. Login posture: the agency's antivirus must be running"
if [ -x /usr/sbin/clamd ]; then
	# A private ClamAV daemon with a one-signature database made here (no
	# download), and a policy that refuses logins without it.
	av=$work/clamd
	mkdir -p "$av/db"
	printf 'pam_bhxh demo sample\n' >"$av/sample"
	printf '%s:%s:Bhxh.Demo.Sample\n' "$(md5sum <"$av/sample" | cut -d' ' -f1)" \
		"$(stat -c %s "$av/sample")" >"$av/db/bhxh.hdb"
	printf 'Foreground yes\nDatabaseDirectory %s/db\nLocalSocket %s/clamd.sock\nPidFile %s/clamd.pid\nLogFile %s/clamd.log\nTemporaryDirectory %s\nUser root\n' \
		"$av" "$av" "$av" "$av" "$av" >"$av/clamd.conf"
	cat >>"$work/bhxh.conf" <<EOS
# login posture (the demo's own antivirus daemon; wireless check off)
posture_av = deny
posture_av_process = clamd
posture_av_pidfile = $av/clamd.pid
posture_av_db = $av/db
posture_wifi = off
EOS
	say "bhxh.conf gains: posture_av = deny (clamd, its pid file and signatures)"
	say "clamd is not running: $user's login is refused"
	for lang in C.UTF-8 vi_VN.UTF-8; do echo "$strong" | login "$lang" "$user" auth acct; done
	say "The antivirus is started (a private clamd); the login goes on"
	/usr/sbin/clamd -c "$av/clamd.conf" </dev/null >/dev/null 2>&1 &
	clamd_pid=$!
	for _ in $(seq 200); do
		[ -S "$av/clamd.sock" ] && [ -s "$av/clamd.pid" ] && break
		sleep 0.05
	done
	echo "$strong" | login C.UTF-8 "$user" auth acct
	say "bhxhctl posture (the administrator's view)"
	"$ctl" --conf "$work/bhxh.conf" posture || true
	kill "$clamd_pid" 2>/dev/null || true
	wait "$clamd_pid" 2>/dev/null || true
else
	echo "(skipped: clamav-daemon is not installed; bash tests/deps.sh installs it)"
fi
# the rest of the demo without the posture policy
sed -i '/^# login posture/,$d' "$work/bhxh.conf"

# ---------------------------------------------------------------------------
screen "5. Review: what auditd received, and the report for IT"
sleep 1
ausearch --input-logs --raw -ts today 2>/dev/null |
	grep -E "acct=\"?($user|$duser)\"? " >"$work/audit.log" || true
say "$(wc -l <"$work/audit.log") audit records for $user and $duser; pam_bhxh's refusals, locks and changes (ausearch -i):"
ausearch --input-logs -i -ts today -m TRUSTED_APP,ANOM_LOGIN_FAILURES,RESP_ACCT_LOCK_TIMED,ACCT_UNLOCK 2>/dev/null |
	grep -E "acct=($user|$duser) " | grep -v -E 'reason=(authenticated|allowed) ' |
	sed -E 's/.*type=([A-Z_]+) msg=audit\([^ ]+ ([0-9:]+)[^)]*\).*(op=[^ ]+).*(acct=[^ ]+).*(reason=[^ ]+).*/\2 \1 \3 \4 \5/' |
	awk '{printf "%-9s %-21s %-24s %-19s %s\n", $1, $2, $3, $4, $5}' || true
say "bhxhctl report (the records above)"
"$ctl" report "$work/audit.log" || true
if "$ctl" report --help 2>&1 | grep -q -- '--html'; then
	html=/tmp/bhxh-demo-report-$n.html
	if "$ctl" report --html "$work/audit.log" >"$html" 2>/dev/null && [ -s "$html" ]; then
		say "HTML report (kept): $html"
	else
		rm -f "$html"
		echo "(bhxhctl report --html failed)"
	fi
fi

say "Done: $user, $duser, the private PAM service, the database and the state are being removed"
