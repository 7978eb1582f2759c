"""``resolve_overlaps``: one non-overlapping entity list from the builtin parser and a trained tagger.

Why these rules (docs/entities.md): they are deterministic (the same input always gives the
same output, whatever order the lists come in) and they keep the privacy promise, since a
builtin ``card_number`` is masked and anything overlapping it would carry the raw digits.

1. A builtin ``card_number`` wins over everything it overlaps.
2. Otherwise the longer span (``end - start``) wins.
3. Equal spans: the trained entity wins (the deployment labelled it), unless the builtin one
   has the same ``entity`` name, whose normalized ``value`` is then more useful.
4. Still equal: higher confidence, then earlier start, then entity name.
The result is sorted by ``start`` (then ``end``).
"""

from __future__ import annotations

from ..errors import InputError

__all__ = ["resolve_overlaps"]


def _check(entities, name: str) -> list[dict]:
    if entities is None:
        return []
    if not isinstance(entities, list | tuple):
        raise InputError(f"{name} must be a list of entity dicts, got {type(entities).__name__}.", "E323")
    for n, ent in enumerate(entities):
        ok = isinstance(ent, dict) and isinstance(ent.get("start"), int) and isinstance(ent.get("end"), int)
        if not ok or ent["start"] > ent["end"] or not isinstance(ent.get("entity"), str):
            raise InputError(
                f"{name}[{n}] must be a dict with 'entity' (str) and int 'start' <= 'end', got {ent!r}.",
                "E323",
            )
    return list(entities)


def resolve_overlaps(builtin: list[dict], trained: list[dict]) -> list[dict]:
    """The entities of both lists that survive the rules above, sorted by start."""
    builtin, trained = _check(builtin, "builtin"), _check(trained, "trained")
    trained_names = {(e["start"], e["end"], e["entity"]) for e in trained}

    def key(item: tuple[int, dict]) -> tuple:
        source, ent = item
        is_card = source == 0 and ent["entity"] == "card_number"
        # equal spans: a builtin with a same-named trained twin (0), trained (1), other builtins (2)
        twin = source == 0 and (ent["start"], ent["end"], ent["entity"]) in trained_names
        rank = 0 if twin else 2 - source
        confidence = ent.get("confidence")
        confidence = confidence if isinstance(confidence, int | float) else 0.0
        return (not is_card, ent["start"] - ent["end"], rank, -confidence, ent["start"], ent["entity"])

    ordered = sorted([(0, e) for e in builtin] + [(1, e) for e in trained], key=key)
    taken: list[dict] = []
    for _, ent in ordered:
        if all(ent["end"] <= t["start"] or ent["start"] >= t["end"] for t in taken):
            taken.append(ent)
    return sorted(taken, key=lambda e: (e["start"], e["end"], e["entity"]))
