#!/bin/bash
# bhxhctl password check / denylist / history from the command line, with
# the default denylist built by make.
. "$top_srcdir/tests/lib.sh"
d=$(scratch_dir)
dl="$top_builddir/data/denylist.bhxhdl"
: >"$d/bhxh.conf"
ctl() { "$BHXHCTL" --conf "$d/bhxh.conf" "$@"; }
common=(pwquality_conf=none "denylist=$dl" "badwords=bhxh bhyt vssid baohiem hanoi")

# the issue's five: all refused, exit 1, a reason each, no password echoed
out=$(printf '%s\n' 'P@ssw0rd1234' 'Bhxh@2026Hanoi' 'Anhyeuem@2026' 'Matkhau@12345' \
	'qwertyuiop123' | ctl password check "${common[@]}")
rc=$?
assert_eq 1 "$rc" "exit status with refusals"
assert_eq 5 "$(printf '%s\n' "$out" | grep -c $'\trefused\t')" "refused count"
printf '%s\n' "$out" | grep -q 'Anhyeuem\|P@ss\|qwertyuiop1' && fail "password echoed: $out"

# three words straight from the leaked lists: refused (the denylist doubles as
# the dictionary of the estimate)
out=$(echo 'money carmen mickey' | ctl password check "${common[@]}")
assert_eq 1 "$?" "listed words ($out)"
assert_match 'dictionary_word' "$out" "listed words reason"

# passphrases: accepted, exit 0
out=$(printf '%s\n' 'con mèo đen ngủ trên mái nhà cũ' 'correct horse battery staple' |
	ctl password check "${common[@]}")
assert_eq 0 "$?" "exit status for passphrases ($out)"

# the default denylist: valid, and it knows john's and the Vietnamese list
ctl denylist check -f "$dl" >/dev/null || fail "default denylist invalid"
out=$(printf 'matkhau123\nzq8#Lm2!vX7p_Kw\n' | ctl denylist check -f "$dl" --lookup)
assert_eq $'listed\nnot listed' "$(printf '%s\n' "$out" | tail -n 2)" "lookups"

# the peers' files are read as the module reads them: pwquality.conf (named
# in bhxh.conf) before bhxh.conf, whose own values win
d2=$(scratch_dir)
printf 'minlen = 40\ndcredit = -1\n' >"$d2/pwquality.conf"
printf 'pwquality_conf = %s\ndenylist = none\n' "$d2/pwquality.conf" >"$d2/bhxh.conf"
out=$(echo 'correct horse battery staple' | "$BHXHCTL" --conf "$d2/bhxh.conf" password check)
assert_eq 1 "$?" "pwquality.conf minlen=40 ($out)"
assert_match 'too_short' "$out" "pwquality.conf minlen=40 reason"
printf 'minlen = 12\n' >>"$d2/bhxh.conf"
out=$(echo 'correct horse battery staple' | "$BHXHCTL" --conf "$d2/bhxh.conf" password check)
assert_eq 1 "$?" "pwquality.conf dcredit=-1 still applies ($out)"
assert_match 'too_few_classes' "$out" "dcredit reason"
out=$(echo 'correct horse battery staple 7' | "$BHXHCTL" --conf "$d2/bhxh.conf" password check)
assert_eq 0 "$?" "bhxh.conf minlen=12 wins over pwquality.conf ($out)"

# a missing dictionary is a clear error (exit 2), not an accept
out=$(echo 'whatever it is here' | ctl password check pwquality_conf=none denylist=none \
	dictpath=/nonexistent/dict 2>&1)
assert_eq 2 "$?" "missing dictionary exit"
assert_match 'cracklib dictionary /nonexistent/dict.pwd' "$out" "missing dictionary message"

# build from a list, then import an opasswd and prune
printf 'one\ntwo\n' >"$d/list"
ctl denylist build "$d/list" -o "$d/dl" >/dev/null || fail "build"
ctl denylist check -f "$d/dl" >/dev/null || fail "check of a fresh build"
h=$(python3 -c 'import crypt; print(crypt.crypt("old pass", crypt.mksalt(crypt.METHOD_SHA512)))' 2>/dev/null) ||
	h='$6$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnop'
printf 'root:0:1:%s\nno-such-user-bhxh:4242:1:%s\n' "$h" "$h" >"$d/opasswd"
ctl history import "$d/opasswd" --dir "$d/hist" >/dev/null || fail "import"
[ -f "$d/hist/root" ] && [ -f "$d/hist/no-such-user-bhxh" ] || fail "import files"
ctl history prune --dir "$d/hist" >/dev/null || fail "prune"
[ -f "$d/hist/root" ] || fail "prune removed an existing user"
[ ! -e "$d/hist/no-such-user-bhxh" ] || fail "prune kept a deleted user"
echo "ok"
