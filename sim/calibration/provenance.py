"""Every parameter of the model, with its provenance and its plausible range.

The model's parameters live in dataclass trees (:class:`sim.config.ModelConfig` with
``councils.spread`` and ``params``, :class:`sim.config.CouncilPractice`,
:class:`sim.config.ListedCouncil` and every policy class in :data:`sim.policies.REGISTRY`).
Each field made with :func:`sim.parameters.param` carries in its metadata a label, a unit, a
source, a *validation* range (what a configuration may hold) and a *plausible* range (what
the evidence or a stated judgement allows, the range calibration and sensitivity analysis
explore) with its reason, its kind and its calibration and sensitivity flags. The model's
own parameters (run settings, ``councils.n``, ``councils.spread``, ``params``) take all of
these from the data files ``sim/params/<group>.yaml`` (:mod:`sim.param_files`); the scenario
settings (a listed council's practice, policy options, the sweep's sensitivity multipliers)
carry them in their ``param()`` declaration beside the code that uses them.

Dotted paths:

* ``seed``, ``params.after_return.detect_open``, ``councils.spread.thoroughness_mean``:
  fields of :class:`~sim.config.ModelConfig` (these are what overrides address);
* ``council_practice.<field>``: :class:`~sim.config.CouncilPractice` (listed councils and
  profiles);
* ``councils.listed[].<field>``: :class:`~sim.config.ListedCouncil`;
* ``policy.<lever>.<kind>.<field>``: a policy class;
* ``sensitivity.<field>``: the sweep's sensitivity multipliers (``sim.support_multipliers``).

A field is a parameter when its type is a number or a yes/no (``int``, ``float``, ``bool``,
optionally ``None``); text, list and mapping fields are structure (names, modes, lists of
councils), not parameters.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, get_type_hints

from sim.config import CouncilPractice, ListedCouncil, ModelConfig
from sim.param_files import KINDS
from sim.policies import REGISTRY
from sim.support_multipliers import Sensitivity

#: Where the model's parameter files are (named in error messages).
PARAMS_FILES = "sim/params/*.yaml"

_NUMERIC = (int, float, bool)


class RangeError(ValueError):
    """A plausible range or a requested parameter path is wrong."""


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
    plausible: "PlausibleRange | None" = None

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
        plausible = None
        if meta.get("plausible") is not None:
            low, high = meta["plausible"]
            plausible = PlausibleRange(path, float(low), float(high), meta["reason"],
                                       meta["kind"], meta["calibrate"], meta["sensitivity"])
        out.append(ParamInfo(
            path=path, default=getattr(obj, f.name), type=typ or type(None),
            label=meta.get("label"), unit=meta.get("unit"), source=meta.get("source"),
            valid_low=rng[0], valid_high=rng[1], plausible=plausible))
    return out


def all_parameters() -> list[ParamInfo]:
    """Every parameter of the model, in a stable order (config, practice, policies)."""
    out = _walk(ModelConfig, ModelConfig(), "")
    out += _walk(CouncilPractice, CouncilPractice(), "council_practice.")
    out += _walk(ListedCouncil, ListedCouncil(), "councils.listed[].")
    for lever in sorted(REGISTRY):
        for kind in sorted(REGISTRY[lever]):
            cls = REGISTRY[lever][kind]
            out += _walk(cls, cls(), f"policy.{lever}.{kind}.")
    out += _walk(Sensitivity, Sensitivity(), "sensitivity.")
    return out


def parameters_by_path() -> dict[str, ParamInfo]:
    return {p.path: p for p in all_parameters()}


def check_flags(params: list[ParamInfo]) -> None:
    """Only parameters a run's config can override are calibrated or varied."""
    for p in params:
        r = p.plausible
        if r is not None and (r.calibrate or r.sensitivity) and not p.overridable:
            raise RangeError(f"{p.path}: only uncertain float parameters of the model config "
                             "can be calibrated or varied in the sensitivity analysis")


@lru_cache(maxsize=1)
def _ranges() -> dict[str, PlausibleRange]:
    params = all_parameters()
    check_flags(params)
    return {p.path: p.plausible for p in params if p.plausible is not None}


def load_ranges() -> dict[str, PlausibleRange]:
    """The plausible range of every parameter that has one, keyed by dotted path."""
    return dict(_ranges())


def select(paths: list[str] | None, flag: str) -> list[PlausibleRange]:
    """The ranges of ``paths`` (or of every entry flagged ``flag`` when ``paths`` is None)."""
    ranges = load_ranges()
    if paths is None:
        chosen = [r for r in ranges.values() if getattr(r, flag)]
        if not chosen:
            raise RangeError(f"{PARAMS_FILES}: no parameter is flagged {flag}: true")
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


__all__ = ["KINDS", "PARAMS_FILES", "ParamInfo", "PlausibleRange", "RangeError",
           "all_parameters", "check_flags", "load_ranges", "parameters_by_path", "select"]
