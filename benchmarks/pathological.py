"""Pathological input: the slowest single ``predict`` on 64 KB of digit runs, "1." runs, URLs, ...

    .venv/bin/python benchmarks/pathological.py [--model DIR] [--repeats 3] [--kinds digits ...]
                                                [--no-scaling] [--out FILE] [--note TEXT]

Anyone who can send a message can choose its text, so the cost of ``predict`` must be linear in
the input: a worker must never be tied up by a text built to make a regular expression backtrack.
For every kind of input below, a 64 KB text (UTF-8 bytes) is built by repeating a unit, and
``predict`` is timed ``--repeats`` times on the default model (``Classifier.load()``) after one
untimed warm-up call on a short text of the same kind; the figure is the slowest single call,
against a target of 0.25 s. ``predict.max_chars`` (5000 by default) bounds what the components
read, so the 64 KB text mostly costs its validation, truncation and the echo of the text.

``scaling`` (skip with ``--no-scaling``) shows whether each step is linear whatever the bound: the
same model with ``predict.max_chars`` raised to 64 K reads 8 KB and then 64 KB of each kind; the
ratio of the two times is about 8 for linear cost and about 64 for quadratic cost.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import common
from common import log

SIZE = 64 * 1024  # bytes of UTF-8
SMALL = 8 * 1024
TARGET_S = 0.25

# kind -> the unit repeated to fill the text (a str), or a function of the size in bytes
KINDS: dict[str, object] = {
    "digits": "4",
    "digits_spaced": "4 ",
    "one_dot": "1.",
    "one_comma": "1,",
    "thousands_spaced": "100 ",
    "money_signs": "$",
    "money_amounts": "$1 ",
    "euro_digits": "€1.",
    "currency_words": "5 dollars ",
    "dates": "12/12/2024 ",
    "date_words": "on monday the 3rd of may ",
    "times": "10:30 ",
    "colons": "1:",
    "slashes": "1/",
    "dashes": "1-",
    "card_dashes": "4111-1111-1111-1111 ",
    "urls": "http://a.com/",
    "www_runs": "www.",
    "domains": "a.com",
    "emails": "a@b.c",
    "at_runs": "@",
    "emoji": "😡",
    "emoji_joined": "👩\u200d",
    "one_long_word": "a",
    "elongation": "ab",
    "brackets": "[",
    "annotations": "[a](b)",
    "parentheses": "(",
    "repeated_phrase": "my card never arrived and I want a refund now!!! ",
    "frustration_phrase": "this is ridiculous, still not working ",
    "whitespace": " ",
    "newlines": "\n",
    "tabs_mixed": " \t\n\r",
    "punctuation": "!?",
    "hashtags": "#",
    "handles": "@a ",
    "combining_marks": "a\u0301\u0301",
    "nfkc_expanding": "\ufdfa",  # one character NFKC turns into 18
    "order_ids": "ORD-12345 ",
    "phone_digits": "+1 ",
    "number_words": "one two ",
    "number_words_hyphen": "twenty-",
    "smileys": "a:)",
    "equals_question": "=?",
    "quotes": "'",
    # (unit, tail): a run that a pattern reads to its end and then fails on the tail
    "digits_then_letter": ("4", "x"),
    "one_dot_then_letter": ("1.", "x"),
    "thousands_then_letter": ("100 ", "x"),
    "long_word_then_at": ("a", "@b"),
    "dot_words_then_at": ("a.", " @"),
    "dash_words_then_domain": ("a-", " x.com"),
    "labels_then_space": ("a.", " "),
}


def build(kind: str, size: int) -> str:
    """A text of the kind, ``size`` bytes of UTF-8 at most (whole units, then the tail if any)."""
    unit, tail = (KINDS[kind], "") if isinstance(KINDS[kind], str) else KINDS[kind]
    n = max(1, (size - len(tail.encode("utf-8"))) // len(unit.encode("utf-8")))
    return unit * n + tail


def slowest(call, text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call(text)
        times.append(time.perf_counter() - started)
    return max(times)


def with_max_chars(clf, max_chars: int):
    """The same model reading ``max_chars`` characters of each text (a shallow copy)."""
    import copy

    other = copy.copy(clf)
    other.pipeline = copy.copy(clf.pipeline)
    other.pipeline.config = dict(clf.pipeline.config)
    other.pipeline.config["predict"] = replace(clf.pipeline.config["predict"], max_chars=max_chars)
    from empathy_nlu.pipeline.cache import LRU

    other.pipeline._earlier = LRU(16)
    return other


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model directory (default: the bundled default)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), help="only these kinds")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 8 KB / 64 KB scaling check")
    parser.add_argument(
        "--stop-after", type=float, default=60.0, help="skip the scaling of a kind slower than this (s)"
    )
    common.add_output_arguments(parser, "pathological")
    args = parser.parse_args(argv)
    quick = bool(args.kinds) or args.model is not None
    args.out = common.output_path(args.out, "pathological", quick)
    from empathy_nlu import Classifier

    clf = Classifier.load(args.model)
    report: dict = {
        **common.envelope("pathological.py", argv, args.note),
        "size_bytes": SIZE,
        "target_s": TARGET_S,
        "max_chars": clf.pipeline.config["predict"].max_chars,
        "repeats": args.repeats,
        "kinds": {},
    }
    kinds = args.kinds or list(KINDS)
    wide = None if args.no_scaling else with_max_chars(clf, SIZE)
    for kind in kinds:
        text = build(kind, SIZE)
        clf.predict(build(kind, 64))  # warm-up: the first call of a kind pays for lazy imports
        seconds = slowest(clf.predict, text, args.repeats)
        row: dict = {"chars": len(text), "slowest_s": round(seconds, 4), "within_target": seconds <= TARGET_S}
        if wide is not None:
            small = slowest(wide.predict, build(kind, SMALL), 1)
            big = slowest(wide.predict, text, 1) if small * 64 < args.stop_after else None
            row["scaling"] = {
                "8k_s": round(small, 4),
                "64k_s": round(big, 4) if big is not None else None,
                "ratio": round(big / small, 1) if big is not None and small > 0 else None,
            }
        report["kinds"][kind] = row
        log(f"{kind:20s} {json.dumps(row)}")
    worst = max(report["kinds"].items(), key=lambda item: item[1]["slowest_s"])
    report["slowest"] = {"kind": worst[0], "seconds": worst[1]["slowest_s"]}
    report["all_within_target"] = all(row["within_target"] for row in report["kinds"].values())
    common.write_results(args.out, report)
    print(json.dumps({"slowest": report["slowest"], "all_within_target": report["all_within_target"]}))
    log(f"wrote {args.out}")
    return 0 if report["all_within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
