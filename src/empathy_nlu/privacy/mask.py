"""Masking: two forms of the same findings, and the structures they are applied to.

- ``keep_length``: every masked letter or digit becomes ``*`` (a card keeps its last four digits,
  an IBAN its country code and last four), separators stay, so offsets into the text stay true.
  For ``Prediction.text``, entity and cue spans, and the stored prediction.
- ``redact``: each finding becomes a short token a person reads (``**** **** **** 1234``,
  ``[iban]``, ``[ssn]``, ``[email]``, ``[phone]``, ``[<pattern name>]``). For the stored turn text,
  channel metadata, the hand-over summary and ``context.entities``.

Why structural: a serialized JSON string mixes text with timestamps and ids, and a phone pattern
run over ``"2026-11-30T20:31:05.123456+00:00"`` masks part of a timestamp. The functions here walk
the prediction's known fields and mask text only; structured fields (timestamps, names, offsets)
are never touched, and a string field nobody listed is masked as text (a new field cannot leak).
"""

from __future__ import annotations

from collections.abc import Iterable

from .detect import CONTACT, FINANCIAL, Detector, Finding

__all__ = [
    "ENTITY_KINDS",
    "keep_length",
    "mask_carried_entities",
    "mask_entity",
    "mask_stored_prediction",
    "redact",
]

# Entities that are personal data whatever their text: their value goes too.
ENTITY_KINDS = {
    "card_number": "card",
    "iban": "iban",
    "ssn": "ssn",
    "email": "email",
    "phone_number": "phone",
}
_TOKENS = {
    "iban": "[iban]",
    "ssn": "[ssn]",
    "national_id": "[national_id]",
    "email": "[email]",
    "phone": "[phone]",
}
# Fields of a stored prediction that are not text: never masked.
STRUCTURED = frozenset(
    {
        "timestamp",
        "first_at",
        "name",
        "entity",
        "extractor",
        "pattern",
        "label",
        "direction",
        "intent_source",
        "need",
        "out_of_scope_reason",
        "reasons",
        "escalation_reasons",
        "channels",
        "last4",
        "currency",
        "from",
        "to",
    }
)


def _rank(kind: str) -> int:
    return 0 if kind in FINANCIAL else 2 if kind in CONTACT else 1


def select(findings: Iterable[Finding], contacts: bool) -> list[Finding]:
    """The findings to mask: financial and pattern kinds always, e-mails and phones if ``contacts``."""
    return [f for f in findings if contacts or f.kind not in CONTACT]


