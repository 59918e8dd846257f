#!/bin/bash
# Per-authentication overhead of the lockout path (preauth + authfail, and
# the lock itself) of pam_bhxh against pam_faillock, in the same stack and
# the same run.  Not a test: run by hand from a build directory:
#
#   top_builddir=$PWD bash ../tests/bench/lockout_bench.sh [NUSERS] [ROUNDS]
#
# Each user gets 3 wrong passwords (deny=3: the third locks) and a 4th
# attempt that preauth refuses.  Users come from nss_wrapper, passwords from
# pam_matrix; the state directories are on the same file system (/var/tmp).
# Overhead = time(stack with module) - time(stack with pam_matrix alone).
set -euo pipefail
: "${top_builddir:?run from a build directory with top_builddir set}"
nusers=${1:-300}
rounds=${2:-5}
work=$(mktemp -d /var/tmp/bhxh-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
so=$top_builddir/pam_bhxh/.libs/pam_bhxh.so
matrix=$(pkg-config --variable=modules pam_wrapper)/pam_matrix.so
sysmod=$(dirname "$(find /usr/lib /lib -name pam_faillock.so 2>/dev/null | head -1)")
gcc -O2 -I"$top_builddir" -o "$work/authbench" "$(dirname "$0")/authbench.c" -lpam
: >"$work/passwd"; : >"$work/passdb"; : >"$work/bhxh.conf"
for ((i = 0; i < nusers; i++)); do
	echo "bu$i:x:$((20000 + i)):100::/nonexistent:/bin/false" >>"$work/passwd"
	echo "bu$i:secret:bench" >>"$work/passdb"
done
echo "users:x:100:" >"$work/group"
mkdir -p "$work/base" "$work/bhxh" "$work/faillock"
cat >"$work/base/bench" <<EOS
auth [success=done default=die] $matrix passdb=$work/passdb
EOS
cat >"$work/bhxh/bench" <<EOS
auth requisite $so preauth dir=$work/st-bhxh conf=$work/bhxh.conf deny=3 nodelay silent
auth [success=1 default=bad] $matrix passdb=$work/passdb
auth [default=die] $so authfail dir=$work/st-bhxh conf=$work/bhxh.conf deny=3 nodelay silent
auth sufficient $so authsucc dir=$work/st-bhxh conf=$work/bhxh.conf deny=3 nodelay silent
auth required $sysmod/pam_deny.so
EOS
cat >"$work/faillock/bench" <<EOS
auth requisite $sysmod/pam_faillock.so preauth dir=$work/st-faillock deny=3 silent nodelay
auth [success=1 default=bad] $matrix passdb=$work/passdb
auth [default=die] $sysmod/pam_faillock.so authfail dir=$work/st-faillock deny=3 silent nodelay
auth sufficient $sysmod/pam_faillock.so authsucc dir=$work/st-faillock deny=3 silent nodelay
auth required $sysmod/pam_deny.so
EOS
run() { # STACK
	rm -rf "$work/st-bhxh" "$work/st-faillock"
	mkdir -m 700 "$work/st-bhxh" "$work/st-faillock"
	LD_PRELOAD=$(pkg-config --libs nss_wrapper) NSS_WRAPPER_PASSWD="$work/passwd" \
		NSS_WRAPPER_GROUP="$work/group" "$work/authbench" "$work/$1" bench bu "$nusers" 4 wrong
}
echo "users=$nusers attempts/user=4 rounds=$rounds fs=$(df --output=fstype "$work" | tail -1)"
declare -A sum
for ((r = 0; r < rounds; r++)); do
	for s in base bhxh faillock; do
		t=$(run $s)
		sum[$s]=$(echo "${sum[$s]:-0} + $t" | bc -l)
	done
done
b=$(echo "${sum[base]} / $rounds" | bc -l)
x=$(echo "${sum[bhxh]} / $rounds" | bc -l)
f=$(echo "${sum[faillock]} / $rounds" | bc -l)
printf 'mean per authentication: base %.1f us, pam_bhxh %.1f us, pam_faillock %.1f us\n' "$b" "$x" "$f"
ob=$(echo "$x - $b" | bc -l); of=$(echo "$f - $b" | bc -l)
printf 'lockout overhead: pam_bhxh %.1f us, pam_faillock %.1f us, ratio bhxh/faillock %.2f\n' \
	"$ob" "$of" "$(echo "$ob / $of" | bc -l)"
