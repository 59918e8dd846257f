#!/bin/bash
# Login posture through a real stack (tests/pamdrive, private pam.d,
# nss_wrapper accounts): a real ClamAV daemon running and stopped, its
# signature database current and stale, a wireless interface up and down
# (fake sysfs), each under warn and deny, for a user, root and a member of
# admin_group; the messages in English and Vietnamese; bhxhctl posture.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/posture-lib.sh"
require_cmd /usr/sbin/clamd
require_vi_locale
w=$(scratch_dir)
export BHXH_TEST_LOCALEDIR=$(test_localedir)
mkdir -m 700 "$w/tally" "$w/pam.d"
clamd_setup "$w"
net="$w/net"
mkdir -p "$net"
fake_iface "$net" lo ethernet up
fake_iface "$net" eth0 ethernet up
export BHXH_TEST_SYSFS_NET="$net"

cat >"$w/passwd" <<EOP
root:x:0:0:root:/root:/bin/bash
nvan:x:1700:1700:Nguyen Van:/home/nvan:/bin/sh
itadmin:x:1701:1701:IT:/home/itadmin:/bin/sh
EOP
printf 'nvan:x:1700:\nitadmin:x:1701:\nitops:x:1800:itadmin\n' >"$w/group"
av="posture_av_process=clamd posture_av_pidfile=$w/clamd.pid posture_av_db=$w/db"
printf 'admin_group = itops\n' >"$w/bhxh.conf"
chmod 600 "$w/bhxh.conf"
stack() { # NAME OPTIONS...
	local name=$1
	shift
	printf 'account required %s conf=%s dir=%s %s\n' "$PAM_BHXH_SO" "$w/bhxh.conf" \
		"$w/tally" "$*" >"$w/pam.d/$name"
}
stack warn "$av"
stack deny "$av posture_av=deny posture_wifi=deny"
stack wifideny "$av posture_wifi=deny"
stack off "$av posture_av=off posture_wifi=off"
acct() { # LANG SERVICE USER
	env LANG="$1" LC_ALL="$1" LANGUAGE= \
		LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$NSS_WRAPPER_SO" \
		NSS_WRAPPER_PASSWD="$w/passwd" NSS_WRAPPER_GROUP="$w/group" \
		"$PAMDRIVE" --confdir "$w/pam.d" "$2" "$3" acct </dev/null 2>&1
}
expect() { # CODE-REGEX OUTPUT WHAT
	assert_match "acct: $1" "$2" "$3"
}

# 1. in posture: nothing said, the login goes on
clamd_start "$w"
out=$(acct C warn nvan)
expect '0 ' "$out" "in posture"
[ "$(printf '%s\n' "$out" | grep -c '^error:')" = 0 ] || fail "in posture, a message: $out"
out=$(acct C deny nvan)
expect '0 ' "$out" "in posture under deny"

# 2. a wireless interface up: warned; refused under deny, root and admins warned
fake_iface "$net" wlan0 wireless up
out=$(acct C warn nvan)
expect '0 ' "$out" "wifi warn"
assert_match '^error: A wireless network interface \(wlan0\) is active on this computer' "$out" \
	"wifi message"
out=$(acct vi_VN.UTF-8 warn nvan)
assert_match 'giao diện mạng không dây \(wlan0\)' "$out" "Vietnamese wifi message"
out=$(acct C wifideny nvan)
expect '[0-9]+ Permission denied' "$out" "wifi deny"
assert_match '^error: Login refused: this computer does not meet' "$out" "refusal message"
out=$(acct C wifideny itadmin)
expect '0 ' "$out" "admin_group only warned"
assert_match 'wireless network interface' "$out" "admin warned"
out=$(acct C wifideny root)
expect '0 ' "$out" "root only warned"
out=$(acct C off nvan)
expect '0 ' "$out" "checks off"
[ "$(printf '%s\n' "$out" | grep -c '^error:')" = 0 ] || fail "checks off, a message: $out"
fake_iface "$net" wlan0 wireless down
out=$(acct C wifideny nvan)
expect '0 ' "$out" "wifi down is fine"

# bhxhctl posture agrees, in text and JSON
cat >"$w/ctl.conf" <<EOC
posture_av_process = clamd
posture_av_pidfile = $w/clamd.pid
posture_av_db = $w/db
EOC
chmod 600 "$w/ctl.conf"
out=$("$BHXHCTL" --conf "$w/ctl.conf" posture) || fail "bhxhctl posture in posture: $out"
assert_match 'antivirus: +clamd running \(pid [0-9]+\)' "$out" "posture text: running"
assert_match 'posture: +ok' "$out" "posture text: ok"
"$BHXHCTL" --conf "$w/ctl.conf" posture --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is True and d["findings"] == [], d
assert d["antivirus"]["running"] is True and d["antivirus"]["newest"] == "bhxh.hdb", d
assert d["wireless"]["active"] == 0, d
' || fail "bhxhctl posture --json in posture"

# 3. the antivirus stopped: warned, refused under deny
clamd_stop
out=$(acct C warn nvan)
expect '0 ' "$out" "av missing warn"
assert_match "^error: The agency's antivirus \(clamd\) is not running" "$out" "av missing message"
out=$(acct vi_VN.UTF-8 warn nvan)
assert_match 'Phần mềm diệt virus của cơ quan \(clamd\)' "$out" "Vietnamese av message"
out=$(acct C deny nvan)
expect '[0-9]+ Permission denied' "$out" "av missing deny"
out=$(acct C deny itadmin)
expect '0 ' "$out" "av missing: admin warned only"
rc=0
out=$("$BHXHCTL" --conf "$w/ctl.conf" posture --json) || rc=$?
assert_eq 1 "$rc" "bhxhctl posture exit status out of posture"
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"] is False and d["findings"] == ["posture_av_missing"], d
' || fail "bhxhctl posture --json with clamd stopped: $out"

# 4. running again, but signatures 30 days old: stale
clamd_start "$w"
touch -d '30 days ago' "$w/db/bhxh.hdb"
out=$(acct C warn nvan)
expect '0 ' "$out" "stale warn"
assert_match '^error: The antivirus signatures on this computer are 30 days old' "$out" \
	"stale message"
out=$(acct C deny nvan)
expect '[0-9]+ Permission denied' "$out" "stale deny"
out=$("$BHXHCTL" --conf "$w/ctl.conf" posture) && fail "bhxhctl posture: stale is out of posture"
assert_match 'signatures: +newest bhxh.hdb, 30 days old \(limit 7\)' "$out" "posture text: stale"
touch "$w/db/bhxh.hdb"
out=$(acct C deny nvan)
expect '0 ' "$out" "fresh again"

# 5. hostile state: a FIFO at the pidfile and at the signature path must not hang
mkfifo "$w/fifo"
stack fifo "posture_av_process=clamd posture_av_pidfile=$w/fifo posture_av_db=$w/fifo"
out=$(timeout 10 env LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$NSS_WRAPPER_SO" \
	NSS_WRAPPER_PASSWD="$w/passwd" NSS_WRAPPER_GROUP="$w/group" \
	"$PAMDRIVE" --confdir "$w/pam.d" fifo nvan acct </dev/null 2>&1)
rc=$?
[ "$rc" = 124 ] && fail "a FIFO hung the account phase"
assert_match 'acct: 0 ' "$out" "FIFO: findings warned, login goes on"
assert_match 'not running' "$out" "FIFO pidfile: antivirus not found"
assert_match 'No antivirus signatures were found' "$out" "FIFO signatures: none"
echo "ok"
