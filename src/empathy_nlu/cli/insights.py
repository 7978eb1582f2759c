"""`empathy-nlu insights SCORED... --out DIR`: drivers, emerging intents, repeat contact, sentiment,
hand-over and candidate new intents of scored contact logs, as insights.json and report.html.

stdout: one JSON line (the paths and the headline figures); stderr: progress.
"""

from __future__ import annotations

from .common import print_line, progress_printer, startup_done

HELP = "insights over scored contact logs: insights.json and a self-contained report.html"


def add_arguments(parser) -> None:
    parser.add_argument("scored", nargs="+", help="scored logs (Parquet files or folders) from `score`")
    parser.add_argument("--out", required=True, help="folder for insights.json and report.html")
    parser.add_argument("--period", default="week", help="day, week or month (default week)")
    parser.add_argument("--engine", default="local", help="local (pandas) or spark (local Spark SQL)")
    parser.add_argument("--model", help="model directory for the clustering features (default: bundled)")
    parser.add_argument("--repeat-days", type=float, default=7.0, help="repeat-contact window in days")
    parser.add_argument("--low-confidence", type=float, default=0.5, help="below it a message is unplaced")
    parser.add_argument("--recent-periods", type=int, default=1, help="latest periods vs the rest")
    parser.add_argument("--alpha", type=float, default=0.05, help="false discovery rate (Benjamini-Hochberg)")
    parser.add_argument("--min-cluster-size", type=int, default=0, help="HDBSCAN size (0: automatic)")
    parser.add_argument("--id-column", default="id")
    parser.add_argument("--customer-column", default="customer_id")
    parser.add_argument("--timestamp-column", default="timestamp")
    parser.add_argument("--channel-column", default="channel")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--json-errors", action="store_true", help="also print errors as JSON on stdout")


def options_from_args(args):
    """The ``InsightOptions`` of the command line (checked by ``build_insights``)."""
    from ..insights import ColumnNames, InsightOptions

    columns = ColumnNames(
        id=args.id_column,
        customer_id=args.customer_column,
        timestamp=args.timestamp_column,
        channel=args.channel_column,
        text=args.text_column,
    )
    return InsightOptions(
        period=args.period,
        engine=args.engine,
        repeat_days=args.repeat_days,
        low_confidence=args.low_confidence,
        recent_periods=args.recent_periods,
        alpha=args.alpha,
        min_cluster_size=args.min_cluster_size,
        columns=columns,
    )


def run(args) -> int:
    from ..insights import build_insights, write_outputs

    startup_done()
    say = progress_printer(args)
    insights = build_insights(args.scored, options_from_args(args), model=args.model, say=say)
    paths = write_outputs(insights, args.out)
    if say:
        say(f"wrote {paths['insights']} and {paths['report']}")
    print_line(
        {
            **paths,
            "contacts": insights["log"]["contacts"],
            "periods": len(insights["log"]["periods"]),
            "emerging": [row["intent"] for row in insights["emerging"]],
            "declining": [row["intent"] for row in insights["declining"]],
            "candidate_intents": len(insights["candidate_intents"]),
            "seconds": insights["run"]["seconds"]["total"],
        }
    )
    return 0
