"""Score contact logs: every message of a CSV, JSON Lines or Parquet log predicted with its
customer's earlier messages as history, written as flat columns to Parquet (docs/scoring.md).

>>> from empathy_nlu.scoring import score_log
>>> score_log(["contacts.csv"], "scored.parquet").to_dict()     # doctest: +SKIP

- ``columns.py``: the log's column names (``Columns``) and the prediction columns written;
- ``readers.py``: CSV, JSON Lines and Parquet streamed in batches;
- ``rows.py``: ``score_rows``, the one scoring function both engines call;
- ``sorting.py``: the external sort by customer (bounded memory);
- ``local.py``: ``score_log``, the local engine; ``output.py``: the atomic Parquet output;
- ``empathy_nlu.spark``: the Spark engine.

Nothing here is imported by ``import empathy_nlu``; pyarrow is imported on first use.
"""

from __future__ import annotations

from .columns import PREDICTION_COLUMNS, PREDICTION_TYPES, Columns, columns_from_options
from .local import ScoreSummary, score_log, score_table
from .output import read_metadata
from .progress import Progress
from .rows import Scored, moment, score_rows

__all__ = [
    "PREDICTION_COLUMNS",
    "PREDICTION_TYPES",
    "Columns",
    "Progress",
    "ScoreSummary",
    "Scored",
    "columns_from_options",
    "moment",
    "read_metadata",
    "score_log",
    "score_rows",
    "score_table",
]
