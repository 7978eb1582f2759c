"""Typed parameters: every component declares a dataclass of its settings, defaults and checks.

Why dataclasses: the defaults, the types and the range checks of a setting sit next
to the component that uses it, and a config file is read into them strictly (an
unknown or mistyped key is an error that names it, never a silent default).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

from ..errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Params:
    """Base of every component's parameters. Subclasses add fields and override ``check``."""

    def check(self) -> None:
        """Raise ``ConfigError`` (E403) when a value is out of range."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, values: dict | None, where: str = "") -> Params:
        """Read ``values`` over the defaults, strictly; ``where`` names the config section in errors."""
        values = {} if values is None else values
        if not isinstance(values, dict):
            raise ConfigError(f"config key {where.rstrip('.')!r} must be a mapping, got {values!r}.", "E402")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"unknown config key {where}{unknown[0]!r}; known keys here: {known}.", "E401")
        hints = typing.get_type_hints(cls)
        read = {name: _coerce(value, hints[name], f"{where}{name}") for name, value in values.items()}
        params = cls(**read)
        params.check()
        return params


def require(checks: list[tuple[str, bool]], code: str = "E403") -> None:
    """Raise for the first failed ``(name, ok)`` check."""
    for name, ok in checks:
        if not ok:
            raise ConfigError(f"config value {name} is out of range.", code)


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _coerce(value, hint, where: str):
    """``value`` checked against the type ``hint`` (bool is never an int; an int may be a float)."""
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"config key {where!r} must be a list, got {value!r}.", "E402")
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return tuple(_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _coerce(value, option, where)
            except ConfigError:
                continue
        raise ConfigError(f"config key {where!r} has the wrong type: {value!r}.", "E402")
    if hint is Any:
        return value
    if hint is type(None):
        if value is None:
            return None
        raise ConfigError(f"config key {where!r} must be null, got {value!r}.", "E402")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is dict and isinstance(value, dict):
        return value
    if not isinstance(value, hint) or (isinstance(value, bool) and hint is not bool):
        raise ConfigError(f"config key {where!r} must be {hint.__name__}, got {value!r}.", "E402")
    return value
