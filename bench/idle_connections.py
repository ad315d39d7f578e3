#!/usr/bin/python3
"""What an idle connection costs the db001 server: starts build/bin/db001 on free loopback ports
(temp data directory, killed with this script), opens 1 and then N more psycopg2 connections
that each ran one small query and then sit idle, and prints the server's resident memory
(VmRSS, plus its thread count) at each step and the KB per idle connection.

usage: /usr/bin/python3 bench/idle_connections.py [--connections 200] [--settle 2] [--bin build/bin]
"""
import argparse
import ctypes
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import psycopg2


def die_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


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
    log_path = os.path.join(work, "server.log")
    args = [os.path.join(a.bin, "db001"), "--port", "0", "--http-port", "0", "--data-dir", os.path.join(work, "data"),
            "-c", f"database.max_connections={a.connections + 10}"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    conns = []
    try:
        port = None
        for _ in range(200):
            time.sleep(0.05)
            m = re.search(r"connections on [^ ]*:(\d+)", open(log_path).read())
            if m:
                port = int(m.group(1))
                break
        if port is None:
            raise SystemExit("server did not start:\n" + open(log_path).read())

        def connect():
            c = psycopg2.connect(host="127.0.0.1", port=port, dbname="testdb", user="postgres")
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
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
