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
    "predict": {
        "max_chars": 5000,
        "max_history_turns": 50,
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


def _check_ranges(config: dict) -> None:
    intent, sentiment = config["intent"], config["sentiment"]
    for key in ("word_ngram_range", "char_ngram_range"):
        lo_hi = config["features"][key]
        if len(lo_hi) != 2 or not all(isinstance(v, int) for v in lo_hi) or not 1 <= lo_hi[0] <= lo_hi[1]:
            raise ConfigError(
                f"features.{key} must be [low, high] with 1 <= low <= high, got {lo_hi}.", "E403"
            )
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
        ("predict.max_history_turns", config["predict"]["max_history_turns"] >= 0),
    ]
    for name, ok in checks:
        if not ok:
            raise ConfigError(f"config value {name} is out of range.", "E403")


def make_config(overrides: dict | None = None) -> dict:
    """The defaults with ``overrides`` merged in, validated."""
    if overrides is not None and not isinstance(overrides, dict):
        raise ConfigError(f"config must be a mapping, got {type(overrides).__name__}.", "E402")
    config = _merge(DEFAULT_CONFIG, overrides or {}, "")
    _check_ranges(config)
    return config


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
