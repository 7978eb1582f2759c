"""The fast tier's static word-vector block: its rows, persistence, the table check at load, and that
it never brings in torch (embeddings/static.py, docs/fast_tier.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import DEFAULT_DATA, ROOT
from empathy_nlu import Classifier
from empathy_nlu.config import make_config
from empathy_nlu.embeddings import StaticFeaturizer, make_featurizer
from empathy_nlu.embeddings import static as static_module
from empathy_nlu.embeddings.build_static import make_table, reduce
from empathy_nlu.errors import ConfigError, ModelError
from empathy_nlu.preprocessing import preprocess

STATIC = {"features": {"kinds": ["sparse", "static"], "static_weight": 0.8}}
DOCS = [preprocess(t) for t in ("i lost my card", "refund please", "hello there", "card lost", "money back")]
TEXTS = ["I lost my card", "what's the weather like on mars", "my new card hasn't arrived yet", "zzzq", "?"]


@pytest.fixture(scope="module")
def static_model() -> Classifier:
    return Classifier.train(DEFAULT_DATA, STATIC)


def test_the_shipped_table_is_small_float16_and_matches_its_recorded_digest():
    table = static_module.load_table()
    meta = json.loads((static_module.STATIC_DIR / f"{table.name}.json").read_text("utf-8"))
    npy = static_module.STATIC_DIR / f"{table.name}.npy"
    assert npy.stat().st_size <= 8_000_000
    assert np.load(npy).dtype == np.float16
    assert meta["sha256"] == table.sha256 and meta["source_licence"] == "Apache-2.0"
    assert {"card", "refund", "n't", "xxmoney"} <= set(table.index)


def test_the_block_of_a_known_word_is_its_table_row_normalized_and_weighted():
    featurizer = StaticFeaturizer(static_weight=0.8).fit(DOCS)
    table = featurizer.table_
    row = table.vectors[table.index["refund"]]
    expected = 0.8 * row / np.linalg.norm(row)
    idx, vals = featurizer.transform_one(preprocess("refund"))
    offset = featurizer.sparse_.n_features_
    dense = dict(zip(idx.tolist(), vals.tolist(), strict=True))
    got = np.array([dense[offset + j] for j in range(table.dimension)], dtype=np.float32)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    assert featurizer.n_features_ == offset + table.dimension


def test_batch_rows_equal_single_rows_and_unknown_words_add_no_columns():
    featurizer = StaticFeaturizer().fit(DOCS)
    docs = [preprocess(t) for t in TEXTS]
    batch = featurizer.transform(docs).toarray()
    for i, doc in enumerate(docs):
        idx, vals = featurizer.transform_one(doc)
        row = np.zeros(featurizer.n_features_, dtype=np.float32)
        np.add.at(row, idx, vals)
        np.testing.assert_allclose(batch[i], row, rtol=1e-6, atol=1e-7)
    idx, _ = featurizer.transform_one(preprocess("zzzq"))
    assert idx.max(initial=-1) < featurizer.sparse_.n_features_  # no table word: no block


def test_config_selects_the_block_and_refuses_bad_values():
    assert isinstance(make_featurizer(make_config(STATIC)["features"]), StaticFeaturizer)
    for override, code in (
        ({"static_weight": 0.0}, "E444"),
        ({"static_weight": 1000.0}, "E444"),
        ({"kinds": ["sparse", "static", "embeddings"]}, "E440"),
        ({"kinds": ["static"]}, "E440"),
    ):
        with pytest.raises(ConfigError) as caught:
            make_config({"features": override})
        assert caught.value.code == code


def test_predict_equals_predict_batch_with_the_block(static_model):
    batch = [p.to_dict() for p in static_model.predict_batch(TEXTS)]
    assert batch == [static_model.predict(t).to_dict() for t in TEXTS]
    assert batch[0]["intent"]["name"] == "lost_or_stolen_card"


def test_save_load_round_trip_records_the_table(static_model, tmp_path):
    path = static_model.save(tmp_path / "static")
    state = json.loads((path / "features.json").read_text("utf-8"))
    table = static_module.load_table()
    assert state["kind"] == "static" and state["static_table"] == table.name
    assert state["static_sha256"] == table.sha256 and state["dimension"] == table.dimension
    loaded = Classifier.load(path)
    assert [p.to_dict() for p in loaded.predict_batch(TEXTS)] == [
        p.to_dict() for p in static_model.predict_batch(TEXTS)
    ]


def _copy_of_the_table(folder, change=None):
    name = static_module.DEFAULT_STATIC_TABLE
    folder.mkdir()
    shutil.copy(static_module.STATIC_DIR / f"{name}.json", folder / f"{name}.json")
    vectors = np.load(static_module.STATIC_DIR / f"{name}.npy")
    if change is not None:
        vectors = change(vectors.copy())
    np.save(folder / f"{name}.npy", vectors)


def test_another_or_a_missing_table_is_refused_at_load(static_model, tmp_path, monkeypatch):
    path = static_model.save(tmp_path / "static")

    def nudge(vectors):
        vectors[0, 0] += np.float16(0.01)
        return vectors

    _copy_of_the_table(tmp_path / "other", nudge)
    _copy_of_the_table(tmp_path / "same")  # the same bytes elsewhere load
    monkeypatch.setattr(static_module, "STATIC_DIR", tmp_path / "other")
    with pytest.raises(ModelError) as caught:
        Classifier.load(path)
    assert caught.value.code == "E215" and "retrain" in caught.value.message
    monkeypatch.setattr(static_module, "STATIC_DIR", tmp_path / "same")
    assert Classifier.load(path).predict(TEXTS[0]).intent.name == "lost_or_stolen_card"
    monkeypatch.setattr(static_module, "STATIC_DIR", tmp_path / "nowhere")
    with pytest.raises(ModelError) as caught:
        Classifier.load(path)
    assert caught.value.code == "E216"


def test_a_table_of_the_wrong_dtype_is_refused(tmp_path):
    _copy_of_the_table(tmp_path / "f32", lambda vectors: vectors.astype(np.float32))
    with pytest.raises(ModelError) as caught:
        static_module.load_table(folder=tmp_path / "f32")
    assert caught.value.code == "E216"


def test_the_build_steps_are_deterministic():
    rng = np.random.default_rng(0)
    encoded = rng.standard_normal((50, 12))
    frequency = rng.integers(1, 1000, 50).astype(float)
    first, second = make_table(encoded, frequency, 4, 1e-4), make_table(encoded.copy(), frequency, 4, 1e-4)
    assert first.dtype == np.float16 and first.shape == (50, 4)
    assert first.tobytes() == second.tobytes()
    flipped = reduce(-encoded, 4)  # a component's sign never depends on the data's sign
    np.testing.assert_allclose(np.abs(flipped), np.abs(reduce(encoded, 4)), atol=1e-9)


@pytest.mark.slow
def test_training_and_predicting_with_the_block_never_import_torch(tmp_path):
    script = f"""
import sys
from empathy_nlu import Classifier
model = Classifier.train({str(DEFAULT_DATA)!r}, {STATIC!r})
path = model.save({str(tmp_path / "m")!r})
print(Classifier.load(path).predict("I lost my card").intent.name)
print(sorted(m for m in ("torch", "sentence_transformers", "transformers", "tokenizers") if m in sys.modules))
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines() == ["lost_or_stolen_card", "[]"]
