#!/bin/bash
# A FIFO, a device or a directory planted where pam_bhxh expects a state,
# configuration, database, history, last-login or directory-source file
# is refused at once: the module (real libpam, pamdrive) and bhxhctl
# return promptly with their documented error instead of hanging for ever
# in open().  Every call runs under `timeout`, so a regression fails the
# test (exit 124) rather than hanging it.  Root only (a scratch account).
. "$top_srcdir/tests/lib.sh"
require_root
require_cmd timeout
require_cmd mkfifo
require_cmd mknod
d=$(scratch_dir)
on_exit "rm -rf '$d'"
user=$(uniq_name)
scratch_user "$user" 'Scratch-pass-1'
mkdir -m 700 "$d/pam.d" "$d/tally" "$d/lastlogin" "$d/hist"
: >"$d/empty.conf"
chmod 600 "$d/empty.conf"
# plant KIND PATH: replace PATH by a FIFO, a character device (like
# /dev/null) or a directory
plant() {
	rm -rf "$2"
	case $1 in
	fifo) mkfifo -m 600 "$2" ;;
	dev) mknod -m 600 "$2" c 1 3 ;;
	dir) mkdir -m 700 "$2" ;;
	esac
}
# t: a command that must come back within 10 s (124 = it hung)
t() { LD_PRELOAD="${SAN_PRELOAD:-}" timeout 10 "$@"; }
ctl() { t "$BHXHCTL" "$@"; }
drive() { # drive SERVICE OP [INPUT]
	printf '%s\n' "${3:-}" | t "$PAMDRIVE" --confdir "$d/pam.d" "$1" "$user" "$2"
}
a="conf=$d/empty.conf dir=$d/tally nodelay"
cat >"$d/pam.d/h-auth" <<SVC
auth requisite $PAM_BHXH_SO preauth $a
auth required $PAM_SYSMODDIR/pam_permit.so
SVC
cat >"$d/pam.d/h-acct" <<SVC
account required $PAM_BHXH_SO $a inactive_days=30 lastlogin_dir=$d/lastlogin revoke_check=no
SVC
cat >"$d/pam.d/h-dir" <<SVC
account required $PAM_BHXH_SO $a db_dir=$d/db
SVC
cat >"$d/pam.d/h-pw" <<SVC
password requisite $PAM_BHXH_SO conf=$d/empty.conf history_dir=$d/hist pwquality_conf=none denylist=$top_builddir/data/denylist.bhxhdl
SVC
cat >"$d/pam.d/h-conf" <<SVC
auth requisite $PAM_BHXH_SO preauth conf=$d/conf dir=$d/tally nodelay
auth required $PAM_SYSMODDIR/pam_permit.so
SVC

