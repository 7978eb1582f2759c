"""``candidate_intents``: messages the model could not place, grouped into candidate new intents.

Each message becomes the model's own feature row (the ``features`` component: TF-IDF word 1-2-grams
and character 2-5-grams, the n-gram block only in the accurate tier), reduced with TruncatedSVD and
L2-normalised (Euclidean distance is then cosine distance), and clustered with scikit-learn's HDBSCAN.
Why HDBSCAN: it needs no number of clusters and leaves messages that belong to no group as noise;
on held-out CLINC150 intents it gave purer clusters than KMeans or agglomerative clustering at
the same coverage (``benchmarks/insights.py``, docs/insights.md).
"""

from __future__ import annotations

import re

SVD_COMPONENTS = 50
MIN_SAMPLES = 3  # chosen on the CLINC150 validation split (benchmarks/insights.py), not on test
EXAMPLES_IN_STUB = 10


def auto_min_cluster_size(n: int) -> int:
    """The smallest group worth naming: 1% of the unplaced messages, at least 5, at most 50."""
    return max(5, min(50, round(n * 0.01)))


def sparse_featurizer(model):
    """The n-gram featurizer of a model (the fast tier's, or the sparse block of the accurate tier's)."""
    featurizer = model.components["features"].featurizer_
    return getattr(featurizer, "sparse_", featurizer)


def feature_rows(featurizer, texts: list[str]):
    """The model's own TF-IDF rows of ``texts`` (a CSR matrix), preprocessed as ``predict`` does."""
    from ..preprocessing import preprocess

    return featurizer.transform([preprocess(text) for text in texts])


def embed(rows, components: int = SVD_COMPONENTS):
    """Rows reduced with TruncatedSVD (seeded) and L2-normalised, so distances are cosine-like."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    k = min(components, rows.shape[0] - 1, rows.shape[1] - 1)
    if k < 2:
        return normalize(rows.toarray())
    reduced = TruncatedSVD(n_components=k, random_state=0).fit_transform(rows)
    return normalize(np.asarray(reduced, dtype=np.float64))


def cluster(points, min_cluster_size: int, min_samples: int = MIN_SAMPLES):
    """HDBSCAN labels (-1: noise) of the points."""
    from sklearn.cluster import HDBSCAN

    return HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples, copy=True).fit_predict(points)


def candidate_intents(unplaced, options, model) -> dict:
    """``{"candidate_intents": [...], "candidate_method": {...}}`` from the unplaced messages."""
    ids, texts = list(unplaced["id"]), [str(t) for t in unplaced["text"]]
    method = {
        "unplaced_rule": f"out_of_scope, no intent, or confidence < {options.low_confidence}",
        "features": "the model's TF-IDF word 1-2-gram and char 2-5-gram rows",
        "reduction": f"TruncatedSVD({SVD_COMPONENTS}, random_state=0), L2-normalised",
        "clustering": "sklearn.cluster.HDBSCAN",
        "unplaced": len(ids),
        "clustered": 0,
        "min_cluster_size": None,
        "min_samples": MIN_SAMPLES,
    }
    keep = _spread(len(ids), options.max_unplaced)
    ids, texts = [ids[i] for i in keep], [texts[i] for i in keep]
    size = options.min_cluster_size or auto_min_cluster_size(len(ids))
    method |= {"clustered": len(ids), "min_cluster_size": size}
    if len(ids) < max(2 * size, 10):
        method["note"] = "too few unplaced messages to cluster"
        return {"candidate_intents": [], "candidate_method": method}
    featurizer = sparse_featurizer(model)
    rows = feature_rows(featurizer, texts)
    points = embed(rows)
    labels = cluster(points, size)
    words = _word_columns(featurizer)
    found = [
        _candidate(members, ids, texts, rows, points, words, options.examples_per_candidate)
        for members in _members(labels)
    ]
    found.sort(key=lambda c: (-c["size"], str(c["message_ids"][0])))
    for number, candidate in enumerate(found, 1):
        candidate["name"] = _name(number, candidate["top_terms"])
        candidate["yaml"] = yaml_stub(candidate, candidate["_stub_texts"])
        del candidate["_stub_texts"]
    return {"candidate_intents": found, "candidate_method": method}


def _spread(n: int, limit: int) -> list[int]:
    return list(range(n)) if n <= limit else [int(i * n / limit) for i in range(limit)]


def _members(labels) -> list[list[int]]:
    import numpy as np

    return [np.flatnonzero(labels == label).tolist() for label in sorted(set(labels.tolist()) - {-1})]


def _word_columns(featurizer) -> dict[int, str]:
    """Column -> word n-gram of the featurizer's vocabulary (``"w refund please"`` -> ``"refund please"``)."""
    return {column: gram[2:] for gram, column in featurizer.word_vocabulary_.items()}


def _candidate(members, ids, texts, rows, points, words, n_examples: int) -> dict:
    import numpy as np

    centre = points[members].mean(axis=0)
    nearest = [members[i] for i in np.argsort(-(points[members] @ centre), kind="stable")]
    distinct = list(dict.fromkeys(texts[i] for i in nearest))
    ordered_ids = sorted(ids[i] for i in members)
    return {
        "size": len(members),
        "top_terms": top_terms(rows, members, words),
        "examples": distinct[:n_examples],
        "message_ids": [_plain(i) for i in ordered_ids],
        "_stub_texts": distinct[:EXAMPLES_IN_STUB],
    }


def top_terms(rows, members: list[int], words: dict[int, str], k: int = 8) -> list[str]:
    """The word n-grams whose mean weight in the cluster most exceeds their mean over all messages."""
    import numpy as np

    inside = np.asarray(rows[members].mean(axis=0)).ravel()
    lift = inside - np.asarray(rows.mean(axis=0)).ravel()
    columns = [c for c in np.argsort(-lift, kind="stable") if c in words and inside[c] > 0]
    return [words[c] for c in columns[:k]]


def _plain(value):
    """numpy scalars as Python values (for JSON)."""
    return value.item() if hasattr(value, "item") else value


def _name(number: int, terms: list[str]) -> str:
    words = [w for term in terms for w in re.findall(r"[a-z0-9]+", term.lower())]
    slug = "_".join(dict.fromkeys(w for w in words if len(w) > 2))[:40].strip("_")
    return f"candidate_{number:02d}" + (f"_{slug}" if slug else "")


def _yaml_text(text: str) -> str:
    """A double-quoted YAML scalar of an example; brackets escaped so they are not annotations."""
    import json

    return json.dumps(text.replace("[", "\\[").replace("]", "\\]"), ensure_ascii=False)


def yaml_stub(candidate: dict, texts: list[str]) -> str:
    """A ready-to-edit file in the project's training format (docs/data_formats.md, empathy YAML)."""
    terms = ", ".join(candidate["top_terms"]) or "none"
    lines = [
        f"# Candidate intent from empathy-nlu insights: {candidate['size']} unplaced messages.",
        f"# Top terms: {terms}",
        "# Rename the intent, describe it, keep only the examples that belong, add more, and retrain.",
        "version: 1",
        "intents:",
        f"  - intent: {candidate['name']}",
        f"    description: {_yaml_text('TODO: what the customer wants (top terms: ' + terms + ')')}",
        "    examples:",
        *(f"      - {_yaml_text(text)}" for text in texts),
    ]
    return "\n".join(lines) + "\n"
