"""The FastAPI application: routes, errors as ``EmpathyError`` JSON, body limits, metrics, access log.

Why one plain ASGI middleware instead of several: every request passes through it, so it does
the size limit, the request id, the timing, the metrics and the access log in one place. The
access log names the route template, never the path: customer ids and message text stay out.
"""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import EmpathyError, ServiceError
from .responses import error_response
from .routes import conversations, nlu, operations
from .settings import Settings
from .state import ServiceState

access_log = logging.getLogger("empathy_nlu.access")
log = logging.getLogger("empathy_nlu.service")


def create_app(settings: Settings | None = None) -> RequestGuard:
    """The service for ``settings`` (default: from ``$EMPATHY_NLU_SERVICE``, as ``serve`` sets it)."""
    settings = (settings or Settings.from_environment()).check()
    state = ServiceState(settings)
    app = FastAPI(
        title="empathy-nlu",
        version=__version__,
        description="One NLU for every support channel (docs/service.md).",
        lifespan=state.lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = state
    for router in (nlu.router, conversations.router, operations.router):
        app.include_router(router)
    _add_error_handlers(app)
    return RequestGuard(app, state, settings.max_body_kb * 1024)


def app_from_environment() -> RequestGuard:
    """uvicorn's factory for each worker process."""
    return create_app()


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EmpathyError)
    async def empathy_error(request, exc: EmpathyError):
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request, exc: RequestValidationError):
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return error_response(ServiceError("the body is not valid JSON.", "E709", 400))
        problems = "; ".join(_problem(error) for error in errors[:5])
        return error_response(ServiceError(f"the request does not fit: {problems}.", "E709", 422))

    @app.exception_handler(Exception)
    async def unexpected(request, exc: Exception):  # Starlette answers with this, then re-raises to the guard
        request_id = getattr(request.state, "request_id", "-")
        return error_response(ServiceError(f"unexpected error; request id {request_id}.", "E712", 500))

    @app.exception_handler(HTTPException)
    async def http_error(request, exc: HTTPException):
        if exc.status_code == 413:
            return error_response(ServiceError(str(exc.detail), "E703", 413))
        if exc.status_code in (404, 405):
            message = "no such route" if exc.status_code == 404 else "this route does not take that method"
            return error_response(ServiceError(f"{message}; see /openapi.json.", "E708", exc.status_code))
        code = "E709" if 400 <= exc.status_code < 500 else "E712"
        return error_response(ServiceError(str(exc.detail), code, exc.status_code))


def _problem(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {error.get('msg', 'invalid')}"


class RequestGuard:
    """Around every request: a request id, the body limit, a 500 that never leaks, metrics and a log line."""

    def __init__(self, app: FastAPI, state: ServiceState, max_body: int) -> None:
        self.app, self.state, self.max_body = app, state, max_body

    def __getattr__(self, name):  # tests and tools reach the FastAPI app's attributes through the guard
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = {"code": 500, "sent": False}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        scope.setdefault("state", {})["request_id"] = request_id
        try:
            refusal = self._refuse_declared(scope)
            if refusal is not None:
                await refusal(scope, receive, send_with_id)
            else:
                await self.app(scope, self._limited(receive), send_with_id)
        except Exception:  # a bug: logged with its id, answered as E712, and the worker keeps serving
            log.exception("request %s failed", request_id)
            if not status["sent"]:
                error = ServiceError(f"unexpected error; request id {request_id}.", "E712", 500)
                await error_response(error)(scope, receive, send_with_id)
        finally:
            self._record(scope, status["code"], time.perf_counter() - started, request_id)

    def _too_big(self) -> str:
        return f"the body is larger than {self.max_body // 1024} KiB; send less or raise --max-body-kb."

    def _refuse_declared(self, scope):
        """A response refusing a body whose Content-Length is over the limit (None: go on)."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                declared = int(value) if value.isdigit() else -1
                if declared < 0:
                    return error_response(ServiceError("Content-Length is not a number.", "E709", 400))
                if declared > self.max_body:
                    return error_response(ServiceError(self._too_big(), "E703", 413))
        return None

    def _limited(self, receive):
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:  # FastAPI passes an HTTPException on while reading the body
                raise HTTPException(413, self._too_big())
            return message

        return limited_receive

    def _record(self, scope, status: int, seconds: float, request_id: str) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope.get("method", "")
        if self.state.metrics is not None:
            self.state.metrics.observe_request(method, template, status, seconds)
        key = (scope.get("state") or {}).get("key_name", "-")
        access_log.info(
            "%s %s %d %.1fms key=%s id=%s", method, template, status, seconds * 1000, key, request_id
        )
