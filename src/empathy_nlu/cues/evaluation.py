"""Precision, recall and F1 of a cue detector against labelled examples.

Why per cue and macro: cues are independent yes/no questions of very different
frequency, so one pooled accuracy would hide a cue that never fires.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .patterns import CUES


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def evaluate_cues(detector: Any, examples: Iterable[Any], threshold: float = 0.5) -> dict:
    """Score ``detector.detect`` on examples with ``.text`` and ``.cues`` (``None`` = unlabelled, skipped).

    A cue is predicted when its score is >= ``threshold``. Returns
    ``{"n", "threshold", "per_cue": {cue: {"precision", "recall", "f1", "support"}}, "macro_f1"}``.
    """
    counts = {cue: [0, 0, 0] for cue in CUES}  # true positives, false positives, false negatives
    n = 0
    for example in examples:
        if example.cues is None:
            continue
        n += 1
        gold = set(example.cues)
        scores = detector.detect(example.text)
        for cue in CUES:
            predicted = scores[cue]["score"] >= threshold
            if predicted and cue in gold:
                counts[cue][0] += 1
            elif predicted:
                counts[cue][1] += 1
            elif cue in gold:
                counts[cue][2] += 1
    per_cue = {}
    for cue, (tp, fp, fn) in counts.items():
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)
        per_cue[cue] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    macro_f1 = sum(m["f1"] for m in per_cue.values()) / len(per_cue)
    return {"n": n, "threshold": threshold, "per_cue": per_cue, "macro_f1": macro_f1}
