"""Score contact logs on Spark: ``score(df, model_dir) -> DataFrame`` (needs ``empathy-nlu[spark]``).

Rows are repartitioned by customer (``repartition(groups, customer).mapInPandas``), so every
customer's rows land whole in one partition with many other customers: Spark's cost is paid per
partition, not per customer (who write three messages on average). A partition is scored by
``scoring.rows.score_rows``, the very function of the local engine, which orders each customer's
rows in time and gives each its earlier rows as history, so both engines give the same rows.
The workers get the model's *path*, never a pickled ``Classifier``: each Python worker process
loads the model once, on its first partition, into ``_MODELS`` (keyed by path) and keeps it for
every later one (Spark reuses Python workers by default).

Timestamps reach the workers in a form that means the same in every session time zone: a typed
instant as microseconds since the epoch (read in UTC, as the local engine reads a zoned Arrow
timestamp), a timestamp without zone as its ISO text, anything else (text, epoch numbers) as it is.

Importing this module imports neither pyspark nor pandas; calling its functions does.
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .errors import LogError, ModelError
from .scoring.columns import PREDICTION_TYPES, ROW, Columns, columns_from_options
from .scoring.output import SIDECAR, check_target, replace_path
from .scoring.readers import check_readable, log_format
from .scoring.rows import moments, score_rows

TIME = "__empathy_time"  # hidden column: the timestamp as the workers read it
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MODELS: dict[str, object] = {}  # model path -> Classifier, one per Python worker process


def _classifier(path: str):
    """The model at ``path``, loaded on the first call in this process and kept."""
    model = _MODELS.get(path)
    if model is None:
        from .classifier import Classifier

        model = _MODELS[path] = Classifier.load(path)
    return model


@dataclass(frozen=True)
class _Job:
    """What a worker needs to score a group: plain data, cheap to ship."""

    model: str
    columns: Columns
    names: tuple[str, ...]  # the input columns, in order (the output keeps them)
    time_kind: str  # "instant" (epoch microseconds), or "as_is"
    batch_size: int


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _time(value, kind: str):
    if kind == "instant" and not _missing(value):
        return _EPOCH + timedelta(microseconds=int(value))
    return None if _missing(value) else value


def _where(pdf, columns: Columns):
    """Row position -> where it is, for error messages (Spark rows have no file row number)."""

    def where(i: int) -> str:
        place = f"the message with {columns.id}={pdf[columns.id].iloc[i]!r}" if columns.id else "a message"
        return f"{place} of customer {pdf[columns.customer].iloc[i]!r}" if columns.customer else place

    return where


def _column(values: list, kind: str):
    """Prediction values as a numpy column pandas and Spark read without a per-value guess: null
    doubles as NaN (Spark writes them as null), a bool column with a null as objects."""
    import numpy as np

    if kind == "double":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == "long":
        return np.array(values, dtype=np.int64)
    if kind == "bool" and None not in values:
        return np.array(values, dtype=bool)
    return np.array(values, dtype=object)


def _score_group(job: _Job, pdf):
    """The rows of some customers (or, without a customer column, rows scored alone)
    in, the same rows, each customer's in time order, with the prediction columns out. Built as
    numpy columns and one DataFrame."""
    import numpy as np
    import pandas as pd

    columns = job.columns
    times = moments([_time(v, job.time_kind) for v in pdf[TIME].tolist()], _where(pdf, columns))
    texts = [None if _missing(v) else v for v in pdf[columns.text].tolist()]
    channels = (
        [None if _missing(v) else v for v in pdf[columns.channel].tolist()] if columns.channel else None
    )
    customers = (
        [None if _missing(v) else v for v in pdf[columns.customer].tolist()] if columns.customer else None
    )
    scored = score_rows(
        _classifier(job.model),
        texts,
        times,
        customers=customers,
        channels=channels,
        rows=pdf[ROW].tolist(),
        batch_size=job.batch_size,
    )
    order = np.asarray(scored.order, dtype=np.int64)
    data = {name: pdf[name].to_numpy()[order] for name in job.names}
    data.update({name: _column(scored.columns[name], kind) for name, kind in PREDICTION_TYPES.items()})
    return pd.DataFrame(data)


def _score_partition(job: _Job, frames):
    """mapInPandas: a whole partition (whole customers, after the repartition) scored at once."""
    import pandas as pd

    frames = [frame for frame in frames if len(frame)]
    if frames:
        yield _score_group(job, pd.concat(frames, ignore_index=True))


def _spark_type(kind: str):
    from pyspark.sql import types as T

    return {
        "string": T.StringType(),
        "double": T.DoubleType(),
        "bool": T.BooleanType(),
        "long": T.LongType(),
    }[kind]


def _check_types(schema, columns: Columns) -> None:
    """E808 as the local engine: text and channel must be text, the customer a scalar."""
    from pyspark.sql import types as T

    for role in ("text", "channel"):
        name = getattr(columns, role)
        if name and not isinstance(schema[name].dataType, T.StringType | T.NullType):
            raise LogError(f"the {role} column {name!r} holds {schema[name].dataType}, not text", "E808")
    if columns.customer:
        kind = schema[columns.customer].dataType
        if isinstance(kind, T.ArrayType | T.MapType | T.StructType | T.FloatType | T.DoubleType):
            raise LogError(f"the customer column {columns.customer!r} holds {kind}, not ids", "E808")


def _time_column(df, name: str):
    """The timestamp column as the workers read it, and how (see the module docstring)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kind = df.schema[name].dataType
    if isinstance(kind, T.TimestampType):
        return F.unix_micros(F.col(name)), "instant"
    if isinstance(kind, T.TimestampNTZType):
        return F.date_format(F.col(name), "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"), "as_is"
    if isinstance(kind, T.DateType):
        return F.date_format(F.col(name), "yyyy-MM-dd"), "as_is"
    return F.col(name), "as_is"


