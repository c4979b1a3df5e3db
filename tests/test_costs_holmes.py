"""Costs reconciled with Holmes (issue 12): the price index, the cost of a failed return
counted as Holmes counts it, and the cost of the Holmes-design support package.

Each expectation is computed here by hand, independently of the code under test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.config import ModelConfig
from sim.schema import ConfigError
from sim.ledger import C
from sim.metrics import cost_comparison_metrics, failed_return_costs
from sim.model import RevolvingDoorModel
from sim.prices import (GDP_DEFLATOR_GROWTH, INDEX_SOURCES, NHSCII_PUBLISHED, PRICE_INDEX,
                        PSS_PUBLISHED, build_index, convert, is_published)


# ---------------------------------------------------------------------------- price index
# The published tables, typed by hand from the sources (not read from sim/prices.py):
# Curtis (2009) Unit Costs of Health and Social Care 2009, PSSRU, inflation indices Table 2,
# PSS pay & prices index, as corrected by PSSRU on 11 March 2010 (index points, by the
# financial year, keyed here by the year it ends in):
PSS_TABLE = {2007: 249.8, 2008: 257.0, 2009: 268.6}
# Jones et al. (2026) Unit Costs of Health and Social Care 2025 Manual, NHS Cost Inflation
# Index, pay & prices, annual per cent (2015/16 ... 2024/25):
NHSCII_TABLE = {2016: 0.40, 2017: 2.09, 2018: 1.24, 2019: 1.60, 2020: 2.14, 2021: 2.49,
                2022: 2.58, 2023: 7.32, 2024: 2.47, 2025: 4.02}
# the fill, 2009-10 to 2014-15: UK GDP deflator growth, rounded (per cent)
FILL = {2010: 2.9, 2011: 1.9, 2012: 1.6, 2013: 1.9, 2014: 1.7, 2015: 0.6}


def test_index_values_are_the_published_tables() -> None:
    for year, value in PSS_TABLE.items():
        assert PRICE_INDEX[year] == value and is_published(year)
    for year, pct in NHSCII_TABLE.items():
        assert PRICE_INDEX[year] / PRICE_INDEX[year - 1] == pytest.approx(1 + pct / 100,
                                                                            rel=1e-12)
        assert is_published(year)
    for year, pct in FILL.items():
        assert PRICE_INDEX[year] / PRICE_INDEX[year - 1] == pytest.approx(1 + pct / 100,
                                                                            rel=1e-12)
        assert not is_published(year) and INDEX_SOURCES[year].startswith("filled")
    assert sorted(PRICE_INDEX) == list(range(2007, 2026))


def test_conversion_both_ways_at_a_price_year_other_than_2024() -> None:
    # 2009 prices to 2019 prices, by hand: six filled years, then four published
    f = (1.029 * 1.019 * 1.016 * 1.019 * 1.017 * 1.006) * (1.0040 * 1.0209 * 1.0124 * 1.0160)
    assert convert(1000.0, 2009, 2019) == pytest.approx(1000.0 * f, rel=1e-12)
    assert convert(1000.0 * f, 2019, 2009) == pytest.approx(1000.0, rel=1e-12)
    # 2016 to 2023, published throughout: 2.09 1.24 1.60 2.14 2.49 2.58 7.32 %
    g = 1.0209 * 1.0124 * 1.0160 * 1.0214 * 1.0249 * 1.0258 * 1.0732
    assert convert(500.0, 2016, 2023) == pytest.approx(500.0 * g, rel=1e-12)
    assert convert(500.0, 2023, 2016) == pytest.approx(500.0 / g, rel=1e-12)
    # and published PSS levels among themselves
    assert convert(268.6, 2009, 2008) == pytest.approx(257.0)
    # the model's unit costs at price year 2019: the Scottish support cost (2009 prices)
    m = _tiny_model(price_year=2019)
    cp = m.config.params.costs
    assert m.unit_costs.support_per_month[3] == pytest.approx(cp.support_high_per_month * f)


def test_a_published_value_between_others_is_met_and_the_gap_scaled() -> None:
    pub = dict(PSS_PUBLISHED)
    pub[2012] = (290.0, "test")
    index, sources = build_index(pub, NHSCII_PUBLISHED, GDP_DEFLATOR_GROWTH)
    assert index[2009] == 268.6 and index[2012] == 290.0
    # 2010 and 2011 follow the fill growth, scaled evenly so the chain meets 2012
    raw = [1.029, 1.029 * 1.019, 1.029 * 1.019 * 1.016]
    k = (290.0 / 268.6) / raw[2]
    assert index[2010] == pytest.approx(268.6 * raw[0] * k ** (1 / 3), rel=1e-12)
    assert index[2011] == pytest.approx(268.6 * raw[1] * k ** (2 / 3), rel=1e-12)
    assert sources[2010].startswith("filled") and sources[2012].startswith("published")
    # after it, the fill and then the published growth chain on from 290.0
    assert index[2013] == pytest.approx(290.0 * 1.019, rel=1e-12)


@pytest.mark.parametrize("year", [2006, 2026, 1990])
def test_a_price_year_outside_the_index_is_a_clear_error(year: int) -> None:
    with pytest.raises(ValueError, match=f"price year {year} is outside the price index: "
                                         "allowed 2007-2025"):
        convert(1.0, year, 2024)
    with pytest.raises(ValueError, match=f"price year {year} is outside"):
        convert(1.0, 2024, year)


def test_a_run_or_cost_price_year_outside_the_index_is_refused_before_any_work() -> None:
    with pytest.raises(ConfigError, match="price_year"):
        ModelConfig.from_dict({"price_year": 2026})
    with pytest.raises(ConfigError, match="foster_price_year"):
        ModelConfig.from_dict({"params": {"costs": {"foster_price_year": 2003}}})


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
    assert m.config.price_year == 2024
    assert df.loc["total", "holmes_gbp"] == pytest.approx(105804.0)
    # Holmes 2014's published £61,614 (2014 prices), moved to 2024 by hand: the 2014-15
    # fill (GDP deflator 0.6%), then NHSCII 2015/16 to 2023/24
    f = 1.006 * 1.0040 * 1.0209 * 1.0124 * 1.0160 * 1.0214 * 1.0249 * 1.0258 * 1.0732 * 1.0247
    assert df.loc["holmes_2014_total", "holmes_gbp"] == pytest.approx(61614.0 * f, rel=1e-12)
    assert "61,614 in 2014 prices" in df.loc["holmes_2014_total", "note"]
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
        # no breakdown of any kind (issue 21's returns that fail within weeks included)
        "params": {"after_return": {"maltreatment_base": 0.0, "breakdown_other": 0.0,
                                    "early_failure_share": 0.0,
                                    "early_failure_share_unplanned": 0.0}},
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