# Baselines: every service works with regular files.
out=$(drive h-auth auth) || fail "baseline auth: $out"
out=$(drive h-acct acct) || fail "baseline account (last login): $out"
cp "$d/empty.conf" "$d/conf"
out=$(drive h-conf auth) || fail "baseline conf: $out"
NEWPW='Xq7!vLm#2pRt9@Kz'
out=$(drive h-pw chauthtok "$NEWPW
$NEWPW") || fail "baseline password change (history): $out"
# A directory database and its source.
mkdir -m 755 "$d/src"
echo "dirx:x:250001:250001:X:/home/dirx:/bin/sh" >"$d/src/passwd"
echo "dirg:x:250001:dirx" >"$d/src/group"
ctl --conf "$d/empty.conf" db build "$d/src" --db "$d/db" >/dev/null || fail "db build"
out=$(drive h-dir acct) || fail "baseline account (directory): $out"
# The plugin through glibc, in a private mount namespace (test-hook builds
# let BHXH_NSS_DB_DIR point it at the scratch database).
nss=
if grep -q '^#define BHXH_TESTING 1' "$top_builddir/config.h" && command -v unshare >/dev/null &&
	[ -z "${SAN_PRELOAD:-}" ]; then
	nss=1
	mkdir "$d/lib"
	ln -s "$top_builddir/nss_bhxh/.libs/libnss_bhxh.so.2" "$d/lib/libnss_bhxh.so.2"
	printf 'passwd: bhxh\ngroup: bhxh\n' >"$d/nsswitch.conf"
fi
getent_dir() {
	timeout 10 unshare -m bash -c "mount --make-rprivate / && mount --bind '$d/nsswitch.conf' /etc/nsswitch.conf &&
		LD_LIBRARY_PATH='$d/lib' BHXH_NSS_DB_DIR='$d/db' getent passwd dirx"
}
if [ -n "$nss" ]; then
	out=$(getent_dir) || fail "baseline getent through the plugin: $out"
fi

for kind in fifo dev dir; do
	# --- tally ---------------------------------------------------------
	plant $kind "$d/tally/$user"
	out=$(drive h-auth auth); rc=$?
	[ $rc -ne 124 ] || fail "$kind at the tally path: login hung"
	assert_eq 4 "$rc" "$kind at the tally path: PAM_SYSTEM_ERR ($out)"
	out=$(ctl --conf "$d/empty.conf" lockout status --user "$user" --dir "$d/tally" 2>&1); rc=$?
	[ $rc -ne 124 ] || fail "$kind at the tally path: lockout status hung"
	[ $rc -ne 0 ] || fail "$kind at the tally path: lockout status succeeded: $out"
	rm -rf "$d/tally/$user"

	# --- last login ----------------------------------------------------
	plant $kind "$d/lastlogin/$user"
	out=$(drive h-acct acct); rc=$?
	[ $rc -ne 124 ] || fail "$kind at the last-login path: account phase hung"
	assert_eq 4 "$rc" "$kind at the last-login path: PAM_SYSTEM_ERR ($out)"
	rm -rf "$d/lastlogin/$user"

	# --- configuration -------------------------------------------------
	plant $kind "$d/conf"
	out=$(drive h-conf auth); rc=$?
	[ $rc -ne 124 ] || fail "$kind as the configuration: login hung"
	[ $rc -ne 0 ] || fail "$kind as the configuration: login allowed"
	out=$(ctl --conf "$d/conf" config check 2>&1); rc=$?
	[ $rc -ne 124 ] || fail "$kind as the configuration: config check hung"
	[ $rc -ne 0 ] || fail "$kind as the configuration: config check passed"
	[ $kind = dir ] || assert_match "not a regular file" "$out" "$kind as the configuration"

	# --- history (opasswd import) ---------------------------------------
	plant $kind "$d/opasswd"
	out=$(ctl --conf "$d/empty.conf" history import "$d/opasswd" --dir "$d/hist" 2>&1); rc=$?
	[ $rc -ne 124 ] || fail "$kind as opasswd: history import hung"
	[ $rc -ne 0 ] || fail "$kind as opasswd: history import succeeded"
	plant $kind "$d/hist/$user"
	out=$(ctl --conf "$d/empty.conf" history prune --dir "$d/hist" 2>&1); rc=$?
	[ $rc -ne 124 ] || fail "$kind in the history directory: prune hung"
	plant $kind "$d/hist/$user"
	out=$(drive h-pw chauthtok "$NEWPW
$NEWPW"); rc=$?
	[ $rc -ne 124 ] || fail "$kind at the history path: password change hung"
	[ $rc -ne 0 ] || fail "$kind at the history path: password change accepted unchecked"
	rm -rf "$d/hist/$user"

	# --- directory database ----------------------------------------------
	real=$(readlink -f "$d/db/passwd.db")
	mv "$real" "$d/passwd.db.saved"
	plant $kind "$real"
	out=$(drive h-dir acct); rc=$?
	[ $rc -ne 124 ] || fail "$kind as passwd.db: account phase hung"
	assert_eq 9 "$rc" "$kind as passwd.db: account phase fails closed (PAM_AUTHINFO_UNAVAIL): $out"
	out=$(ctl --conf "$d/empty.conf" db verify --db "$d/db" 2>&1); rc=$?
	[ $rc -ne 124 ] || fail "$kind as passwd.db: db verify hung"
	assert_match "must be a regular file owned by root" "$out" "$kind as passwd.db: db verify"
	if [ -n "$nss" ]; then
		out=$(getent_dir); rc=$?
		[ $rc -ne 124 ] || fail "$kind as passwd.db: getent through the plugin hung"
		[ $rc -eq 2 ] || fail "$kind as passwd.db: getent found something ($rc): $out"
	fi
	rm -rf "$real"
	mv "$d/passwd.db.saved" "$real"

	# --- directory source --------------------------------------------------
	mv "$d/src/group" "$d/group.saved"
	plant $kind "$d/src/group"
	out=$(ctl --conf "$d/empty.conf" db build "$d/src" --db "$d/db" 2>&1); rc=$?
	[ $rc -ne 124 ] || fail "$kind in the directory source: db build hung"
	[ $rc -ne 0 ] || fail "$kind in the directory source: db build succeeded"
	rm -rf "$d/src/group"
	mv "$d/group.saved" "$d/src/group"

	# --- the Vietnamese dictionary (a data file the checker reads) --------
	plant $kind "$d/vi.dic"
	out=$(printf '%s\n' 'Cay-Xanh-Mua-Thu-9' | ctl --conf "$d/empty.conf" password check \
		--user "$user" vi_dict="$d/vi.dic" 2>&1); rc=$?
	[ $rc -ne 124 ] || fail "$kind as the Vietnamese dictionary: password check hung"
	[ $rc -eq 2 ] || fail "$kind as the Vietnamese dictionary: not refused ($rc): $out"
done
echo "tally, last-login, configuration, history, database, source, dictionary: refused at once${nss:+ (plugin too)}"
echo ok
