"""Every parameter of the model, with its provenance and its plausible range.

The model's parameters live in dataclass trees (:class:`sim.config.ModelConfig` with
``councils.spread`` and ``params``, :class:`sim.config.CouncilPractice`,
:class:`sim.config.ListedCouncil` and every policy class in :data:`sim.policies.REGISTRY`).
Each field made with :func:`sim.parameters.param` carries a label, a unit, a source and a
*validation* range (what a configuration may hold). The *plausible* range (what the
evidence or a stated judgement allows, the range calibration and sensitivity analysis
explore) is kept in ``ranges.yaml`` beside this module, keyed by dotted path, each with its
reason.

Dotted paths:

* ``seed``, ``params.after_return.detect_open``, ``councils.spread.thoroughness_mean``:
  fields of :class:`~sim.config.ModelConfig` (these are what overrides address);
* ``council_practice.<field>``: :class:`~sim.config.CouncilPractice` (listed councils and
  profiles);
* ``councils.listed[].<field>``: :class:`~sim.config.ListedCouncil`;
* ``policy.<lever>.<kind>.<field>``: a policy class;
* ``sensitivity.<field>``: the sweep's sensitivity multipliers (``sim.sweep.sensitivity``).

A field is a parameter when its type is a number or a yes/no (``int``, ``float``, ``bool``,
optionally ``None``); text, list and mapping fields are structure (names, modes, lists of
councils), not parameters.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, get_type_hints

import yaml

RANGES_FILE = Path(__file__).with_name("ranges.yaml")

#: Kinds of entry in ranges.yaml. ``uncertain``: a quantity we do not know exactly, explored
#: by calibration and sensitivity analysis. ``setting``: a run, scenario or accounting
#: choice (seed, scale, price years, policy options) that is chosen, not estimated.
KINDS = ("uncertain", "setting")

_NUMERIC = (int, float, bool)


class RangeError(ValueError):
    """ranges.yaml or a requested parameter path is wrong."""


@dataclass(frozen=True)
class ParamInfo:
    """One parameter: where it is, its default, provenance and ranges."""

    path: str
    default: Any
    type: type
    label: str | None
    unit: str | None
    source: str | None
    valid_low: Any
    valid_high: Any

    @property
    def overridable(self) -> bool:
        """Can this path be set as a ModelConfig override (``a.b.c: value``)?"""
        return not self.path.startswith(("council_practice.", "councils.listed[]", "policy.",
                                         "sensitivity."))


@dataclass(frozen=True)
class PlausibleRange:
    path: str
    low: float
    high: float
    reason: str
    kind: str
    calibrate: bool
    sensitivity: bool


def _leaf_type(hint: Any) -> type | None:
    """The numeric type of a field's annotation, or None if it is not a number or yes/no."""
    if hint in _NUMERIC:
        return hint
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and rest[0] in _NUMERIC:
            return rest[0]
    return None


def _walk(cls: type, obj: Any, prefix: str) -> list[ParamInfo]:
    out: list[ParamInfo] = []
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        hint = hints[f.name]
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hint):
            out.extend(_walk(hint, getattr(obj, f.name), path + "."))
            continue
        typ = _leaf_type(hint)
        meta = dict(f.metadata)
        if typ is None and not meta:
            continue  # structure: names, modes, lists, mappings
        rng = meta.get("range") or (None, None)
        out.append(ParamInfo(
            path=path, default=getattr(obj, f.name), type=typ or type(None),
            label=meta.get("label"), unit=meta.get("unit"), source=meta.get("source"),
            valid_low=rng[0], valid_high=rng[1]))
    return out


def all_parameters() -> list[ParamInfo]:
    """Every parameter of the model, in a stable order (config, practice, policies)."""
    from sim.config import CouncilPractice, ListedCouncil, ModelConfig
    from sim.policies import REGISTRY

    out = _walk(ModelConfig, ModelConfig(), "")
    out += _walk(CouncilPractice, CouncilPractice(), "council_practice.")
    out += _walk(ListedCouncil, ListedCouncil(), "councils.listed[].")
    for lever in sorted(REGISTRY):
        for kind in sorted(REGISTRY[lever]):
            cls = REGISTRY[lever][kind]
            out += _walk(cls, cls(), f"policy.{lever}.{kind}.")
    try:
        from sim.sweep.sensitivity import Sensitivity
    except ModuleNotFoundError as e:  # the sweep package is optional only while it is built
        if e.name not in ("sim.sweep", "sim.sweep.sensitivity"):
            raise
    else:
        out += _walk(Sensitivity, Sensitivity(), "sensitivity.")
    return out


def parameters_by_path() -> dict[str, ParamInfo]:
    return {p.path: p for p in all_parameters()}


