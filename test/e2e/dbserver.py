"""The db001 server process of the end-to-end scripts (server_e2e.py, crash_kill.py,
pitr_e2e.py): started on free ports (port 0, read back from the lines this start wrote to the
log), killed with the script (PR_SET_PDEATHSIG), stopped with SIGTERM or killed with SIGKILL,
and the libpq / psql / HTTP ways in. Also the scripts' check() and the failures it collects.
"""
import ctypes
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"
PSQL = os.path.join(PG_BIN, "psql")
PGBENCH = os.path.join(PG_BIN, "pgbench")

failures = []


def check(cond, what):
    """Records a failed check (the script exits 1 at the end) and prints every check."""
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what.splitlines()[0][:100], flush=True)


def die_with_parent():
    """preexec_fn: the server gets SIGKILL if the script dies (e.g. killed by ctest's timeout)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class DbServer:
    """One db001 server on data_dir. Each start() appends to log_path and reads its ports from
    the lines written after that start, so a restarted server never reports the last run's."""

    def __init__(self, bin_dir, data_dir, args=(), log_path=None, config_path=None):
        self.binary = os.path.join(bin_dir, "db001")
        self.data_dir = data_dir
        self.args = list(args)
        self.config_path = config_path
        self.log_path = log_path or os.path.join(os.path.dirname(data_dir.rstrip("/")), "server.log")
        self.proc = None
        self.port = self.http_port = None

    def start(self, timeout=60):
        cmd = [self.binary]
        if self.config_path:
            cmd += ["--config", self.config_path]
        cmd += ["--port", "0", "--http-port", "0", "--data-dir", self.data_dir] + self.args
        with open(self.log_path, "a") as log:
            log.write("---- start\n")
            log.flush()
            offset = log.tell()
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        deadline = time.time() + timeout
        self.port = self.http_port = None
        while time.time() < deadline:
            time.sleep(0.05)
            with open(self.log_path) as f:
                f.seek(offset)
                text = f.read()
            m = re.search(r"connections on [^ ]*:(\d+)", text)
            h = re.search(r"metrics on [^ ]*:(\d+)", text)
            if m and h and self.proc.poll() is None:
                self.port, self.http_port = int(m.group(1)), int(h.group(1))
                return self
            if self.proc.poll() is not None:
                break
        self.kill()
        raise RuntimeError("server did not start:\n" + self.log_tail())

    def log_tail(self, chars=4000):
        with open(self.log_path) as f:
            return f.read()[-chars:]

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM (a clean shutdown), SIGKILL after timeout seconds; returns the exit code."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill(self):
        """SIGKILL: a crash."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def dsn(self, db="testdb", user="postgres", **kw):
        d = dict(host="127.0.0.1", port=self.port, dbname=db, user=user, connect_timeout=10)
        d.update(kw)
        return d

    def connect(self, **kw):
        import psycopg2  # the scripts that use it report a missing psycopg2 themselves
        return psycopg2.connect(**self.dsn(**kw))

    def psql(self, *args, db="testdb", user="postgres", input=None, env=None, timeout=30):
        e = dict(os.environ, PGCONNECT_TIMEOUT="10")
        e.update(env or {})
        cmd = [PSQL, "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", db, *args]
        return subprocess.run(cmd, input=input, capture_output=True, text=True, env=e, timeout=timeout)

    def http(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}", timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