def model_path(model_dir: str | Path | None) -> str:
    """The absolute path of the model directory (the bundled default when None); E201 if absent."""
    from .classifier import default_model_path

    path = Path(model_dir) if model_dir is not None else default_model_path()
    if not (path / "manifest.json").is_file():
        raise ModelError(f"no model at {path} (no manifest.json)", "E201")
    return str(path.resolve())


def score(
    df,
    model_dir: str | Path | None = None,
    *,
    text_column: str | None = None,
    customer_column: str | None = None,
    timestamp_column: str | None = None,
    channel_column: str | None = None,
    id_column: str | None = None,
    batch_size: int = 512,
    groups: int | None = None,
):
    """``df`` with the prediction columns of ``scoring.PREDICTION_COLUMNS`` added, every message
    scored with its customer's earlier messages as history (as ``empathy-nlu score`` does).

    A column name not given is its default (``text``, ``customer_id``, ``timestamp``, ``channel``,
    ``id``); customer, channel and id are then optional. Rows are scored in ``groups`` groups
    (default: the shuffle partitions), each holding whole customers; without a customer column
    each row is scored alone. A group is one pandas frame in a worker's memory: raise ``groups``
    for logs so large that a group would not fit.
    Lazy: nothing runs until the result is written or collected.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if not isinstance(batch_size, int) or batch_size < 1:
        raise LogError(f"batch_size must be a whole number of at least 1, got {batch_size!r}", "E812")
    requested = columns_from_options(
        text_column, customer_column, timestamp_column, channel_column, id_column
    )
    columns = requested.resolve(df.columns, "the DataFrame")
    _check_types(df.schema, columns)
    time_column, time_kind = _time_column(df, columns.timestamp)
    job = _Job(model_path(model_dir), columns, tuple(df.columns), time_kind, batch_size)
    prepared = df.withColumn(ROW, F.monotonically_increasing_id()).withColumn(TIME, time_column)
    schema = T.StructType(
        [*df.schema.fields, *(T.StructField(n, _spark_type(k), True) for n, k in PREDICTION_TYPES.items())]
    )
    spread = max(groups or int(df.sparkSession.conf.get("spark.sql.shuffle.partitions")), 1)
    # An explicit repartition by customer: every customer's rows in one task, ``spread`` tasks that
    # adaptive execution leaves alone (it would coalesce a shuffle this small in bytes into one task,
    # and scoring, heavy in CPU, would use one core).
    if columns.customer is not None:
        parts = prepared.repartition(spread, F.col(columns.customer))
    else:
        parts = prepared.repartition(spread)
    return parts.mapInPandas(functools.partial(_score_partition, job), schema)


# -- the command line's Spark run: session, reading, writing -----------------------------------------
def local_session(master: str = "local[*]", shuffle_partitions: int | None = None):
    """A SparkSession for the command line (UI off, UTC, this Python for the workers); E810 when
    pyspark or Java is missing."""
    import os

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise LogError("--engine spark needs pyspark: pip install 'empathy-nlu[spark]'", "E810") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import empathy_nlu from this venv
    builder = (
        SparkSession.builder.master(master)
        .appName("empathy-nlu score")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    try:
        return builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - Java missing or failing: one line, not a JVM traceback
        raise LogError(f"cannot start Spark ({_first_line(exc)}); is Java 17 installed?", "E810") from None


def read_log(spark, paths, fmt: str | None = None):
    """The log files as one DataFrame, read as the local engine reads them (CSV: all text, an
    empty unquoted field null; JSON Lines: inferred types; Parquet: its own)."""
    frames = []
    for path in paths:
        path = str(check_readable(path))
        kind = log_format(path, fmt)
        try:
            if kind == "csv":
                reader = spark.read.options(header=True, multiLine=True, escape='"', inferSchema=False)
                frames.append(reader.csv(path))
            elif kind == "jsonl":
                frames.append(spark.read.json(path))
            else:
                frames.append(spark.read.parquet(path))
        except Exception as exc:  # noqa: BLE001 - Spark's AnalysisException and friends
            raise LogError(f"{path}: cannot read the log file ({_first_line(exc)})", "E804") from None
    frame = frames[0]
    for other in frames[1:]:
        frame = frame.unionByName(other, allowMissingColumns=True)
    return frame


def write_scored(scored, out: str | Path, metadata: dict) -> Path:
    """Write the scored DataFrame as a Parquet folder, atomically: into a temporary sibling folder,
    with the metadata in ``_empathy_nlu.json`` (readers skip ``_`` files), then renamed to ``out``."""
    import os

    out = check_target(out)
    temporary = out.parent / f".{out.name}.{os.getpid()}.spark"
    try:
        scored.write.mode("overwrite").parquet(str(temporary))
        (temporary / SIDECAR).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        replace_path(temporary, out)
    except BaseException as exc:
        import shutil

        shutil.rmtree(temporary, ignore_errors=True)
        raise job_error(exc) from None
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def job_error(exc: BaseException) -> BaseException:
    """A failed Spark job as the LogError a worker raised (its code and message), else E811."""
    import re

    if isinstance(exc, LogError | KeyboardInterrupt):
        return exc
    found = re.search(r"(?:LogError|ModelError): \[(E\d{3})\] ([^\n]*)", str(exc))
    if found and found.group(1).startswith("E8"):
        return LogError(found.group(2), found.group(1))
    if found:
        return ModelError(found.group(2), found.group(1))
    return LogError(f"the Spark job failed: {_first_line(exc)}", "E811")
