"""Understanding without side effects: ``/v1/parse``, ``/v1/parse/batch`` and Rasa's ``/model/parse``.

Why the handlers are ``async`` and predict on the event loop: a prediction is about a millisecond
of CPU, less than a hop to a thread pool costs under load; only store reads (I/O) go to threads.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ...channels.base import history_window
from ...errors import EmpathyError, ServiceError
from ..responses import check_key, predicted, require, service_of
from ..schemas import (
    ERRORS,
    BatchOut,
    BatchRequest,
    ParseRequest,
    PredictionOut,
    RasaParseOut,
    RasaParseRequest,
)

router = APIRouter()


@router.post(
    "/v1/parse",
    dependencies=[Depends(require("parse"))],
    responses={200: {"model": PredictionOut}, **ERRORS},
    summary="Understand one utterance (intent, sentiment, cues, entities, context)",
)
async def parse(body: ParseRequest, request: Request):
    service = service_of(request)
    loaded = service.models.current  # this request answers with this model, even if a swap comes
    history = await _history(body, request, loaded.classifier)
    prediction = loaded.classifier.predict(
        body.text, history, reference_time=body.reference_time, channel=body.channel
    ).to_dict()
    return predicted(service, loaded, [prediction], prediction)


@router.post(
    "/v1/parse/batch",
    dependencies=[Depends(require("parse"))],
    responses={200: {"model": BatchOut}, **ERRORS},
    summary="Understand many utterances in one call (at most --max-batch)",
)
async def parse_batch(body: BatchRequest, request: Request):
    service = service_of(request)
    limit = service.settings.max_batch
    if len(body.items) > limit:
        raise ServiceError(f"the batch has {len(body.items)} items; at most {limit} are taken.", "E704", 413)
    loaded = service.models.current
    histories = [await _history(item, request, loaded.classifier) for item in body.items]
    try:
        predictions = loaded.classifier.predict_batch(
            [item.text for item in body.items],
            histories,
            reference_times=[item.reference_time for item in body.items],
            channels=[item.channel for item in body.items],
        )
    except EmpathyError as exc:
        raise _name_the_item(exc, body.items, histories, loaded.classifier) from None
    answers = [prediction.to_dict() for prediction in predictions]
    return predicted(service, loaded, answers, {"predictions": answers})


@router.post(
    "/model/parse",
    dependencies=[Depends(require("parse"))],
    responses={200: {"model": RasaParseOut}, **ERRORS},
    summary="Rasa's NLU HTTP API: a Rasa-based bot switches by changing its URL",
)
async def rasa_parse(body: RasaParseRequest, request: Request):
    service = service_of(request)
    loaded = service.models.current
    prediction = loaded.classifier.predict(body.text).to_dict()
    return predicted(service, loaded, [prediction], rasa_shape(prediction, body.message_id))


def rasa_shape(prediction: dict, message_id: str | None) -> dict:
    """A ``Prediction`` as Rasa's ``/model/parse`` answers (Rasa 3: ``confidence_entity``)."""
    intent = prediction["intent"] or {"name": None, "confidence": 0.0}
    entities = [
        {
            "entity": entity["entity"],
            "start": entity["start"],
            "end": entity["end"],
            "value": entity["value"],
            "confidence_entity": entity.get("confidence"),
            "extractor": entity.get("extractor"),
        }
        for entity in prediction["entities"]
    ]
    answer = {"text": prediction["text"], "intent": intent, "entities": entities}
    answer["intent_ranking"] = prediction["intent_ranking"]
    if message_id is not None:
        answer["message_id"] = message_id
    return answer


async def _history(item: ParseRequest, request: Request, classifier):
    """The turns before ``item``: as sent, or the customer's from the store (needs the history scope)."""
    if item.customer_id is None:
        return item.history
    if item.history is not None:
        raise ServiceError("send history or customer_id, not both.", "E709", 422)
    check_key(request, ("history",))
    store = service_of(request).require_store()
    stored = await run_in_threadpool(store.history, item.customer_id, history_window(classifier))
    return [record.turn for record in stored]


def _name_the_item(exc: EmpathyError, items, histories, classifier) -> EmpathyError:
    """The batch's error with the index of the first item that fails alone (errors are rare: cheap)."""
    for index, (item, history) in enumerate(zip(items, histories, strict=True)):
        try:
            classifier.predict(item.text, history, reference_time=item.reference_time, channel=item.channel)
        except EmpathyError as item_error:
            item_error.message = f"items[{index}]: {item_error.message}"
            item_error.args = (f"[{item_error.code}] {item_error.message}",)
            return item_error
    return exc
