#!/bin/bash
# Cost of pam_bhxh against pam_faillock on the login path, in the same run,
# through real pam_unix (a cheap MD5-crypt hash, so that the lockout
# modules are what differs).  Not a test: run by hand, as root, from a
# build directory (auditd running: pam_bhxh audits every attempt):
#
#   sudo top_builddir=$PWD bash ../tests/bench/lockout_bench.sh [NUSERS] [ROUNDS]
#
# The accounts live only in a private mount namespace: a copy of /etc with
# NUSERS bench users in passwd and shadow is bind-mounted over /etc
# (unshare -m); the real files are never changed.  The whole directory is
# replaced, not the two files: a file bind mount disappears when another
# process (useradd) renames a new /etc/shadow into place.
#
# Three stacks in one process per round, taking turns user by user (so
# that the machine's drift falls on all three alike), ROUNDS rounds, every
# figure the median over the rounds of the mean time of one PAM handle
# (pam_start .. pam_end):
#   base      pam_unix alone (auth and account)
#   faillock  preauth / pam_unix / authfail / authsucc / pam_deny at
#             faillock's three positions, account pam_faillock + pam_unix
#   bhxh      the same with pam_bhxh.so
# Scenarios:
#   failed    each user: 3 wrong passwords (deny=3: the third locks) and a
#             4th attempt refused by preauth
#   login     a successful authentication + account phase (no failures)
#   account   the account phase alone
#   failed-tmpfs  "failed" with both modules' state directories on tmpfs
#             (/dev/shm): what is left without the disk (pam_bhxh makes the
#             write that locks durable with fdatasync, pam_faillock never
#             syncs)
#   failed-nosync "failed" with pam_bhxh's lock_sync=no: the same
#             durability as pam_faillock (the kernel's write-back)
#   tmpfs-norec   "failed-tmpfs" with pam_bhxh sending no audit record
#             and opening no audit socket (BHXH_TEST_NO_AUDIT_RECORDS: only
#             in a build configured with --enable-test-hooks, else the row
#             is left out): what the records cost in place
# Overhead = stack time - base time; ratio = bhxh overhead / faillock's.
# Then the pieces of pam_bhxh's failure path alone (lockout_parts.c).
set -euo pipefail
: "${top_builddir:?run from a build directory with top_builddir set}"
[ "$(id -u)" = 0 ] || { echo "needs root (private mount namespace, pam_unix reads shadow)" >&2; exit 77; }
nusers=${1:-200}
rounds=${2:-5}
if [ -z "${BHXH_BENCH_INNER:-}" ]; then
	exec env BHXH_BENCH_INNER=1 unshare -m --propagation private bash "$0" "$@"
fi
work=$(mktemp -d "${BENCH_TMP:-/var/tmp}/bhxh-bench.XXXXXX")
trap 'umount /etc 2>/dev/null || true; rm -rf "$work"' EXIT
chmod 700 "$work"
so=$top_builddir/pam_bhxh/.libs/pam_bhxh.so
sysmod=$(dirname "$(find /usr/lib /lib -name pam_faillock.so 2>/dev/null | head -1)")
gcc -O2 -I"$top_builddir" -o "$work/authbench" "$(dirname "$0")/authbench.c" -lpam
hash=$(openssl passwd -1 -salt benchslt secret)
cp -a /etc "$work/etc"
for ((i = 0; i < nusers; i++)); do
	echo "bu$i:x:$((60000 + i)):100::/nonexistent:/usr/sbin/nologin" >>"$work/etc/passwd"
	echo "bu$i:$hash:19000:0:99999:7:::" >>"$work/etc/shadow"
done
mount --bind "$work/etc" /etc
# pam_bhxh's settings as the package installs them (conf/bhxh.conf: every
# key commented, a few set), its last-login records kept in the scratch
# directory
mkdir -m 700 "$work/lastlogin"
sed "s|^lastlogin_dir = .*|lastlogin_dir = $work/lastlogin|" \
	"$(dirname "$0")/../../conf/bhxh.conf" >"$work/bhxh.conf"
mkdir -p "$work/base" "$work/bhxh" "$work/faillock"
bo="dir=$work/st-bhxh conf=$work/bhxh.conf deny=3 nodelay silent"
fo="dir=$work/st-faillock deny=3 silent nodelay"
cat >"$work/base/bench" <<EOS
auth    [success=done default=die] $sysmod/pam_unix.so nodelay
account required $sysmod/pam_unix.so
EOS
for m in bhxh faillock; do
	if [ $m = bhxh ]; then mod=$so o=$bo; else mod=$sysmod/pam_faillock.so o=$fo; fi
	cat >"$work/$m/bench" <<EOS
