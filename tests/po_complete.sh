#!/bin/bash
# Every message the sources mark for translation (_(), N_(), P_()) has a
# Vietnamese translation in po/vi.po -- not missing, not empty, not fuzzy
# -- and every source file that marks one is listed in po/POTFILES.in (a
# file missing there would be left out of the template unseen).
. "$top_srcdir/tests/lib.sh"
require_cmd xgettext
require_cmd msgcmp

T=$(scratch_dir)
cd "$top_srcdir" || fail "no source tree"
for f in $(grep -l -E '\b(N_|P_|_)\("' lib/*.c pam_bhxh/*.c nss_bhxh/*.c bhxhctl/*.c); do
	grep -qx "$f" po/POTFILES.in || fail "$f marks messages but is not in po/POTFILES.in"
done
xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 -f po/POTFILES.in \
	-o "$T/all.pot" || fail "xgettext"
[ "$(grep -c '^msgid ' "$T/all.pot")" -gt 100 ] || fail "xgettext found almost nothing"
out=$(msgcmp po/vi.po "$T/all.pot" 2>&1) ||
	fail "messages without a Vietnamese translation: $(echo "$out" | grep -v 'not used')"
echo ok
