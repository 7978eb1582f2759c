"""The heart of scoring, shared by both engines: rows of whole customers in, predictions out.

Given the rows of some customers (all of each customer's rows, in any order), each customer's
messages are put in time order (ties keep input order) and every message is predicted exactly as
``Classifier.predict(text, history=<that customer's earlier messages>, reference_time=<its time>,
channel=<its channel>)`` would answer, but many messages at a time through ``predict_batch``.
The local engine calls ``score_rows`` per bucket of customers, Spark per customer group: the same
function, so the same answers.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ..errors import InputError, LogError
from ..history import parse_timestamp, shown
from ..schema import Turn
from .columns import prediction_columns

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
Where = Callable[[int], str]  # row position -> "file: row N" for error messages


def moment(value, where: str) -> datetime:
    """A log timestamp as the datetime handed to ``predict``; LogError E802 naming ``where``.

    ISO 8601 text keeps its offset as written (naive text stays naive, which ``predict`` reads as
    local time); numbers and numeric text are epoch seconds; typed instants (Parquet/Arrow/Spark
    timestamps with a zone) are read in UTC, so every engine hands ``predict`` the same value.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise LogError(f"{where}: the timestamp is empty; every message needs its time", "E802")
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo is not None else value
    elif isinstance(value, date):
        value = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            value = float(text) if text and text.lstrip("+-").replace(".", "", 1).isdigit() else text
        except ValueError:
            value = text
    elif not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise LogError(f"{where}: timestamp {shown(value)} is not a time", "E802")
    try:
        parsed = parse_timestamp(value, "timestamp")
    except InputError as exc:
        raise LogError(f"{where}: timestamp {shown(value)} cannot be read ({exc.message})", "E802") from None
    if isinstance(parsed, datetime) and type(parsed) is not datetime:  # pandas.Timestamp and friends
        parsed = datetime.fromisoformat(parsed.isoformat())
    return parsed


def sort_key(when: datetime) -> int:
    """Microseconds since the epoch: the order of messages in time (naive times are local, as in
    ``predict``), exact where float seconds would round."""
    aware = when if when.tzinfo is not None else when.astimezone()
    return (aware - _EPOCH) // _MICROSECOND


def moments(values: Sequence, where: Where) -> list[datetime]:
    """Every timestamp of a column read (E802 at the first bad one)."""
    return [moment(value, where(i)) for i, value in enumerate(values)]


@dataclass
class Scored:
    """``order``: positions of the input rows in output order; ``columns``: prediction columns
    aligned with ``order``; ``customers``: how many distinct customers the rows hold."""

    order: list[int]
    columns: dict[str, list]
    customers: int


def customer_groups(customers: Sequence | None, n: int) -> list[list[int]]:
    """Positions grouped by customer, groups in order of first row; a row without a customer
    (no column, or null) is a group of its own."""
    if customers is None:
        return [[i] for i in range(n)]
    groups: dict = {}
    for i, customer in enumerate(customers):
        groups.setdefault(object() if customer is None else customer, []).append(i)
    return list(groups.values())


def _histories(group: list[int], texts, channels, times, limit: int) -> list[list[Turn]]:
    """Each message's history: the customer's earlier messages (the last ``limit``, which is all
    ``predict`` keeps of a longer history anyway)."""
    turns = [
        Turn(text=texts[i], speaker="customer", channel=channels[i] if channels else None, timestamp=times[i])
        for i in group
    ]
    return [turns[max(0, k - limit) : k] for k in range(len(group))]


def score_rows(
    classifier,
    texts: Sequence[str | None],
    times: Sequence[datetime],
    *,
    customers: Sequence | None = None,
    channels: Sequence[str | None] | None = None,
    rows: Sequence[int] | None = None,
    batch_size: int = 512,
    advance: Callable[[int], None] | None = None,
) -> Scored:
    """Predict every row with its customer's earlier rows as history (see the module docstring).

    ``rows``: each row's index in the whole input, the tie-break for equal times (default: position).
    ``advance(n)`` is called after each batch of ``n`` predictions (progress).
    """
    n = len(texts)
    texts = ["" if text is None else text for text in texts]
    rows = range(n) if rows is None else rows
    keys = [sort_key(when) for when in times]
    order: list[int] = []
    histories: list[list[Turn]] = []
    groups = customer_groups(customers, n)
    limit = classifier.pipeline.config["predict"].max_history_turns
    for group in groups:
        group.sort(key=lambda i: (keys[i], rows[i]))
        order += group
        histories += _histories(group, texts, channels, times, limit) if len(group) > 1 else [[]]
    columns: dict[str, list] = {}
    for start in range(0, n, batch_size):
        chunk = order[start : start + batch_size]
        predictions = classifier.predict_batch(
            [texts[i] for i in chunk],
            histories[start : start + len(chunk)],
            reference_times=[times[i] for i in chunk],
            channels=[channels[i] for i in chunk] if channels else None,
        )
        for name, values in prediction_columns(predictions).items():
            columns.setdefault(name, []).extend(values)
        if advance:
            advance(len(chunk))
    return Scored(order, columns, sum(1 for group in groups if customers and customers[group[0]] is not None))
