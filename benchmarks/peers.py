"""The three systems under test, behind one small interface.

Each system has ``fit(texts, labels) -> seconds`` (wall time of its own training call),
``predict_one`` / ``predict_many`` (the exact calls that are timed), ``labels(output)``
(turns ``predict_many``'s output into label strings, untimed), ``save(folder) -> path``
and ``load(path) -> system`` (the exact call that is timed for load time).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import joblib

from measure import OUT_OF_SCOPE, log, timed

SEED = 0
SPACY_BATCH_SIZE = 32
SPACY_DROPOUT = 0.1


class EmpathySystem:
    """empathy-nlu fast tier, default settings."""

    name = "empathy"
    title = "empathy-nlu (fast tier)"

    def __init__(self, model=None, config: dict | None = None) -> None:
        self.model = model
        self.config = config  # e.g. {"cues": {"enabled": False}}: intent-only, as issue 3 defines it

    def fit(self, texts: list[str], labels: list[str]) -> float:
        from empathy_nlu import Classifier, Example

        examples = [Example(text=t, intent=y) for t, y in zip(texts, labels, strict=True)]
        self.model, seconds = timed(
            Classifier.train, examples, self.config, progress=lambda m: log(f"  empathy: {m}")
        )
        return seconds

    def predict_one(self, text: str):
        return self.model.predict(text)

    def predict_many(self, texts: list[str]):
        return self.model.predict_batch(texts)

    @staticmethod
    def labels(output) -> list[str]:
        return [OUT_OF_SCOPE if p.out_of_scope else p.intent.name for p in output]

    @staticmethod
    def argmax_labels(output) -> list[str]:
        """Top of the ranking with no out-of-scope threshold (a diagnostic, not the reported figure)."""
        return [p.intent_ranking[0].name if p.intent_ranking else OUT_OF_SCOPE for p in output]

    def save(self, folder: Path) -> Path:
        return self.model.save(folder / "empathy_model")

    @classmethod
    def load(cls, path: Path) -> EmpathySystem:
        from empathy_nlu import Classifier

        return cls(Classifier.load(path))


class SklearnSystem:
    """The plain scikit-learn peer: ``make_pipeline(TfidfVectorizer(), LinearSVC())``, defaults."""

    name = "sklearn"
    title = "scikit-learn TF-IDF + LinearSVC"

    def __init__(self, pipe=None) -> None:
        self.pipe = pipe

    def fit(self, texts: list[str], labels: list[str]) -> float:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        self.pipe = make_pipeline(TfidfVectorizer(), LinearSVC())
        _, seconds = timed(self.pipe.fit, texts, labels)
        return seconds

    def predict_one(self, text: str):
        return self.pipe.predict([text])

    def predict_many(self, texts: list[str]):
        return self.pipe.predict(texts)

    @staticmethod
    def labels(output) -> list[str]:
        return [str(label) for label in output]

    def save(self, folder: Path) -> Path:
        path = folder / "sklearn_pipeline.joblib"
        joblib.dump(self.pipe, path)
        return path

    @classmethod
    def load(cls, path: Path) -> SklearnSystem:
        return cls(joblib.load(path))


TEXTCAT_MODEL = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": True,
    "ngram_size": 1,
    "no_output_layer": False,
}


class SpacySystem:
    """spaCy ``textcat`` with the bag-of-words architecture, trained from scratch on a blank English nlp."""

    name = "spacy"
    title = "spaCy textcat BOW (from scratch)"

    def __init__(self, nlp=None, epochs: int = 10) -> None:
        self.nlp = nlp
        self.epochs = epochs
        self.epoch_log: list[dict] = []

    def fit(self, texts: list[str], labels: list[str]) -> float:
        _, seconds = timed(self._train, texts, labels)
        return seconds

    def _train(self, texts: list[str], labels: list[str]) -> None:
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        fix_random_seed(SEED)
        rng = random.Random(SEED)
        nlp = spacy.blank("en")
        textcat = nlp.add_pipe("textcat", config={"model": TEXTCAT_MODEL})
        classes = sorted(set(labels))
        for label in classes:
            textcat.add_label(label)
        examples = [
            Example.from_dict(nlp.make_doc(t), {"cats": {c: float(c == y) for c in classes}})
            for t, y in zip(texts, labels, strict=True)
        ]
        optimizer = nlp.initialize(lambda: examples)
        for epoch in range(1, self.epochs + 1):
            started = time.perf_counter()
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in minibatch(examples, size=SPACY_BATCH_SIZE):
                nlp.update(batch, sgd=optimizer, drop=SPACY_DROPOUT, losses=losses)
            entry = {
                "epoch": epoch,
                "loss": losses.get("textcat", 0.0),
                "seconds": time.perf_counter() - started,
            }
            self.epoch_log.append(entry)
            log(f"  spacy: epoch {epoch}/{self.epochs} loss {entry['loss']:.4f} ({entry['seconds']:.1f}s)")
        self.nlp = nlp

    def predict_one(self, text: str):
        return self.nlp(text)

    def predict_many(self, texts: list[str]):
        return list(self.nlp.pipe(texts, batch_size=256))

    @staticmethod
    def labels(output) -> list[str]:
        return [max(doc.cats, key=doc.cats.get) for doc in output]

    def save(self, folder: Path) -> Path:
        path = folder / "spacy_model"
        self.nlp.to_disk(path)
        return path

    @classmethod
    def load(cls, path: Path) -> SpacySystem:
        import spacy

        return cls(spacy.load(path))


SYSTEMS = {system.name: system for system in (EmpathySystem, SklearnSystem, SpacySystem)}
