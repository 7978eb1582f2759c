"""Scoring contact logs: local rows/s, Spark scaling, Spark = local, a 1,000,000-row log in bounded memory.

    .venv/bin/python benchmarks/scoring.py [--quick] [--rows 50000] [--spark-rows 20000]
        [--big-rows 1000000] [--skip-spark] [--skip-big] [--out FILE] [--note TEXT]

Logs come from ``generators/contact_log.py`` (BANKING77 / CLINC150 train texts, seeded) and are
scored with the bundled default model:

- local engine, one process: rows/s and rows per CPU-second (the per-core figure, which a shared
  machine's load does not change much) on an utterance-only log (no customer column) and on the
  same log with customers of 1-20 messages (history); each run with a freshly loaded model, so no
  cache is warm; texts repeat as in the generated log (the share of distinct texts is recorded);
  a separate cProfile run on 5,000 of its rows says where the time goes;
- Spark ``local[1]`` against ``local[2]`` on the ``--spark-rows`` log (model loaded in the workers by
  a warm-up job first; times are the scoring + writing job), and the Spark rows against the local
  engine's rows for the same log (sorted by id, every column);
- ``empathy-nlu score`` on a ``--big-rows`` log in a child process: wall time and the child's peak
  RSS (``os.wait4``), next to the peak RSS of the ``--rows`` log: bounded memory means the first does
  not grow with the log.

``--quick`` (2,000 / 1,000 / 20,000 rows, 4,000-row buckets) checks the script in a couple of
minutes and writes to ``results/quick/``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, add_output_arguments, envelope, log, output_path, write_results
from generators.contact_log import generate

QUICK = {"rows": 2_000, "spark_rows": 1_000, "big_rows": 20_000, "bucket_rows": 4_000}
FULL = {"rows": 50_000, "spark_rows": 20_000, "big_rows": 1_000_000, "bucket_rows": 200_000}
PROFILED = {  # function name -> what it is, for "where the time goes"
    "run": "Pipeline.run (the whole NLU pipeline)",
    "flat": "prediction -> flat columns",
    "moments": "timestamps read",
    "_first_pass": "first pass: read, check, spill",
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _alone(log_path: Path, folder: Path) -> Path:
    """The log without its customer column: every message scored alone."""
    import pyarrow.parquet as pq

    path = folder / "alone.parquet"
    pq.write_table(pq.read_table(log_path).drop_columns(["customer_id"]), path)
    return path


def _warm_up() -> None:
    """Pay the process's one-time costs (imports, spaCy's first tokenizer use) before any timing."""
    from empathy_nlu import Classifier

    Classifier.load().predict_batch(["my card has not arrived", "hello"] * 20)


def local_run(path: Path, out: Path, profile: bool = False) -> dict:
    """One local scoring run with a freshly loaded model: rows/s and rows per CPU-second."""
    import pyarrow.parquet as pq

    from empathy_nlu import Classifier
    from empathy_nlu.scoring import score_log

    classifier = Classifier.load()
    profiler = cProfile.Profile() if profile else None
    cpu, started = _cpu(), time.perf_counter()
    if profiler:
        profiler.enable()
    summary = score_log([path], out, classifier=classifier)
    if profiler:
        profiler.disable()
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu
    texts = pq.read_table(path, columns=["text"]).column("text")
    result = {
        "rows": summary.rows,
        "customers": summary.customers,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_s": round(summary.rows / seconds, 1),
        "rows_per_cpu_s": round(summary.rows / cpu_seconds, 1),
        "distinct_text_share": round(len(set(texts.to_pylist())) / max(summary.rows, 1), 3),
    }
    if profiler:
        result["profile"] = _where_time_goes(profiler)
    return result


def _profiled(path: Path, folder: Path, rows: int = 5_000) -> dict:
    """Where the time goes, from a separate cProfile run on the first ``rows`` rows (the profiler
    slows the run down, so the measured runs are never profiled)."""
    import pyarrow.parquet as pq

    head = folder / "profiled.parquet"
    pq.write_table(pq.read_table(path).slice(0, rows), head)
    return local_run(head, folder / "profiled-out.parquet", profile=True)["profile"]


def _where_time_goes(profiler: cProfile.Profile) -> dict:
    """Share of the profiled time in the pipeline, in the scoring harness, and per component."""
    stats = pstats.Stats(profiler).stats
    total = max(sum(tt for _, _, tt, _, _ in stats.values()), 1e-9)
    shares: dict[str, float] = {}
    for (file, _, name), (_, _, _, cumulative, _) in stats.items():
        label = PROFILED.get(name) if "empathy_nlu" in file else None
        if name == "process" and "empathy_nlu" in file:
            label = "in it: component " + Path(file).parent.name + "/" + Path(file).stem
        if name == "preprocess" and file.endswith("preprocessing.py"):
            label = "in it: preprocessing (spaCy tokenizer)"
        if label:
            shares[label] = round(shares.get(label, 0) + cumulative / total, 3)
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def child_run(path: Path, out: Path, bucket_rows: int) -> dict:
    """``empathy-nlu score`` in a child process: wall time and that child's peak RSS."""
    command = [sys.executable, "-m", "empathy_nlu", "--quiet", "score", str(path), "--out", str(out)]
    command += ["--bucket-rows", str(bucket_rows)]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    import json

    summary = json.loads(output)
    return {
        "rows": summary["rows"],
        "customers": summary["customers"],
        "buckets": summary["buckets"],
        "seconds": round(seconds, 1),
        "rows_per_s": round(summary["rows"] / seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "log_mb": round(path.stat().st_size / 1e6, 1),
        "output_mb": round(out.stat().st_size / 1e6, 1),
    }


def spark_runs(path: Path, folder: Path, local_out: Path) -> dict:
    """Spark local[1] and local[2] on the same log (after a warm-up job), and their rows against
    the local engine's."""
    import pyarrow.parquet as pq

    from empathy_nlu import spark as engine

    results: dict = {}
    for master in ("local[1]", "local[2]"):
        session = engine.local_session(master, shuffle_partitions=8)
        frame = engine.read_log(session, [path])
        engine.write_scored(engine.score(frame.limit(400)), folder / "warm", {})  # loads the model in workers
        started = time.perf_counter()
        out = engine.write_scored(engine.score(frame), folder / f"spark-{master[6]}", {})
        seconds = time.perf_counter() - started
        session.stop()
        results[master] = {"seconds": round(seconds, 2), "rows_per_s": round(frame_rows(out) / seconds, 1)}
        log(f"spark {master}: {seconds:.1f}s")
    results["speedup"] = round(results["local[1]"]["seconds"] / results["local[2]"]["seconds"], 2)
    spark_rows = sorted(pq.read_table(folder / "spark-2").to_pylist(), key=lambda row: row["id"])
    local_rows = sorted(pq.read_table(local_out).to_pylist(), key=lambda row: row["id"])
    differing = sum(a != b for a, b in zip(spark_rows, local_rows, strict=False))
    results["comparison"] = {
        "rows": len(spark_rows),
        "local_rows": len(local_rows),
        "same_columns": pq.read_schema(local_out).names == pq.read_table(folder / "spark-2").schema.names,
        "differing_rows": differing + abs(len(spark_rows) - len(local_rows)),
    }
    return results


def frame_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=["id"]).num_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small logs: checks the script works")
    parser.add_argument("--rows", type=int, help="rows of the local throughput logs (default 50,000)")
    parser.add_argument("--spark-rows", type=int, help="rows of the Spark log (default 20,000)")
    parser.add_argument("--big-rows", type=int, help="rows of the end-to-end log (default 1,000,000)")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    add_output_arguments(parser, "scoring")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for key in ("rows", "spark_rows", "big_rows"):
        sizes[key] = getattr(args, key) or sizes[key]
    report = envelope("scoring.py", argv, args.note)
    report.update({"quick": args.quick, "sizes": sizes, "cores": os.cpu_count(), "model": "bundled default"})
    with tempfile.TemporaryDirectory(prefix="scoring-bench-") as temporary:
        folder = Path(temporary)
        generate(sizes["rows"], args.seed, folder / "log")
        history_log = folder / "log" / "log.parquet"
        _warm_up()
        log(f"local engine, {sizes['rows']:,} rows without customers")
        alone_log = _alone(history_log, folder)
        alone = local_run(alone_log, folder / "alone-out.parquet")
        log(f"local engine, {sizes['rows']:,} rows with history")
        report["local"] = {
            "utterance_only": alone,
            "with_history": local_run(history_log, folder / "out.parquet"),
            "profile": _profiled(alone_log, folder),
        }
        if not args.skip_spark:
            generate(sizes["spark_rows"], args.seed + 1, folder / "spark-log")
            spark_log = folder / "spark-log" / "log.parquet"
            local_run(spark_log, folder / "spark-local.parquet")
            report["spark"] = spark_runs(spark_log, folder, folder / "spark-local.parquet")
        if not args.skip_big:
            report["big"] = big_run(sizes, args.seed, folder)
    path = write_results(output_path(args.out, "scoring", quick=args.quick), report)
    log(f"wrote {path}")
    return 0


def big_run(sizes: dict, seed: int, folder: Path) -> dict:
    """The end-to-end run on the big log, and the same command on the small log for comparison."""
    log(f"generating {sizes['big_rows']:,} rows")
    generate(sizes["big_rows"], seed + 2, folder / "big")
    small = child_run(folder / "log" / "log.parquet", folder / "small-cli.parquet", sizes["bucket_rows"])
    log(f"empathy-nlu score on {sizes['big_rows']:,} rows")
    big = child_run(folder / "big" / "log.parquet", folder / "big-out.parquet", sizes["bucket_rows"])
    return {**big, "bucket_rows": sizes["bucket_rows"], "small_log": small}


if __name__ == "__main__":
    raise SystemExit(main())
