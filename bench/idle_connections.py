#!/usr/bin/python3
"""What an idle connection costs the db001 server: starts build/bin/db001 on free loopback ports
(temp data directory, killed with this script), opens 1 and then N more psycopg2 connections
that each ran one small query and then sit idle, and prints the server's resident memory
(VmRSS, plus its thread count) at each step and the KB per idle connection.

usage: /usr/bin/python3 bench/idle_connections.py [--connections 200] [--settle 2] [--bin build/bin]
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "e2e"))
from dbserver import DbServer  # noqa: E402  (the e2e tests' server process helper)


def status(pid):
    text = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", text).group(1))
    threads = int(re.search(r"Threads:\s+(\d+)", text).group(1))
    return rss, threads


def settle(pid, seconds):
    """RSS once the sessions have gone idle (the server trims a session after 1 s of quiet)."""
    time.sleep(seconds)
    return status(pid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--settle", type=float, default=2.0, help="seconds to wait before each measurement")
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="db001-idle-")
    server = DbServer(a.bin, os.path.join(work, "data"), ["-c", f"database.max_connections={a.connections + 10}"])
    conns = []
    try:
        server.start()
        proc = server.proc

        def connect():
            c = server.connect()
            c.autocommit = True
            with c.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_catalog.pg_class")  # a used, then idle, session
                cur.fetchone()
            return c

        base, base_threads = settle(proc.pid, a.settle)
        conns.append(connect())
        one, one_threads = settle(proc.pid, a.settle)
        for _ in range(a.connections):
            conns.append(connect())
        many, many_threads = settle(proc.pid, a.settle)
        n = a.connections
        per = (many - one) / n
        print(f"server RSS: {base} kB with no client ({base_threads} threads), {one} kB with 1 idle connection "
              f"({one_threads} threads), {many} kB with {n + 1} ({many_threads} threads)")
        print(f"per idle connection: {per:.0f} kB ({many - one} kB for {n} more connections)")
    finally:
        for c in conns:
            c.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
