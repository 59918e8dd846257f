# Shared by the LDAP tests: a private slapd with a generated directory, a
# configuration pointing bhxhctl at it, scratch database and state
# directories.  Source after tests/lib.sh.
. "$top_srcdir/tests/ldap/slapd.sh"
# Test-hook builds read in pages of this many entries (1000 otherwise), so
# that the tests' 222 entries span many pages and the paged reads (the next
# page asked for before this one is handled) are exercised; the benchmark
# unsets it.
BHXH_TEST_LDAP_PAGE=${BHXH_TEST_LDAP_PAGE-7}
export BHXH_TEST_LDAP_PAGE

# ldap_setup [slapd_init options...]: slapd with 200 accounts u0..u199
# (uid 500000+N) and 20 groups g0..g19, plus alice (revocable) and the
# group staff; sets T, CONF, DB, STATE.
ldap_setup() {
	require_root
	require_slapd
	T=$(scratch_dir)
	slapd_init "$T/slapd" "$@"
	{
		ldif_directory 200 20
		ldif_user alice 400001 600000 'userPassword: {CRYPT}$6$salt$hash'
		ldif_user bob 400002 600000
		ldif_group ldstaff 700001 alice bob
	} >"$T/dir.ldif"
	slapd_load "$T/dir.ldif"
	slapd_start
	DB="$T/db"
	STATE="$T/state"
	printf '%s\n' "$SLAPD_READER_PW" >"$T/pw"
	chmod 600 "$T/pw"
	write_conf
}

# write_conf [EXTRA-LINES...]: the configuration (0600); LDAP_URI_OVERRIDE
# replaces the URI, LDAP_NO_BIND=1 leaves out the simple bind.
write_conf() {
	CONF="$T/bhxh.conf"
	{
		echo "db_dir = $DB"
		echo "ldap_uri = ${LDAP_URI_OVERRIDE:-$SLAPD_URI}"
		echo "ldap_base = $SLAPD_BASE"
		if [ -z "${LDAP_NO_BIND:-}" ]; then
			echo "ldap_bind_dn = $SLAPD_READER_DN"
			echo "ldap_bind_pw_file = $T/pw"
		fi
		echo "ldap_state_dir = $STATE"
		echo "ldap_revoked_filter = (employeeType=revoked)"
		echo "ldap_timeout = 10"
		for l in "$@"; do echo "$l"; done
	} >"$CONF"
	chmod 600 "$CONF"
}

sync_once() {
	"$BHXHCTL" --conf "$CONF" db sync --once "$@"
}

# db_user NAME: the account's passwd line from the installed database (the
# plugin's reader, through nss_wrapper-free bhxhctl db diff is not needed:
# the database is read by the contract driver's lookups in nss tests).
NSS_SO="$top_builddir/nss_bhxh/.libs/libnss_bhxh.so.2"

# in_ns SCRIPT: run a shell script in a private mount namespace where glibc
# uses the plugin (nsswitch.conf bind-mounted) on database $DB.
in_ns() {
	mkdir -p "$T/lib"
	ln -sf "$NSS_SO" "$T/lib/libnss_bhxh.so.2"
	printf 'passwd: files bhxh\ngroup: files bhxh\nshadow: files bhxh\n' >"$T/nsswitch.conf"
	{
		echo "set -e"
		echo "mount --make-rprivate /"
		echo "mount --bind '$T/nsswitch.conf' /etc/nsswitch.conf"
		echo "export LD_LIBRARY_PATH='$T/lib' BHXH_NSS_DB_DIR='$DB' LD_PRELOAD='${SAN_PRELOAD:-}'"
		cat
	} >"$T/ns.sh"
	unshare -m sh "$T/ns.sh"
}

# cut_proxy LIMIT CUTS [SKIP]: a proxy to slapd that cuts the first CUTS
# connections (after SKIP whole ones) after LIMIT bytes from the server;
# sets PROXY_URI.
cut_proxy() {
	require_cmd python3
	python3 "$top_srcdir/tests/ldap/cutproxy.py" "$SLAPD_PORT" "$1" "$2" 38930 38949 "${3:-0}" \
		>"$T/proxy.port" 2>"$T/proxy.err" 9>&- &
	PROXY_PID=$!
	on_exit "kill $PROXY_PID"
	for _ in $(seq 100); do
		[ -s "$T/proxy.port" ] && break
		sleep 0.05
	done
	[ -s "$T/proxy.port" ] || fail "proxy did not start: $(cat "$T/proxy.err")"
	PROXY_URI="ldap://127.0.0.1:$(cat "$T/proxy.port")/"
}

