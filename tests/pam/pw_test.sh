#!/bin/bash
# Run tests/pam/pw_test under pam_wrapper (real PAM stacks, private pam.d).
. "$top_srcdir/tests/lib.sh"
# configure may leave PAM_WRAPPER_SO as "/libpam_wrapper.so" when pkg-config
# has no libdir for pam_wrapper: fall back to the multiarch location
wrapper=
for p in "${PAM_WRAPPER_SO:-}" /usr/lib/*/libpam_wrapper.so /usr/lib64/libpam_wrapper.so; do
	if [ -n "$p" ] && [ -f "$p" ]; then wrapper=$p; break; fi
done
[ -n "$wrapper" ] || skip "pam_wrapper not available"
matrix=
for p in "$(dirname "$wrapper")/pam_wrapper/pam_matrix.so" /usr/lib/*/pam_wrapper/pam_matrix.so; do
	if [ -f "$p" ]; then matrix=$p; break; fi
done
[ -n "$matrix" ] || skip "pam_matrix.so not found"
items="$(dirname "$matrix")/pam_set_items.so"
[ -f "$items" ] || skip "pam_set_items.so not found"
export PAM_BHXH_SO="$top_builddir/pam_bhxh/.libs/pam_bhxh.so" PAM_MATRIX_SO="$matrix"
export PAM_SET_ITEMS_SO="$items"
LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$wrapper" PAM_WRAPPER=1 \
	"$top_builddir/tests/pam/pw_test"
