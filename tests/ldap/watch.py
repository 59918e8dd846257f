#!/usr/bin/env python3
"""An already-running process: resolve NAME every 20 ms through glibc (the
plugin) and print the time (ns since the epoch) at which it stops
resolving, or "never" after TIMEOUT seconds.  usage: watch.py NAME TIMEOUT"""
import pwd
import sys
import time

name, timeout = sys.argv[1], float(sys.argv[2])
pwd.getpwnam(name)  # resolves at the start
print("ready", flush=True)
end = time.time() + timeout
while time.time() < end:
    try:
        pwd.getpwnam(name)
    except KeyError:
        print(time.time_ns(), flush=True)
        sys.exit(0)
    time.sleep(0.02)
print("never", flush=True)
