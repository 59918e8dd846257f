# Shared by the dirpw tests: a private slapd (TLS, ppolicy, syncprov) with
# the identities and ACL of docs (README "Directory accounts: passwords and
# lockout"), and two simulated machines A and B, each with its own
# directory database, sync state, tally and lock queue, followed by its own
# `bhxhctl db sync --follow`.  PAM runs on a machine in a private mount
# namespace where glibc (also in setuid programs: ld.so.cache) finds the
# plugin, and the machine's database is mounted at the compiled path.
# Source after tests/lib.sh.
# The dirpw tests' ports, in random order and without those already
# listening: tests running in parallel (and slapd_start's probe, which
# would answer from another test's server) do not collide.
SLAPD_PORTS=$(for p in $(shuf -i 38950-38999); do
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || echo "$p"
done)
. "$top_srcdir/tests/ldap/slapd.sh"

LOCKER_DN="cn=bhxh-locker,$SLAPD_BASE"
LOCKER_PW="locker-secret"
PWADMIN_DN="cn=bhxh-pwadmin,$SLAPD_BASE"
PWADMIN_PW="pwadmin-secret"
NSS_SO="$top_builddir/nss_bhxh/.libs/libnss_bhxh.so.2"
# the plugin's compiled database directory
DBPATH="$BHXH_LOCALSTATEDIR$(sed -n 's/.*define BHXH_DIR_DB_DIR LOCALSTATEDIR "\(.*\)".*/\1/p' \
	"$top_srcdir/lib/dirdb_conf.h")"

# hash PASSWORD: a SHA-512 crypt hash
hash() { openssl passwd -6 -salt "bhxh$RANDOM" "$1"; }

# The ACL and settings a provider adds for pam_bhxh (documented in README):
# the lock identity may write pwdAccountLockedTime and nothing else; the
# password administrator may write userPassword; users change their own.
dirpw_slapd_conf() {
	local f=$SLAPD_DIR/slapd.conf
	python3 - "$f" "$LOCKER_DN" "$PWADMIN_DN" "$SLAPD_READER_DN" <<'PY' || fail "slapd.conf"
import sys
f, locker, pwadmin, reader = sys.argv[1:]
s = open(f).read()
glob = ('password-hash {CRYPT}\n'
        'password-crypt-salt-format "$6$%.16s"\n')
people = 'ou=people,' + locker.split(',', 1)[1]
acl = (f'access to dn.subtree="{people}" attrs=pwdAccountLockedTime '
       f'by dn.exact="{locker}" write by dn.exact="{reader}" read by * read\n'
       'access to attrs=pwdHistory by * none\n'
       f'access to attrs=userPassword by self write by dn.exact="{pwadmin}" write '
       f'by dn.exact="{reader}" read by anonymous auth by * none\n')
s = s.replace('database mdb\n', glob + 'database mdb\n', 1)
i = s.index('access to ')
s = s[:i] + acl + s[i:]
s = s.replace('overlay ppolicy\n', 'overlay ppolicy\nppolicy_use_lockout\n', 1)
open(f, 'w').write(s)
PY
}

# ldif_dpuser NAME UID PASSWORD: a directory account with a crypt hash
ldif_dpuser() {
	ldif_user "$1" "$2" 600000 "userPassword: {CRYPT}$(hash "$3")"
}

