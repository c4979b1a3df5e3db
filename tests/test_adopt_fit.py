"""scripts/adopt_fit.py writes a fitted value into the parameter file (data, not code), as
the value of the right parameter only."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import get_type_hints

import pytest
import yaml

from sim.param_files import PARAMS_DIR, parse_group
from sim.parameters import FamilyParams

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("adopt_fit", ROOT / "scripts" / "adopt_fit.py")
assert spec is not None and spec.loader is not None
adopt_fit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(adopt_fit)

ENTRY = """    label: "x"
    unit: "per month"
    source: "s"
    valid: [0.0, 1.0]
    plausible: [0.0, 1.0]
    reason: "r"
"""
SOURCE = f"""# comment kept
parameters:
  relapse_a:
    value: 0.02
{ENTRY}  months:
    value: 36
{ENTRY.replace('0.0, 1.0', '0, 100')}  relapse:
    value: 0.5  # a comment after the value
{ENTRY}"""


def test_replaces_the_value_of_the_named_parameter_only() -> None:
    text, old, new = adopt_fit.adopt(SOURCE, "relapse", 0.123456, 3)
    assert (old, new) == ("0.5", "0.123")
    doc = yaml.safe_load(text)["parameters"]
    assert doc["relapse"]["value"] == 0.123 and doc["relapse_a"]["value"] == 0.02
    assert text.startswith("# comment kept\n") and "0.123  # a comment after" in text


def test_integer_parameters_stay_integers() -> None:
    text, old, new = adopt_fit.adopt(SOURCE, "months", 24.4, 4)
    assert (old, new) == ("36", "24")
    assert yaml.safe_load(text)["parameters"]["months"]["value"] == 24


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(KeyError, match="nope"):
        adopt_fit.adopt(SOURCE, "nope", 1.0, 4)
    with pytest.raises(KeyError, match="relapse_"):  # a prefix of a name is not the name
        adopt_fit.adopt(SOURCE, "relapse_", 1.0, 4)


def test_every_calibrated_path_can_be_placed() -> None:
    """Each parameter the calibrator fits has an entry the script can rewrite, and the value
    it would replace is the parameter's current default."""
    from sim.calibration.provenance import parameters_by_path, select

    defaults = parameters_by_path()
    for r in select(None, "calibrate"):
        prefix, _, name = r.path.rpartition(".")
        assert prefix in adopt_fit.PLACES, r.path
        text = (PARAMS_DIR / adopt_fit.PLACES[prefix]).read_text(encoding="utf-8")
        _, old, _ = adopt_fit.adopt(text, name, 1.0, 4)
        assert float(old) == float(defaults[r.path].default), r.path


def test_main_writes_values_the_loader_reads(tmp_path: Path) -> None:
    folder = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, folder)
    fitted = tmp_path / "fitted_params.yaml"
    fitted.write_text("overrides:\n  params.family.relapse: 0.0123456\n"
                      "  councils.spread.monitoring_months_max: 30.2\n", encoding="utf-8")
    assert adopt_fit.main([str(fitted), "--params-dir", str(folder)]) == 0
    family = parse_group(yaml.safe_load((folder / "family.yaml").read_text()),
                         get_type_hints(FamilyParams), "family.yaml")
    assert family["relapse"].default == 0.01235
    spread = yaml.safe_load((folder / "spread.yaml").read_text())["parameters"]
    assert spread["monitoring_months_max"]["value"] == 30
    # nothing else in the files moved
    for name in ("family.yaml", "spread.yaml", "care.yaml"):
        old = yaml.safe_load((PARAMS_DIR / name).read_text())["parameters"]
        new = yaml.safe_load((folder / name).read_text())["parameters"]
        changed = {k for k in old if old[k] != new[k]}
        assert changed == {"family.yaml": {"relapse"}, "spread.yaml": {"monitoring_months_max"},
                           "care.yaml": set()}[name]


def test_main_refuses_a_path_it_cannot_place(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    fitted = tmp_path / "fitted_params.yaml"
    fitted.write_text("overrides:\n  params.nowhere.relapse: 0.1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        adopt_fit.main([str(fitted), "--params-dir", str(tmp_path)])
    assert e.value.code == 2
    assert "params.nowhere.relapse: cannot place it" in capsys.readouterr().err
