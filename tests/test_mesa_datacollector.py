"""A user's own Mesa ``DataCollector`` works on the model (issue 15: the agents users meet
stay Mesa agents, though their state lives in the model's arrays).

The model writes its own month-end stocks (``timeseries.csv``) and needs no DataCollector;
this test is for a user who attaches one from a notebook, with model, agent and agent-type
reporters, as in Mesa's tutorials. What it collects is checked against the model's own
monthly stocks, counted by another path (the transitions' council counts)."""

from __future__ import annotations

from collections import Counter

import mesa

from sim.agents.child import Child, ChildState
from sim.agents.council import LocalAuthority
from sim.model import RevolvingDoorModel

from conftest import tiny


def test_a_users_datacollector_sees_the_agents_the_model_counts() -> None:
    model = RevolvingDoorModel(tiny(seed=8))
    dc = mesa.DataCollector(
        model_reporters={"in_care": lambda m: m.children_in_care()},
        agent_reporters={"kind": lambda a: type(a).__name__},
        agenttype_reporters={Child: {"state": "state"},
                             LocalAuthority: {"thoroughness": "thoroughness"}})
    months = 36
    for _ in range(months):
        model.step()
        dc.collect(model)

    model_df = dc.get_model_vars_dataframe()
    assert len(model_df) == months
    stocks = model.timeseries.stocks[:months, :, 0].sum(axis=1)  # timeseries.csv's column
    assert model_df["in_care"].tolist() == stocks.tolist()
    assert model_df["in_care"].iloc[-1] > 0

    # Child agents seen by the collector at each month: those in care match the stock
    children = dc.get_agenttype_vars_dataframe(Child).reset_index()
    in_care = Counter(children.loc[children["state"] == ChildState.IN_CARE, "Step"])
    steps = sorted(children["Step"].unique())
    assert [in_care[s] for s in steps] == model_df["in_care"].tolist()

    # every council is collected every month, with its practice (read from the arrays)
    councils = dc.get_agenttype_vars_dataframe(LocalAuthority).reset_index()
    assert len(councils) == months * len(model.councils)
    last = councils[councils["Step"] == councils["Step"].max()]
    assert sorted(last["thoroughness"]) == sorted(c.thoroughness for c in model.councils)

    kinds = dc.get_agent_vars_dataframe().reset_index()
    final = Counter(kinds.loc[kinds["Step"] == kinds["Step"].max(), "kind"])
    assert final["LocalAuthority"] == len(model.councils)
    assert final["Child"] == model.children_in_care() + model.children_home_after_return()
    assert final["Family"] > 0
