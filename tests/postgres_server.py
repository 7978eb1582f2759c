"""A throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary directory, start it on
a free 127.0.0.1 port (its unix socket in that directory too), hand out databases, delete it all on exit.

Why not a shared server: a test run must not depend on, or touch, a database someone else uses, and
``initdb`` with ``--no-sync`` plus ``fsync=off`` starts one in about a second. PostgreSQL refuses to run
as root, so under root the server runs as ``postgres`` (or ``nobody``) through ``runuser``/``setpriv``.

    with PostgresServer() as server:
        url = server.create_database()   # postgresql://postgres@127.0.0.1:PORT/t_...
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

START_TIMEOUT = 60  # seconds for pg_ctl to see the server accept connections
UNPRIVILEGED_USERS = ("postgres", "nobody")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the server would not start."""


def find_binaries() -> Path:
    """The directory of initdb, pg_ctl and postgres: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [Path(p) for p in sorted(versions, key=lambda p: int(Path(p).parent.name), reverse=True)]
    for directory in candidates:
        if all((directory / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    raise PostgresUnavailable(
        "the PostgreSQL server binaries (initdb, pg_ctl, postgres) are neither on PATH nor under "
        "/usr/lib/postgresql/*/bin; install them (Debian: apt-get install postgresql) to run these tests."
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the servers of tests and benchmarks)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unprivileged_user() -> pwd.struct_passwd:
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable(f"running as root and none of the users {UNPRIVILEGED_USERS} exists.")


class PostgresServer:
    """One server in a temporary directory; a context manager, and stopped at interpreter exit too."""

    def __init__(self) -> None:
        self.bin = find_binaries()
        self.port = 0
        self.root: Path | None = None
        self._as_user: list[str] = []
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> PostgresServer:
        self.root = Path(tempfile.mkdtemp(prefix="empathy-nlu-pg-"))
        atexit.register(self.stop)  # a crashed or interrupted test run still leaves nothing behind
        try:
            self._init_and_start()
        except BaseException:
            self.stop()
            raise
        return self

    def _init_and_start(self) -> None:
        if os.geteuid() == 0:
            user = _unprivileged_user()
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = self._switch_user(user)
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root}"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        wait = ("-w", "-t", str(START_TIMEOUT))
        self._started = True  # from here on, stop() tries pg_ctl stop
        self._run("pg_ctl", "start", *wait, "-D", self.data, "-l", self.log, "-o", options)

    def stop(self) -> None:
        """Stop the server (immediately: its data is thrown away) and delete the directory; idempotent."""
        if self._started:
            self._started = False
            with contextlib.suppress(PostgresUnavailable):
                self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", self.data)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- databases -----------------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database (a copy of template1, tens of milliseconds); returns its URL."""
        name = name or f"t_{uuid.uuid4().hex[:16]}"
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database of ``url``, closing any connection a test left open."""
        self.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def execute(self, sql: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    # -- helpers -------------------------------------------------------------------------------------
    @property
    def data(self) -> str:
        return str(self.root / "data")

    @property
    def log(self) -> str:
        return str(self.root / "server.log")

    @staticmethod
    def _switch_user(user: pwd.struct_passwd) -> list[str]:
        if shutil.which("runuser"):
            return ["runuser", "-u", user.pw_name, "--"]
        if shutil.which("setpriv"):
            return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]
        raise PostgresUnavailable("running as root, and neither runuser nor setpriv can drop privileges.")

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(self.bin / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT + 30)
        if result.returncode != 0:
            log = Path(self.log).read_text(errors="replace")[-2000:] if Path(self.log).exists() else ""
            output = result.stderr.strip() or result.stdout.strip()
            raise PostgresUnavailable(f"{program} failed ({result.returncode}): {output}\n{log}")
