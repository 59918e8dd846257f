#!/bin/bash
# Build the Debian packages from a clean copy of the source (the files git
# tracks, plus new files not yet committed; nothing of any build tree), with
# DEB_BUILD_OPTIONS=nocheck and the nocheck profile (no test dependencies),
# in parallel, then run lintian on the result.
#   tests/deb/build.sh OUTDIR
# leaves OUTDIR/*.deb, OUTDIR/*.changes, OUTDIR/build.log, OUTDIR/lintian.log.
# Exit status: 0 built and lintian clean (no error or warning that is not
# overridden in debian/), 1 otherwise.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
	echo "build.sh: $src is not a git checkout (the package is built from the tracked files)" >&2
	exit 1
}
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree="$out/pam-bhxh-$version"
rm -rf "$tree" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$tree"
# tracked files and new untracked ones (.gitignore keeps build outputs out);
# files deleted in the work tree but still tracked are skipped
(cd "$src" && git ls-files -z -c -o --exclude-standard) |
	(cd "$src" && while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) |
	tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -
jobs=$(nproc 2>/dev/null || echo 2)
rc=0
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" \
	dpkg-buildpackage -us -uc -b -Pnocheck) >"$out/build.log" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	tail -40 "$out/build.log" >&2
	echo "build.sh: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
fi
rm -rf "$tree"
changes=$(ls "$out"/pam-bhxh_"$version"_*.changes)
if command -v lintian >/dev/null 2>&1; then
	rc=0
	lintian --fail-on error,warning --display-info "$changes" >"$out/lintian.log" 2>&1 || rc=$?
	cat "$out/lintian.log"
	[ "$rc" = 0 ] || { echo "build.sh: lintian reports errors or warnings" >&2; exit 1; }
else
	echo "build.sh: lintian not installed, not run" >&2
fi
ls "$out"/*.deb
