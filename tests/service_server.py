"""A real ``empathy-nlu serve`` process on a free 127.0.0.1 port, for the service tests.

Why a process and not FastAPI's TestClient: workers, the supervisor, signals, the socket and the
access log only exist in the real thing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from postgres_server import free_port

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "empathy_nlu.cli"]
READY_SECONDS = 90


def make_key(keys_file: Path, name: str, scopes: str) -> str:
    """A key made by the real ``empathy-nlu keys new`` command."""
    done = subprocess.run(
        [*CLI, "keys", "new", name, "--scopes", scopes, "--file", str(keys_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)["key"]


class Server:
    """``empathy-nlu serve`` with ``args``; ``url``, ``log()`` (its stderr so far), ``stop()``."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", str(self.port), *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.wait_ready()

    def wait_ready(self, seconds: float = READY_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the service was not ready in {seconds} s:\n{self.log()}")

    def workers(self) -> list[int]:
        """The pids of the worker processes (children of the supervisor, or the process itself)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        workers = [pid for pid in pids if _is_worker(pid)]
        return workers or [self.process.pid]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text("utf-8", "replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def _is_worker(pid: int) -> bool:
    """uvicorn's workers are multiprocessing spawns; its resource tracker is not a worker."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"multiprocessing.spawn" in command and b"resource_tracker" not in command
