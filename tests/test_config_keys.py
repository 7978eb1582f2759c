"""Every config key does what it says: changing it changes the model or its answers.

For each key of the defaults there is a probe value here; a model trained with it must
save a different state or answer the probe conversations differently than the defaults.
A new key without a probe fails ``test_every_key_has_a_probe``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from conftest import DEFAULT_DATA, DIALOGUE_DATA, ROOT, SENTIMENT_DATA
from empathy_nlu import Classifier, ConfigError
from empathy_nlu.config import default_config, make_config
from empathy_nlu.dataset import load_many

PATTERNS = ROOT / "src" / "empathy_nlu" / "cues" / "patterns.jsonl"
REFERENCE = "2026-11-23T10:00:00+00:00"

# key -> a value that must change behaviour ("data" picks another training set where the main one cannot
# show the key: multi-intent data, data without out_of_scope examples).
PROBES = {
    "features.word_ngram_range": [1, 1],
    "features.char_ngram_range": [2, 4],
    "features.min_df": 2,
    "intent.C": 0.1,
    "intent.cv_folds": 2,
    "intent.max_in_scope_loss": 0.3,
    "intent.max_in_scope_loss_without_oos": ("no_oos", 0.3),
    "intent.ranking_size": 2,
    "intent.random_state": 3,
    "multi_intent.C": ("multi", 0.1),
    "multi_intent.cv_folds": ("multi", 2),
    "multi_intent.ranking_size": ("multi", 1),
    "multi_intent.random_state": ("multi", 3),
    "sentiment.C": 1.0,
    "sentiment.affect_weight": 0.0,
    "sentiment.use_lexicon": False,
    "sentiment.cv_folds": 2,
    "sentiment.random_state": 3,
    "cues.enabled": False,
    "cues.patterns": "first-frustration-lines-only",
    "entities.builtin": False,
    "entities.dimensions": ["email"],
    "entities.patterns": [{"entity": "order_id", "pattern": r"\b(ORD\d{6})\b"}],
    "slot_filler.c1": 2.0,
    "slot_filler.c2": 2.0,
    "slot_filler.max_iterations": 3,
    "slot_filler.prune_probability": 0.9,
    "predict.max_chars": 12,
    "predict.max_history_turns": 1,
    "context.enabled": False,
    "context.max_turns": 1,
    "context.max_age_days": 1.0,
    "context.contact_gap_minutes": 100000.0,
    "context.sentiment_window": 2,
    "context.handoff_risk": 0.0,
    "context.handoff_contacts": 2,
    "context.related_intents": [["card_not_arrived", "lost_or_stolen_card"]],
    "context.meta_intents": [],
    "context_intent.C": 0.05,
    "context_intent.cv_folds": 3,
    "context_intent.cross_fit_folds": 0,
    "context_intent.agent_weight": 0.0,
    "context_intent.previous_text_weight": 0.0,
    "context_intent.previous_intent_weight": 0.0,
    "context_intent.intent_depth": 0,
    # the probes carry an e-mail ("mail me at ana@example.org") and an order id ("ORD123456")
    "privacy.mask_contacts_in_text": True,
    "privacy.patterns": [{"name": "order_ref", "pattern": r"\bORD\d{6}\b"}],
}
# Keys of the accurate tier: they need the embedding extra to act (tests/test_embeddings.py trains with
# them); here each must at least be validated.
VALIDATED = {
    "features.kinds": (["sparse", "words"], "E440"),
    "features.embedding_model": (" ", "E441"),
    "features.embedding_weight": (0.0, "E442"),
    # acts only with kinds [sparse, static]; tests/test_static_embeddings.py trains with it
    "features.static_weight": (0.0, "E444"),
    # act only with kinds [sparse, embeddings] and a torch encoder; tests/test_finetune.py trains with them
    "features.fine_tune_epochs": (-1, "E445"),
    "features.fine_tune_learning_rate": (0.0, "E445"),
    "features.fine_tune_max_seconds": (0, "E445"),
    "features.fine_tune_holdout": (0.9, "E445"),
    "features.fine_tune_keep": ("sometimes", "E445"),
    # acts only with kinds [sparse, embeddings]; tests/test_embeddings.py trains with int8
    "features.embedding_precision": ("float16", "E446"),
}


def keys_of(config: dict) -> set[str]:
    return {f"{section}.{key}" for section, values in config.items() for key in values}


def test_every_key_has_a_probe_and_is_documented():
    keys = keys_of(default_config())
    assert keys == set(PROBES) | set(VALIDATED)
    documented = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    missing = [key for key in sorted(keys) if f"`{key}`" not in documented]
    assert not missing, f"docs/configuration.md does not document {missing}"


@pytest.mark.parametrize(("key", "probe"), sorted(VALIDATED.items()))
def test_accurate_tier_keys_are_validated(key, probe):
    section, name = key.split(".")
    value, code = probe
    with pytest.raises(ConfigError) as info:
        make_config({section: {name: value}})
    assert info.value.code == code


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    full = load_many([DEFAULT_DATA, SENTIMENT_DATA, DIALOGUE_DATA])
    main = replace(full, examples=full.examples[::3], dialogues=full.dialogues[:60])
    if not any(ex.intent == "card_not_arrived" for ex in main.examples):
        raise AssertionError("the probes need card_not_arrived examples")
    no_oos = replace(main, examples=[ex for ex in main.examples if ex.intent != "out_of_scope"], dialogues=())
    from test_multi_intent import toy_examples

    multi = load_many([DEFAULT_DATA])
    multi = replace(multi, examples=toy_examples(), dialogues=())
    patterns = tmp_path_factory.mktemp("cues") / "patterns.jsonl"
    lines = PATTERNS.read_text("utf-8").splitlines()
    patterns.write_text("\n".join(line for line in lines if '"frustration"' in line) + "\n", "utf-8")
    return {"main": main, "no_oos": no_oos, "multi": multi, "patterns": str(patterns)}


def probes(dataset) -> list[tuple]:
    """Conversations that exercise every layer: long text, entities, old and new turns, channels."""
    out = [
        ("my card never arrived and I am waiting since " + "ages and " * 20, [], None),
        ("I paid $40 on 2026-11-20 for order ORD123456, mail me at ana@example.org", [], "email"),
        ("THIS IS RIDICULOUS!!! cancel my account now, I want a human", [], "chat"),
        ("ok thanks", ["my card never arrived", {"speaker": "agent", "text": "Sorry, let me check."}], None),
    ]
    known = (ex.text for ex in dataset.examples if ex.intent == "card_not_arrived")  # known to the model
    said = next(known, "my card never arrived")
    old = {
        "text": said,
        "channel": "chat",
        "timestamp": "2026-11-10T10:00:00+00:00",
        "intent": "card_not_arrived",
    }
    new = {**old, "timestamp": "2026-11-22T18:00:00+00:00"}
    out.append((said, [old, new], "chat"))  # age, gap: three contacts
    out.append((said, [new], "chat"))  # the second contact about one need
    lost = {**new, "text": "I lost my card, someone stole it", "intent": "lost_or_stolen_card"}
    out.append((said, [lost], "chat"))  # another intent of a related need
    for dialogue in dataset.dialogues[:12]:
        turns = [{"text": t.text, "speaker": t.speaker, "channel": t.channel} for t in dialogue.turns]
        last = max(i for i, t in enumerate(turns) if t["speaker"] == "customer")
        out.append((turns[last]["text"], turns[:last], turns[last]["channel"]))
    return out


def behaviour(dataset, config: dict) -> str:
    """A digest of the trained model's saved state and its answers to the probes."""
    model = Classifier.train(dataset, config)
    digest = hashlib.sha256()
    for name, component in model.components.items():
        state, arrays = component.to_state()
        digest.update(json.dumps([name, state], sort_keys=True, default=str).encode())
        for array_name in sorted(arrays):
            digest.update(array_name.encode() + arrays[array_name].tobytes())
    for text, history, channel in probes(dataset):
        prediction = model.predict(text, history, reference_time=REFERENCE, channel=channel)
        digest.update(json.dumps(prediction.to_dict(), sort_keys=True, default=str).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def baselines(datasets):
    return {}


@pytest.mark.slow
@pytest.mark.parametrize(("key", "probe"), sorted(PROBES.items()))
def test_each_key_changes_behaviour(key, probe, datasets, baselines):
    data_name, value = probe if isinstance(probe, tuple) else ("main", probe)
    if value == "first-frustration-lines-only":
        value = datasets["patterns"]
    dataset = datasets[data_name]
    if data_name not in baselines:
        baselines[data_name] = behaviour(dataset, None)
    section, name = key.split(".")
    assert behaviour(dataset, {section: {name: value}}) != baselines[data_name], (
        f"{key}={value!r} changes nothing"
    )
