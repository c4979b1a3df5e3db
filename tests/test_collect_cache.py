"""Values built from a run's records once and reused (``Records.derived``: the measured
period's returns and endings, the re-entry curve; issue 25): collecting a run twice gives
the same results, and a run collected half way, then run on, gives the results of the
same run never looked at before its end (the values are rebuilt when the records grow)."""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.model import RevolvingDoorModel
from sim.results import collect

CFG = {"scale": 0.02, "seed": 6, "years": 3, "warmup_years": 2}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(
        (isinstance(a[k], float) and isinstance(b[k], float) and math.isnan(a[k])
         and math.isnan(b[k])) or a[k] == b[k] for k in a)


def test_collecting_twice_gives_the_same_results() -> None:
    model = RevolvingDoorModel(CFG).run()
    first, second = collect(model), collect(model)
    assert _same(first.metrics, second.metrics)
    pd.testing.assert_frame_equal(first.reentry_curve, second.reentry_curve)
    pd.testing.assert_frame_equal(first.councils, second.councils)
    first.reentry_curve.loc[:, "share_reentered"] = -1.0  # a user's change to their copy
    assert (collect(model).reentry_curve["share_reentered"] >= 0).all()


def test_a_run_collected_half_way_then_run_on_gives_the_whole_runs_results() -> None:
    straight = collect(RevolvingDoorModel(CFG).run())
    model = RevolvingDoorModel(CFG)
    model.run(until=model.config.total_months - 6)
    early = collect(model)  # builds the derived values from the records so far
    model.run()
    late = collect(model)
    assert not _same(early.metrics, late.metrics)
    assert _same(late.metrics, straight.metrics)
    pd.testing.assert_frame_equal(late.reentry_curve, straight.reentry_curve)
    pd.testing.assert_frame_equal(late.councils, straight.councils)