def keep_length(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding's letters and digits as ``*`` except what it may show, length kept.
    Where findings overlap, a character shows only if every finding over it may show it."""
    if not findings:
        return text
    hidden: set[int] = set()
    shown: set[int] = set()
    for f in findings:
        keep = {i for s, e in f.keep for i in range(s, e)}
        for i in range(f.start, f.end):
            (shown if i in keep else hidden).add(i)
    chars = list(text)
    for i in hidden:
        if chars[i].isalnum():
            chars[i] = "*"
    return "".join(chars)


def _token(group: list[Finding]) -> str:
    best = min(group, key=lambda f: (_rank(f.kind), f.start - f.end))
    if best.kind == "card":
        return "**** **** **** " + best.last4 if best.last4 else "[card]"
    return _TOKENS.get(best.kind, f"[{best.kind}]")


def redact(text: str, findings: list[Finding]) -> str:
    """``text`` with every finding (overlapping ones joined) replaced by its token."""
    if not findings:
        return text
    out, pos, group, end = [], 0, [], -1
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if group and f.start < end:
            group.append(f)
            end = max(end, f.end)
            continue
        if group:
            out += [text[pos : group[0].start], _token(group)]
            pos = end
        group, end = [f], f.end
    out += [text[pos : group[0].start], _token(group), text[end:]]
    return "".join(out)


def _overlapping(entity: dict, findings: list[Finding]) -> bool:
    start, end = entity.get("start"), entity.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    return any(f.start < end and start < f.end for f in findings)


def mask_entity(entity: dict, masked_text: str, findings: list[Finding], detector: Detector, contacts: bool):
    """An entity of a text whose masked form is ``masked_text`` (``findings`` its masked findings):
    its ``text`` is the masked span (so ``masked_text[start:end] == text``), and its ``value`` goes
    when it is personal data. A ``card_number`` keeps its ``{"last4": ...}``."""
    kind = ENTITY_KINDS.get(entity.get("entity"))
    personal = (kind is not None and (contacts or kind not in CONTACT)) or _overlapping(entity, findings)
    if not personal:
        return entity
    out = dict(entity)
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(masked_text):
        out["text"] = masked_text[start:end]
    elif isinstance(entity.get("text"), str):
        out["text"] = _keep_length_all(entity["text"], detector, kind)
    value = entity.get("value")
    if kind == "card" and isinstance(value, dict) and set(value) <= {"last4"}:
        return out
    if isinstance(value, str):
        masked = keep_length(value, select(detector.find(value), True))
        out["value"] = masked if masked != value else "*" * len(value)
    else:
        out["value"] = out.get("text")
    return out


def _keep_length_all(text: str, detector: Detector, kind: str | None) -> str:
    masked = keep_length(text, detector.find(text))
    return masked if masked != text or kind is None else "".join("*" if c.isalnum() else c for c in text)


def _redact_all(text: str, detector: Detector) -> str:
    return redact(text, detector.find(text))


def mask_carried_entities(entities: list[dict], detector: Detector) -> list[dict]:
    """``context.entities``: every personal value redacted, e-mails and phones included. A card
    keeps its masked text and ``{"last4": ...}``; an IBAN, SSN, e-mail or phone entity becomes its
    token; another entity whose text carried personal data gets the redacted text as its value."""
    out = []
    for entity in entities:
        kind = ENTITY_KINDS.get(entity.get("entity"))
        text, value = entity.get("text"), entity.get("value")
        redacted = _redact_all(text, detector) if isinstance(text, str) else text
        masked = dict(entity)
        if kind == "card":
            shown = redacted != text or (isinstance(text, str) and "*" in text)
            masked["text"] = redacted if shown else "[card]"
            if not (isinstance(value, dict) and set(value) <= {"last4"}):
                masked["value"] = masked["text"]
        elif kind is not None:
            masked["text"] = masked["value"] = _TOKENS[kind]
        elif redacted != text:
            masked["text"] = masked["value"] = redacted
        else:
            masked["value"] = _mask_leaves(value, detector, redact_style=True)
        out.append(masked)
    return out


def _mask_leaves(value, detector: Detector, *, redact_style: bool, key: str | None = None):
    """Every text string inside ``value`` masked; structured fields (``STRUCTURED``) left alone."""
    if isinstance(value, str):
        if key in STRUCTURED:
            return value
        if redact_style:
            return _redact_all(value, detector)
        return keep_length(value, detector.find(value))
    if isinstance(value, dict):
        return {k: _mask_leaves(v, detector, redact_style=redact_style, key=k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_leaves(v, detector, redact_style=redact_style, key=key) for v in value]
    return value


def mask_meta(meta: dict, detector: Detector) -> dict:
    """Channel metadata (subject, mentions, ...): every string redacted."""
    return _mask_leaves(meta, detector, redact_style=True)


def mask_stored_prediction(prediction: dict, detector: Detector) -> dict:
    """``Prediction.to_dict()`` as it may be stored: every kind masked (e-mails and phones too).

    ``text`` keeps its length, and so do entity and cue-evidence spans (their offsets still point
    into it); entity values of personal data go; ``context.entities`` and the hand-over summary are
    redacted; timestamps, names and scores are left as they are.
    """
    out = dict(prediction)
    text = prediction.get("text")
    findings: list[Finding] = []
    masked_text = text
    if isinstance(text, str):
        findings = detector.find(text)
        masked_text = keep_length(text, findings)
        out["text"] = masked_text
    for key, value in prediction.items():
        if key == "text":
            continue
        if key == "entities" and isinstance(value, list):
            out[key] = [_stored_entity(e, masked_text, findings, detector) for e in value]
        elif key == "cues" and isinstance(value, dict):
            out[key] = _mask_cues(value, masked_text, findings, detector)
        elif key == "context" and isinstance(value, dict):
            out[key] = _mask_context(value, detector)
        else:
            out[key] = _mask_leaves(value, detector, redact_style=False, key=key)
    return out


def _stored_entity(entity, masked_text, findings, detector: Detector):
    if not isinstance(entity, dict):
        return _mask_leaves(entity, detector, redact_style=False)
    text = masked_text if isinstance(masked_text, str) else ""
    masked = mask_entity(entity, text, findings, detector, contacts=True)
    if masked is entity:  # not personal: its text may still carry something (a trained span elsewhere)
        masked = dict(entity)
        if isinstance(entity.get("text"), str):
            masked["text"] = keep_length(entity["text"], detector.find(entity["text"]))
            if masked["text"] != entity["text"]:
                masked["value"] = masked["text"]
    return masked


def _mask_cues(cues: dict, masked_text, findings, detector: Detector) -> dict:
    out = {}
    for name, cue in cues.items():
        if not isinstance(cue, dict):
            out[name] = _mask_leaves(cue, detector, redact_style=False)
            continue
        cue = dict(cue)
        evidence = cue.get("evidence")
        if isinstance(evidence, list):
            cue["evidence"] = [_evidence(e, masked_text, findings, detector) for e in evidence]
        out[name] = cue
    return out


def _evidence(item, masked_text, findings, detector: Detector):
    if not isinstance(item, dict):
        return _mask_leaves(item, detector, redact_style=False)
    item = dict(item)
    start, end = item.get("start"), item.get("end")
    spans_text = isinstance(masked_text, str) and isinstance(start, int) and isinstance(end, int)
    if spans_text and _overlapping(item, findings) and 0 <= start <= end <= len(masked_text):
        item["text"] = masked_text[start:end]
    elif isinstance(item.get("text"), str):
        item["text"] = keep_length(item["text"], detector.find(item["text"]))
    return item


def _mask_context(context: dict, detector: Detector) -> dict:
    out = {}
    for key, value in context.items():
        if key == "entities" and isinstance(value, list):
            out[key] = mask_carried_entities([e for e in value if isinstance(e, dict)], detector)
        else:
            out[key] = _mask_leaves(value, detector, redact_style=True, key=key)
    return out
