#!/bin/bash
# Benchmark of bhxhctl db sync against a private slapd on 127.0.0.1 (not run
# by make check):
#   1. full sync (--once) of NUSERS accounts and NGROUPS groups: wall time
#      and peak memory, against the floor of ldapsearch dumping the same
#      entries to /dev/null; then --once again after one change (a delta
#      from the saved state);
#   2. latency from ldapmodify returning to the change being visible through
#      getpwnam() (glibc + the plugin, in a process that keeps running) with
#      --follow: median and 99th percentile over NCHANGES changes of each
#      kind, all patched into the installed generation: modifications that
#      keep name and uid, accounts added, group memberships added and
#      removed, accounts deleted (and how many generations were patched);
#   3. what one persistent search costs the server.
# MODE: all (default), sync (1 only), changes (2 only).
# SCHEMA=rfc2307bis: groups are groupOfNames listing member DNs (ldap_schema
# = rfc2307bis), memberships changed through member instead of memberUid.
# usage (root): tests/bench/ldap_sync_bench.sh BUILDDIR [NUSERS NGROUPS NCHANGES [MODE]]
set -u
top_builddir=$(cd "${1:?usage: $0 BUILDDIR [NUSERS NGROUPS NCHANGES [MODE]]}" && pwd)
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
NU=${2:-100000} NG=${3:-2000} NC=${4:-100} MODE=${5:-all}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ldap/common.sh"
unset BHXH_TEST_LDAP_PAGE # the production page size
require_root
require_slapd
T=$(scratch_dir)
slapd_init "$T/slapd"
SCHEMA=${SCHEMA:-rfc2307}
if [ "$SCHEMA" = rfc2307bis ]; then
	ldif_directory "$NU" "$NG" | sed -e 's/^objectClass: posixGroup$/objectClass: groupOfNames\nobjectClass: bhxhTestPosixGroupAux/' \
		-e "s/^memberUid: \(.*\)/member: uid=\1,ou=people,$SLAPD_BASE/" >"$T/dir.ldif"
	MATTR=member MPRE=uid= MSUF=",ou=people,$SLAPD_BASE"
	GFILTER='(|(objectClass=posixGroup)(objectClass=bhxhTestPosixGroupAux))'
else
	ldif_directory "$NU" "$NG" >"$T/dir.ldif"
	MATTR=memberUid MPRE= MSUF=
fi
slapd_load "$T/dir.ldif"
slapd_start
DB="$T/db" STATE="$T/state"
printf '%s\n' "$SLAPD_READER_PW" >"$T/pw"
chmod 600 "$T/pw"
if [ "$SCHEMA" = rfc2307bis ]; then
	write_conf "db_max_delete = 100" "ldap_schema = rfc2307bis" "ldap_group_filter = $GFILTER"
else
	write_conf "db_max_delete = 100"
fi
peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
wall() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1"; }

echo "== $NU accounts, $NG groups ($SCHEMA)"
[ "$MODE" != changes ] || rm -rf "$DB" "$STATE"
for run in 1 2 3; do
	[ "$MODE" != changes ] || break
	/usr/bin/time -v ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_READER_DN" \
		-w "$SLAPD_READER_PW" -b "$SLAPD_BASE" \
		'(|(objectClass=posixAccount)(objectClass=posixGroup))' >/dev/null 2>"$T/t.search"
	rm -rf "$DB" "$STATE"
	/usr/bin/time -v "$BHXHCTL" --conf "$CONF" db sync --once >/dev/null 2>"$T/t.sync" ||
		fail "sync: $(cat "$T/t.sync")"
	echo "run $run: ldapsearch $(wall "$T/t.search") ($(peak "$T/t.search") KB)," \
		"db sync --once $(wall "$T/t.sync") ($(peak "$T/t.sync") KB)"
done

[ "$MODE" != sync ] || exit 0

# --once again with the state the last run saved (the timer's case): one
# change, read as a delta (a listing of DNs and modifyTimestamps, the
# changed entry) after the overlap of the previous read has passed
[ "$MODE" = changes ] || sleep 6
printf 'dn: uid=u1,ou=people,%s\nchangetype: modify\nreplace: loginShell\nloginShell: /bin/delta\n\n' \
	"$SLAPD_BASE" | ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null
/usr/bin/time -v "$BHXHCTL" --conf "$CONF" db sync --once >/dev/null 2>"$T/t.sync" ||
	fail "sync: $(cat "$T/t.sync")"
[ "$MODE" = changes ] || echo "delta: db sync --once $(wall "$T/t.sync") ($(peak "$T/t.sync") KB)," \
	"read: $("$BHXHCTL" --conf "$CONF" db status --json | sed -n 's/.*"last_read":"\([a-z]*\)".*/\1/p')"

echo "== latency over $NC changes (--follow, ldap_batch_ms default)"
"$BHXHCTL" --conf "$CONF" db sync --follow >"$T/follow.log" 2>&1 9>&- &
FP=$!
on_exit "kill $FP"
for _ in $(seq 600); do
	"$BHXHCTL" --conf "$CONF" db status --json 2>/dev/null | grep -q '"state":"connected".*"generation":[1-9]' && break
	sleep 0.1
