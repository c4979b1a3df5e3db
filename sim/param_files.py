"""Parameter files: every model parameter's value and provenance, kept as data.

Each file ``sim/params/<group>.yaml`` holds one group of parameters (one dataclass): for
every parameter its value, label, unit, source (a row of ``docs/evidence.md``, cited as
``docs/evidence.md#<anchor>``, a citation, or a stated judgement with its reason), the
*validation* range (what a configuration may hold), the *plausible* range (what the evidence
or a stated judgement allows: the range calibration and sensitivity analysis explore) with
its reason, its kind, and whether calibration and the sensitivity analysis use it.

The Python side declares only each group's field names and types::

    @dataclass
    @from_file("entry")
    class EntryParams:
        children_per_year: float

:func:`from_file` reads the file, checks it (every declared field present, nothing else, the
right type, the value and the plausible range inside the validation range) and gives each
field its default and metadata through :func:`param`, so the dataclass is the same as one
written with literals. Fields may be numbers, yes/no, or either of those or None (``null``).
A wrong file stops the import with a one-line :class:`ParamFileError` naming the file, the
parameter and what is allowed.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import field
from pathlib import Path
from typing import Any, Callable, TypeVar, get_type_hints

import yaml

#: PyYAML's safe loader, in C where PyYAML was built with libyaml (its wheels are): the
#: same documents, parsed about 8 times faster (16 files at every start-up; issue 25).
#: tests/test_param_files_loader.py checks the two give the same values for every file.
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The folder of the parameter files (package data of ``sim``).
PARAMS_DIR = Path(__file__).with_name("params")

#: Kinds of parameter. ``uncertain``: a quantity we do not know exactly, explored by
#: calibration and sensitivity analysis. ``setting``: a run, scenario or accounting choice
#: (seed, scale, price years, policy options) that is chosen, not estimated.
KINDS = ("uncertain", "setting")

REQUIRED = ("value", "label", "unit", "source", "valid", "plausible", "reason")
OPTIONAL = ("kind", "calibrate", "sensitivity", "distribution")
#: Shapes of an uncertain parameter's ``distribution`` (what the uncertainty experiment
#: draws it from; ordinary runs use ``value``, the median): ``lognormal`` (median ``value``,
#: ``sd_log`` on the log scale, cut to the validation range) or ``uniform`` (over the
#: plausible range). ``group``: parameters of one group are drawn together (one normal
#: number mapped through each one's distribution).
DISTRIBUTION_SHAPES = ("lognormal", "uniform")

T = TypeVar("T", bound=type)


class ParamFileError(ValueError):
    """A parameter file is missing, malformed, or disagrees with its dataclass."""


def param(
    default: float | int | bool | None,
    *,
    label: str,
    unit: str,
    source: str,
    low: float,
    high: float,
    plausible: tuple[float, float] | None = None,
    reason: str | None = None,
    kind: str = "uncertain",
    calibrate: bool = False,
    sensitivity: bool = False,
    distribution: dict[str, Any] | None = None,
) -> Any:
    """A dataclass field for one model parameter, carrying its provenance.

    The metadata keys: ``label``, ``unit``, ``source``, ``range`` (the validation range,
    ``(low, high)``), ``plausible`` (``(low, high)`` or None), ``reason`` (for the plausible
    range), ``kind`` (one of :data:`KINDS`), ``calibrate`` and ``sensitivity``. Raises
    ValueError when the default or the plausible range leaves the validation range, the
    plausible range has no reason, the kind is unknown, or a flag is set on a parameter that
    is not an uncertain number with a fraction (only those are calibrated or varied)."""
    if default is not None and not low <= default <= high:
        raise ValueError(f"value {default} is outside the validation range; allowed {low} "
                         f"to {high}")
    if plausible is not None:
        p_low, p_high = plausible
        if p_low > p_high:
            raise ValueError(f"plausible: low {p_low} is above high {p_high}")
        if p_low < float(low) or p_high > float(high):
            raise ValueError(f"plausible range [{p_low}, {p_high}] leaves the validation "
                             f"range; allowed {low} to {high}")
        if not (reason or "").strip():
            raise ValueError("a plausible range needs a reason")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    if (calibrate or sensitivity) and (kind != "uncertain" or not isinstance(default, float)):
        raise ValueError("only uncertain float parameters can be calibrated or varied in the "
                         "sensitivity analysis")
    return field(
        default=default,
        metadata={"label": label, "unit": unit, "source": source, "range": (low, high),
                  "plausible": plausible, "reason": reason, "kind": kind,
                  "calibrate": calibrate, "sensitivity": sensitivity,
                  "distribution": distribution},
    )


def _scalar(value: Any, typ: type, where: str) -> int | float | bool:
    """``value`` as a ``typ`` (bool, int or float; a whole number may stand for a float)."""
    if typ is bool:
        if not isinstance(value, bool):
            raise ParamFileError(f"{where}: expected true or false, got {value!r}")
        return value
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParamFileError(f"{where}: expected a whole number, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ParamFileError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _pair(value: Any, typ: type, where: str) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise ParamFileError(f"{where}: expected [low, high], got {value!r}")
    low, high = (_scalar(v, typ, where) for v in value)
    return low, high


def field_type(hint: Any, where: str) -> tuple[type, bool]:
    """The scalar type of a field's annotation and whether it may be None (null)."""
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(rest) < len(typing.get_args(hint))
        hint = rest[0] if len(rest) == 1 else hint
    if hint in (bool, int, float):
        return typing.cast(type, hint), optional
    raise ParamFileError(f"{where}: a parameter from a file must be bool, int or float "
                         f"(optionally None), not {hint!r}")


