"""Checks that a loaded ``Dataset`` can be trained on, with messages that point at the data.

Readers only check structure; content is checked here, once, after all sources
are concatenated (so ``load_many`` sees conflicts across files). Problems of the
same kind are collected (up to ``MAX_LISTED``) so one run shows several fixes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from empathy_nlu.errors import DataError, warn_data
from empathy_nlu.schema import SPEAKERS, Dataset, EntitySpan, Example

from . import codes

MAX_LISTED = 5
MAX_CONFLICTS_LISTED = 10


def _listing(items: list[str], limit: int = MAX_LISTED) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more" if len(items) > limit else "")


def _texts(dataset: Dataset) -> Iterator[tuple[str, str]]:
    """``(text, source)`` of every utterance and every customer turn."""
    for ex in dataset.examples:
        yield ex.text, ex.source
    for dialogue in dataset.dialogues:
        for i, turn in enumerate(dialogue.turns):
            if turn.speaker == "customer":
                yield turn.text, f"{dialogue.source} turn {i}"


def _raise_collected(problems: list[tuple[str, str]], code: str, what: str, fix: str) -> None:
    if problems:
        listed = _listing([f"{source} ({detail})" if detail else source for source, detail in problems])
        raise DataError(f"{len(problems)} {what}: {listed}. {fix}", source=problems[0][0], code=code)


def _check_texts(dataset: Dataset) -> None:
    empty = [(source, "") for text, source in _texts(dataset) if not text.strip()]
    _raise_collected(
        empty, codes.EMPTY_TEXT, "example(s) with empty text", "Write the text or remove the example."
    )


def _check_speakers(dataset: Dataset) -> None:
    for dialogue in dataset.dialogues:
        for i, turn in enumerate(dialogue.turns):
            if turn.speaker not in SPEAKERS:
                raise DataError(
                    f"unknown speaker {turn.speaker!r}; use one of {', '.join(SPEAKERS)}",
                    source=f"{dialogue.source} turn {i}",
                    code=codes.UNKNOWN_SPEAKER,
                )


def _span(span: EntitySpan) -> str:
    return f"{span.entity} [{span.start}:{span.end}]"


def _check_spans(examples: list[Example]) -> None:
    out_of_range: list[tuple[str, str]] = []
    overlapping: list[tuple[str, str]] = []
    for ex in examples:
        if not ex.entities:
            continue
        for span in ex.entities:
            if span.start < 0 or span.end > len(ex.text) or span.start >= span.end:
                out_of_range.append((ex.source, f"{_span(span)} in a text of length {len(ex.text)}"))
        ordered = sorted(ex.entities, key=lambda s: (s.start, s.end))
        for left, right in zip(ordered, ordered[1:], strict=False):
            if right.start < left.end:
                overlapping.append((ex.source, f"{_span(left)} and {_span(right)}"))
                break
    _raise_collected(
        out_of_range,
        codes.SPAN_OUT_OF_RANGE,
        "entity span(s) outside the text",
        "Offsets are 0-based character positions with end exclusive: 0 <= start < end <= len(text).",
    )
    _raise_collected(
        overlapping,
        codes.OVERLAPPING_SPANS,
        "example(s) with overlapping entity spans",
        "Keep one entity per stretch of text.",
    )


def _check_counts(dataset: Dataset, min_examples: int) -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for ex in dataset.intent_examples():
        where[ex.intent].append(ex.source)
    short = [(intent, sources) for intent, sources in where.items() if len(sources) < min_examples]
    if short:
        listed = _listing([f"'{intent}' has {len(src)} ({', '.join(src[:3])})" for intent, src in short])
        raise DataError(
            f"{len(short)} intent(s) with fewer than {min_examples} examples: {listed}. "
            "Add examples or remove the intent.",
            source=short[0][1][0],
            code=codes.TOO_FEW_EXAMPLES,
        )


def _conflicts(examples: list[Example]) -> list[tuple[str, str]]:
    """``(first source, description)`` of texts (casefolded, whitespace collapsed) under several intents."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    first_text: dict[str, str] = {}
    for ex in examples:
        if ex.intent is None:
            continue
        key = " ".join(ex.text.casefold().split())
        first_text.setdefault(key, ex.text)
        labels[key].setdefault(ex.intent, ex.source)
    return [
        (
            next(iter(by_intent.values())),
            f"{first_text[key]!r} as " + ", ".join(f"{intent} ({src})" for intent, src in by_intent.items()),
        )
        for key, by_intent in labels.items()
        if len(by_intent) > 1
    ]


def validate_dataset(dataset: Dataset, *, strict: bool = False, min_examples: int = 2) -> None:
    """Raise a ``DataError`` for the first kind of problem found; warn about conflicting labels.

    Checks, in order: nothing loaded (E112), empty texts (E101), unknown speakers
    (E123), spans out of range (E104), overlapping spans (E103), intents with
    fewer than ``min_examples`` examples (E105), the same text under two intents
    (a ``DataWarning``; E106 with ``strict=True``).
    """
    if not dataset.examples and not dataset.dialogues:
        raise DataError(
            "no examples or dialogues found; check that the file is not empty and has the expected format",
            source=", ".join(dataset.sources),
            code=codes.EMPTY_DATASET,
        )
    _check_texts(dataset)
    _check_speakers(dataset)
    _check_spans(dataset.examples)
    _check_counts(dataset, min_examples)
    conflicts = _conflicts(dataset.examples)
    if not conflicts:
        return
    message = (
        f"{len(conflicts)} text(s) appear under more than one intent: "
        f"{_listing([text for _, text in conflicts], MAX_CONFLICTS_LISTED)}. Give each text a single intent."
    )
    if strict:
        raise DataError(message, source=conflicts[0][0], code=codes.CONFLICTING_LABELS)
    warn_data(message + " (strict=True makes this an error)")
