"""Whether the accurate tier keeps its fine-tuned encoder: only when held-out texts say it helps.

Why: fine-tuning pulls the encoder toward the training intents. On large single-intent sets that
helps a little (CLINC150 test +0.5 points); on small or multi-intent sets it overfits (NLU++ test
-2.4 points micro-F1, SNIPS -0.4; docs/accurate_tier.md). The texts kept out of fine-tuning
(``finetune.held_out``) were seen by neither encoder, so one linear model per encoder, trained on
the tuned texts and scored on the held-out ones, compares the two on training data alone.

The comparison reads the same row the intent models read (n-grams + weighted embedding); the
tuned encoder is kept only when it scores higher (a tie keeps the frozen one: fewer weights to
ship and to verify).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse

Rows = Callable[[Sequence[str]], "sparse.csr_matrix"]


def held_out_score(
    rows: Rows, train: tuple[list[str], list[list[str]]], held: tuple[list[str], list[list[str]]]
) -> float:
    """Accuracy (one intent per text) or micro-F1 (several) on ``held`` of a linear SVM trained on
    ``train``; ``rows`` turns texts into feature rows. Examples without an intent (negatives of
    multi-intent data) take part as the empty label set."""
    from sklearn.preprocessing import MultiLabelBinarizer
    from sklearn.svm import LinearSVC

    (train_texts, train_labels), (held_texts, held_labels) = train, held
    X_train, X_held = rows(train_texts), rows(held_texts)
    if all(len(labels) == 1 for labels in [*train_labels, *held_labels]):
        model = LinearSVC(C=1.0, random_state=0).fit(X_train, [labels[0] for labels in train_labels])
        return float(np.mean(model.predict(X_held) == np.array([labels[0] for labels in held_labels])))
    binarizer = MultiLabelBinarizer().fit([*train_labels, *held_labels])
    gold_train, gold_held = binarizer.transform(train_labels), binarizer.transform(held_labels)
    predicted = np.zeros_like(gold_held)
    for j in range(gold_train.shape[1]):
        column = gold_train[:, j]
        if column.min() != column.max():  # a label only one side of the split has is never predicted
            predicted[:, j] = LinearSVC(C=1.0, random_state=0).fit(X_train, column).predict(X_held)
    true_positives = float((predicted & gold_held).sum())
    denominator = float(predicted.sum() + gold_held.sum())
    return 2.0 * true_positives / denominator if denominator else 0.0


def compare_encoders(
    sparse_rows: Rows,
    encoders: dict[str, Callable[[Sequence[str]], np.ndarray]],
    weight: float,
    train: tuple[list[str], list[list[str]]],
    held: tuple[list[str], list[list[str]]],
) -> dict[str, float]:
    """Held-out score of each encoder (name -> ``encode``), its embedding beside the n-gram rows."""
    scores = {}
    for name, encode in encoders.items():

        def rows(texts, encode=encode):
            dense = encode(list(texts)) * np.float32(weight)
            return sparse.hstack([sparse_rows(texts), sparse.csr_matrix(dense)], format="csr")

        scores[name] = round(held_out_score(rows, train, held), 4)
    return scores
