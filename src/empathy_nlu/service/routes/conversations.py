"""Conversations kept in the store: a channel's raw message in, a customer's turns out, erasure.

Why the store's calls run in threads: each waits on the database, and a thread lets the event loop
answer other requests meanwhile; the prediction runs on the loop, as ``/v1/parse`` does. The channel
route is the library's ``adapter(channel).handle``, step by step: the same normalization, history
window, masking and append.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ...channels import CHANNELS, adapter
from ...channels.base import history_window, predict_message, stamped
from ...store.base import check_customer_id
from ..responses import json_response, predicted, require, service_of
from ..schemas import ERRORS, PredictionOut

router = APIRouter()


RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/plain": {"schema": {"type": "string"}},
            "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "the channel's raw payload: an e-mail as message/rfc822, chat and social JSON "
        "objects, SMS text and voice transcripts as text (docs/channels.md)",
    }
}


@router.post(
    "/v1/channels/{channel}/messages",
    dependencies=[Depends(require("channels"))],
    responses={200: {"model": PredictionOut}, **ERRORS},
    openapi_extra=RAW_BODY,
    summary=f"A raw message from a channel ({', '.join(CHANNELS)}): predicted with the "
    "customer's history from every channel, then stored",
)
async def channel_message(
    channel: str,
    request: Request,
    customer_id: str = Query(..., min_length=1, max_length=256),
):
    """``channels.handle_message``'s steps: the store's read and write in threads, the adapter and
    the prediction on the event loop (spaCy's per-thread pipelines stay one per worker)."""
    service = service_of(request)
    module = adapter(channel)
    store = service.require_store()
    message = module.read(await request.body())
    turn = stamped(message.turn)
    loaded = service.models.current
    check_customer_id(customer_id)
    window = history_window(loaded.classifier)
    stored = await run_in_threadpool(store.history, customer_id, window)
    prediction = predict_message(message, turn, [record.turn for record in stored], loaded.classifier)
    answer = prediction.to_dict()
    await run_in_threadpool(store.append, customer_id, turn, prediction=answer, meta=message.meta)
    return predicted(service, loaded, [answer], answer)


@router.get(
    "/v1/customers/{customer_id}/turns",
    dependencies=[Depends(require("history"))],
    responses=ERRORS,
    summary="A customer's stored turns on every channel, oldest first (personal data masked)",
)
def customer_turns(customer_id: str, request: Request, limit: int = Query(50, ge=0, le=1000)):
    store = service_of(request).require_store()
    turns = [record.to_dict() for record in store.history(customer_id, limit=limit)]
    return json_response({"customer_id": customer_id, "turns": turns})


@router.delete(
    "/v1/customers/{customer_id}",
    dependencies=[Depends(require("erase"))],
    responses=ERRORS,
    summary="Erase every stored turn of a customer (right to erasure)",
)
def erase_customer(customer_id: str, request: Request):
    store = service_of(request).require_store()
    return json_response({"customer_id": customer_id, "erased": store.erase(customer_id)})
