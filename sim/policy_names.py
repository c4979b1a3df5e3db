"""One name for a run's policies, whether it was started from the command line or Python.

A policy is named by the config option whose settings it has (``policy/monitoring/m12.yaml``
gives ``m12``), so ``{"monitoring": {"kind": "minimum_months", "min_months": 12}}`` from
Python and ``policy/monitoring=m12`` on the command line are both ``m12``. A lever without
a policy is ``status_quo`` (each lever's ``status_quo`` option changes nothing, so the two
are the same run); settings no option has are spelled out: ``entitlement(cap_months=18)``.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import yaml

from sim.config_files import config_dir
from sim.policies import REGISTRY, Policy, build_policies

STATUS_QUO = "status_quo"


def settings(policy: Policy) -> dict[str, Any]:
    """The fields a policy was built with (not the ones it derives when bound to a model)."""
    return {f.name: getattr(policy, f.name) for f in dataclasses.fields(policy) if f.init}


def _option_mapping(lever: str, option: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """An option file's mapping, with the same-group options its ``defaults`` list merged."""
    data = yaml.safe_load((config_dir() / "policy" / lever / f"{option}.yaml").read_text(
        encoding="utf-8")) or {}
    merged: dict[str, Any] = {}
    for base in data.pop("defaults", []):
        if base != "_self_" and isinstance(base, str) and base not in seen:
            merged.update(_option_mapping(lever, base, seen + (option,)))
    merged.update(data)
    return merged


def option_mapping(lever: str, option: str) -> dict[str, Any]:
    """The settings a config option gives its lever, as Hydra composes them
    (``configs/policy/<lever>/<option>.yaml`` with its ``defaults``), e.g. for a run
    that names a policy option from Python (:mod:`sim.sweep.montecarlo`)."""
    path = config_dir() / "policy" / lever / f"{option}.yaml"
    if not path.is_file():
        names = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise ValueError(f"policy/{lever}: unknown option {option!r}; allowed: "
                         f"{', '.join(names)}")
    return _option_mapping(lever, option)


@lru_cache(maxsize=None)
def _options(lever: str) -> tuple[tuple[str, type[Policy], tuple[tuple[str, Any], ...]], ...]:
    """Each config option of a lever: its name, policy class and settings."""
    folder = config_dir() / "policy" / lever
    out = []
    for path in sorted(folder.glob("*.yaml")):
        policy, = build_policies({lever: _option_mapping(lever, path.stem)})
        out.append((path.stem, type(policy), tuple(settings(policy).items())))
    return tuple(out)


def policy_name(policy: Policy) -> str:
    """The option name a policy's settings match, else its kind with the settings that
    differ from the kind's defaults."""
    mine = tuple(settings(policy).items())
    for name, cls, opts in _options(policy.lever):
        if cls is type(policy) and opts == mine:
            return name
    default = settings(type(policy)())
    changed = ", ".join(f"{k}={v!r}" for k, v in mine if default.get(k) != v)
    return f"{policy.kind}({changed})"


def policy_names(policies: list[Policy]) -> dict[str, str]:
    """Every lever's policy by name, levers in the registry's order (``status_quo`` when a
    run has no policy for it)."""
    given = {p.lever: p for p in policies}
    return {lever: policy_name(given[lever]) if lever in given else STATUS_QUO
            for lever in list(REGISTRY) + [lv for lv in given if lv not in REGISTRY]}
