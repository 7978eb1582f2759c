"""`empathy-nlu score LOG... --out SCORED.parquet`: predict every message of a contact log.

Each customer's messages are scored in time order with their earlier messages as history, and
written with flat prediction columns (intent, sentiment, cues, need, repeat contact, escalation
risk, ...) to Parquet, atomically (docs/scoring.md). Progress goes to stderr; one JSON summary
line (rows, customers, seconds, rows/s, output path) to stdout.
"""

from __future__ import annotations

import time
import warnings

from ..errors import LogError
from .common import print_line

HELP = "score a contact log (CSV, JSON Lines, Parquet) into Parquet with one prediction per message"


def add_arguments(parser) -> None:
    parser.add_argument(
        "log", nargs="+", help="contact log files: .csv, .jsonl/.json, .parquet (.gz for text)"
    )
    parser.add_argument("--out", required=True, help="the scored Parquet file to write")
    parser.add_argument("--model", help="model directory (default: the bundled default model)")
    parser.add_argument("--engine", choices=["local", "spark"], default="local", help="default: local")
    parser.add_argument("--format", choices=["csv", "jsonl", "parquet"], help="force the log format")
    parser.add_argument("--text-column", help="column with the message (default: text)")
    parser.add_argument(
        "--customer-column", help="column with the customer id (default: customer_id, if any)"
    )
    parser.add_argument("--timestamp-column", help="column with the message's time (default: timestamp)")
    parser.add_argument("--channel-column", help="column with the channel (default: channel, if any)")
    parser.add_argument("--id-column", help="column with the message id (default: id, if any)")
    parser.add_argument("--batch-size", type=int, default=512, help="messages per predict_batch call")
    parser.add_argument(
        "--bucket-rows",
        type=int,
        default=200_000,
        help="local engine: rows per bucket of the external sort; peak memory grows with it",
    )
    parser.add_argument("--temp-dir", help="local engine: folder for the buckets (default: next to --out)")
    parser.add_argument(
        "--spark-master", default="local[*]", help="spark engine: the master (default local[*])"
    )


def _columns(args):
    from ..scoring import columns_from_options

    return columns_from_options(
        args.text_column, args.customer_column, args.timestamp_column, args.channel_column, args.id_column
    )


def _check_options(args) -> None:
    for name in ("batch_size", "bucket_rows"):
        value = getattr(args, name)
        if value < 1:
            raise LogError(f"--{name.replace('_', '-')} must be at least 1, got {value}", "E812")


def run(args) -> int:
    _check_options(args)
    summary = _run_spark(args) if args.engine == "spark" else _run_local(args)
    print_line(summary)
    return 0


def _run_local(args) -> dict:
    from ..scoring import Progress, score_log

    progress = Progress(quiet=args.quiet)
    summary = score_log(
        args.log,
        args.out,
        model=args.model,
        columns=_columns(args),
        format=args.format,
        batch_size=args.batch_size,
        bucket_rows=args.bucket_rows,
        temp_dir=args.temp_dir,
        progress=progress,
    )
    return summary.to_dict()


def _run_spark(args) -> dict:
    """Read, score and write on Spark; the summary counts come from the written output."""
    from .. import spark as engine
    from ..classifier import Classifier
    from ..scoring.output import check_target, scoring_metadata

    started = time.perf_counter()
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    check_target(args.out)
    model = Classifier.load(args.model)  # a bad model fails here, once, not in every worker
    say = (lambda message: None) if args.quiet else _stderr
    say(f"starting Spark ({args.spark_master})")
    running = _active_session()
    session = engine.local_session(args.spark_master)
    try:
        frame = engine.read_log(session, args.log, args.format)
        scored = engine.score(
            frame, engine.model_path(args.model), batch_size=args.batch_size, **_names(args)
        )
        columns = _columns(args).resolve(frame.columns)
        if frame.isEmpty():
            raise LogError(f"the log has no rows: {', '.join(args.log)}", "E803")
        metadata = scoring_metadata(model.manifest, args.model, columns, "spark")
        say("scoring")
        out = engine.write_scored(scored, args.out, metadata)
        rows, customers = _counts(session, out, columns)
    finally:
        if running is None:  # a session the caller started (a notebook, a test) keeps running
            session.stop()
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "customers": customers,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds, 1),
        "out": str(out),
        "engine": "spark",
        "master": args.spark_master,
    }


def _active_session():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()


def _names(args) -> dict:
    return {
        "text_column": args.text_column,
        "customer_column": args.customer_column,
        "timestamp_column": args.timestamp_column,
        "channel_column": args.channel_column,
        "id_column": args.id_column,
    }


def _counts(session, out, columns) -> tuple[int, int]:
    from pyspark.sql import functions as F

    frame = session.read.parquet(str(out))
    if columns.customer is None:
        return frame.count(), 0
    row = frame.agg(F.count(F.lit(1)), F.countDistinct(columns.customer)).first()
    return int(row[0]), int(row[1])


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)
