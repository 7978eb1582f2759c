import json
import shutil

import numpy as np
import pytest

import empathy_nlu.persistence as persistence
from empathy_nlu import Classifier, ModelError


@pytest.fixture()
def model_dir(saved_support_model, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(saved_support_model, copy)
    return copy


def test_manifest_records_what_a_model_is(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    for key in ("format_version", "library_version", "labels", "config", "training_data", "metrics", "files"):
        assert key in manifest
    assert len(manifest["training_data"]["sha256"]) == 64
    assert set(manifest["files"]) == {p.name for p in model_dir.iterdir()} - {"manifest.json"}
    assert all(name.endswith((".json", ".npy")) for name in manifest["files"])


def test_tampered_array_is_refused(model_dir):
    weights = model_dir / "intent.weights.npy"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum") as info:
        Classifier.load(model_dir)
    assert info.value.code == "E205"


def test_truncated_file_is_refused(model_dir):
    state = model_dir / "intent.json"
    state.write_bytes(state.read_bytes()[:100])
    with pytest.raises(ModelError, match="changed or truncated"):
        Classifier.load(model_dir)


def test_missing_file_and_missing_manifest(model_dir):
    (model_dir / "features.idf.npy").unlink()
    with pytest.raises(ModelError, match="missing"):
        Classifier.load(model_dir)
    (model_dir / "manifest.json").unlink()
    with pytest.raises(ModelError) as info:
        Classifier.load(model_dir)
    assert info.value.code == "E201"


def test_wrong_format_version(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["format_version"] = 99
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="format version 99") as info:
        Classifier.load(model_dir)
    assert info.value.code == "E203"


def test_garbage_manifest(model_dir):
    (model_dir / "manifest.json").write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        Classifier.load(model_dir)


def test_pickled_array_is_never_unpickled(model_dir):
    # An attacker swaps in an object array and fixes up the checksum: loading must refuse, not unpickle.
    weights = model_dir / "intent.weights.npy"
    np.save(weights, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    manifest["files"][weights.name] = persistence._sha256(weights)
    (model_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="cannot read component"):
        Classifier.load(model_dir)


def test_crash_mid_save_leaves_previous_model_intact(support_model, tmp_path, monkeypatch):
    target = tmp_path / "model"
    support_model.save(target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    calls = {"n": 0}
    real_save = np.save

    def failing_save(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(persistence.np, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        support_model.save(target)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no temporary directory left behind
    Classifier.load(target)


def test_save_refuses_to_replace_a_foreign_directory(support_model, tmp_path):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(ModelError, match="not an empathy-nlu model"):
        support_model.save(foreign)
    assert (foreign / "holiday.jpg").exists()


def test_write_text_atomic(tmp_path):
    target = persistence.write_text_atomic(tmp_path / "out" / "report.json", '{"ok": true}\n')
    assert json.loads(target.read_text()) == {"ok": True}
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]
