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


def _parse(entry: dict, typ: object = float) -> dict:  # type: ignore[type-arg]
    return parse_group({"parameters": {"detect_open": entry}}, {"detect_open": typ},
                       "sim/params/after_return.yaml")


def test_a_parameter_file_entry_becomes_the_field_it_describes() -> None:
    made = _parse({**OK, "calibrate": True})["detect_open"]
    assert made.default == 0.3 and type(made.default) is float
    assert made.metadata["range"] == (0.0, 1.0) and made.metadata["plausible"] == (0.1, 0.5)
    assert (made.metadata["kind"], made.metadata["calibrate"]) == ("uncertain", True)
    assert _parse({**OK, "value": 3, "valid": [1, 9], "plausible": [2, 4]},
                  int)["detect_open"].default == 3
    assert _parse({**OK, "value": None}, float | None)["detect_open"].default is None
    made = _parse({**OK, "value": True, "valid": [False, True], "plausible": [0, 1]}, bool)
    assert made["detect_open"].default is True


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
        ({**OK, "value": None}, float, "null is allowed only for a field that may be None"),
        ({**OK, "value": 1, "valid": [False, True], "plausible": [0, 1]}, bool,
         "value: expected true or false, got 1"),
        (OK, str, "must be bool, int or float"),
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


def test_every_parameter_file_is_read_and_complete() -> None:
    """Every file is the data of one dataclass: each entry's value is the field's default,
    with its label and plausible range, and every field of the model that is a number or a
    yes/no and not derived (a listed council's practice) comes from a file."""
    import dataclasses

    import yaml

    from sim import parameters as P
    from sim.config import CouncilsConfig, ListedCouncil, ModelConfig, PracticeSpread
    from sim.param_files import PARAMS_DIR
    from sim.policies.base import Policy
    from sim.policies.monitoring import MinimumMonitoring
    from sim.policies.support_entitlement import SupportEntitlement
    from sim.policies.treatment_access import TreatmentAccess
    from sim.support_multipliers import Sensitivity

    classes = {"run": ModelConfig, "councils": CouncilsConfig, "spread": PracticeSpread,
               "entry": P.EntryParams, "family": P.FamilyParams, "care": P.CareParams,
               "after_return": P.AfterReturnParams, "support": P.SupportParams,
               "costs": P.CostParams, "pressure": P.PressureParams,
               "placement": P.PlacementParams,
               "listed_council": ListedCouncil, "policy": Policy,
               "policy_minimum_monitoring": MinimumMonitoring,
               "policy_support_entitlement": SupportEntitlement,
               "policy_treatment_access": TreatmentAccess, "sensitivity": Sensitivity}
    assert sorted(f.stem for f in PARAMS_DIR.glob("*.yaml")) == sorted(classes)
    from_files = set()
    for group, cls in classes.items():
        data = yaml.safe_load((PARAMS_DIR / f"{group}.yaml").read_text(encoding="utf-8"))
        made = {f.name: f for f in dataclasses.fields(cls)}
        for name, entry in data["parameters"].items():
            f = made[name]
            assert f.default == entry["value"] and type(f.default) is type(entry["value"]), name
            assert f.metadata["label"] == entry["label"], name
            assert f.metadata["plausible"] == tuple(float(v) for v in entry["plausible"])
            from_files.add(f"{cls.__name__}.{name}")
    # issue 21 added six (early failures, repeated failure, treatment); + councils.max_left_out
    # (issue 23), + 13: pressure.yaml (issue 26), + 18: placement.yaml and 4 costs of
    # placements with parents and other placements (issue 24)
    assert len(from_files) == 120 + 17 + 1 + 13 + 22
    # the only parameters declared in Python are a council's practice (council_practice.*),
    # whose defaults are the centre of councils.spread
    elsewhere = {p.path.split(".")[0] for p in PARAMS if not p.path.startswith(
        ("params.", "councils.", "policy.", "sensitivity."))
        and p.path not in ("seed", "scale", "years", "warmup_years", "price_year",
                           "start_year")}
    assert elsewhere == {"council_practice"}, elsewhere


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
