"""From pattern matches to cue scores and evidence: negation, overlaps, noisy-or, shouting.

Why noisy-or: each matched pattern is independent evidence that its cue is
present with probability ``weight``, so ``1 - prod(1 - w)`` rises with every
extra piece of evidence, never passes 1, and does not depend on order. A weak
word ("still", "today") stays below 0.5 alone and counts when it has company.
"""

from __future__ import annotations

import math

import numpy as np
from spacy.attrs import IS_ALPHA, IS_UPPER, LENGTH, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .patterns import CUES, CuePattern

Match = tuple[int, int, int]  # (pattern index, start token, end token)

CLAUSE_BREAKS = frozenset({".", "!", "?", ";", ":", ",", "but", "although", "though"})
# Shouting: at least SHOUT_MIN_WORDS all-caps words, making up SHOUT_RATIO of the words.
SHOUT_MIN_WORDS = 2
SHOUT_RATIO = 0.6
SHOUT_WEIGHT = {"frustration": 0.5}  # a signal of its own
SHOUT_BOOST = {"urgency": 0.3}  # raises the cue only when a pattern already found it
SHOUT_NAME = "shouting"
# Upper-case words that are names, not shouting.
ACRONYMS = frozenset({
    "atm", "pin", "iban", "bic", "swift", "uk", "us", "usa", "eu", "isa", "id", "apr", "aer", "sms", "ok",
    "vat", "ni", "utr", "cvv", "otp", "nfc", "sim", "bacs", "chaps", "sepa", "faq", "pdf", "gbp", "usd",
    "eur", "tv", "pc", "ceo", "hmrc", "irs", "dvla", "nhs",
})  # fmt: skip
_ACRONYM_IDS = frozenset(get_string_id(word) for word in ACRONYMS)


def _cancels(negator: CuePattern, neg_start: int, neg_end: int, start: int, end: int, doc: Doc) -> bool:
    """A negating match cancels matches it overlaps, or that start within its scope in the same clause."""
    if start < neg_end and neg_start < end:
        return True
    if not neg_end <= start < neg_end + negator.scope:
        return False
    return not any(token.lower_ in CLAUSE_BREAKS for token in doc[neg_end:start])


def apply_negation(matches: list[Match], patterns: list[CuePattern], doc: Doc) -> list[Match]:
    """The positive matches left once negating patterns ("not urgent", "no need to") have spoken.

    Linear in the matches: the negators are indexed by the tokens they cover and by their end, so
    each positive match looks only at its own tokens and the ``scope`` tokens before it.
    """
    negators = [m for m in matches if patterns[m[0]].negates]
    positives = [m for m in matches if not patterns[m[0]].negates]
    if not negators:
        return positives
    covering: dict[tuple[str, int], list[Match]] = {}
    ending: dict[tuple[str, int], list[Match]] = {}
    for n, ns, ne in negators:
        cue = patterns[n].cue
        for token in range(ns, ne):
            covering.setdefault((cue, token), []).append((n, ns, ne))
        ending.setdefault((cue, ne), []).append((n, ns, ne))
    widest = max(patterns[n].scope for n, _, _ in negators)

    def cancelled(i: int, s: int, e: int) -> bool:
        cue = patterns[i].cue
        if any((cue, token) in covering for token in range(s, e)):
            return True  # a negator overlaps the match
        for end in range(max(s - widest + 1, 0), s + 1):
            for n, ns, ne in ending.get((cue, end), ()):
                if _cancels(patterns[n], ns, ne, s, e, doc):
                    return True
        return False

    return [(i, s, e) for i, s, e in positives if not cancelled(i, s, e)]