# dirpw_setup: slapd with the policy (pwdInHistory 4, pwdMinLength 8) and
# accounts dpa, dpb, dpc (passwords Old-Pass-2026a...), machines A and B.
dirpw_setup() {
	require_root
	require_slapd
	require_cmd python3
	require_cmd openssl
	require_cmd unshare
	require_cmd setpriv
	require_cmd ldconfig
	[ -f "$SLAPD_MODDIR/ppolicy.so" ] || skip "needs slapd's ppolicy module"
	[ -d "$BHXH_LOCALSTATEDIR/lib" ] || skip "no $BHXH_LOCALSTATEDIR/lib (scratch prefix)"
	T=$(scratch_dir)
	chmod 711 "$BHXH_TEST_ROOT" "$T"
	slapd_init "$T/slapd" tls ppolicy
	dirpw_slapd_conf
	{
		printf 'dn: cn=default,ou=policies,%s\nobjectClass: pwdPolicy\nobjectClass: person\ncn: default\nsn: default\npwdAttribute: userPassword\npwdInHistory: 4\npwdMinLength: 8\npwdCheckQuality: 1\npwdAllowUserChange: TRUE\npwdLockout: TRUE\npwdMaxFailure: 0\n\n' "$SLAPD_BASE"
		for id in "$LOCKER_DN:$LOCKER_PW" "$PWADMIN_DN:$PWADMIN_PW"; do
			printf 'dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: %s\nuserPassword: %s\n\n' \
				"${id%%:*}" "$(echo "${id%%,*}" | sed 's/^cn=//')" "${id#*:}"
		done
		ldif_dpuser dpa 410001 'Old-Pass-2026a'
		ldif_dpuser dpb 410002 'Old-Pass-2026b'
		ldif_dpuser dpc 410003 'Old-Pass-2026c'
		ldif_group dpstaff 600000 dpa dpb dpc
	} >"$T/dir.ldif"
	slapd_load "$T/dir.ldif"
	slapd_start
	printf '%s\n' "$SLAPD_READER_PW" >"$T/reader.pw"
	printf '%s\n' "$LOCKER_PW" >"$T/locker.pw"
	printf '%s\n' "$PWADMIN_PW" >"$T/pwadmin.pw"
	chmod 600 "$T"/*.pw
	for m in A B; do
		mkdir -p "$T/$m/tally" "$T/$m/queue" && chmod 700 "$T/$m/tally" "$T/$m/queue"
		machine_conf "$m"
	done
	cat >"$T/nsswitch.conf" <<-NSS
	passwd: files bhxh
	group: files bhxh
	shadow: files bhxh
	NSS
	echo "$top_builddir/nss_bhxh/.libs" >"$T/ld.so.conf"
	ldconfig -C "$T/ld.so.cache" -f "$T/ld.so.conf" 2>/dev/null || fail "ldconfig"
	chmod 644 "$T/ld.so.cache" "$T/nsswitch.conf"
	# the namespaces mount $T/varlib over $BHXH_LOCALSTATEDIR/lib, with the
	# machine's database at the plugin's path inside it: nothing is made
	# outside the scratch directory (tests running in parallel never see
	# each other's mount points)
	VARLIB_DB="$T/varlib/${DBPATH#"$BHXH_LOCALSTATEDIR/lib/"}"
	mkdir -p -m 0755 "$VARLIB_DB" || fail "mkdir $VARLIB_DB"
	chmod 755 "$T/varlib"
	mkdir -p "$T/pam.d"
	chmod 755 "$T/pam.d"
}

# machine_conf M [EXTRA-LINES...]: machine M's configuration (0600)
machine_conf() {
	local m=$1
	shift
	{
		echo "db_dir = $T/$m/db"
		echo "dir = $T/$m/tally"
		echo "deny = 3"
		echo "unlock_time = ${UNLOCK_TIME:-600}"
		echo "pwquality_conf = none"
		echo "denylist = $top_builddir/data/denylist.bhxhdl"
		echo "history_dir = $T/$m/history"
		echo "ldap_uri = ${LDAP_URI_OVERRIDE:-$SLAPD_URI}"
		echo "ldap_base = $SLAPD_BASE"
		echo "ldap_bind_dn = $SLAPD_READER_DN"
		echo "ldap_bind_pw_file = $T/reader.pw"
		echo "ldap_starttls = yes"
		echo "ldap_tls_cacert = $T/slapd/ca.pem"
		echo "ldap_state_dir = $T/$m/state"
		echo "ldap_timeout = 5"
		echo "ldap_passwd_admin_dn = $PWADMIN_DN"
		echo "ldap_passwd_admin_pw_file = $T/pwadmin.pw"
		echo "ldap_lockout = yes"
		echo "ldap_lock_dn = $LOCKER_DN"
		echo "ldap_lock_pw_file = $T/locker.pw"
		echo "ldap_lock_queue_dir = $T/$m/queue"
		for l in "$@"; do echo "$l"; done
	} >"$T/$m/bhxh.conf"
	chmod 600 "$T/$m/bhxh.conf"
}

# follow_on M: machine M's db sync --follow (log $T/M/follow.log); waits for
# its first generation.
follow_on() {
	local m=$1 pid
	"$BHXHCTL" --conf "$T/$m/bhxh.conf" db sync --follow >>"$T/$m/follow.log" 2>&1 9>&- &
	pid=$!
	eval "FOLLOW_$m=$pid"
	on_exit "kill $pid 2>/dev/null"
	for _ in $(seq 200); do
		[ -e "$T/$m/db/passwd.db" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	fail "machine $m: db sync --follow did not install a database: $(cat "$T/$m/follow.log")"
}
follow_off() {
	local pid
	eval "pid=\$FOLLOW_$1"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# The machine's PAM service: pam_unix for authentication (the directory
# hash through the plugin), pam_bhxh's lockout and account phase, and the
# password stack of conf/pam.d/bhxh-example.
service_on() {
	local m=$1 c="conf=$T/$1/bhxh.conf"
	cat >"$T/pam.d/dpm${m,,}" <<-PAM
	auth     required  $PAM_BHXH_SO $c preauth
	auth     [success=1 default=bad] pam_unix.so
	auth     [default=die] $PAM_BHXH_SO $c authfail
	auth     sufficient $PAM_BHXH_SO $c authsucc
	auth     requisite pam_deny.so
	account  required  $PAM_BHXH_SO $c
	account  required  pam_unix.so
	password requisite $PAM_BHXH_SO $c
	password [success=2 ignore=ignore default=die] $PAM_BHXH_SO $c directory
	password requisite pam_unix.so use_authtok yescrypt
	password optional  $PAM_BHXH_SO $c record
	PAM
	chmod 644 "$T/pam.d/dpm${m,,}"
}

# on M CMD...: run CMD on machine M (private mount namespace: its database at
# the plugin's path, the plugin through ld.so.cache, /etc/pam.d/passwd as
# the machine's service).
on() {
	local m=$1
	shift
	service_on "$m"
	{
		echo "set -e"
		echo "mount --make-rprivate /"
		echo "mount --bind '$T/nsswitch.conf' /etc/nsswitch.conf"
		echo "mount --bind '$T/ld.so.cache' /etc/ld.so.cache"
		echo "mount --bind '$T/varlib' '$BHXH_LOCALSTATEDIR/lib'"
		echo "mount --bind '$T/$m/db' '$DBPATH'"
		echo "mount --bind '$T/pam.d/dpm${m,,}' /etc/pam.d/passwd"
		echo "export LD_PRELOAD='${SAN_PRELOAD:-}'"
		echo 'exec "$@"'
	} >"$T/on.sh"
	unshare -m sh "$T/on.sh" "$@"
}

# pam_on M USER OPS... <answers: pamdrive on machine M, as root.
pam_on() {
	local m=$1
	shift
	on "$m" "$PAMDRIVE" --confdir "$T/pam.d" "dpm${m,,}" "$@"
}

# pam_as M UID USER OPS... <answers: pamdrive on M with the real uid of the
# user and effective uid 0, as a setuid program (passwd) runs.
pam_as() {
	local m=$1 u=$2
	shift 2
	on "$m" setpriv --ruid "$u" -- "$PAMDRIVE" --confdir "$T/pam.d" "dpm${m,,}" "$@"
}

# login_ok M USER PASSWORD: auth + account succeed on machine M
login_ok() {
	printf '%s\n' "$3" | pam_on "$1" "$2" auth acct >/dev/null 2>&1
}
login_refused() { ! login_ok "$@"; }

# wait_until SECONDS CMD...: poll CMD every 50 ms
wait_until() {
	local n=$(($1 * 20))
	shift
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# dir_locked USER: the directory holds pwdAccountLockedTime for USER
dir_locked() {
	ldap_search "(uid=$1)" pwdAccountLockedTime | grep -q '^pwdAccountLockedTime:'
}
