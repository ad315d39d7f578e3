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
import subprocess
import sys
import tempfile
import time

try:
    import psycopg2
except ImportError:
    print("SKIP: python3-psycopg2 is not installed")
    sys.exit(77)

from dbserver import DbServer, check, failures

def settings(root):
    return ["-c", "storage.archive_mode=on", "-c", "storage.archive_directory=" + os.path.join(root, "archive"),
            "-c", "storage.wal_segment_size=1MB"]


def start(bin_dir, root):
    """A server on root/data (WAL archived to root/archive), started."""
    return DbServer(bin_dir, os.path.join(root, "data"), settings(root), os.path.join(root, "server.log")).start()


def contents(bin_dir, root):
    server = start(bin_dir, root)
    try:
        conn = server.connect()
        cur = conn.cursor()
        cur.execute("SELECT batch, count(*), sum(n) FROM t GROUP BY batch ORDER BY batch")
        rows = cur.fetchall()
        conn.close()
        return rows
    finally:
        server.stop(timeout=30)


def restore(bin_dir, root, *target):
    r = subprocess.run([os.path.join(bin_dir, "db001"), "restore", *target, "--data-dir", os.path.join(root, "data")] +
                       settings(root),
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
        server = start(bin_dir, root)
        conn = server.connect()
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
        server.stop(timeout=30)
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
            server = start(bin_dir, copy)
            conn = server.connect()
            conn.autocommit = True
            conn.cursor().execute("INSERT INTO t VALUES ('D', 1, 'd')")
            conn.close()
            server.kill()
            got = contents(bin_dir, copy)
            check(got == expect + [("D", 1, 1)], f"after the {what} restore, new commits survive a crash")
        check(restore(bin_dir, os.path.join(work, "time"), "--target-name", "no_such_point") != 0,
              "restore to an unknown restore point fails clearly")

        # Roles and databases made with SQL survive a crash too.
        root2 = os.path.join(work, "cluster")
        os.makedirs(root2)
        server = start(bin_dir, root2)
        conn = server.connect(db="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE ROLE alice LOGIN PASSWORD 'secret' CREATEDB")
        cur.execute("CREATE DATABASE shop")
        conn.close()
        conn = server.connect(db="shop")
        conn.autocommit = True
        conn.cursor().execute("CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO orders VALUES (1), (2)")
        conn.close()
        server.kill()
        server = start(bin_dir, root2)
        try:
            conn = server.connect(db="shop")
            cur = conn.cursor()
            cur.execute("SELECT count(*) FROM orders")
            check(cur.fetchone()[0] == 2, "a database made with CREATE DATABASE survives a crash with its rows")
            cur.execute("SELECT rolcanlogin, rolcreatedb FROM pg_roles WHERE rolname = 'alice'")
            check(cur.fetchall() == [(True, True)], "a role made with CREATE ROLE survives a crash")
            conn.close()
        finally:
            server.stop(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
