#!/bin/bash
# Posture findings in the audit trail (real auditd): each finding of a login
# is one TRUSTED_APP record with its reason, once per PAM handle even when
# the account phase runs twice; a refusal is res=failed.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/audit/common.sh"
. "$top_srcdir/tests/posture-lib.sh"
require_root
require_cmd ausearch
audit_lock
ensure_auditd

w=$(scratch_dir)
mkdir -m 700 "$w/tally" "$w/pam.d" "$w/db"
net="$w/net"
fake_iface "$net" wlan7 wireless up
export BHXH_TEST_SYSFS_NET="$net"
: >"$w/db/main.cvd"
touch -d '20 days ago' "$w/db/main.cvd"
: >"$w/bhxh.conf"
user=$(uniq_name)
scratch_user "$user" 'Posture-Test-2026'
opts="conf=$w/bhxh.conf dir=$w/tally posture_av_process=bhxhnoav posture_av_pidfile=$w/none.pid posture_av_db=$w/db"
printf 'account required %s %s\n' "$PAM_BHXH_SO" "$opts" >"$w/pam.d/warn"
printf 'account required %s %s posture_wifi=deny\n' "$PAM_BHXH_SO" "$opts" >"$w/pam.d/deny"

sleep 1
start=$(audit_now)
sleep 1
"$PAMDRIVE" --confdir "$w/pam.d" warn "$user" acct acct </dev/null >"$w/out" 2>&1 ||
	fail "warn: $(cat "$w/out")"
if "$PAMDRIVE" --confdir "$w/pam.d" deny "$user" acct </dev/null >>"$w/out" 2>&1; then
	fail "deny: login allowed"
fi
acct="acct=\"$user\""
op="type=TRUSTED_APP .*op=PAM:bhxh_posture $acct"
wait_for "$start" "$op id=[0-9]+ reason=posture_wifi .*ifname=\"wlan7\" count=1 .*res=failed" 1
assert_eq 1 "$(count "$start" "$op id=[0-9]+ reason=posture_av_missing .*av=\"bhxhnoav\" .*res=success")" \
	"one av_missing record for the warned login (acct ran twice)"
assert_eq 1 "$(count "$start" "$op id=[0-9]+ reason=posture_av_stale .*age_days=20 .*res=success")" \
	"one av_stale record for the warned login"
assert_eq 1 "$(count "$start" "$op id=[0-9]+ reason=posture_wifi .*res=success")" \
	"one wifi record for the warned login"
assert_eq 3 "$(count "$start" "$op .*res=failed")" "the refused login: three findings, failed"

# bhxhctl report: this machine out of posture, per kind (JSON and text)
# shellcheck disable=SC2086
"$BHXHCTL" report --since $start --user "$user" --json >"$w/rep.json" ||
	fail "bhxhctl report --json"
python3 - "$w/rep.json" <<'EOP' || fail "report: posture counts per machine"
import json, sys
d = json.load(open(sys.argv[1]))
hosts = [h for h in d["hosts"] if sum(h["posture"].values())]
assert len(hosts) == 1, d["hosts"]
p = hosts[0]["posture"]
# warned login (acct twice, one finding each) + refused login
assert p == {"posture_av_missing": 2, "posture_av_stale": 2, "posture_wifi": 2}, p
EOP
# shellcheck disable=SC2086
out=$("$BHXHCTL" report --since $start --user "$user") || fail "bhxhctl report"
assert_match 'Machines out of posture' "$out" "report text: posture section"
echo "ok"