def resolve_overlaps(matches: list[Match], patterns: list[CuePattern]) -> dict[str, list[Match]]:
    """Per cue, drop a match overlapping a heavier (then longer) match of another pattern.

    Why: "thank you so much" should count once, not as "thank you" plus "thank".
    Overlapping matches of the same pattern ("!!" twice in "!!!") are kept and merged later.
    Kept matches of two patterns never share a token, so each token has at most one owner
    pattern per cue, and a match only looks at its own tokens: linear in the matches.
    """
    kept: dict[str, list[Match]] = {}
    owner: dict[tuple[str, int], int] = {}
    order = sorted(matches, key=lambda m: (-patterns[m[0]].weight, m[1] - m[2], m[1]))
    for i, s, e in order:
        cue = patterns[i].cue
        chosen = kept.setdefault(cue, [])
        if all(owner.get((cue, token), i) == i for token in range(s, e)):
            chosen.append((i, s, e))
            for token in range(s, e):
                owner[(cue, token)] = i
    return kept


def shouting_runs(doc: Doc) -> list[tuple[int, int]]:
    """Token spans of all-caps runs when the message is mostly capitals, else []."""
    if len(doc) == 0:
        return []
    # Token attributes as one array: creating a Token object per word costs more than the matching.
    attrs = doc.to_array([IS_ALPHA, IS_UPPER, LENGTH, LOWER]).reshape(len(doc), 4)
    is_alpha = attrs[:, 0].astype(bool)
    words = is_alpha & (attrs[:, 2] > 1)
    upper = np.flatnonzero(words & attrs[:, 1].astype(bool)).tolist()
    caps = [i for i in upper if int(attrs[i, 3]) not in _ACRONYM_IDS]
    if len(caps) < SHOUT_MIN_WORDS or len(caps) < SHOUT_RATIO * int(words.sum()):
        return []
    runs: list[tuple[int, int]] = []
    for i in caps:
        start = i
        if runs and not is_alpha[runs[-1][1] : i].any():
            start = runs.pop()[0]  # only punctuation or spaces between: one run
        runs.append((start, i + 1))
    return runs


def _noisy_or(weights: list[float]) -> float:
    return 1.0 - math.prod(1.0 - w for w in weights)


def score(
    text: str, doc: Doc, matches: list[Match], shouting: list[tuple[int, int]], patterns: list[CuePattern]
) -> dict[str, dict]:
    """Scores and merged evidence for every cue (0.0 and [] for a cue nothing points to).

    Only the matches left by ``resolve_overlaps`` count towards the score; every positive
    match is shown as evidence, so "real person I can chat" is one span, not half of one.
    """
    positives = apply_negation(matches, patterns, doc)
    kept = resolve_overlaps(positives, patterns)
    result = {cue: {"score": 0.0, "evidence": []} for cue in CUES}
    for cue in kept.keys() | (SHOUT_WEIGHT.keys() if shouting else ()):
        found = kept.get(cue, ())
        shown = [(i, s, e) for i, s, e in positives if patterns[i].cue == cue]
        # Each pattern counts once however often it matches ("again ... again").
        weights = list({i: patterns[i].weight for i, _, _ in found if not patterns[i].boost}.values())
        spans = [(s, e, patterns[i].name) for i, s, e in shown if not patterns[i].boost]
        if shouting and cue in SHOUT_WEIGHT:
            weights.append(SHOUT_WEIGHT[cue])
            spans.extend((s, e, SHOUT_NAME) for s, e in shouting)
        if not weights:  # only boosts matched: the cue is absent
            continue
        if shouting and cue in SHOUT_BOOST:
            weights.append(SHOUT_BOOST[cue])
            spans.extend((s, e, SHOUT_NAME) for s, e in shouting)
        weights.extend({i: patterns[i].weight for i, _, _ in found if patterns[i].boost}.values())
        spans.extend((s, e, patterns[i].name) for i, s, e in shown if patterns[i].boost)
        result[cue] = {"score": round(_noisy_or(weights), 4), "evidence": _evidence(text, doc, spans)}
    return result


def _evidence(text: str, doc: Doc, spans: list[tuple[int, int, str]]) -> list[dict]:
    """Character spans of the raw text, overlapping ones merged, sorted by start."""
    merged: list[list] = []
    for s, e, name in sorted(spans):
        start, end = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if name not in last[2]:
                last[2].append(name)
        else:
            merged.append([start, end, [name]])
    return [
        {"text": text[start:end], "start": start, "end": end, "pattern": " + ".join(names)}
        for start, end, names in merged
    ]
