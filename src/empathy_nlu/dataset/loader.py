"""``load_data`` / ``load_many``: pick the reader from the source, then validate once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from empathy_nlu.errors import DataError
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
) -> Dataset:
    """Read one source into a ``Dataset`` and (by default) validate it.

    ``source`` is a path, a ``datasets.Dataset``/``DatasetDict``, or ``"hf:NAME"``.
    ``format`` forces a reader (one of ``FORMATS``); otherwise the extension decides.
    ``text_column``/``label_column`` apply to CSV, JSON(L) and Hugging Face data;
    ``split`` to Hugging Face data only.
    """
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
    if validate:
        validate_dataset(dataset, strict=strict)
    return dataset


def load_many(sources: Sequence[str | Path | Any], **kwargs: Any) -> Dataset:
    """Load several sources with the same options, concatenate them, then validate once.

    Validating the union (not each part) lets an intent's examples be spread over files
    and finds the same text labelled differently in two files.
    """
    validate = kwargs.pop("validate", True)
    strict = kwargs.get("strict", False)
    combined = Dataset()
    for source in sources:
        combined.extend(load_data(source, validate=False, **kwargs))
    if validate:
        validate_dataset(combined, strict=strict)
    return combined
