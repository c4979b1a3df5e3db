"""scripts/adopt_fit.py writes a fitted value as the default of the right parameter only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("adopt_fit", ROOT / "scripts" / "adopt_fit.py")
assert spec is not None and spec.loader is not None
adopt_fit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(adopt_fit)

SOURCE = '''
@dataclass
class A:
    relapse: float = param(
        0.02, label="x", unit="per month", source="s")
    months: int = param(
        36, label="y", unit="months", source="s")


@dataclass
class B:
    relapse: float = param(
        0.5, label="x", unit="per month", source="s")
'''


def test_replaces_the_default_in_the_named_class_only() -> None:
    text, old, new = adopt_fit.adopt(SOURCE, "B", "relapse", 0.123456, 3)
    assert (old, new) == ("0.5", "0.123")
    assert "0.02, label" in text and "0.123, label" in text and "0.5, label" not in text


def test_integer_parameters_stay_integers() -> None:
    text, old, new = adopt_fit.adopt(SOURCE, "A", "months", 24.4, 4)
    assert (old, new) == ("36", "24")


def test_unknown_parameter_or_class_is_refused() -> None:
    with pytest.raises(KeyError, match="A.nope"):
        adopt_fit.adopt(SOURCE, "A", "nope", 1.0, 4)
    with pytest.raises(KeyError, match="class C"):
        adopt_fit.adopt(SOURCE, "C", "relapse", 1.0, 4)


def test_every_calibrated_path_can_be_placed() -> None:
    """Each parameter the calibrator fits has a declaration the script can rewrite."""
    from sim.calibration.provenance import select

    for r in select(None, "calibrate"):
        prefix, _, name = r.path.rpartition(".")
        assert prefix in adopt_fit.PLACES, r.path
        file, cls = adopt_fit.PLACES[prefix]
        text = (ROOT / file).read_text(encoding="utf-8")
        _, old, _ = adopt_fit.adopt(text, cls, name, 1.0, 4)
        # the value the script would replace is the parameter's current default
        import dataclasses
        import importlib

        module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
        default = {f.name: f.default for f in dataclasses.fields(getattr(module, cls))}[name]
        assert float(old) == pytest.approx(float(default)), r.path
