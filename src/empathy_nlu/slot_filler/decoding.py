"""Decoding a linear-chain CRF: token marginals, the label path, and span confidences.

Why forward-backward first: an exact Viterbi over SNIPS's 72 BIO labels is a 72 x 72 max-plus
per token (~5 µs in numpy) and gives no confidence. Forward-backward in probability space is
one BLAS matrix-vector product and one multiply per token and direction, and gives every
token's label marginals. The path is then each token's most probable label when those form
a well-formed BIO sequence, which is the case for 696 of the 700 SNIPS validation utterances;
otherwise a Viterbi in plain Python over the labels whose marginal is at least
``prune_probability`` (one to three per token). On SNIPS validation the result equals the
exact full-lattice Viterbi on every utterance (the benchmark's ``exact_decoding_agreement``),
and a test checks tags and marginals against crfsuite's own tagger.

BIO is enforced in the pruned search: ``I-x`` only follows ``B-x`` or ``I-x``. A span's
confidence is its exact marginal probability under the model: the mass of all label
sequences in which exactly that span (type and extent) occurs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .tokens import OUTSIDE

_FLOOR = -50.0  # lowest log-potential used in forward-backward
# Steps between rescalings. A step shrinks no entry by more than e^(2 * _FLOOR) relative to the
# previous maximum, so 4 steps stay above e^-400 (float64 is normal down to e^-708) at any length.
_RESCALE_EVERY = 4
_LOG_HALF = math.log(0.5)


class CRFDecoder:
    """Decodes state scores ``(n_tokens, n_labels)`` with transition scores ``T[previous, next]``."""

    def __init__(
        self, labels: Sequence[str], transitions: np.ndarray, prune_probability: float = 1e-4
    ) -> None:
        self.labels = list(labels)
        self.prune_probability = prune_probability
        self.outside = self.labels.index(OUTSIDE)
        transitions = np.asarray(transitions, dtype=np.float64)
        self.transitions = transitions.tolist()
        shifted = transitions - (transitions.max() if transitions.size else 0.0)
        self.potentials = np.exp(np.maximum(shifted, _FLOOR))  # P[i, j]; a constant factor cancels
        self._ones = np.ones(len(self.labels))
        self._log_stay_outside = math.log(float(self.potentials[self.outside, self.outside]))
        self.potential_list = self.potentials.tolist()
        index = {label: i for i, label in enumerate(self.labels)}
        # For I-x: the labels allowed just before it (B-x, I-x); None for labels anything may precede.
        self.before: list[frozenset[int] | None] = []
        for label in self.labels:
            if label.startswith("I-"):
                allowed = {index[f"{p}-{label[2:]}"] for p in "BI" if f"{p}-{label[2:]}" in index}
                self.before.append(frozenset(allowed))
            else:
                self.before.append(None)
        # For B-x and I-x: the index of I-x (the label that would continue the span), else -1.
        self.continued_by = [
            index.get("I-" + label[2:], -1) if label != OUTSIDE else -1 for label in self.labels
        ]

    def forward(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[float]]:
        """Scaled forward vectors, state potentials and the scale applied at each step.

        Log-potentials are floored at ``_FLOOR`` (e^-50: a change no probability printed here can
        show), so no product ever reaches the subnormal range, where a multiply is ~50x slower.
        """
        states = np.exp(np.maximum(scores - scores.max(axis=1, keepdims=True), _FLOOR), dtype=np.float64)
        alpha = np.empty_like(states)
        scale = [1.0] * len(states)
        P, ones = self.potentials, self._ones
        alpha[0] = states[0]
        previous = alpha[0]
        for t, (current, state) in enumerate(zip(alpha[1:], states[1:], strict=True), start=1):
            np.dot(previous, P, out=current)
            current *= state
            if t % _RESCALE_EVERY == 0:
                total = float(np.dot(current, ones))  # a BLAS dot: cheaper than .sum() or .max()
                scale[t] = total
                current *= 1.0 / total
            previous = current
        return alpha, states, scale

    def backward(self, states: np.ndarray, scale: list[float]) -> np.ndarray:
        """Backward vectors divided by the forward pass's scales (Rabiner's scaling)."""
        n = len(states)
        beta = np.empty_like(states)
        tmp = np.empty_like(states[0])
        P = self.potentials
        beta[n - 1] = 1.0
        following = beta[n - 1]
        for t in range(n - 2, -1, -1):
            current = beta[t]
            np.multiply(states[t + 1], following, out=tmp)
            np.dot(P, tmp, out=current)
            if scale[t + 1] != 1.0:
                current *= 1.0 / scale[t + 1]
            following = current
        return beta

    def forward_backward(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
        """``alpha, beta, states, scale``: ``alpha[t] * beta[t]`` is proportional to token t's marginals."""
        alpha, states, scale = self.forward(scores)
        return alpha, self.backward(states, scale), states, scale

    def decode(self, scores: np.ndarray) -> tuple[list[int], list[tuple[int, int]], list[float]]:
        """The label path, its entity spans ``(first, stop)`` in tokens, and each span's marginal."""
        n, outside, before = len(scores), self.outside, self.before
        alpha, states, scale = self.forward(scores)
        total = float(alpha[-1].sum())
        # If P(every token is O) > 1/2, O is every token's most probable label: no entity, and the
        # backward pass (half the work) is not needed. Most messages of a support deployment.
        log_z = math.log(total) + sum(math.log(c) for c in scale if c != 1.0)
        log_all_outside = float(np.log(states[:, outside]).sum()) + (n - 1) * self._log_stay_outside
        if log_all_outside - log_z > _LOG_HALF:
            return [outside] * n, [], []
        beta = self.backward(states, scale)
        marginals = alpha * beta
        path = marginals.argmax(axis=1).tolist()
        if all(j == outside for j in path):
            return path, [], []
        previous = outside
        for j in path:
            if before[j] is not None and previous not in before[j]:
                path = self._pruned_viterbi(scores, marginals)
                break
            previous = j
        spans = self.spans(path)
        return path, spans, [self._span_marginal(alpha, beta, states, scale, total, path, s) for s in spans]

    def _pruned_viterbi(self, scores: np.ndarray, marginals: np.ndarray) -> list[int]:
        marginals /= marginals.sum(axis=1, keepdims=True)
        rows, cols = np.nonzero(marginals >= self.prune_probability)
        kept: list[list[int]] = [[] for _ in range(len(scores))]
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            kept[row].append(col)
        return self.viterbi(scores.tolist(), self._constrain(kept))

    def _constrain(self, kept: list[list[int]]) -> list[list[int]]:
        """Add ``O`` everywhere (a path always exists); drop ``I-x`` with no ``B-x``/``I-x`` before it."""
        before, outside = self.before, self.outside
        previous: set[int] = set()
        for labels in kept:
            if outside not in labels:
                labels.append(outside)
            labels[:] = [j for j in labels if before[j] is None or not before[j].isdisjoint(previous)]
            previous = set(labels)
        return kept

    def viterbi(self, scores: list[list[float]], kept: list[list[int]]) -> list[int]:
        """The best label sequence through the lattice ``kept`` (labels per token)."""
        T, before = self.transitions, self.before
        best = {j: scores[0][j] for j in kept[0]}
        pointers: list[dict[int, int]] = []
        for t in range(1, len(kept)):
            row, current, back = scores[t], {}, {}
            for j in kept[t]:
                top, arg = -math.inf, -1
                allowed = before[j]
                for i, value in best.items():
                    if allowed is None or i in allowed:
                        value += T[i][j]
                        if value > top:
                            top, arg = value, i
                current[j] = top + row[j]
                back[j] = arg
            best = current
            pointers.append(back)
        j = max(best, key=best.__getitem__)
        path = [j]
        for back in reversed(pointers):
            j = back[j]
            path.append(j)
        path.reverse()
        return path

    def spans(self, path: list[int]) -> list[tuple[int, int]]:
        """Token spans ``(first, stop)`` of a well-formed BIO path."""
        spans, first = [], -1
        labels, outside = self.labels, self.outside
        for t, j in enumerate(path):
            if first >= 0 and (j == outside or labels[j][0] == "B"):
                spans.append((first, t))
                first = -1
            if first < 0 and j != outside:
                first = t
        if first >= 0:
            spans.append((first, len(path)))
        return spans

    def _span_marginal(self, alpha, beta, states, scale, total: float, path, span) -> float:
        """P(the labels of ``path`` on ``span``, and the token after it not continuing the span)."""
        first, stop = span
        P = self.potential_list
        p = float(alpha[first, path[first]]) / total
        for t in range(first + 1, stop):
            p *= P[path[t - 1]][path[t]] * float(states[t, path[t]]) / scale[t]
        if stop < len(path):
            last = path[stop - 1]
            inside = self.continued_by[last]
            exits = np.multiply(states[stop], beta[stop]) * self.potentials[last]
            p *= (float(exits.sum()) - (float(exits[inside]) if inside >= 0 else 0.0)) / scale[stop]
        return min(1.0, max(0.0, p))
