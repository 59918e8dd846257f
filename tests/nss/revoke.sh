#!/bin/sh
# Live revocation: a running process (the driver stands for sshd) sees a
# removed account disappear and a revoked one expire within a second, and
# pam_bhxh's account phase refuses a revoked account with a message.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/nss/common.sh"
setup_scratch
make_source "$T/src"
db_build "$T/src" "$T/db" >/dev/null || fail "build"
export BHXH_NSS_DB_DIR="$T/db"
cd "$T" || fail "cd"

# watch USER: start the driver, wait until it has the user, then run the
# rest of the arguments (the change), touch ./trigger and wait for it.
watch() {
	local user=$1
	shift
	rm -f trigger out
	"$NSS_DRIVER" "$NSS_SO" watch "$user" 1000 >out 2>&1 &
	local pid=$!
	for _ in $(seq 100); do
		grep -q present out 2>/dev/null && break
		sleep 0.05
	done
	grep -q present out || { kill "$pid"; fail "driver did not start: $(cat out)"; }
	"$@" >/dev/null || { kill "$pid"; fail "change failed"; }
	touch trigger
	wait "$pid" || fail "running process did not see the change in time: $(cat out)"
	cat out
}
# Removal, seen by a running process.
grep -v "^u600:" src/passwd >p && mv p src/passwd
watch u600 db_build "$T/src" "$T/db"
assert_match "^removed after" "$(tail -1 out)" "removal"

# Revocation: the running process sees the shadow entry expire (root only:
# shadow.db is root's).
if [ "$(id -u)" = 0 ]; then
	echo u7 >>src/revoked
	watch u7 db_build "$T/src" "$T/db"
	assert_match "^revoked after" "$(tail -1 out)" "revocation"
else
	echo u7 >>src/revoked
	db_build "$T/src" "$T/db" >/dev/null || fail "build"
fi

# bhxhctl db diff shows it all.
echo u8 >>src/revoked
sed -i 's/^u9:x:300009:200001:User 9:/u9:x:300009:200002:User 9:/' src/passwd
echo "newbie:x:399999:200001::/home/newbie:/bin/sh" >>src/passwd
grep -v '^u10:' src/passwd >p && mv p src/passwd
sed -i 's/^u3:!:19000:0:99999:7:::$/u3:$6$new$hash:19000:0:99999:7:::/' src/shadow
sed -i 's/,u10,/,/' src/group
"$BHXHCTL" --conf "$EMPTY_CONF" db diff src --db "$T/db" >diff.out
rc=$?
assert_eq 1 "$rc" "diff exit code"
grep -qx '~ user u8: revoked' diff.out || fail "diff revoked: $(cat diff.out)"
grep -qx '~ user u9: gid' diff.out || fail "diff gid: $(cat diff.out)"
grep -qx '+ user newbie uid=399999' diff.out || fail "diff added: $(cat diff.out)"
grep -qx -- '- user u10' diff.out || fail "diff removed: $(cat diff.out)"
grep -qx '~ group big: members' diff.out || fail "diff members: $(cat diff.out)"
if [ "$(id -u)" = 0 ]; then
	grep -qx '~ user u3: shadow' diff.out || fail "diff shadow: $(cat diff.out)"
	grep -qF '$6$new' diff.out && fail "diff shows a hash"
fi
db_build "$T/src" "$T/db" >/dev/null || fail "build"
"$BHXHCTL" --conf "$EMPTY_CONF" db diff src --db "$T/db" >diff.out || fail "diff after build: $(cat diff.out)"

