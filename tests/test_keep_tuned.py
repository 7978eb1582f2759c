"""The held-out comparison that decides whether a fine-tuned encoder is kept
(``embeddings/keep_tuned.py``): real linear models on rows whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from empathy_nlu.embeddings.keep_tuned import compare_encoders, held_out_score

WORDS = ["card", "refund", "hello", "transfer"]


def one_hot(texts):
    """One column per word of ``WORDS`` the text contains."""
    return sparse.csr_matrix(np.array([[float(w in t) for w in WORDS] for t in texts], dtype=np.float32))


def no_columns(texts):
    return sparse.csr_matrix((len(texts), 0), dtype=np.float32)


TRAIN = (
    ["my card", "card lost", "a refund", "refund now", "hello", "hello there"],
    [["card"], ["card"], ["refund"], ["refund"], ["greet"], ["greet"]],
)
HELD = (["new card", "refund please", "hello you"], [["card"], ["refund"], ["greet"]])


def test_single_intent_data_is_scored_by_accuracy():
    assert held_out_score(one_hot, TRAIN, HELD) == 1.0
    wrong = (HELD[0], [["refund"], ["card"], ["greet"]])  # two of three labelled against the words
    assert held_out_score(one_hot, TRAIN, wrong) == pytest.approx(1 / 3)


def test_multi_intent_data_is_scored_by_micro_f1_with_empty_label_sets():
    train = (
        ["card refund", "card", "refund", "hello", "card", "refund", "hello there", "card refund again"],
        [["card", "refund"], ["card"], ["refund"], [], ["card"], ["refund"], [], ["card", "refund"]],
    )
    held = (["refund card", "hello", "card"], [["card", "refund"], [], ["card"]])
    assert held_out_score(one_hot, train, held) == 1.0
    # gold says "transfer" too on the first text: 3 true positives, 1 missed -> F1 = 6 / 7
    missed = (held[0], [["card", "refund", "transfer"], [], ["card"]])
    assert held_out_score(one_hot, train, missed) == pytest.approx(6 / 7)


def test_the_encoder_whose_embedding_separates_the_intents_scores_higher():
    centres = {"card": [1.0, 0.0, 0.0], "refund": [0.0, 1.0, 0.0], "greet": [0.0, 0.0, 1.0]}
    label_of = dict(zip(TRAIN[0] + HELD[0], [x[0] for x in TRAIN[1] + HELD[1]], strict=True))

    def informative(texts):
        return np.array([centres[label_of[t]] for t in texts], dtype=np.float32)

    def constant(texts):
        return np.ones((len(texts), 3), dtype=np.float32)

    scores = compare_encoders(no_columns, {"good": informative, "flat": constant}, 1.5, TRAIN, HELD)
    assert scores["good"] == 1.0 and scores["flat"] < 0.5
