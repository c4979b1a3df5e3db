"""``scripts/refresh_baseline.py`` refuses to overwrite the baseline without a reason
(issue 23): a refresh absorbs any change of the fixed-seed run, so the reason is recorded
in the file beside the numbers it explains. No simulation: the run's metrics are stubbed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def refresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("refresh_baseline_under_test",
                                                  ROOT / "scripts" / "refresh_baseline.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "ROOT", tmp_path)
    monkeypatch.setattr(mod, "BASELINE", tmp_path / "tests" / "data" / "baseline.json")
    runs: list[int] = []

    def metrics() -> dict[str, float]:
        runs.append(1)
        return {"a": 2.0, "b": 5.0}

    monkeypatch.setattr(mod, "current_metrics", metrics)
    mod.runs = runs
    mod.BASELINE.parent.mkdir(parents=True)
    mod.BASELINE.write_text(json.dumps({"metrics": {"a": 1.0, "b": 5.0}}))
    return mod


@pytest.mark.parametrize("argv", [[], ["--reason", ""], ["--reason", "  \n "]])
def test_no_reason_no_overwrite(refresh, argv: list[str],  # type: ignore[no-untyped-def]
                                capsys: pytest.CaptureFixture[str]) -> None:
    before = refresh.BASELINE.read_bytes()
    assert refresh.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--reason is required" in err
    assert refresh.BASELINE.read_bytes() == before  # the file is kept
    assert refresh.runs == []  # refused before any work


def test_the_reason_is_recorded_beside_the_numbers(refresh) -> None:  # type: ignore[no-untyped-def]
    assert refresh.main(["--reason", "issue 23:  fixed the\nassessment's price year"]) == 0
    data = json.loads(refresh.BASELINE.read_text())
    assert data["reason"] == "issue 23: fixed the assessment's price year"
    assert data["changes"] == ["~ a: 1.0 -> 2.0 (+100.00%)"]
    assert data["metrics"] == {"a": 2.0, "b": 5.0}


def test_check_needs_no_reason_and_writes_nothing(refresh) -> None:  # type: ignore[no-untyped-def]
    before = refresh.BASELINE.read_bytes()
    assert refresh.main(["--check"]) == 1  # a changed
    assert refresh.BASELINE.read_bytes() == before
