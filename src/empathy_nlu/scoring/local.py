"""Score a contact log on this machine: read in batches, group by customer, predict, write Parquet.

Two passes, so memory stays bounded whatever the log's size (``sorting.py``): the first reads the
log in batches, checks every row (columns, types, timestamps: a bad row fails the run before any
scoring) and spills the rows into buckets by customer; the second scores one bucket at a time and
streams the rows to the output file. A log that fits in one bucket skips the spill.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import LogError
from .columns import ROW, Columns, check_clash, prediction_fields
from .output import AtomicParquet, scoring_metadata
from .progress import Progress
from .readers import LogBatch, estimate_rows, read_batches
from .rows import moments, score_rows
from .sorting import Spill, bucket_numbers


@dataclass
class ScoreSummary:
    """What a run did: the JSON line ``empathy-nlu score`` prints."""

    rows: int
    customers: int
    seconds: float
    rows_per_s: float
    out: str
    engine: str = "local"
    buckets: int = 1

    def to_dict(self) -> dict:
        return asdict(self)


def _positive(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise LogError(f"{name} must be a whole number of at least 1, got {value!r}", "E812")
    return value


def _is_text(kind) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)


def check_types(schema, columns: Columns, where: str) -> None:
    """E808 when the text or channel column is not text, or the customer column not a scalar."""
    import pyarrow as pa

    for role in ("text", "channel"):
        name = getattr(columns, role)
        if name and name in schema.names and not _is_text(schema.field(name).type):
            raise LogError(
                f"{where}: the {role} column {name!r} holds {schema.field(name).type}, not text", "E808"
            )
    name = columns.customer
    if name and name in schema.names:
        kind = schema.field(name).type
        if pa.types.is_nested(kind) or pa.types.is_floating(kind):
            raise LogError(f"{where}: the customer column {name!r} holds {kind}, not ids", "E808")


class _Reader:
    """The first pass over the log: checked batches with their row numbers and the merged schema."""

    def __init__(self, paths, columns: Columns, fmt: str | None, read_rows: int) -> None:
        self.paths, self.requested, self.fmt, self.read_rows = paths, columns, fmt, read_rows
        self.columns: Columns | None = None
        self.schema = None
        self.rows = 0

    def _check(self, batch: LogBatch, new_file: bool) -> None:
        import pyarrow as pa

        names = batch.table.column_names
        if self.columns is None:
            self.columns = self.requested.resolve(names, batch.path)
        elif new_file:
            self.requested.resolve(names, batch.path)  # every file has the required columns
        check_clash(names, batch.where(0))  # a JSON Lines key may first appear in a later batch
        check_types(batch.table.schema, self.columns, batch.path)
        stamps = (
            batch.table.column(self.columns.timestamp).to_pylist()
            if self.columns.timestamp in names
            else [None] * batch.table.num_rows
        )
        moments(stamps, batch.where)
        try:
            merged = [batch.table.schema] if self.schema is None else [self.schema, batch.table.schema]
            self.schema = pa.unify_schemas(merged, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise LogError(
                f"{batch.where(0)}: a column's type differs from earlier rows ({exc})", "E807"
            ) from None

    def merged_schema(self):
        """The schema of every batch merged, with ``ROW`` and without the input's metadata."""
        import pyarrow as pa

        return self.schema.remove_metadata().append(pa.field(ROW, pa.int64()))

    def __iter__(self):
        """Each batch with its row numbers (``ROW``), checked."""
        import pyarrow as pa

        last_path = None
        for batch in read_batches(self.paths, self.fmt, self.read_rows):
            self._check(batch, batch.path != last_path)
            last_path = batch.path
            n = batch.table.num_rows
            rows = pa.array(range(self.rows, self.rows + n), pa.int64())
            self.rows += n
            yield batch.table.append_column(ROW, rows)


def _customers(table, columns: Columns) -> list | None:
    if columns.customer is None or columns.customer not in table.column_names:
        return None
    return table.column(columns.customer).to_pylist()


