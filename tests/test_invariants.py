"""Invariants that must hold every month (issue 2)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from sim.agents.council import count_caseloads
from sim.agents.child import Child, ChildState
from sim.agents.family import Family, Location
from sim.ledger import COMPONENTS, GROUPS
from sim.model import RevolvingDoorModel
from sim.records import FLOW_FIELDS, STOCK_FIELDS

from conftest import tiny


def test_monthly_invariants_hold() -> None:
    model = RevolvingDoorModel(tiny(seed=5, policy={
        "support": {"kind": "entitlement"},
        "monitoring": {"kind": "minimum_months", "min_months": 6}}))
    flow = {n: i for i, n in enumerate(FLOW_FIELDS)}
    prev_in_care = 0
    checked = 0
    while model.running:
        model.step()
        m = model.month - 1
        children = list(model.agents_by_type.get(Child, []))
        states = Counter(c.state for c in children)
        # each child belongs to exactly one family, and is where its family is
        families = list(model.agents_by_type.get(Family, []))
        members = [c.unique_id for f in families for c in f.children]
        assert len(members) == len(set(members))
        assert set(members) >= {c.unique_id for c in children if c.state in (
            ChildState.IN_CARE, ChildState.HOME_AFTER_RETURN)}
        for f in families:
            for c in f.children:
                if c.state == ChildState.IN_CARE:
                    assert f.location == Location.IN_CARE, (f.unique_id, c.unique_id)
                elif c.state == ChildState.HOME_AFTER_RETURN:
                    assert f.location == Location.AT_HOME, (f.unique_id, c.unique_id)
        # the councils' counts agree with the agents
        in_care = sum(c.children_in_care for c in model.councils)
        home = sum(c.home_after_return for c in model.councils)
        assert in_care == states[ChildState.IN_CARE]
        assert home == states[ChildState.HOME_AFTER_RETURN]
        assert sum(c.open_cases for c in model.councils) == sum(f.case_open for f in families)
        assert sum(sum(c.supported) for c in model.councils) == sum(
            f.support_level > 0 for f in families)
        assert all(f.location != Location.GONE for f in families)
        # ... and, council by council, placement by placement and level by level, the counts
        # the transitions keep equal a recount of the rows
        assert (count_caseloads(model) == model.caseloads).all(), m
        # stock change equals entries minus exits
        f = model.timeseries.flows[m].sum(axis=0)
        change = f[flow["entries"]] + f[flow["reentries"]] - f[flow["returns"]] - \
            f[flow["exits_other"]]
        assert in_care - prev_in_care == change, m
        prev_in_care = in_care
        # every cost non-negative
        assert (model.ledger.amounts[m] >= 0).all()
        checked += 1
    assert checked == model.config.total_months
    assert model.records.returns, "the run should have returns home"


def test_ledger_components_sum_to_total() -> None:
    import sim

    res = sim.run(tiny(seed=2, policy={"treatment": {"kind": "access", "share": 0.5}}))
    m = res.metrics
    assert np.isclose(m["cost_placement_gbp"] + m["cost_process_gbp"] + m["cost_after_return_gbp"],
                      m["cost_total_gbp"], rtol=1e-12)
    assert np.isclose(m["cost_monitoring_gbp"] + m["cost_support_gbp"] + m["cost_treatment_gbp"],
                      m["cost_after_return_gbp"], rtol=1e-12)
    assert set(sum(GROUPS.values(), ())) <= set(COMPONENTS)
    ts = res.timeseries
    parts = ts[[f"cost_{c}_gbp" for c in COMPONENTS]].sum(axis=1)
    assert np.allclose(parts, ts["cost_total_gbp"])
    assert np.isclose(ts["cost_total_gbp"].sum() / 0.02, m["cost_total_gbp"], rtol=1e-9)
    assert (ts[[c for c in ts.columns if c.startswith("cost_")]] >= 0).all().all()
    for name in STOCK_FIELDS + FLOW_FIELDS:
        assert name in ts.columns
