#!/bin/bash
# NSS lookup benchmark: libnss_bhxh against glibc's nss_files and Debian's
# libnss-cache (with its sorted .ixname/.ixuid/.ixgid indexes), at NUSERS
# users (default 100000) and 2000 groups of NUSERS/200 members each (every
# user in 10 groups).  Also times `id USER` and the database build, and
# builds a 1,000,000-user database.  Not part of make check.
#
# Needs root (a private mount namespace: a copy of /etc with the generated
# accounts is bind-mounted over /etc there; the real /etc is untouched) and
# a --enable-test-hooks build (BHXH_NSS_DB_DIR points the plugin at the
# scratch database).
#   sudo tests/bench/nss_bench.sh BUILDDIR [NUSERS] [BIG]
set -eu
B=$(cd "${1:-.}" && pwd)
N=${2:-100000}
BIG=${3:-1000000}
G=2000
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
make -C "$B" -s bhxhctl/bhxhctl tests/bench/nss_bench nss_bhxh/libnss_bhxh.la >/dev/null
T=$(mktemp -d /var/tmp/bhxh-dir-bench.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }
gen() { # gen DIR NUSERS
	mkdir -p "$1"
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "u%d:x:%d:1999999:User %d:/home/u%d:/bin/bash\n", i, 1000000 + i, i, i }' >"$1/passwd"
	awk -v n="$2" -v g=$G 'BEGIN { step = int(n / 500); if (step < 1) step = 1;
		for (j = 0; j < g; j++) { line = "g" j ":x:" (2000000 + j) ":"; sep = "";
			for (i = j % step; i < n; i += step) { line = line sep "u" i; sep = "," }
			print line }
		print "all:x:1999999:" }' >"$1/group"
}
gen "$T/src" "$N"
: >"$T/empty.conf"
t0=$(now)
"$B/bhxhctl/bhxhctl" --conf "$T/empty.conf" db build "$T/src" --db "$T/db"
t1=$(now)
echo "build $N users: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; passwd.db $(stat -L -c %s "$T/db/passwd.db") bytes"

# A private /etc: nss_files sees the accounts in /etc/passwd and
# /etc/group, libnss-cache in /etc/passwd.cache and /etc/group.cache with
# fixed-width sorted indexes (key NUL offset, padded, newline).
# (lock files of a concurrent useradd may vanish while copying)
cp -a /etc "$T/etc" 2>/dev/null || true
cat "$T/src/passwd" >>"$T/etc/passwd"
cat "$T/src/group" >>"$T/etc/group"
cp "$T/src/passwd" "$T/etc/passwd.cache"
cp "$T/src/group" "$T/etc/group.cache"
index() { # index FILE FIELD SUFFIX
	python3 - "$@" <<'PY'
import sys
path, field, suffix = sys.argv[1], int(sys.argv[2]) - 1, sys.argv[3]
keys, off = [], 0
with open(path, 'rb') as f:
    for line in f:
        keys.append((line.split(b':')[field], off))
        off += len(line)
keys.sort()
kw = max(len(k) for k, _ in keys)
with open(path + '.' + suffix, 'wb') as f:
    for k, o in keys:
        f.write(k.ljust(kw, b'\0') + b'\0' + str(o).encode().ljust(12, b'\0') + b'\n')
PY
}
index "$T/etc/passwd.cache" 1 ixname
index "$T/etc/passwd.cache" 3 ixuid
index "$T/etc/group.cache" 1 ixname
index "$T/etc/group.cache" 3 ixgid
mkdir "$T/lib"
ln -s "$B/nss_bhxh/.libs/libnss_bhxh.so.2" "$T/lib/libnss_bhxh.so.2"

run() { # run MODULE ITERATIONS
	printf 'passwd: %s\ngroup: %s\nshadow: files\n' "$1" "$1" >"$T/etc/nsswitch.conf"
	unshare -m bash -c "mount --make-rprivate / && mount --bind '$T/etc' /etc &&
		export LD_LIBRARY_PATH='$T/lib' BHXH_NSS_DB_DIR='$T/db' &&
		'$B/tests/bench/nss_bench' $N $2 &&
		for i in \$(seq 21); do '$B/tests/bench/nss_bench' $N 0; done |
			awk '{ print \$2 }' | sort -n | awk '{ v[NR] = \$1 } END { printf \"id-like      %12d ns median of %d fresh processes\\n\", v[int((NR + 1) / 2)], NR }' &&
		s=\$(date +%s%N); for i in \$(seq 100); do id u\$((RANDOM * 3 % $N)) >/dev/null; done;
		echo \"id USER     \$(( (\$(date +%s%N) - s) / 100000 )) us/run (whole process)\";
		s=\$(date +%s%N); for i in \$(seq 100); do id -u >/dev/null; done;
		echo \"id -u       \$(( (\$(date +%s%N) - s) / 100000 )) us/run (baseline: same binary, no lookup)\""
}
for m in ${MODULES:-files cache bhxh}; do
	case $m in
	files) echo "== files (glibc nss_files)"; run files 200 ;;
	cache) echo "== cache (libnss-cache)"; run cache 2000 ;;
	bhxh) echo "== bhxh (libnss_bhxh)"; run bhxh 1000000 ;;
	esac
done
# The modules' entry points called directly, without glibc's per-call work.
if [[ " ${MODULES:-files cache bhxh} " == *" cache "* ]]; then
	printf 'passwd: files\ngroup: files\n' >"$T/etc/nsswitch.conf"
	echo "== direct calls: libnss-cache"
	CACHE_SO=$(ldconfig -p | awk '/libnss_cache\.so\.2 / { print $NF; exit }')
	unshare -m bash -c "mount --make-rprivate / && mount --bind '$T/etc' /etc &&
		'$B/tests/bench/nss_bench' $N 20000 '$CACHE_SO' cache"
	echo "== direct calls: libnss_bhxh"
	BHXH_NSS_DB_DIR="$T/db" "$B/tests/bench/nss_bench" "$N" 1000000 "$B/nss_bhxh/.libs/libnss_bhxh.so.2" bhxh
fi

if [ "$BIG" -gt 0 ]; then
	gen "$T/big" "$BIG"
	t0=$(now)
	"$B/bhxhctl/bhxhctl" --conf "$T/empty.conf" db build "$T/big" --db "$T/dbbig"
	t1=$(now)
	echo "build $BIG users: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; passwd.db $(stat -L -c %s "$T/dbbig/passwd.db") bytes"
	[ ! -x /usr/bin/time ] || /usr/bin/time -f "peak RSS of the build: %M kB" "$B/bhxhctl/bhxhctl" --conf "$T/empty.conf" db build "$T/big" --db "$T/dbbig" >/dev/null
fi
