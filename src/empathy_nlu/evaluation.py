"""Evaluation and cross-validation: the report `empathy-nlu evaluate` writes, as a plain dict.

Key names are a contract (other tools read them): ``n``, ``intent.{accuracy,
macro_f1, in_scope_accuracy, oos_recall, ece, per_intent, confusions}``, on data
with several intents per example ``intent.{multi_label_f1, exact_match}``,
``latency_ms.{p50, p99}``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from .calibration import expected_calibration_error, reliability_table
from .classifier import Classifier
from .cues.evaluation import evaluate_cues
from .dataset.codes import TOO_FEW_FOR_FOLDS
from .errors import DataError
from .intent_classifier.multi_label import has_intent_set, label_set, multi_label_report
from .schema import OUT_OF_SCOPE, Dialogue, Example
from .slot_filler import entity_scores, entity_training_examples


def _predicted_label(prediction) -> str:
    return OUT_OF_SCOPE if prediction.out_of_scope else prediction.intent.name


def intent_report(gold: Sequence[str], predicted: Sequence[str], confidence: Sequence[float]) -> dict:
    """Accuracy, macro-F1, out-of-scope figures, calibration, per-intent scores and top confusions."""
    gold_a, pred_a = np.array(gold), np.array(predicted)
    correct = gold_a == pred_a
    in_scope, oos = gold_a != OUT_OF_SCOPE, gold_a == OUT_OF_SCOPE
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold_a, pred_a, labels=labels, zero_division=0
    )
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return {
        "accuracy": float(correct.mean()) if len(correct) else None,
        "macro_f1": float(f1_score(gold_a, pred_a, labels=labels, average="macro", zero_division=0)),
        "in_scope_accuracy": float(correct[in_scope].mean()) if oos.any() and in_scope.any() else None,
        "oos_recall": float((pred_a[oos] == OUT_OF_SCOPE).mean()) if oos.any() else None,
        "ece": expected_calibration_error(np.array(confidence), correct),
        "reliability": reliability_table(np.array(confidence), correct),
        "per_intent": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        "confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common(20)],
    }


def measure_latency(classifier: Classifier, texts: Sequence[str], n: int = 300) -> dict:
    """Single-utterance ``predict`` latency in milliseconds over up to ``n`` texts (after one warm-up)."""
    sample = list(texts[:n])
    if not sample:
        return {"p50": None, "p99": None}
    classifier.predict(sample[0])
    timings = []
    for text in sample:
        started = time.perf_counter()
        classifier.predict(text)
        timings.append((time.perf_counter() - started) * 1000)
    return {"p50": float(np.percentile(timings, 50)), "p99": float(np.percentile(timings, 99))}


def sentiment_report(gold: Sequence[str], predicted: Sequence[str]) -> dict:
    """Accuracy, macro-F1 and per-label precision/recall/F1 of sentiment labels."""
    labels = sorted(set(gold) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    return {
        "accuracy": float(np.mean(np.array(gold) == np.array(predicted))),
        "macro_f1": float(
            f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)
        ),
        "per_label": {
            label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(n)}
            for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)
        },
    }


def evaluate(classifier: Classifier, examples: Sequence[Example], latency_sample: int = 300) -> dict:
    """The evaluation report of ``classifier`` on ``examples``: a section per label the data carries."""
    examples = list(examples)
    predictions = classifier.predict_batch([ex.text for ex in examples])
    report: dict = {"n": len(examples), "intent": None}
    with_intent = [(ex, p) for ex, p in zip(examples, predictions, strict=True) if ex.intent is not None]
    has_intent = bool({"intent", "multi_intent"} & set(classifier.components))
    if with_intent and has_intent:
        report["intent"] = intent_report(
            [ex.intent for ex, _ in with_intent],
            [_predicted_label(p) for _, p in with_intent],
            [p.intent.confidence for _, p in with_intent],
        )
    if any(ex.intents for ex in examples) and has_intent:
        scored = [(ex, p) for ex, p in zip(examples, predictions, strict=True) if has_intent_set(ex)]
        report["intent"] = {
            **(report["intent"] or {}),
            **multi_label_report(
                [label_set(ex) for ex, _ in scored], [[s.name for s in p.intents] for _, p in scored]
            ),
        }
    with_sentiment = [
        (ex, p) for ex, p in zip(examples, predictions, strict=True) if ex.sentiment is not None
    ]
    if with_sentiment and "sentiment" in classifier.components:
        report["sentiment"] = sentiment_report(
            [ex.sentiment for ex, _ in with_sentiment], [p.sentiment["label"] for _, p in with_sentiment]
        )
    annotated = (
        {id(ex) for ex in entity_training_examples(examples)} if any(e.entities for e in examples) else ()
    )
    with_entities = [(ex, p) for ex, p in zip(examples, predictions, strict=True) if id(ex) in annotated]
    if with_entities:  # exact span and type; files that annotate nothing are not scored
        report["entities"] = entity_scores(
            [ex.entities for ex, _ in with_entities], [p.entities for _, p in with_entities]
        )
    with_cues = [ex for ex in examples if ex.cues is not None]
    if with_cues and "cues" in classifier.components:
        report["cues"] = evaluate_cues(classifier.components["cues"].detector_, with_cues)
    report["latency_ms"] = measure_latency(classifier, [ex.text for ex in examples], latency_sample)
    return report


def evaluate_dialogues(
    classifier: Classifier, dialogues: Sequence[Dialogue], progress: Callable[[str], None] | None = None
) -> dict:
    """Every labelled customer turn predicted from the raw preceding turns (their labels removed).

    Adds ``intent.accuracy_first_turn`` and ``intent.accuracy_follow_up`` (turns after an earlier
    customer turn) to the intent report, and the latency of ``predict`` with history.
    """
    say = progress or (lambda message: None)
    gold, predicted, confidence, follow_up, timings = [], [], [], [], []
    for number, dialogue in enumerate(dialogues, 1):
        raw = [replace(turn, intent=None) for turn in dialogue.turns]
        seen_customer = False
        for i, turn in enumerate(dialogue.turns):
            if turn.speaker == "customer" and turn.intent is not None:
                started = time.perf_counter()
                prediction = classifier.predict(
                    turn.text, raw[:i], reference_time=turn.timestamp, channel=turn.channel
                )
                timings.append((time.perf_counter() - started) * 1000)
                gold.append(turn.intent)
                predicted.append(_predicted_label(prediction))
                confidence.append(prediction.intent.confidence)
                follow_up.append(seen_customer)
            seen_customer = seen_customer or turn.speaker == "customer"
        if number % 200 == 0:
            say(f"dialogues: {number}/{len(dialogues)}")
    if not gold:
        raise DataError("the dialogues have no customer turns with an intent to evaluate.", code="E126")
    report = intent_report(gold, predicted, confidence)
    correct = np.array(gold) == np.array(predicted)
    later = np.array(follow_up)
    report["accuracy_first_turn"] = float(correct[~later].mean()) if (~later).any() else None
    report["accuracy_follow_up"] = float(correct[later].mean()) if later.any() else None
    report["n_follow_up"] = int(later.sum())
    return {
        "n": len(gold),
        "n_dialogues": len(dialogues),
        "intent": report,
        "latency_ms": {"p50": float(np.percentile(timings, 50)), "p99": float(np.percentile(timings, 99))},
    }


def cross_validate(
    examples: Sequence[Example],
    folds: int = 5,
    config: dict | None = None,
    progress: Callable[[str], None] | None = None,
    random_state: int = 0,
) -> dict:
    """K-fold cross-validation of the whole ``Classifier`` (per-fold and mean figures)."""
    say = progress or (lambda message: None)
    examples = [ex for ex in examples if ex.intent is not None]
    labels = np.array([ex.intent for ex in examples])
    if folds < 2:
        raise DataError(f"cross-validation needs at least 2 folds, got {folds}.", code=TOO_FEW_FOR_FOLDS)
    rare = sorted((n, label) for label, n in Counter(labels.tolist()).items() if n < folds)
    if rare:
        listed = ", ".join(f"{label} ({n})" for n, label in rare[:10])
        raise DataError(
            f"{len(rare)} intent(s) have fewer examples than --folds {folds}: {listed}. "
            "Use fewer folds or add examples.",
            code=TOO_FEW_FOR_FOLDS,
        )
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    per_fold = []
    gold_all, pred_all, conf_all = [], [], []
    for k, (train, test) in enumerate(splitter.split(np.zeros(len(labels)), labels), 1):
        say(f"fold {k}/{folds}: training on {len(train)} examples")
        model = Classifier.train([examples[i] for i in train], config)
        predictions = model.predict_batch([examples[i].text for i in test])
        gold = [examples[i].intent for i in test]
        predicted = [_predicted_label(p) for p in predictions]
        confidence = [p.intent.confidence for p in predictions]
        fold_report = intent_report(gold, predicted, confidence)
        per_fold.append(
            {k: fold_report[k] for k in ("accuracy", "macro_f1", "in_scope_accuracy", "oos_recall", "ece")}
        )
        say(f"fold {k}/{folds}: accuracy {fold_report['accuracy']:.4f}")
        gold_all += gold
        pred_all += predicted
        conf_all += confidence
    pooled = intent_report(gold_all, pred_all, conf_all)
    accuracies = [f["accuracy"] for f in per_fold]
    return {
        "n": len(examples),
        "folds": folds,
        "intent": pooled,
        "accuracy_mean": float(np.mean(accuracies)),
        "accuracy_std": float(np.std(accuracies)),
        "per_fold": per_fold,
    }
