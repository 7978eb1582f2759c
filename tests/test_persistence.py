import json
import os
import shutil
import time

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


def _finished_pid() -> int:
    """The pid of a process that has exited (as a killed save's would be)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


@pytest.mark.skipif(os.name != "posix", reason="process ids are checked on POSIX only")
def test_leftovers_of_killed_saves_are_removed_by_the_next_save(support_model, tmp_path):
    target = tmp_path / "model"
    support_model.save(target)
    dead = _finished_pid()
    stale = [
        tmp_path / f".model.tmp-{dead}-k1l2m3n4",  # killed while writing
        tmp_path / f".model.old-{dead}-0a1b2c3d",  # killed between the two renames
        tmp_path / ".model.tmp-q8r7s6t5",  # a name from before the pid was in it, two hours old
    ]
    for path in stale:
        path.mkdir()
        (path / "intent.weights.npy").write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(stale[2], (two_hours_ago, two_hours_ago))
    kept = [
        tmp_path / f".model.tmp-{os.getpid()}-running",  # a save still running (this process)
        tmp_path / ".model.tmp-recent",  # no pid, recent: it may be running
        tmp_path / f".other.tmp-{dead}-abcd",  # another model's
    ]
    for path in kept:
        path.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    link = tmp_path / f".model.tmp-{dead}-link"
    link.symlink_to(outside, target_is_directory=True)  # never followed, never removed

    support_model.save(target)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)
    assert link.is_symlink() and (outside / "keep.txt").read_text() == "mine"
    Classifier.load(target)


def test_a_save_names_its_temporary_directory_after_its_process(support_model, tmp_path, monkeypatch):
    seen = []
    real_replace = persistence._replace_dir
    monkeypatch.setattr(persistence, "_replace_dir", lambda s, t: (seen.append(s.name), real_replace(s, t)))
    support_model.save(tmp_path / "model")
    assert seen and seen[0].startswith(f".model.tmp-{os.getpid()}-")
