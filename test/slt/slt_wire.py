#!/usr/bin/python3
"""sqllogictest through the wire: runs select1-5 of ../shared/suites/sqllogictest with db001-slt
in process and through a real db001 server (db001-slt --connect, libpq; each file in a database
of its own), and requires the same counts both ways (passed, failed, skipped) with nothing
failed. Prints both rates (files/s, records/s). The server runs on free ports (port 0) in a
temporary data directory and dies with this script.

usage: slt_wire.py BUILD_BIN_DIR [SUITES_DIR]   (exit 77 = skipped: the suites are absent)
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

FILES = ["select1.test", "select2.test", "select3.test", "select4.test", "select5.test"]


def run_slt(cmd):
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    took = time.time() - t0
    m = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        print(r.stdout[-3000:], r.stderr[-3000:])
        return None, took
    return tuple(int(x) for x in m.groups()), took


def main():
    bin_dir = os.path.abspath(sys.argv[1])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    suites = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("DB001_SUITES", os.path.join(root, "..", "shared", "suites"))
    suite_dir = os.path.join(suites, "sqllogictest")
    if not os.path.isdir(suite_dir):
        print(f"skipped: {suite_dir} not found (the shared test suites are not part of a plain clone)")
        return 77
    from server_e2e import Server  # starts db001 on free ports, PR_SET_PDEATHSIG, temp data dir

    files = [os.path.join(suite_dir, f) for f in FILES]
    slt = os.path.join(bin_dir, "db001-slt")
    local, t_local = run_slt([slt] + files)
    s = Server(bin_dir)
    try:
        conninfo = f"host=127.0.0.1 port={s.port} dbname=postgres user=postgres"
        wire, t_wire = run_slt([slt, "--connect", conninfo] + files)
    finally:
        rc = s.stop()
    if local is None or wire is None:
        print("FAIL: db001-slt did not complete (output above)")
        return 1
    for name, counts, took in (("in process", local, t_local), ("through the wire", wire, t_wire)):
        records = counts[0] + counts[1]
        print(f"{name}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped in {took:.2f} s "
              f"({len(files) / took:.2f} files/s, {records / took:.0f} records/s)")
    print(f"wire/in-process time: {t_wire / t_local:.2f}x")
    ok = True
    if wire != local:
        print(f"FAIL: through the wire {wire} differs from in process {local}")
        ok = False
    if local[1] != 0:
        print(f"FAIL: {local[1]} records failed")
        ok = False
    if rc != 0:
        print(f"FAIL: the server did not shut down cleanly (exit {rc})")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
