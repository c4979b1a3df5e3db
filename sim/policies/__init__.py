"""Policy levers. ``build_policies`` turns the ``policy`` config mapping into policy objects.

Levers and kinds available (see each module): ``support``: ``status_quo``, ``entitlement``;
``monitoring``: ``minimum_months``; ``treatment``: ``access``. New policies register
themselves with :func:`sim.policies.base.register`.
"""

from __future__ import annotations

from typing import Any

from sim.policies import monitoring, support_entitlement, treatment_access  # noqa: F401
from sim.policies.base import REGISTRY, Policy, StatusQuo, register
from sim.schema import ConfigError, build

__all__ = ["REGISTRY", "Policy", "StatusQuo", "build_policies", "register"]


def build_policies(spec: dict[str, Any] | None) -> list[Policy]:
    """Policies from ``{lever: {kind: ..., field: value}}``, validated, in lever order."""
    out: list[Policy] = []
    for lever, options in (spec or {}).items():
        if isinstance(options, Policy):
            out.append(options)
            continue
        if lever not in REGISTRY:
            raise ConfigError(f"policy.{lever}: unknown lever; allowed: "
                              f"{', '.join(sorted(REGISTRY))}")
        if options is None:
            continue
        if not isinstance(options, dict) or "kind" not in options:
            raise ConfigError(f"policy.{lever}: expected a mapping with 'kind' (one of "
                              f"{', '.join(sorted(REGISTRY[lever]))}), got {options!r}")
        opts = dict(options)
        kind = opts.pop("kind")
        opts.pop("name", None)  # the config option's name, informational
        if kind not in REGISTRY[lever]:
            raise ConfigError(f"policy.{lever}.kind: unknown policy {kind!r}; allowed: "
                              f"{', '.join(sorted(REGISTRY[lever]))}")
        out.append(build(REGISTRY[lever][kind], opts, f"policy.{lever}"))
    order = list(REGISTRY)
    out.sort(key=lambda p: order.index(p.lever) if p.lever in order else len(order))
    return out
