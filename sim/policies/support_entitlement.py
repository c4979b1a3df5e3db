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
from sim.parameters import param

if TYPE_CHECKING:
    from sim.agents.family import Family
    from sim.model import RevolvingDoorModel


@register("support", "entitlement")
@dataclass
class SupportEntitlement(Policy):
    cap_months: int | None = param(
        None, label="longest support lasts after a return (null: for as long as needed)",
        unit="months", source="scenario setting (NSPCC 2012: 'for as long as it is needed')",
        low=1, high=240,
        plausible=(1, 240), kind="setting",
        reason="scenario setting; null = as long as needed (NSPCC 2012)")
    low_need_months: int = param(
        6, label="months of low-level support for a family with no unresolved problem",
        unit="months", source="docs/evidence.md#holmes-support: low need £1,644 for 6 months "
        "(Holmes 2024, B)",
        low=0, high=60,
        plausible=(3, 12), kind="setting",
        reason="Holmes 2024 (B) prices low need for 6 months; 3-12 a scenario choice")
    taper_months: int = param(
        3, label="months support continues after the last problem resolves", unit="months",
        source="judgement", low=0, high=24,
        plausible=(0, 6), kind="setting",
        reason="scenario setting")
    assessment_cost: float = param(
        1200.0, label="assessment of a returning family's needs",
        unit="GBP per family, 2024 prices", source="judgement: a core assessment, Ward, Holmes "
        "& Soper 2008 process costs uprated (B, docs/evidence.md#ward-holmes-soper-2008)",
        low=0.0, high=10000.0,
        plausible=(500.0, 2500.0), kind="setting",
        reason=("judgement: a core assessment, Ward, Holmes & Soper 2008 process costs "
                "uprated (A/B)"))
    assessment_price_year: int = param(
        2024, label="price year of assessment_cost", unit="year", source="as assessment_cost",
        low=2000, high=2030, plausible=(2024, 2024), kind="setting",
        reason="as assessment_cost")

    fixed_levels: bool = param(
        False, label="Holmes' design: keep the level assessed at the return for its fixed "
        "length (false: match support to current need for as long as needed)", unit="yes/no",
        source="Holmes 2014, 2024 (B): packages by need level, costed for a fixed length",
        low=False, high=True,
        plausible=(0, 1), kind="setting",
        reason=("design choice: Holmes' fixed packages (true) or need-matched for as long as "
                "needed (false)"))
    medium_months: int = param(
        12, label="months of medium-need support (Holmes' design only)", unit="months",
        source="Holmes 2014, 2024 (B): case work for up to twelve months plus services",
        low=0, high=60,
        plausible=(6, 24), kind="setting",
        reason=("Holmes 2014, 2024 (B): case work for up to twelve months; 6-24 a scenario "
                "choice"))
    high_months: int = param(
        12, label="months of high-need support (Holmes' design only)", unit="months",
        source="Holmes 2014, 2024 (B): case work for up to twelve months plus services",
        low=0, high=60,
        plausible=(6, 24), kind="setting",
        reason=("Holmes 2014, 2024 (B): case work for up to twelve months; 6-24 a scenario "
                "choice"))
    holmes_costs: bool = param(
        False, label="cost the levels at Holmes' package costs (CostParams.holmes_*) instead "
        "of support_*_per_month", unit="yes/no", source="Holmes 2024 (B); see CostParams",
        low=False, high=True,
        plausible=(0, 1), kind="setting",
        reason="design choice: cost levels at Holmes' packages or at support_*_per_month")

    def bind(self, model: "RevolvingDoorModel") -> None:
        super().bind(model)
        if self.holmes_costs:
            # every supported family is charged by level; status quo support is level 1,
            # whose cost is Holmes' low-need package under both price lists
            uc = model.unit_costs
            model.unit_costs = replace(uc, support_per_month=uc.holmes_support_per_month)

    def on_return(self, family: "Family", t: float) -> None:
        family.model.transitions.entitle_support(family, t, self)
