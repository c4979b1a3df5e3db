"""Sensitivity multipliers for the false-economy question: the cost and the effect of support.

(Not to be confused with :mod:`sim.calibration.sensitivity`, the global sensitivity analysis:
these are two scenario settings a sweep varies like any other option.)

The ``sensitivity`` config group (``configs/sensitivity/``) sets two multipliers that the
``revolving-door`` command applies to the model configuration before the run, so a sweep
can halve or double them like any other option and the run's ``config.yaml`` shows the
values actually used:

* ``support_cost`` multiplies every support package's monthly cost
  (``params.costs.support_{low,medium,high}_per_month``), Holmes' package costs
  (``params.costs.holmes_{low,medium,high}_package``) and the entitlement's assessment
  cost (``policy.support.assessment_cost``);
* ``support_effect`` multiplies how far support moves each hazard from "no effect":
  a maltreatment hazard ratio ``rr`` becomes ``1 - k (1 - rr)`` and a resolution rate
  ratio ``rr`` becomes ``1 + k (rr - 1)``, for low, medium and high support. Doubling
  the effect of high support thus takes its maltreatment ratio from 0.6 to 0.2.

They apply to status-quo support too (it is the same support), so the status-quo arm of
each sensitivity setting is its own reference. Values outside a parameter's documented
range stop the run with a configuration error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.config import ModelConfig
from sim.param_files import from_file
from sim.policies import REGISTRY
from sim.schema import ConfigError, build

LEVELS = ("low", "medium", "high")


@dataclass
@from_file("sensitivity")
class Sensitivity:
    support_cost: float
    support_effect: float


def apply(cfg: ModelConfig, options: dict[str, Any] | None) -> ModelConfig:
    """``cfg`` with the multipliers in ``options`` applied, validated again."""
    s = build(Sensitivity, dict(options or {}), "sensitivity")
    if s.support_cost == 1.0 and s.support_effect == 1.0:
        return cfg
    data = cfg.to_dict()
    costs = data["params"]["costs"]
    for lvl in LEVELS:
        costs[f"support_{lvl}_per_month"] *= s.support_cost
        costs[f"holmes_{lvl}_package"] *= s.support_cost  # Holmes' packages (issue 12)
    support_policy = data["policy"].get("support") or {}
    policy_class = REGISTRY["support"].get(support_policy.get("kind", ""))
    if policy_class is not None and "assessment_cost" in policy_class.__dataclass_fields__:
        default = policy_class.__dataclass_fields__["assessment_cost"].default
        support_policy["assessment_cost"] = (support_policy.get("assessment_cost", default)
                                             * s.support_cost)
    eff = data["params"]["support"]
    for lvl in LEVELS:
        eff[f"maltreatment_rr_{lvl}"] = 1.0 - s.support_effect * (
            1.0 - eff[f"maltreatment_rr_{lvl}"])
        eff[f"resolution_rr_{lvl}"] = 1.0 + s.support_effect * (
            eff[f"resolution_rr_{lvl}"] - 1.0)
    try:
        return ModelConfig.from_dict(data)
    except ConfigError as err:
        raise ConfigError(f"sensitivity {s}: {err}") from None
