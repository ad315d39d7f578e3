#!/usr/bin/python3
"""End-to-end tests of the db001 server through real PostgreSQL clients (Debian's psql,
pgbench and libpq via psycopg2). Every server runs on free ports (port 0, read back from its
log) in a temporary data directory; everything is killed and removed at the end.

usage: server_e2e.py BUILD_BIN_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import psycopg2
import psycopg2.errors

from dbserver import PGBENCH, PSQL, DbServer, check, failures


class Server(DbServer):
    """A db001 server on free ports in its own temporary directory (with an optional YAML
    config); stop() also removes the directory."""

    def __init__(self, bin_dir, config_text=None, extra=()):
        self.dir = tempfile.mkdtemp(prefix="db001-e2e-")
        config = None
        if config_text is not None:
            config = os.path.join(self.dir, "db.yaml")
            with open(config, "w") as f:
                f.write(config_text)
        super().__init__(bin_dir, os.path.join(self.dir, "data"), extra, os.path.join(self.dir, "server.log"), config)
        try:
            self.start(timeout=20)
        except Exception:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def stop(self):
        code = super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


def test_psql_basics(s):
    r = s.psql("-c", "CREATE TABLE kv (k int PRIMARY KEY, v text NOT NULL, n numeric(8,2) DEFAULT 1.5)",
               "-c", "INSERT INTO kv VALUES (1, 'one'), (2, 'two', 2.25)", "-c", "SELECT * FROM kv ORDER BY k")
    check(r.returncode == 0, "psql runs DDL, INSERT and SELECT: " + r.stderr)
    expected = " k |  v  |  n   \n---+-----+------\n 1 | one | 1.50\n 2 | two | 2.25\n(2 rows)\n"
    check(expected in r.stdout, "psql prints aligned rows as PostgreSQL:\n" + r.stdout)
    r = s.psql("-v", "VERBOSITY=verbose", "-c", "SELECT 1/0")
    check(r.returncode == 1 and "ERROR:  22012: division by zero" in r.stderr,
          "errors carry SQLSTATE over the wire: " + r.stderr)
    r = s.psql("-v", "VERBOSITY=verbose", "-c", "SELEC 1")
    check("42601" in r.stderr and "LINE 1: SELEC 1" in r.stderr and "^" in r.stderr,
          "syntax errors carry the cursor position: " + r.stderr)
    r = s.psql("-c", "BEGIN", "-c", "SELECT nosuch FROM kv", "-c", "SELECT 1", "-c", "ROLLBACK", "-c", "SELECT count(*) FROM kv")
    check("25P02" in r.stderr or "current transaction is aborted" in r.stderr, "failed block gives 25P02: " + r.stderr)
    r = s.psql("-At", "-c", "SELECT version()", "-c", "SELECT current_database()", "-c", "SHOW server_version")
    check(r.returncode == 0 and "testdb" in r.stdout, "version()/current_database()/SHOW: " + r.stdout + r.stderr)
    r = s.psql(db="nosuchdb")
    check(r.returncode != 0 and 'database "nosuchdb" does not exist' in r.stderr, "unknown database: " + r.stderr)
    r = s.psql(user="nosuchrole")
    check(r.returncode != 0 and 'role "nosuchrole" does not exist' in r.stderr, "unknown role: " + r.stderr)
    r = s.psql("-c", "SELECT 1", db="postgres")
    check(r.returncode == 0, "the postgres database exists: " + r.stderr)


def test_libpq_prepared(s):
    with s.connect() as c:
        cur = c.cursor()
        cur.execute("CREATE TABLE acc (id int PRIMARY KEY, bal bigint NOT NULL, name varchar(10))")
        cur.executemany("INSERT INTO acc VALUES (%s, %s, %s)", [(i, i * 10, f"n{i}") for i in range(1, 101)])
        c.commit()
        cur.execute("SELECT sum(bal), count(*) FROM acc")
        check(cur.fetchone() == (50500, 100), "psycopg2 inserts and aggregates")
        cur.execute("SELECT name FROM acc WHERE id = %s", (42,))
        check(cur.fetchone() == ("n42",), "psycopg2 parameters")
        try:
            cur.execute("INSERT INTO acc VALUES (1, 0, 'dup')")
            check(False, "duplicate key must fail")
        except psycopg2.errors.UniqueViolation as e:
            check(e.pgcode == "23505" and "Key (id)=(1) already exists." in (e.diag.message_detail or ""),
                  "23505 with detail over the wire")
        c.rollback()
        cur.execute("SELECT bal FROM acc WHERE id = 1")
        check(cur.fetchone() == (10,), "rollback after an error")
    # Extended protocol with real server-side prepared statements: pgbench -M prepared.
    script = os.path.join(s.dir, "point.sql")
    with open(script, "w") as f:
        f.write("\\set k random(1, 100)\nSELECT bal FROM acc WHERE id = :k;\n"
                "UPDATE acc SET bal = bal + 1 WHERE id = :k;\n")
    for mode in ("simple", "extended", "prepared"):
        r = subprocess.run([PGBENCH, "-h", "127.0.0.1", "-p", str(s.port), "-U", "postgres", "-n", "-f", script,
                            "-c", "4", "-j", "2", "-t", "200", "-M", mode, "testdb"],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0 and "number of failed transactions: 0" in r.stdout,
              f"pgbench -M {mode} with a custom script: " + r.stdout[-300:] + r.stderr[-300:])
    with s.connect() as c:
        cur = c.cursor()
        cur.execute("SELECT sum(bal) FROM acc")
        check(cur.fetchone() == (50500 + 3 * 800,), "every pgbench update was applied exactly once")


def test_cancel(s):
    with s.connect() as c:
        cur = c.cursor()
        cur.execute("CREATE TABLE big (x int)")
        cur.execute("INSERT INTO big SELECT a.id * 100 + b.id FROM acc a, acc b")
        c.commit()
        timer = threading.Timer(0.5, c.cancel)
        timer.start()
        t0 = time.time()
        try:
            cur.execute("SELECT count(*) FROM big a, big b, big c WHERE a.x + b.x + c.x = -1")
            check(False, "the long query must be cancelled")
        except psycopg2.errors.QueryCanceled as e:
            check(e.pgcode == "57014", "CancelRequest cancels a running query (57014)")
        check(time.time() - t0 < 10, "cancel takes effect quickly")
        c.rollback()
        cur.execute("SELECT 1")
        check(cur.fetchone() == (1,), "the session goes on after a cancel")


def test_psql_catalog_and_copy(s):
    r = s.psql("-c", "CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL, price numeric(10,2) DEFAULT 0)",
               "-c", "CREATE INDEX items_name ON items (name)")
    check(r.returncode == 0, "DDL for \\d: " + r.stderr)
    r = s.psql("-c", "\\d items")
    expected = ('                      Table "public.items"\n'
                " Column |         Type          | Collation | Nullable | Default \n"
                "--------+-----------------------+-----------+----------+---------\n"
                " id     | integer               |           | not null | \n"
                " name   | character varying(20) |           | not null | \n"
                " price  | numeric(10,2)         |           |          | 0\n"
                "Indexes:\n"
                '    "items_pkey" PRIMARY KEY, btree (id)\n'
                '    "items_name" btree (name)\n')
    check(r.returncode == 0 and r.stdout == expected + "\n", "psql \\d TABLE as PostgreSQL prints it:\n" + r.stdout + r.stderr)
    r = s.psql("-c", "\\dt")
    check(r.returncode == 0 and "| items " in r.stdout and "| table |" in r.stdout, "psql \\dt: " + r.stdout + r.stderr)
    r = s.psql("-c", "\\l")
    check(r.returncode == 0 and "testdb" in r.stdout and "postgres" in r.stdout, "psql \\l: " + r.stdout + r.stderr)
    r = s.psql("-c", "\\du")
    check(r.returncode == 0 and "postgres" in r.stdout and "Superuser" in r.stdout, "psql \\du: " + r.stdout + r.stderr)
    # COPY round trip through psql's \copy (COPY FROM STDIN / TO STDOUT), text and CSV.
    src = os.path.join(s.dir, "items.csv")
    rows = [(i, f"item {i}, \"quoted\"", f"{i}.50") for i in range(1, 1001)]
    with open(src, "w") as f:
        for i, n, p in rows:
            f.write(f'{i},"{n.replace(chr(34), chr(34) * 2)}",{p}\n')
    r = s.psql("-c", f"\\copy items FROM '{src}' WITH (FORMAT csv)")
    check(r.returncode == 0 and "COPY 1000" in r.stdout, "\\copy FROM (CSV): " + r.stdout + r.stderr)
    out = os.path.join(s.dir, "out.csv")
    r = s.psql("-c", f"\\copy (SELECT * FROM items ORDER BY id) TO '{out}' WITH (FORMAT csv)")
    check(r.returncode == 0 and open(out).read() == open(src).read(), "\\copy TO gives back the same CSV")
    r = s.psql("-c", "COPY items TO STDOUT", "-At")
    check(r.stdout.splitlines()[0] == 'items\t1\titem 1, "quoted"\t1.50'.split("\t", 1)[1], "COPY TO STDOUT in text format: " + r.stdout[:80])
    bad = os.path.join(s.dir, "bad.txt")
    with open(bad, "w") as f:
        f.write("5000\tx\t1\n5001\ty\n")
    r = s.psql("-v", "VERBOSITY=verbose", "-c", f"\\copy items FROM '{bad}'")
    check(r.returncode != 0 and "22P04" in r.stderr and 'missing data for column "price"' in r.stderr,
          "a bad COPY row fails with 22P04: " + r.stderr)
    check('CONTEXT:  COPY items, line 2: "5001\ty"' in r.stderr, "psql shows the CONTEXT of a bad COPY row: " + r.stderr)
    r = s.psql("-At", "-c", "SELECT count(*) FROM items")
    check(r.stdout.strip() == "1000", "the failed COPY left no rows: " + r.stdout)


def test_pgbench(s):
    r = subprocess.run([PGBENCH, "-h", "127.0.0.1", "-p", str(s.port), "-U", "postgres", "-i", "-s", "1", "testdb"],
                       capture_output=True, text=True, timeout=300)
    check(r.returncode == 0 and "done in" in r.stderr, "pgbench -i (DDL, COPY, ADD PRIMARY KEY, VACUUM): " + r.stderr[-500:])
    for script in ("tpcb-like", "simple-update", "select-only"):
        for mode in ("simple", "prepared"):
            r = subprocess.run([PGBENCH, "-h", "127.0.0.1", "-p", str(s.port), "-U", "postgres", "-b", script, "-M", mode, "-n",
                                "-c", "4", "-j", "2", "-t", "100", "testdb"], capture_output=True, text=True, timeout=300)
            check(r.returncode == 0 and "number of failed transactions: 0" in r.stdout,
                  f"pgbench -b {script} -M {mode}: " + r.stdout[-300:] + r.stderr[-300:])
    with s.connect() as c:
        cur = c.cursor()
        # tpcb-like and simple-update both add each delta to an account and log it in the history
        # (-n: pgbench does not truncate the history before each run).
        cur.execute("SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(delta) FROM pgbench_history), "
                    "(SELECT count(*) FROM pgbench_history)")
        acc, hist, n = cur.fetchone()
        check(acc == hist and n == 4 * 100 * 4, f"pgbench's account balances add up to its history ({acc} vs {hist}, {n} rows)")


def test_idle_sessions_come_back(s):
    """A session quiet for over a second trims its thread (tcache, arena pages, stack); it must
    serve again afterwards: simple and prepared statements, inside and outside a block."""
    with s.connect() as c:
        cur = c.cursor()
        cur.execute("CREATE TABLE idle_t (k int PRIMARY KEY, v text)")
        c.commit()
        ok = True
        for i in range(3):
            cur.execute("INSERT INTO idle_t VALUES (%s, %s)", (i, "v" * (i * 100)))
            cur.execute("SELECT count(*), sum(length(v)) FROM idle_t")
            ok = ok and cur.fetchone() == (i + 1, sum(j * 100 for j in range(i + 1)))
            time.sleep(1.3)  # idle inside an open transaction block, then go on
        c.commit()
        time.sleep(1.3)
        cur.execute("SELECT k FROM idle_t ORDER BY k")
        ok = ok and [r[0] for r in cur.fetchall()] == [0, 1, 2]
        check(ok, "idle sessions (trimmed after 1 s) serve again, in and out of a block")
    # Prepared statements across idle periods (pgbench -M prepared sleeping between statements).
    script = os.path.join(s.dir, "idle.sql")
    with open(script, "w") as f:
        f.write("SELECT count(*) FROM idle_t;\n\\sleep 1200 ms\nSELECT k FROM idle_t WHERE k = 1;\n")
    r = subprocess.run([PGBENCH, "-h", "127.0.0.1", "-p", str(s.port), "-U", "postgres", "-n", "-M", "prepared",
                        "-c", "2", "-t", "2", "-f", script, "testdb"], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "number of failed transactions: 0" in r.stdout,
          "prepared statements work across idle periods: " + r.stdout[-300:] + r.stderr[-300:])


LONG_JOIN = "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b WHERE a + b < 0"


def test_statement_timeout(s):
    t0 = time.time()
    r = s.psql("-At", "-c", "SET statement_timeout = '150ms'", "-c", "SHOW statement_timeout", "-c", LONG_JOIN,
               "-c", "SELECT 'still here'")
    took = time.time() - t0
    check(r.stdout.splitlines() == ["SET", "150ms", "still here"], "SET/SHOW statement_timeout: " + r.stdout)
    check("ERROR:  canceling statement due to statement timeout" in r.stderr and took < 10,
          f"a long self-join ends with 57014 after statement_timeout ({took:.2f} s): " + r.stderr)
    # A statement waiting for a row lock another session holds; its block fails like PostgreSQL's.
    with s.connect() as holder:
        cur = holder.cursor()
        cur.execute("CREATE TABLE locked (id int PRIMARY KEY, v int)")
        cur.execute("INSERT INTO locked VALUES (1, 0)")
        holder.commit()
        cur.execute("UPDATE locked SET v = 1 WHERE id = 1")  # psycopg2 keeps the transaction open
        t0 = time.time()
        r = s.psql("-v", "VERBOSITY=verbose", "-c", "BEGIN", "-c", "SET statement_timeout = 300",
                   "-c", "UPDATE locked SET v = 2 WHERE id = 1", "-c", "SELECT 1", "-c", "ROLLBACK")
        took = time.time() - t0
        check("ERROR:  57014: canceling statement due to statement timeout" in r.stderr and 0.25 < took < 10,
              f"a statement blocked on a row lock times out ({took:.2f} s): " + r.stderr)
        check("25P02" in r.stderr and "ROLLBACK" in r.stdout, "the block is failed after the timeout (25P02): " + r.stderr)
        holder.commit()
    r = s.psql("-At", "-c", "SELECT v FROM locked")
    check(r.stdout.strip() == "1", "the lock holder's update committed: " + r.stdout + r.stderr)


def test_config_limits(bin_dir):
    s = Server(bin_dir, extra=["-c", "database.statement_timeout=300ms", "-c", "database.shared_buffers=32MB"])
    try:
        # shared_buffers: the limit for table data; past it 53200 instead of the kernel's OOM killer.
        r = s.psql("-At", "-c", "SHOW shared_buffers", "-c", "SET shared_buffers = '1GB'")
        check(r.stdout.strip() == "32MB" and "55P02" in s.psql("-v", "VERBOSITY=verbose", "-c", "SET shared_buffers = '1GB'").stderr,
              "SHOW shared_buffers; it cannot be SET: " + r.stdout + r.stderr)
        r = s.psql("-c", "SET statement_timeout = 0", "-c", "CREATE TABLE big (id int, pad text)",
                   "-c", "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 2000000) g")
        check("ERROR:  out of memory" in r.stderr and "DETAIL:  Table data has reached shared_buffers = 32MB" in r.stderr,
              "an INSERT past shared_buffers fails with 53200 and the limit in DETAIL: " + r.stderr)
        rss_kb = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{s.proc.pid}/status").read()).group(1))
        check(rss_kb < 400 * 1024, f"the server's memory stays bounded ({rss_kb} kB resident)")
        r = s.psql("-At", "-c", "SELECT count(*) FROM big", "-c", "DROP TABLE big", "-c", "CREATE TABLE small (id int PRIMARY KEY)")
        check(r.returncode == 0 and r.stdout.split() == ["0", "DROP", "TABLE", "CREATE", "TABLE"],
              "the server keeps serving after 53200: " + r.stdout + r.stderr)
        # The dropped table's memory returns once garbage collection is done with its dead rows
        # (the periodic collection may be busy with them while VACUUM runs: try a few times).
        for _ in range(20):
            r = s.psql("-At", "-c", "VACUUM", "-c", "INSERT INTO small SELECT g FROM generate_series(1, 1000) g")
            if r.returncode == 0 and "INSERT 0 1000" in r.stdout:
                break
            time.sleep(0.25)
        check("INSERT 0 1000" in r.stdout, "DROP TABLE gives the memory back: " + r.stdout + r.stderr)
        r = s.psql("-At", "-c", "SHOW statement_timeout", "-c", LONG_JOIN)
        check(r.stdout.strip() == "300ms" and "canceling statement due to statement timeout" in r.stderr,
              "database.statement_timeout is the default: " + r.stdout + r.stderr)
        r = s.psql("-At", "-c", "SET statement_timeout = 0", "-c", "SELECT count(*) FROM generate_series(1, 2000) a, generate_series(1, 2000) b")
        check(r.stdout.split() == ["SET", "4000000"], "SET statement_timeout = 0 lifts it: " + r.stdout + r.stderr)
    finally:
        s.stop()


def test_max_connections(bin_dir):
    s = Server(bin_dir, extra=["-c", "database.max_connections=3"])
    try:
        conns = [s.connect() for _ in range(3)]
        try:
            s.connect()
            check(False, "a 4th connection must be refused")
        except psycopg2.OperationalError as e:
            check("too many clients" in str(e), "max_connections gives 53300: " + str(e))
        conns[0].close()
        time.sleep(0.2)
        extra = s.connect()
        check(extra.closed == 0, "a slot frees up when a client leaves")
        extra.close()
        for c in conns[1:]:
            c.close()
    finally:
        s.stop()


def test_scram(bin_dir):
    cfg = ("auth:\n  local: scram-sha-256\n  users:\n    - name: alice\n      password: s3cret\n"
           "      superuser: true\n")
    s = Server(bin_dir, config_text=cfg)
    try:
        r = s.psql("-c", "SELECT 1", user="alice", env={"PGPASSWORD": "s3cret"})
        check(r.returncode == 0, "SCRAM-SHA-256 login with the right password: " + r.stderr)
        r = s.psql("-c", "SELECT 1", user="alice", env={"PGPASSWORD": "wrong"})
        check(r.returncode != 0 and 'password authentication failed for user "alice"' in r.stderr,
              "wrong password is refused: " + r.stderr)
        r = s.psql("-c", "SELECT 1", user="mallory", env={"PGPASSWORD": "x"})
        check(r.returncode != 0 and 'password authentication failed for user "mallory"' in r.stderr,
              "unknown user fails like a wrong password: " + r.stderr)
    finally:
        s.stop()


def test_http(s):
    status, body = s.http("/health")
    check(status == 200 and '"status":"ok"' in body, "/health is 200 while serving: " + body)
    status, body = s.http("/metrics")
    check(status == 200 and "db001_transactions_committed_total" in body and "db001_query_duration_seconds_bucket" in body,
          "/metrics in Prometheus format")
    m = re.search(r'db001_statements_total\{database="testdb"\} (\d+)', body)
    check(m is not None and int(m.group(1)) > 0, "statement counter counts, labelled by database")

    def sample(text, name, db="testdb"):
        m = re.search(r'^%s\{database="%s"\} (\S+)$' % (name, db), text, re.M)
        return float(m.group(1)) if m else None

    names = ["db001_wal_bytes_total", "db001_wal_fsyncs_total", "db001_wal_commits_total",
             "db001_wal_write_failures_total", "db001_checkpoints_total", "db001_recovery_seconds",
             "db001_recovery_records"]
    before = {n: sample(body, n) for n in names}
    check(all(v is not None for v in before.values()), "WAL/checkpoint/recovery samples per database: %r" % before)
    r = s.psql("-c", "CREATE TABLE IF NOT EXISTS metrics_wal(a int)", "-c", "INSERT INTO metrics_wal VALUES (1)")
    check(r.returncode == 0, "commits for the WAL counters: " + r.stderr)
    _, body = s.http("/metrics")
    after = {n: sample(body, n) for n in names}
    check(after["db001_wal_bytes_total"] > before["db001_wal_bytes_total"] and
          after["db001_wal_fsyncs_total"] > before["db001_wal_fsyncs_total"] and
          after["db001_wal_commits_total"] >= before["db001_wal_commits_total"] + 1 and
          after["db001_wal_write_failures_total"] == 0, "WAL counters move after a commit: %r -> %r" % (before, after))
    status, _ = s.http("/nope")
    check(status == 404, "unknown paths are 404")


def test_bad_input(s):
    import socket
    import struct
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
        sock.sendall(struct.pack("!i", 4))  # a startup packet with an impossible length
        data = sock.recv(1000)
        check(data[:1] == b"E" and b"08P01" in data, "bogus startup length -> FATAL 08P01")
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
        sock.sendall(struct.pack("!ii", 8, 80877103))  # SSLRequest
        check(sock.recv(1) == b"N", "SSLRequest answered N")
        sock.sendall(b"\x00\x00")  # then vanish mid-packet
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
        body = b"user\x00postgres\x00database\x00testdb\x00\x00"
        sock.sendall(struct.pack("!ii", 8 + len(body), 196608) + body)
        buf = b""
        while b"Z\x00\x00\x00\x05" not in buf:
            chunk = sock.recv(4096)
            if not chunk:
                break
            buf += chunk
        sock.sendall(b"Q\x7f\xff\xff\xff")  # a 2 GB query: refused
        data = sock.recv(4096)
        check(data[:1] == b"E" and (b"54000" in data or b"08P01" in data), "oversized message refused")
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
        body = b"user\x00postgres\x00database\x00testdb\x00\x00"
        sock.sendall(struct.pack("!ii", 8 + len(body), 196608) + body)
        buf = b""
        while b"Z\x00\x00\x00\x05" not in buf:
            buf += sock.recv(4096)
        q = b"SELECT '\xff\xfe'\x00"
        sock.sendall(b"Q" + struct.pack("!i", 4 + len(q)) + q)
        data = sock.recv(4096)
        check(b"22021" in data, "invalid UTF-8 -> 22021")
    # The server still serves others.
    r = s.psql("-At", "-c", "SELECT 41 + 1")
    check(r.stdout.strip() == "42", "the server survives malformed clients")


def test_strings_of_every_length_survive_a_crash(bin_dir):
    """Texts of 0..40 bytes (inline up to 12, in the block's medium area up to 32 — a narrow
    area first, then wide — and on the heap beyond), updated and deleted, read back through
    libpq by scans and by point reads, then again after a CHECKPOINT, more changes
    and kill -9 (checkpoint load plus WAL replay)."""
    s = Server(bin_dir)
    try:
        conn = s.connect()
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE strs (k int PRIMARY KEY, v text, c varchar(40))")
        want = {}

        def text(k, n):
            return "".join(chr(ord("a") + (k + i) % 26) for i in range(n))

        def put(rows):
            cur.executemany("INSERT INTO strs VALUES (%s, %s, %s)", rows)
            for k, v, c in rows:
                want[k] = (v, c)

        # Block 0 sees medium strings of at most 16 bytes first (a narrow area), then longer ones.
        put([(k, text(k, 13 + k % 4), text(k, k % 13)) for k in range(1, 900)])
        put([(k, text(k, k % 41), text(k, 40 - k % 41)) for k in range(900, 3000)])
        cur.execute("UPDATE strs SET v = c, c = v WHERE k % 7 = 0")
        for k in list(want):
            if k % 7 == 0:
                want[k] = (want[k][1], want[k][0])
        cur.execute("DELETE FROM strs WHERE k % 11 = 0")
        for k in [k for k in want if k % 11 == 0]:
            del want[k]
        cur.execute("VACUUM")  # reclaimed slots are reused by the next inserts
        put([(k, text(k, 20 + k % 13), None) for k in range(3000, 3300)])

        def verify(when):
            cur.execute("SELECT k, v, c FROM strs ORDER BY k")
            got = {k: (v, c) for k, v, c in cur.fetchall()}
            check(got == want, f"{when}: every text reads back by a scan ({len(got)} rows, {len(want)} expected; "
                               f"first difference at k = {next((k for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)), None)})")
            bad = []
            for k in range(1, 3600, 37):
                cur.execute("SELECT v, c FROM strs WHERE k = %s", (k,))
                row = cur.fetchone()
                if (tuple(row) if row else None) != want.get(k):
                    bad.append(k)
            check(not bad, f"{when}: point reads by the primary key return the stored texts (wrong at k = {bad[:5]})")

        verify("before the crash")
        cur.execute("CHECKPOINT")
        put([(k, text(k, k % 35), text(k, 30)) for k in range(3300, 3600)])
        cur.execute("UPDATE strs SET v = v || 'xyz' WHERE k % 5 = 0")
        for k in list(want):
            if k % 5 == 0 and want[k][0] is not None:
                want[k] = (want[k][0] + "xyz", want[k][1])
        conn.close()
        s.kill()
        s.start(timeout=60)
        conn = s.connect()
        conn.autocommit = True
        cur = conn.cursor()
        verify("after kill -9 and restart")
        conn.close()
    finally:
        s.stop()


def main():
    bin_dir = sys.argv[1]
    for tool in (PSQL, PGBENCH):
        if not os.path.exists(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    s = Server(bin_dir)
    try:
        test_psql_basics(s)
        test_libpq_prepared(s)
        test_cancel(s)
        test_statement_timeout(s)
        test_idle_sessions_come_back(s)
        test_psql_catalog_and_copy(s)
        test_pgbench(s)
        test_http(s)
        test_bad_input(s)
    finally:
        rc = s.stop()
        check(rc == 0, f"SIGTERM shuts the server down cleanly (exit {rc})")
    test_max_connections(bin_dir)
    test_scram(bin_dir)
    test_config_limits(bin_dir)
    test_strings_of_every_length_survive_a_crash(bin_dir)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
