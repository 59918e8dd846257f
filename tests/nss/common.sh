# Shared by the NSS tests: the plugin, the driver, a scratch database.
# Source after tests/lib.sh.
NSS_SO="$top_builddir/nss_bhxh/.libs/libnss_bhxh.so.2"
NSS_DRIVER="$top_builddir/tests/nss/nss_contract"
[ -f "$NSS_SO" ] || fail "plugin not built: $NSS_SO"

# make_source DIR [REVOKED...]: the directory the contract driver expects:
# alice bob carol and u0..u999 (uid 300000+N); groups staff2 devs empty big.
make_source() {
	local d=$1 i mem
	shift
	mkdir -p "$d"
	{
		echo "alice:x:200001:200001:Alice:/home/alice:/bin/bash"
		echo "bob:x:200002:200001:Bob B:/home/bob:/bin/sh"
		echo "carol:*:200003:200002::/home/carol:/usr/sbin/nologin"
		for ((i = 0; i < 1000; i++)); do
			echo "u$i:x:$((300000 + i)):200001:User $i:/home/u$i:/bin/sh"
		done
	} >"$d/passwd"
	mem=bob
	for ((i = 0; i < 299; i++)); do mem="$mem,u$i"; done
	{
		echo "staff2:x:200001:alice,bob"
		echo "devs:x:200002:bob,localuser"
		echo "empty:x:200003:"
		echo "big:x:200100:$mem"
	} >"$d/group"
	{
		echo 'alice:$6$salt$hash:19000:0:99999:7:::'
		echo 'bob:!:19000::::::'
		for ((i = 0; i < 10; i++)); do echo "u$i:!:19000:0:99999:7:::"; done
	} >"$d/shadow"
	{
		echo "# revoked"
		echo "bob"
		for i in "$@"; do echo "$i"; done
	} >"$d/revoked"
}

# db_build SRC DB [ARGS...]: bhxhctl db build with an empty configuration.
db_build() {
	local src=$1 db=$2
	shift 2
	"$BHXHCTL" --conf "$EMPTY_CONF" db build "$src" --db "$db" "$@"
}

setup_scratch() {
	T=$(scratch_dir)
	# scratch_dir ran in a subshell: register the cleanup here.
	on_exit "rm -rf '$T'"
	EMPTY_CONF="$T/bhxh.conf"
	: >"$EMPTY_CONF"
	chmod 600 "$EMPTY_CONF"
}
export LC_ALL=C
