"""The engine's transitions on hand-made families (issue 23: survivors of mutation testing
of ``sim/transitions.py``): assessed need, the checkpoints of a family at home, support
ending and entitlement, and a family seeded at home from data. The expectations are the
model's documented rules applied by hand; no parameter value is assumed (each test sets
what it needs), so they survive a recalibration."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.agents.child import EntryReason
from sim.agents.family import SupportMode
from sim.initial_stock import COLUMNS
from sim.model import RevolvingDoorModel

INF = float("inf")


def _model(**practice: Any) -> RevolvingDoorModel:
    return RevolvingDoorModel({
        "scale": 0.01, "seed": 3, "years": 2, "warmup_years": 0,
        "params": {"entry": {"children_per_year": 1000.0}},
        "councils": {"mode": "listed", "listed": [
            {"name": "A", "size_share": 1.0, "practice": practice}]}})


def _families(m: RevolvingDoorModel, n: int) -> np.ndarray:
    tr = m.transitions
    return np.array([tr.new_family(0, -20.0, EntryReason.OTHER, [8.0], [False] * 3, False)
                     for _ in range(n)])


def test_assessed_need_from_the_parents_problems() -> None:
    m = _model()
    try:
        # substance misuse, domestic abuse, mental health unresolved -> need, by the rule:
        # none low (1); one other than substance misuse medium (2); two, or substance, high
        table = {(0, 0, 0): 1, (0, 1, 0): 2, (0, 0, 1): 2, (1, 0, 0): 3, (0, 1, 1): 3,
                 (1, 1, 1): 3, (1, 1, 0): 3}
        f = _families(m, len(table))
        m.families.unresolved[f] = np.array(list(table), dtype=bool)
        assert list(m.transitions.need_level(f)) == list(table.values())
    finally:
        m.release()


def _at_home(m: RevolvingDoorModel, n: int, t: float = 1.0) -> np.ndarray:
    f = _families(m, n)
    m.transitions.return_home(f, np.full(n, t))
    return f


def test_checkpoints_close_end_and_start_at_their_times() -> None:
    m = _model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    try:
        F, tr = m.families, m.transitions
        f = _at_home(m, 4)
        assert F.case_open[f].all() and (F.close_at[f] == 7.0).all()
        # a: substance misuse unresolved, closing with concerns allowed; b: a problem
        # unresolved, closing with concerns not allowed; c: no problem, not allowed (none
        # to be concerned about); d: checked before its time
        F.unresolved[f[0]] = [True, False, False]
        F.unresolved[f[1]] = [False, True, False]
        F.close_with_concerns[f] = [True, False, False, True]
        F.treatment_due[f] = [7.0, INF, INF, 9.0]
        tr.checkpoints(f[:3], np.full(3, 7.0))
        tr.checkpoints(f[3:], np.array([6.5]))
        assert list(F.case_open[f]) == [False, True, False, True]
        # treatment due exactly then starts
        assert F.treatment_start[f[0]] == 7.0 and F.treatment_start[f[3]] == INF
    finally:
        m.release()


def test_support_ending_keeps_an_entitled_family_entitled() -> None:
    m = _model(support_share=0.0)
    try:
        F, tr = m.families, m.transitions
        f = _at_home(m, 2)
        tr.set_support(f[:1], 1, int(SupportMode.STATUS_QUO), 4.0)
        tr.set_support(f[1:], 2, int(SupportMode.ENTITLED), 4.0)
        tr.end_support(f, np.full(2, 4.0))
        assert list(F.support_level[f]) == [0, 0]
        assert list(F.support_mode[f]) == [int(SupportMode.NONE), int(SupportMode.ENTITLED)]
        assert (F.support_until[f] == INF).all()
    finally:
        m.release()


def test_entitlement_sets_its_cap_taper_and_lengths_and_matches_need() -> None:
    from sim.policies.support_entitlement import SupportEntitlement

    m = _model(support_share=0.0)
    try:
        F, tr = m.families, m.transitions
        f = _at_home(m, 2, t=2.0)
        F.unresolved[f[1]] = [True, False, False]  # substance misuse: high need
        policy = SupportEntitlement(cap_months=12, low_need_months=5, taper_months=2,
                                    assessment_cost=0.0, assessment_price_year=2024,
                                    fixed_levels=False, medium_months=7, high_months=9,
                                    holmes_costs=False)
        tr.entitle_support(f, np.full(2, 2.0), policy)
        assert list(F.support_cap_at[f]) == [14.0, 14.0]
        assert list(F.support_taper[f]) == [2.0, 2.0]
        assert list(F.support_low_months[f]) == [5.0, 5.0]
        assert F.support_months_by_level[f[0]].tolist() == [0.0, 5.0, 7.0, 9.0]
        assert list(F.support_mode[f]) == [int(SupportMode.ENTITLED)] * 2
        assert list(F.support_level[f]) == [1, 3]
        uncapped = SupportEntitlement(cap_months=None, low_need_months=5, taper_months=0,
                                      assessment_cost=0.0, assessment_price_year=2024,
                                      fixed_levels=False, medium_months=7, high_months=9,
                                      holmes_costs=False)
        tr.entitle_support(f[:1], np.array([2.0]), uncapped)
        assert F.support_cap_at[f[0]] == INF
    finally:
        m.release()


def _seeded(age_months: float, return_time: float, unresolved: int = 0) -> dict[str, Any]:
    return {"council": 0, "location": "at_home", "reason": int(EntryReason.OTHER),
            "age_months": age_months, "care_order": False, "placement": -1,
            "period_start": return_time - 10.0, "return_time": return_time,
            "unplanned": False, "episodes": 1, "returns": 1,
            "first_return_time": return_time, "problems": unresolved,
            "unresolved": unresolved, "frailty": 1.0}


def test_a_family_seeded_at_home_is_as_at_a_return_seen_at_month_0() -> None:
    m = _model(monitoring_months=6, support_share=1.0, treatment_share=1.0)
    try:
        # ages at month 0 and returns: 8 years at the return; 5.5; exactly 6 (not over 6);
        # a return 5.5 months ago (its case open for half a month more), with substance
        # misuse unresolved (bit 1)
        rows = [_seeded(100.0, -4.0), {**_seeded(70.0, -4.0), "first_return_time": -30.0},
                _seeded(76.0, -4.0), _seeded(100.0, -5.5, unresolved=1)]
        table = pd.DataFrame([{"family": i, **r} for i, r in enumerate(rows)])
        m.seed_population(table.astype(COLUMNS))
        F, ch = m.families, m.children_table
        f = np.arange(4)
        assert list(F.over6_at_return[f]) == [True, False, False, True]
        assert list(F.substance_at_return[f]) == [False, False, False, True]
        assert list(F.case_open[f]) == [True, True, True, True]
        assert F.close_at[f[3]] == pytest.approx(0.5)
        # the council's usual support (everyone here) is its low level, until the closing
        assert list(F.support_level[f]) == [1, 1, 1, 1]
        # treatment only for substance misuse, however high the council's share
        assert list(F.treated[f]) == [False, False, False, True]
        assert F.treatment_start[f[3]] == -5.5
        kids = F.kids[f, 0]
        assert list(ch.state_since[kids]) == [-4.0, -4.0, -4.0, -5.5]
        assert m.councils[0].home_after_return == 4
        # each return's record: at its time, with the child's first return (its own when
        # none earlier is known)
        ret = m.records.returns_frame().sort_values("family")
        assert list(ret["time"]) == [-4.0, -4.0, -4.0, -5.5]
        assert list(ret["first_return"]) == [-4.0, -30.0, -4.0, -5.5]
        # each family's own draws (keyed by the family), not one for all
        assert len(set(F.u_support[f].tolist())) == 4
    finally:
        m.release()
