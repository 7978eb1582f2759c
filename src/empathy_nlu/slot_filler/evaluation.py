"""Entity scores: precision, recall and F1 of exact span + type matches (the CoNLL / SNIPS measure).

Why exact: a span one token short gives a downstream system a wrong value, so it counts as
both a false positive and a false negative, as in the usual slot-filling F1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..errors import DataError
from ..schema import EntitySpan


def _key(entity: EntitySpan | dict) -> tuple[str, int, int]:
    if isinstance(entity, EntitySpan):
        return entity.entity, entity.start, entity.end
    return str(entity["entity"]), int(entity["start"]), int(entity["end"])


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": n_gold,
        "predicted": n_pred,
    }


def entity_scores(gold: Sequence[Sequence[EntitySpan | dict]], predicted: Sequence[Sequence[dict]]) -> dict:
    """Micro P/R/F1 over all utterances plus ``per_entity`` scores; one list of entities per utterance.

    ``gold`` items are ``EntitySpan``s or dicts with ``entity``, ``start``, ``end`` (character
    offsets, end exclusive); ``predicted`` items are dicts as ``predict_one`` returns them.
    """
    if len(gold) != len(predicted):
        raise DataError(
            f"entity_scores got {len(gold)} gold and {len(predicted)} predicted utterances; "
            "pass one list of entities per utterance in both",
            code="E119",
        )
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for gold_entities, predicted_entities in zip(gold, predicted, strict=True):
        want = Counter(_key(e) for e in gold_entities)
        got = Counter(_key(e) for e in predicted_entities)
        for key, count in want.items():
            n_gold[key[0]] += count
        for key, count in got.items():
            n_pred[key[0]] += count
            tp[key[0]] += min(count, want.get(key, 0))
    scores = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    scores["per_entity"] = {
        entity: _prf(tp[entity], n_pred[entity], n_gold[entity]) for entity in sorted(n_gold | n_pred)
    }
    return scores
