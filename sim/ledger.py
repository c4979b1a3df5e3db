"""The cost ledger: every cost to a council, by month, council and component, in one price year.

Unit costs come from different years (2013, 2014, 2024 prices in ``shared/evidence.md``
§3). They are converted once, through :data:`PRICE_INDEX`, into the run's price year when
the model starts (:class:`UnitCosts`), so that figures from different years are never
added raw. The ledger holds a float array ``[month, council, component]``; sums by
component group and the total are derived from it, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.parameters import CostParams

#: Price index by calendar year (2008 = 100), built from the rounded annual growth of the UK
#: GDP deflator at market prices (ONS series YBGB / HM Treasury GDP deflators). Strength C:
#: rounded values; replace with the official series for published figures. Used only to move
#: unit costs between price years.
_GROWTH = {2009: 1.6, 2010: 2.9, 2011: 1.9, 2012: 1.6, 2013: 1.9, 2014: 1.7, 2015: 0.6,
           2016: 2.1, 2017: 1.8, 2018: 2.1, 2019: 2.1, 2020: 5.1, 2021: -0.3, 2022: 5.2,
           2023: 7.0, 2024: 3.5, 2025: 3.0}
PRICE_INDEX: dict[int, float] = {2008: 100.0}
for _year in sorted(_GROWTH):
    PRICE_INDEX[_year] = PRICE_INDEX[_year - 1] * (1 + _GROWTH[_year] / 100)
for _year in range(2000, 2008):
    PRICE_INDEX[_year] = 100.0 * (1.02 ** (_year - 2008))  # 2% a year before 2008 (judgement)
for _year in range(2026, 2031):
    PRICE_INDEX[_year] = PRICE_INDEX[2025] * (1.02 ** (_year - 2025))  # 2% target after 2025


def convert(amount: float, from_year: int, to_year: int) -> float:
    """Move an amount of money from one price year to another."""
    for y in (from_year, to_year):
        if y not in PRICE_INDEX:
            raise ValueError(f"price year {y} not in the price index ({min(PRICE_INDEX)}-"
                             f"{max(PRICE_INDEX)})")
    return amount * PRICE_INDEX[to_year] / PRICE_INDEX[from_year]


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
                               cv(p.support_high_per_month, p.support_price_year)),
            treatment_episode=cv(p.treatment_episode, p.treatment_price_year),
        )


class Ledger:
    """Costs by month, council and component, in one price year."""

    def __init__(self, months: int, councils: int, price_year: int) -> None:
        self.price_year = price_year
        self.amounts = np.zeros((months, councils, len(COMPONENTS)), dtype=np.float64)

    def add(self, month: int, council: int, component: int, amount: float) -> None:
        if amount < 0:
            raise ValueError(f"negative cost {amount} for {COMPONENTS[component]}")
        self.amounts[month, council, component] += amount

    def total(self, start: int = 0, stop: int | None = None) -> float:
        return float(self.amounts[start:stop].sum())

    def by_component(self, start: int = 0, stop: int | None = None) -> dict[str, float]:
        sums = self.amounts[start:stop].sum(axis=(0, 1))
        return {name: float(sums[i]) for i, name in enumerate(COMPONENTS)}

    def by_group(self, start: int = 0, stop: int | None = None) -> dict[str, float]:
        comp = self.by_component(start, stop)
        return {g: sum(comp[c] for c in members) for g, members in GROUPS.items()}
