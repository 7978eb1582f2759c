"""``load_data`` / ``load_many``: pick the reader from the source, then validate once.

Files over a size limit are refused before anything is read (``check_size``): a reader holds the
whole file and every example in memory, and a 200 MB file ran for minutes with no progress and 1 GB
of memory. Refusing is simpler than streaming with progress; the limit is easy to raise.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from empathy_nlu.errors import ConfigError, DataError
from empathy_nlu.schema import Dataset

from . import _yaml, codes
from .csv_reader import read_csv
from .hf_reader import is_saved_dataset, read_hf
from .json_reader import read_json
from .jsonl_reader import read_jsonl
from .rasa_reader import read_rasa
from .validation import validate_dataset
from .yaml_reader import read_yaml

FORMATS = ("yaml", "rasa", "jsonl", "json", "csv", "hf")
EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".json": "json", ".csv": "csv"}
# The largest benchmark training file (SGD dialogues) is 18 MB: 100 MB leaves room and stops a runaway.
DEFAULT_MAX_DATA_MB = 100
MAX_DATA_ENV = "EMPATHY_NLU_MAX_DATA_MB"


def max_data_bytes(max_bytes: int | None = None) -> int:
    """The size limit of the data files: ``max_bytes``, else ``$EMPATHY_NLU_MAX_DATA_MB``, else 100 MB."""
    if max_bytes is not None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
            raise ConfigError(f"max_bytes must be an int, got {type(max_bytes).__name__}.", "E402")
        if max_bytes <= 0:
            raise ConfigError(f"max_bytes must be > 0, got {max_bytes}.", "E403")
        return max_bytes
    raw = os.environ.get(MAX_DATA_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_DATA_MB * 10**6
    try:
        megabytes = float(raw)
    except ValueError:
        raise ConfigError(f"{MAX_DATA_ENV} must be a number of megabytes, got {raw!r}.", "E402") from None
    if not (megabytes > 0 and math.isfinite(megabytes)):
        raise ConfigError(f"{MAX_DATA_ENV} must be a number of megabytes > 0, got {raw!r}.", "E403")
    return int(megabytes * 10**6)


def _file_size(source: Any) -> int:
    """Bytes of a data file named by ``source``; 0 for anything else (a Hugging Face dataset is
    memory-mapped, not read; a missing file is the reader's E109)."""
    if not isinstance(source, str | Path) or str(source).startswith("hf:"):
        return 0
    try:
        info = os.stat(source)
    except (OSError, ValueError):
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def check_size(sources: Sequence[Any], max_bytes: int | None = None) -> None:
    """Refuse (E127) data files that together exceed ``max_data_bytes(max_bytes)``, before reading any."""
    limit = max_data_bytes(max_bytes)
    sizes = [(_file_size(source), source) for source in sources]
    total = sum(size for size, _ in sizes)
    if total > limit:
        largest, source = max(sizes, key=lambda pair: pair[0])
        files = f"{len(sizes)} files, the largest {largest / 1e6:.1f} MB" if len(sizes) > 1 else "one file"
        raise DataError(
            f"the data is {total / 1e6:.1f} MB ({files}), over the limit of {limit / 1e6:g} MB: reading it "
            f"would take minutes and several times its size in memory. Train on a sample, or raise the "
            f"limit with max_bytes= or the environment variable {MAX_DATA_ENV}.",
            source=str(source),
            code=codes.TOO_LARGE,
        )


def _is_hf_object(source: Any) -> bool:
    return type(source).__module__.split(".")[0] == "datasets"


def _read_yaml_auto(path: Path) -> Dataset:
    """``.yaml``: empathy format if it has top-level ``intents``, Rasa if it has ``nlu``."""
    root = _yaml.compose(path)
    keys = set(_yaml.mapping(root, "the top level", path)) if root is not None else set()
    if "intents" in keys:
        return read_yaml(path, root)
    if "nlu" in keys:
        return read_rasa(path, root)
    raise DataError(
        "YAML file has neither a top-level 'intents' list (empathy format) nor 'nlu' (Rasa format)",
        source=f"{path}:1",
        code=codes.NOT_FOUND,
    )


def detect_format(path: Path) -> str:
    """The format of ``path`` from its extension (``yaml`` still needs a look inside) or folder."""
    if path.is_dir():
        if is_saved_dataset(path):
            return "hf"
        raise DataError(
            "directory is not a dataset saved with datasets' save_to_disk; pass a file, or several "
            "files to load_many",
            source=str(path),
            code=codes.NOT_FOUND,
        )
    if not path.exists():
        raise DataError("file not found; check the path", source=str(path), code=codes.NOT_FOUND)
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(
            f"cannot tell the format from the extension {path.suffix!r}; use one of "
            f"{', '.join(EXTENSIONS)} or pass format= (one of {', '.join(FORMATS)})",
            source=str(path),
            code=codes.NOT_FOUND,
        )
    return fmt


def _read(
    source: str | Path, fmt: str | None, split: str, text_column: str, label_column: str | None
) -> Dataset:
    columns = {"text_column": text_column, "label_column": label_column}
    path = Path(source)
    if fmt is None:
        fmt = detect_format(path)
        if fmt == "yaml":
            return _read_yaml_auto(path)
    if fmt == "hf":
        return read_hf(str(source), split=split, **columns)
    if fmt == "yaml":
        return read_yaml(path)
    if fmt == "rasa":
        return read_rasa(path)
    if fmt == "jsonl":
        return read_jsonl(path, **columns)
    if fmt == "json":
        return read_json(path, **columns)
    return read_csv(path, **columns)


def load_data(
    source: str | Path | Any,
    *,
    format: str | None = None,
    text_column: str = "text",
    label_column: str | None = "intent",
    split: str = "train",
    strict: bool = False,
    validate: bool = True,
    max_bytes: int | None = None,
) -> Dataset:
    """Read one source into a ``Dataset`` and (by default) validate it.

    ``source`` is a path, a ``datasets.Dataset``/``DatasetDict``, or ``"hf:NAME"``.
    ``format`` forces a reader (one of ``FORMATS``); otherwise the extension decides.
    ``text_column``/``label_column`` apply to CSV, JSON(L) and Hugging Face data;
    ``split`` to Hugging Face data only. A file over ``max_bytes`` (default: ``$EMPATHY_NLU_MAX_DATA_MB``
    megabytes, else 100 MB) is refused with E127 before it is read.
    """
    check_size([source], max_bytes)
    dataset = _load_one(source, format, text_column, label_column, split)
    if validate:
        validate_dataset(dataset, strict=strict)
    return dataset


def _load_one(
    source: str | Path | Any, format: str | None, text_column: str, label_column: str | None, split: str
) -> Dataset:
    if format is not None and format not in FORMATS:
        raise DataError(
            f"unknown format {format!r}; use one of {', '.join(FORMATS)}",
            source=str(source),
            code=codes.NOT_FOUND,
        )
    if _is_hf_object(source):
        dataset = read_hf(source, split=split, text_column=text_column, label_column=label_column)
    elif isinstance(source, str) and source.startswith("hf:"):
        dataset = _read(source[3:], "hf", split, text_column, label_column)
    elif isinstance(source, (str, Path)):
        dataset = _read(source, format, split, text_column, label_column)
    else:
        raise DataError(
            f"cannot load data from a {type(source).__name__}; pass a path, 'hf:NAME' or a datasets.Dataset",
            code=codes.NOT_FOUND,
        )
    return dataset


def load_many(sources: Sequence[str | Path | Any], **kwargs: Any) -> Dataset:
    """Load several sources with the same options, concatenate them, then validate once.

    Validating the union (not each part) lets an intent's examples be spread over files
    and finds the same text labelled differently in two files. ``max_bytes`` limits the files'
    total size, checked before any is read.
    """
    validate = kwargs.pop("validate", True)
    strict = kwargs.pop("strict", False)
    sources = list(sources)
    check_size(sources, kwargs.pop("max_bytes", None))
    options = {"format": None, "text_column": "text", "label_column": "intent", "split": "train", **kwargs}
    combined = Dataset()
    for source in sources:
        combined.extend(_load_one(source, **options))
    if validate:
        validate_dataset(combined, strict=strict)
    return combined
