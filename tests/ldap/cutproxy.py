#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that closes connections mid-stream: the first
CUTS connections (after the first SKIP, which pass whole) are cut after
LIMIT bytes from the server (a server that goes away in the middle of a
search); later ones pass whole.  Prints the
port it listens on (the first free one of PORTS), then serves until killed.

usage: cutproxy.py TARGET_PORT LIMIT CUTS FIRST_PORT LAST_PORT [SKIP]"""
import selectors
import socket
import sys

target, limit, cuts = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
skip = int(sys.argv[6]) if len(sys.argv) > 6 else 0
lst = None
for port in range(int(sys.argv[4]), int(sys.argv[5]) + 1):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        continue
    lst = s
    break
if lst is None:
    sys.exit("no free port")
lst.listen(8)
print(port, flush=True)
sel = selectors.DefaultSelector()
sel.register(lst, selectors.EVENT_READ, None)
peers = {}   # sock -> [other, is_server_side, state]
served = 0


def close(a):
    b = peers.pop(a)[0]
    peers.pop(b, None)
    for x in (a, b):
        try:
            sel.unregister(x)
        except (KeyError, ValueError):
            pass
        x.close()


while True:
    for key, _ in sel.select():
        sk = key.fileobj
        if sk is lst:
            c, _ = lst.accept()
            u = socket.create_connection(("127.0.0.1", target))
            state = {"left": limit if skip <= served < skip + cuts else -1}
            served += 1
            peers[c] = [u, False, state]
            peers[u] = [c, True, state]
            sel.register(c, selectors.EVENT_READ, None)
            sel.register(u, selectors.EVENT_READ, None)
            continue
        if sk not in peers:
            continue
        other, from_server, state = peers[sk]
        try:
            data = sk.recv(65536)
        except OSError:
            data = b""
        if not data:
            close(sk)
            continue
        if from_server and state["left"] >= 0:
            if len(data) >= state["left"]:
                other.sendall(data[:state["left"]])
                close(sk)
                continue
            state["left"] -= len(data)
        try:
            other.sendall(data)
        except OSError:
            close(sk)
