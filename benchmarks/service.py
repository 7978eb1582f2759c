"""The HTTP service under load: real ``empathy-nlu serve`` processes driven by ``wrk`` and Python clients.

    .venv/bin/python benchmarks/service.py [--quick] [--soak-seconds 600] [--out FILE] [--note TEXT]

Every figure comes from real ``empathy-nlu serve`` processes (a fresh keys file each, a free port
on 127.0.0.1, access log on as users run it), on the machine's own cores, which the load
generators share:

1. ``/v1/parse``, default model, ``--workers 2``, 64 connections, ``wrk --latency`` for 60 s:
   (a) every text unique (a pool text plus a counter: the per-text cache never hits) and
   (b) texts drawn from the pool (the cache may hit, like repeated customer messages);
2. serving overhead: in-process ``Classifier.predict`` p50 against HTTP p50 on one keep-alive
   connection, one request after the other, on the same unique texts (both never seen before);
3. ``/v1/channels/chat/messages`` on a PostgreSQL store (a throwaway server from
   ``tests/postgres_server.py``), ``--workers 2``, 64 connections over thousands of customers; the
   turns stored afterwards are counted against the 2xx answers (from ``/metrics``, so requests
   ``wrk`` abandoned at the end still count);
4. two services (``--workers 1`` each) on one PostgreSQL store: 20,000 chat messages, 500
   customers x 40 in order, alternating between the two, 32 customers in flight; every customer's
   turns are then read from the store and compared with what was sent (count, order, timestamps);
5. a soak: ``/v1/parse`` at a steady ~200 requests/s with unique texts for 3 minutes of warm-up
   (the bounded caches fill) and then 10 minutes, sampling the RSS of the service's workers every
   few seconds; the growth is measured over the 10 minutes.

``--quick`` shortens everything (10 s loads, 2,000 messages, 30 s soak) and writes to
``results/quick/service.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import common
import service_store
import service_tools as st
from common import log

PARSE = st.PARSE


# -- 1 and 2: /v1/parse ----------------------------------------------------------------------------
def access_log_ms(server: st.Server, start: int, route: str = PARSE) -> list[float]:
    """Server-side milliseconds of the access-log lines written after byte ``start`` of its log."""
    with server.log_path.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode(errors="replace")
    return [float(ms) for ms in re.findall(rf"POST {re.escape(route)} 200 ([\d.]+)ms", text)]


def sequential_http(server: st.Server, texts: list[str]) -> tuple[list[float], int]:
    """Client-side ms of one ``/v1/parse`` per text on one keep-alive connection; and the non-200s."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=st.HTTP_TIMEOUT)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {server.key}"}
    timings, failures = [], 0
    try:
        for text in texts:
            body = json.dumps({"text": text}).encode()
            started = time.perf_counter_ns()
            conn.request("POST", PARSE, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            timings.append((time.perf_counter_ns() - started) / 1e6)
            failures += response.status != 200
    finally:
        conn.close()
    return timings, failures


def overhead(server: st.Server, pool: list[str], n: int) -> dict:
    from empathy_nlu import Classifier

    texts = [f"{pool[(i * 31) % len(pool)]} (ref seq-{i})" for i in range(n)]
    warm = [f"{pool[(i * 17) % len(pool)]} (ref warm-{i})" for i in range(50)]
    classifier = Classifier.load(None)
    for text in warm:
        classifier.predict(text)
    in_process = common.call_ms(classifier.predict, texts)
    del classifier
    sequential_http(server, warm)
    offset = server.log_path.stat().st_size
    http_ms, failures = sequential_http(server, texts)
    time.sleep(0.5)  # the last access-log lines reach the file
    server_ms = access_log_ms(server, offset)
    result = {
        "n": n,
        "texts": "pool text + ' (ref seq-N)': never seen before by either",
        "in_process": {**common.percentiles(in_process, (50, 90, 99)), "mean": statistics.fmean(in_process)},
        "http_sequential": {**common.percentiles(http_ms, (50, 90, 99)), "mean": statistics.fmean(http_ms)},
        "server_side_access_log": common.percentiles(server_ms, (50, 90, 99)) if server_ms else None,
        "http_failures": failures,
        "client": "http.client, one keep-alive connection, one request at a time",
    }
    result["overhead_p50_ms"] = result["http_sequential"]["p50"] - result["in_process"]["p50"]
    result["ratio_p50"] = result["http_sequential"]["p50"] / result["in_process"]["p50"]
    log(
        f"overhead: in-process p50 {result['in_process']['p50']:.2f} ms, HTTP p50 "
        f"{result['http_sequential']['p50']:.2f} ms ({result['ratio_p50']:.2f}x)"
    )
    return result


def parse_runs(args, workdir: Path, pool_file: Path, pool: list[str]) -> dict:
    out: dict = {}
    with st.Server(workdir, "parse", workers=args.workers) as server:
        out["serve_command"] = " ".join(server.command)
        out["ready_seconds"] = server.ready_seconds
        out["overhead"] = overhead(server, pool, args.sequential)
        for name, unique in (("parse_unique", True), ("parse_pool", False)):
            script = st.lua_script(workdir / f"{name}.lua", pool_file, server.key, PARSE, unique=unique)
            st.run_wrk(server.url(PARSE), script, args.warmup_seconds, args.connections)  # warm-up
            before = st.requests_by_status(server.port, server.key, PARSE)
            offset = server.log_path.stat().st_size
            wrk = st.run_wrk(server.url(PARSE), script, args.seconds, args.connections)
            time.sleep(1.0)
            after = st.requests_by_status(server.port, server.key, PARSE)
            inside = access_log_ms(server, offset)  # in the service: without the wait to be read
            if inside:
                figures = common.percentiles(inside, (50, 90, 99))
                wrk["server_side_access_log"] = {**figures, "max": max(inside)}
            wrk["server_answers_by_status"] = {k: v - before.get(k, 0) for k, v in after.items()}
            wrk["busy_other_processes"] = st.other_busy_processes(st.own_pids([server]))
            st.log_summary(name, wrk)
            out[name] = st.strip_output(wrk)
    return out


# -- 5: soak ---------------------------------------------------------------------------------------
def soak(args, workdir: Path, pool_file: Path) -> dict:
    connections, rate = 4, args.soak_rate
    delay_ms = max(1, round(connections * 1000 / rate) - 2)  # ~2 ms a request on an idle service
    total = args.soak_warmup + args.soak_seconds
    with st.Server(workdir, "soak", workers=args.workers) as server:
        script = st.lua_script(
            workdir / "soak.lua", pool_file, server.key, PARSE, unique=True, delay_ms=delay_ms
        )
        command = st.wrk_command(server.url(PARSE), script, total, connections, threads=1)
        log(f"soak: ~{rate} req/s for {args.soak_warmup} s warm-up + {args.soak_seconds} s")
        samples = []
        started = time.perf_counter()
        with (workdir / "soak-wrk.txt").open("w") as out:
            wrk = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            try:
                while wrk.poll() is None and time.perf_counter() - started < total + 60:
                    pids = server.worker_pids()
                    sizes = st.rss_mb(pids)
                    samples.append(
                        {
                            "t": round(time.perf_counter() - started, 1),
                            "rss_mb": {str(p): round(v, 2) for p, v in sizes.items()},
                        }
                    )
                    time.sleep(args.soak_interval)
            finally:
                if wrk.poll() is None:
                    wrk.kill()
                wrk.wait(timeout=30)
        busy = st.other_busy_processes(st.own_pids([server]))
    figures = st.parse_wrk((workdir / "soak-wrk.txt").read_text())
    after_warmup = [s for s in samples if s["t"] >= args.soak_warmup and s["rss_mb"]]
    first, last = after_warmup[0], after_warmup[-1]
    growth = {
        pid: (last["rss_mb"][pid] - mb) / mb for pid, mb in first["rss_mb"].items() if pid in last["rss_mb"]
    }
    total_first, total_last = sum(first["rss_mb"].values()), sum(last["rss_mb"].values())
    out = {
        "command": " ".join(command),
        "target_rate_per_s": rate,
        "connections": connections,
        "delay_ms": delay_ms,
        "warmup_seconds": args.soak_warmup,
        "soak_seconds": args.soak_seconds,
        "sample_interval_s": args.soak_interval,
        "wrk": figures,
        "samples": samples,
        "workers_changed": first["rss_mb"].keys() != last["rss_mb"].keys(),
        "first_sample_after_warmup": first,
        "last_sample": last,
        "rss_growth_by_worker": growth,
        "rss_growth_max": max(growth.values()) if growth else None,
        "rss_total_first_mb": total_first,
        "rss_total_last_mb": total_last,
        "rss_growth_total": (total_last - total_first) / total_first,
        "rss_peak_total_mb": max(sum(s["rss_mb"].values()) for s in after_warmup),
        "busy_other_processes": busy,
    }
    log(
        f"soak: {figures.get('requests_per_s')} req/s, workers RSS {total_first:.0f} -> {total_last:.0f} MB "
        f"({100 * out['rss_growth_total']:+.1f}%, worst worker {100 * (out['rss_growth_max'] or 0):+.1f}%)"
    )
    return out


def keep_superseded(path: Path, results: dict) -> None:
    """The figures a partial re-run replaces, kept under ``superseded`` with their date."""
    if not path.is_file():
        return
    old = json.loads(path.read_text("utf-8"))
    replaced = {k: old[k] for k in PARTS if k in old and k in results}
    if replaced:
        results["superseded"] = [*old.get("superseded", []), {"date": old.get("date"), **replaced}]


# -- main ------------------------------------------------------------------------------------------
PHASES = ("parse", "channels", "two_services", "soak")
PARTS = ("overhead", "parse_unique", "parse_pool", "channels_postgres", "two_services", "soak")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s loads, 2,000 messages, 30 s soak")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, help="each /v1/parse wrk run (default 60; quick 10)")
    parser.add_argument("--channel-seconds", type=int, help="the channels wrk run (default 60; quick 10)")
    parser.add_argument("--customers-per-thread", type=int, default=2500, help="channels run: per wrk thread")
    parser.add_argument("--sequential", type=int, help="texts of the overhead run (default 2000; quick 500)")
    parser.add_argument("--messages", type=int, help="two services: messages (default 20000; quick 2000)")
    parser.add_argument("--per-customer", type=int, default=40)
    parser.add_argument("--in-flight", type=int, default=32, help="two services: customers in flight")
    parser.add_argument("--soak-seconds", type=int, help="soak after warm-up (default 600; quick 30)")
    parser.add_argument("--soak-rate", type=int, default=200, help="soak requests/s (about)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=PHASES,
        help="run only these parts: a re-run that replaces them in results/service.json (with --quick: "
        "a development run)",
    )
    common.add_output_arguments(parser, "service")
    args = parser.parse_args(argv)
    quick = args.quick
    args.seconds = args.seconds or (10 if quick else 60)
    args.channel_seconds = args.channel_seconds or (10 if quick else 60)
    args.sequential = args.sequential or (500 if quick else 2000)
    args.messages = args.messages or (2000 if quick else 20000)
    args.soak_seconds = args.soak_seconds or (30 if quick else 600)
    args.warmup_seconds = 3 if quick else 10
    args.channel_warmup = 10 if quick else 20
    # the warm-up lets the bounded caches fill (8,192 predictions, 50,000 words per word cache): growth
    # after it is what a leak would show, not a cache reaching its bound
    args.soak_warmup = 5 if quick else 180
    args.soak_interval = 2.0 if quick else 5.0
    args.two_timeout = 600 if quick else 1800
    phases = args.only or PHASES
    # a partial re-run (--only, not --quick) replaces its own parts of results/service.json and keeps
    # the figures it replaces under "superseded" (RESULTS.md lists both)
    update = bool(args.only) and not quick
    args.out = common.output_path(args.out, "service", quick)
    started = time.perf_counter()
    results: dict = {**common.envelope("service.py", argv, args.note)}
    results["machine"]["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    busy = st.other_busy_processes({os.getpid()})
    if busy:
        results["notes"].append(
            "Busy processes at the start of the run (not this benchmark's): " + "; ".join(busy)
        )
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "note")}
    results["settings"] = settings
    results["tools"] = st.tool_versions()
    pool = st.text_pool()
    results["texts"] = {
        "pool": len(pool),
        "sources": ["data/support.yaml", "data/dialogues.jsonl (customer turns)"],
    }
    with tempfile.TemporaryDirectory(prefix="empathy-bench-service-") as tmp:
        workdir = Path(tmp)
        pool_file = st.write_pool(workdir / "pool.txt", pool)
        try:
            if "parse" in phases:
                results |= parse_runs(args, workdir, pool_file, pool)
            if "channels" in phases or "two_services" in phases:
                with service_store.postgres() as pg:
                    results["tools"]["postgresql"] = service_store.postgres_version(pg)
                    if "channels" in phases:
                        results["channels_postgres"] = service_store.channel_run(args, workdir, pool_file, pg)
                    if "two_services" in phases:
                        results["two_services"] = service_store.two_services(args, workdir, pool, pg)
            if "soak" in phases:
                results["soak"] = soak(args, workdir, pool_file)
        except BaseException as exc:
            results["failed"] = repr(exc)
            log(f"failed: {exc!r}")
            for path in sorted(workdir.glob("*.log")):
                log(f"{path.name}: ...{path.read_text(errors='replace')[-600:]}")
            raise
        finally:
            key = "rerun_seconds" if update else "run_seconds"
            results[key] = round(time.perf_counter() - started, 1)
            results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            phase_busy = [p for k in PARTS for p in (results.get(k) or {}).get("busy_other_processes", [])]
            if phase_busy:
                results["notes"].append(
                    "Other processes used CPU during the run (sampled at the end of each part): "
                    + "; ".join(sorted(set(phase_busy)))
                )
            if update and "failed" not in results:
                keep_superseded(args.out, results)
            common.write_results(args.out, results, update=update)
            log(f"wrote {args.out} ({results[key]:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
