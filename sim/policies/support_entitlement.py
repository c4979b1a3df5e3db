"""Support entitlement: every returning family is assessed and gets a personalised budget.

Who is eligible: every family whose children go home (in the councils and months the
policy covers). What they get: an assessment, then support matched to assessed need for
as long as it is needed: until the family's problems are resolved (plus a short taper),
or up to an optional cap, resuming if a problem returns within the cap. Need levels:

* low (no unresolved problem): case work and parenting support for ``low_need_months``;
* medium (one unresolved problem other than substance misuse);
* high (two or more unresolved problems, or substance misuse): intensive family support.

Effects (parameters in :class:`sim.parameters.SupportParams`, used by status quo support
too): a lower monthly maltreatment hazard and a higher monthly chance that problems
resolve, partly lost if the family disengages. Costs: the assessment when the family is
assessed, then the monthly cost of its level (``CostParams.support_*_per_month``), from
``shared/evidence.md`` §3 (Holmes 2014, 2024; Scottish Government 2009).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.policies.base import Policy, register
from sim.parameters import param

if TYPE_CHECKING:
    from sim.agents.family import Family


@register("support", "entitlement")
@dataclass
class SupportEntitlement(Policy):
    cap_months: int | None = param(
        None, label="longest support lasts after a return (null: for as long as needed)",
        unit="months", source="scenario setting (NSPCC 2012: 'for as long as it is needed')",
        low=1, high=240)
    low_need_months: int = param(
        6, label="months of low-level support for a family with no unresolved problem",
        unit="months", source="evidence.md §3: low need £1,644 for 6 months (Holmes 2024, B)",
        low=0, high=60)
    taper_months: int = param(
        3, label="months support continues after the last problem resolves", unit="months",
        source="judgement", low=0, high=24)
    assessment_cost: float = param(
        1200.0, label="assessment of a returning family's needs",
        unit="GBP per family, 2024 prices", source="judgement: a core assessment, Ward, Holmes "
        "& Soper 2008 process costs uprated (A/B)", low=0.0, high=10000.0)
    assessment_price_year: int = param(2024, label="price year of assessment_cost",
                                       unit="year", source="as assessment_cost", low=2000,
                                       high=2030)

    def on_return(self, family: "Family", t: float) -> None:
        family.model.transitions.entitle_support(family, t, self)
