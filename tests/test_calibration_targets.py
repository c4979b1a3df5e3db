"""The baseline reproduces every published target within its tolerance (issues 2 and 12),
and passes the plausibility checks that the earlier model failed (issue 12).

The seed's claim that council practice, more than need, decides who goes home is no
longer asserted here: with the council spread narrowed to what a source supports (issue
12), it is reported by the council_variation experiment, whichever way it goes.

Run at a quarter of England, so that sampling noise (a few thousand returns, about 1,000
neglected children's first returns) is well inside the tolerances.
"""

from __future__ import annotations

import math

import pytest

import sim
from sim.metrics import TARGETS, calibration_table


@pytest.mark.slow
def test_baseline_reproduces_every_target() -> None:
    res = sim.run({"scale": 0.25, "seed": 1})
    table = calibration_table(res.metrics)
    print("\n" + table.to_string(index=False))
    misses = table[~table["within"]]
    assert misses.empty, misses.to_string(index=False)
    assert len(table) == len(TARGETS)
    # the system is of England's size: about 65,000 children in care (DfE 2011, A)
    assert 50_000 <= res.metrics["children_in_care_end"] <= 80_000
    assert not any(math.isnan(v) for v in table["simulated"])
    # plausibility (issue 12): few children cycle four or more times, and re-entered
    # children do not go straight home again as a rule
    m = res.metrics
    assert m["returns_per_child_share_4plus"] < 0.05, m["returns_per_child_share_4plus"]
    assert m["home_again_3m_after_reentry_share"] < 0.5, m["home_again_3m_after_reentry_share"]
