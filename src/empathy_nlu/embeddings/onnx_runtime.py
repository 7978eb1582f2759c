"""ONNX Runtime behind the accurate tier's encoder: the same transformer in about half the CPU time.

Why: on the benchmark machine one MiniLM encode takes 12-15 ms in torch (TorchScript, traced and
frozen) and about 7 ms in ONNX Runtime (p50, one thread, the calls interleaved); that is what
brings a single accurate-tier ``predict`` under its 10 ms budget (docs/accurate_tier.md#latency).

How: the loaded torch model (with any fine-tuned tensors already in it) is exported to an ONNX
graph in memory when the encoder loads (about 1.3 s), so a model directory gains no new kind of
file: what runs is exactly the weights the checksums verified, and an ONNX graph is data (no
code). The graph must reproduce the torch model's vector on three probes, else torch is kept.
Without ``onnxruntime`` installed, the encoder stays on torch.

``features.embedding_precision: int8`` quantizes the graph's weights to 8 bits (ONNX Runtime's
dynamic quantization): 1.2-2.3x faster per text in the benchmark, cosine about 0.97 to the
float32 vectors. Its activations are scaled by each run's own range, so int8 runs one text per
run, always: a text's vector never depends on its batch mates (docs/accurate_tier.md#int8-weights).
"""

from __future__ import annotations

import importlib.util
import io
import logging
import os
import warnings
from collections.abc import Callable, Sequence

import numpy as np

BATCH = 8  # texts per run, sorted by length: little padding (measured: 8 > 32 > 128 per second)
# Intra-op threads of the session, with spinning off: idle workers block instead of spin-waiting, so
# a busy machine is not slowed (torch's OpenMP spin-wait once turned 10 ms into 1.3 s). Two threads
# against one, airline tweets: one text 6.7 against 10.4 ms p50, batches 183 against 101 texts/s.
MAX_THREADS = 4
MIN_AGREEMENT = 0.9999  # cosine between a fast path's vector and the model's own, on every probe
# int8 against the float32 model: measured 0.91-0.99 on BANKING77 texts, 0.85 on "ok" after fine-tuning
# (short texts lose most); below this it is not the same encoder any more, and loading refuses (E219)
INT8_MIN_AGREEMENT = 0.75


def available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def mean_pooled(transformer):
    """transformer -> mean pooling over real tokens -> unit length, as one torch module."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, ids, mask):
            hidden = self.inner(input_ids=ids, attention_mask=mask).last_hidden_state
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            return torch.nn.functional.normalize(pooled, dim=1)

    # The wrapper itself in eval mode too: the exporter puts the module back in the mode it found it
    # in, and a new module's default (training) would switch the shared transformer's dropout on.
    return MeanPooled(transformer).eval()


class OnnxEncoder:
    """Token ids in, unit vectors out, through one ONNX Runtime session."""

    def __init__(self, session, tokenizer, max_length: int, one_per_run: bool = False) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.one_per_run = one_per_run  # int8: a run's activations are scaled by its own range

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self.tokenizer(
            list(texts), return_tensors="np", padding=True, truncation=True, max_length=self.max_length
        )
        feeds = {
            "ids": encoded["input_ids"].astype(np.int64),
            "mask": encoded["attention_mask"].astype(np.int64),
        }
        return self.session.run(None, feeds)[0].astype(np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self._run([text])[0]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Rows in the order given; computed in runs of ``BATCH`` texts of similar length (int8: one
        text per run, so a row never depends on the other texts)."""
        if self.one_per_run:
            return np.stack([self.encode_one(text) for text in texts])
        order = np.argsort([len(text) for text in texts], kind="stable")
        out = None
        for start in range(0, len(texts), BATCH):
            rows = order[start : start + BATCH]
            vectors = self._run([texts[i] for i in rows])
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out


def session_threads() -> int:
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


def quantized(graph: bytes) -> bytes:
    """The graph with 8-bit weights (``quantize_dynamic``, signed weights: the fastest on x86 with VNNI;
    the same bytes every time for the same graph)."""
    import tempfile
    from pathlib import Path

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    root.addFilter(_no_preprocessing_advice)
    try:
        with tempfile.TemporaryDirectory(prefix="empathy-int8-") as folder:
            out = Path(folder) / "int8.onnx"
            quantize_dynamic(onnx.load_from_string(graph), out, weight_type=QuantType.QInt8)
            return out.read_bytes()
    finally:
        root.removeFilter(_no_preprocessing_advice)


def _no_preprocessing_advice(record: logging.LogRecord) -> bool:
    """Drop the advice ``quantize_dynamic`` logs on the root logger (shape pre-processing, meant for
    image models) so that training output stays ours; every other record passes."""
    return not record.getMessage().startswith("Please consider to run pre-processing")


def export(model, probes: Sequence[str], reference: Callable[[str], np.ndarray], int8: bool = False):
    """An ``OnnxEncoder`` of the loaded ``SentenceTransformer`` ``model``, or None when onnxruntime is
    missing, the export fails, or the graph's vectors differ from ``reference`` on a probe (int8: by
    more than ``INT8_MIN_AGREEMENT``)."""
    if not available():
        return None
    import onnxruntime
    import torch

    tokenizer, max_length = model[0].tokenizer, int(model.max_seq_length or 512)
    sample = tokenizer([probes[0]], return_tensors="pt")
    graph = io.BytesIO()
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                mean_pooled(model[0].auto_model),
                (sample["input_ids"], sample["attention_mask"]),
                graph,
                input_names=["ids", "mask"],
                output_names=["vector"],
                dynamic_axes={"ids": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"}},
                opset_version=17,
                dynamo=False,
            )
        data = quantized(graph.getvalue()) if int8 else graph.getvalue()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = session_threads()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        encoder = OnnxEncoder(session, tokenizer, max_length, one_per_run=int8)
        agreement = INT8_MIN_AGREEMENT if int8 else MIN_AGREEMENT
        if all(float(encoder.encode_one(t) @ reference(t)) > agreement for t in probes):
            return encoder
    except Exception:  # an architecture the exporter cannot handle: torch is always right
        return None
    return None
