"""The LocalAuthority agent: a council, its practice, its caseload counts and its spending."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.ledger import C

if TYPE_CHECKING:
    from sim.config import CouncilPractice
    from sim.model import RevolvingDoorModel

_PLACEMENT_COMPONENTS = (C["placement_foster"], C["placement_residential"],
                         C["placement_kinship"])


class LocalAuthority(mesa.Agent):
    """A council. Activated once a month to account for what its caseload costs.

    Practice attributes (see :class:`sim.config.CouncilPractice` for units and sources):
    ``return_propensity``, ``thoroughness``, ``monitoring_months``, ``support_share``,
    ``treatment_share``, ``cost_multiplier``. Counts (children in care by placement,
    children at home after a return, open cases, supported families by level) are kept
    up to date by the transitions, so the monthly accounting never loops over children.
    """

    def __init__(self, model: "RevolvingDoorModel", index: int, name: str, size_share: float,
                 practice: CouncilPractice) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.size_share = size_share
        self.return_propensity = practice.return_propensity
        self.thoroughness = practice.thoroughness
        self.monitoring_months = practice.monitoring_months
        self.support_share = practice.support_share
        self.treatment_share = practice.treatment_share
        self.cost_multiplier = practice.cost_multiplier
        #: are this council's families simulated in this model? (False only for the other
        #: shards' councils when a run is split between processes, :mod:`sim.shards`)
        self.simulated = True
        self.in_care = [0, 0, 0]  # children, by Placement
        self.home_after_return = 0  # children
        self.open_cases = 0  # families with a case open after a return
        self.supported = [0, 0, 0, 0]  # families, by support level (index 0 unused)

    @property
    def children_in_care(self) -> int:
        return sum(self.in_care)

    def step(self) -> None:
        """Month-end accounting: the month's recurring costs, from the council's stocks."""
        m = self.model
        month = m.month
        uc = m.unit_costs
        mult = self.cost_multiplier
        ledger = m.ledger
        i = self.index
        for p in range(3):
            if self.in_care[p]:
                ledger.add(month, i, _PLACEMENT_COMPONENTS[p],
                           self.in_care[p] * uc.placement_per_month[p] * mult)
        n_care = sum(self.in_care)
        if n_care:
            ledger.add(month, i, C["process_care_planning"],
                       n_care * uc.care_planning_per_month * mult)
        if self.open_cases:
            ledger.add(month, i, C["monitoring"], self.open_cases * uc.monitoring_per_month * mult)
        support = sum(self.supported[lvl] * uc.support_per_month[lvl] for lvl in (1, 2, 3))
        if support:
            ledger.add(month, i, C["support"], support * mult)
        m.timeseries.record_stocks(month, self)
