"""CSV with a header row: one example per row, columns chosen by name.

``text_column`` and ``label_column`` pick the columns (``label_column=None`` for
unlabelled data); optional ``sentiment`` and ``channel`` columns are read when
present. An empty label cell means "no intent". Each example's source is the
``file:line`` where its row starts (quoted cells may span several lines).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from empathy_nlu.errors import DataError
from empathy_nlu.schema import Dataset, Example

from . import codes
from ._io import read_text, unknown_column
from .records import SENTIMENTS


def _column(header: list[str], name: str | None, kind: str, path: Path) -> int | None:
    if name is None:
        return None
    if name not in header:
        raise unknown_column(kind, name, header, f"{path}:1")
    return header.index(name)


def read_csv(path: str | Path, *, text_column: str = "text", label_column: str | None = "intent") -> Dataset:
    """Read a CSV file (UTF-8, optional BOM) into examples; errors name ``file:line``."""
    path = Path(path)
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    examples: list[Example] = []
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(
                "the file is empty; expected a header row", source=f"{path}:1", code=codes.MALFORMED
            )
        header = [name.strip() for name in header]
        text_i = _column(header, text_column, "text_column", path)
        label_i = _column(header, label_column, "label_column", path)
        sentiment_i = header.index("sentiment") if "sentiment" in header else None
        channel_i = header.index("channel") if "channel" in header else None
        last_line = reader.line_num
        for row in reader:
            lineno, last_line = last_line + 1, reader.line_num
            if not row:
                continue
            source = f"{path}:{lineno}"
            if len(row) != len(header):
                raise DataError(
                    f"row has {len(row)} fields but the header has {len(header)}; quote cells that contain "
                    "commas",
                    source=source,
                    code=codes.MALFORMED,
                )
            sentiment = (row[sentiment_i] or None) if sentiment_i is not None else None
            if sentiment is not None and sentiment not in SENTIMENTS:
                raise DataError(
                    f"'sentiment' must be one of {', '.join(SENTIMENTS)} or empty, got {sentiment!r}",
                    source=source,
                    code=codes.BAD_VALUE,
                )
            examples.append(
                Example(
                    text=row[text_i],
                    intent=(row[label_i].strip() or None) if label_i is not None else None,
                    sentiment=sentiment,
                    channel=(row[channel_i] or None) if channel_i is not None else None,
                    source=source,
                )
            )
    except csv.Error as exc:
        raise DataError(
            f"malformed CSV: {exc}", source=f"{path}:{reader.line_num}", code=codes.MALFORMED
        ) from None
    return Dataset(examples=examples, sources=[str(path)])
