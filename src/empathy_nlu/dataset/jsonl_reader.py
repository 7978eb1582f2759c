"""Utterance and dialogue JSONL: one JSON object per line, errors name ``file:line``.

A line with a ``turns`` key is a dialogue, any other line an utterance, so one
file may mix both. Lines are split on ``\\n`` only: U+2028 and friends are legal
inside JSON strings and must not start a new record.
"""

from __future__ import annotations

import json
from pathlib import Path

from empathy_nlu.errors import DataError
from empathy_nlu.schema import Dataset

from . import codes
from ._io import read_text, unknown_column, without_surrogates
from .records import dialogue_from_record, example_from_record


def read_jsonl(
    path: str | Path, *, text_column: str = "text", label_column: str | None = "intent"
) -> Dataset:
    """Read utterance and/or dialogue JSONL; ``text_column``/``label_column`` rename utterance keys."""
    path = Path(path)
    dataset = Dataset(sources=[str(path)])
    decode = json.JSONDecoder().decode
    labelled, first = False, None
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        source = f"{path}:{lineno}"
        try:
            record = decode(line)
        except json.JSONDecodeError as exc:
            raise DataError(
                f"invalid JSON at column {exc.colno}: {exc.msg}; each line must hold one JSON object",
                source=source,
                code=codes.MALFORMED,
            ) from None
        except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, arrays nested 10,000 deep
            raise DataError(
                f"JSON that cannot be read ({type(exc).__name__}: {str(exc)[:80]}); each line must hold "
                "one JSON object",
                source=source,
                code=codes.MALFORMED,
            ) from None
        if "\\u" in line:  # an escape may be a lone surrogate
            record = without_surrogates(record)
        if isinstance(record, dict) and "turns" in record:
            dataset.dialogues.append(dialogue_from_record(record, source, default_id=f"{path.stem}-{lineno}"))
        else:
            if first is None and isinstance(record, dict):
                first = (source, sorted(record))
            labelled = labelled or (isinstance(record, dict) and label_column in record)
            dataset.examples.append(
                example_from_record(record, source, text_key=text_column, label_key=label_column)
            )
    check_label_column(label_column, labelled, first)
    return dataset


def check_label_column(label_column: str | None, labelled: bool, first: tuple[str, list[str]] | None) -> None:
    """A non-default ``label_column`` found in no record is a typo, not unlabelled data (E102)."""
    if label_column not in (None, "intent") and not labelled and first is not None:
        raise unknown_column("label_column", label_column, first[1], first[0])
