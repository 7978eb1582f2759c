"""The "Scoring contact logs" section: ``results/scoring.json`` (``scoring.py``).

Local rows/s (utterance-only and with history, per CPU-second as the per-core figure), where the
time goes, Spark ``local[1]`` against ``local[2]``, Spark rows against local rows, and the big log
end to end with its peak memory.
"""

from __future__ import annotations

from .format import Results, Targets, missing, notes, provenance, table

PEAK_RSS_LIMIT_MB = 1024  # the big log's run must stay under this, whatever the log's size


def _local_rows(local: dict) -> list[list]:
    rows = []
    for label, key in (
        ("utterance-only (no customer column)", "utterance_only"),
        ("with history", "with_history"),
    ):
        m = local.get(key)
        if m:
            rows.append(
                [
                    label,
                    f"{m['rows']:,}",
                    f"{m['customers']:,}",
                    f"{m['seconds']:.1f}",
                    f"{m['rows_per_s']:,.0f}",
                    f"{m['rows_per_cpu_s']:,.0f}",
                    f"{m['distinct_text_share']:.2f}",
                ]
            )
    return rows


def _profile(local: dict) -> list[str]:
    shares = local.get("profile")
    if not shares:
        return []
    rows = [[label, f"{share:.0%}"] for label, share in shares.items()]
    return [
        "Where the time goes (cProfile of 5,000 rows of the utterance-only log, share of all profiled time):",
        "",
        *table(["part", "share"], rows),
        "",
    ]


def _spark(spark: dict, targets: Targets) -> list[str]:
    rows = [
        [master, f"{spark[master]['seconds']:.1f}", f"{spark[master]['rows_per_s']:,.0f}"]
        for master in ("local[1]", "local[2]")
    ]
    compared = spark["comparison"]
    targets.at_least("Spark local[2] vs local[1] ≥ 1.6×", spark["speedup"], 1.6, ".2f", "×")
    targets.holds(
        "Spark rows = local engine rows",
        f"{compared['differing_rows']} of {compared['rows']:,} rows differ",
        compared["differing_rows"] == 0 and compared["same_columns"],
    )
    return [
        *table(["Spark master", "scoring job (s)", "rows/s"], rows),
        "",
        f"Speed-up local[2] / local[1]: {spark['speedup']:.2f}×. Spark against the local engine on the same "
        f"log: {compared['differing_rows']} differing rows of {compared['rows']:,} (same columns: "
        f"{'yes' if compared['same_columns'] else 'no'}).",
        "",
    ]


def _big(big: dict, targets: Targets) -> list[str]:
    small = big["small_log"]
    rows = [
        [
            f"{small['rows']:,}",
            small["buckets"],
            f"{small['seconds']:.1f}",
            f"{small['rows_per_s']:,.0f}",
            f"{small['peak_rss_mb']:,.0f}",
        ],
        [
            f"{big['rows']:,}",
            big["buckets"],
            f"{big['seconds']:.1f}",
            f"{big['rows_per_s']:,.0f}",
            f"{big['peak_rss_mb']:,.0f}",
        ],
    ]
    targets.at_most(
        f"{big['rows']:,}-row log end to end: peak RSS ≤ {PEAK_RSS_LIMIT_MB} MB (bounded)",
        big["peak_rss_mb"],
        PEAK_RSS_LIMIT_MB,
        ",.0f",
        " MB",
    )
    return [
        "`empathy-nlu score` in a child process (peak RSS of that process, `os.wait4`), "
        f"{big['bucket_rows']:,} rows per bucket:",
        "",
        *table(["rows", "buckets", "seconds", "rows/s", "peak RSS (MB)"], rows),
        "",
    ]


def scoring_section(results: Results, summary: list) -> list[str]:
    report = results("scoring")
    if report is None:
        return missing("scoring", "scoring.py")
    targets = Targets("Scoring contact logs", summary)
    lines = provenance(report, "scoring.json")
    if report.get("quick"):
        lines += ["**Quick run (`--quick`): small logs, not comparable with full runs.**", ""]
    lines += [
        "Method: logs from `generators/contact_log.py` (BANKING77 and CLINC150 train texts, customers",
        "of 1-20 messages), scored with the bundled default model by the local engine in one process,",
        "each run with a freshly loaded model (no warm cache). rows/CPU-s is the per-core figure.",
        "",
    ]
    local = report["local"]
    header = ["local engine", "rows", "customers", "seconds", "rows/s", "rows/CPU-s", "distinct texts"]
    lines += [*table(header, _local_rows(local)), ""]
    targets.at_least(
        "local, utterance-only: ≥ 10,000 rows/s per core",
        local["utterance_only"]["rows_per_cpu_s"],
        10_000,
        ",.0f",
    )
    targets.at_least(
        "local, with history: ≥ 3,000 rows/s per core", local["with_history"]["rows_per_cpu_s"], 3_000, ",.0f"
    )
    lines += _profile(local)
    if "spark" in report:
        lines += _spark(report["spark"], targets)
    if "big" in report:
        lines += _big(report["big"], targets)
    return lines + targets.lines() + notes(report)
