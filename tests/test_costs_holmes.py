"""Costs reconciled with Holmes (issue 12): the price index, the cost of a failed return
counted as Holmes counts it, and the cost of the Holmes-design support package.

Each expectation is computed here by hand, independently of the code under test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config import ModelConfig
from sim.ledger import C
from sim.metrics import cost_comparison_metrics, failed_return_costs
from sim.model import RevolvingDoorModel
from sim.prices import PRICE_INDEX, PSS_PUBLISHED, build_index, convert


# ---------------------------------------------------------------------------- price index
def test_published_values_are_used_as_published() -> None:
    # Unit Costs 2009 (corrected): 2006/07 249.8, 2007/08 257.0, 2008/09 268.6
    assert PRICE_INDEX[2007] == 249.8 and PRICE_INDEX[2008] == 257.0
    assert PRICE_INDEX[2009] == 268.6
    assert convert(1000.0, 2007, 2009) == pytest.approx(1000.0 * 268.6 / 249.8)
    assert convert(268.6, 2009, 2008) == pytest.approx(257.0)


def test_filled_years_chain_the_stated_growth() -> None:
    # by hand: 2008/09 = 268.6, then GDP deflator growth 2.9, 1.9, 1.6, 1.9, 1.7 % to 2014
    by_hand_2014 = 268.6 * 1.029 * 1.019 * 1.016 * 1.019 * 1.017
    assert PRICE_INDEX[2014] == pytest.approx(by_hand_2014, rel=1e-12)
    # 2014 -> 2024: 0.6 2.1 1.8 2.1 2.1 5.1 -0.3 5.2 7.0 3.5 %
    f = 1.006 * 1.021 * 1.018 * 1.021 * 1.021 * 1.051 * 0.997 * 1.052 * 1.070 * 1.035
    assert convert(61000.0, 2014, 2024) == pytest.approx(61000.0 * f, rel=1e-12)
    # before the first published value: 2% a year back
    assert PRICE_INDEX[2005] == pytest.approx(249.8 / 1.02 ** 2, rel=1e-12)


def test_a_published_value_between_others_is_met_and_the_gap_scaled() -> None:
    pub = dict(PSS_PUBLISHED)
    pub[2012] = (290.0, "test")
    index, sources = build_index(pub)
    assert index[2009] == 268.6 and index[2012] == 290.0
    # 2010 and 2011 follow the fill growth, scaled evenly so the chain meets 2012
    raw = [1.029, 1.029 * 1.019, 1.029 * 1.019 * 1.016]
    k = (290.0 / 268.6) / raw[2]
    assert index[2010] == pytest.approx(268.6 * raw[0] * k ** (1 / 3), rel=1e-12)
    assert index[2011] == pytest.approx(268.6 * raw[1] * k ** (2 / 3), rel=1e-12)
    assert sources[2010].startswith("filled") and sources[2012].startswith("published")


def test_a_year_outside_the_index_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="price year 1990 not in the price index"):
        convert(1.0, 1990, 2024)


# ---------------------------------------------------------------- Holmes' failed return
def _tiny_model(**policy: object) -> RevolvingDoorModel:
    """A model with no random entries: families are placed by hand."""
    cfg = ModelConfig.from_dict({
        "scale": 0.01, "seed": 1, "years": 2, "warmup_years": 1,
        "params": {"entry": {"children_per_year": 1000.0}},
        "councils": {"mode": "listed", "n": 1, "listed": [{"name": "A", "size_share": 1.0}]}, **policy})
    return RevolvingDoorModel(cfg)


def test_failed_return_cost_against_a_hand_built_scenario() -> None:
    m = _tiny_model()
    ms, me = m.config.measure_start, m.config.total_months
    # the ledger: placements and care planning over the measured period, re-entry process
    amounts = m.ledger.amounts
    amounts[ms:me] = 0.0
    amounts[ms, 0, C["placement_foster"]] = 30000.0
    amounts[ms, 0, C["process_care_planning"]] = 2000.0
    amounts[ms, 0, C["process_reentry"]] = 9000.0
    # 10 child-months in care; 3 children re-entered
    from sim.records import FLOW_FIELDS, STOCK_FIELDS, ReturnRecord
    m.timeseries.stocks[:] = 0
    m.timeseries.flows[:] = 0
    m.timeseries.stocks[ms, 0, STOCK_FIELDS.index("children_in_care")] = 10
    m.timeseries.flows[ms, 0, FLOW_FIELDS.index("reentries")] = 3
    m.records.returns.clear()

    def ret(child: int, time: float, nth: int, end: float, kind: int, age: float) -> None:
        r = ReturnRecord(child, 100 + child, 0, time, 0, nth, time, False, 0)
        r.end_time, r.end_kind, r.age, r.care_order = end, kind, age, False
        m.records.returns.append(r)

    t0 = float(ms)
    # child 1: re-enters at t0+1, goes home again 2 months later (then stays)
    ret(1, t0, 1, t0 + 1, 1, 60.0)
    ret(1, t0 + 3, 2, math.nan, 0, 63.0)
    # child 2: re-enters at t0+2 and stays in care beyond the 12-month horizon
    ret(2, t0, 1, t0 + 2, 1, 100.0)
    # child 3: re-enters at t0+1, adopted 4.5 months later (an episode ending of its own)
    ret(3, t0, 1, t0 + 1, 1, 30.0)
    m.records.episode_end(t0 + 5.5, 0, 0, __import__("sim.agents.child",
                          fromlist=["ExitKind"]).ExitKind.ADOPTED, age=35.5)
    # a re-entry too late to be followed for 12 months does not count
    ret(4, t0, 1, me - 6.0, 1, 40.0)
    # the episodes of care the re-entries started (the model's episode log): child 1's ends
    # with its return at t0+3, child 3's with the adoption, children 2's and 4's are open
    from sim.agents.child import ExitKind
    from sim.records import EpisodeLog

    m.records.episodes = EpisodeLog()
    for child, t in ((1, t0 + 1), (2, t0 + 2), (3, t0 + 1), (4, me - 6.0)):
        m.records.episodes.start(child, t, 0, 0.0, 0, False, 0)
    m.records.episodes.end(1, t0 + 3, int(ExitKind.RETURNED_HOME))
    m.records.episodes.end(3, t0 + 5.5, int(ExitKind.ADOPTED))
    df = failed_return_costs(m).set_index("component")
    # by hand: per child-month 3000 placement + 200 planning; per re-entry 3000 process;
    # months in care within 12: 2, 12, 4.5 -> mean 18.5/3
    months = (2.0 + 12.0 + 4.5) / 3
    assert df.loc["reentry_process", "model_gbp"] == pytest.approx(3000.0)
    assert df.loc["placement_12m", "model_gbp"] == pytest.approx(months * 3000.0)
    assert df.loc["care_planning_12m", "model_gbp"] == pytest.approx(months * 200.0)
    assert df.loc["total", "model_gbp"] == pytest.approx(3000.0 + months * 3200.0)
    assert df.loc["full_year_at_model_unit_costs", "model_gbp"] == pytest.approx(
        3000.0 + 12 * 3200.0)
    assert df.loc["total", "holmes_gbp"] == pytest.approx(
        convert(105804.0, 2024, m.config.price_year))
    metrics = cost_comparison_metrics(m, df.reset_index())
    assert metrics["failed_return_cost_holmes_gbp"] == pytest.approx(3000.0 + months * 3200.0)


# --------------------------------------------------------------- Holmes-design support
def test_holmes_package_cost_per_family_against_an_independent_calculation() -> None:
    """A run in which no return breaks down (no maltreatment, no other breakdown) and
    councils give no support of their own: every supported family keeps its package for
    its whole length, unless its children all turn 18 or the run ends first. The expected
    cost per family is computed from the records alone: each month-end a family is
    supported is charged its level's package cost over the package length (2024 prices)."""
    months = {1: 6, 2: 12, 3: 12}
    cfg = ModelConfig.from_dict({
        "scale": 0.05, "seed": 2, "years": 2, "warmup_years": 1, "price_year": 2024,
        "params": {"after_return": {"maltreatment_base": 0.0, "breakdown_other": 0.0}},
        "councils": {"mode": "listed", "n": 1, "listed": [{"name": "A", "size_share": 1.0,
                                 "practice": {"support_share": 0.0}}]},
        "policy": {"support": {"kind": "entitlement", "fixed_levels": True,
                               "holmes_costs": True, "assessment_cost": 0.0,
                               "low_need_months": months[1], "medium_months": months[2],
                               "high_months": months[3]}}})
    m = RevolvingDoorModel(cfg)
    m.run()
    cp = cfg.params.costs
    package = {1: cp.holmes_low_package / cp.holmes_low_months,
               2: cp.holmes_medium_package / cp.holmes_package_months,
               3: cp.holmes_high_package / cp.holmes_package_months}
    ms, me = cfg.measure_start, cfg.total_months
    ret = m.records.returns_frame()
    assert not (ret["end_kind"] == 1).any()  # no re-entries: every package runs its course
    fam = ret[(ret["time"] >= ms) & (ret["time"] < me)].groupby(["family", "time"])
    expected, n = 0.0, 0
    for (_, t0), g in fam:
        level = int(g["support_level"].iloc[0])
        if level == 0:
            continue
        n += 1
        end = t0 + months[level]
        if (g["end_kind"] == 2).all():  # all the children turned 18 at home
            end = min(end, float(g["end_time"].max()))
        month_ends = [k for k in range(ms, me) if t0 < k + 1 < end]
        expected += package[level] * len(month_ends) * m.councils[0].cost_multiplier
    assert n > 20
    got = cost_comparison_metrics(m)["support_cost_per_supported_family_gbp"]
    assert got == pytest.approx(expected / n, rel=1e-9)
    # and close to the packages' mean (truncation by the end of the run aside)
    assert 1644.0 <= got <= cp.holmes_high_package


