"""Support entitlement: every returning family is assessed and gets support matched to need.

Who is eligible: every family whose children go home (in the councils and months the
policy covers). Need levels, assessed from the family's unresolved problems:

* low (no unresolved problem): case work and parenting support;
* medium (one unresolved problem other than substance misuse);
* high (two or more unresolved problems, or substance misuse).

Two designs, chosen by ``fixed_levels``:

* **need-matched, for as long as needed** (``entitlement``, the uncapped alternative, and its
  caps ``entitlement_cap12``/``_cap24``): the level follows the family's current need, until
  its problems are resolved (plus a short taper) or up to an optional cap, resuming if a
  problem returns within the cap; low need for ``low_need_months``. Costed per month at
  ``CostParams.support_*_per_month`` (high: intensive family support, Scottish Government
  2009, 2008-09 prices).
* **Holmes' packages** (``entitlement_holmes``, ``fixed_levels: true``,
  ``holmes_costs: true``): the level assessed at the return holds for a fixed length
  (``low_need_months``, ``medium_months``, ``high_months``: 6, 12 and 12 months, Holmes 2014,
  2024), is not reassessed, and ends early only if the children re-enter care. Costed at
  Holmes' package costs (``CostParams.holmes_*``, 2024 prices), per month of the package.

Effects (parameters in :class:`sim.parameters.SupportParams`, used by status quo support
too): a lower monthly maltreatment hazard and a higher monthly chance that problems
resolve, partly lost if the family disengages. Costs: the assessment when the family is
assessed (``assessment_cost``), then the monthly cost of its level, from
``docs/evidence.md`` (Holmes 2014, 2024: docs/evidence.md#holmes-support; Scottish
Government 2009: docs/evidence.md#scot-gov-2009-intensive-support).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sim.policies.base import Policy, register
from sim.param_files import from_file

import numpy as np

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel


@register("support", "entitlement")
@dataclass
@from_file("policy_support_entitlement")
class SupportEntitlement(Policy):
    cap_months: int | None
    low_need_months: int
    taper_months: int
    assessment_cost: float
    assessment_price_year: int

    fixed_levels: bool
    medium_months: int
    high_months: int
    holmes_costs: bool

    def bind(self, model: "RevolvingDoorModel") -> None:
        super().bind(model)
        if self.holmes_costs:
            # every supported family is charged by level; status quo support is level 1,
            # whose cost is Holmes' low-need package under both price lists
            uc = model.unit_costs
            model.unit_costs = replace(uc, support_per_month=uc.holmes_support_per_month)

    def on_return(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> None:
        model.transitions.entitle_support(f, t, self)
