"""Councils under pressure (issue 26): each council's caseload and placement spend, read at
month ends from its own counts, move its practice after a delay. Off by default.

Two pressures a council, each a ratio to the council's *reference level* (1 = as it was
staffed and budgeted for):

* **caseload**: its cases (children in care, plus families at home after a return whose
  case is open) per social worker, over ``caseload_per_worker`` (the DfE's average
  caseload). Its social workers are set when the measured period starts: its mean cases
  over the last ``reference_months`` of the warm-up divided by ``caseload_per_worker``
  (staffed at the national average caseload); a workforce cut removes a share of them.
* **budget**: its placement spend in the month (children in care by placement times the
  unit costs, as the ledger books them) over its placement budget: its mean placement
  spend over the same months, which does not grow afterwards.

A council *perceives* each pressure through a first-order delay (``perception_months``):
``perceived += (pressure - perceived) / perception_months`` each month. Every
``review_months`` from the start of the measured period it sets its practice from what it
perceived ``delay_months`` before the review: each practice is its reference value times
``perceived ** elasticity`` (:data:`LINKS`), so pressure at its reference level (1) changes
nothing. Shares stay within 0 and 1.

Practice is read by the engine when a family's hazards are computed (return propensity,
thoroughness: families in care) and when a child goes home (monitoring months, support
share). Practice changes only at a review, so the months between two reviews are worked at
once, exactly (:meth:`Pressure.window`); at a review the families in care of a council
whose return propensity or thoroughness changed have their clocks brought to the review's
time and their hazards recomputed (the budgets carry over: exact for piecewise-constant
hazards, as everywhere in the engine).

The cuts of the experiment "cut now, pay later" (``cut_support``, ``cut_workforce`` at
``cut_month`` of the measured period) are shocks to the reference practice and workforce;
a support cut applies with the mechanism off too (then nothing feeds back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.family import Location
from sim.parameters import PressureParams

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel


@dataclass(frozen=True)
class Link:
    """One link from a pressure to a practice: its name on the page, the pressure that
    drives it, the model's practice array it moves, the elasticity's parameter, bounds."""

    practice: str
    label: str
    pressure: str  # "caseload" or "budget"
    array: str  # the model's practice array (one element a council)
    elasticity: str  # field of PressureParams
    low: float
    high: float


#: The links, in the order the page lists them.
LINKS: tuple[Link, ...] = (
    Link("thoroughness", "assessment before a return", "caseload", "council_thoroughness",
         "thoroughness_elasticity", 0.0, 1.0),
    Link("monitoring_months", "months a case stays open", "caseload",
         "council_monitoring_months", "monitoring_elasticity", 0.0, np.inf),
    Link("support_share", "families offered support", "budget", "council_support_share",
         "support_elasticity", 0.0, 1.0),
    Link("return_propensity", "planned returns", "caseload", "council_propensity",
         "return_elasticity", 0.0, np.inf),
)

#: practice arrays read by the engine's hazards for families in care (a change needs them
#: rescheduled); the others are read when a child goes home
_IN_CARE_ARRAYS = ("council_propensity", "council_thoroughness")


def wanted(p: PressureParams) -> bool:
    """Does a run with these parameters need the mechanism (on, or a cut to apply)?"""
    return bool(p.enabled) or p.cut_support > 0.0 or p.cut_workforce > 0.0


class Pressure:
    """One model's councils' pressures, their history month by month, and the practice
    they set. Made by the model when :func:`wanted`; ``None`` otherwise."""

    def __init__(self, model: "RevolvingDoorModel") -> None:
        self.m = model
        self.p = p = model.config.params.pressure
        n = len(model.councils)
        months = model.config.total_months
        self.start = model.config.measure_start
        self.cut_at: int | None = (self.start + int(p.cut_month)
                                   if p.cut_support > 0.0 or p.cut_workforce > 0.0 else None)
        #: each council's reference practice (what pressure 1 gives), one array a link
        self.base = {link.array: getattr(model, link.array).copy() for link in LINKS}
        uc = model.unit_costs
        self._placement_cost = np.array(uc.placement_per_month)
        #: placed with parents and other (counts columns 8-9, placements over a period of care)
        self._placement_more_cost = np.array(uc.placement_more_per_month)
        #: month-end history (one row a month, one column a council)
        self.cases = np.zeros((months, n))
        self.spend = np.zeros((months, n))
        self.caseload = np.ones((months, n))  # pressure that month
        self.budget = np.ones((months, n))
        self.perceived_caseload = np.ones((months, n))
        self.perceived_budget = np.ones((months, n))
        #: every link's practice at each month end (month, council, link)
        self.practice = np.zeros((months, n, len(LINKS)))
        self._perceived = (np.ones(n), np.ones(n))
        #: each link's multiplier of the reference practice now (by practice array)
        self.multipliers: dict[str, np.ndarray] = {link.array: np.ones(n) for link in LINKS}
        self._configured_cut_done = False
        #: social workers and placement budget a month, set when the measured period starts
        self.workforce: np.ndarray | None = None
        self.placement_budget: np.ndarray | None = None

    # ------------------------------------------------------------------ windows
    def boundaries_after(self, month: int) -> int | None:
        """The first month end after ``month`` at which practice may change (a review, the
        start of the measured period, a cut), or None."""
        cands = []
        if self.p.enabled:
            if month < self.start:
                cands.append(self.start)
            else:
                r = int(self.p.review_months)
                cands.append(self.start + ((month - self.start) // r + 1) * r)
        if self.cut_at is not None and self.cut_at > month:
            cands.append(self.cut_at)
        return min(cands) if cands else None

    def window(self, month: int, k: int) -> int:
        """How many of the next ``k`` months can be worked at once from ``month``: up to
        the next month end where practice may change."""
        nxt = self.boundaries_after(month)
        return k if nxt is None else max(1, min(k, nxt - month))

    # ------------------------------------------------------------------ month ends
    def _cases_spend(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cases (children in care and open cases) and placement spend of each row of
        counts (columns ``COUNT_FIELDS``; placed with parents and other placements, columns
        8-9, when the counts have them)."""
        cases = counts[..., 0:3].sum(axis=-1) + counts[..., 4]
        spend = (counts[..., 0:3] * self._placement_cost).sum(axis=-1)
        if counts.shape[-1] > 8:
            cases = cases + counts[..., 8:10].sum(axis=-1)
            spend = spend + (counts[..., 8:10] * self._placement_more_cost).sum(axis=-1)
        return cases, spend * self.m.council_cost_multiplier

    def close_months(self, first: int, counts: np.ndarray) -> None:
        """Months ``first``, ``first + 1``, ... have closed with these counts (one block a
        month, one row a council, columns ``COUNT_FIELDS``): update the pressures, and at
        a review (or a cut) the practice. The model's counts before the window are still in
        ``model.caseloads``."""
        if self.workforce is None and self.start == first == 0:
            self._set_reference(self.m.caseloads[None])  # no warm-up: the initial stock
        cases, spend = self._cases_spend(counts)
        tau = float(self.p.perception_months)
        for j in range(len(counts)):
            month = first + j
            self.cases[month], self.spend[month] = cases[j], spend[j]
            if self.workforce is not None:
                self._observe(month)
            if month + 1 == self.start and self.start > 0:
                lo = max(0, self.start - int(self.p.reference_months))
                self._set_reference_from(lo, self.start)
            pc, pb = self._perceived
            if self.workforce is not None:
                pc = pc + (self.caseload[month] - pc) / tau
                pb = pb + (self.budget[month] - pb) / tau
                self._perceived = (pc, pb)
            self.perceived_caseload[month], self.perceived_budget[month] = pc, pb
        end = first + len(counts)
        self.practice[first:end] = self._practice_now()
        cut = self.cut_at is not None and end == self.cut_at
        if cut:
            self._cut(self.p.cut_support, self.p.cut_workforce)
            self._configured_cut_done = True
        review = (self.p.enabled and end > self.start
                  and (end - self.start) % int(self.p.review_months) == 0)
        if review:
            self.multipliers = self._multipliers(end)
        if review or cut:
            self._apply(self.multipliers, float(end))
            self.practice[end - 1] = self._practice_now()

    def _observe(self, month: int) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            load = self.cases[month] / (self.workforce * self.p.caseload_per_worker)
            bud = self.spend[month] / self.placement_budget
        self.caseload[month] = np.where(self.workforce > 0, load, 1.0)
        self.budget[month] = np.where(self.placement_budget > 0, bud, 1.0)

    def _set_reference_from(self, lo: int, hi: int) -> None:
        self.workforce = self.cases[lo:hi].mean(axis=0) / self.p.caseload_per_worker
        self.placement_budget = self.spend[lo:hi].mean(axis=0)

    def _set_reference(self, counts: np.ndarray) -> None:
        cases, spend = self._cases_spend(counts)
        self.workforce = cases.mean(axis=0) / self.p.caseload_per_worker
        self.placement_budget = spend.mean(axis=0)

    # ------------------------------------------------------------------ practice
    def perceived_at(self, end: int) -> tuple[np.ndarray, np.ndarray]:
        """The pressures a review at month end ``end`` acts on: those perceived at the end
        of month ``end - 1 - delay_months`` (1 before the measured period starts)."""
        idx = end - 1 - int(self.p.delay_months)
        n = len(self.m.councils)
        if idx < self.start or self.workforce is None:
            return np.ones(n), np.ones(n)
        return self.perceived_caseload[idx], self.perceived_budget[idx]

    def _multipliers(self, end: int) -> dict[str, np.ndarray]:
        """Each link's multiplier of its reference practice at a review at month end
        ``end``: ``perceived ** elasticity``."""
        pc, pb = self.perceived_at(end)
        out = {}
        for link in LINKS:
            e = float(getattr(self.p, link.elasticity))
            pressure = pc if link.pressure == "caseload" else pb
            out[link.array] = np.power(pressure, e)
        return out

    def set_practice(self, end: int) -> None:
        """A review at month end ``end``: every council's practice from its perceived
        pressure ``delay_months`` before."""
        self.multipliers = self._multipliers(end)
        self._apply(self.multipliers, float(end))

    def _apply(self, mult: dict[str, np.ndarray], t: float) -> None:
        m = self.m
        changed = np.zeros(len(m.councils), dtype=bool)
        for link in LINKS:
            arr = getattr(m, link.array)
            new = np.clip(self.base[link.array] * mult[link.array], link.low, link.high)
            if link.array in _IN_CARE_ARRAYS:
                changed |= new != arr
            arr[:] = new
        if changed.any():
            F, n = m.families, m.families.n
            f = np.nonzero((F.location[:n] == int(Location.IN_CARE))
                           & changed[F.council[:n]])[0]
            m.engine.restart(f, t)

    def _practice_now(self) -> np.ndarray:
        return np.column_stack([getattr(self.m, link.array) for link in LINKS])

    # ------------------------------------------------------------------ shocks
    def reference_practice(self) -> dict[str, np.ndarray]:
        """Each council's reference practice at the end of the run, by practice array:
        after the configured cut (if it falls within the run) and any cut made between
        months, before pressure moves it. The same in every shard of a split run, and in
        the model that merges them, which is never run (``councils.csv``)."""
        out = dict(self.base)
        if (self.cut_at is not None and not self._configured_cut_done
                and self.cut_at <= self.m.config.total_months):
            out["council_support_share"] = out["council_support_share"] * (
                1.0 - self.p.cut_support)
        return out

    def _cut(self, support: float, workforce: float) -> None:
        self.base["council_support_share"] = self.base["council_support_share"] * (1 - support)
        if self.workforce is not None:
            self.workforce = self.workforce * (1.0 - workforce)

    def cut_now(self, support: float = 0.0, workforce: float = 0.0) -> None:
        """A shock between months (the browser page's button): cut every council's support
        offer and social workers by these shares now; practice follows at once (the cut
        itself needs no review), pressure's effects at the next reviews."""
        if not 0.0 <= support <= 1.0 or not 0.0 <= workforce < 1.0:
            raise ValueError(f"cut_now: shares between 0 and 1, got support={support}, "
                             f"workforce={workforce}")
        self._cut(support, workforce)
        month = self.m.month
        self._apply(self.multipliers, float(month))
        if month > 0:
            self.practice[month - 1] = self._practice_now()

    def switch(self, on: bool) -> None:
        """Turn the feedback on or off between months (the browser page's switch): off,
        every practice goes back to its reference value at once; on, practice follows
        pressure from the next review."""
        self.p.enabled = bool(on)
        if not on:
            n = len(self.m.councils)
            self.multipliers = {link.array: np.ones(n) for link in LINKS}
            self._apply(self.multipliers, float(self.m.month))
            if self.m.month > 0:
                self.practice[self.m.month - 1] = self._practice_now()

    # ------------------------------------------------------------------ reading
    def strengths(self, council: int = 0) -> dict[str, float]:
        """Each link's multiplier of the council's reference practice now (what pressure
        does to it; a cut is not included), by practice name."""
        return {link.practice: float(self.multipliers[link.array][council]) for link in LINKS}
