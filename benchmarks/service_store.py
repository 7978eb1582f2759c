"""The PostgreSQL parts of ``service.py``: chat messages under ``wrk``, two services on one store.

- ``channel_run``: ``/v1/channels/chat/messages``, ``wrk`` with many customers; the turns stored
  afterwards against the 2xx answers the service counted (its ``/metrics``);
- ``two_services``: two ``empathy-nlu serve`` on one database, every customer's messages in order,
  alternating between them; each customer's stored turns compared with what was sent.

The PostgreSQL server is a throwaway one from ``tests/postgres_server.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import common
import service_tools as st
from common import log


# -- 3: channels on PostgreSQL ---------------------------------------------------------------------
def postgres():
    sys.path.insert(0, str(common.ROOT / "tests"))
    from postgres_server import PostgresServer

    return PostgresServer()


def postgres_version(pg) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            [str(pg.bin / "postgres"), "--version"], capture_output=True, text=True, timeout=10
        )
        return done.stdout.strip()
    return "unknown"


def count_turns(url: str) -> int:
    from empathy_nlu.store import open_store

    with open_store(url) as store:
        return store.count()


def settled(server: st.Server, url: str, timeout: float = 60.0) -> tuple[dict[str, int], int]:
    """Answers by status (``/metrics``) and turns stored, once two reads a second apart agree: the
    requests a stopped ``wrk`` left in flight have been answered (a turn is stored before its answer)."""
    last = None
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        now = (st.requests_by_status(server.port, server.key, st.CHAT_ROUTE), count_turns(url))
        if now == last:
            return now
        last = now
        time.sleep(1.0)
    raise RuntimeError(f"the service did not settle within {timeout:.0f} s after wrk stopped")


def channel_run(args, workdir: Path, pool_file: Path, pg) -> dict:
    url = pg.create_database("bench_channels")
    out: dict = {"store": "postgresql (throwaway server, tests/postgres_server.py)"}
    with st.Server(workdir, "channels", workers=args.workers, store=url) as server:
        out["serve_command"] = " ".join(server.command).replace(url, "postgresql://…/bench_channels")
        script = st.lua_script(
            workdir / "channels.lua",
            pool_file,
            server.key,
            st.CHAT,
            unique=True,
            customers=args.customers_per_thread,
        )
        # warm-up: every thread of the route's pool builds its own spaCy tokenizer and matchers first
        st.run_wrk(server.url(st.CHAT), script, args.channel_warmup, args.connections)
        before, stored_before = settled(server, url)
        wrk = st.run_wrk(server.url(st.CHAT), script, args.channel_seconds, args.connections)
        after, stored_after = settled(server, url)  # requests wrk abandoned at its end finish first
        stored = stored_after - stored_before
        wrk["busy_other_processes"] = st.other_busy_processes(st.own_pids([server]))
    by_status = {k: v - before.get(k, 0) for k, v in after.items()}
    answered_2xx = sum(v for k, v in by_status.items() if k.startswith("2"))
    st.log_summary("channels", wrk)
    out |= {
        **st.strip_output(wrk),
        "customers": args.customers_per_thread * 2,
        "server_answers_by_status": by_status,
        "server_2xx": answered_2xx,
        "client_2xx": wrk.get("script", {}).get("ok"),
        "client_sent": wrk.get("script", {}).get("sent"),
        "stored": stored,
        "lost_turns": answered_2xx - stored,
    }
    log(
        f"channels: stored {stored} turns, server answered 2xx {answered_2xx}, client saw {out['client_2xx']}"
    )
    return out


# -- 4: two services on one store ------------------------------------------------------------------
BASE_TIME = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


async def _send_all(servers, pool, customers: int, per_customer: int, in_flight: int) -> dict:
    import httpx

    results: dict[str, list] = {}
    errors: list[str] = []
    latencies: list[float] = []
    gate = asyncio.Semaphore(in_flight)
    limits = httpx.Limits(max_connections=in_flight * 2, max_keepalive_connections=in_flight * 2)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:

        async def customer(c: int) -> None:
            cid = f"cust-{c:04d}"
            sent = results.setdefault(cid, [])
            async with gate:
                for i in range(per_customer):
                    server = servers[(c + i) % len(servers)]
                    stamp = BASE_TIME + timedelta(minutes=c % 60, seconds=30 * i)
                    body = {
                        "text": f"[seq {i:04d}] {pool[(c * 7 + i) % len(pool)]}",
                        "timestamp": stamp.isoformat().replace("+00:00", "Z"),
                    }
                    started = time.perf_counter()
                    try:
                        response = await client.post(
                            server.url(st.CHAT), params={"customer_id": cid}, json=body,
                            headers={"Authorization": f"Bearer {server.key}"},
                        )  # fmt: skip
                        ok = 200 <= response.status_code < 300
                        if not ok:
                            errors.append(f"{response.status_code}: {response.text[:200]}")
                    except httpx.HTTPError as exc:
                        ok = False
                        errors.append(repr(exc)[:200])
                    latencies.append((time.perf_counter() - started) * 1000)
                    sent.append((i, stamp, ok))

        await asyncio.gather(*(customer(c) for c in range(customers)))
    return {"sent": results, "errors": errors, "latencies": latencies}


def verify(url: str, sent: dict[str, list]) -> dict:
    """Every customer's stored turns against what was sent: lost, unexpected, out of order, timestamps."""
    from empathy_nlu.store import open_store

    lost = unexpected = out_of_order = wrong_time = 0
    examples: list[str] = []
    with open_store(url) as store:
        for cid, messages in sent.items():
            stored = store.history(cid, limit=1000)
            seqs = [int(m[1]) if (m := re.match(r"\[seq (\d+)\]", t.turn.text)) else -1 for t in stored]
            expected = [i for i, _, ok in messages if ok]
            lost += len(set(expected) - set(seqs))
            unexpected += len([s for s in seqs if s not in {i for i, _, _ in messages}])
            ids = [t.id for t in stored]
            in_order = seqs == sorted(seqs) and ids == sorted(ids) and len(set(seqs)) == len(seqs)
            out_of_order += not in_order
            stamps = {i: stamp for i, stamp, _ in messages}
            wrong_time += sum(
                1 for s, t in zip(seqs, stored, strict=True) if s in stamps and t.turn.timestamp != stamps[s]
            )
            if (not in_order or set(expected) - set(seqs)) and len(examples) < 5:
                examples.append(f"{cid}: stored seqs {seqs}")
    return {
        "lost_turns": lost,
        "unexpected_turns": unexpected,
        "customers_out_of_order": out_of_order,
        "turns_with_another_timestamp": wrong_time,
        "examples": examples,
    }


