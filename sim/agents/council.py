"""The LocalAuthority agent: a council, its practice, its caseload counts and its spending."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from sim.mesa_import import mesa
from sim.ledger import C, C_MOVES

if TYPE_CHECKING:
    from sim.config import CouncilPractice
    from sim.model import RevolvingDoorModel

_PLACEMENT_COMPONENTS: tuple[int, ...] = (C["placement_foster"], C["placement_residential"],
                                          C["placement_kinship"])

#: columns of :attr:`CouncilCounts.counts`
COUNT_FIELDS = ("in_care_foster", "in_care_residential", "in_care_kinship",
                "home_after_return", "open_cases", "supported_low", "supported_medium",
                "supported_high", "in_care_with_parents", "in_care_other")
#: the column of COUNT_FIELDS that counts children in care in each Placement
PLACEMENT_COLUMN = np.array([0, 1, 2, 8, 9])
#: the columns of children in care placed with parents and in other placements (zero
#: unless placements over a period of care are on, :mod:`sim.placements`)
MORE_IN_CARE = slice(8, 10)


class _Practice:
    """A council's practice attribute, kept in the model's array of it (one element a
    council: what the engine reads), so that setting it on the agent changes the run."""

    def __init__(self, array: str, cast: Callable[[Any], Any]) -> None:
        self.array, self.cast = array, cast

    def __get__(self, council: "LocalAuthority | None", owner: type) -> Any:
        if council is None:
            return self
        return self.cast(getattr(council.model, self.array)[council.index])

    def __set__(self, council: "LocalAuthority", value: Any) -> None:
        getattr(council.model, self.array)[council.index] = value


class LocalAuthority(mesa.Agent):
    """A council.

    Practice attributes (see :class:`sim.config.CouncilPractice` for units and sources):
    ``return_propensity``, ``thoroughness``, ``monitoring_months``, ``support_share``,
    ``treatment_share``, ``cost_multiplier``: the council's elements of the model's
    practice arrays (``model.council_propensity``, ...), read and written through the
    agent. Counts (children in care by placement,
    children at home after a return, open cases, supported families by level) are the
    council's row of the model's counts (``model.caseloads``), kept up to date by the
    transitions, so the monthly accounting never loops over children.
    """

    return_propensity = _Practice("council_propensity", float)
    thoroughness = _Practice("council_thoroughness", float)
    monitoring_months = _Practice("council_monitoring_months", int)
    support_share = _Practice("council_support_share", float)
    treatment_share = _Practice("council_treatment_share", float)
    cost_multiplier = _Practice("council_cost_multiplier", float)

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

    def _count(self, j: int) -> int:
        return int(self.model.caseloads[self.index, j])

    @property
    def in_care(self) -> list[int]:
        """Children in care in foster, residential and kinship care (Placement 0-2)."""
        return [self._count(0), self._count(1), self._count(2)]

    @property
    def in_care_more(self) -> list[int]:
        """Children in care placed with parents and in other placements (placements over a
        period of care, :mod:`sim.placements`; zero without it)."""
        return [self._count(8), self._count(9)]

    @property
    def children_in_care(self) -> int:
        return sum(self.in_care) + sum(self.in_care_more)

    @property
    def home_after_return(self) -> int:
        return self._count(3)

    @property
    def open_cases(self) -> int:
        return self._count(4)

    @property
    def supported(self) -> list[int]:
        """Families supported, by level (index 0 unused)."""
        return [0, self._count(5), self._count(6), self._count(7)]

    def step(self) -> None:
        """Councils are accounted for all at once (:func:`book_recurring_costs`)."""


def count_caseloads(model: "RevolvingDoorModel") -> np.ndarray:
    """Every council's counts now (columns :data:`COUNT_FIELDS`), counted afresh from the
    agents' rows: the check of the counts the transitions keep (``model.caseloads``)."""
    n = len(model.councils)
    out = np.zeros((n, len(COUNT_FIELDS)), dtype=np.int64)
    ch, fam = model.children_table, model.families
    k = ch.n
    state = ch.state[:k]
    council = fam.council[ch.family[:k]]
    care = state == 1  # ChildState.IN_CARE
    if care.any():
        idx = council[care] * 5 + ch.placement[:k][care]
        by = np.bincount(idx, minlength=n * 5).reshape(n, 5)
        out[:, PLACEMENT_COLUMN] = by
    home = state == 2  # ChildState.HOME_AFTER_RETURN
    out[:, 3] = np.bincount(council[home], minlength=n)
    f = fam.n
    fc = fam.council[:f]
    out[:, 4] = np.bincount(fc[fam.case_open[:f]], minlength=n)
    lvl = fam.support_level[:f]
    for level in (1, 2, 3):
        out[:, 4 + level] = np.bincount(fc[lvl == level], minlength=n)
    return out


def book_recurring_costs(model: "RevolvingDoorModel", first: int,
                         counts: np.ndarray) -> None:
    """Month-end accounting: every council's recurring costs in months ``first``,
    ``first + 1``, ..., from its counts at each month's end (``counts``: one block a month,
    one row a council, columns :data:`COUNT_FIELDS`)."""
    uc = model.unit_costs
    mult = model.council_cost_multiplier
    rows = model.ledger.amounts[first:first + len(counts)]
    for p in range(3):
        rows[..., _PLACEMENT_COMPONENTS[p]] += counts[..., p] * uc.placement_per_month[p] * mult
    n_care = counts[..., 0:3].sum(axis=-1) + counts[..., MORE_IN_CARE].sum(axis=-1)
    if model.ledger.amounts.shape[-1] > len(C):  # placements over a period of care
        for j, comp in zip((8, 9), C_MOVES.values()):
            rows[..., comp] += counts[..., j] * uc.placement_more_per_month[j - 8] * mult
    rows[..., C["process_care_planning"]] += n_care * uc.care_planning_per_month * mult
    rows[..., C["monitoring"]] += counts[..., 4] * uc.monitoring_per_month * mult
    support = sum(counts[..., 4 + lvl] * uc.support_per_month[lvl] for lvl in (1, 2, 3))
    rows[..., C["support"]] += support * mult
