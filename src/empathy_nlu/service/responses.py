"""JSON in and out, errors as the library's ``EmpathyError`` JSON, and the scope each route needs.

Why bytes built here rather than FastAPI's encoder: a ``Prediction`` is already plain JSON types
(``to_dict``), so one ``json.dumps`` gives exactly what ``Prediction.to_json`` gives in-process,
and skips a second walk over the answer.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..errors import (
    ConfigError,
    DataError,
    EmpathyError,
    InputError,
    ModelError,
    ServiceError,
    StoreError,
)

JSON = "application/json"
CALLER_STORE_CODES = ("E604", "E605")  # a bad customer id or value: the caller's mistake


def json_bytes(value: Any) -> bytes:
    """UTF-8 JSON, never NaN; text the caller sent with lone surrogates is escaped, not a 500."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, allow_nan=False).encode("ascii")


def json_response(value: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json_bytes(value), status_code=status, media_type=JSON, headers=headers)


def predicted(service, loaded, predictions: list[dict], body: Any) -> Response:
    """A response carrying predictions: counted in the metrics, and naming the model that answered."""
    service.metrics.observe_predictions(predictions)
    return json_response(body, headers={"X-Empathy-Model": loaded.model_id})


def status_of(exc: EmpathyError) -> int:
    """The HTTP status for an error: 4xx for the caller's mistakes, 503 when the store is down."""
    if isinstance(exc, ServiceError):
        return exc.status
    if isinstance(exc, StoreError):
        return 422 if exc.code in CALLER_STORE_CODES else 503
    if isinstance(exc, InputError | DataError | ConfigError | ModelError):
        return 422
    return 500


def error_response(exc: EmpathyError, headers: dict | None = None) -> Response:
    status = status_of(exc)
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return json_response(exc.to_dict(), status, headers)


def require(*scopes: str):
    """A dependency: the caller's key must have every one of ``scopes`` (none checked with --no-auth).

    ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a thread, a hop per request."""

    async def check(request: Request) -> None:
        check_key(request, scopes)

    return check


def check_key(request: Request, scopes: tuple[str, ...]) -> None:
    """E701 (401) or E702 (403) unless the request's key has ``scopes``; remembers the key's name."""
    service = request.app.state.service
    if service.keys is None:
        return
    authorization = request.headers.get("authorization")
    for scope in scopes:
        request.state.key_name = service.keys.check(authorization, scope).name


def service_of(request: Request):
    return request.app.state.service
