"""Fine-tuning the accurate tier's sentence encoder on the user's intents, on the CPU, in bounded time.

Why: a frozen MiniLM embeds "card not arrived" and "card not working" close together because they
share words; the linear models downstream cannot pull apart what the embedding has merged. A few
epochs of cross-entropy on the user's own intents (a linear head over the mean-pooled, normalized
output) move the encoder's geometry toward the intents, and the same linear models then read the
fine-tuned embedding beside the n-grams, as in the frozen tier (docs/accurate_tier.md).

What is trained and saved: every transformer weight except the word-embedding table (30k x 384,
half of the weights: frozen, it costs nothing per step and never needs saving). The trained tensors
are the only new file of the model (``features.encoder.safetensors``); loading reads the base
model's config, tokenizer and word embeddings from its offline package, then these tensors.

torch is imported only inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..errors import ModelError
from ..pipeline.component import ArraySpec

Say = Callable[[str], None]

SEED = 0  # one seed: with one torch thread the same data and settings give the same weights
FROZEN = ("embeddings.word_embeddings.weight",)  # never trained, read from the base package at load
GROUP = "encoder"  # the tensors' array names are "encoder.<tensor>", saved in one safetensors file
HEAD_SCALE = (
    20.0  # logits = W . (scale x unit embedding): a cosine classifier, as the linear models read unit rows
)
MAX_TOKENS = 64  # intents are short; longer texts are truncated for training only
REPORT_EVERY_SECONDS = 20.0


@dataclass(frozen=True)
class FineTuning:
    """How long and how fast to train: ``epochs`` over the examples, stopped at ``max_seconds``."""

    epochs: int = 3
    learning_rate: float = 1e-4
    max_seconds: float = 1500.0
    holdout: float = 0.2  # share of each intent's examples kept out, to calibrate on (see held_out)
    batch_size: int = 32
    threads: int = 0  # 0: torch's default (every core); the same thread count gives the same weights
    keep: str = "if_better"  # or "always": see keep_tuned.py


def held_out(examples, share: float) -> list[bool]:
    """Per example, whether it is kept out of fine-tuning: ``share`` of each intent (of each intent
    set), chosen by a seeded shuffle, never an intent's last example.

    Why: the linear models' temperature and out-of-scope threshold are chosen from cross-validated
    scores. On texts the encoder was tuned on those scores are over-confident (BANKING77: CV 0.975
    against test 0.943), so the threshold rejects too much; on held-out texts they are honest.
    """
    groups: dict[tuple, list[int]] = {}
    for i, example in enumerate(examples):
        key = tuple(sorted(example.intents)) if example.intents else (example.intent,)
        groups.setdefault(key, []).append(i)
    rng = np.random.default_rng(SEED)
    keep_out = [False] * len(examples)
    for key in sorted(groups, key=repr):
        members = groups[key]
        count = min(int(round(share * len(members))), len(members) - 1)
        for i in rng.permutation(members)[:count].tolist():
            keep_out[i] = True
    return keep_out


def labelled_texts(examples) -> tuple[list[str], list[list[str]]]:
    """Texts and their intent sets from training examples (one intent, several, or none: a negative)."""
    texts, labels = [], []
    for example in examples:
        texts.append(example.text)
        labels.append(
            list(example.intents) if example.intents else [example.intent] if example.intent else []
        )
    return texts, labels


def fine_tune_encoder(
    model: str, texts: Sequence[str], labels: Sequence[Sequence[str]], settings: FineTuning, say: Say | None
) -> tuple[dict[str, np.ndarray], dict]:
    """Fine-tune a fresh copy of the base encoder ``model`` (never the process-wide shared one) on
    every core (``threads`` 0), then give torch back the thread count it had (the encoder's one)."""
    import torch

    from .encoder import load_sentence_transformer

    previous = torch.get_num_threads()
    settings = replace(settings, threads=settings.threads or os.cpu_count() or 1)
    try:
        return fine_tune(load_sentence_transformer(model, settings.threads), texts, labels, settings, say)
    finally:
        torch.set_num_threads(previous)


def fine_tune(
    model,
    texts: Sequence[str],
    labels: Sequence[Sequence[str]],
    settings: FineTuning,
    say: Say | None = None,
) -> tuple[dict[str, np.ndarray], dict]:
    """Train ``model`` (a loaded ``SentenceTransformer``, changed in place) on ``texts`` and their label
    sets; returns (the trained tensors by name, metrics). Single-label data: softmax cross-entropy;
    any example with several labels: one sigmoid per label (binary cross-entropy)."""
    import torch

    say = say or (lambda _message: None)
    torch.manual_seed(SEED)
    if settings.threads > 0:
        torch.set_num_threads(settings.threads)
    transformer, tokenizer = model[0].auto_model, model[0].tokenizer
    names = sorted({label for row in labels for label in row})
    index = {name: i for i, name in enumerate(names)}
    multi_label = any(len(row) != 1 for row in labels)
    targets = torch.zeros((len(texts), len(names)))
    for i, row in enumerate(labels):
        targets[i, [index[label] for label in row]] = 1.0
    ids = tokenizer(list(texts), truncation=True, max_length=MAX_TOKENS)["input_ids"]
    lengths = torch.tensor([len(row) for row in ids])

    for name, parameter in transformer.named_parameters():
        parameter.requires_grad_(name not in FROZEN)
    head = torch.nn.Linear(int(model.get_embedding_dimension()), len(names))
    trained = [p for p in transformer.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [{"params": trained}, {"params": head.parameters(), "lr": settings.learning_rate * 10}],
        lr=settings.learning_rate,
        weight_decay=0.01,
    )
    per_epoch = math.ceil(len(texts) / settings.batch_size)
    total = per_epoch * settings.epochs
    warmup = max(1, total // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    order = torch.Generator().manual_seed(SEED)
    loss_of = torch.nn.BCEWithLogitsLoss() if multi_label else torch.nn.CrossEntropyLoss()
    started, reported, step, losses = time.perf_counter(), time.perf_counter(), 0, []
    say(f"features: fine-tuning the encoder on {len(texts)} examples, {len(names)} intents, {total} steps")
    transformer.train()
    for epoch in range(settings.epochs):
        for batch in _batches(lengths, settings.batch_size, order):
            input_ids, mask = _padded([ids[i] for i in batch.tolist()], tokenizer.pad_token_id or 0)
            hidden = transformer(input_ids=input_ids, attention_mask=mask).last_hidden_state
            logits = head(HEAD_SCALE * _mean_pooled(hidden, mask))
            gold = targets[batch] if multi_label else targets[batch].argmax(1)
            loss = loss_of(logits, gold)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, 1.0)
            optimizer.step()
            schedule.step()
            step, elapsed = step + 1, time.perf_counter() - started
            losses.append(loss.item())
            if time.perf_counter() - reported >= REPORT_EVERY_SECONDS or step == total:
                reported = time.perf_counter()
                left = elapsed / step * (total - step)
                say(
                    f"features: fine-tuning epoch {epoch + 1}/{settings.epochs}, step {step}/{total}, "
                    f"loss {np.mean(losses[-50:]):.3f}, {_clock(elapsed)} elapsed, about {_clock(left)} left"
                )
            if elapsed > settings.max_seconds:
                break
        if time.perf_counter() - started > settings.max_seconds:
            say(
                f"features: fine-tuning stopped at its budget of {settings.max_seconds:g} s, "
                f"step {step}/{total}"
            )
            break
    transformer.eval()
    tensors = {
        name: parameter.detach().numpy().astype(np.float32, copy=True)
        for name, parameter in transformer.named_parameters()
        if name not in FROZEN
    }
    metrics = {
        "fine_tune_steps": step,
        "fine_tune_planned_steps": total,
        "fine_tune_seconds": round(time.perf_counter() - started, 1),
        "fine_tune_final_loss": round(float(np.mean(losses[-50:])), 4) if losses else None,
    }
    return tensors, metrics


def _batches(lengths, size: int, generator) -> list:
    """Shuffled batches of similar lengths: a random order, sorted by length within windows of 50
    batches, then the batches shuffled (padding to the longest row wastes less: about 1.5x faster)."""
    import torch

    order = torch.randperm(len(lengths), generator=generator)
    window = size * 50
    batches = []
    for chunk in order.split(window):
        chunk = chunk[torch.argsort(lengths[chunk], stable=True)]
        batches.extend(chunk.split(size))
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def _padded(rows: list[list[int]], pad: int):
    """A batch of token ids padded to its longest row, and its attention mask."""
    import torch

    width = max(map(len, rows))
    input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        input_ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return input_ids, mask


def _mean_pooled(hidden, mask):
    """The unit-length mean of the real tokens' vectors: what the encoder gives the linear models."""
    import torch

    weights = mask[..., None].to(hidden.dtype)
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
    return torch.nn.functional.normalize(pooled, dim=1)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{rest:02d}"


def apply_tensors(transformer, tensors: dict[str, np.ndarray], model: str) -> None:
    """Put saved fine-tuned tensors into the base ``transformer``: exactly its trainable weights, each of
    its shape (else E217: the saved weights are of another base model)."""
    import torch

    expected = {name: tuple(p.shape) for name, p in transformer.named_parameters() if name not in FROZEN}
    got = {name: tuple(array.shape) for name, array in tensors.items()}
    if got != expected:
        differ = sorted(set(got) ^ set(expected)) or sorted(n for n in got if got[n] != expected[n])
        raise ModelError(
            f"the fine-tuned encoder weights do not fit the base model {model!r} installed here "
            f"(first difference: {differ[0]!r}); install the base model it was trained from, or retrain.",
            "E217",
        )
    with torch.no_grad():
        for name, parameter in transformer.named_parameters():
            if name in tensors:
                parameter.copy_(torch.from_numpy(np.ascontiguousarray(tensors[name], dtype=np.float32)))


def weights_digest(tensors: dict[str, np.ndarray]) -> str:
    """A short SHA-256 of the tensors (names, shapes, bytes): the encoder registry's key for them."""
    import hashlib

    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype=np.float32)
        digest.update(f"{name}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def tensor_arrays(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The tensors as a component's arrays: ``encoder.<name>`` (persistence saves that group as one
    safetensors file)."""
    return {f"{GROUP}.{name}": array for name, array in tensors.items()}


def tensors_of(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The inverse of ``tensor_arrays``: the fine-tuned tensors among a component's arrays."""
    prefix = f"{GROUP}."
    return {key[len(prefix) :]: array for key, array in arrays.items() if key.startswith(prefix)}


def tensor_specs(state: dict) -> dict:
    """The ``ArraySpec`` of every saved fine-tuned tensor (float32, the shape the state lists, finite
    weights); none for a frozen encoder. Which names and shapes fit the base model: ``apply_tensors``."""
    tuned = state.get("fine_tuned")
    if tuned is None:
        return {}
    return {
        f"{GROUP}.{name}": ArraySpec("float32", tuple(int(n) for n in shape))
        for name, shape in tuned["tensors"].items()
    }
