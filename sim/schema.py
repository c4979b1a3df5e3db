"""The configuration schema: building a typed dataclass from plain mappings, checked.

:func:`build` turns nested dictionaries (a YAML file, a Hydra config as a container, a
notebook's dict) into a dataclass, field by field, and stops with a :class:`ConfigError`
naming the field, the value and what is allowed when a key is unknown, a value has the
wrong type, or a value is outside the range its field declares (``param(..., low=,
high=)``, :mod:`sim.param_files`). It knows nothing of the model: the run configuration
(:mod:`sim.config`), the policies (:mod:`sim.policies`) and the sensitivity multipliers
(:mod:`sim.support_multipliers`) all build their dataclasses with it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import fields
from typing import Any, get_type_hints


class ConfigError(ValueError):
    """A configuration value is unknown, of the wrong type, or out of range."""


def _coerce(value: Any, typ: Any, path: str) -> Any:
    if typ is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{path}: expected true or false, got {value!r}")
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise ConfigError(f"{path}: expected a whole number, got {value!r}")
        return int(value)
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path}: expected a number, got {value!r}")
        return float(value)
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected text, got {value!r}")
        return value
    return value


def build(cls: type, data: Any, path: str) -> Any:
    """An instance of the dataclass ``cls`` from the mapping ``data``; ``path`` is where
    ``data`` sits in the whole configuration (``""`` at the top), for the error messages.

    Nested dataclasses are built in turn, and a list of dataclasses item by item; a ``dict``
    field takes any mapping as it is."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path or 'config'}: expected a mapping of keys to values, got "
                          f"{data!r}")
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.init}
    unknown = sorted(set(data) - set(known))
    if unknown:
        where = path or "config"
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; allowed keys: "
                          f"{', '.join(sorted(known))}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        f = known[name]
        typ = hints[name]
        sub = f"{path}.{name}" if path else name
        if dataclasses.is_dataclass(typ):
            kwargs[name] = build(typ, value, sub)
            continue
        origin, args = typing.get_origin(typ), typing.get_args(typ)
        if origin is list and args and dataclasses.is_dataclass(args[0]):
            if not isinstance(value, list):
                raise ConfigError(f"{sub}: expected a list, got {value!r}")
            kwargs[name] = [build(args[0], v, f"{sub}[{i}]") for i, v in enumerate(value)]
            continue
        if origin is dict:
            if not isinstance(value, dict):
                raise ConfigError(f"{sub}: expected a mapping, got {value!r}")
            kwargs[name] = dict(value)
            continue
        if isinstance(typ, types.UnionType) or origin is typing.Union:
            if value is None and type(None) in args:
                kwargs[name] = None
                continue
            typ = next(a for a in args if a is not type(None))
        if typing.get_origin(typ) is list:
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"{sub}: expected a list, got {value!r}")
            kwargs[name] = list(value)
            continue
        value = _coerce(value, typ, sub)
        rng = f.metadata.get("range")
        if rng is not None and not rng[0] <= value <= rng[1]:
            raise ConfigError(f"{sub}: value {value!r} is out of range; allowed "
                              f"{rng[0]} to {rng[1]} ({f.metadata.get('unit')})")
        kwargs[name] = value
    return cls(**kwargs)


__all__ = ["ConfigError", "build"]
