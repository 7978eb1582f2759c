"""The scored logs on disk: which files, whether they are Parquet, which columns, how many rows.

Both engines call ``check_sources`` first, so a missing column, an empty log or an unreadable file
is the same ``LogError`` whichever engine reads the rows afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import LogError
from .options import OPTIONAL_COLUMNS, ColumnNames


@dataclass(frozen=True)
class Sources:
    """The Parquet files of a run, the columns they all have and their total number of rows."""

    files: tuple[str, ...]
    present_optional: tuple[str, ...]  # of OPTIONAL_COLUMNS, those every file has
    timestamp_is_text: bool
    rows: int


def parquet_files(paths) -> list[Path]:
    """Every Parquet file named: a file as is, a folder (as Spark writes them) by its ``*.parquet``."""
    if isinstance(paths, str | Path):
        paths = [paths]
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.parquet") if not p.name.startswith((".", "_")))
            if not found:
                raise LogError(f"{path}: the folder holds no .parquet file.", "E842")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise LogError(f"{path}: no such file or folder.", "E842")
    if not files:
        raise LogError("no scored log was given.", "E842")
    return files


def _schema_and_rows(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as handle:
            return handle.schema_arrow, handle.metadata.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise LogError(f"{path}: not a readable Parquet file ({exc}).", "E842") from exc


def _check_types(path: Path, schema, columns: ColumnNames) -> bool:
    """Whether the timestamp column is text; raises E845 when a column cannot be what it should."""
    import pyarrow.types as t

    def kind(name: str):
        return schema.field(name).type

    checks = [
        (
            columns.timestamp,
            t.is_timestamp(kind(columns.timestamp))
            or t.is_string(kind(columns.timestamp))
            or t.is_large_string(kind(columns.timestamp)),
            "a timestamp or ISO 8601 text",
        ),
        ("confidence", t.is_floating(kind("confidence")) or t.is_integer(kind("confidence")), "a number"),
        (
            "escalation_risk",
            t.is_floating(kind("escalation_risk")) or t.is_integer(kind("escalation_risk")),
            "a number",
        ),
        ("out_of_scope", t.is_boolean(kind("out_of_scope")), "true/false"),
        ("handoff_recommended", t.is_boolean(kind("handoff_recommended")), "true/false"),
    ]
    for name, ok, what in checks:
        if not ok:
            raise LogError(f"{path}: column {name!r} must be {what}, got {kind(name)}.", "E845")
    return not t.is_timestamp(kind(columns.timestamp))


def check_sources(paths, columns: ColumnNames) -> Sources:
    """The files of ``paths`` checked: readable, every needed column (E840), rows in all (E841)."""
    files = parquet_files(paths)
    needed = list(dict.fromkeys(columns.required().values()))
    optional = set(OPTIONAL_COLUMNS)
    rows, text_time = 0, set()
    for path in files:
        schema, count = _schema_and_rows(path)
        missing = [name for name in needed if name not in schema.names]
        if missing:
            listed = ", ".join(repr(name) for name in missing)
            raise LogError(
                f"{path}: the scored log has no column {listed} (columns: {', '.join(schema.names)}).", "E840"
            )
        text_time.add(_check_types(path, schema, columns))
        optional &= set(schema.names)
        rows += count
    if len(text_time) > 1:
        raise LogError(f"column {columns.timestamp!r} is a timestamp in some files, text in others.", "E845")
    if rows == 0:
        raise LogError(f"the scored logs have no rows: {', '.join(map(str, files))}.", "E841")
    present = tuple(name for name in OPTIONAL_COLUMNS if name in optional)
    return Sources(tuple(map(str, files)), present, text_time.pop(), rows)
