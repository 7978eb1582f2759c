"""Conversations kept in the store: a channel's raw message in, a customer's turns out, erasure.

Why ``def`` handlers (run in threads): each of these waits on the store's database, and a
thread lets the event loop answer other requests meanwhile. The channel route is the library's
``adapter(channel).handle``: the same normalization, history window, masking and append.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ...channels import CHANNELS, adapter
from ..responses import json_response, predicted, require, service_of
from ..schemas import ERRORS, PredictionOut

router = APIRouter()


async def raw_body(request: Request) -> bytes:
    """The body as bytes, read on the event loop before the handler's thread starts."""
    return await request.body()


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
def channel_message(
    channel: str,
    request: Request,
    customer_id: str = Query(..., min_length=1, max_length=256),
    raw: bytes = Depends(raw_body),
):
    service = service_of(request)
    module = adapter(channel)
    store = service.require_store()
    loaded = service.models.current
    prediction = module.handle(raw, customer_id, loaded.classifier, store).to_dict()
    return predicted(service, loaded, [prediction], prediction)


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
