"""Calibrating on texts the fine-tuned encoder never saw (``finetune.held_out``, ``calibrate_on``).

Why it matters: out-of-fold scores of texts the encoder was tuned on are over-confident, so a
temperature and an out-of-scope threshold chosen from them reject too much on new text.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy import sparse

from empathy_nlu import Example
from empathy_nlu.calibration import fit_temperature
from empathy_nlu.embeddings.finetune import held_out
from empathy_nlu.intent_classifier.linear import LinearIntentClassifier
from empathy_nlu.linear_model import MIN_CALIBRATION_ROWS, CalibratedLinearSVC


def examples(counts: dict[str, int]) -> list[Example]:
    return [Example(text=f"{intent} {i}", intent=intent) for intent, n in counts.items() for i in range(n)]


def test_held_out_keeps_a_share_of_every_intent_and_never_its_last_example():
    data = examples({"a": 10, "b": 5, "c": 1, "d": 2})
    kept_out = held_out(data, 0.2)
    out = Counter(ex.intent for ex, k in zip(data, kept_out, strict=True) if k)
    assert out == Counter({"a": 2, "b": 1})  # c has one example, d rounds to 0
    assert held_out(data, 0.2) == kept_out  # seeded: the same split every time
    assert not any(held_out(data, 0.0))


def test_held_out_groups_multi_intent_examples_by_their_intent_set():
    data = [Example(text=f"t{i}", intents=["x", "y"]) for i in range(10)]
    data += [Example(text=f"n{i}") for i in range(5)]  # no intent: negatives, a group of their own
    kept_out = held_out(data, 0.4)
    assert sum(kept_out[:10]) == 4 and sum(kept_out[10:]) == 2


def blobs(n_per_class: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = np.eye(3) * 3.0
    X = np.vstack([rng.normal(c, 1.0, (n_per_class, 3)) for c in centres])
    y = np.repeat(np.arange(3), n_per_class)
    return sparse.csr_matrix(X), y


def test_the_temperature_and_cv_figures_read_only_the_calibration_rows():
    X, y = blobs()
    mask = np.zeros(len(y), dtype=bool)
    mask[::3] = True  # 60 rows, above the minimum
    model = CalibratedLinearSVC(cv_folds=3).fit(X, y, 3, calibrate_on=mask)
    assert model.temperature_ == fit_temperature(model.oof_scores_[mask], y[mask])
    assert model.temperature_ != fit_temperature(model.oof_scores_, y)
    assert model.cv_metrics(y)["rows"] == int(mask.sum())


def test_too_few_calibration_rows_fall_back_to_every_row():
    X, y = blobs()
    mask = np.zeros(len(y), dtype=bool)
    mask[: MIN_CALIBRATION_ROWS - 1] = True
    model = CalibratedLinearSVC(cv_folds=3).fit(X, y, 3, calibrate_on=mask)
    assert model.cv_metrics(y)["rows"] == len(y)
    assert model.temperature_ == fit_temperature(model.oof_scores_, y)


def test_the_intent_threshold_is_chosen_on_the_calibration_rows():
    X, y = blobs()
    labels = [f"intent_{k}" for k in y]
    everything = LinearIntentClassifier().fit(X, labels)
    mask = np.zeros(len(y), dtype=bool)
    mask[::3] = True
    some = LinearIntentClassifier().fit(X, labels, calibrate_on=mask)
    assert some.cv_metrics_["rows"] == int(mask.sum()) and everything.cv_metrics_["rows"] == len(y)
