#!/bin/bash
# The whole test suite, from a clean clone on a fresh Debian 12 machine, as
# root: install dependencies, start auditd, build with -Werror and run every
# test; build again under AddressSanitizer+UBSan and run every test again;
# then make distcheck.  README.md gives this command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

bash tests/deps.sh

# auditd: the end-to-end audit tests read what it received
if ! pgrep -x auditd >/dev/null; then
	auditd -s enable
	for _ in $(seq 50); do pgrep -x auditd >/dev/null && break; sleep 0.1; done
fi
auditctl -e 1 >/dev/null || true

autoreconf -fi >/dev/null

summary=()
run_build() { # NAME CONFIGURE-ARGS...
	local name=$1
	shift
	local dir="$src/_build-$name"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "=== build: $name ==="
	(cd "$dir" && "$src/configure" --sysconfdir=/etc --localstatedir=/var \
		--enable-werror --enable-test-hooks "$@" >configure.out)
	make -C "$dir" -j"$jobs" >"$dir/make.out" 2>&1 || {
		cat "$dir/make.out"
		summary+=("$name-build: 0 passed, 1 failed")
		return 1
	}
	local rc=0
	make -C "$dir" -j"$jobs" check || rc=$?
	local p f s
	p=$(awk '/^# PASS:/{n+=$3} END{print n+0}' "$dir/test-suite.log")
	f=$(awk '/^# (FAIL|ERROR|XPASS):/{n+=$3} END{print n+0}' "$dir/test-suite.log")
	s=$(awk '/^# SKIP:/{n+=$3} END{print n+0}' "$dir/test-suite.log")
	summary+=("$name: $p passed, $f failed, $s skipped")
	if [ "$rc" != 0 ]; then
		cat "$dir/test-suite.log"
		find "$dir/tests" -name '*.log' -newer "$dir/configure.out" -exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null |
			while read -r l; do echo "---- $l"; tail -50 "$l"; done
		return "$rc"
	fi
}

status=0
# The Debian packages, built once (nocheck, lintian clean) from the tracked
# source; tests/deb/install.sh in each build installs and purges them.
echo "=== Debian packages ==="
if bash tests/deb/build.sh "$src/_build-deb" >"$src/_build-deb.log" 2>&1; then
	summary+=("packages+lintian: 1 passed, 0 failed")
else
	cat "$src/_build-deb.log"
	summary+=("packages+lintian: 0 passed, 1 failed")
	status=1
fi
export BHXH_DEB_DIR="$src/_build-deb"
run_build plain || status=1
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g -O1"
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_build sanitize --enable-sanitizers CFLAGS="$san" LDFLAGS="-fsanitize=address,undefined" || status=1

echo "=== fuzz ==="
# Every libFuzzer harness (tests/fuzz/) for 20 s over its seed corpus, two
# at a time; any crash, leak, hang or sanitizer report fails.
mkdir -p "$src/_build-fuzz"
if bash tests/fuzz/build.sh "$src/_build-fuzz" >"$src/_build-fuzz/build.out" 2>&1; then
	fuzz_out=$(bash tests/fuzz/run.sh -t 20 -j "$jobs" "$src/_build-fuzz") || status=1
	echo "$fuzz_out"
	summary+=("$(echo "$fuzz_out" | tail -1)")
else
	cat "$src/_build-fuzz/build.out"
	summary+=("fuzz: 0 passed, 1 failed")
	status=1
fi

echo "=== cppcheck ==="
if cppcheck --error-exitcode=1 --enable=warning,portability,performance --inline-suppr -q \
	--std=c11 -I lib -I "$src/_build-plain" lib pam_bhxh nss_bhxh bhxhctl tests/pamdrive.c; then
	summary+=("cppcheck: 1 passed, 0 failed")
else
	summary+=("cppcheck: 0 passed, 1 failed")
	status=1
fi

echo "=== make distcheck ==="
if make -C "$src/_build-plain" -j"$jobs" distcheck >"$src/_build-plain/distcheck.out" 2>&1; then
	summary+=("distcheck: 1 passed, 0 failed")
else
	tail -80 "$src/_build-plain/distcheck.out"
	# the failing tests' own logs, from the unpacked distribution's build
	find "$src/_build-plain" -path '*/pam_bhxh-*/_build/*' -name '*.log' \
		-exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null |
		while read -r l; do echo "---- $l"; tail -60 "$l"; done
	summary+=("distcheck: 0 passed, 1 failed")
	status=1
fi

echo "=== summary ==="
printf '%s\n' "${summary[@]}"
total_p=0 total_f=0 total_s=0
for line in "${summary[@]}"; do
	set -- $line
	total_p=$((total_p + $2)); total_f=$((total_f + $4)); total_s=$((total_s + ${6:-0}))
done
echo "$total_p passed, $total_f failed, $total_s skipped"
exit $status
