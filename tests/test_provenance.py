"""Provenance: every parameter has a label, unit, source and a plausible range with a reason."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from sim.calibration import params_table
from sim.calibration.provenance import (RangeError, _walk, all_parameters, check_flags,
                                        load_ranges)
from sim.param_files import ParamFileError, parse_group
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
    assert r is not None, (f"{info.path}: no plausible range; give it one (plausible and "
                           "reason) in its sim/params/*.yaml entry or its param() call")
    assert r.reason.strip()
    if info.default is not None and r.kind == "uncertain":
        assert r.low <= float(info.default) <= r.high, (
            f"{info.path}: default {info.default} outside its plausible range "
            f"[{r.low}, {r.high}]; widen the range (with the reason) or "
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


OK = {"value": 0.3, "label": "l", "unit": "u", "source": "s", "valid": [0.0, 1.0],
      "plausible": [0.1, 0.5], "reason": "judgement: test"}


def _parse(entry: dict, typ: type = float) -> dict:  # type: ignore[type-arg]
    return parse_group({"parameters": {"detect_open": entry}}, {"detect_open": typ},
                       "sim/params/after_return.yaml")


def test_a_parameter_file_entry_becomes_the_field_it_describes() -> None:
    made = _parse({**OK, "calibrate": True})["detect_open"]
    assert made.default == 0.3 and type(made.default) is float
    assert made.metadata["range"] == (0.0, 1.0) and made.metadata["plausible"] == (0.1, 0.5)
    assert (made.metadata["kind"], made.metadata["calibrate"]) == ("uncertain", True)
    assert _parse({**OK, "value": 3, "valid": [1, 9], "plausible": [2, 4]},
                  int)["detect_open"].default == 3


def test_parameter_files_reject_bad_entries() -> None:
    where = "sim/params/after_return.yaml: detect_open"
    bad = [
        ({**OK, "plausible": [0.6, 0.5]}, float, "plausible: low 0.6 is above high 0.5"),
        ({k: v for k, v in OK.items() if k != "reason"}, float, f"{where}: missing 'reason'"),
        ({**OK, "plausible": [0.1, 1.5]}, float, "leaves the validation range; allowed 0.0 "
         "to 1.0"),
        ({**OK, "value": 1.2}, float, "value 1.2 is outside the validation range"),
        ({**OK, "kind": "guess"}, float, "unknown kind 'guess'; allowed: uncertain, setting"),
        ({**OK, "kind": "setting", "sensitivity": True}, float, "only uncertain float"),
        ({**OK, "value": 3, "valid": [1, 9], "plausible": [2, 4], "calibrate": True}, int,
         "only uncertain float"),
        ({**OK, "value": 2.5, "valid": [1, 9], "plausible": [2, 4]}, int,
         "value: expected a whole number, got 2.5"),
        ({**OK, "value": "0.3"}, float, "value: expected a number, got '0.3'"),
        ({**OK, "calibrate": "yes"}, float, "calibrate: expected true or false"),
        ({**OK, "low": 0.1}, float, "unknown key 'low'; allowed: value, label"),
        ({**OK, "source": " "}, float, "'source' must be a non-empty text"),
    ]
    for entry, typ, message in bad:
        with pytest.raises(ParamFileError, match=re.escape(message)):
            _parse(entry, typ)
    with pytest.raises(ParamFileError, match="unknown parameter 'detect'; allowed: detect_open"):
        parse_group({"parameters": {"detect": OK, "detect_open": OK}},
                    {"detect_open": float}, "f")
    with pytest.raises(ParamFileError, match="'detect_open' is declared but has no entry"):
        parse_group({"parameters": {}}, {"detect_open": float}, "f")


def test_every_model_parameter_file_is_read_and_complete() -> None:
    """The model's parameters come from the files: a value changed in a file is the field's
    default, and every file entry is a field of the model."""
    from sim.param_files import PARAMS_DIR

    paths = {p.path for p in PARAMS}
    prefixes = {"run": "", "councils": "councils.", "spread": "councils.spread.",
                **{g: f"params.{g}." for g in ("entry", "family", "care", "after_return",
                                                 "support", "costs")}}
    files = sorted(f.stem for f in PARAMS_DIR.glob("*.yaml"))
    assert files == sorted(prefixes)
    import yaml

    count = 0
    for group, prefix in prefixes.items():
        data = yaml.safe_load((PARAMS_DIR / f"{group}.yaml").read_text(encoding="utf-8"))
        for name, entry in data["parameters"].items():
            info = next(p for p in PARAMS if p.path == prefix + name)
            assert info.default == entry["value"] and info.label == entry["label"], info.path
            assert info.plausible is not None and info.plausible.reason == entry["reason"]
            count += 1
    assert count == 114 and len(paths) > count  # the rest: scenario settings in Python


def test_only_config_overrides_may_be_calibrated() -> None:
    """A flagged scenario setting (a policy option) is refused."""

    @dataclass
    class Toy:
        share: float = param(0.5, label="l", unit="u", source="s", low=0.0, high=1.0,
                             plausible=(0.2, 0.8), reason="r", calibrate=True)

    check_flags(_walk(Toy, Toy(), "params.x."))  # a config path: allowed
    with pytest.raises(RangeError, match="policy.x.y.share: only uncertain float"):
        check_flags(_walk(Toy, Toy(), "policy.x.y."))


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


def test_the_committed_parameter_table_is_made_from_the_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """docs/parameters.md and .csv are what revolving-door-params makes from the parameter
    files now: a value, source or range changed in a file without regenerating them fails."""
    from tests.conftest import ROOT

    assert params_table.main(["--out", str(tmp_path), "--quiet"]) == 0
    for name in ("parameters.md", "parameters.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (
            ROOT / "docs" / name).read_text(encoding="utf-8"), (
            f"docs/{name} is out of date: run revolving-door-params")