def test_holmes_design_keeps_the_level_when_problems_change() -> None:
    m = _tiny_model(policy={"support": {"kind": "entitlement", "fixed_levels": True,
                                        "holmes_costs": True}})
    tr = m.transitions
    from sim.agents.child import EntryReason
    t = float(m.config.measure_start)
    row = tr.new_family(0, t - 2.0, EntryReason.NEGLECT, [4.0], [True, False, False], False)
    f, at = np.array([row]), lambda x: np.array([x])
    fam = m.family_view(row)
    fam.unresolved = [True, False, False]
    tr.return_home(f, at(t))
    assert fam.support_level == 3 and fam.support_until == t + 12
    fam.unresolved = [False, False, False]
    tr.reassess_support(f, at(t + 1))
    assert fam.support_level == 3  # not reassessed
    tr.end_support(f, at(t + 12))
    assert fam.support_level == 0 and int(fam.support_mode) == 0  # no resumption


def test_scottish_intensive_support_is_converted_from_its_own_price_year() -> None:
    m = _tiny_model(price_year=2024)
    cp = m.config.params.costs
    assert cp.support_high_price_year == 2009
    assert m.unit_costs.support_per_month[3] == pytest.approx(
        cp.support_high_per_month * PRICE_INDEX[2024] / PRICE_INDEX[2009])
    assert np.isclose(m.unit_costs.support_per_month[1], cp.support_low_per_month)
