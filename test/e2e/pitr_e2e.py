#!/usr/bin/python3
"""Point-in-time recovery through the real server and `db001 restore`: with WAL archiving on,
commit A, note the time, commit B, create a restore point, commit C; stop the server; restore
a copy of the data directory to the noted time (A only), another to the restore point (A and
B), another to the end (A, B, C) and compare the contents exactly.

usage: pitr_e2e.py BUILD_BIN_DIR   (77 = skipped: python3-psycopg2 missing)
"""
import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import ctypes

try:
    import psycopg2
except ImportError:
    print("SKIP: python3-psycopg2 is not installed")
    sys.exit(77)

failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def die_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def settings(root):
    return ["--data-dir", os.path.join(root, "data"), "-c", "storage.archive_mode=on",
            "-c", "storage.archive_directory=" + os.path.join(root, "archive"), "-c", "storage.wal_segment_size=1MB"]


def start(bin_dir, root):
    log_path = os.path.join(root, "server.log")
    log = open(log_path, "a")
    offset = log.tell()  # this run's lines only: earlier runs appended to the same log
    proc = subprocess.Popen([os.path.join(bin_dir, "db001"), "--port", "0", "--http-port", "0"] + settings(root),
                            stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.05)
        with open(log_path) as f:
            f.seek(offset)
            m = re.findall(r"connections on [^ ]*:(\d+)", f.read())
        if m and proc.poll() is None:
            return proc, int(m[-1])
        if proc.poll() is not None:
            break
    raise RuntimeError("server did not start:\n" + open(log_path).read()[-3000:])


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def contents(bin_dir, root):
    proc, port = start(bin_dir, root)
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="testdb", user="postgres", connect_timeout=10)
        cur = conn.cursor()
        cur.execute("SELECT batch, count(*), sum(n) FROM t GROUP BY batch ORDER BY batch")
        rows = cur.fetchall()
        conn.close()
        return rows
    finally:
        stop(proc)


def restore(bin_dir, root, *target):
    r = subprocess.run([os.path.join(bin_dir, "db001"), "restore", *target] + settings(root),
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        print(r.stdout, r.stderr)
    return r.returncode


def main():
    bin_dir = sys.argv[1]
    work = tempfile.mkdtemp(prefix="db001-pitr-")
    try:
        root = os.path.join(work, "orig")
        os.makedirs(root)
        proc, port = start(bin_dir, root)
        conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="testdb", user="postgres", connect_timeout=10)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE t (batch text, n int, pad text)")
        # Enough rows that the history spans several 1 MB segments (some archived).
        cur.execute("INSERT INTO t SELECT 'A', g, repeat('a', 100) FROM generate_series(1, 20000) g")
        cur.execute("CHECKPOINT")  # a checkpoint newer than the target must not get in the way
        time.sleep(0.3)
        noted = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        time.sleep(0.3)
        cur.execute("INSERT INTO t SELECT 'B', g, repeat('b', 100) FROM generate_series(1, 20000) g")
        cur.execute("SELECT pg_create_restore_point('after_b')")
        lsn = cur.fetchone()[0]
        check(re.fullmatch(r"[0-9A-F]+/[0-9A-F]+", lsn) is not None, f"pg_create_restore_point returns an LSN ({lsn})")
        cur.execute("INSERT INTO t SELECT 'C', g, repeat('c', 100) FROM generate_series(1, 20000) g")
        cur.execute("CHECKPOINT")
        conn.close()
        stop(proc)
        full = [("A", 20000, 200010000), ("B", 20000, 200010000), ("C", 20000, 200010000)]
        check(contents(bin_dir, root) == full, "the original holds A, B and C")

        cases = [("time", ["--target-time", noted], full[:1]),
                 ("restore point", ["--target-name", "after_b"], full[:2]),
                 ("LSN of the restore point", ["--target-lsn", lsn], full[:2])]
        for what, target, expect in cases:
            copy = os.path.join(work, what.replace(" ", "_"))
            shutil.copytree(root, copy)
            rc = restore(bin_dir, copy, *target)
            check(rc == 0, f"db001 restore to the {what} succeeds")
            got = contents(bin_dir, copy)
            check(got == expect, f"restored to the {what}: {got} == {expect}")
            # The restored database keeps working and survives a restart.
            proc, port = start(bin_dir, copy)
            conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="testdb", user="postgres")
            conn.autocommit = True
            conn.cursor().execute("INSERT INTO t VALUES ('D', 1, 'd')")
            conn.close()
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            got = contents(bin_dir, copy)
            check(got == expect + [("D", 1, 1)], f"after the {what} restore, new commits survive a crash")
        check(restore(bin_dir, os.path.join(work, "time"), "--target-name", "no_such_point") != 0,
              "restore to an unknown restore point fails clearly")

        # Roles and databases made with SQL survive a crash too.
        root2 = os.path.join(work, "cluster")
        os.makedirs(root2)
        proc, port = start(bin_dir, root2)
        conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="postgres", user="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE ROLE alice LOGIN PASSWORD 'secret' CREATEDB")
        cur.execute("CREATE DATABASE shop")
        conn.close()
        conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="shop", user="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1), (2)")
        conn.close()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc, port = start(bin_dir, root2)
        try:
            conn = psycopg2.connect(host="127.0.0.1", port=port, dbname="shop", user="postgres")
            cur = conn.cursor()
            cur.execute("SELECT count(*) FROM orders")
            check(cur.fetchone()[0] == 2, "a database made with CREATE DATABASE survives a crash with its rows")
            cur.execute("SELECT rolcanlogin, rolcreatedb FROM pg_roles WHERE rolname = 'alice'")
            check(cur.fetchall() == [(True, True)], "a role made with CREATE ROLE survives a crash")
            conn.close()
        finally:
            stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
