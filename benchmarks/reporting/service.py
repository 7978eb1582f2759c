"""Service section: ``empathy-nlu serve`` under load (``results/service.json``, ``service.py``)."""

from __future__ import annotations

from .format import Results, Targets, missing, notes, num, provenance, table

TARGET_RPS = 1000.0
TARGET_P99_MS = 50.0
TARGET_CHANNEL_RPS = 300.0
TARGET_RSS_GROWTH = 0.10


def _errors(run: dict) -> str:
    sockets = sum(run["socket_errors"].values())
    return f"{run['non_2xx']} non-2xx, {sockets} socket"


def _parse_rows(report: dict) -> list[list]:
    rows = []
    for key, label in (
        ("parse_unique", "every text unique (cache never hits)"),
        ("parse_pool", f"texts drawn from the pool of {report['texts']['pool']:,} (cache may hit)"),
    ):
        run = report.get(key)
        if run is None:
            continue
        rows.append(
            [
                label,
                f"{run['requests']:,}",
                f"**{run['requests_per_s']:,.0f}**",
                num(run.get("p50_ms"), ".1f"),
                num(run.get("p90_ms"), ".1f"),
                f"**{num(run.get('p99_ms'), '.1f')}**",
                num(run.get("max_ms"), ".0f"),
                _errors(run),
            ]
        )
    return rows


def _parse_targets(targets: Targets, report: dict) -> None:
    for key, label in (("parse_unique", "unique texts"), ("parse_pool", "pool texts")):
        run = report.get(key)
        if run is None:
            continue
        targets.at_least(f"/v1/parse, {label}: ≥ 1,000 req/s", run["requests_per_s"], TARGET_RPS, ",.0f")
        targets.at_most(f"/v1/parse, {label}: p99 ≤ 50 ms", run["p99_ms"], TARGET_P99_MS, ".1f", " ms")
        targets.holds(f"/v1/parse, {label}: 0 errors", _errors(run), run["errors"] == 0)


def _overhead_lines(over: dict) -> list[str]:
    server = over.get("server_side_access_log") or {}
    server_ratio = server.get("p50") and server["p50"] / over["in_process"]["p50"]
    rows = [
        ["`Classifier.predict` in the benchmark process", f"{over['in_process']['p50']:.2f}",
         f"{over['in_process']['p90']:.2f}", "1"],
        ["service as timed by its access log (request in → response out)", num(server.get("p50"), ".1f"),
         num(server.get("p90"), ".1f"), num(server_ratio, ".2f")],
        ["HTTP round trip seen by the client (one connection, one request at a time)",
         f"{over['http_sequential']['p50']:.2f}", f"{over['http_sequential']['p90']:.2f}",
         f"**{over['ratio_p50']:.2f}x**"],
    ]  # fmt: skip
    return [
        f"Serving overhead, {over['n']:,} texts never seen before, one after the other: HTTP adds "
        f"**{over['overhead_p50_ms']:.2f} ms** at p50.",
        "",
        *table(["", "p50 (ms)", "p90 (ms)", "p50 ratio"], rows),
        "",
    ]


def _channels_lines(targets: Targets, run: dict) -> list[str]:
    lost = run["lost_turns"]
    targets.at_least(
        "chat messages on PostgreSQL: ≥ 300 req/s", run["requests_per_s"], TARGET_CHANNEL_RPS, ",.0f"
    )
    targets.holds("chat messages on PostgreSQL: 0 errors", _errors(run), run["errors"] == 0)
    targets.holds(
        "chat messages on PostgreSQL: 0 lost turns (stored = 2xx answered)",
        f"{run['stored']:,} stored, {run['server_2xx']:,} answered 2xx",
        lost == 0,
    )
    return [
        f"`/v1/channels/chat/messages` on PostgreSQL ({run.get('postgresql', 'a throwaway server')}), "
        f"`--workers 2`, {run['customers']:,} customers: **{run['requests_per_s']:,.0f} req/s**, p50 "
        f"{run['p50_ms']:.1f} ms, p90 {run['p90_ms']:.1f} ms, p99 {run['p99_ms']:.1f} ms, max "
        f"{num(run.get('max_ms'), '.0f')} ms, {_errors(run)} errors; the service answered "
        f"{run['server_2xx']:,} with 2xx (its `/metrics`; wrk counted {run['client_2xx']:,}, the rest it "
        f"left in flight when it stopped) and the store holds {run['stored']:,} new turns "
        f"(lost: {lost}).",
        "",
    ]


def _two_lines(targets: Targets, two: dict) -> list[str]:
    targets.holds(
        "two services, one store: 0 lost turns",
        f"{two['lost_turns']} lost of {two['answered_2xx']:,} answered; {two['errors']} errors",
        two["lost_turns"] == 0 and two["unexpected_turns"] == 0 and two["errors"] == 0,
    )
    targets.holds(
        "two services, one store: every customer's order kept",
        f"{two['customers_out_of_order']} of {two['customers']:,} customers out of order, "
        f"{two['turns_with_another_timestamp']} timestamps changed",
        two["customers_out_of_order"] == 0 and two["turns_with_another_timestamp"] == 0,
    )
    return [
        f"Two services (`--workers 1` each) on one PostgreSQL store: {two['sent']:,} chat messages, "
        f"{two['customers']:,} customers x {two['messages_per_customer']}, each customer's messages in order "
        f"and alternating between the services, {two['customers_in_flight']} customers in flight: "
        f"{two['answered_2xx']:,} answered 2xx in {two['seconds']:.1f} s ({two['messages_per_s']:.0f}/s, p50 "
        f"{two['latency_ms']['p50']:.1f} ms, p99 {two['latency_ms']['p99']:.1f} ms); the store holds "
        f"{two['stored']:,} turns: {two['lost_turns']} lost, {two['unexpected_turns']} unexpected, "
        f"{two['customers_out_of_order']} customers out of order.",
        "",
    ]


