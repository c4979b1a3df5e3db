"""Every price conversion at price years other than 2024 (issue 23, survivor 5).

At 2024 prices, the year most unit costs are stated in, a conversion reversed or skipped
changes nothing. Here the run's price year is 2019 or 2013 and each unit cost is checked
against a hand computation: the amount times ``PRICE_INDEX[run year] / PRICE_INDEX[the
year the cost is stated in]``, with the years of each cost written out here (not taken
from the code that converts). The index's values are whatever :data:`PRICE_INDEX` holds,
so these tests do not change when a published value is added to it.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import ModelConfig
from sim.ledger import C, UnitCosts
from sim.model import RevolvingDoorModel
from sim.prices import PRICE_INDEX

YEARS = (2013, 2019)


def _at(amount: float, stated: int, run_year: int) -> float:
    return amount * PRICE_INDEX[run_year] / PRICE_INDEX[stated]


@pytest.mark.parametrize("run_year", YEARS)
def test_every_unit_cost_is_moved_from_its_own_year(run_year: int) -> None:
    p = ModelConfig.from_dict({}).params.costs
    # a price year of its own for every group of costs (hand-chosen, all different), so a
    # cost converted from another group's year shows too
    years = {"foster_price_year": 2010, "residential_price_year": 2011,
             "kinship_price_year": 2012, "process_price_year": 2014,
             "support_price_year": 2015, "support_high_price_year": 2009,
             "treatment_price_year": 2016, "holmes_price_year": 2024}
    p = type(p)(**{**p.__dict__, **years})
    u = UnitCosts.from_params(p, run_year)
    assert u.price_year == run_year
    assert u.placement_per_month == pytest.approx((
        _at(p.foster_per_year / 12, 2010, run_year),
        _at(p.residential_per_year / 12, 2011, run_year),
        _at(p.kinship_per_year / 12, 2012, run_year)), rel=1e-12)
    for field in ("entry_decision", "care_proceedings", "care_planning_per_month",
                  "return_home", "reentry_process", "monitoring_per_month"):
        assert getattr(u, field) == pytest.approx(_at(getattr(p, field), 2014, run_year),
                                                  rel=1e-12), field
    assert u.support_per_month == pytest.approx((
        0.0, _at(p.support_low_per_month, 2015, run_year),
        _at(p.support_medium_per_month, 2015, run_year),
        _at(p.support_high_per_month, 2009, run_year)), rel=1e-12)
    assert u.treatment_episode == pytest.approx(_at(p.treatment_episode, 2016, run_year),
                                                rel=1e-12)
    # Holmes' packages: a package over its months, from Holmes' 2024 prices
    assert u.holmes_support_per_month == pytest.approx((
        0.0, _at(p.holmes_low_package / p.holmes_low_months, 2024, run_year),
        _at(p.holmes_medium_package / p.holmes_package_months, 2024, run_year),
        _at(p.holmes_high_package / p.holmes_package_months, 2024, run_year)), rel=1e-12)


def _model(run_year: int, support: dict[str, object]) -> RevolvingDoorModel:
    return RevolvingDoorModel(ModelConfig.from_dict({
        "scale": 0.01, "seed": 1, "years": 2, "warmup_years": 1, "price_year": run_year,
        "councils": {"mode": "listed", "n": 1, "listed": [{"name": "A", "size_share": 1.0}]},
        "policy": {"support": support}}))


@pytest.mark.parametrize("run_year, stated", [(2019, 2024), (2013, 2024), (2024, 2014),
                                              (2019, 2014)])
def test_the_assessment_is_charged_in_the_runs_price_year(run_year: int, stated: int) -> None:
    m = _model(run_year, {"kind": "entitlement", "assessment_cost": 1000.0,
                          "assessment_price_year": stated})
    from sim.agents.child import EntryReason

    tr = m.transitions
    t = float(m.config.measure_start) + 0.5
    rows = [tr.new_family(0, t - 3.0, EntryReason.NEGLECT, [4.0], [False, False, False],
                          False) for _ in range(3)]
    month = int(t)
    before = float(m.ledger.amounts[month, 0, C["support"]])
    policy = next(p for p in m.policies if p.lever == "support")
    tr.entitle_support(np.array(rows), np.array([t] * 3), policy)  # type: ignore[arg-type]
    booked = float(m.ledger.amounts[month, 0, C["support"]]) - before
    # by hand: three assessments of 1000 in the stated year, at the council's cost level
    assert booked == pytest.approx(3 * _at(1000.0, stated, run_year)
                                   * m.councils[0].cost_multiplier, rel=1e-12)


@pytest.mark.parametrize("run_year", YEARS)
def test_holmes_packages_are_charged_in_the_runs_price_year(run_year: int) -> None:
    m = _model(run_year, {"kind": "entitlement", "holmes_costs": True, "fixed_levels": True})
    p = m.config.params.costs
    medium = _at(p.holmes_medium_package / p.holmes_package_months, 2024, run_year)
    assert p.holmes_price_year == 2024
    assert m.unit_costs.support_per_month[2] == pytest.approx(medium, rel=1e-12)
    assert m.unit_costs.support_per_month[1] == pytest.approx(
        _at(p.holmes_low_package / p.holmes_low_months, 2024, run_year), rel=1e-12)
    assert m.unit_costs.support_per_month[3] == pytest.approx(
        _at(p.holmes_high_package / p.holmes_package_months, 2024, run_year), rel=1e-12)


@pytest.mark.parametrize("run_year", YEARS)
def test_holmes_failed_return_figure_in_the_runs_price_year(run_year: int) -> None:
    from sim import metrics

    m = _model(run_year, {"kind": "status_quo"})
    df = metrics.failed_return_costs(m).set_index("component")
    amount, stated = metrics.HOLMES_FAILED_RETURN
    assert stated == 2024
    assert df.loc["total", "holmes_gbp"] == pytest.approx(_at(amount, 2024, run_year),
                                                          rel=1e-12)
