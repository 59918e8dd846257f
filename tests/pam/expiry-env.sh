# Sourced by the expiry area's PAM tests (after tests/lib.sh).
#
# wrapper_so NAME: the path of libNAME.so (pam_wrapper, nss_wrapper).  The
# configure-time value is used when it names a file; some pkg-config files
# have no libdir variable, so the usual library directories are searched.
wrapper_so() {
	local var c
	case $1 in
	pam_wrapper) var=${PAM_WRAPPER_SO:-} ;;
	nss_wrapper) var=${NSS_WRAPPER_SO:-} ;;
	esac
	for c in "$var" /usr/lib/*/lib"$1".so /usr/lib64/lib"$1".so /usr/lib/lib"$1".so; do
		[ -n "$c" ] && [ -f "$c" ] && { echo "$c"; return 0; }
	done
	return 1
}

# require_test_hooks: BHXH_TEST_NOW and BHXH_TEST_LOCALEDIR need a build
# configured with --enable-test-hooks.
require_test_hooks() {
	grep -q '^#define BHXH_TESTING 1' "$top_builddir/config.h" ||
		skip "needs a build configured with --enable-test-hooks"
}

# test_locales DIR: compile every po/*.po into DIR/LANG/LC_MESSAGES and
# point the module and bhxhctl at it (BHXH_TEST_LOCALEDIR, honoured only by
# --enable-test-hooks builds: the configured LOCALEDIR holds nothing during
# make check).
test_locales() {
	local po lang
	require_cmd msgfmt
	for po in "$top_srcdir"/po/*.po; do
		lang=$(basename "$po" .po)
		mkdir -p "$1/$lang/LC_MESSAGES"
		msgfmt -c -o "$1/$lang/LC_MESSAGES/pam_bhxh.mo" "$po" || fail "msgfmt $po"
	done
	BHXH_TEST_LOCALEDIR=$1
	export BHXH_TEST_LOCALEDIR
	unset LANGUAGE
}

# require_vi_locale: the Vietnamese locale (tests/deps.sh generates it).
require_vi_locale() {
	locale -a 2>/dev/null | grep -qi '^vi_VN\.utf-\?8$' ||
		fail "locale vi_VN.UTF-8 is missing: run tests/deps.sh"
}

# Days since the epoch of a time in seconds.
day_of() { echo $(($1 / 86400)); }
