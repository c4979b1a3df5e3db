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

import numpy as np

from sim.agents.family import SUBSTANCE
from sim.param_files import from_file
from sim.policies.base import Policy, register

from sim.state import INF

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel


@register("treatment", "access")
@dataclass
@from_file("policy_treatment_access")
class TreatmentAccess(Policy):
    share: float | None
    waiting_months: int

    def eligible(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> np.ndarray:
        return model.families.unresolved[f, SUBSTANCE]

    def on_return(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> None:
        F = model.families
        share = (model.council_treatment_share[F.council[f]] if self.share is None
                 else self.share)
        F.treatment_due[f] = np.where(F.u_treatment[f] < share, t + self.waiting_months, INF)