def _as_number(value: Any, path: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise RangeError(f"{RANGES_FILE.name}: {path}.{key}: expected a number, got {value!r}")
    return float(value)


def parse_ranges(data: Any, known: dict[str, ParamInfo] | None = None
                 ) -> dict[str, PlausibleRange]:
    """Check and convert the mapping read from ranges.yaml.

    Raises :class:`RangeError` naming the path and what is allowed when a path is not a
    parameter, a key is unknown, ``low > high``, the range leaves the validation range, or
    a reason is missing.
    """
    known = parameters_by_path() if known is None else known
    if not isinstance(data, dict) or not isinstance(data.get("ranges"), dict):
        raise RangeError(f"{RANGES_FILE.name}: expected a mapping with key 'ranges'")
    out: dict[str, PlausibleRange] = {}
    allowed_keys = {"low", "high", "reason", "kind", "calibrate", "sensitivity"}
    for path, entry in data["ranges"].items():
        if path not in known:
            close = [k for k in known if k.rsplit(".", 1)[-1] == str(path).rsplit(".", 1)[-1]]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise RangeError(f"{RANGES_FILE.name}: unknown parameter path {path!r}{hint}; "
                             "allowed: the paths printed by revolving-door-params")
        if not isinstance(entry, dict):
            raise RangeError(f"{RANGES_FILE.name}: {path}: expected a mapping with low, high, "
                             f"reason; got {entry!r}")
        extra = sorted(set(entry) - allowed_keys)
        if extra:
            raise RangeError(f"{RANGES_FILE.name}: {path}: unknown key {extra[0]!r}; allowed: "
                             f"{', '.join(sorted(allowed_keys))}")
        for key in ("low", "high", "reason"):
            if key not in entry:
                raise RangeError(f"{RANGES_FILE.name}: {path}: missing {key!r}")
        low = _as_number(entry["low"], path, "low")
        high = _as_number(entry["high"], path, "high")
        if low > high:
            raise RangeError(f"{RANGES_FILE.name}: {path}: low {low} is above high {high}")
        info = known[path]
        if info.valid_low is not None and (low < float(info.valid_low)
                                           or high > float(info.valid_high)):
            raise RangeError(f"{RANGES_FILE.name}: {path}: plausible range [{low}, {high}] "
                             f"leaves the validation range; allowed {info.valid_low} to "
                             f"{info.valid_high}")
        reason = entry["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise RangeError(f"{RANGES_FILE.name}: {path}: 'reason' must be a non-empty text")
        kind = entry.get("kind", "uncertain")
        if kind not in KINDS:
            raise RangeError(f"{RANGES_FILE.name}: {path}: unknown kind {kind!r}; allowed: "
                             f"{', '.join(KINDS)}")
        calibrate = bool(entry.get("calibrate", False))
        sensitivity = bool(entry.get("sensitivity", False))
        if (calibrate or sensitivity) and (kind != "uncertain" or not info.overridable
                                           or info.type is not float):
            raise RangeError(f"{RANGES_FILE.name}: {path}: only uncertain float parameters of "
                             "the model config can be calibrated or varied in the sensitivity "
                             "analysis")
        out[path] = PlausibleRange(path, low, high, reason.strip(), kind, calibrate, sensitivity)
    return out


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, PlausibleRange]:
    with open(path, encoding="utf-8") as fh:
        return parse_ranges(yaml.safe_load(fh))


def load_ranges(path: str | Path | None = None) -> dict[str, PlausibleRange]:
    """The plausible ranges, checked against the model's parameters."""
    return dict(_load(str(path or RANGES_FILE)))


def select(paths: list[str] | None, flag: str) -> list[PlausibleRange]:
    """The ranges of ``paths`` (or of every entry flagged ``flag`` when ``paths`` is None)."""
    ranges = load_ranges()
    if paths is None:
        chosen = [r for r in ranges.values() if getattr(r, flag)]
        if not chosen:
            raise RangeError(f"{RANGES_FILE.name}: no parameter is flagged {flag}: true")
        return chosen
    out = []
    for p in paths:
        if p not in ranges:
            allowed = ", ".join(r.path for r in ranges.values() if r.kind == "uncertain"
                                and r.path.startswith(("params.", "councils.spread.")))
            raise RangeError(f"unknown or unranged parameter path {p!r}; allowed: {allowed}")
        r = ranges[p]
        info = parameters_by_path()[p]
        if r.kind != "uncertain" or not info.overridable or info.type is not float:
            raise RangeError(f"parameter {p!r} is a {r.kind} ({info.type.__name__}); only "
                             "uncertain float parameters of the model config can be varied")
        out.append(r)
    return out


__all__ = ["KINDS", "ParamInfo", "PlausibleRange", "RANGES_FILE", "RangeError",
           "all_parameters", "load_ranges", "parameters_by_path", "parse_ranges", "select"]