def parse_entry(entry: Any, hint: Any, where: str) -> Any:
    """Check one parameter's mapping against the field's annotation ``hint``; return its
    dataclass field (made by :func:`param`)."""
    typ, optional = field_type(hint, where)
    if not isinstance(entry, dict):
        raise ParamFileError(f"{where}: expected a mapping with {', '.join(REQUIRED)}; got "
                             f"{entry!r}")
    _check_names(entry, list(REQUIRED + OPTIONAL), list(REQUIRED), where,
                 unknown="unknown key", missing="missing {name!r}")
    for key in ("label", "unit", "source", "reason"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise ParamFileError(f"{where}: {key!r} must be a non-empty text")
    flags = {}
    for key in ("calibrate", "sensitivity"):
        flag = entry.get(key, False)
        if not isinstance(flag, bool):
            raise ParamFileError(f"{where}.{key}: expected true or false, got {flag!r}")
        flags[key] = flag
    low, high = _pair(entry["valid"], typ, f"{where}.valid")
    p_low, p_high = _pair(entry["plausible"], float, f"{where}.plausible")
    distribution = _distribution(entry.get("distribution"), f"{where}.distribution")
    value = entry["value"]
    if value is None and not optional:
        raise ParamFileError(f"{where}.value: null is allowed only for a field that may be "
                             "None")
    try:
        return param(None if value is None else _scalar(value, typ, f"{where}.value"),
                     label=entry["label"], unit=entry["unit"], source=entry["source"],
                     low=low, high=high,
                     plausible=(float(p_low), float(p_high)), reason=entry["reason"].strip(),
                     kind=entry.get("kind", "uncertain"), distribution=distribution, **flags)
    except ValueError as e:
        raise ParamFileError(f"{where}: {e}") from e


def _distribution(entry: Any, where: str) -> dict[str, Any] | None:
    """A parameter's ``distribution`` mapping, checked (see :data:`DISTRIBUTION_SHAPES`)."""
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise ParamFileError(f"{where}: expected a mapping with shape; got {entry!r}")
    _check_names(entry, ["shape", "sd_log", "group"], ["shape"], where,
                 unknown="unknown key", missing="missing {name!r}")
    if entry["shape"] not in DISTRIBUTION_SHAPES:
        raise ParamFileError(f"{where}.shape: {entry['shape']!r}; allowed: "
                             f"{', '.join(DISTRIBUTION_SHAPES)}")
    if entry["shape"] == "lognormal":
        sd = entry.get("sd_log")
        if isinstance(sd, bool) or not isinstance(sd, (int, float)) or not sd > 0:
            raise ParamFileError(f"{where}.sd_log: expected a number above 0, got {sd!r}")
    group = entry.get("group", "")
    if not isinstance(group, str):
        raise ParamFileError(f"{where}.group: expected a name, got {group!r}")
    return {"shape": entry["shape"], "sd_log": float(entry.get("sd_log") or 0.0),
            "group": group}


def _check_names(got: dict[str, Any], allowed: list[str], required: list[str], where: str, *,
                 unknown: str, missing: str) -> None:
    """One line naming the first unknown name (with the allowed ones) or the first missing
    one, so a slip in a parameter file is found before anything runs."""
    extra = sorted(set(got) - set(allowed))
    if extra:
        raise ParamFileError(f"{where}: {unknown} {extra[0]!r}; allowed: {', '.join(allowed)}")
    absent = [name for name in required if name not in got]
    if absent:
        raise ParamFileError(f"{where}: " + missing.format(name=absent[0]))


def parse_group(data: Any, hints: dict[str, Any], where: str) -> dict[str, Any]:
    """Check a group file's content against the annotations ``hints`` of the dataclass's
    fields declared without a default; return the fields, by name."""
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise ParamFileError(f"{where}: expected a mapping with key 'parameters'")
    entries = data["parameters"]
    _check_names(entries, list(hints), list(hints), where, unknown="unknown parameter",
                 missing="parameter {name!r} is declared but has no entry")
    return {name: parse_entry(entries[name], hints[name], f"{where}: {name}")
            for name in hints}


def read_group(name: str, folder: Path | None = None) -> Any:
    """The parsed YAML of ``<folder>/<name>.yaml`` (default folder: :data:`PARAMS_DIR`)."""
    path = (folder or PARAMS_DIR) / f"{name}.yaml"
    if not path.is_file():
        raise ParamFileError(f"{path}: no such parameter file; reinstall the package")
    with open(path, encoding="utf-8") as fh:
        try:
            return yaml.load(fh, Loader=SAFE_LOADER)
        except yaml.YAMLError as e:
            raise ParamFileError(f"{path}: not valid YAML: {e}".splitlines()[0]) from e


def from_file(group: str) -> Callable[[T], T]:
    """Class decorator (put it under ``@dataclass``): the defaults and metadata of every
    field declared without a default come from ``sim/params/<group>.yaml``."""

    def decorate(cls: T) -> T:
        hints = get_type_hints(cls)
        own = [n for n in cls.__dict__.get("__annotations__", {}) if n not in cls.__dict__]
        where = f"sim/params/{group}.yaml"
        for name, made in parse_group(read_group(group), {n: hints[n] for n in own},
                                      where).items():
            setattr(cls, name, made)
        return cls

    return decorate


__all__ = ["KINDS", "PARAMS_DIR", "ParamFileError", "from_file", "param", "parse_entry",
           "parse_group", "read_group"]
