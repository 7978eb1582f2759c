"""Start-up stays light: what a fresh process imports for `import empathy_nlu`, a fast-tier
prediction and `empathy-nlu --version`. Each check runs in its own interpreter, because this
test process has long since imported everything; no timing is asserted (see
benchmarks/startup.py for the figures)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap

import pytest

ROOT_NAMES = ("torch", "sentence_transformers", "thinc", "spacy", "sklearn", "scipy", "numpy")
# Modules only training, evaluation or the accurate tier may import.
NOT_FOR_PREDICTION = (
    "torch",
    "sentence_transformers",
    "sklearn.model_selection",
    "sklearn.svm",
    "sklearn.linear_model",
    "scipy.optimize",
)
SAMPLE = "My card STILL hasn't arrived!!! I ordered it 2 weeks ago, see www.bank.com or mail a@b.co 😡"


def run_python(code: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it leaves a dict in ``out``, printed as JSON."""
    report = "\nimport json, sys\nout['modules'] = sorted(sys.modules)\nprint(json.dumps(out))\n"
    probe = textwrap.dedent(code) + report
    return json.loads(run_python(probe).stdout.splitlines()[-1])


def test_import_loads_no_heavy_library():
    out = loaded_after("out = {}\nimport empathy_nlu\nout['version'] = empathy_nlu.__version__\n")
    heavy = set(out["modules"]) & {*ROOT_NAMES, "sklearn.model_selection", "sklearn.svm"}
    assert out["version"]
    assert not heavy, sorted(heavy)
    assert not [name for name in out["modules"] if name.startswith("empathy_nlu.")]


def test_fast_tier_prediction_imports_neither_torch_nor_training_code():
    out = loaded_after(
        """
        out = {}
        from empathy_nlu import Classifier
        prediction = Classifier.load().predict("my card never arrived")
        out["intent"] = prediction.intent.name
        import thinc.compat
        out["thinc_has_torch"] = thinc.compat.has_torch
        """
    )
    modules = set(out["modules"])
    assert out["intent"]
    assert "spacy" in modules  # the tokenizer is spaCy's: the check below is about torch, not spaCy
    assert not modules & set(NOT_FOR_PREDICTION), sorted(modules & set(NOT_FOR_PREDICTION))
    assert out["thinc_has_torch"] is False


def test_version_imports_nothing_heavy():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "empathy_nlu", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("empathy-nlu ")
    # -X importtime writes one "import time: self | cumulative | module" line per import.
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "empathy_nlu.cli" in imported
    heavy = imported & {*ROOT_NAMES, "empathy_nlu.classifier", "yaml"}
    assert not heavy, sorted(heavy)


TOKENS_AND_STATE = """
    import sys, threading
    out = {}
    __BEFORE__
    from empathy_nlu.preprocessing import import_spacy, preprocess
    spacy = import_spacy()
    out["tokens"] = list(preprocess(__SAMPLE__).tokens)
    out["torch_loaded"] = "torch" in sys.modules
    out["meta_path"] = [type(finder).__name__ for finder in sys.meta_path]
    import thinc.compat
    out["thinc_has_torch"] = thinc.compat.has_torch
    # torch itself still imports afterwards (here in another thread) when something needs it.
    if __TORCH_INSTALLED__:
        found = []
        thread = threading.Thread(target=lambda: found.append(__import__("torch").__name__))
        thread.start(); thread.join()
        out["torch_in_thread"] = found
"""


def tokens_and_state(before: str = "") -> dict:
    torch_installed = importlib.util.find_spec("torch") is not None
    code = (
        textwrap.dedent(TOKENS_AND_STATE)
        .replace("__BEFORE__", before)
        .replace("__SAMPLE__", repr(SAMPLE))
        .replace("__TORCH_INSTALLED__", str(torch_installed))
    )
    return loaded_after(code)


def in_this_process() -> list[str]:
    """The tokens of SAMPLE in this test process, whichever way its spaCy was imported."""
    from empathy_nlu.preprocessing import preprocess

    return list(preprocess(SAMPLE).tokens)


def test_spacy_without_torch_leaves_nothing_behind():
    guarded = tokens_and_state()
    assert guarded["torch_loaded"] is False
    assert guarded["thinc_has_torch"] is False
    assert "_NoTorchInThisThread" not in guarded["meta_path"]
    assert guarded["tokens"] == in_this_process()
    assert "xxurl" in guarded["tokens"] and "😡" in guarded["tokens"]
    if importlib.util.find_spec("torch") is not None:  # the embeddings extra
        assert guarded["torch_in_thread"] == ["torch"]  # torch itself still imports, afterwards


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch (the embeddings extra)")
def test_spacy_after_torch_keeps_thincs_torch_and_tokenizes_the_same():
    with_torch = tokens_and_state("import torch")
    assert with_torch["thinc_has_torch"] is True
    assert with_torch["tokens"] == in_this_process()
