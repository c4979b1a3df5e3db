"""Issue 21's mechanisms and measures, each against a hand-worked expectation.

* Returns not viable from the start (``early_failure_*``): such a return's breakdown rate
  in the early months is the usual one plus ``-ln(1 - early_failure_monthly)``, and the
  usual one after them.
* Repeated failure changes the plan: in care, each failed return beyond the first
  multiplies the chance of going home (planned and unplanned) by
  ``return_after_failure_decay``; the early months of a later episode get
  ``reentry_early_restart`` of the first episode's boost.
* Treatment through engagement: a treated parent who does not engage gets
  ``treatment_disengaged_share`` of treatment's effect on resolving and on relapse.
* The index-return measures (``sim.metrics.index_outcomes``) and the tail of returns per
  child (``sim.plausibility.returns_per_child``) on hand-made records.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.agents.child import EntryReason
from sim.agents.family import Clock, Location
from sim.config import ModelConfig
from sim.hazards import Hazards
from sim.metrics import index_outcomes
from sim.plausibility import returns_per_child
from sim.records import END_AGED_OUT, END_REENTERED
from sim.state import FAMILY_COLUMNS, Table

NEG, ABUSE = int(EntryReason.NEGLECT), int(EntryReason.OTHER_ABUSE)


def _params() -> object:
    return ModelConfig.from_dict({}).params


def _table(n: int) -> Table:
    t = Table(FAMILY_COLUMNS, capacity=n)
    t.add(n)
    return t


def _rates(h: Hazards, fam: Table, t: np.ndarray) -> np.ndarray:
    n = fam.n
    rows = np.arange(n)
    births = np.full((n, 3), np.nan)
    births[:, 0] = -100.0  # one child, 8 years old at month 0
    return h.compute(fam, rows, t, births, np.ones(n), np.zeros(n))


# ---------------------------------------------------------------- early failures
def test_a_return_not_viable_from_the_start_adds_its_own_breakdown_rate_early_only() -> None:
    p = _params()
    h = Hazards(p)
    fam = _table(4)
    fam.location[:] = int(Location.AT_HOME)
    fam.reason[:] = ABUSE
    fam.return_time[:] = 0.0
    fam.fragile[:] = [True, False, True, False]
    t = np.array([1.0, 1.0, 7.0, 7.0])  # two in the early months, two after (6 months)
    r = _rates(h, fam, t)[:, int(Clock.BREAKDOWN)]
    extra = -math.log(1.0 - p.after_return.early_failure_monthly)
    assert r[0] - r[1] == pytest.approx(extra, rel=1e-12)
    assert r[2] == pytest.approx(r[3], rel=1e-12)


# ---------------------------------------------------------------- repeated failure
@pytest.mark.parametrize("late", [False, True])
def test_each_further_failed_return_makes_going_home_less_likely(late: bool) -> None:
    p = _params()
    c = p.care
    c.return_after_failure_decay, c.reentry_early_restart = 0.4, 0.25
    h = Hazards(p)
    fam = _table(4)
    fam.location[:] = int(Location.IN_CARE)
    fam.reason[:] = ABUSE
    fam.episodes[:] = [1, 2, 3, 4]  # 0, 1, 2 and 3 failed returns
    fam.episode_start[:] = 0.0
    t = np.full(4, 8.0 if late else 1.0)
    r = _rates(h, fam, t)
    planned, unplanned = r[:, int(Clock.RETURN)], r[:, int(Clock.UNPLANNED_RETURN)]
    lm = c.return_late_multiplier
    restart = 1.0 if late else lm + (1.0 - lm) * 0.25  # early months: a quarter of the boost
    assert planned[1] / planned[0] == pytest.approx(c.reentry_return_multiplier * restart)
    assert planned[2] / planned[1] == pytest.approx(0.4)
    assert planned[3] / planned[2] == pytest.approx(0.4)
    assert unplanned[1] / unplanned[0] == pytest.approx(restart)
    assert unplanned[3] / unplanned[1] == pytest.approx(0.4 ** 2)


# ---------------------------------------------------------------- treatment
def test_a_parent_who_does_not_engage_gets_a_share_of_treatments_effect() -> None:
    p = _params()
    p.family.treatment_disengaged_share = 0.25
    h = Hazards(p)
    fam = _table(4)
    fam.location[:] = int(Location.AT_HOME)
    fam.return_time[:] = 0.0
    fam.present[:, 0] = True
    fam.unresolved[:2, 0] = True  # two misusing (resolution), two stopped (relapse)
    fam.treated[:] = True
    fam.treatment_start[:] = 0.0
    fam.treatment_end[:] = 9.0
    fam.engaged[:] = [True, False, True, False]
    r = _rates(h, fam, np.full(4, 2.0))[:, int(Clock.PROBLEM_SUBSTANCE)]
    s = p.support
    assert r[0] / r[1] == pytest.approx(s.treatment_resolution_rr
                                        / (1.0 + (s.treatment_resolution_rr - 1.0) * 0.25))
    assert r[2] / r[3] == pytest.approx(s.treatment_relapse_rr
                                        / (1.0 - (1.0 - s.treatment_relapse_rr) * 0.25))


# ---------------------------------------------------------------- index-return measures
def _ret(child: int, time: float, reason: int, age: float, end_kind: int = -1,
         end_time: float = math.nan, malt: float = math.nan, nth: int = 1) -> dict:
    return {"child": child, "time": time, "reason": reason, "age": age, "end_kind": end_kind,
            "end_time": end_time, "first_maltreatment": malt, "nth": nth}


def test_index_outcomes_count_each_child_once_from_its_index_return() -> None:
    start, end = 100.0, 220.0
    rows = [
        # child 1, neglect, 5 years old: a failed return before the period (history), the
        # index return at 110 breaks down at 120, a second return at 130 maltreated at 132
        _ret(1, 50.0, NEG, 40.0, END_REENTERED, 60.0, nth=1),
        _ret(1, 110.0, NEG, 60.0, END_REENTERED, 120.0, nth=2),
        _ret(1, 130.0, NEG, 80.0, malt=132.0, nth=3),
        # child 2, neglect: index at 105, maltreated at 140 (35 months: outside 24), open
        _ret(2, 105.0, NEG, 100.0, malt=140.0),
        # child 3, neglect, 15 at the return: not in the sources' population
        _ret(3, 110.0, NEG, 181.0, END_REENTERED, 111.0),
        # child 4, abuse: index at 150 (24-month measures only: 150 > 220 - 60); a failed
        # return at 150 -> 155 and another at 160 -> 170: two failed returns by 174
        _ret(4, 150.0, ABUSE, 30.0, END_REENTERED, 155.0, nth=1),
        _ret(4, 160.0, ABUSE, 36.0, END_REENTERED, 170.0, nth=2),
        # child 5, neglect: index at 120, the return fails at 170 (50 months: within 60,
        # not within 24); aged out afterwards in a later return
        _ret(5, 120.0, NEG, 20.0, END_REENTERED, 170.0),
        _ret(5, 175.0, NEG, 75.0, END_AGED_OUT, 200.0, nth=2),
    ]
    df = pd.DataFrame(rows)
    out = index_outcomes(df, start, end)
    # neglect, 24 months: children 1, 2, 5 (3 too old); broke down within 24: child 1
    assert out["index_children_24m_neglect"] == 3
    assert out["breakdown_24m_neglect"] == pytest.approx(1 / 3)
    # maltreated within 24 months of the index (in the index return or a later one): 1
    assert out["maltreated_24m_neglect"] == pytest.approx(1 / 3)
    # 60 months (index at or before 160): children 1, 2, 5; a failed return within 60: 1, 5
    assert out["index_children_60m_neglect"] == 3
    assert out["failed_return_any_60m_neglect"] == pytest.approx(2 / 3)
    # all reasons, 24 months: 1, 2, 4, 5; two or more failed returns in the history by
    # index + 24: child 1 (60 and 120), child 4 (155 and 170)
    assert out["failed_return_2plus_24m_index_all"] == pytest.approx(2 / 4)


def test_returns_per_child_reports_the_tail_and_its_end() -> None:
    rows = []
    for child, n in ((1, 1), (2, 5), (3, 9), (4, 2)):
        rows += [{"child": child, "nth": k, "time": 100.0 + k} for k in range(1, n + 1)]
    out = returns_per_child(pd.DataFrame(rows), 0.0, 500.0)
    assert out["returns_per_child_share_5plus"] == pytest.approx(0.5)
    assert out["returns_per_child_share_4plus"] == pytest.approx(0.5)
    assert out["returns_per_child_max"] == 9