def two_services(args, workdir: Path, pool: list[str], pg) -> dict:
    url = pg.create_database("bench_two")
    customers = args.messages // args.per_customer
    with (
        st.Server(workdir, "two-a", workers=1, store=url) as a,
        st.Server(workdir, "two-b", workers=1, store=url) as b,
    ):
        log(f"two services: {customers} customers x {args.per_customer} messages, {args.in_flight} in flight")
        started = time.perf_counter()
        run = asyncio.run(
            asyncio.wait_for(
                _send_all([a, b], pool, customers, args.per_customer, args.in_flight),
                timeout=args.two_timeout,
            )
        )
        seconds = time.perf_counter() - started
        commands = [" ".join(s.command).replace(url, "postgresql://…/bench_two") for s in (a, b)]
        busy = st.other_busy_processes(st.own_pids([a, b]))
    checked = verify(url, run["sent"])
    total = sum(len(m) for m in run["sent"].values())
    ok = sum(1 for m in run["sent"].values() for *_, good in m if good)
    out = {
        "serve_commands": commands,
        "customers": customers,
        "messages_per_customer": args.per_customer,
        "customers_in_flight": args.in_flight,
        "client": "httpx.AsyncClient; each customer's messages one after the other, alternating services",
        "sent": total,
        "answered_2xx": ok,
        "errors": len(run["errors"]),
        "error_examples": run["errors"][:5],
        "seconds": round(seconds, 2),
        "messages_per_s": total / seconds,
        "latency_ms": common.percentiles(run["latencies"], (50, 90, 99)),
        "stored": count_turns(url),
        **checked,
        "busy_other_processes": busy,
    }
    log(
        f"two services: {ok}/{total} 2xx in {seconds:.1f} s, stored {out['stored']}, lost "
        f"{checked['lost_turns']}, customers out of order {checked['customers_out_of_order']}"
    )
    return out