def _soak_lines(targets: Targets, soak: dict) -> list[str]:
    wrk = soak["wrk"]
    first, last = soak["first_sample_after_warmup"], soak["last_sample"]
    worst = soak["rss_growth_max"]
    targets.at_most(
        "soak: worker RSS growth ≤ 10% (worst worker)", 100 * worst, 100 * TARGET_RSS_GROWTH, ".1f", "%"
    )
    return [
        f"Soak: `/v1/parse` with unique texts at {num(wrk.get('requests_per_s'), ',.0f')} req/s for "
        f"{soak['soak_seconds']} s after a {soak['warmup_seconds']} s warm-up "
        f"({num(wrk.get('requests'), ',')} requests, p99 {num(wrk.get('p99_ms'), '.1f')} ms, "
        f"{wrk.get('errors', 0)} errors); RSS of the "
        f"workers, sampled every {soak['sample_interval_s']:g} s: {soak['rss_total_first_mb']:.0f} MB at "
        f"t = {first['t']:.0f} s → {soak['rss_total_last_mb']:.0f} MB at t = {last['t']:.0f} s "
        f"(**{100 * soak['rss_growth_total']:+.1f}%**; worst worker {100 * worst:+.1f}%; peak "
        f"{soak['rss_peak_total_mb']:.0f} MB)"
        + ("; a worker was replaced during the soak." if soak["workers_changed"] else "."),
        "",
    ]


def service_section(results: Results, summary: list) -> list[str]:
    report = results("service")
    if report is None:
        return missing("service", "service.py")
    targets = Targets("Service", summary)
    settings = report.get("settings", {})
    lines = provenance(report, "quick/service.json" if settings.get("quick") else "service.json")
    if settings.get("quick"):
        lines += ["**Quick run (`--quick`): short loads, not comparable with full runs.**", ""]
    lines += [
        "Method: real `empathy-nlu serve` processes (bundled default model, a fresh keys file, a free",
        "127.0.0.1 port, access log on as users run it), driven by `wrk --latency` (a Lua script: POST,",
        "`Authorization` header, the text per request) on the same cores, after a warm-up run. Texts:",
        'support messages of `data/support.yaml` and `data/dialogues.jsonl`; "unique" appends a counter',
        "to each. PostgreSQL: a throwaway server (`tests/postgres_server.py`, fsync off). wrk keeps every",
        f"connection busy ({settings.get('connections', 64)}), so mean latency = connections / throughput",
        "(Little's law): a p99 ≤ 50 ms at 64 connections needs well over 1,280 req/s. The soak sends",
        "unique texts; its warm-up lets the library's bounded caches fill (8,192 texts, 50,000 words",
        "per word cache, spaCy's string store renewed past 100,000), so growth after it shows a leak.",
        "",
    ]
    parse_rows = _parse_rows(report)
    if parse_rows:
        seconds = settings.get("seconds")
        header = [
            f"`/v1/parse`, `--workers {settings.get('workers', 2)}`, {settings.get('connections', 64)} "
            f"connections, {seconds} s",
            "requests",
            "req/s",
            "p50 (ms)",
            "p90 (ms)",
            "p99 (ms)",
            "max (ms)",
            "errors",
        ]
        lines += [*table(header, parse_rows), ""]
        inside = [
            f"{label}: p50 {run['server_side_access_log']['p50']:.1f} ms, p99 "
            f"{run['server_side_access_log']['p99']:.1f} ms"
            for key, label in (("parse_unique", "unique"), ("parse_pool", "pool"))
            if (run := report.get(key)) and run.get("server_side_access_log")
        ]
        if inside:
            lines += [
                "The same requests timed inside the service (its access log: from reading the request to "
                "the response, without the wait to be read): " + "; ".join(inside) + ".",
                "",
            ]
        _parse_targets(targets, report)
    if "overhead" in report:
        lines += _overhead_lines(report["overhead"])
    if "channels_postgres" in report:
        run = dict(report["channels_postgres"], postgresql=report.get("tools", {}).get("postgresql"))
        lines += _channels_lines(targets, run)
    if "two_services" in report:
        lines += _two_lines(targets, report["two_services"])
    if "soak" in report:
        lines += _soak_lines(targets, report["soak"])
    for old in report.get("superseded", []):
        parts = [
            f"{label} {old[key]['requests_per_s']:,.0f} req/s (p99 {old[key]['p99_ms']:.1f} ms)"
            for key, label in (("parse_unique", "`/v1/parse` unique"), ("parse_pool", "pool"),
                               ("channels_postgres", "chat on PostgreSQL"))
            if key in old
        ]  # fmt: skip
        if "soak" in old:
            parts.append(f"soak RSS {100 * old['soak']['rss_growth_total']:+.1f}%")
        if "overhead" in old:
            parts.append(f"HTTP/in-process p50 {old['overhead']['ratio_p50']:.2f}x")
        lines += [f"Superseded measurement of {old.get('date')} (see the notes): {'; '.join(parts)}.", ""]
    if report.get("run_seconds"):
        lines += [f"The whole run took {report['run_seconds'] / 60:.1f} min.", ""]
    return lines + targets.lines() + notes(report)
