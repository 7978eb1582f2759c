"""Token features of the CRF: one definition used to train and, through row indices, to predict.

Per token: the lower-cased word, its shape (``Xxxx``, ``dd:dd``), 2-3 letter prefixes and
2-4 letter suffixes, title case and digits, the words two to the left and right, the two
word bigrams around it, and the lookup/regex matches it lies in (``resources.py``).

Why the split into word and context parts: everything but the bigrams and the resource
matches depends on one word, so at prediction time each distinct word is turned into
weight-matrix rows once and cached (``FeatureIndex``); an utterance then costs one dict
look-up per token plus two for its bigrams.
"""

from __future__ import annotations

from collections.abc import Sequence

BIAS = "b"
BOS, EOS = "<s>", "</s>"
OFFSETS = (-2, -1, 1, 2)
_CACHE_LIMIT = 20_000  # distinct words kept; a flood of unseen words only clears the cache


def shape(word: str) -> str:
    """``Paris`` -> ``Xxx``, ``8:30`` -> ``d:dd``: character classes, runs cut at two."""
    out: list[str] = []
    for char in word:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if len(out) < 2 or out[-1] != kind or out[-2] != kind:
            out.append(kind)
    return "".join(out)


def word_features(word: str) -> list[str]:
    """Features of a token that depend on its own surface form only."""
    low = word.lower()
    features = [
        "w=" + low,
        "sh=" + shape(word),
        "p2=" + low[:2],
        "p3=" + low[:3],
        "s2=" + low[-2:],
        "s3=" + low[-3:],
        "s4=" + low[-4:],
    ]
    if word.istitle():
        features.append("title")
    if word.isdigit():
        features.append("digit")
    return features


def context_feature(offset: int, low: str) -> str:
    """The word ``low`` seen ``offset`` tokens away from the token being tagged."""
    return f"w{offset:+d}={low}"


def sequence_features(words: Sequence[str], extra: list[list[str]] | None = None) -> list[list[str]]:
    """All feature strings of every token (training); ``extra``: resource features per token."""
    lows = [BOS] + [w.lower() for w in words] + [EOS]
    n = len(words)
    out = []
    for i, word in enumerate(words):
        features = [BIAS, *word_features(word)]
        for k in OFFSETS:
            j = i + k
            features.append(context_feature(k, BOS if j < 0 else EOS if j >= n else lows[j + 1]))
        features.append(f"b-1={lows[i]}|{lows[i + 1]}")
        features.append(f"b+1={lows[i + 1]}|{lows[i + 2]}")
        if extra is not None:
            features.extend(extra[i])
        out.append(features)
    return out


class FeatureIndex:
    """Feature strings -> rows of the weight matrix, with a per-word cache for prediction.

    A feature the model gave no weight has no row and is skipped. The cache is a plain
    dict: under the GIL concurrent readers and writers only ever see complete entries.
    """

    def __init__(self, attributes: Sequence[str]) -> None:
        self.rows = {attribute: i for i, attribute in enumerate(attributes)}
        self._cache: dict[str, tuple[str, list[int], tuple[int, ...]]] = {}
        self.bias_row = self.rows.get(BIAS)
        get = self.rows.get
        self._bos = [get(context_feature(k, BOS), -1) for k in OFFSETS]
        self._eos = [get(context_feature(k, EOS), -1) for k in OFFSETS]

    def _word(self, word: str) -> tuple[str, list[int], tuple[int, ...]]:
        get = self.rows.get
        low = word.lower()
        own = [row for row in map(get, word_features(word)) if row is not None]
        seen_from = tuple(get(context_feature(k, low), -1) for k in OFFSETS)
        entry = (low, own, seen_from)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = entry
        return entry

    def token_rows(self, words: Sequence[str], extra: list[list[str]] | None = None) -> tuple[list, list]:
        """Flat row indices of every token's features and where each token's rows start.

        Equivalent to mapping ``sequence_features(words, extra)`` through ``rows`` (minus the
        bias row, which the caller adds once), only faster.
        """
        cache, get = self._cache, self.rows.get
        entries = [cache.get(w) or self._word(w) for w in words]
        n = len(entries)
        bos, eos = self._bos, self._eos
        flat: list[int] = []
        starts: list[int] = []
        previous = BOS
        for i, (low, own, _) in enumerate(entries):
            starts.append(len(flat))
            flat.extend(own)
            flat.append(entries[i - 2][2][0] if i >= 2 else bos[0])
            flat.append(entries[i - 1][2][1] if i >= 1 else bos[1])
            flat.append(entries[i + 1][2][2] if i + 1 < n else eos[2])
            flat.append(entries[i + 2][2][3] if i + 2 < n else eos[3])
            following = entries[i + 1][0] if i + 1 < n else EOS
            flat.append(get(f"b-1={previous}|{low}", -1))
            flat.append(get(f"b+1={low}|{following}", -1))
            if extra is not None:
                flat.extend(get(feature, -1) for feature in extra[i])
            previous = low
        return flat, starts