done
# connected: its first full build (the refresh) and the save of its state
# (100,000 entries) are under way; the changes are measured after them
sleep 5
cat >"$T/lat.py" <<PY
import grp, pwd, subprocess, time, statistics
lat = []
for i in range($NC):
    shell = "/bin/sh%d" % i
    ldif = "dn: uid=u%d,ou=people,$SLAPD_BASE\nchangetype: modify\nreplace: loginShell\nloginShell: %s\n" % (i, shell)
    subprocess.run(["ldapmodify", "-x", "-H", "$SLAPD_URI", "-D", "$SLAPD_ROOTDN", "-w", "$SLAPD_ROOTPW"],
                   input=ldif.encode(), stdout=subprocess.DEVNULL, check=True)
    t0 = time.monotonic()
    while pwd.getpwnam("u%d" % i).pw_shell != shell:
        if time.monotonic() - t0 > 10:
            raise SystemExit("change %d not seen in 10 s" % i)
        time.sleep(0.001)
    lat.append((time.monotonic() - t0) * 1000)
    time.sleep(0.3)  # one change at a time: no batching of two changes
def report(what, lat):
    lat.sort()
    print("%s: median %.0f ms, p99 %.0f ms, min %.0f ms, max %.0f ms" % (
        what, statistics.median(lat), lat[min(len(lat) - 1, int(len(lat) * 0.99))], lat[0],
        lat[-1]))

def ldap(tool, ldif):
    subprocess.run([tool, "-x", "-H", "$SLAPD_URI", "-D", "$SLAPD_ROOTDN", "-w", "$SLAPD_ROOTPW"],
                   input=ldif.encode(), stdout=subprocess.DEVNULL, check=True)

def timed(what, i, seen):
    t0 = time.monotonic()
    while not seen():
        if time.monotonic() - t0 > 10:
            raise SystemExit("%s %d not seen in 10 s" % (what, i))
        time.sleep(0.001)
    return (time.monotonic() - t0) * 1000

def has_user(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False

report("modify (patched)", lat)
if "$MODE" != "all" and "$MODE" != "changes":
    raise SystemExit(0)
# accounts added, group memberships added and removed, accounts deleted
lat = []
for i in range($NC):
    ldap("ldapadd", "dn: uid=n%d,ou=people,$SLAPD_BASE\nobjectClass: inetOrgPerson\n"
         "objectClass: posixAccount\nuid: n%d\ncn: N %d\nsn: n%d\nuidNumber: %d\n"
         "gidNumber: 600000\nhomeDirectory: /home/n%d\n" % (i, i, i, i, 900000 + i, i))
    lat.append(timed("addition", i, lambda: has_user("n%d" % i)))
    time.sleep(0.3)
report("account added", lat)
lat = []
for i in range($NC):
    ldap("ldapmodify", "dn: cn=g%d,ou=groups,$SLAPD_BASE\nchangetype: modify\n"
         "add: $MATTR\n$MATTR: ${MPRE}n%d$MSUF\n" % (i % $NG, i))
    lat.append(timed("membership", i, lambda: "n%d" % i in grp.getgrnam("g%d" % (i % $NG)).gr_mem))
    time.sleep(0.3)
report("group member added", lat)
lat = []
for i in range($NC):
    ldap("ldapmodify", "dn: cn=g%d,ou=groups,$SLAPD_BASE\nchangetype: modify\n"
         "delete: $MATTR\n$MATTR: ${MPRE}n%d$MSUF\n" % (i % $NG, i))
    lat.append(timed("membership", i,
                     lambda: "n%d" % i not in grp.getgrnam("g%d" % (i % $NG)).gr_mem))
    time.sleep(0.3)
report("group member removed", lat)
lat = []
for i in range($NC):
    ldap("ldapdelete", "uid=n%d,ou=people,$SLAPD_BASE\n" % i)
    lat.append(timed("deletion", i, lambda: not has_user("n%d" % i)))
    time.sleep(0.3)
report("account deleted", lat)
PY
in_ns <<NS
python3 "$T/lat.py"
NS
echo "generations installed while following: $(grep -c "installed generation" "$T/follow.log")," \
	"patched: $(grep -c "(patched)" "$T/follow.log")"
[ "$MODE" = all ] || exit 0

# 3. What one persistent search costs the server: slapd's memory and CPU for
# NC changes with no listener and with NL ldapsearch -E sync=rp listeners
# (each the same search as one machine's follower).
NL=${NL:-50}
kill "$FP" 2>/dev/null
wait "$FP" 2>/dev/null
cpu() { awk '{print $14 + $15}' "/proc/$SLAPD_PID/stat"; }
rss() { sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$SLAPD_PID/status"; }
changes() { # N PREFIX
	local i
	for ((i = 0; i < $1; i++)); do
		printf 'dn: uid=u%d,ou=people,%s\nchangetype: modify\nreplace: loginShell\nloginShell: /bin/%s%d\n\n' \
			"$i" "$SLAPD_BASE" "$2" "$i"
	done | ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null
}
c0=$(cpu)
changes "$NC" a
c1=$(cpu)
r0=$(rss)
pids=()
for ((l = 0; l < NL; l++)); do
	ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_READER_DN" -w "$SLAPD_READER_PW" \
		-b "$SLAPD_BASE" -E '!sync=rp' \
		'(|(objectClass=posixAccount)(objectClass=posixGroup))' >/dev/null 2>&1 9>&- &
	pids+=($!)
done
sleep 5
r1=$(rss)
c2=$(cpu)
changes "$NC" b
sleep 2
c3=$(cpu)
kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
hz=$(getconf CLK_TCK)
echo "== slapd cost of persistent searches ($NL listeners, $NC changes)"
echo "memory: $r0 before, $r1 with $NL listeners (after their refresh)"
echo "CPU for $NC changes: $(( (c1 - c0) * 1000 / hz )) ms without listeners," \
	"$(( (c3 - c2) * 1000 / hz )) ms with $NL"
