#!/bin/bash
# Drop-in, side by side: the same password stacks (Debian's common-password
# form and the CIS/RHEL form) run once with the system's pam_pwquality.so and
# pam_pwhistory.so and once with only the module name changed to pam_bhxh.so,
# through real libpam, real pam_unix and a real scratch account.  Asserts
# the same outcome (return code, password changed or not, history kept)
# wherever pam_bhxh(8) says "same", and the documented difference elsewhere
# (pam_bhxh refuses weak passwords that pam_pwquality accepts).
#
# Runs in a private mount namespace with a scratch /etc/security (peer
# files, opasswd, bhxh.conf), so the machine's files are never touched.
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
if [ -z "${BHXH_PW_DROPIN_NS:-}" ]; then
	command -v unshare >/dev/null 2>&1 || { echo "SKIP: needs unshare" >&2; exit 77; }
	BHXH_PW_DROPIN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$top_srcdir/tests/lib.sh"

SYSMOD=
for d in /usr/lib/*/security /lib/*/security /usr/lib64/security; do
	[ -f "$d/pam_pwquality.so" ] && [ -f "$d/pam_pwhistory.so" ] && { SYSMOD=$d; break; }
done
[ -n "$SYSMOD" ] || skip "pam_pwquality.so and pam_pwhistory.so not installed"
[ -x "$PAMDRIVE" ] || skip "pamdrive not built"
[ -f "$PAM_BHXH_SO" ] || skip "pam_bhxh.so not built"
PAM_BHXH_SO=$(readlink -f "$PAM_BHXH_SO")
PAMDRIVE=$(readlink -f "$PAMDRIVE")
DENYLIST=$(readlink -f "$top_builddir/data/denylist.bhxhdl")
[ -f "$DENYLIST" ] || skip "denylist not built"

