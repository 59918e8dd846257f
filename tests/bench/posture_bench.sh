#!/bin/bash
# What the posture checks add to the account phase, measured with a real
# ClamAV daemon (pidfile) and a signature directory of ClamAV's size layout
# (a few files).  Run as root from the build directory:
#   top_srcdir=.. bash ../tests/bench/posture_bench.sh [N]
set -eu
: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$top_builddir}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/posture-lib.sh"
n=${1:-2000}
w=$(scratch_dir)
clamd_setup "$w"
# a signature directory laid out as ClamAV's (the daemon reads its own)
mkdir "$w/sigs"
for f in main.cvd daily.cld bytecode.cvd freshclam.dat; do : >"$w/sigs/$f"; done
clamd_start "$w"
mkdir -m 700 "$w/pam.d" "$w/tally"
: >"$w/bhxh.conf"
chmod 600 "$w/bhxh.conf"
common="conf=$w/bhxh.conf dir=$w/tally"
printf 'account required %s %s posture_av=off posture_wifi=off\n' "$PAM_BHXH_SO" "$common" \
	>"$w/pam.d/posture-off"
printf 'account required %s %s posture_av_process=clamd posture_av_pidfile=%s posture_av_db=%s\n' \
	"$PAM_BHXH_SO" "$common" "$w/clamd.pid" "$w/sigs" >"$w/pam.d/posture-on"
echo "processes: $(ls -d /proc/[0-9]* | wc -l); interfaces: $(ls /sys/class/net | wc -l)"
"$top_builddir/tests/bench/posture_bench" "$w/pam.d" root "$n" "$w/clamd.pid" "$w/sigs"