auth    requisite $mod preauth $o
auth    [success=1 default=bad] $sysmod/pam_unix.so nodelay
auth    [default=die] $mod authfail $o
auth    sufficient $mod authsucc $o
auth    required $sysmod/pam_deny.so
account required $mod $o
account required $sysmod/pam_unix.so
EOS
done
{ cat "$work/bhxh.conf"; echo 'lock_sync = no'; } >"$work/bhxh-nosync.conf"
mkdir -p "$work/bhxh-nosync"
sed "s|conf=$work/bhxh.conf|conf=$work/bhxh-nosync.conf|" "$work/bhxh/bench" >"$work/bhxh-nosync/bench"
cp -r "$work/base" "$work/base-nosync"
cp -r "$work/faillock" "$work/faillock-nosync"
shm=$(mktemp -d /dev/shm/bhxh-bench.XXXXXX)
trap 'umount /etc 2>/dev/null || true; rm -rf "$work" "$shm"' EXIT
for m in bhxh faillock; do
	mkdir -p "$work/$m-tmpfs"
	sed "s|dir=$work/st-|dir=$shm/st-|" "$work/$m/bench" >"$work/$m-tmpfs/bench"
done
cp -r "$work/base" "$work/base-tmpfs"
run() { # SCENARIO: one process, the three stacks taking turns user by user
	local suf="" what="4 wrong auth" norec=
	rm -rf "$work/st-bhxh" "$work/st-faillock" "$shm/st-bhxh" "$shm/st-faillock"
	mkdir -m 700 "$work/st-bhxh" "$work/st-faillock" "$shm/st-bhxh" "$shm/st-faillock"
	case $1 in
	failed-tmpfs) suf=-tmpfs ;;
	tmpfs-norec) suf=-tmpfs norec=1 ;;
	failed-nosync) suf=-nosync ;;
	login) what="4 secret login" ;;
	account) what="4 secret acct" ;;
	esac
	# shellcheck disable=SC2086
	env ${norec:+BHXH_TEST_NO_AUDIT_RECORDS=1} "$work/authbench" bench bu "$nusers" $what \
		"$work/base$suf" "$work/bhxh$suf" "$work/faillock$suf"
}
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo "users=$nusers handles/user=4 rounds=$rounds fs=$(df --output=fstype "$work" | tail -1)" \
	"auditd=$(pgrep -x auditd >/dev/null && echo running || echo stopped) load=$(cut -d' ' -f1-3 /proc/loadavg)"
# every scenario must do what it says (a vanished account would measure
# pam_unix's helper instead)
"$work/authbench" bench bu 1 1 secret login "$work/bhxh" >/dev/null
printf '%-13s %-4s %9s %9s %9s %10s %10s %6s\n' scenario time base faillock bhxh faillock+ bhxh+ ratio
scenarios="failed failed-tmpfs failed-nosync login account"
grep -q '^#define BHXH_TESTING 1' "$top_builddir/config.h" && scenarios="$scenarios tmpfs-norec"
for sc in $scenarios; do
	run $sc >/dev/null # warm up the page cache and the dynamic loader
	for ((r = 0; r < rounds; r++)); do
		run $sc >"$work/round"
		sed -n 1p "$work/round" >>"$work/res.$sc.base"
		sed -n 2p "$work/round" >>"$work/res.$sc.bhxh"
		sed -n 3p "$work/round" >>"$work/res.$sc.faillock"
	done
	for col in 1 2; do
		b=$(cut -d' ' -f$col "$work/res.$sc.base" | median)
		x=$(cut -d' ' -f$col "$work/res.$sc.bhxh" | median)
		f=$(cut -d' ' -f$col "$work/res.$sc.faillock" | median)
		# overheads from each round's own base (paired), then the median
		ob=$(paste -d' ' "$work/res.$sc.bhxh" "$work/res.$sc.base" |
			awk -v c=$col '{print $c - $(c + 2)}' | median)
		of=$(paste -d' ' "$work/res.$sc.faillock" "$work/res.$sc.base" |
			awk -v c=$col '{print $c - $(c + 2)}' | median)
		printf '%-13s %-4s %7.0fus %7.0fus %7.0fus %8.0fus %8.0fus %6.2f\n' $sc \
			"$([ $col = 1 ] && echo wall || echo cpu)" "$b" "$f" "$x" "$of" "$ob" "$(echo "$ob / $of" | bc -l)"
	done
done
echo "(median of $rounds rounds, per PAM handle; wall = elapsed, cpu = the process's user+system"
echo " time; faillock+/bhxh+ = median over the rounds of the overhead over the same round's"
echo " base; ratio = bhxh+ / faillock+)"
# where pam_bhxh's overhead goes: its pieces alone (lockout_parts.c)
gcc -O2 -Wall -I"$top_builddir" -I"$(dirname "$0")/../../lib" -o "$work/lockout_parts" \
	"$(dirname "$0")/lockout_parts.c" "$top_builddir/lib/.libs/libbhxh_core.a" \
	-Wl,--no-as-needed -lpam -laudit -ldl -lpthread
"$work/lockout_parts" "$so" "$sysmod/pam_faillock.so" "$work/bhxh.conf" /etc/security /run/bhxh
