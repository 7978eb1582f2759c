"""An external sort by customer: bounded memory for logs larger than RAM.

Scoring needs all of one customer's messages together, in time order. Reading the log once, each
batch's rows are spilled into one of ``n`` bucket files by a stable hash of the customer, so every
customer lands in exactly one bucket; then each bucket is loaded alone, sorted and scored. Peak
memory is one input batch while spilling and one bucket while scoring, whatever the log's size.
Rows without a customer are scored alone, so they are spread by row number.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import LogError

_PRIME = 2654435761  # spreads row numbers of rows without a customer over the buckets


def customer_hash(value) -> int:
    """A hash of a customer id that is the same in every process (Python's ``hash`` of a str is not)."""
    text = value if isinstance(value, str) else repr(value)
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def bucket_numbers(customers: Sequence | None, rows: Sequence[int], n: int):
    """The bucket (0..n-1) of every row, as a numpy array."""
    import numpy as np

    if n == 1:
        return np.zeros(len(rows), dtype=np.int64)
    if customers is None:
        return (np.asarray(rows, dtype=np.int64) * _PRIME) % n
    return np.fromiter(
        (
            (customer_hash(c) if c is not None else row * _PRIME) % n
            for c, row in zip(customers, rows, strict=True)
        ),
        dtype=np.int64,
        count=len(rows),
    )


class Spill:
    """``n`` bucket files in a temporary folder (removed on ``close``); ``add`` spills a batch,
    ``buckets`` reads them back one at a time."""

    def __init__(self, n: int, folder: str | Path | None = None) -> None:
        try:
            self.folder = Path(tempfile.mkdtemp(prefix=".empathy-score-", dir=folder))
        except OSError as exc:
            raise LogError(
                f"cannot create a temporary folder for the buckets in {folder}: {exc}", "E806"
            ) from None
        self.n = n
        self.writers: dict[int, tuple] = {}  # bucket -> (writer, schema)
        self.parts: dict[int, list[Path]] = {i: [] for i in range(n)}

    def _writer(self, bucket: int, schema):
        """The open writer of ``bucket`` for ``schema``: a batch of another schema (a JSON Lines
        batch that met a new key) starts a new part file of the bucket."""
        import pyarrow.parquet as pq

        current = self.writers.get(bucket)
        if current is not None and current[1].equals(schema):
            return current[0]
        if current is not None:
            current[0].close()
        path = self.folder / f"bucket-{bucket:05d}-{len(self.parts[bucket]):05d}.parquet"
        self.parts[bucket].append(path)
        writer = pq.ParquetWriter(path, schema, compression="lz4")
        self.writers[bucket] = (writer, schema)
        return writer

    def add(self, table, buckets) -> None:
        """Spill ``table``'s rows, row ``i`` to bucket ``buckets[i]`` (input order kept in each)."""
        import numpy as np

        order = np.argsort(buckets, kind="stable")
        counts = np.bincount(buckets, minlength=self.n)
        ordered = table.take(order)
        start = 0
        try:
            for bucket, count in enumerate(counts):
                if count:
                    self._writer(bucket, table.schema).write_table(ordered.slice(start, int(count)))
                    start += int(count)
        except OSError as exc:
            raise LogError(f"cannot write the bucket files in {self.folder}: {exc}", "E806") from None

    def buckets(self, schema) -> Iterator:
        """Each non-empty bucket as one table of ``schema`` (the merged schema of every batch)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        for writer, _ in self.writers.values():
            writer.close()
        self.writers.clear()
        for bucket in range(self.n):
            parts = self.parts[bucket]
            if not parts:
                continue
            tables = [pq.read_table(path) for path in parts]
            table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
            for path in parts:
                path.unlink()
            yield conform(table, schema)

    def close(self) -> None:
        for writer, _ in self.writers.values():
            writer.close()
        self.writers.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def conform(table, schema):
    """``table`` with the columns of ``schema``, in its order and types (a column a batch lacked
    is null)."""
    import pyarrow as pa

    columns = []
    for field in schema:
        if field.name in table.column_names:
            columns.append(table.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=schema)
