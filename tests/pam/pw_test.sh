#!/bin/sh
# Run tests/pam/pw_test under pam_wrapper (real PAM stacks, private pam.d).
. "$top_srcdir/tests/lib.sh"
[ -n "${PAM_WRAPPER_SO:-}" ] || skip "pam_wrapper not available"
matrix="$(dirname "$PAM_WRAPPER_SO")/pam_wrapper/pam_matrix.so"
[ -f "$matrix" ] || skip "pam_matrix.so not found"
export PAM_BHXH_SO="$top_builddir/pam_bhxh/.libs/pam_bhxh.so" PAM_MATRIX_SO="$matrix"
LD_PRELOAD="${SAN_PRELOAD:+$SAN_PRELOAD }$PAM_WRAPPER_SO" PAM_WRAPPER=1 \
	"$top_builddir/tests/pam/pw_test"
