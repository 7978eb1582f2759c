"""Hugging Face ``datasets``: in-memory objects, ``save_to_disk`` folders and ``load_dataset`` names.

``datasets`` is imported inside the functions: it takes a noticeable time to import
and most users of the library never need it. ``ClassLabel`` integers are mapped to
their names so intents are always strings. Sources read ``hf:NAME record N``
(``N`` is the 0-based row index, as in ``ds[N]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from empathy_nlu.errors import DataError
from empathy_nlu.schema import Dataset, Example

from . import codes
from ._io import unknown_column
from .records import SENTIMENTS

# Builders for single local files handed to ``load_dataset`` (it wants a builder name plus data_files).
FILE_BUILDERS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet", ".txt": "text"}
SAVED_MARKERS = ("state.json", "dataset_dict.json")


def is_saved_dataset(path: Path) -> bool:
    """True for a directory written by ``Dataset.save_to_disk`` / ``DatasetDict.save_to_disk``."""
    return path.is_dir() and any((path / marker).is_file() for marker in SAVED_MARKERS)


def _pick_split(obj: Any, split: str, name: str) -> Any:
    from datasets import DatasetDict

    if isinstance(obj, DatasetDict):
        if split not in obj:
            raise DataError(
                f"split {split!r} not found; available splits: {', '.join(obj)}. Pass split=<one of them>",
                source=f"hf:{name}",
                code=codes.NOT_FOUND,
            )
        return obj[split]
    return obj


def _load(name: str, split: str) -> Any:
    import datasets

    path = Path(name)
    try:
        if is_saved_dataset(path):
            return _pick_split(datasets.load_from_disk(str(path)), split, name)
        if path.is_file() and path.suffix.lower() in FILE_BUILDERS:
            builder = FILE_BUILDERS[path.suffix.lower()]
            return datasets.load_dataset(builder, data_files=str(path), split=split)
        return datasets.load_dataset(name, split=split)
    except DataError:
        raise
    except (OSError, ValueError, ImportError, KeyError) as exc:  # not found, offline, unknown split
        raise DataError(
            f"cannot load Hugging Face dataset: {exc}; check the name, the split and your connection "
            "(or HF_HUB_OFFLINE)",
            source=f"hf:{name}",
            code=codes.NOT_FOUND,
        ) from None
    except datasets.exceptions.DatasetsError as exc:  # the files exist but cannot be parsed
        raise DataError(
            f"cannot build the dataset: {exc.__cause__ or exc}; check the data files",
            source=f"hf:{name}",
            code=codes.MALFORMED,
        ) from None


def _labels(ds: Any, column: str) -> list[Any]:
    """The label column as strings (``ClassLabel`` ints mapped to names), or tuples for list columns."""
    from datasets import ClassLabel

    feature = ds.features[column]
    values = list(ds[column])
    if isinstance(feature, ClassLabel):
        return [None if v is None or v < 0 else feature.int2str(v) for v in values]  # -1: unlabelled
    inner = getattr(feature, "feature", None)  # List / Sequence / LargeList
    if inner is not None:
        to_name = inner.int2str if isinstance(inner, ClassLabel) else str
        return [tuple(to_name(v) for v in (value or ())) for value in values]
    return [None if v is None or v == "" else str(v) for v in values]


def _object_name(obj: Any) -> str:
    """A readable name for an in-memory dataset: its ``dataset_name`` if set."""
    from datasets import DatasetDict

    first = next(iter(obj.values()), None) if isinstance(obj, DatasetDict) else obj
    return getattr(getattr(first, "info", None), "dataset_name", None) or "<in-memory dataset>"


def read_hf(
    source: Any,
    *,
    split: str = "train",
    text_column: str = "text",
    label_column: str | None = "intent",
) -> Dataset:
    """Read a ``datasets`` object, a ``save_to_disk`` folder or a ``load_dataset`` name into examples."""
    if isinstance(source, (str, Path)):
        name = str(source)
        name = name[3:] if name.startswith("hf:") else name
        ds = _load(name, split)
    else:
        name = _object_name(source)
        ds = _pick_split(source, split, name)
    columns = list(ds.column_names)
    where = f"hf:{name}"
    if text_column not in columns:
        raise unknown_column("text_column", text_column, columns, where)
    if label_column is not None and label_column not in columns:
        raise unknown_column("label_column", label_column, columns, where)
    texts = list(ds[text_column])
    labels = _labels(ds, label_column) if label_column is not None else [None] * len(texts)
    extra = {
        key: list(ds[key]) if key in columns else [None] * len(texts) for key in ("sentiment", "channel")
    }
    examples = []
    for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
        record = f"{where} record {i}"
        if not isinstance(text, str):
            raise DataError(
                f"'{text_column}' must be a string, got {type(text).__name__}",
                source=record,
                code=codes.BAD_VALUE,
            )
        sentiment = extra["sentiment"][i]
        if sentiment is not None and sentiment not in SENTIMENTS:
            raise DataError(
                f"'sentiment' must be one of {', '.join(SENTIMENTS)}, got {sentiment!r}",
                source=record,
                code=codes.BAD_VALUE,
            )
        multi = isinstance(label, tuple)
        examples.append(
            Example(
                text=text,
                intent=None if multi else label,
                intents=label if multi else (),
                sentiment=sentiment,
                channel=extra["channel"][i],
                source=record,
            )
        )
    return Dataset(examples=examples, sources=[where])
