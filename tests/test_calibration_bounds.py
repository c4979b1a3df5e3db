"""No calibrated parameter sits near a bound of its plausible range (issues 12 and 21).

A calibrated default pressed against a bound means the model's structure is missing
something (the project's rule: find the mechanism and its source; do not widen the range
without one, and a range widened cites its source beside it in the parameter file).
"Near a bound" is within 5% of the range's width of either end (issue 21); there are no
exceptions.
"""

from __future__ import annotations

import pytest

from sim.calibration.provenance import load_ranges, parameters_by_path

MARGIN = 0.05
CALIBRATED = [r for r in load_ranges().values() if r.calibrate]


def test_there_are_calibrated_parameters() -> None:
    assert len(CALIBRATED) >= 10


@pytest.mark.parametrize("rng", CALIBRATED, ids=[r.path for r in CALIBRATED])
def test_calibrated_default_is_inside_its_range(rng) -> None:  # type: ignore[no-untyped-def]
    default = float(parameters_by_path()[rng.path].default)
    width = rng.high - rng.low
    assert rng.low + MARGIN * width < default < rng.high - MARGIN * width, (
        f"{rng.path} = {default} sits within {MARGIN:.0%} of a bound of its plausible range "
        f"[{rng.low}, {rng.high}]: find the missing mechanism, or a source for a wider range")
