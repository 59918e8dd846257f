#!/bin/bash
# bhxhctl report as a command (no root needed): files, standard input,
# several files in order, the three output formats, filters, bad arguments.
. "$top_srcdir/tests/lib.sh"
d=$(scratch_dir)
h() { printf 'node=%s type=%s msg=audit(%s:%s): pid=1 uid=0 auid=4294967295 ses=4294967295 msg=' "$@"; }
{
	h pc1 USER_AUTH 1764000000.000 1
	echo "'op=PAM:authentication grantors=? acct=\"an\" exe=\"/usr/sbin/sshd\" hostname=192.0.2.1 addr=192.0.2.1 terminal=ssh res=failed'"
	h pc1 USER_AUTH 1764000100.000 2
	echo "'op=PAM:authentication grantors=pam_unix acct=\"an\" exe=\"/usr/sbin/sshd\" hostname=192.0.2.1 addr=192.0.2.1 terminal=ssh res=success'"
	echo "not an audit record"
} >"$d/old.log"
{
	h pc2 TRUSTED_APP 1764086400.000 3
	echo "'op=PAM:bhxh_chauthtok acct=\"an\" reason=too_short grantors=bhxh service=\"passwd\" exe=\"/usr/bin/passwd\" hostname=? addr=? terminal=pts/0 res=failed'"
	h pc2 USER_CHAUTHTOK 1764086401.000 4
	echo "'op=PAM:chauthtok grantors=pam_bhxh acct=\"an\" exe=\"/usr/bin/passwd\" hostname=? addr=? terminal=pts/0 res=success'"
	h pc2 RESP_ACCT_LOCK_TIMED 1764086500.000 5
	echo "'op=PAM:bhxh_lockout acct=\"b,=x\" reason=locked_timed grantors=bhxh service=\"sshd\" failures=3 exe=\"/usr/sbin/sshd\" hostname=192.0.2.9 addr=192.0.2.9 terminal=ssh res=success'"
	printf 'type=USER_AUTH msg=audit(1764086600.000:6): pid=1 msg='"'"'op=PAM:auth'
} >"$d/new.log"

json=$("$BHXHCTL" report --json "$d/old.log" "$d/new.log") || fail "report --json"
assert_match '"lines": 7,' "$json" "lines"
assert_match '"malformed_lines": 2,' "$json" "malformed (garbage and a cut last line)"
assert_match '\{"user": "an", "auth_successes": 1, "auth_failures": 1, "account_refusals": 0, "locks": 0, "unlocks": 0, "password_changes": 1, "password_rejections": 1, "rejections_by_reason": \{"too_short": 1\}' "$json" "user an"
assert_match '"user": "b,=x", .*"locks": 1' "$json" "user b,=x"
assert_match '\{"host": "pc1", "auth_successes": 1, "auth_failures": 1,' "$json" "host pc1"
assert_match '"top_failure_sources": \[
    \{"source": "192.0.2.1", "failures": 1\}' "$json" "sources"

# standard input, and the same numbers
json2=$(cat "$d/old.log" "$d/new.log" | "$BHXHCTL" report --json -) || fail "report -"
assert_eq "$json" "$json2" "stdin and files"

csv=$("$BHXHCTL" report --csv "$d/old.log" "$d/new.log") || fail "report --csv"
assert_eq "kind,name,auth_successes,auth_failures,account_refusals,locks,unlocks,password_changes,password_rejections,expired_refusals,revoked_refusals,locked_refusals,rejections_by_reason,posture_av_missing,posture_av_stale,posture_wifi" \
	"$(printf '%s\n' "$csv" | head -1)" "csv header"
assert_match '^user,"an",1,1,0,0,0,1,1,0,0,0,"too_short:1",0,0,0$' "$(printf '%s\n' "$csv" | grep '^user,"an"')" "csv an"
assert_match '^user,"b,=x",0,0,0,1,' "$(printf '%s\n' "$csv" | grep '^user,"b')" "csv quoting"
assert_match '^source,"192.0.2.1",,1,' "$(printf '%s\n' "$csv" | grep '^source')" "csv source"

# filters: time (ISO with a zone, and auditd's form), user, host
one() { "$BHXHCTL" report --json "$@" "$d/old.log" "$d/new.log" | grep -o '"records": [0-9]*'; }
assert_eq '"records": 2' "$(one --until 2025-11-24T16:05:00Z)" "--until ISO"
assert_eq '"records": 3' "$(one --since 2025-11-25T23:00:00+07:00)" "--since with a zone"
assert_eq '"records": 5' "$(TZ=UTC one --since 11/24/2025 --until 11/25/2025)" "auditd dates, whole days"
assert_eq '"records": 3' "$(TZ=UTC one --since 11/25/2025 00:00:00)" "auditd date and time"
assert_eq '"records": 4' "$(one --user an)" "--user"
assert_eq '"records": 3' "$(one --host pc2)" "--host machine"
assert_eq '"records": 1' "$(one --host 192.0.2.9)" "--host remote address"

table=$("$BHXHCTL" report --top 1 "$d/old.log" "$d/new.log") || fail "table"
assert_match 'an +1 +1 +0 +0 +0 +1 +1 ' "$table" "table row"
assert_match 'rejected passwords: too_short:1' "$table" "table reasons"

# bad arguments and files: exit 2, a message, no crash
for args in "--since bogus" "--until 2026-02-30" "--top 0" "--top x" "--frobnicate" \
	"$d/missing.log" "--user"; do
	# shellcheck disable=SC2086
	"$BHXHCTL" report $args </dev/null >/dev/null 2>"$d/err"
	rc=$?
	assert_eq 2 "$rc" "exit status of report $args"
	assert_match '^bhxhctl: ' "$(head -1 "$d/err")" "message for report $args"
done
# binary garbage is only malformed lines
head -c 100000 /dev/urandom >"$d/bin"
json=$("$BHXHCTL" report --json "$d/bin") || fail "binary input"
assert_match '"records": 0' "$json" "binary input"
exit 0
