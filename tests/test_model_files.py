"""Model files verified to the last value: what a tampered copy of a model may not hold, even with every
checksum recomputed (docs/model_files.md lists each check with its code); outputs never carry NaN; and
training data over the size limit is refused before it is read."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import empathy_nlu.model_files as model_files
import empathy_nlu.persistence as persistence
from empathy_nlu import Classifier, DataError, IntentScore, ModelError, Prediction
from empathy_nlu.dataset import load_data, load_many

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "models" / "default"


@pytest.fixture()
def model_dir(tmp_path) -> Path:
    """A copy of the bundled model (every component, every array kind)."""
    copy = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, copy)
    return copy


def rehash(model: Path) -> None:
    """Recompute every checksum in the manifest, as someone editing the model on purpose would."""
    manifest = json.loads((model / "manifest.json").read_text("utf-8"))
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256((model / name).read_bytes()).hexdigest()
    (model / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")


def refused(model: Path, code: str) -> ModelError:
    with pytest.raises(ModelError) as info:
        Classifier.load(model)
    assert info.value.code == code, info.value
    return info.value


def test_an_untampered_copy_loads_and_predicts(model_dir):
    prediction = Classifier.load(model_dir).predict("my card was stolen")
    assert prediction.intent.name == "lost_or_stolen_card"


# -- arrays: dtype, values, shape, names ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["int64", "bool", "str", "complex128", "float16"])
def test_an_array_of_another_dtype_is_refused(model_dir, dtype):
    intercept = np.load(model_dir / "intent.intercept.npy")  # float32: each of these used to be cast
    np.save(model_dir / "intent.intercept.npy", intercept.astype(dtype))
    rehash(model_dir)
    error = refused(model_dir, "E235")
    assert "'intercept' of the 'intent' component" in error.message


def test_float16_weights_saved_as_float32_are_refused(model_dir):
    weights = np.load(model_dir / "intent.weights.npy")
    np.save(model_dir / "intent.weights.npy", weights.astype(np.float32))
    rehash(model_dir)
    refused(model_dir, "E235")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_or_infinity_in_weights_is_refused(model_dir, value):
    weights = np.load(model_dir / "intent.weights.npy")
    weights[123, 4] = value
    np.save(model_dir / "intent.weights.npy", weights)
    rehash(model_dir)
    refused(model_dir, "E237")


def test_1e308_in_weights_is_refused(model_dir):
    weights = np.load(model_dir / "intent.weights.npy").astype(np.float64)  # 1e308 needs float64
    weights[0, 0] = 1e308
    np.save(model_dir / "intent.weights.npy", weights)
    rehash(model_dir)
    refused(model_dir, "E235")


@pytest.mark.parametrize(
    ("file_name", "value"),
    [("intent.intercept.npy", 3e38), ("sentiment.intercept.npy", -1e7), ("features.idf.npy", 0.5)],
)
def test_a_finite_value_outside_its_range_is_refused(model_dir, file_name, value):
    array = np.load(model_dir / file_name)
    array[0] = value
    np.save(model_dir / file_name, array)
    rehash(model_dir)
    refused(model_dir, "E238")


def test_an_index_outside_its_list_is_refused(model_dir):
    rows = np.load(model_dir / "slot_filler.state_rows.npy")
    rows[0] = -1
    np.save(model_dir / "slot_filler.state_rows.npy", rows)
    rehash(model_dir)
    refused(model_dir, "E238")


def test_a_shape_that_does_not_fit_the_state_is_refused(model_dir):
    intercept = np.load(model_dir / "sentiment.intercept.npy")
    np.save(model_dir / "sentiment.intercept.npy", np.append(intercept, 0.0).astype(np.float32))
    rehash(model_dir)
    refused(model_dir, "E236")
    np.save(model_dir / "sentiment.intercept.npy", intercept[None, :])  # one dimension too many
    rehash(model_dir)
    refused(model_dir, "E236")


def test_a_missing_or_undeclared_array_is_refused(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    np.save(model_dir / "intent.extra.npy", np.zeros(3, np.float32))
    manifest["files"]["intent.extra.npy"] = ""
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    rehash(model_dir)
    refused(model_dir, "E239")
    del manifest["files"]["intent.extra.npy"], manifest["files"]["intent.intercept.npy"]
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    rehash(model_dir)
    refused(model_dir, "E239")


def test_every_component_declares_every_array_it_saves(model_dir):
    from empathy_nlu.pipeline.component import check_arrays
    from empathy_nlu.pipeline.registry import components

    _, states = persistence.load_model_dir(model_dir)
    for name, (state, arrays) in states.items():
        check_arrays(components()[name], state, arrays)
        assert set(components()[name].array_spec(state)) == set(arrays), name


# -- JSON: size, depth, numbers, settings ----------------------------------------------------------------
def test_a_manifest_nested_100000_levels_deep_is_refused_without_recursion_error(model_dir):
    text = (model_dir / "manifest.json").read_text()
    deep = "[" * 100_000 + "]" * 100_000
    (model_dir / "manifest.json").write_text(text.replace('"metrics": {', f'"metrics": {{"x": {deep}, ', 1))
    error = refused(model_dir, "E231")
    assert "nests 100002 levels deep" in error.message


def test_a_deep_state_is_refused(model_dir):
    state = model_dir / "features.json"
    state.write_text(
        state.read_text().replace('"config": {', '"x": ' + "[" * 50 + "]" * 50 + ', "config": {')
    )
    rehash(model_dir)
    refused(model_dir, "E231")


def test_brackets_inside_strings_do_not_count_as_depth():
    assert model_files.json_depth('{"a": "[[[[[[{{{{", "b": ["\\"]]]]"]}') == 2
    assert model_files.parse_json(json.dumps({"x": "[" * 1000}).encode(), "test") == {"x": "[" * 1000}


def test_a_manifest_over_the_size_limit_is_refused(model_dir):
    text = (model_dir / "manifest.json").read_text()
    padding = "x" * model_files.MAX_MANIFEST_BYTES
    (model_dir / "manifest.json").write_text(
        text.replace('"metrics": {', f'"metrics": {{"pad": "{padding}", ')
    )
    refused(model_dir, "E230")


def test_a_state_over_the_size_limit_is_refused(model_dir, monkeypatch):
    monkeypatch.setattr(model_files, "MAX_STATE_BYTES", 100_000)  # features.json is 425 kB
    refused(model_dir, "E230")


@pytest.mark.parametrize(
    ("file_name", "old", "new"),
    [
        ("manifest.json", '"C": 1.0', '"C": NaN'),
        ("manifest.json", '"max_turns": 20', '"max_turns": Infinity'),
        ("intent.json", '"threshold": ', '"threshold": -Infinity, "x": '),
        ("sentiment.json", '"lexicon": {', '"lexicon": {"zzz": 1e999, '),
        ("sentiment.json", '"lexicon": {', '"lexicon": {"zzz": 1e13, '),
        ("intent.json", '"labels": [', '"n": 99999999999999999999, "labels": ['),
    ],
)
def test_non_finite_or_huge_numbers_in_json_are_refused(model_dir, file_name, old, new):
    path = model_dir / file_name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    if file_name != "manifest.json":
        rehash(model_dir)
    refused(model_dir, "E232")


@pytest.mark.parametrize(
    "change",
    [
        lambda state: state["linear_model"].__setitem__("temperature", 0.0),
        lambda state: state["linear_model"].__setitem__("temperature", -1.0),
        lambda state: state.__setitem__("threshold", 5.0),
        lambda state: state["params"].__setitem__("ranking_size", 0),
    ],
)
def test_a_setting_out_of_range_is_refused(model_dir, change):
    state = json.loads((model_dir / "intent.json").read_text())
    change(state)
    (model_dir / "intent.json").write_text(json.dumps(state))
    rehash(model_dir)
    refused(model_dir, "E240")


# -- files: links, special files, names ------------------------------------------------------------------
@pytest.mark.parametrize("file_name", ["intent.weights.npy", "features.json", "manifest.json"])
def test_a_file_linked_to_a_copy_outside_the_directory_is_refused(model_dir, tmp_path, file_name):
    outside = tmp_path / f"outside-{file_name}"
    shutil.copyfile(model_dir / file_name, outside)  # the same bytes: its checksum matches
    (model_dir / file_name).unlink()
    (model_dir / file_name).symlink_to(outside)
    error = refused(model_dir, "E233")
    assert "symbolic link" in error.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_place_of_a_file_is_refused_without_blocking(model_dir):
    (model_dir / "entities.json").unlink()
    os.mkfifo(model_dir / "entities.json")
    refused(model_dir, "E233")


def test_a_directory_in_place_of_a_file_is_refused(model_dir):
    (model_dir / "entities.json").unlink()
    (model_dir / "entities.json").mkdir()
    refused(model_dir, "E233")


@pytest.mark.parametrize("name", ["../outside.npy", "sub/intent.weights.npy", "/etc/passwd", "intent.pkl"])
def test_a_listed_name_that_is_not_a_plain_model_file_name_is_refused(model_dir, name):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["files"][name] = "0" * 64
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    refused(model_dir, "E234")


def test_the_directory_itself_may_be_reached_through_a_link(model_dir, tmp_path):
    current = tmp_path / "current"
    current.symlink_to(model_dir, target_is_directory=True)  # models/current -> v3: switching models
    assert Classifier.load(current).predict("hello").intent is not None


def test_a_state_file_must_be_listed_with_its_checksum(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    del manifest["files"]["entities.json"]  # no longer verified: it must not be read at all
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    refused(model_dir, "E205")


# -- outputs never carry NaN -------------------------------------------------------------------------------
def test_nan_never_reaches_to_dict_or_to_json():
    nan = float("nan")
    prediction = Prediction(
        text="x",
        intent=IntentScore("a", nan),
        intent_ranking=[IntentScore("a", nan), IntentScore("b", float("inf"))],
        out_of_scope=False,
        sentiment={"label": "negative", "score": nan, "probabilities": {"negative": np.float32(nan)}},
        context={"sentiment_trend": {"scores": [0.5, -math.inf]}, "escalation_risk": nan},
    )
    data = prediction.to_dict()
    assert data["intent"]["confidence"] is None
    assert [s["confidence"] for s in data["intent_ranking"]] == [None, None]
    assert data["sentiment"]["score"] is None and data["sentiment"]["probabilities"]["negative"] is None
    assert data["context"] == {"sentiment_trend": {"scores": [0.5, None]}, "escalation_risk": None}
    text = prediction.to_json()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == data


def test_to_json_of_a_real_prediction_is_to_dict():
    prediction = Classifier.load(DEFAULT_MODEL).predict("I am furious, my card is blocked!!")
    assert json.loads(prediction.to_json()) == json.loads(json.dumps(prediction.to_dict()))
    assert prediction.to_dict()["context"] is prediction.context  # nothing to replace: nothing copied


# -- training data: the size limit --------------------------------------------------------------------------
@pytest.fixture()
def big_file(tmp_path) -> Path:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as handle:
        handle.truncate(200 * 10**6)  # sparse: 200 MB by its size, nothing on disk, never read
    return path


def test_training_data_over_the_limit_is_refused_before_reading(big_file):
    with pytest.raises(DataError) as info:
        load_data(big_file)
    assert info.value.code == "E127"
    assert "200.0 MB" in info.value.message and "EMPATHY_NLU_MAX_DATA_MB" in info.value.message
    with pytest.raises(DataError, match="E127"):
        Classifier.train([big_file])


def test_the_limit_counts_every_file_of_load_many(tmp_path):
    files = []
    for i in range(3):
        path = tmp_path / f"part{i}.jsonl"
        path.write_text('{"text": "hello there", "intent": "greeting"}\n' * 1000)
        files.append(path)
    size = files[0].stat().st_size
    with pytest.raises(DataError) as info:
        load_many(files, max_bytes=2 * size + 1)
    assert info.value.code == "E127" and "3 files" in info.value.message
    assert len(load_many(files, max_bytes=3 * size, validate=False).examples) == 3000


def test_the_limit_can_be_raised_or_lowered(tmp_path, monkeypatch):
    small = tmp_path / "small.jsonl"
    small.write_text('{"text": "hi", "intent": "greeting"}\n{"text": "hello", "intent": "greeting"}\n')
    monkeypatch.setenv("EMPATHY_NLU_MAX_DATA_MB", "0.00001")  # 10 bytes
    with pytest.raises(DataError, match="E127"):
        load_data(small)
    assert len(load_data(small, max_bytes=1000).examples) == 2  # the keyword wins
    monkeypatch.setenv("EMPATHY_NLU_MAX_DATA_MB", "0.001")  # 1,000 bytes
    assert len(load_data(small).examples) == 2


@pytest.mark.parametrize(("env", "code"), [("lots", "E402"), ("-5", "E403"), ("nan", "E403")])
def test_a_bad_limit_is_a_config_error(tmp_path, monkeypatch, env, code):
    from empathy_nlu import ConfigError

    monkeypatch.setenv("EMPATHY_NLU_MAX_DATA_MB", env)
    with pytest.raises(ConfigError) as info:
        load_data(tmp_path / "any.jsonl")
    assert info.value.code == code
