"""A PgBouncer of the test's own on a free loopback port, in transaction mode, in front of the
test PostgreSQL server (Debian's `pgbouncer`; tests that need one skip when it is missing).

    python -m tests.pgbouncer <dir> <pg host> <pg port>   # prints the port; the CI job uses it
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """[databases]
* = host={pg_host} port={pg_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {dir}/userlist.txt
admin_users = {user}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
; psycopg and Django send nothing else at start-up; PostgreSQL 15 does not report search_path,
; so the application sets it per transaction (tenants/postgresql_backend).
ignore_startup_parameters = extra_float_digits
server_lifetime = 300
logfile = {dir}/pgbouncer.log
pidfile = {dir}/pgbouncer.pid
"""


def binary() -> str | None:
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.path.exists(p)), None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalPgBouncer:
    def __init__(self, pg_host: str, pg_port: int, *, user: str = "postgres", pool_size: int = 2,
                 directory: str | None = None) -> None:
        self.dir = Path(directory or tempfile.mkdtemp(prefix="pgbouncer-"))
        self.port = free_port()
        self.user = user
        self.proc: subprocess.Popen | None = None
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            CONFIG.format(pg_host=pg_host or "127.0.0.1", pg_port=pg_port or 5432, port=self.port,
                          dir=self.dir, user=user, pool_size=pool_size)
        )
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: it runs as `postgres`
            for path in (self.dir, *self.dir.iterdir()):
                shutil.chown(path, "postgres")

    def start(self) -> LocalPgBouncer:
        command = [binary(), str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:
            command[1:1] = ["-u", "postgres"]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        log = (self.dir / "pgbouncer.log").read_text() if (self.dir / "pgbouncer.log").exists() else ""
        raise RuntimeError(f"pgbouncer did not start: {log[-2000:]}")

    def stop(self, *, hard: bool = False) -> None:
        """SIGINT: safe shutdown; hard: SIGKILL, as when the process dies (clients see a dropped socket)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if hard else signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def restart(self, *, hard: bool = True) -> None:
        self.stop(hard=hard)
        self.start()

    def admin(self, command: str) -> None:
        """A command on PgBouncer's admin console (e.g. `KILL <db>` before dropping a database)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="pgbouncer",
                             autocommit=True) as conn:
            conn.execute(command, prepare=False)


if __name__ == "__main__":
    directory, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    bouncer = LocalPgBouncer(host, port, directory=directory, pool_size=8).start()
    print(bouncer.port)
