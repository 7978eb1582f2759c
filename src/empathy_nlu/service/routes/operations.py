"""Running the service: liveness, readiness, metrics, and swapping the model.

Why readiness checks the store: a replica whose database is unreachable would answer every
channel message with 503; the load balancer should send that traffic to another replica.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ..responses import json_response, require, service_of
from ..schemas import ERRORS, ModelRequest

router = APIRouter()


@router.get("/health/live", summary="The process answers")
async def live():
    return json_response({"status": "live"})


@router.get("/health/ready", summary="The model is loaded and the store reachable (503 otherwise)")
def ready(request: Request):
    service = service_of(request)
    loaded = service.models.current if service.models else None
    store_ok = loaded is not None and service.store_ready()
    body = {
        "status": "ready" if store_ok else "not ready",
        "model": loaded.describe() if loaded else None,
        "store": None if service.store is None else store_ok,
    }
    return json_response(body, 200 if store_ok else 503)


@router.get(
    "/metrics",
    dependencies=[Depends(require("metrics"))],
    responses=ERRORS,
    summary="Prometheus text format: requests, latency, predictions by intent, out of scope, hand-overs",
)
def metrics(request: Request):
    content, media_type = service_of(request).metrics.render()
    return Response(content, media_type=media_type)


@router.get("/admin/model", dependencies=[Depends(require("admin"))], responses=ERRORS)
async def current_model(request: Request):
    return json_response({"model": service_of(request).models.current.describe()})


@router.post(
    "/admin/model",
    dependencies=[Depends(require("admin"))],
    responses=ERRORS,
    summary="Load a model directory fully, then serve it on every worker; a failed load keeps the old one",
)
async def swap_model(body: ModelRequest, request: Request):
    models = service_of(request).models
    previous = models.current
    loaded = await run_in_threadpool(models.swap, body.path)  # requests keep being answered meanwhile
    return json_response({"model": loaded.describe(), "previous": previous.describe()})
