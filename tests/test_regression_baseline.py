"""Regression baseline: a fixed-seed small run must reproduce the stored summary metrics.

If this fails because you changed the model on purpose, run
``python scripts/refresh_baseline.py --reason "..."`` (it prints what changed, and records
the reason in the file) and commit
tests/data/baseline_metrics.json with your change.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("refresh_baseline",
                                              ROOT / "scripts" / "refresh_baseline.py")
assert spec and spec.loader
refresh = importlib.util.module_from_spec(spec)
spec.loader.exec_module(refresh)


def test_baseline_file_matches_its_script() -> None:
    data = json.loads(refresh.BASELINE.read_text())
    assert data["config"] == refresh.BASELINE_CONFIG, (
        "the baseline was made with another config: run python scripts/refresh_baseline.py")
    # the baseline holds every calibration target and every cost group a run reports
    from sim.ledger import GROUPS
    from sim.metrics import TARGETS

    needed = set(TARGETS) | {f"cost_{g}_gbp" for g in GROUPS} | {"cost_total_gbp"}
    assert needed <= set(data["metrics"]), sorted(needed - set(data["metrics"]))


def test_fixed_seed_run_reproduces_baseline() -> None:
    old = json.loads(refresh.BASELINE.read_text())["metrics"]
    new = refresh.current_metrics()
    diff = refresh.differences(old, new)
    assert not diff, ("the fixed-seed baseline run changed:\n" + "\n".join(diff) +
                      "\nIf the change is intended, run: python scripts/refresh_baseline.py --reason ... "
                      "and commit tests/data/baseline_metrics.json")


def test_differences_reports_changes() -> None:
    assert refresh.differences({"a": 1.0}, {"a": 1.0}) == []
    assert refresh.differences({"a": 1.0}, {"a": 1.1}) == ["~ a: 1.0 -> 1.1 (+10.00%)"]
    assert refresh.differences({"a": 1.0}, {}) == ["- a: metric removed (was 1.0)"]
    assert refresh.differences({}, {"b": None}) == ["+ b: new metric = None"]
