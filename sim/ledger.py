"""The cost ledger: every cost to a council, by month, council and component, in one price year.

Unit costs come from different years (2009, 2013, 2014, 2024 prices; docs/evidence.md#costs).
They are converted once, with :func:`sim.prices.convert` (PSSRU's published inflation
indices, chained, the years not found filled; docs/evidence.md#pssru-inflation-indices),
into the run's price year when the model starts (:class:`UnitCosts`), so that figures
from different years are never added raw.
The ledger holds a float array ``[month, council, component]``; sums by component group
and the total are derived from it, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.parameters import CostParams
from sim.prices import PRICE_INDEX, convert  # noqa: F401  (re-exported)

#: Ledger components, in column order. Names are part of the output interface.
COMPONENTS: tuple[str, ...] = (
    "placement_foster",
    "placement_residential",
    "placement_kinship",
    "process_entry",
    "process_legal",
    "process_care_planning",
    "process_return",
    "process_reentry",
    "monitoring",
    "support",
    "treatment",
)
C = {name: i for i, name in enumerate(COMPONENTS)}

#: Components a run with placements over a period of care (:mod:`sim.placements`,
#: ``params.placement.moves``) adds after :data:`COMPONENTS`: placed with parents and other
#: placements. A run without it has none of them (its outputs as before the mechanism).
MOVES_COMPONENTS: tuple[str, ...] = ("placement_with_parents", "placement_other")
C_MOVES = {name: len(COMPONENTS) + i for i, name in enumerate(MOVES_COMPONENTS)}
#: the group of each of :data:`MOVES_COMPONENTS` (added to :data:`GROUPS`' sums when present)
MOVES_GROUPS: dict[str, tuple[str, ...]] = {"placement": MOVES_COMPONENTS}

#: Groups reported as ``cost_<group>_gbp`` metrics.
GROUPS: dict[str, tuple[str, ...]] = {
    "placement": ("placement_foster", "placement_residential", "placement_kinship"),
    "process": ("process_entry", "process_legal", "process_care_planning", "process_return",
                "process_reentry"),
    "after_return": ("monitoring", "support", "treatment"),
    "monitoring": ("monitoring",),
    "support": ("support",),
    "treatment": ("treatment",),
}

PLACEMENTS: tuple[str, ...] = ("foster", "residential", "kinship")
#: Every placement type, in :class:`~sim.agents.child.Placement` order (the last two only
#: with placements over a period of care)
PLACEMENTS_ALL: tuple[str, ...] = PLACEMENTS + ("with_parents", "other")


@dataclass(frozen=True)
class UnitCosts:
    """Unit costs in the run's price year, per month where they recur."""

    price_year: int
    placement_per_month: tuple[float, float, float]  # foster, residential, kinship
    entry_decision: float
    care_proceedings: float
    care_planning_per_month: float
    return_home: float
    reentry_process: float
    monitoring_per_month: float
    support_per_month: tuple[float, float, float, float]  # none, low, medium, high
    treatment_episode: float
    #: Holmes' (2024) support packages by level, per month (the support entitlement's
    #: Holmes design uses these instead of ``support_per_month``)
    holmes_support_per_month: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    #: placed with parents and other placements, per month (placements over a period of
    #: care, :mod:`sim.placements`)
    placement_more_per_month: tuple[float, float] = (0.0, 0.0)

    def placement_all_per_month(self) -> tuple[float, ...]:
        """Every placement type's cost a month, in :data:`PLACEMENTS_ALL` order."""
        return tuple(self.placement_per_month) + tuple(self.placement_more_per_month)

    @classmethod
    def from_params(cls, p: CostParams, price_year: int) -> "UnitCosts":
        def cv(value: float, year: int) -> float:
            return convert(value, year, price_year)

        return cls(
            price_year=price_year,
            placement_per_month=(cv(p.foster_per_year / 12, p.foster_price_year),
                                 cv(p.residential_per_year / 12, p.residential_price_year),
                                 cv(p.kinship_per_year / 12, p.kinship_price_year)),
            entry_decision=cv(p.entry_decision, p.process_price_year),
            care_proceedings=cv(p.care_proceedings, p.process_price_year),
            care_planning_per_month=cv(p.care_planning_per_month, p.process_price_year),
            return_home=cv(p.return_home, p.process_price_year),
            reentry_process=cv(p.reentry_process, p.process_price_year),
            monitoring_per_month=cv(p.monitoring_per_month, p.process_price_year),
            support_per_month=(0.0, cv(p.support_low_per_month, p.support_price_year),
                               cv(p.support_medium_per_month, p.support_price_year),
                               cv(p.support_high_per_month, p.support_high_price_year)),
            treatment_episode=cv(p.treatment_episode, p.treatment_price_year),
            holmes_support_per_month=(
                0.0, cv(p.holmes_low_package / p.holmes_low_months, p.holmes_price_year),
                cv(p.holmes_medium_package / p.holmes_package_months, p.holmes_price_year),
                cv(p.holmes_high_package / p.holmes_package_months, p.holmes_price_year)),
            placement_more_per_month=(
                cv(p.with_parents_per_year / 12, p.with_parents_price_year),
                cv(p.other_placement_per_year / 12, p.other_placement_price_year)),
        )


class Ledger:
    """Costs by month, council and component, in one price year."""

    def __init__(self, months: int, councils: int, price_year: int,
                 extra: tuple[str, ...] = ()) -> None:
        """``extra``: components after :data:`COMPONENTS` (:data:`MOVES_COMPONENTS` in a
        run with placements over a period of care)."""
        self.price_year = price_year
        #: this ledger's components, in column order
        self.components: tuple[str, ...] = COMPONENTS + tuple(extra)
        self.amounts = np.zeros((months, councils, len(self.components)), dtype=np.float64)

    def add(self, month: int, council: int, component: int, amount: float) -> None:
        if amount < 0:
            raise ValueError(f"negative cost {amount} for {self.components[component]}")
        self.amounts[month, council, component] += amount

    def add_many(self, month: np.ndarray, council: np.ndarray, component: int,
                 amount: np.ndarray) -> None:
        """Many costs of one component at once (arrays of equal length)."""
        if len(month) == 0:
            return
        amount = np.asarray(amount, dtype=np.float64)
        if (amount < 0).any():
            raise ValueError(f"negative cost {amount.min()} for {self.components[component]}")
        if amount.ndim == 0:
            amount = np.full(month.shape, float(amount))
        np.add.at(self.amounts, (month, council, component), amount)

    def total(self, start: int = 0, stop: int | None = None) -> float:
        return float(self.amounts[start:stop].sum())

    def by_component(self, start: int = 0, stop: int | None = None) -> dict[str, float]:
        sums = self.amounts[start:stop].sum(axis=(0, 1))
        return {name: float(sums[i]) for i, name in enumerate(self.components)}

    def by_group(self, start: int = 0, stop: int | None = None) -> dict[str, float]:
        """Sums by :data:`GROUPS` (a component this ledger lacks counts nothing)."""
        comp = self.by_component(start, stop)
        return {g: sum(comp[c] for c in members + MOVES_GROUPS.get(g, ()) if c in comp)
                for g, members in GROUPS.items()}
