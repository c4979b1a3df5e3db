"""Monitoring duration: the minimum months a case stays open after a return.

Who is eligible: every family whose children go home. What they get: their case stays
open at least ``min_months`` after the return (councils that keep cases open longer keep
their own practice), and, if ``close_with_concerns`` is false, the case is not closed
while any parental problem is unresolved. Effects (parameters in
:class:`sim.parameters.AfterReturnParams`): an open case detects maltreatment sooner
(``detect_open`` against ``detect_closed``), so children spend less time in harm and more
harm turns into re-entry, and visits lower the maltreatment hazard a little
(``rr_open_case``). Costs: social work for every month a case is open
(``CostParams.monitoring_per_month``). Status quo: ``min_months: 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.param_files import from_file
from sim.policies.base import Policy, register

import numpy as np

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel


@register("monitoring", "minimum_months")
@dataclass
@from_file("policy_minimum_monitoring")
class MinimumMonitoring(Policy):
    min_months: int
    close_with_concerns: bool

    def on_return(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> None:
        F = model.families
        F.close_at[f] = np.maximum(F.close_at[f], F.return_time[f] + self.min_months)
        F.close_with_concerns[f] = self.close_with_concerns
