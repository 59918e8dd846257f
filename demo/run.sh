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
#   3. central directory: IT adds an account in LDAP (ldapadd on a
#      throwaway slapd: its own configuration and mdb database in the work
#      directory, syncprov, 127.0.0.1 on one of the ports 38880-38899);
#      bhxhctl db sync --once publishes it and it logs in through the NSS
#      plugin; then bhxhctl db sync --follow runs in the background, IT
#      revokes the account in LDAP (ldapmodify: the attribute that
#      ldap_revoked_filter matches) and the next login, with no command
#      run on this machine in between (db status is only read, to wait for
#      the new generation), is refused; bhxhctl db status.  Without slapd
#      (bash tests/deps.sh installs it) the directory comes from files
#      (bhxhctl db build, db diff) instead.  The logins run in a private
#      mount namespace whose /etc/nsswitch.conf names the plugin; the
#      machine's own file, /etc/ldap and any system slapd are not touched;
#   4. login posture: with posture_av = deny, a login is refused while the
#      agency's antivirus (ClamAV, a private daemon here) is not running,
#      and goes on once it runs;
#   5. review: the audit records auditd received, summarised by
#      bhxhctl report, and the same as an HTML page (report --html OUT).
# Everything it creates (accounts, state, database, configuration, the
# LDAP server and the follower, stopped by PID) is removed at the end; only
# the HTML report is kept for you to open (its path is printed).
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
slapd_pid=
follow_pid=
cleanup() {
	local pid
	# (by PID: the processes this demo started)
	for pid in "$clamd_pid" "$follow_pid" "$slapd_pid"; do
		[ -n "$pid" ] || continue
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
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
# The account of the central directory, the same in LDAP or in the files
# export: its password is the local demo user's first one.
hash=$(python3 -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$pass1")
# in_directory_ns CMD...: a private mount namespace whose nsswitch.conf is
# "passwd: files bhxh" (and group, shadow), with the plugin of this build
# reading this demo's database.
printf 'passwd: files bhxh\ngroup: files bhxh\nshadow: files bhxh\nhosts: files\n' >"$work/nsswitch.conf"
in_directory_ns() {
	unshare -m --propagation private sh -c 'mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"' \
		sh "$work/nsswitch.conf" env LD_LIBRARY_PATH="$(dirname "$nsso")" BHXH_NSS_DB_DIR="$work/db" "$@"
}
# directory_account: what this machine sees of $duser through the plugin
directory_account() {
	in_directory_ns getent passwd "$duser" || true
	in_directory_ns id "$duser" || true
}
# directory_login LANG: $duser logs in with the directory password
directory_login() {
	echo "$pass1" | in_directory_ns env LANG="$1" LC_ALL="$1" BHXH_TEST_LOCALEDIR="$work/locale" \
		"$drive" --confdir "$work/pam.d" --tty pts/8 "$svc" "$duser" auth acct || true
}
# stop_pid VAR: stop the process whose PID is in VAR (started here)
stop_pid() {
	local pid=${!1}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	printf -v "$1" '%s' ''
}

if [ -x /usr/sbin/slapd ] && [ -f /usr/lib/ldap/syncprov.so ] && command -v ldapmodify >/dev/null; then
screen "3. Central directory (LDAP): an account added by IT, then revoked"
# A throwaway LDAP server: slapd with its own configuration file and mdb
# database in the work directory, the syncprov overlay (what db sync
# --follow listens to), on 127.0.0.1 only, one of the ports 38880-38899.
# /etc/ldap is only read (the schema files); no system slapd is involved.
ld=$work/slapd
base="dc=bhxh,dc=demo"
admin="cn=admin,$base"               # IT's account on the server
reader="cn=bhxh-sync,$base"          # the read-only identity of db sync
mkdir -m 700 "$ld" "$ld/db"
adminpw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s' "$adminpw" >"$ld/admin.pw"
head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$work/ldap-bind.pw"
chmod 600 "$ld/admin.pw" "$work/ldap-bind.pw"
{
	for s in core cosine nis inetorgperson; do echo "include /etc/ldap/schema/$s.schema"; done
	cat <<EOS
pidfile $ld/slapd.pid
argsfile $ld/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload syncprov
database mdb
maxsize 104857600
suffix "$base"
rootdn "$admin"
rootpw $adminpw
directory $ld/db
index objectClass,entryCSN,entryUUID,uid eq
access to attrs=userPassword by dn.exact="$reader" read by anonymous auth by * none
access to * by dn.exact="$reader" read by anonymous auth by * none
overlay syncprov
syncprov-checkpoint 100 1
syncprov-sessionlog 100
EOS
} >"$ld/slapd.conf"
printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: BHXH demo\ndc: bhxh\n\n' "$base" >"$ld/base.ldif"
printf 'dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: bhxh-sync\nuserPassword: %s\n\n' \
	"$reader" "$(cat "$work/ldap-bind.pw")" >>"$ld/base.ldif"
for ou in people groups; do printf 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n' "$ou" "$base" "$ou"; done >>"$ld/base.ldif"
/usr/sbin/slapd -Tadd -f "$ld/slapd.conf" -l "$ld/base.ldif" >"$ld/slapadd.log" 2>&1 ||
	{ cat "$ld/slapadd.log" >&2; exit 1; }
uri=
for port in $(seq 38880 38899); do
	/usr/sbin/slapd -d 0 -f "$ld/slapd.conf" -h "ldap://127.0.0.1:$port/" \
		</dev/null >"$ld/slapd.log" 2>&1 9>&- &
	slapd_pid=$!
	for _ in $(seq 100); do
		kill -0 "$slapd_pid" 2>/dev/null || break
		# (our own base and password: not another server on that port)
		if ldapsearch -x -LLL -H "ldap://127.0.0.1:$port/" -D "$admin" -y "$ld/admin.pw" \
			-b "$base" -s base dn >/dev/null 2>&1; then
			uri="ldap://127.0.0.1:$port/"
			break 2
		fi
		sleep 0.05
	done
	stop_pid slapd_pid
	grep -q 'errno=98' "$ld/slapd.log" || { cat "$ld/slapd.log" >&2; echo "demo: slapd did not start" >&2; exit 1; }
done
[ -n "$uri" ] || { echo "demo: no free port for slapd in 38880-38899" >&2; exit 1; }
# it_ldap TOOL: IT's ldapadd/ldapmodify on the server, the LDIF on stdin
it_ldap() { "$1" -x -H "$uri" -D "$admin" -y "$ld/admin.pw" >/dev/null; }
cat >>"$work/bhxh.conf" <<EOS
# the agency's LDAP directory (here the demo's own slapd); db sync reads
# it as a read-only identity; accounts matching the filter are revoked
ldap_uri = $uri
ldap_base = $base
ldap_bind_dn = $reader
ldap_bind_pw_file = $work/ldap-bind.pw
ldap_revoked_filter = (employeeType=revoked)
ldap_state_dir = $work/ldap-state
EOS
say "bhxh.conf gains the directory server (a private slapd, started for the demo)"
sed -n '/^# the agency.s LDAP/,$p' "$work/bhxh.conf" | sed "s|$work|\$WORK|g"
dbstatus() { "$ctl" --conf "$work/bhxh.conf" db status "$@"; }
generation() { dbstatus --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }

say "IT adds $duser to the directory (ldapadd as $admin)"
cat >"$ld/add.ldif" <<EOS
dn: uid=$duser,ou=people,$base
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: shadowAccount
uid: $duser
cn: Nguyen Van Demo
sn: Nguyen
uidNumber: 240$n
gidNumber: 240$n
homeDirectory: /home/$duser
loginShell: /bin/bash
userPassword: {CRYPT}$hash
shadowLastChange: $(($(date +%s) / 86400))
shadowMax: 99999

dn: cn=phongcntt$n,ou=groups,$base
objectClass: posixGroup
cn: phongcntt$n
gidNumber: 240$n
memberUid: $duser
EOS
sed -E 's/^(userPassword: \{CRYPT\}.{12}).*/\1.../' "$ld/add.ldif"
it_ldap ldapadd <"$ld/add.ldif"
say "This machine publishes the directory: bhxhctl db sync --once; the account resolves"
"$ctl" --conf "$work/bhxh.conf" db sync --once
directory_account
say "$duser logs in with the directory password"
directory_login C.UTF-8

say "The follower starts: bhxhctl db sync --follow (what bhxh-sync.service runs)"
"$ctl" --conf "$work/bhxh.conf" db sync --follow </dev/null >"$work/follow.log" 2>&1 9>&- &
follow_pid=$!
for _ in $(seq 200); do
	dbstatus --json 2>/dev/null | grep -q '"state":"connected"' && break
	sleep 0.05
done
dbstatus | head -3 || true
say "IT revokes $duser in the directory (ldapmodify; ldap_revoked_filter matches it)"
cat >"$ld/revoke.ldif" <<EOS
dn: uid=$duser,ou=people,$base
changetype: modify
replace: employeeType
employeeType: revoked
EOS
cat "$ld/revoke.ldif"
g0=$(generation)
t0=$(date +%s%N)
it_ldap ldapmodify <"$ld/revoke.ldif"
# No command on this machine: the follower receives the change (syncprov
# pushes it) and installs a new generation; wait for it (at most 5 s)
# by reading db status.
for _ in $(seq 100); do
	[ "$(generation)" != "$g0" ] && break
	sleep 0.05
done
g1=$(generation)
if [ "$g1" != "$g0" ]; then
	echo "(pushed to this machine: generation $g1 installed by the follower $((($(date +%s%N) - t0) / 1000000)) ms after the change; nothing was run here but db status, to watch for it)"
else
	echo "(the follower did not install the change within 5 s; its log:)"
	cat "$work/follow.log"
fi
say "The next login of $duser is refused at once"
for lang in C.UTF-8 vi_VN.UTF-8; do directory_login "$lang"; done
say "bhxhctl db status"
dbstatus || true
say "The follower's log (standard error; the journal under systemd)"
stop_pid follow_pid
cat "$work/follow.log"
stop_pid slapd_pid
else
screen "3. Central directory (files export): an account published by IT, then revoked"
echo "(slapd is not installed: the directory comes from files; bash tests/deps.sh installs slapd)"
mkdir -m 700 "$work/export"
echo "$duser:x:240$n:240$n:Nguyen Van Demo:/home/$duser:/bin/bash" >"$work/export/passwd"
echo "phongcntt$n:x:240$n:$duser" >"$work/export/group"
echo "$duser:$hash:$(($(date +%s) / 86400)):0:99999:7:::" >"$work/export/shadow"
echo "# revoked accounts" >"$work/export/revoked"
publish_directory() {
	"$ctl" --conf "$work/bhxh.conf" db build "$work/export" --db "$work/db"
}
say "IT publishes the directory (bhxhctl db build); this machine sees the account"
publish_directory
directory_account
say "$duser logs in with the directory password"
directory_login C.UTF-8
say "IT revokes $duser (the export's revoked list; bhxhctl db diff, then db build)"
echo "$duser" >>"$work/export/revoked"
"$ctl" --conf "$work/bhxh.conf" db diff "$work/export" --db "$work/db" || true
publish_directory
say "The next login of $duser is refused at once"
for lang in C.UTF-8 vi_VN.UTF-8; do directory_login "$lang"; done
fi

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
# The same as a page to open in a browser: --html takes the output file
# (written whole, mode 0644), the audit log is the argument.
html=/tmp/bhxh-demo-report-$n.html
if "$ctl" report --html "$html" "$work/audit.log" && [ -s "$html" ]; then
	say "HTML report (kept, to open in a browser): $html"
else
	rm -f "$html"
	echo "(bhxhctl report --html failed)"
fi

say "Done: $user, $duser, the private PAM service, the database and the state are being removed"
