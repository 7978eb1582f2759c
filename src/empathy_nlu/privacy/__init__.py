"""Personal data, private by default: one layer that finds it and masks it wherever text leaves the model.

Kinds: payment cards (Luhn, any separators, digits said as words), IBANs (mod 97 and the country's
format), US SSNs (issuable area/group/serial), national ids of China, Korea, Japan, Spain and Saudi
Arabia (``national.py``), e-mails, phones, and a deployment's own regexes (``privacy.patterns``),
in any script: full-width and Arabic-Indic digits, and numbers written against Han, kana, Hangul,
Thai or Arabic letters (``fold.py``). The policy (docs/privacy.md):

- financial identifiers (card, IBAN, SSN, national id) and a deployment's patterns are masked everywhere:
  ``Prediction.text``, every entity's ``text``/``value``, the store, summaries, ``context.entities``;
- e-mails and phones are masked in everything stored or summarised and in ``context.entities``;
  in ``Prediction.text`` and its entities only with ``privacy.mask_contacts_in_text`` (default off:
  the customer gave them to be used).

``Prediction.text`` keeps its length (``*`` per masked character; a card keeps its last four
digits), so ``text[start:end] == entity["text"]`` holds for every entity.
"""

from __future__ import annotations

from .detect import CONTACT, FINANCIAL, KINDS, Detector, Finding, luhn_valid, plausible_phone, ssn_valid
from .mask import (
    ENTITY_KINDS,
    keep_length,
    mask_carried_entities,
    mask_entity,
    mask_meta,
    mask_stored_prediction,
    redact,
    select,
)
from .params import PrivacyParams, compile_patterns, detector_of

__all__ = [
    "CONTACT",
    "ENTITY_KINDS",
    "FINANCIAL",
    "KINDS",
    "Detector",
    "Finding",
    "PrivacyParams",
    "compile_patterns",
    "detector_of",
    "find",
    "luhn_valid",
    "mask_context_entities",
    "mask_financial",
    "mask_prediction",
    "mask_text",
    "mask_for_storage",
    "mask_meta_for_storage",
    "plausible_phone",
    "redact_text",
    "ssn_valid",
]


def find(text: str, params: PrivacyParams | None = None) -> list[Finding]:
    """Every piece of personal data in ``text`` (``params``: a deployment's patterns too)."""
    return list(detector_of(params).find(text))


def mask_text(text: str, params: PrivacyParams | None = None, *, contacts: bool = True) -> str:
    """``text`` with personal data as ``*``, length kept; ``contacts=False`` leaves e-mails and phones."""
    return keep_length(text, select(find(text, params), contacts))


def mask_financial(text: str, params: PrivacyParams | None = None) -> str:
    """``text`` with card numbers (last four kept), IBANs, SSNs and pattern matches as ``*``, length kept."""
    return mask_text(text, params, contacts=False)


def redact_text(text: str, params: PrivacyParams | None = None) -> str:
    """``text`` with every piece of personal data replaced by a token a person reads:
    ``**** **** **** 1234``, ``[iban]``, ``[ssn]``, ``[email]``, ``[phone]``, ``[<pattern name>]``."""
    return redact(text, find(text, params))


def mask_prediction(text: str, entities: list[dict], params: PrivacyParams | None = None, *, extra: int = 0):
    """``(masked text, masked entities, findings)`` for ``Prediction``: financial data always, contacts
    if ``params.mask_contacts_in_text``. ``extra``: how many characters past the end of ``text``
    belong to the read part (not shown, but a number straddling the cut is recognized whole); the
    caller passes the longer text and cuts it."""
    contacts = bool(params and params.mask_contacts_in_text)
    detector = detector_of(params)
    findings = select(detector.find(text), contacts)
    if not findings:
        return text, entities, findings
    masked = keep_length(text, findings)
    financial = [f for f in findings if f.kind in FINANCIAL]
    kept = [e for e in entities if not (financial and _misreading(e, financial))]
    return masked, [mask_entity(e, masked, findings, detector, contacts) for e in kept], findings


def _misreading(entity: dict, financial: list[Finding]) -> bool:
    """A builtin entity of another type over a card, IBAN or SSN (a phone, an amount, a date read in
    "078-05-1120"): dropped, as the entity parser drops whatever overlaps a card number."""
    if entity.get("extractor") != "builtin" or ENTITY_KINDS.get(entity.get("entity")) in FINANCIAL:
        return False
    start, end = entity.get("start"), entity.get("end")
    return (
        isinstance(start, int)
        and isinstance(end, int)
        and any(f.start < end and start < f.end for f in financial)
    )


def mask_context_entities(entities: list[dict], params: PrivacyParams | None = None) -> list[dict]:
    """``context.entities`` with every personal value redacted, e-mails and phones included."""
    return mask_carried_entities(entities, detector_of(params))


def mask_for_storage(prediction: dict, params: PrivacyParams | None = None) -> dict:
    """A ``Prediction.to_dict()`` as it may be stored: all kinds masked, text fields only."""
    return mask_stored_prediction(prediction, detector_of(params))


def mask_meta_for_storage(meta: dict, params: PrivacyParams | None = None) -> dict:
    """Channel metadata as it may be stored: every string redacted."""
    return mask_meta(meta, detector_of(params))
