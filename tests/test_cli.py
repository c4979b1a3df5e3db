"""The `revolving-door` command (issues 2 and 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.metrics import TARGETS

TINY = ["scale=0.02", "warmup_years=4", "years=3", "run.progress=false"]


def cli(args: list[str], out: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sim.cli", *args, f"hydra.run.dir={out}"]
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def test_baseline_writes_every_output_and_prints_the_table(tmp_path: Path) -> None:
    res = cli(TINY, tmp_path)
    assert res.returncode == 0, res.stderr
    for f in ("metrics.json", "reentry_curve.csv", "timeseries.csv", "councils.csv",
              "config.yaml", "run.json"):
        assert (tmp_path / f).exists(), f
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for name in list(TARGETS) + ["cost_total_gbp", "cost_placement_gbp", "cost_process_gbp",
                                 "cost_after_return_gbp"]:
        assert name in metrics
    # the table by plain labels (sim.labels), rows this 3-year run cannot measure left out
    # with one line saying why; the report and its figure written, and pointed to
    table = pd.read_csv(tmp_path / "report_table.csv")
    for label in table["label"]:
        assert label in res.stdout
    assert set(table["metric"]) >= {"returned_home_share", "reentry_12m", "cost_total_gbp"}
    assert "reentry_72m" not in set(table["metric"])  # needs 6 years' follow-up
    assert "Left out (they need 2 years or more of follow-up and this run measures 3 years)"\
        not in res.stdout  # 2-year rows fit in 3 years
    assert "Left out (they need 5 years or more" in res.stdout
    for name in TARGETS:
        assert name not in res.stdout  # code names stay in report_table.csv, docs/outputs.md
    assert "Costs to councils" in res.stdout
    assert f"Report (the figure and these tables): {tmp_path / 'report.md'}" in res.stdout
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert "](report.png)" in (tmp_path / "report.md").read_text()


def test_policy_command_from_issue_3(tmp_path: Path) -> None:
    res = cli(TINY + ["policy/support=entitlement", "policy/monitoring=m12",
                      "policy/treatment=universal"], tmp_path / "pol")
    assert res.returncode == 0, res.stderr
    base = cli(TINY, tmp_path / "base")
    assert base.returncode == 0, base.stderr
    pol = json.loads((tmp_path / "pol" / "metrics.json").read_text())
    ref = json.loads((tmp_path / "base" / "metrics.json").read_text())
    assert pol["cost_support_gbp"] > ref["cost_support_gbp"]
    assert pol["cost_treatment_gbp"] > ref["cost_treatment_gbp"]
    assert pol["cost_monitoring_gbp"] > ref["cost_monitoring_gbp"]
    assert pol["treatment_families"] > ref["treatment_families"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["params.after_return.detect_open=1.5"], "params.after_return.detect_open: value 1.5"),
        (["policy/support=entitlment"], "policy/support=entitlment: no such option"),
        (["params.care.no_such=1"], "params.care.no_such: no such setting"),
        (["policy.treatment.share=2"], "policy.treatment.share: value 2.0 is out of range"),
    ],
)
def test_bad_input_fails_before_work_and_keeps_existing_outputs(
        tmp_path: Path, args: list[str], expected: str) -> None:
    keep = tmp_path / "metrics.json"
    keep.write_text("{}")
    res = cli(TINY + args, tmp_path)
    assert res.returncode == 2
    assert expected in res.stderr + res.stdout
    assert keep.read_text() == "{}"  # nothing already written is lost
    assert not (tmp_path / "timeseries.csv").exists()
