"""Treatment access: the share of families with serious substance problems reaching treatment.

Who is eligible: families whose children go home while a parent's serious drug or alcohol
problem is unresolved. What they get: a treatment episode, with probability ``share``
(status quo: each council's own share, about 5%, NSPCC 2013,
docs/evidence.md#nspcc-2013-treatment), starting after ``waiting_months`` if the children
are still at home. The same random number decides under every share (common random
numbers), so raising the share only adds families.
Effects (:class:`sim.parameters.SupportParams`): during treatment the problem resolves
faster (``treatment_resolution_rr``); after it, relapse is less likely
(``treatment_relapse_rr``). Cost: one treatment episode (``CostParams.treatment_episode``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.agents.family import INF, SUBSTANCE
from sim.param_files import from_file
from sim.policies.base import Policy, register

if TYPE_CHECKING:
    from sim.agents.family import Family


@register("treatment", "access")
@dataclass
@from_file("policy_treatment_access")
class TreatmentAccess(Policy):
    share: float | None
    waiting_months: int

    def eligible(self, family: "Family", t: float) -> bool:
        return family.unresolved[SUBSTANCE]

    def on_return(self, family: "Family", t: float) -> None:
        share = family.council.treatment_share if self.share is None else self.share
        family.treatment_due = (t + self.waiting_months) if family.u_treatment < share else INF