# The account phase (root: a real PAM stack through pamdrive).
[ "$(id -u)" = 0 ] || { echo "ok (PAM part skipped: not root)"; exit 0; }
mkdir -p pam.d tally
chmod 700 tally
# The accounts come from the directory itself (the plugin through
# nss_wrapper), as on a machine with "passwd: files bhxh": the expiry checks
# that follow revocation in the account phase need the account to resolve.
NSS_WRAPPER_SO=${NSS_WRAPPER_SO:-$(pkg-config --libs nss_wrapper | tr -d ' ')}
: >"$T/nw-passwd"
: >"$T/nw-group"
pamdrive() {
	LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$NSS_WRAPPER_SO" \
	NSS_WRAPPER_PASSWD="$T/nw-passwd" NSS_WRAPPER_GROUP="$T/nw-group" \
	NSS_WRAPPER_MODULE_SO_PATH="$NSS_SO" NSS_WRAPPER_MODULE_FN_PREFIX=bhxh \
		"$PAMDRIVE" "$@"
}
cat >pam.d/bhxhrev <<PAM
account required $PAM_BHXH_SO conf=$EMPTY_CONF dir=$T/tally db_dir=$T/db
PAM
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u8 acct </dev/null)
rc=$?
assert_match "error: .*revoked" "$out" "revoked message"
assert_match "acct: 6 " "$out" "revoked account: PAM_PERM_DENIED ($out)"
[ "$rc" -ne 0 ] || fail "pamdrive exit for revoked"
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u1 acct </dev/null) || fail "u1 refused: $out"
assert_match "acct: 0 " "$out" "active account"
# IT's review lists the revoked account as revoked
printf 'db_dir = %s\n' "$T/db" >"$T/exp.conf"
chmod 600 "$T/exp.conf"
review() {
	LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$NSS_WRAPPER_SO" \
	NSS_WRAPPER_PASSWD="$T/nw-passwd" NSS_WRAPPER_GROUP="$T/nw-group" \
	NSS_WRAPPER_MODULE_SO_PATH="$NSS_SO" NSS_WRAPPER_MODULE_FN_PREFIX=bhxh \
		"$BHXHCTL" --conf "$T/exp.conf" expiry status "$@"
}
out=$(review --user u8 --json)
assert_match '"status":"revoked","revoked":true' "$out" "expiry status shows the revocation"
out=$(review --user u1 --json)
assert_match '"revoked":false' "$out" "expiry status: active account not revoked"
# A flipped bit in the revocation data never changes who is revoked: it
# is found, and the account phase fails closed.
u64() { od -An -tu8 -j "$2" -N8 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
flip() { # flip FILE OFFSET: invert the lowest bit of one byte
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
db=$(readlink -f "$T/db/passwd.db")
cp "$db" "$T/passwd.db.good"
strings_off=$(u64 "$db" 64)
users_off=$(u64 "$db" 80) nusers=$(u64 "$db" 88)
rev_off=$(u64 "$db" $((64 + 16 * 12)))
# u8's record: its REVOKED flag (byte 28 of the 40-byte record) cleared
for ((i = 0; i < nusers; i++)); do
	name_off=$(u32 "$db" $((users_off + 40 * i)))
	[ "$(dd if="$db" bs=1 skip=$((strings_off + name_off)) count=2 2>/dev/null)" = "u8" ] || continue
	[ "$(od -An -tu1 -j $((strings_off + name_off + 2)) -N1 "$db" | tr -d ' ')" = 0 ] && break
done
[ "$i" -lt "$nusers" ] || fail "u8 not found in passwd.db"
flip "$db" $((users_off + 40 * i + 28))
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u8 acct </dev/null)
assert_match "acct: 9 " "$out" "revoked flag flipped: fails closed, never allowed"
cp "$T/passwd.db.good" "$db"
# the first revoked name: one bit of its first character
name_off=$(u32 "$db" "$rev_off")
flip "$db" $((strings_off + name_off))
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u8 acct </dev/null)
assert_match "acct: (6|9) " "$out" "revoked list damaged: u8 still refused"
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u1 acct </dev/null)
assert_match "acct: 9 " "$out" "revoked list damaged: fails closed"
cp "$T/passwd.db.good" "$db"
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u8 acct </dev/null)
assert_match "acct: 6 " "$out" "restored"
# No database on this machine: nothing is revoked.
sed -i "s|db_dir=$T/db|db_dir=$T/nodb|" pam.d/bhxhrev
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u8 acct </dev/null) || fail "no db: $out"
# A database that cannot be trusted fails closed.
mkdir -m 777 "$T/baddb"
cp "$T/db/passwd.db" "$T/baddb/"
sed -i "s|db_dir=$T/nodb|db_dir=$T/baddb|" pam.d/bhxhrev
out=$(pamdrive --confdir "$T/pam.d" bhxhrev u1 acct </dev/null) && fail "unsafe db accepted: $out"
assert_match "acct: 9 " "$out" "unsafe database: PAM_AUTHINFO_UNAVAIL"
echo "ok"