D=$(scratch_dir)
mkdir -p "$D/pam.d" "$D/sec" "$D/hist"
chmod 755 "$D" "$D/pam.d" "$D/sec"
cp -a /etc/security/. "$D/sec/"
mount --bind "$D/sec" /etc/security || skip "cannot bind-mount /etc/security"
SEC=/etc/security
# bhxh.conf is read from the build's sysconfdir (the peers' files always from
# /etc/security): in a build for another prefix (distcheck), give it a
# private directory there too, in this namespace only
CONFDIR=${BHXH_SYSCONFDIR:-/etc}/security
if [ "$CONFDIR" != "$SEC" ] && [ ! -d "$CONFDIR" ]; then
	top=$CONFDIR
	while [ ! -d "$(dirname "$top")" ]; do top=$(dirname "$top"); done
	over=$(readlink -f "$(dirname "$top")")
	case "$PAM_BHXH_SO/" in "$over"/*) skip "a private $CONFDIR would hide the module" ;; esac
	mount -t tmpfs tmpfs "$over" || skip "cannot mount over $over"
	mkdir -p "$CONFDIR"
elif [ "$CONFDIR" != "$SEC" ]; then
	mkdir -p "$D/confdir" && mount --bind "$D/confdir" "$CONFDIR" || skip "cannot bind $CONFDIR"
fi

U=$(uniq_name)
P0='Kx7#mQ2!vRz9pL'
A='tq8#Vl-p2!mZr4wXe'
B='Hb3$kw9@Jn5&ry7Q'
C='zX4!pR8#mW2$vL6^'
scratch_user "$U" "$P0"

vi_dict=/usr/share/hunspell/vi_VN.dic
[ -f "$vi_dict" ] || vi_dict=none

# A fresh state: the account's password, no history on either side, no
# peer files, our own bhxh.conf (test paths only).
reset_state() {
	printf '%s:%s\n' "$U" "$1" | chpasswd || fail "chpasswd"
	rm -f "$SEC/pwquality.conf" "$SEC/pwhistory.conf" "$SEC/opasswd"
	rm -rf "$SEC/pwquality.conf.d" "$D/hist"
	install -m 600 /dev/null "$SEC/opasswd"
	printf 'history_dir = %s\ndenylist = %s\nvi_dict = %s\naudit_unavailable = syslog\n' \
		"$D/hist" "$DENYLIST" "$vi_dict" >"$CONFDIR/bhxh.conf"
	chmod 644 "$CONFDIR/bhxh.conf"
}

# stack FORM IMPL: writes the service and prints its name.  Only the module
# name differs between IMPL=peer and IMPL=bhxh.
stack() {
	local svc="pw-$1-$2" q=pam_pwquality.so h=pam_pwhistory.so
	if [ "$2" = bhxh ]; then q=$PAM_BHXH_SO; h=$PAM_BHXH_SO; else q=$SYSMOD/$q; h=$SYSMOD/$h; fi
	case $1 in
	debian) # Debian 12 common-password with pam_pwhistory added
		cat >"$D/pam.d/$svc" <<EOF
password requisite $q retry=3 ${QARGS:-}
password required $h remember=5 use_authtok ${HARGS:-}
password [success=1 default=ignore] pam_unix.so obscure use_authtok try_first_pass yescrypt
password requisite pam_deny.so
password required pam_permit.so
EOF
		;;
	cis) # CIS benchmark / RHEL system-auth
		cat >"$D/pam.d/$svc" <<EOF
password requisite $q try_first_pass local_users_only enforce_for_root retry=3 ${QARGS:-}
password required $h use_authtok remember=5 enforce_for_root ${HARGS:-}
password sufficient pam_unix.so sha512 shadow try_first_pass use_authtok
password required pam_deny.so
EOF
		;;
	readme) # README's own form, with the record line (pam_bhxh only)
		cat >"$D/pam.d/$svc" <<EOF
password requisite $PAM_BHXH_SO ${QARGS:-}
password requisite pam_unix.so use_authtok yescrypt
password optional $PAM_BHXH_SO record ${HARGS:-}
EOF
		;;
	esac
	echo "$svc"
}
cat >"$D/pam.d/verify" <<EOF
auth required pam_unix.so nodelay
EOF

# has_password PW: the account's password is PW (through pam_unix).
has_password() {
	printf '%s\n' "$1" | LD_PRELOAD="${SAN_PRELOAD:-}" "$PAMDRIVE" --confdir "$D/pam.d" verify "$U" auth >/dev/null 2>&1
}

# change FORM IMPL OP CURRENT LINE...: one pam_chauthtok; sets RC (the PAM
# code) and OUT (what the user was told).
# OP chauthtok-expired makes root a user for both peers (enforced, and
# pam_unix asks the current password first).
OUT= RC=
change() {
	local form=$1 impl=$2 op=$3 svc
	shift 3
	svc=$(stack "$form" "$impl")
	[ "$op" = chauthtok ] && shift # root is not asked the current password
	OUT=$(printf '%s\n' "$@" | LD_PRELOAD="${SAN_PRELOAD:-}" "$PAMDRIVE" --confdir "$D/pam.d" "$svc" "$U" "$op" 2>&1)
	RC=$?
}

# same WHAT FORM START OP EXPECTED-RC EXPECTED-PASSWORD LINE...: run on both
# implementations from the same start, assert the same code and password.
same() {
	local what=$1 form=$2 start=$3 op=$4 want=$5 pw=$6 impl rc
	shift 6
	for impl in peer bhxh; do
		reset_state "$start"
		change "$form" "$impl" "$op" "$@"; rc=$RC
		[ "$rc" = "$want" ] || fail "$what ($form, $impl): code $rc, expected $want: $OUT"
		has_password "$pw" || fail "$what ($form, $impl): password is not the expected one: $OUT"
	done
}

# history FORM IMPL: P0 -> A -> B, then A again is refused (kept history),
# then C is accepted; prints nothing, fails on a difference.
history_kept() {
	local form=$1 impl=$2 op=$3 rc
	reset_state "$P0"
	change "$form" "$impl" "$op" "$P0" "$A" "$A" "$A" "$A" "$A" "$A"; rc=$RC
	[ "$rc" = 0 ] || fail "history ($form, $impl): P0->A code $rc: $OUT"
	change "$form" "$impl" "$op" "$A" "$B" "$B" "$B" "$B" "$B" "$B"; rc=$RC
	[ "$rc" = 0 ] || fail "history ($form, $impl): A->B code $rc: $OUT"
	change "$form" "$impl" "$op" "$B" "$A" "$A" "$A" "$A" "$A" "$A"; rc=$RC
	[ "$rc" = 11 ] || fail "history ($form, $impl): reuse of A: code $rc (want PAM_MAXTRIES): $OUT"
	has_password "$B" || fail "history ($form, $impl): password changed by a refused reuse"
	change "$form" "$impl" "$op" "$B" "$C" "$C" "$C" "$C" "$C" "$C"; rc=$RC
	[ "$rc" = 0 ] || fail "history ($form, $impl): B->C code $rc: $OUT"
	has_password "$C" || fail "history ($form, $impl): C not set"
}

WEAK=abc
for form in debian cis; do
	for op in chauthtok-expired chauthtok; do
		[ "$form" = debian ] && [ "$op" = chauthtok ] && continue # root not enforced: below
		# a strong password is accepted
		same "strong" $form "$P0" $op 0 "$A" "$P0" "$A" "$A"
		# the current password, at the very first change: PAM_MAXTRIES
		same "current at the first change" $form "$P0" $op 11 "$P0" \
			"$P0" "$P0" "$P0" "$P0" "$P0" "$P0" "$P0"
		# weak, three times: PAM_MAXTRIES, unchanged
		same "weak x3" $form "$P0" $op 11 "$P0" "$P0" $WEAK $WEAK $WEAK $WEAK $WEAK $WEAK
		# confirmation mismatch three times
		same "mismatch x3" $form "$P0" $op 11 "$P0" "$P0" "$A" "$B" "$A" "$B" "$A" "$B"
		# history kept from pam_pwhistory's place, no record line
		for impl in peer bhxh; do history_kept $form $impl $op; done
	done
done

# README's form: the record line keeps working with the hash being
# replaced saved by the checking line; each password is kept once
history_kept readme bhxh chauthtok-expired
n=$(wc -l <"$D/hist/$U")
[ "$n" = 4 ] || fail "record line + saved hashes: $n history lines, expected 4 (P0 A B C): $(cat "$D/hist/$U")"

# root without enforce_for_root (Debian form): pam_pwquality warns and
# accepts; pam_bhxh's profile enforces for root (the documented
# difference) unless enforce_for_root=0 is given, then it warns and accepts.
reset_state "$P0"
change debian peer chauthtok "$P0" "$WEAK" "$WEAK"; rc=$RC
[ "$rc" = 0 ] || fail "root, not enforced (peer): code $rc: $OUT"
has_password "$WEAK" || fail "root, not enforced (peer): not changed"
reset_state "$P0"
change debian bhxh chauthtok "$P0" "$WEAK" "$WEAK" "$WEAK" "$WEAK" "$WEAK" "$WEAK"; rc=$RC
[ "$rc" = 11 ] || fail "root, profile enforces (bhxh): code $rc: $OUT"
has_password "$P0" || fail "root, profile enforces (bhxh): changed"
reset_state "$P0"
QARGS=enforce_for_root=0 HARGS=enforce_for_root=0 change debian bhxh chauthtok "$P0" "$WEAK" "$WEAK"
rc=$RC
[ "$rc" = 0 ] || fail "root, enforce_for_root=0 (bhxh): code $rc: $OUT"
assert_match "accepted only because you are root" "$OUT" "root warning"
has_password "$WEAK" || fail "root, enforce_for_root=0 (bhxh): not changed"

# pwquality.conf values the peers accept: minlen below 6 (clamped), any
# gecoscheck value, retry=0 (taken as 1: one try, PAM_AUTHTOK_ERR)
for impl in peer bhxh; do
	reset_state "$P0"
	printf 'minlen = 4\ngecoscheck = 3\nretry = 0\n' >"$SEC/pwquality.conf"
	change cis $impl chauthtok "$P0" "$A" "$A"; rc=$RC
	[ "$rc" = 0 ] || fail "pwquality.conf minlen=4 ($impl): code $rc: $OUT"
	reset_state "$P0"
	QARGS="retry=0" change cis $impl chauthtok "$P0" $WEAK $WEAK $WEAK; rc=$RC
	[ "$rc" = 20 ] || fail "retry=0 ($impl): code $rc, expected PAM_AUTHTOK_ERR: $OUT"
	has_password "$P0" || fail "retry=0 ($impl): changed"
	# enforcing = 0: a warning only
	reset_state "$P0"
	printf 'enforcing = 0\n' >"$SEC/pwquality.conf"
	change cis $impl chauthtok "$P0" "abcdefgh1" "abcdefgh1"; rc=$RC
	[ "$rc" = 0 ] || fail "enforcing=0 ($impl): code $rc: $OUT"
	has_password "abcdefgh1" || fail "enforcing=0 ($impl): not changed"
	# any number of lines: libpwquality has no cap, so neither has
	# pam_bhxh (the setting at the end of 24,000 lines still applies)
	reset_state "$P0"
	for ((i = 0; i < 12000; i++)); do printf '# note %d\n\n' $i; done >"$SEC/pwquality.conf"
	printf 'enforcing = 0\n' >>"$SEC/pwquality.conf"
	change cis $impl chauthtok "$P0" "abcdefgh1" "abcdefgh1"; rc=$RC
	[ "$rc" = 0 ] || fail "24,001-line pwquality.conf ($impl): code $rc: $OUT"
	has_password "abcdefgh1" || fail "24,001-line pwquality.conf ($impl): not changed"
done

# The documented difference: pam_bhxh is stricter in strength.  A decorated
# Vietnamese phrase passes pam_pwquality and is refused by pam_bhxh.
VIPW='Anhyeuem@2026'
reset_state "$P0"
change cis peer chauthtok "$P0" "$VIPW" "$VIPW"; rc=$RC
[ "$rc" = 0 ] || fail "difference: pam_pwquality refused $VIPW ($rc): $OUT"
reset_state "$P0"
change cis bhxh chauthtok "$P0" "$VIPW" "$VIPW" "$VIPW" "$VIPW" "$VIPW" "$VIPW"; rc=$RC
[ "$rc" = 11 ] || fail "difference: pam_bhxh accepted $VIPW ($rc): $OUT"
assert_match "Vietnamese" "$OUT" "reason of the refusal"
has_password "$P0" || fail "difference: changed"

# Over-long passwords are refused whole, never cut (pam_unix would refuse
# them too, after the quality check judged a cut value)
LONG=$(head -c 1500 /dev/zero | tr '\0' 'x')'Q7#k'
reset_state "$P0"
change cis bhxh chauthtok "$P0" "$LONG" "$LONG" "$LONG" "$LONG" "$LONG" "$LONG"; rc=$RC
[ "$rc" = 11 ] || fail "over-long: code $rc: $OUT"
assert_match "too long: at most 1024 bytes" "$OUT" "over-long message"
has_password "$P0" || fail "over-long: changed"
# exactly 1024 bytes: judged as typed, not called too long
OK1024="$(head -c 1015 /dev/zero | tr '\0' 'y')Zq8#mW2!x"
[ ${#OK1024} = 1024 ] || fail "test bug: ${#OK1024} bytes"
reset_state "$P0"
change cis bhxh chauthtok "$P0" "$OK1024" "$OK1024" "$OK1024" "$OK1024" "$OK1024" "$OK1024"; rc=$RC
if printf '%s' "$OUT" | grep -q "too long"; then fail "1024 bytes called too long: $OUT"; fi
# Every option of pam_pwquality(8), pwquality.conf(5), pam_pwhistory(8)
# and pwhistory.conf(5) (libpwquality 1.4.5, Linux-PAM 1.5.2 and the
# file=/pwhistory.conf of later releases), through the module: the peers'
# stack and the same with pam_bhxh.so both change the password.
QALL="debug authtok_type=UNIX retry=2 difok=1 minlen=8 dcredit=0 ucredit=0 lcredit=0 \
ocredit=0 minclass=1 maxrepeat=0 maxsequence=0 maxclassrepeat=0 gecoscheck=1 dictcheck=1 \
usercheck=1 usersubstr=0 enforcing=1 badwords=foo,bar dictpath=/var/cache/cracklib/cracklib_dict \
enforce_for_root local_users_only type=UNIX reject_username difignore=23 try_first_pass"
HALL="debug use_authtok enforce_for_root remember=5 retry=1 authtok_type=UNIX \
try_first_pass use_first_pass"
for impl in peer bhxh; do
	reset_state "$P0"
	cat >"$SEC/pwquality.conf" <<EOF
# every key of pwquality.conf(5)
difok = 1
minlen = 8
dcredit = 0
ucredit = 0
lcredit = 0
ocredit = 0
minclass = 1
maxrepeat = 0
maxsequence = 0
maxclassrepeat = 0
gecoscheck = 1
dictcheck = 1
usercheck = 1
usersubstr = 0
enforcing = 1
badwords = foo bar
dictpath = /var/cache/cracklib/cracklib_dict
retry = 3
enforce_for_root
local_users_only
EOF
	mkdir -p "$SEC/pwquality.conf.d"
	printf 'minlen = 8\n' >"$SEC/pwquality.conf.d/50-site.conf"
	cat >"$SEC/pwhistory.conf" <<EOF
# every key of pwhistory.conf(5)
debug
enforce_for_root
remember = 5
retry = 1
file = /etc/security/opasswd
EOF
	QARGS=$QALL HARGS="$HALL file=/etc/security/opasswd" change cis $impl chauthtok-expired \
		"$P0" "$A" "$A" "$A" "$A"
	rc=$RC
	[ "$rc" = 0 ] || fail "every option ($impl): code $rc: $OUT"
	has_password "$A" || fail "every option ($impl): not changed"
	if [ $impl = bhxh ]; then
		LD_PRELOAD="${SAN_PRELOAD:-}" "$top_builddir/bhxhctl/bhxhctl" config check --file "$CONFDIR/bhxh.conf" $QALL $HALL \
			file=/etc/security/opasswd pwquality_conf=$SEC/pwquality.conf \
			pwhistory_conf=$SEC/pwhistory.conf >/dev/null ||
			fail "bhxhctl config check refuses a peer option"
		# what no peer accepts still fails closed, naming file:line
		printf 'minlen = 8\nminlength = 9\n' >"$SEC/pwquality.conf"
		change cis bhxh chauthtok "$P0" "$B" "$B"
		[ "$RC" = 3 ] || fail "unknown pwquality.conf key: code $RC (want PAM_SERVICE_ERR)"
		has_password "$A" || fail "unknown pwquality.conf key: changed"
		out=$(LD_PRELOAD="${SAN_PRELOAD:-}" "$top_builddir/bhxhctl/bhxhctl" config check --file "$CONFDIR/bhxh.conf" 2>&1) &&
			fail "config check accepted an unknown pwquality.conf key"
		assert_match "pwquality.conf:2: unknown option 'minlength'" "$out" "config check"
	fi
done

echo "pw_dropin: ok"
