"""The local engine: the aggregated tables computed with pandas in this process.

Right for logs that fit in memory (a few million contacts); ``engine_spark.py`` computes the same
tables with Spark SQL for larger ones.
"""

from __future__ import annotations

from ..errors import LogError
from .options import UNPLACED, InsightOptions
from .source import Sources
from .tables import Aggregates, normalized


def read_frame(sources: Sources, options: InsightOptions):
    """The needed columns of every file as one DataFrame with the columns' role names."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = options.columns.required()
    wanted = {**names, **{name: name for name in sources.present_optional}}
    tables = [pq.read_table(path, columns=list(dict.fromkeys(wanted.values()))) for path in sources.files]
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    frame = table.to_pandas()
    return frame.rename(columns={column: role for role, column in wanted.items()})[list(wanted)]


def prepared(frame, options: InsightOptions):
    """Label (intent or UNPLACED), UTC timestamp, period, channel and need key of every contact."""
    import pandas as pd

    frame = frame.copy()
    out_of_scope = frame["out_of_scope"].fillna(False).astype(bool)
    intent = frame["intent"].astype("object")
    no_intent = intent.isna() | (intent.astype("string").fillna("") == "")
    frame["label"] = intent.where(~(out_of_scope | no_intent), UNPLACED)
    frame["out_of_scope"] = out_of_scope
    frame["ts"] = _utc(frame["timestamp"], options.columns.timestamp)
    frame["period"] = period_labels(frame["ts"], options.period)
    frame["channel"] = frame["channel"].astype("object").where(frame["channel"].notna(), "unknown")
    need = frame["need"] if "need" in frame else pd.Series(None, index=frame.index, dtype="object")
    frame["need_key"] = need.astype("object").where(
        need.notna() & (need.astype("string") != ""), frame["label"]
    )
    return frame


def _utc(values, column: str):
    import pandas as pd

    try:
        text = not pd.api.types.is_datetime64_any_dtype(values)
        stamps = pd.to_datetime(values, utc=True, format="ISO8601" if text else None)
    except (ValueError, TypeError) as exc:
        raise LogError(f"column {column!r}: a value is not an ISO 8601 timestamp ({exc}).", "E845") from exc
    if stamps.isna().any():
        row = int(stamps.isna().to_numpy().nonzero()[0][0])
        raise LogError(f"column {column!r}: row {row} has no timestamp.", "E845")
    return stamps


def period_labels(stamps, period: str):
    """``YYYY-MM-DD`` (day), the Monday starting the ISO week (week) or ``YYYY-MM`` (month), in UTC."""
    import pandas as pd

    if period == "month":
        return stamps.dt.strftime("%Y-%m")
    days = stamps.dt.floor("D")
    if period == "week":
        days = days - pd.to_timedelta(stamps.dt.day_of_week, unit="D")
    return days.dt.strftime("%Y-%m-%d")


def aggregate(sources: Sources, options: InsightOptions) -> Aggregates:
    """The tables of ``tables.py`` from the logs of ``sources``."""
    frame = prepared(read_frame(sources, options), options)
    counts = frame.groupby(["period", "channel", "label"]).size().rename("contacts").reset_index()
    return normalized(
        Aggregates(
            counts=counts.rename(columns={"label": "intent"}),
            experience=_experience(frame),
            repeat=_repeat(frame, options.repeat_days),
            unplaced=_unplaced(frame, options.low_confidence),
            customers=int(frame["customer_id"].nunique()),
            first=frame["ts"].min().isoformat(),
            last=frame["ts"].max().isoformat(),
        )
    )


def _experience(frame):
    has_score = "sentiment_score" in frame
    work = frame.assign(
        with_sentiment=frame["sentiment"].notna(),
        negative=frame["sentiment"] == "negative",
        score=frame["sentiment_score"].astype("float64") if has_score else float("nan"),
        risk=frame["escalation_risk"].astype("float64"),
        handoff=frame["handoff_recommended"].fillna(False).astype(bool),
    )
    grouped = work.groupby("label")
    table = grouped.agg(
        contacts=("label", "size"),
        with_sentiment=("with_sentiment", "sum"),
        negative=("negative", "sum"),
        score_sum=("score", "sum"),
        score_known=("score", "count"),
        risk_sum=("risk", "sum"),
        risk_known=("risk", "count"),
        handoffs=("handoff", "sum"),
    )
    return table.reset_index().rename(columns={"label": "intent"})


def _repeat(frame, days: float):
    """Per need: customers with two contacts for it at most ``days`` apart, and the median gap."""
    placed = frame[(frame["label"] != UNPLACED) & frame["customer_id"].notna()]
    placed = placed.sort_values(["customer_id", "need_key", "ts", "id"], kind="mergesort")
    gaps = placed.groupby(["customer_id", "need_key"], sort=False)["ts"].diff().dt.total_seconds() / 3600
    repeats = placed.assign(gap=gaps)[gaps <= days * 24]
    base = placed.groupby("need_key").agg(contacts=("id", "size"), customers=("customer_id", "nunique"))
    again = repeats.groupby("need_key").agg(
        repeat_customers=("customer_id", "nunique"),
        repeat_contacts=("gap", "size"),
        median_hours=("gap", "median"),
    )
    table = base.join(again, how="left").reset_index().rename(columns={"need_key": "intent"})
    return table


def _unplaced(frame, threshold: float):
    confidence = frame["confidence"].astype("float64")
    mask = ((frame["label"] == UNPLACED) | (confidence < threshold)) & frame["text"].notna()
    rows = frame.loc[mask, ["id", "text", "label", "confidence", "out_of_scope"]]
    return rows.rename(columns={"label": "intent"})
