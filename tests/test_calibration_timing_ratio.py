"""The calibration's timing of re-entry, 12 months over 60, on hand-made records (issue 23,
survivor 6).

Ten returns home, all followed for 100 months, re-entering care after known times: the
share re-entered by any month is a count, so the ratio is known without the estimator.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.agents.child import EntryReason
from sim.calibration import targets
from sim.metrics import END_REENTERED, reentry_curve

#: months from the return to re-entry (None: still at home when the run ends)
_REENTRY_AFTER = [6.0, 6.0, 11.5, 30.0, 59.0, 65.0, 70.0, None, None, None]


def _results(after: list[float | None]) -> SimpleNamespace:
    t0, t_end = 10.0, 110.0
    returns = pd.DataFrame({
        "time": [t0] * len(after),
        "end_time": [math.nan if a is None else t0 + a for a in after],
        "end_kind": [0 if a is None else END_REENTERED for a in after],
        "reason": [int(EntryReason.NEGLECT)] * len(after)})
    model = SimpleNamespace(config=SimpleNamespace(total_months=t_end))
    return SimpleNamespace(metrics={}, reentry_curve=reentry_curve(model, returns))  # type: ignore[arg-type]


def test_timing_ratio_is_twelve_months_over_sixty() -> None:
    out = targets.run_metrics(_results(_REENTRY_AFTER))
    # by hand: 3 of 10 back in care by 12 months, 5 by 60 (7 by 72, which is not used)
    assert out[targets.TIMING_METRIC] == pytest.approx(0.3 / 0.5)
    assert out["reentry_60m"] == pytest.approx(0.5)


def test_timing_ratio_counts_a_reentry_at_exactly_twelve_and_sixty_months() -> None:
    out = targets.run_metrics(_results([12.0, 60.0, 61.0, None]))
    # by hand: 1 of 4 by 12 months (inclusive), 2 by 60
    assert out[targets.TIMING_METRIC] == pytest.approx(0.25 / 0.5)


def test_timing_ratio_is_undefined_without_reentries_by_sixty_months() -> None:
    out = targets.run_metrics(_results([65.0, None, None]))
    assert math.isnan(out[targets.TIMING_METRIC]) and out["reentry_60m"] == 0.0
