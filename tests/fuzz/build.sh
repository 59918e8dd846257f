#!/bin/bash
# Build the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang, ASan and
# UBSan, outside the Automake build (which stays gcc's):
#
#   tests/fuzz/build.sh [OUTDIR]        (default: _build-fuzz in the source tree)
#
# Every lib/*.c is compiled with coverage instrumentation
# (-fsanitize=fuzzer-no-link) into OUTDIR/libbhxh-fuzz.a, so the harnesses
# keep building when lib/ files are split or added; each harness is linked
# against that archive (the linker takes only the objects it needs).
# config.h comes from a configure run with CC=clang in OUTDIR/conf.
# Needs clang and libclang-rt-14-dev (tests/deps.sh); exits 77 when clang
# cannot build a fuzzer here.  Run the harnesses with tests/fuzz/run.sh.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$src/_build-fuzz}
cc=${FUZZ_CC:-clang}
jobs=$(nproc 2>/dev/null || echo 2)

mkdir -p "$out/obj" "$out/conf"
out=$(cd "$out" && pwd)

# Can this clang build a fuzzer at all?
probe=$out/probe
printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	>"$probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" 2>"$probe.err"; then
	echo "build.sh: $cc cannot build a libFuzzer target (install clang and" \
		"libclang-rt-14-dev: tests/deps.sh):" >&2
	cat "$probe.err" >&2
	exit 77
fi
rm -f "$probe" "$probe.c" "$probe.err"

# (again when configure.ac changed since)
if [ ! -f "$out/conf/config.h" ] || [ "$src/configure.ac" -nt "$out/conf/config.h" ]; then
	if [ ! -x "$src/configure" ] || [ "$src/configure.ac" -nt "$src/configure" ]; then
		(cd "$src" && autoreconf -fi >/dev/null 2>&1)
	fi
	echo "build.sh: configure (CC=$cc) in $out/conf"
	if ! (cd "$out/conf" && "$src/configure" CC="$cc" --disable-tests \
		--sysconfdir=/etc --localstatedir=/var >configure.out 2>&1); then
		tail -30 "$out/conf/configure.out" >&2
		exit 1
	fi
fi

libs="$(pkg-config --libs pwquality audit auparse libcrypt) -lcrack"
# the LDAP entry mapping (lib/ldap*.c), where libldap is installed
if pkg-config --exists ldap 2>/dev/null; then
	libs="$libs $(pkg-config --libs ldap)"
elif echo 'int main(void) { return 0; }' | "$cc" -x c - -lldap -llber -o /dev/null 2>/dev/null; then
	libs="$libs -lldap -llber"
fi
cflags=(-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
	-Wall -Wextra -Wno-unused-parameter -std=gnu11
	-I"$out/conf" -I"$src/lib" -DBHXH_LIBFUZZER
	-DLOCALEDIR='"/usr/share/locale"' -DSYSCONFDIR='"/etc"' -DLOCALSTATEDIR='"/var"'
	-DSBINDIR='"/usr/sbin"')
# shellcheck disable=SC2086
cflags+=($(pkg-config --cflags pwquality audit auparse libcrypt 2>/dev/null))

# lib/*.c: rebuilt when the source or any lib header is newer than the object
newest_h=$(ls -t "$src"/lib/*.h | head -1)
stale=()
for c in "$src"/lib/*.c; do
	o=$out/obj/$(basename "${c%.c}").o
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ] ||
		[ "$out/conf/config.h" -nt "$o" ]; then
		stale+=("$c")
	fi
done
if [ ${#stale[@]} -gt 0 ]; then
	echo "build.sh: compiling ${#stale[@]} lib sources"
	export FUZZ_CC_CMD="$cc ${cflags[*]@Q} -fsanitize=fuzzer-no-link"
	printf '%s\n' "${stale[@]}" | xargs -P "$jobs" -I{} sh -c \
		'eval "$FUZZ_CC_CMD" -c "$1" -o "$2/obj/$(basename "$1" .c).o"' sh {} "$out"
fi
# the archive holds exactly the current lib/*.c (a removed file goes too)
objs=()
for c in "$src"/lib/*.c; do
	objs+=("$out/obj/$(basename "${c%.c}").o")
done
rm -f "$out/libbhxh-fuzz.a"
ar rcs "$out/libbhxh-fuzz.a" "${objs[@]}"

built=0
for h in "$src"/tests/fuzz/fuzz_*.c; do
	name=$(basename "${h%.c}")
	# shellcheck disable=SC2086
	"$cc" "${cflags[@]}" -I"$src/tests/fuzz" -fsanitize=fuzzer "$h" \
		"$out/libbhxh-fuzz.a" $libs -o "$out/$name"
	built=$((built + 1))
done
# the generator of seeds in the current binary formats (run.sh runs it)
"$cc" "${cflags[@]}" -I"$src/tests/fuzz" "$src/tests/fuzz/seeds.c" "$out/libbhxh-fuzz.a" $libs \
	-o "$out/seeds"
echo "build.sh: $built harnesses in $out"
