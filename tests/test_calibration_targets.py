"""The baseline reproduces the published targets within their tolerances (issues 2 and 12),
and passes the plausibility checks that the earlier model failed (issue 12).

Issue 21 put the case-file targets on their sources' population (neglected children's
index returns) and retired the "two or more failed returns" target; a target the fit
misses would be listed in :data:`KNOWN_MISSES` with its reason, and any other miss fails.
The seed (7) is not one the calibration used (``--seed S`` fits on seeds S*1000 + i and
checks on S*1000 + 500 + i).

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


#: Targets the current fit misses, each with its reason (docs/calibration.md). Issue 21's
#: fit is to meet every target: none is excused.
KNOWN_MISSES: dict[str, str] = {}


@pytest.mark.slow
def test_baseline_reproduces_every_target() -> None:
    res = sim.run({"scale": 0.25, "seed": 7})
    table = calibration_table(res.metrics)
    print("\n" + table.to_string(index=False))
    misses = table[~table["within"]]
    unexpected = misses[~misses["metric"].isin(list(KNOWN_MISSES))]
    assert unexpected.empty, unexpected.to_string(index=False)
    assert set(KNOWN_MISSES) <= set(table["metric"])  # the misses are still reported
    assert len(table) == len(TARGETS)
    # the system is of England's size: about 65,000 children in care (DfE 2011, A)
    assert 50_000 <= res.metrics["children_in_care_end"] <= 80_000
    assert not any(math.isnan(v) for v in table["simulated"])
    # plausibility (issue 12): few children cycle four or more times, and re-entered
    # children do not go straight home again as a rule
    m = res.metrics
    assert m["returns_per_child_share_4plus"] < 0.05, m["returns_per_child_share_4plus"]
    # issue 21: no endless cycling
    assert m["returns_per_child_share_5plus"] < 0.002, m["returns_per_child_share_5plus"]
    assert m["returns_per_child_max"] <= 8, m["returns_per_child_max"]
    assert m["home_again_3m_after_reentry_share"] < 0.5, m["home_again_3m_after_reentry_share"]
