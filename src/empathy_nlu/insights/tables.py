"""The small tables both engines return: everything the insights need, aggregated.

Why this shape: the engines differ only in how they compute these tables (pandas in one process,
Spark SQL over many), and every statistic, clustering step and chart is computed from them by the
same Python code, so the two engines cannot drift apart in anything but the aggregation itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Column order of each table, shared by both engines (and sorted the same way by ``normalized``).
COUNTS = ("period", "channel", "intent", "contacts")
EXPERIENCE = (
    "intent",
    "contacts",
    "with_sentiment",
    "negative",
    "score_sum",
    "score_known",
    "risk_sum",
    "risk_known",
    "handoffs",
)
REPEAT = ("intent", "contacts", "customers", "repeat_customers", "repeat_contacts", "median_hours")
UNPLACED_COLUMNS = ("id", "text", "intent", "confidence", "out_of_scope")


@dataclass
class Aggregates:
    """What an engine hands back (pandas DataFrames with the columns above, plus a few numbers)."""

    counts: Any  # contacts per period x channel x intent (unplaced contacts as UNPLACED)
    experience: Any  # per intent: sentiment counts, sums of scores and risks, hand-overs
    repeat: Any  # per need (an intent): customers who came back within the window, median gap
    unplaced: Any  # the messages to cluster, ordered by id
    customers: int
    first: str  # earliest and latest timestamp, ISO 8601 UTC
    last: str


def normalized(aggregates: Aggregates) -> Aggregates:
    """The tables in one column order and row order, with plain dtypes, whichever engine made them."""
    aggregates.counts = _sorted(aggregates.counts, COUNTS, ["period", "channel", "intent"])
    aggregates.experience = _sorted(aggregates.experience, EXPERIENCE, ["intent"])
    aggregates.repeat = _sorted(aggregates.repeat, REPEAT, ["intent"])
    aggregates.unplaced = _sorted(aggregates.unplaced, UNPLACED_COLUMNS, ["id"])
    return aggregates


def _sorted(frame, columns, keys):
    frame = frame.loc[:, list(columns)].sort_values(keys, kind="mergesort").reset_index(drop=True)
    for column in columns:
        if column in (
            "contacts",
            "with_sentiment",
            "negative",
            "score_known",
            "risk_known",
            "handoffs",
            "customers",
            "repeat_customers",
            "repeat_contacts",
        ):
            frame[column] = frame[column].fillna(0).astype("int64")
        elif column in ("score_sum", "risk_sum", "median_hours", "confidence"):
            frame[column] = frame[column].astype("float64")
    return frame
