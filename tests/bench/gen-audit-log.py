#!/usr/bin/env python3
"""Write a synthetic auditd log for benchmarking `bhxhctl report`.

Usage: gen-audit-log.py N [SEED] [MACHINES] > audit.log

MACHINES (default 100) distinct node= names (a collector's log).

N records (lines) in auditd's raw format, roughly what a fleet of machines
running pam_bhxh sends to the central log server: libpam's USER_AUTH /
USER_ACCT / CRED_ACQ / USER_START / USER_END / USER_CHAUTHTOK records,
pam_bhxh's TRUSTED_APP decision records, lockout records
(ANOM_LOGIN_FAILURES, RESP_ACCT_LOCK_TIMED, RESP_ACCT_UNLOCK_TIMED), some
SYSCALL+PATH+PROCTITLE events that a report must skip, and one malformed
line in ten thousand.  Deterministic for a given seed.
"""
import random
import sys


def main():
    n = int(sys.argv[1])
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    users = ["nv%04d" % i for i in range(500)] + ["root", "admin"]
    hosts = ["10.%d.%d.%d" % (rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
             for _ in range(300)]
    nodes = ["may%03d" % i for i in range(int(sys.argv[3]) if len(sys.argv) > 3 else 100)]
    reasons = ["too_short", "denylisted", "reused", "too_soon"]
    t = 1764000000.0
    serial = 1
    out = sys.stdout
    w = out.write
    written = 0

    def rec(typ, node, body):
        nonlocal written, serial
        serial += 1
        w("node=%s type=%s msg=audit(%.3f:%d): pid=%d uid=0 auid=4294967295 "
          "ses=4294967295 subj=unconfined msg='%s'\n"
          % (node, typ, t, serial, 1000 + serial % 30000, body))
        written += 1

    def pam(op, user, host, res, exe="/usr/sbin/sshd", grantors="pam_unix"):
        return ('op=%s grantors=%s acct="%s" exe="%s" hostname=%s addr=%s '
                'terminal=ssh res=%s' % (op, grantors if res == "success" else "?",
                                         user, exe, host, host, res))

    def bhxh(op, reason, user, host, res, extra=""):
        return ('op=%s reason=%s%s service="sshd" acct="%s" exe="/usr/sbin/sshd" '
                'hostname=%s addr=%s terminal=ssh res=%s'
                % (op, reason, extra, user, host, host, res))

    while written < n:
        t += rnd.random() * 0.05
        serial += 1
        node = rnd.choice(nodes)
        user = rnd.choice(users)
        host = rnd.choice(hosts)
        k = rnd.random()
        if k < 0.0001:
            w("node=%s type=USER_AUTH msg=audit(%.3f:%d): pid=1 uid=0 msg='op=PAM:auth\n"
              % (node, t, serial))
            written += 1
        elif k < 0.30:  # failed password
            rec("USER_AUTH", node, pam("PAM:authentication", user, host, "failed"))
            rec("TRUSTED_APP", node, bhxh("PAM:bhxh_authfail", "wrong_password", user, host,
                                          "failed"))
        elif k < 0.31:  # lock
            rec("ANOM_LOGIN_FAILURES", node,
                bhxh("PAM:bhxh_lockout", "too_many_failures", user, host, "failed",
                     " failures=3"))
            rec("RESP_ACCT_LOCK_TIMED", node,
                bhxh("PAM:bhxh_lockout", "locked_timed", user, host, "success",
                     " failures=3"))
        elif k < 0.32:
            rec("RESP_ACCT_UNLOCK_TIMED", node,
                bhxh("PAM:bhxh_unlock", "lock_expired", user, host, "success"))
        elif k < 0.34:
            rec("USER_AUTH", node, pam("PAM:authentication", user, host, "failed"))
            rec("TRUSTED_APP", node, bhxh("PAM:bhxh_preauth", "account_locked", user, host,
                                          "failed"))
        elif k < 0.60:  # successful login
            rec("USER_AUTH", node, pam("PAM:authentication", user, host, "success"))
            rec("TRUSTED_APP", node, bhxh("PAM:bhxh_authsucc", "authenticated", user, host,
                                          "success"))
            rec("USER_ACCT", node, pam("PAM:accounting", user, host, "success"))
            rec("TRUSTED_APP", node, bhxh("PAM:bhxh_account", "allowed", user, host,
                                          "success"))
            rec("CRED_ACQ", node, pam("PAM:setcred", user, host, "success"))
            rec("USER_START", node, pam("PAM:session_open", user, host, "success"))
        elif k < 0.63:
            r = rnd.choice(["password_expired", "account_expired", "revoked", "inactive"])
            rec("USER_ACCT", node, pam("PAM:accounting", user, host, "failed"))
            rec("TRUSTED_APP", node, bhxh("PAM:bhxh_account", r, user, host, "failed"))
        elif k < 0.66:
            if rnd.random() < 0.5:
                rec("TRUSTED_APP", node, bhxh("PAM:bhxh_chauthtok", "changed", user, host,
                                              "success"))
                rec("USER_CHAUTHTOK", node, pam("PAM:chauthtok", user, host, "success",
                                                exe="/usr/bin/passwd"))
            else:
                rec("TRUSTED_APP", node, bhxh("PAM:bhxh_chauthtok", rnd.choice(reasons),
                                              user, host, "failed"))
                rec("USER_CHAUTHTOK", node, pam("PAM:chauthtok", user, host, "failed",
                                                exe="/usr/bin/passwd"))
        elif k < 0.80:
            rec("USER_END", node, pam("PAM:session_close", user, host, "success"))
            rec("CRED_DISP", node, pam("PAM:setcred", user, host, "success"))
        else:  # kernel noise: a three-record syscall event
            w("node=%s type=SYSCALL msg=audit(%.3f:%d): arch=c000003e syscall=257 "
              "success=yes exit=3 a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=42 "
              "auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
              "tty=(none) ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" subj=unconfined "
              "key=\"shadow\"\n" % (node, t, serial))
            w("node=%s type=PATH msg=audit(%.3f:%d): item=0 name=\"/etc/shadow\" "
              "inode=1234 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 "
              "nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
              % (node, t, serial))
            w("node=%s type=PROCTITLE msg=audit(%.3f:%d): "
              "proctitle=636174002F6574632F736861646F77\n" % (node, t, serial))
            written += 3
    out.flush()


if __name__ == "__main__":
    main()
