"""Contact logs streamed in batches: CSV, JSON Lines and Parquet, one row per message.

Nothing here holds a whole file: CSV through pyarrow's streaming reader, JSON Lines a batch of
lines at a time, Parquet a batch of rows at a time. Each batch remembers its file and the number
of its first row, so an error later (an unreadable timestamp) names the file and row.

Values are read as the file gives them, the same way Spark reads them (``empathy_nlu.spark``):
every CSV column is text, with an empty unquoted field as null; JSON numbers stay numbers.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import LogError

FORMATS = ("csv", "jsonl", "parquet")
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_EXTENSIONS.update({".parquet": "parquet", ".pq": "parquet"})
_BYTES_PER_ROW = 64  # a low guess for CSV/JSONL, so a row estimate errs towards more buckets


@dataclass
class LogBatch:
    """Rows of one file: ``first_row`` is the 1-based number of the first (CSV: data rows, the
    header not counted); ``lines`` the line number of each row of a JSON Lines file."""

    table: object  # pyarrow.Table
    path: str
    first_row: int
    lines: list[int] | None = None

    def where(self, i: int) -> str:
        if self.lines is not None:
            return f"{self.path}:{self.lines[i]}"
        return f"{self.path}: row {self.first_row + i}"


def log_format(path: str | Path, forced: str | None = None) -> str:
    """``forced`` or the format the extension tells (``.csv``, ``.jsonl``/``.json``, ``.parquet``;
    ``.gz`` after CSV or JSON Lines is read through gzip); E805 otherwise."""
    if forced is not None:
        if forced not in FORMATS:
            raise LogError(f"unknown log format {forced!r}; use one of {', '.join(FORMATS)}", "E805")
        return forced
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    found = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if found is None:
        raise LogError(
            f"{path}: cannot tell the log format from the name; pass --format csv|jsonl|parquet", "E805"
        )
    return found


def _unreadable(path, exc: Exception) -> LogError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return LogError(f"{path}: cannot read the log file ({reason})", "E804")


def check_readable(path: str | Path) -> Path:
    """``path`` as a Path if it is a readable file; E804 otherwise (checked before any work)."""
    path = Path(path)
    if not path.is_file():
        raise LogError(f"{path}: no such file", "E804")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return path


def _csv_batches(path: Path, batch_rows: int) -> Iterator[LogBatch]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    parse = pacsv.ParseOptions(newlines_in_values=True)
    names = pacsv.open_csv(path, parse_options=parse).schema.names
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        null_values=[""],
    )
    block = max(1 << 16, min(batch_rows * 128, 1 << 24))
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(block_size=block), parse_options=parse, convert_options=convert
    )
    first = 1
    for record_batch in reader:
        table = pa.Table.from_batches([record_batch])
        yield LogBatch(table, str(path), first)
        first += table.num_rows


def _json_table(records: list[dict], where: str):
    """A batch of JSON objects as a table: the union of their keys, in order of first appearance."""
    import pyarrow as pa

    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    try:
        return pa.table({key: [record.get(key) for record in records] for key in keys})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise LogError(
            f"{where}: values of one key have types that cannot be merged ({exc})", "E807"
        ) from None


def _jsonl_batches(path: Path, batch_rows: int) -> Iterator[LogBatch]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    records: list[dict] = []
    lines: list[int] = []
    first = 1
    with opener(path, "rt", encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as exc:
                raise LogError(
                    f"{path}:{number}: invalid JSON ({type(exc).__name__}: {exc})", "E804"
                ) from None
            if not isinstance(record, dict):
                raise LogError(f"{path}:{number}: a line must be a JSON object, one message", "E804")
            records.append(record)
            lines.append(number)
            if len(records) >= batch_rows:
                yield LogBatch(_json_table(records, f"{path}:{lines[0]}-{number}"), str(path), first, lines)
                first += len(records)
                records, lines = [], []
    if records:
        yield LogBatch(_json_table(records, f"{path}:{lines[0]}-{lines[-1]}"), str(path), first, lines)


def _parquet_batches(path: Path, batch_rows: int) -> Iterator[LogBatch]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = 1
    for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
        table = pa.Table.from_batches([record_batch])
        yield LogBatch(table, str(path), first)
        first += table.num_rows


_READERS = {"csv": _csv_batches, "jsonl": _jsonl_batches, "parquet": _parquet_batches}


def read_batches(paths: Sequence[str | Path], forced: str | None = None, batch_rows: int = 65536):
    """Every file's rows in batches of about ``batch_rows``, file after file; E804 for a file that
    cannot be read or parsed, with the reader's reason."""
    import pyarrow as pa

    for path in paths:
        path = check_readable(path)
        reader = _READERS[log_format(path, forced)]
        try:
            yield from reader(path, batch_rows)
        except LogError:
            raise
        except (OSError, UnicodeDecodeError, EOFError, pa.ArrowException) as exc:
            raise _unreadable(path, exc) from None


def estimate_rows(paths: Sequence[str | Path], forced: str | None = None) -> int:
    """How many rows the files hold: exact for Parquet, a generous guess from the size otherwise
    (used to choose the number of buckets before reading)."""
    import pyarrow.parquet as pq

    total = 0
    for path in paths:
        path = check_readable(path)
        if log_format(path, forced) == "parquet":
            try:
                total += pq.ParquetFile(path).metadata.num_rows
            except Exception as exc:  # noqa: BLE001 - any unreadable footer is the same user error
                raise _unreadable(path, exc) from None
        else:
            size = path.stat().st_size * (6 if path.suffix.lower() == ".gz" else 1)
            total += size // _BYTES_PER_ROW + 1
    return total