# db_gen: the installed generation (0: none)
db_gen() {
	"$BHXHCTL" --conf "$CONF" db status --json | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'
}

# expect_refused WHAT REGEX [sync args]: --once fails, says REGEX, and the
# installed generation stays as it was.
expect_refused() {
	local what=$1 re=$2 g0 out rc=0
	shift 2
	g0=$(db_gen)
	out=$(sync_once "$@" 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "$what: accepted: $out"
	echo "$what: $out"
	assert_match "$re" "$out" "$what"
	assert_eq "$g0" "$(db_gen)" "$what: generation"
}

# follow_start [bhxhctl args]: bhxhctl db sync --follow in the background
# (log in $T/follow.log).  A follower patches only while /etc/passwd and
# /etc/group are the files of its last full build, and the tests running
# beside this one add and delete local accounts (scratch_user), which
# would turn an expected patch into a full build.  So it runs in a private
# mount namespace where /etc is an overlay of the live /etc with copies of
# the two files, taken now, on top.  (A bind mount of each file would not
# do: the rename of a new /etc/passwd over it outside detaches it.)
# FOLLOW_PID is bhxhctl's own PID (unshare and sh exec it).
follow_start() {
	local o
	o=$(mktemp -d "$T/etc.XXXXXX")
	mkdir "$o/upper" "$o/work"
	cp -p /etc/passwd /etc/group "$o/upper/"
	unshare -m sh -c 'mount --make-rprivate / &&
		mount -t overlay bhxh-follow -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc &&
		shift 2 && exec "$@"' sh "$o/upper" "$o/work" \
		"$BHXHCTL" --conf "$CONF" db sync --follow "$@" >>"$T/follow.log" 2>&1 9>&- &
	FOLLOW_PID=$!
	on_exit "kill $FOLLOW_PID"
}
follow_stop() {
	kill "$FOLLOW_PID" 2>/dev/null
	wait "$FOLLOW_PID" 2>/dev/null
}

# wait_until SECONDS CMD...: poll CMD every 50 ms
wait_until() {
	local n=$(( $1 * 20 ))
	shift
	for _ in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

status_is() { "$BHXHCTL" --conf "$CONF" db status --json | grep -q "\"state\":\"$1\""; }
gen_is() { [ "$(db_gen)" = "$1" ]; }

# ns_absent NAME: the account does not resolve through the plugin
ns_absent() { ! echo "getent passwd '$1'" | in_ns >/dev/null 2>&1; }
ns_present() { echo "getent passwd '$1'" | in_ns >/dev/null 2>&1; }

# ns_dump: what the plugin serves from $DB, sorted: passwd, group, shadow
# and every name's initgroups.  The plugin's entries alone (getent -s
# bhxh): tests running beside this one change the local files meanwhile.
ns_dump() {
	in_ns <<'NS'
getent -s bhxh passwd | sort
getent -s bhxh group | sort
getent -s bhxh shadow | sort
for n in $( (getent -s bhxh passwd | cut -d: -f1; getent -s bhxh group | cut -d: -f4 | tr , '\n') | sort -u); do
	echo "$n: $(getent -s bhxh initgroups "$n" | tr -s ' ' '\n' | tail -n +2 | sort | tr '\n' ' ')"
done
NS
}

# same_as_full_build WHAT NAME: the generation installed in $DB (a
# follower's, patched) dumps as a --once full build of the same directory
# into $T/db2 does; NAME must be in the dump.
same_as_full_build() {
	local out db1
	sed -e "s|^db_dir = .*|db_dir = $T/db2|" -e "s|^ldap_state_dir = .*|ldap_state_dir = $T/state2|" \
		"$CONF" >"$T/full.conf"
	chmod 600 "$T/full.conf"
	rm -rf "$T/db2" "$T/state2"
	out=$("$BHXHCTL" --conf "$T/full.conf" db sync --once 2>&1) || fail "$1: full build: $out"
	assert_match "installed generation 1 " "$out" "$1: full build"
	ns_dump >"$T/patched.txt" || fail "$1: dump"
	db1=$DB
	DB="$T/db2"
	ns_dump >"$T/full.txt" || fail "$1: dump of the full build"
	DB=$db1
	grep -q "^$2:" "$T/patched.txt" || fail "$1: dump without $2"
	diff -u "$T/full.txt" "$T/patched.txt" || fail "$1: the patched generation differs from a full build"
}
