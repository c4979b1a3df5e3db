"""Provenance: every parameter has a label, unit, source and a plausible range with a reason."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sim.calibration import params_table
from sim.calibration.provenance import (RangeError, _walk, all_parameters, load_ranges,
                                        parameters_by_path, parse_ranges)
from sim.parameters import param

PARAMS = all_parameters()
IDS = [p.path for p in PARAMS]


def test_walk_covers_every_tree() -> None:
    paths = set(IDS)
    # one sample from each tree the walker must visit
    for expected in ("seed", "councils.n", "councils.spread.thoroughness_mean",
                     "params.entry.children_per_year", "params.costs.foster_per_year",
                     "council_practice.return_propensity", "councils.listed[].size_share",
                     "policy.support.entitlement.cap_months",
                     "policy.monitoring.minimum_months.min_months",
                     "policy.treatment.access.share"):
        assert expected in paths, expected
    assert len(PARAMS) == len(paths), "duplicate parameter paths"


@pytest.mark.parametrize("info", PARAMS, ids=IDS)
def test_parameter_has_label_unit_source(info) -> None:  # type: ignore[no-untyped-def]
    missing = [k for k in ("label", "unit", "source") if not (getattr(info, k) or "").strip()]
    assert not missing, (f"{info.path}: missing {', '.join(missing)}; make the field with "
                         "sim.parameters.param(default, label=, unit=, source=, low=, high=)")


RANGES = load_ranges()


@pytest.mark.parametrize("info", PARAMS, ids=IDS)
def test_parameter_has_plausible_range(info) -> None:  # type: ignore[no-untyped-def]
    r = RANGES.get(info.path)
    assert r is not None, (f"{info.path}: no plausible range; add it to "
                           "sim/calibration/ranges.yaml with low, high and reason")
    assert r.reason.strip()
    if info.default is not None and r.kind == "uncertain":
        assert r.low <= float(info.default) <= r.high, (
            f"{info.path}: default {info.default} outside its plausible range "
            f"[{r.low}, {r.high}] in ranges.yaml; widen the range (with the reason) or "
            "check the default")


def test_walker_finds_a_bare_number() -> None:
    """A numeric field made without param() is still found, and shows no provenance."""

    @dataclass
    class Toy:
        good: float = param(1.0, label="l", unit="u", source="s", low=0.0, high=2.0)
        bare: float = 0.5
        name: str = "structure, not a parameter"

    found = {p.path: p for p in _walk(Toy, Toy(), "toy.")}
    assert set(found) == {"toy.good", "toy.bare"}
    assert found["toy.bare"].label is None and found["toy.bare"].source is None


def test_ranges_file_rejects_bad_entries() -> None:
    known = parameters_by_path()
    ok = {"low": 0.1, "high": 0.5, "reason": "judgement: test"}
    with pytest.raises(RangeError, match="unknown parameter path 'params.after_return.detect'"):
        parse_ranges({"ranges": {"params.after_return.detect": ok}}, known)
    with pytest.raises(RangeError, match="low 0.6 is above high 0.5"):
        parse_ranges({"ranges": {"params.after_return.detect_open":
                                 {**ok, "low": 0.6}}}, known)
    with pytest.raises(RangeError, match="missing 'reason'"):
        parse_ranges({"ranges": {"params.after_return.detect_open":
                                 {"low": 0.1, "high": 0.5}}}, known)
    with pytest.raises(RangeError, match="leaves the validation range; allowed 0.0 to 1.0"):
        parse_ranges({"ranges": {"params.after_return.detect_open":
                                 {**ok, "high": 1.5}}}, known)
    with pytest.raises(RangeError, match="unknown kind 'guess'; allowed: uncertain, setting"):
        parse_ranges({"ranges": {"params.after_return.detect_open":
                                 {**ok, "kind": "guess"}}}, known)
    with pytest.raises(RangeError, match="only uncertain float"):
        parse_ranges({"ranges": {"params.care.early_months":
                                 {"low": 3, "high": 9, "reason": "x", "calibrate": True}}},
                     known)


def test_params_table_lists_everything(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert params_table.main(["--out", str(tmp_path), "--quiet"]) == 0
    import pandas as pd

    df = pd.read_csv(tmp_path / "parameters.csv")
    assert sorted(df["path"]) == sorted(IDS)
    assert df["plausible_low"].notna().all() and df["source"].notna().all()
    md = (tmp_path / "parameters.md").read_text()
    assert "MISSING" not in md
    assert "`params.after_return.detect_open`" in md
    # sources cite the evidence page by anchor, as links that work from docs/
    assert "[the evidence page](evidence.md)" in md
    row = next(line for line in md.splitlines() if "`params.costs.foster_per_year`" in line)
    assert "[docs/evidence.md#nao-2014-placements](evidence.md#nao-2014-placements)" in row
