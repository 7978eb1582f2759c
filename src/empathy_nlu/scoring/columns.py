"""Which log columns scoring reads, and the flat prediction columns it writes.

The prediction columns are a contract: ``empathy-nlu insights`` (and anyone's SQL) reads them by
these exact names and types, so they are declared once here, with the key of
``Prediction.to_dict()`` each one is read from. Both engines (``local.py``, ``empathy_nlu.spark``)
build them with ``prediction_columns``, so a row gets the same values whichever engine scored it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..errors import LogError
from ..prediction import finite

CUES = ("frustration", "urgency", "churn_risk", "gratitude", "request_human")

#: name -> type ("string", "double", "bool", "long"), in output order; read by insights.
PREDICTION_TYPES: dict[str, str] = {
    "intent": "string",
    "confidence": "double",
    "out_of_scope": "bool",
    "out_of_scope_reason": "string",
    "sentiment": "string",
    "sentiment_score": "double",
    **{f"cue_{cue}": "double" for cue in CUES},
    "entities": "string",
    "need": "string",
    "repeat_contact": "bool",
    "repeat_contact_count": "long",
    "escalation_risk": "double",
    "handoff_recommended": "bool",
    "detected_language": "string",  # not "language": logs often have a column of that name already
}
PREDICTION_COLUMNS: tuple[str, ...] = tuple(PREDICTION_TYPES)

ROW = "__empathy_row"  # hidden column: the row's index in the whole input (ties in time keep input order)
METADATA_PREFIX = "empathy_nlu."  # keys of the Parquet schema metadata scoring writes


@dataclass(frozen=True)
class Columns:
    """The log's column names. ``customer``, ``channel`` and ``id`` are optional: when a column of
    that name is absent it is not used (rows scored alone, channel None), unless its name is in
    ``required`` (a name the user gave explicitly, which must then exist)."""

    text: str = "text"
    customer: str | None = "customer_id"
    timestamp: str = "timestamp"
    channel: str | None = "channel"
    id: str | None = "id"
    required: frozenset[str] = frozenset({"text", "timestamp"})

    def resolve(self, present: Sequence[str], where: str = "the log") -> Columns:
        """These columns checked against the log's ``present`` columns; optional ones that are
        absent become None. Raises E801 naming the column and the columns present."""
        names = list(present)
        resolved = {}
        for role in ("text", "customer", "timestamp", "channel", "id"):
            name = getattr(self, role)
            if name is None or name in names:
                resolved[role] = name
            elif role in self.required:
                shown = ", ".join(names) if len(names) <= 40 else ", ".join(names[:40]) + ", ..."
                option = f"--{role}-column"
                raise LogError(
                    f"{where}: no column {name!r} for the {role} ({option}); the columns are: {shown}",
                    "E801",
                )
            else:
                resolved[role] = None
        check_clash(names, where)
        return replace(self, **resolved)

    def used(self) -> list[str]:
        """The columns scoring reads, in a fixed order (text first)."""
        return [name for name in (self.text, self.customer, self.timestamp, self.channel) if name]


def check_clash(names: Sequence[str], where: str) -> None:
    """E809 when the log already has a column named like a prediction column."""
    clash = [name for name in names if name in PREDICTION_TYPES]
    if clash:
        raise LogError(
            f"{where}: the log already has columns named like the prediction columns: "
            f"{', '.join(clash)}; drop or rename them before scoring",
            "E809",
        )


def columns_from_options(
    text: str | None = None,
    customer: str | None = None,
    timestamp: str | None = None,
    channel: str | None = None,
    id: str | None = None,  # noqa: A002 - the option's name
) -> Columns:
    """``Columns`` from command-line options: a name given is required; one not given is the default."""
    given = {"text": text, "customer": customer, "timestamp": timestamp, "channel": channel, "id": id}
    explicit = {role for role, name in given.items() if name is not None}
    base = Columns()
    names = {role: name if name is not None else getattr(base, role) for role, name in given.items()}
    return Columns(**names, required=frozenset({"text", "timestamp"} | explicit))


def _get(part, key: str):
    return part.get(key) if isinstance(part, dict) else None


def flat(prediction) -> tuple:
    """One prediction as the values of ``PREDICTION_COLUMNS``: the values ``to_dict()`` gives under
    the keys named in ``SOURCES`` (every number finite, the intent confidence rounded to 6 digits),
    read from the few fields needed rather than through the whole ``to_dict()`` (7% of scoring time)."""
    intent, sentiment, cues = prediction.intent, prediction.sentiment, prediction.cues or {}
    context = prediction.context or {}
    repeat = context.get("repeat_contact") or {}
    return (
        intent.name if intent else None,
        finite(round(intent.confidence, 6)) if intent else None,
        prediction.out_of_scope,
        prediction.out_of_scope_reason,
        _get(sentiment, "label"),
        finite(_get(sentiment, "score")),
        *(finite(_get(cues.get(cue), "score")) for cue in CUES),
        json.dumps(finite(prediction.entities), ensure_ascii=False, allow_nan=False),
        context.get("need"),
        bool(repeat.get("is_repeat", False)),
        int(repeat.get("previous_contacts", 0)),
        finite(context.get("escalation_risk")),
        bool(_get(context.get("handoff"), "recommended")),
        _get(prediction.language, "code"),
    )


#: where each prediction column comes from in ``Prediction.to_dict()`` (checked by the tests)
SOURCES: dict[str, str] = {
    "intent": "intent.name",
    "confidence": "intent.confidence",
    "out_of_scope": "out_of_scope",
    "out_of_scope_reason": "out_of_scope_reason",
    "sentiment": "sentiment.label",
    "sentiment_score": "sentiment.score",
    **{f"cue_{cue}": f"cues.{cue}.score" for cue in CUES},
    "entities": "entities",
    "need": "context.need",
    "repeat_contact": "context.repeat_contact.is_repeat",
    "repeat_contact_count": "context.repeat_contact.previous_contacts",
    "escalation_risk": "context.escalation_risk",
    "handoff_recommended": "context.handoff.recommended",
    "detected_language": "language.code",
}


def prediction_columns(predictions: Iterable) -> dict[str, list]:
    """``PREDICTION_COLUMNS`` -> values, one per prediction, in order."""
    rows = [flat(prediction) for prediction in predictions]
    return {name: [row[i] for row in rows] for i, name in enumerate(PREDICTION_COLUMNS)}


def arrow_type(kind: str):
    import pyarrow as pa

    return {"string": pa.string(), "double": pa.float64(), "bool": pa.bool_(), "long": pa.int64()}[kind]


def prediction_fields() -> list:
    """The prediction columns as pyarrow fields."""
    import pyarrow as pa

    return [pa.field(name, arrow_type(kind)) for name, kind in PREDICTION_TYPES.items()]
