#!/usr/bin/python3
"""Kill test: nothing a client was told is committed may be lost, and no transaction may be
half there. Clients run concurrent transactions through libpq (psycopg2) against the real
db001 server and record every COMMIT that was acknowledged; the server is killed with SIGKILL
at a random moment, restarted on the same data directory, and checked:
  - every acknowledged transaction is there, whole (its 3 rows and its counter increment);
  - every transaction that is there at all is whole (at most the one in flight per client
    when the kill came may be there without an acknowledgement);
  - the counters equal the number of transactions present (atomicity across tables), and so
    does one total that every client updates (no transaction survives without the ones it
    built on).
Checkpoints run every second and WAL segments are small, so the kills hit checkpoints,
segment switches and recycling too.

usage: crash_kill.py BUILD_BIN_DIR [CYCLES] [--sync off]
Prints "lost acknowledged transactions: N" and exits 1 on any violation (77: no psycopg2).
"""
import os
import random
import shutil
import sys
import tempfile
import threading
import time

try:
    import psycopg2
except ImportError:
    print("SKIP: python3-psycopg2 is not installed")
    sys.exit(77)

from dbserver import DbServer

CLIENTS = 4


def kill_test_server(bin_dir, data_dir, sync):
    """Checkpoints every second and 1 MB WAL segments, so kills hit checkpoints, segment
    switches and recycling."""
    return DbServer(bin_dir, data_dir, ["-c", "database.checkpoint_interval=1s", "-c", "storage.wal_segment_size=1MB",
                                        "-c", "database.synchronous_commit=" + sync])


def client(server, cid, next_seq, acked, stop):
    """Commits transactions seq = next_seq, next_seq+1, ... until the connection dies."""
    try:
        conn = server.connect()
        conn.autocommit = False
        cur = conn.cursor()
        seq = next_seq
        while not stop.is_set():
            cur.execute("INSERT INTO items VALUES (%s, %s, 0, %s), (%s, %s, 1, %s), (%s, %s, 2, %s)",
                        (cid, seq, "a" * (seq % 50), cid, seq, "b", cid, seq, "c" * 200))
            cur.execute("UPDATE counters SET n = n + 1, last = %s WHERE client = %s", (seq, cid))
            # One row every client updates: each transaction builds on the previous one's value
            # (with early lock release even before that one is durable), so a transaction that
            # survived without its predecessor would show as a wrong total.
            cur.execute("UPDATE total SET n = n + 1 WHERE id = 0")
            conn.commit()
            acked.append(seq)  # acknowledged
            seq += 1
    except psycopg2.Error:
        pass  # the server was killed


def check(server, acked_all, cycle):
    """Returns the number of violations; prints each."""
    bad = 0
    conn = server.connect()
    cur = conn.cursor()
    cur.execute("SELECT client, seq, count(*) FROM items GROUP BY client, seq")
    present = {}
    for c, s, n in cur.fetchall():
        present.setdefault(c, {})[s] = n
    cur.execute("SELECT client, n, last FROM counters")
    counters = {c: (n, last) for c, n, last in cur.fetchall()}
    cur.execute("SELECT n FROM total WHERE id = 0")
    total = cur.fetchone()[0]
    conn.close()
    transactions = sum(len(m) for m in present.values())
    if total != transactions:
        bad += 1
        print(f"cycle {cycle}: shared total {total} != {transactions} transactions present")
    lost = 0
    for c in range(CLIENTS):
        mine = present.get(c, {})
        acked = set(acked_all[c])
        for s in acked:
            if s not in mine:
                lost += 1
                print(f"cycle {cycle}: LOST acknowledged transaction client {c} seq {s}")
        for s, n in mine.items():
            if n != 3:
                bad += 1
                print(f"cycle {cycle}: transaction client {c} seq {s} is half there ({n} of 3 rows)")
        unacked = [s for s in mine if s not in acked]
        if len(unacked) > 1:
            bad += 1
            print(f"cycle {cycle}: client {c} has {len(unacked)} unacknowledged transactions present: {unacked[:5]}")
        n, last = counters.get(c, (None, None))
        if n != len(mine):
            bad += 1
            print(f"cycle {cycle}: client {c} counter {n} != {len(mine)} transactions present")
        if mine and last != max(mine):
            bad += 1
            print(f"cycle {cycle}: client {c} counter last {last} != newest transaction {max(mine)}")
    return bad, lost, present


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    bin_dir = sys.argv[1]
    cycles = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("-") else 20
    sync = "off" if "--sync" in sys.argv and sys.argv[sys.argv.index("--sync") + 1] == "off" else "on"
    work = tempfile.mkdtemp(prefix="db001-kill-")
    data = os.path.join(work, "data")
    server = kill_test_server(bin_dir, data, sync)
    rng = random.Random(int(os.environ.get("KILL_SEED", str(int(time.time())))))
    total_bad = total_lost = total_acked = 0
    try:
        server.start()
        conn = server.connect()
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE items (client int, seq int, part int, payload text, PRIMARY KEY (client, seq, part))")
        cur.execute("CREATE TABLE counters (client int PRIMARY KEY, n int NOT NULL, last int)")
        cur.execute("CREATE TABLE total (id int PRIMARY KEY, n int NOT NULL)")
        cur.execute("INSERT INTO total VALUES (0, 0)")
        for c in range(CLIENTS):
            cur.execute("INSERT INTO counters VALUES (%s, 0, NULL)", (c,))
        conn.close()
        acked_all = {c: [] for c in range(CLIENTS)}
        next_seq = {c: 0 for c in range(CLIENTS)}
        for cycle in range(1, cycles + 1):
            stop = threading.Event()
            lists = {c: [] for c in range(CLIENTS)}
            threads = [threading.Thread(target=client, args=(server, c, next_seq[c], lists[c], stop))
                       for c in range(CLIENTS)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 1.5))
            server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            for c in range(CLIENTS):
                acked_all[c].extend(lists[c])
                total_acked += len(lists[c])
            server.start()
            bad, lost, present = check(server, acked_all, cycle)
            total_bad += bad
            total_lost += lost
            # The in-flight transaction, if it made it, is now part of history.
            for c in range(CLIENTS):
                mine = present.get(c, {})
                acked_all[c] = sorted(mine.keys())
                next_seq[c] = (max(mine) + 1) if mine else 0
            print(f"cycle {cycle}: {sum(len(l) for l in lists.values())} commits acknowledged, "
                  f"{sum(len(p) for p in present.values())} transactions present, violations {bad}, lost {lost}",
                  flush=True)
        server.kill()
    finally:
        server.kill()
        keep = total_bad or total_lost
        if keep:
            print("server log and data kept in", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"kill cycles: {cycles}, acknowledged commits: {total_acked}")
    print(f"lost acknowledged transactions: {total_lost}")
    print(f"other violations: {total_bad}")
    return 1 if (total_bad or total_lost) else 0


if __name__ == "__main__":
    sys.exit(main())
