#!/bin/bash
# Admin code stays out of the login path: pam_bhxh.so, its password-phase
# object and libnss_bhxh.so.2 contain none of the builders, importers or
# report code (nm: defined symbols, local ones included), and pam_bhxh.so
# does not depend on libpwquality, libcrack or libcrypt (the password phase
# is loaded on demand).  bhxhctl is the positive control: it has them all,
# so an nm that sees nothing cannot pass this test.
. "$top_srcdir/tests/lib.sh"
require_cmd nm
require_cmd readelf

admin='bhxh_dirdb_serialize|bhxh_dirsrc_parse|bhxh_dirsrc_load|bhxh_dirdb_install|bhxh_denylist_build|bhxh_history_import|bhxh_history_prune|bhxh_report_'
mod=$top_builddir/pam_bhxh/.libs/pam_bhxh.so
pw=$top_builddir/pam_bhxh/.libs/pam_bhxh_password.so
nss=$top_builddir/nss_bhxh/.libs/libnss_bhxh.so.2
cli=$top_builddir/bhxhctl/bhxhctl
for f in "$mod" "$pw" "$nss" "$cli"; do [ -f "$f" ] || fail "$f not built"; done

defined() { nm "$@" 2>/dev/null | awk '$2 ~ /^[TtDdBbRr]$/ {print $3}'; }

n=$(defined "$cli" | grep -Ec "^($admin)" || true)
[ "$n" -ge 6 ] || fail "control: bhxhctl should define the admin functions (nm found $n)"

for f in "$mod" "$pw" "$nss"; do
	bad=$( { defined "$f"; defined -D "$f"; } | grep -E "^($admin)" | sort -u | tr '\n' ' ')
	[ -z "$bad" ] || fail "$(basename "$f") contains admin code: $bad"
done

# the login path maps no password-phase library
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
bad=$(needed "$mod" | grep -E '^lib(pwquality|crack|crypt|ldap)[.-]' | tr '\n' ' ')
[ -z "$bad" ] || fail "pam_bhxh.so needs $bad"
needed "$pw" | grep -q '^libpwquality\.' || fail "control: the password object should need libpwquality"
# directory accounts' password changes (dirpw): libldap in the password
# object only
needed "$pw" | grep -q '^libldap' || fail "control: the password object should need libldap"
# the NSS plugin needs libc only (and the sanitizers' runtimes in an
# ASan/UBSan build)
bad=$(needed "$nss" | grep -Ev '^(libc|libasan|libubsan|liblsan)\.so' | tr '\n' ' ')
[ -z "$bad" ] || fail "libnss_bhxh.so.2 needs $bad"

# exported symbols: pam_sm_* only, and the password object's one entry
bad=$(nm -D --defined-only "$mod" | awk '{print $3}' | grep -v '^pam_sm_' | tr '\n' ' ')
[ -z "$bad" ] || fail "pam_bhxh.so exports $bad"
assert_eq bhxh_pw_phase_v2 "$(nm -D --defined-only "$pw" | awk '{print $3}' | tr '\n' ' ' | sed 's/ $//')" \
	"pam_bhxh_password.so exports"
echo "ok: no admin code in the module, its password object or the NSS plugin"
