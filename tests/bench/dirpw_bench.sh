#!/bin/bash
# Benchmark of the directory password change and the fleet-wide lockout
# (not run by make check; results in BENCHMARKS.md).  As root, from the
# build directory:
#
#   top_builddir=$PWD top_srcdir=$PWD/.. BHXH_LOCALSTATEDIR=/var \
#       bash ../tests/bench/dirpw_bench.sh [CHANGES] [LOCKS]
#
# The tests' slapd (TLS, ppolicy, syncprov) and machines A and B, each
# following with its own db sync --follow (tests/dirpw/common.sh).
#  - change: root sets a new password of dpa through PAM on A (pamdrive,
#    the stack of conf/pam.d/bhxh-example); measured from pam_chauthtok's
#    return to B's database holding the new hash (B's shadow.db replaced,
#    polled every 2 ms), then confirmed by a login on B (pam_unix through
#    the plugin) with the new password;
#  - lock: three wrong passwords for dpc on A; measured from the lock's
#    entry appearing in A's queue (polled every 1 ms; pam_unix's failure
#    delay follows it) to B's tally for dpc written by B's sync (polled every
#    2 ms), then confirmed by a refused login on B; reset on B between
#    rounds (and A's unlock awaited).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/dirpw/common.sh"
N=${1:-50}
L=${2:-20}
dirpw_setup
follow_on A
follow_on B
on A true
cp "$T/on.sh" "$T/onA.sh"
on B true
cp "$T/on.sh" "$T/onB.sh"

python3 - "$T" "$PAMDRIVE" "$BHXHCTL" "$N" "$L" <<'PY'
import os, statistics, subprocess, sys, time
T, pamdrive, bhxhctl, N, L = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

def run(m, args, inp):
    return subprocess.run(['unshare', '-m', 'sh', f'{T}/on{m}.sh', pamdrive, '--confdir',
                           f'{T}/pam.d', f'dpm{m.lower()}'] + args, input=inp.encode(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

def ident(p):
    try:
        st = os.stat(p)
        return (st.st_ino, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        return None

def wait_change(p, before, limit=10.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if ident(p) != before:
            return time.monotonic()
        time.sleep(0.002)
    return None

def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]

WORDS = ['amber', 'basil', 'cedar', 'delta', 'ember', 'fjord', 'gamma', 'hazel', 'indigo',
         'jasper', 'kelp', 'lotus', 'maple', 'nectar', 'onyx', 'pearl', 'quartz', 'raven',
         'sable', 'topaz']
change, login_check = [], []
shadow_b = f'{T}/B/db/shadow.db'
for i in range(N + 10):
    if len(change) == N:
        break
    w = WORDS
    num = 2053 + 97 * i
    while any(a == b for a, b in zip(str(num), str(num)[1:])):
        num += 1
    pw = f'{w[i % 20]} {w[(i + 7) % 20]} {w[(i + 13) % 20]} {num}'
    before = ident(shadow_b)
    r = run('A', ['dpa', 'chauthtok'], f'{pw}\n{pw}\n')
    t_done = time.monotonic()
    if r.returncode != 0 and b'Conversation error' in r.stdout:
        print(f'(change {i}: "{pw}" refused by the agency rules; skipped)')
        continue
    if r.returncode != 0:
        sys.exit(f'change {i} failed: {r.stdout.decode()}')
    t_b = wait_change(shadow_b, before)
    if t_b is None:
        sys.exit(f'change {i}: B never changed')
    t1 = time.monotonic()
    while run('B', ['dpa', 'auth'], pw + '\n').returncode != 0:
        if time.monotonic() - t1 > 5:
            sys.exit(f'change {i}: new password refused on B')
    change.append((t_b - t_done) * 1000)
    login_check.append((time.monotonic() - t1) * 1000)

lock = []
tally_b = f'{T}/B/tally/dpc'
for i in range(L):
    for k in range(2):
        run('A', ['dpc', 'auth'], 'Not-The-Password-1\n')
    before = ident(tally_b)
    q = [f'{T}/A/queue/dpc', f'{T}/A/queue/dpc.sent']
    qbefore = [ident(x) for x in q]
    # the third failure locks; pam_unix's failure delay follows, so the
    # lock's moment is when the module queues it
    p = subprocess.Popen(['unshare', '-m', 'sh', f'{T}/onA.sh', pamdrive, '--confdir',
                          f'{T}/pam.d', 'dpma', 'dpc', 'auth'], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.stdin.write(b'Not-The-Password-1\n')
    p.stdin.close()
    t0 = time.monotonic()
    while [ident(x) for x in q] == qbefore:
        if time.monotonic() - t0 > 10:
            sys.exit(f'lock {i}: nothing queued on A')
        time.sleep(0.001)
    t_done = time.monotonic()
    t_b = wait_change(tally_b, before)
    p.wait()
    if t_b is None:
        sys.exit(f'lock {i}: B never locked')
    if run('B', ['dpc', 'auth', 'acct'], 'Old-Pass-2026c\n').returncode == 0:
        sys.exit(f'lock {i}: B still accepts dpc')
    lock.append((t_b - t_done) * 1000)
    subprocess.run(['unshare', '-m', 'sh', f'{T}/onB.sh', bhxhctl, '--conf', f'{T}/B/bhxh.conf',
                    'lockout', 'reset', '--user', 'dpc'], stdout=subprocess.DEVNULL, check=True)
    t1 = time.monotonic()
    while run('A', ['dpc', 'auth'], 'Old-Pass-2026c\n').returncode != 0:
        if time.monotonic() - t1 > 5:
            sys.exit(f'lock {i}: reset on B did not unlock A')
    time.sleep(0.3)

def show(name, v):
    print(f'{name}: n={len(v)} median={statistics.median(v):.0f} ms '
          f'p90={pct(v, 0.9):.0f} ms p99={pct(v, 0.99):.0f} ms max={max(v):.0f} ms')
show('passwd on A -> new hash on B', change)
show('  (then one login on B, the probe)', login_check)
show('lock on A -> locked on B', lock)
PY
