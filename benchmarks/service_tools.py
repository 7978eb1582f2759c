"""What ``service.py`` drives: real ``empathy-nlu serve`` processes, ``wrk`` runs, the text pool, RSS.

- ``Server``: one ``empathy-nlu serve`` on a free 127.0.0.1 port with a fresh keys file; started,
  waited for (``/health/ready``), stopped with SIGTERM (SIGKILL to its process group if it does not
  exit); its stderr (uvicorn's log and the access log, kept on) goes to a file.
- ``run_wrk``: a ``wrk --latency`` run with a generated Lua script (POST, auth header, a text per
  request from the pool, unique or not); its text output is parsed, plus a JSON line the script's
  ``done`` prints (exact counts: requests sent, 2xx answered).
- ``text_pool``: realistic support messages from ``data/support.yaml`` and ``data/dialogues.jsonl``.
- ``worker_rss``: the RSS of the serve process's workers (psutil).

Every subprocess and HTTP call has a timeout: nothing here waits forever.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import common
from common import log

sys.path.insert(0, str(common.ROOT / "tests"))  # the throwaway servers' helpers live with the tests
from postgres_server import free_port  # noqa: E402

PARSE = "/v1/parse"
CHAT = "/v1/channels/chat/messages"
CHAT_ROUTE = "/v1/channels/{channel}/messages"
KEY_SCOPES = "parse,channels,history,metrics"
READY_TIMEOUT = 180.0  # seconds for a fresh service (model load in every worker) to answer ready
STOP_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0


def empathy_command() -> list[str]:
    script = Path(sys.executable).parent / "empathy-nlu"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "empathy_nlu"]


def text_pool() -> list[str]:
    """Distinct customer messages: every example of ``data/support.yaml`` and every customer turn of
    ``data/dialogues.jsonl`` (annotations removed), in file order."""
    from empathy_nlu.dataset import load_data

    texts = [ex.text for ex in load_data(common.ROOT / "data" / "support.yaml").examples]
    for row in common.read_jsonl(common.ROOT / "data" / "dialogues.jsonl"):
        texts += [turn["text"] for turn in row["turns"] if turn.get("speaker") == "customer"]
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))


def new_key(keys_file: Path, name: str = "bench") -> str:
    command = [*empathy_command(), "keys", "new", name, "--scopes", KEY_SCOPES, "--file", str(keys_file)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["key"]


# -- HTTP ------------------------------------------------------------------------------------------
def http_call(
    port: int, method: str, path: str, body: bytes | None = None, key: str | None = None,
    timeout: float = HTTP_TIMEOUT,
) -> tuple[int, bytes]:  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def requests_by_status(port: int, key: str, route: str) -> dict[str, int]:
    """Requests the service answered on ``route`` by status, from ``/metrics`` (every worker summed)."""
    status, text = http_call(port, "GET", "/metrics", key=key)
    counts: dict[str, int] = {}
    if status != 200:
        return counts
    pattern = re.compile(r"^empathy_http_requests_total\{(?P<labels>.*)\}\s+(?P<value>\S+)$")
    for line in text.decode().splitlines():
        match = pattern.match(line)
        if match and f'route="{route}"' in match["labels"]:
            code = re.search(r'status="(\d+)"', match["labels"])[1]
            counts[code] = counts.get(code, 0) + int(float(match["value"]))
    return counts


# -- results ---
def strip_output(wrk: dict) -> dict:
    return {k: v for k, v in wrk.items() if k != "output"} | {"output": wrk["output"].strip().splitlines()}


def log_summary(name: str, wrk: dict) -> None:
    log(
        f"{name}: {wrk['requests_per_s']:.0f} req/s, p50 {wrk.get('p50_ms', 0):.1f} ms, "
        f"p99 {wrk.get('p99_ms', 0):.1f} ms, non-2xx {wrk['non_2xx']}, socket errors "
        f"{sum(wrk['socket_errors'].values())}"
    )


# -- the service -----------------------------------------------------------------------------------
class Server:
    """``empathy-nlu serve --workers N [--store URL]`` on a free port; a context manager."""

    def __init__(self, workdir: Path, name: str, workers: int = 2, store: str | None = None) -> None:
        self.workdir, self.name, self.workers, self.store = Path(workdir), name, workers, store
        self.keys_file = self.workdir / f"{name}-keys.yaml"
        self.log_path = self.workdir / f"{name}.log"
        self.port = 0
        self.key = ""
        self.proc: subprocess.Popen | None = None
        self.command: list[str] = []
        self.ready_seconds: float | None = None

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        self.key = new_key(self.keys_file)
        self.port = free_port()
        self.command = [
            *empathy_command(), "serve", "--keys", str(self.keys_file), "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", str(self.workers),
        ]  # fmt: skip
        if self.store:
            self.command += ["--store", self.store]
        log(f"starting {self.name}: serve --workers {self.workers} on port {self.port}")
        started = time.perf_counter()
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: a stuck worker can be killed with it
            )  # fmt: skip
        deadline = started + READY_TIMEOUT
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.log_tail()}")
            with contextlib.suppress(OSError):
                if http_call(self.port, "GET", "/health/ready", timeout=2)[0] == 200:
                    self.ready_seconds = time.perf_counter() - started
                    log(f"{self.name} ready after {self.ready_seconds:.1f} s")
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {READY_TIMEOUT:.0f} s: {self.log_tail()}")

    def stop(self) -> int | None:
        """SIGTERM, wait; SIGKILL to its process group if it is still there. Returns the exit code."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop in {STOP_TIMEOUT:.0f} s: killing its process group")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError):  # a worker left behind by its supervisor
            os.killpg(proc.pid, signal.SIGKILL)
        return proc.returncode

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log_tail(self, chars: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """The worker processes (uvicorn's spawned children), or the serve process with one worker."""
        import psutil

        if self.proc is None:
            return []
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        workers = []
        for child in children:
            with contextlib.suppress(psutil.Error):
                cmdline = " ".join(child.cmdline())
                if "spawn_main" in cmdline and "resource_tracker" not in cmdline:
                    workers.append(child.pid)
        return sorted(workers) or [self.proc.pid]


def rss_mb(pids: list[int]) -> dict[int, float]:
    """RSS in MB (10^6 bytes) of each process still alive."""
    import psutil

    sizes = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            sizes[pid] = psutil.Process(pid).memory_info().rss / 1e6
    return sizes


def other_busy_processes(own: set[int], seconds: float = 1.0, threshold: float = 15.0) -> list[str]:
    """Processes not started by this run using more than ``threshold`` % of a core over ``seconds``."""
    import psutil

    procs = []
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        if proc.info["pid"] in own:
            continue
        with contextlib.suppress(psutil.Error):
            proc.cpu_percent(None)
            procs.append(proc)
    time.sleep(seconds)
    busy = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            cpu = proc.cpu_percent(None)
            if cpu > threshold:
                command = " ".join(proc.info["cmdline"] or [proc.info["name"] or "?"])[:120]
                busy.append(f"pid {proc.info['pid']} at {cpu:.0f}% CPU: {command}")
    return busy


def own_pids(servers: list[Server]) -> set[int]:
    import psutil

    pids = {os.getpid()}
    for server in servers:
        if server.proc is not None:
            pids.add(server.proc.pid)
            with contextlib.suppress(psutil.Error):
                pids |= {p.pid for p in psutil.Process(server.proc.pid).children(recursive=True)}
    return pids


# -- wrk -------------------------------------------------------------------------------------------
LUA = r"""
-- generated by benchmarks/service_tools.py
local pool = {}
for line in io.lines("@POOL@") do pool[#pool + 1] = line end
local unique = @UNIQUE@
local customers = @CUSTOMERS@
local delay_ms = @DELAY_MS@
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer @KEY@"
wrk.headers["Content-Type"] = "application/json"
sent, ok, bad, tid, counter = 0, 0, 0, 0, 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(tid * 7919)
end

function request()
  counter = counter + 1
  sent = sent + 1
  local text
  if unique then
    text = pool[(counter * 31 + tid * 997) % #pool + 1] .. " (ref " .. tid .. "-" .. counter .. ")"
  else
    text = pool[math.random(#pool)]
  end
  local path = "@PATH@"
  if customers > 0 then
    path = path .. "?customer_id=bench-" .. tid .. "-" .. (counter % customers)
  end
  return wrk.format(nil, path, nil, '{"text":"' .. text .. '"}')
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end

if delay_ms > 0 then
  function delay() return delay_ms end
end

function done(summary, latency, requests)
  local s, o, b = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent"); o = o + t:get("ok"); b = b + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "sent": %d, "ok": %d, "bad": %d, "p50_us": %d, ' ..
    '"p90_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, s, o, b, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
"""


def write_pool(path: Path, texts: list[str]) -> Path:
    """One JSON-escaped text per line, without quotes: the Lua script puts it inside a JSON string."""
    lines = [json.dumps(text, ensure_ascii=True)[1:-1] for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def lua_script(
    path: Path, pool: Path, key: str, route: str, *, unique: bool, customers: int = 0, delay_ms: int = 0
) -> Path:
    text = LUA
    for name, value in (
        ("@POOL@", str(pool)), ("@UNIQUE@", "true" if unique else "false"), ("@CUSTOMERS@", str(customers)),
        ("@DELAY_MS@", str(delay_ms)), ("@KEY@", key), ("@PATH@", route),
    ):  # fmt: skip
        text = text.replace(name, value)
    path.write_text(text, encoding="utf-8")
    return path


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}


def parse_wrk(output: str) -> dict:
    """The figures of ``wrk --latency`` text output (and of the script's WRKJSON line, if any)."""

    def ms(value: str, unit: str) -> float:
        return float(value) * _UNITS_MS[unit]

    result: dict = {}
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["requests_per_s"] = float(match[1]) if match else None
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M):
        result[f"p{pct}_ms"] = ms(value, unit)
    match = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m|h)", output)
    if match:
        result["requests"], result["duration_s"] = int(match[1]), ms(match[2], match[3]) / 1000
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    names = ("connect", "read", "write", "timeout")
    socket_errors = dict(zip(names, map(int, match.groups()), strict=True)) if match else {}
    result["socket_errors"] = socket_errors
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(match[1]) if match else 0
    result["errors"] = result["non_2xx"] + sum(socket_errors.values())
    match = re.search(r"^WRKJSON (\{.*\})$", output, re.M)
    if match:
        exact = json.loads(match[1])
        result["script"] = exact
        result["p999_ms"] = exact["p999_us"] / 1000
        result["max_ms"] = exact["max_us"] / 1000
        result["mean_ms"] = exact["mean_us"] / 1000
    return result


def wrk_command(url: str, script: Path, seconds: float, connections: int, threads: int = 2) -> list[str]:
    threads = max(1, min(threads, connections))
    return [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "--timeout", "10s",
        "-s", str(script), url,
    ]  # fmt: skip


def run_wrk(url: str, script: Path, seconds: float, connections: int, threads: int = 2) -> dict:
    command = wrk_command(url, script, seconds, connections, threads)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 90)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-800:]}")
    return {"command": " ".join(command), **parse_wrk(done.stdout), "output": done.stdout}


def tool_versions() -> dict:
    from importlib import metadata

    versions = {}
    for package in ("fastapi", "uvicorn", "starlette", "httptools", "uvloop", "psycopg", "psycopg-pool",
                    "prometheus-client", "psutil", "httpx"):  # fmt: skip
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        first = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        versions["wrk"] = (first.stdout or first.stderr).splitlines()[0].split(" Copyright")[0].strip()
    return versions
