"""The request bodies the service takes, and the answers it documents in ``/openapi.json``.

Why loose inner types (``history`` items, ``entities``): the library checks those itself, by the
rules of docs/input_rules.md, and its errors say more than a schema's would; the schema fixes
the outer shape so that a client generator gets it right.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

HistoryTurn = str | dict[str, Any]


class ParseRequest(BaseModel):
    """One utterance; ``history`` (earlier turns, oldest first) or ``customer_id`` (from the store)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    history: list[HistoryTurn] | None = None
    reference_time: str | float | None = Field(
        None, description="ISO 8601 or epoch seconds; resolves 'tomorrow' (default: now)"
    )
    channel: str | None = None
    customer_id: str | None = Field(None, description="read the history from the store (read-only)")


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ParseRequest]


class RasaParseRequest(BaseModel):
    """Rasa's ``POST /model/parse`` body; ``message_id`` is echoed as Rasa does."""

    text: str
    message_id: str | None = None


class ModelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="a model directory on the service's machine")


class Score(BaseModel):
    name: str
    confidence: float


class PredictionOut(BaseModel):
    """``Prediction.to_dict()``: what the library answers, field for field."""

    text: str
    truncated: bool
    intent: Score | None
    intent_ranking: list[Score]
    intents: list[Score]
    out_of_scope: bool | None
    out_of_scope_reason: str | None
    sentiment: dict[str, Any] | None
    cues: dict[str, Any]
    entities: list[dict[str, Any]]
    context: dict[str, Any]


class BatchOut(BaseModel):
    predictions: list[PredictionOut]


class RasaEntity(BaseModel):
    entity: str
    start: int
    end: int
    value: Any
    confidence_entity: float | None
    extractor: str | None


class RasaParseOut(BaseModel):
    text: str
    message_id: str | None = None
    intent: Score
    entities: list[RasaEntity]
    intent_ranking: list[Score]


class ErrorOut(BaseModel):
    """Every error: the library's ``EmpathyError.to_dict()``."""

    error: str
    code: str
    message: str


ERRORS = {status: {"model": ErrorOut} for status in (400, 401, 403, 409, 413, 422, 503)}
