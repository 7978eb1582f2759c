"""Small helpers shared by the CLI commands: start-up, progress lines, data options, JSON output."""

from __future__ import annotations

import gc
import json
import math
import os
import sys
import time
from pathlib import Path

_gc_paused_for_startup = False


def pause_gc_for_startup() -> None:
    """Pause the cyclic garbage collector while the command starts up (see ``startup_done``).

    Why: start-up (importing spaCy, numpy and scipy, loading the model, building the
    tokenizer and cue matchers on the first message) allocates several hundred thousand
    objects that live as long as the process, and the collector walks them again and again
    as they pile up: about 0.15 s, a tenth of ``empathy-nlu predict``'s CPU time, and the
    freeze spares the collection at exit too. Only for the process's own command (``main()``
    without arguments), never for a caller's ``main([...])``.
    """
    global _gc_paused_for_startup
    if gc.isenabled():
        gc.disable()
        _gc_paused_for_startup = True


def startup_done() -> None:
    """End of start-up: ``gc.freeze()`` its objects (later collections skip them) and collect as usual.

    Called by a command once its set-up is done (for ``predict``, after the first message);
    idempotent, and a no-op when ``pause_gc_for_startup`` did not pause the collector.
    """
    global _gc_paused_for_startup
    if _gc_paused_for_startup:
        _gc_paused_for_startup = False
        gc.freeze()
        gc.enable()


def progress_printer(args):
    """A callback printing elapsed time and a message to stderr (silent with --quiet)."""
    if getattr(args, "quiet", False):
        return None
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return say


def add_data_options(parser) -> None:
    parser.add_argument(
        "--format", choices=["yaml", "rasa", "jsonl", "csv", "hf"], help="force the data format"
    )
    parser.add_argument("--text-column", default="text", help="CSV/datasets column with the text")
    parser.add_argument("--label-column", default="intent", help="CSV/datasets column with the intent")
    parser.add_argument("--split", default="train", help="split of a `datasets` dataset (hf:NAME)")
    parser.add_argument(
        "--strict", action="store_true", help="conflicting labels are an error, not a warning"
    )
    parser.add_argument(
        "--max-data-mb",
        type=float,
        help="refuse data files larger than this in all (default 100, or $EMPATHY_NLU_MAX_DATA_MB)",
    )


def load_dataset_from_args(args, sources, *, min_examples: int = 2):
    """The data named on the command line, validated; evaluation data passes ``min_examples=1``
    (an intent seen once can be scored, though not trained)."""
    from ..dataset import load_many, validate_dataset

    dataset = load_many(
        list(sources),
        format=args.format,
        text_column=args.text_column,
        label_column=args.label_column,
        split=args.split,
        strict=args.strict,
        validate=False,
        max_bytes=int(args.max_data_mb * 1_000_000) if args.max_data_mb else None,
    )
    validate_dataset(dataset, strict=args.strict, min_examples=min_examples)
    return dataset


def finite(value):
    """``value`` with NaN and infinite floats as None (JSON has no NaN: ``null`` is what a reader takes)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def _stdout_is_utf8() -> bool:
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return encoding in ("utf8", "utf8sig")


def json_text(value, indent: int | None = None) -> str:
    """``value`` as strict JSON (never NaN): UTF-8 text when stdout takes it, else ASCII escapes."""
    return json.dumps(value, indent=indent, ensure_ascii=not _stdout_is_utf8(), allow_nan=False)


def print_line(value) -> None:
    """One JSON Lines record on stdout (a ``Prediction`` or a dict), flushed at once."""
    print(json_text(value.to_dict() if hasattr(value, "to_dict") else value), flush=True)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


def argument_text(value: str, what: str) -> str:
    """A command-line argument as text. Python reads bytes that are not UTF-8 as lone surrogates
    (``os.fsdecode``); they become U+FFFD here, with a warning (docs/input_rules.md)."""
    from ..history import replace_surrogates

    if value.isascii() or replace_surrogates(value) is value:
        return value
    try:
        text = os.fsencode(value).decode("utf-8", "replace")
    except UnicodeError:  # a lone surrogate given by a Python caller, not from the command line
        text = replace_surrogates(value)
    warn(f"{what}: bytes that are not UTF-8 are read as U+FFFD")
    return text


def emit_json(report: dict, out: str | Path | None = None) -> None:
    """Print ``report`` as JSON on stdout and, with ``out``, write it atomically to that file.
    NaN and infinite numbers are written as null: the output is always strict JSON."""
    from ..persistence import write_text_atomic

    report = finite(report)
    if out:
        write_text_atomic(out, json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    print(json_text(report, indent=2))