def score_table(classifier, table, columns: Columns, batch_size: int, progress: Progress | None = None):
    """Score a table holding whole customers (with ``ROW``); the rows in output order with the
    prediction columns appended, and the number of customers."""
    import pyarrow as pa

    names = table.column_names
    rows = table.column(ROW).to_pylist()
    times = moments(table.column(columns.timestamp).to_pylist(), lambda i: f"row {rows[i] + 1}")
    scored = score_rows(
        classifier,
        table.column(columns.text).to_pylist() if columns.text in names else [None] * len(rows),
        times,
        customers=_customers(table, columns),
        channels=table.column(columns.channel).to_pylist() if columns.channel in names else None,
        rows=rows,
        batch_size=batch_size,
        advance=progress.advance if progress else None,
    )
    out = table.drop_columns([ROW]).take(pa.array(scored.order, pa.int64()))
    for field in prediction_fields():
        out = out.append_column(field, pa.array(scored.columns[field.name], field.type))
    return out, scored.customers


def _output_schema(schema, metadata: dict):
    import pyarrow as pa

    fields = [field for field in schema if field.name != ROW] + prediction_fields()
    return pa.schema(fields, metadata=metadata)


def _load(classifier, model):
    from ..classifier import Classifier

    return classifier if classifier is not None else Classifier.load(model)


def score_log(
    paths: Sequence[str | Path],
    out: str | Path,
    *,
    classifier=None,
    model: str | Path | None = None,
    columns: Columns | None = None,
    format: str | None = None,  # noqa: A002 - the --format option
    batch_size: int = 512,
    bucket_rows: int = 200_000,
    read_rows: int = 65_536,
    temp_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> ScoreSummary:
    """Score the contact log ``paths`` (CSV, JSON Lines, Parquet) into the Parquet file ``out``.

    ``classifier`` (or the model directory ``model``; default: the bundled model) predicts each
    message with its customer's earlier messages as history. ``batch_size``: messages per
    ``predict_batch`` call; ``bucket_rows``: rows per bucket of the external sort (memory);
    ``read_rows``: rows per input batch; ``temp_dir``: where buckets go (default: next to ``out``).
    """
    started = time.perf_counter()
    for name, value in (("batch_size", batch_size), ("bucket_rows", bucket_rows), ("read_rows", read_rows)):
        _positive(name, value)
    paths = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    if not paths:
        raise LogError("no log file given", "E803")
    progress = progress or Progress(quiet=True)
    target = AtomicParquet(out)
    classifier = _load(classifier, model)  # a bad model fails before the log is read
    n = max(1, math.ceil(estimate_rows(paths, format) / bucket_rows))
    reader = _Reader(paths, columns or Columns(), format, read_rows)
    spill = Spill(n, temp_dir if temp_dir is not None else target.out.parent) if n > 1 else None
    try:
        held = _first_pass(reader, spill, n)
        if reader.rows == 0:
            raise LogError(f"the log has no rows: {', '.join(map(str, paths))}", "E803")
        metadata = scoring_metadata(classifier.manifest, model, reader.columns, "local")
        schema = reader.merged_schema()
        progress.say(f"read {reader.rows:,} rows into {n} bucket(s)")
        progress.start(reader.rows)
        customers = 0
        output_schema = _output_schema(schema, metadata)
        for table in spill.buckets(schema) if spill else held:
            scored, count = score_table(classifier, table, reader.columns, batch_size, progress)
            target.write(scored.cast(output_schema))
            customers += count
        written = target.commit()
    except BaseException:
        target.abort()
        raise
    finally:
        progress.close()
        if spill:
            spill.close()
    seconds = time.perf_counter() - started
    rate = round(reader.rows / seconds, 1)
    return ScoreSummary(reader.rows, customers, round(seconds, 3), rate, str(written), buckets=n)


def _first_pass(reader: _Reader, spill: Spill | None, n: int) -> list:
    """Read and check every batch: spilled to the buckets, or (one bucket) held as one table."""
    import pyarrow as pa

    from .sorting import conform

    tables = []
    for table in reader:
        if spill is None:
            tables.append(table)
        else:
            customers = _customers(table, reader.columns)
            spill.add(table, bucket_numbers(customers, table.column(ROW).to_pylist(), n))
    if spill is not None or not tables:
        return []
    return [conform(pa.concat_tables(tables, promote_options="permissive"), reader.merged_schema())]
