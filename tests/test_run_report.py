"""A run's own report (issue 25): plain labels, numbers rounded for people, rows a run
cannot measure left out with a reason, and a policy run against current practice on the
same seed. Expected values are written by hand or counted a second way, never by the
report's own formulas."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from sim import run_report
from sim.labels import METRIC_LABELS, OPTION_LABELS, arm_label, option_label
from sim.metrics import TARGETS

TINY = ["scale=0.02", "warmup_years=4", "years=3", "run.progress=false"]


@pytest.mark.parametrize(("x", "people", "money"), [
    (28_054.0, "28,100", "£28,100"),
    (64_800.4, "64,800", "£64,800"),
    (37_112_345_678.0, "37,100,000,000", "£37.1bn"),
    (514_020_000.0, "514,000,000", "£514m"),
    (-2_345_678.0, "-2,350,000", "-£2.35m"),
    (6_770.2, "6,770", "£6,770"),
])
def test_numbers_are_rounded_for_people(x: float, people: str, money: str) -> None:
    assert run_report.people(x) == people
    assert run_report.money(x) == money


@pytest.mark.parametrize(("scale", "text"), [
    (1.0, "England"), (0.05, "5% of England"), (0.2, "20% of England"),
    (0.010718152809443543, "1.1% of England")])
def test_the_scale_is_said_in_words(scale: float, text: str) -> None:
    assert run_report.scale_text(scale) == text


def test_rows_a_run_cannot_measure_are_left_out_with_one_line() -> None:
    metrics = {name: 0.4 for name in TARGETS}
    metrics["children_in_care_end"], metrics["starts_per_year"] = 65_000.0, 27_000.0
    metrics["unplanned_return_share"] = float("nan")  # nothing to count
    metrics["reentry_72m"] = 0.38
    rows, left = run_report.target_rows(metrics, years=3)
    # by hand: 72 and 60 months of follow-up do not fit in 3 years; NaN is never shown
    assert set(left) == {"reentry_72m", "failed_return_any_60m_neglect",
                         "unplanned_return_share"}
    assert len(rows) == len(TARGETS) - 3
    line = run_report.left_out_line(left, 3)
    assert line.startswith("Left out (they need 5 years or more of follow-up and this run "
                           "measures 3 years): ")
    assert line.count("\n") == 0
    rows10, left10 = run_report.target_rows(metrics, years=10)
    assert left10 == ["unplanned_return_share"]
    assert run_report.left_out_line(left10, 10).startswith("Left out (nothing in this run")
    within = {r.metric: r.within for r in rows10}
    assert within["reentry_72m"] is True   # 0.38 against 0.35 +- 0.05
    assert within["reentry_12m"] is False  # 0.40 against 0.20 +- 0.03
    assert within["children_in_care_end"] is True and within["starts_per_year"] is True


def _results(scale: float, reentries: list[int], harmed: list[int], in_care: list[int],
             costs: tuple[float, float, float]) -> run_report.Results:
    ts = pd.DataFrame({"month": range(len(reentries)), "reentries": reentries,
                       "maltreatment_starts": harmed, "children_in_care": in_care})
    placement, process, after = costs
    metrics = {"cost_placement_gbp": placement, "cost_process_gbp": process,
               "cost_after_return_gbp": after, "cost_total_gbp": placement + process + after}
    return run_report.Results(metrics=metrics, reentry_curve=pd.DataFrame(), timeseries=ts,
                              councils=pd.DataFrame(), config={"scale": scale})


def test_the_policy_comparison_by_hand() -> None:
    base = _results(0.5, [3, 2], [4, 4], [10, 12], (100.0, 50.0, 10.0))
    pol = _results(0.5, [1, 2], [3, 4], [10, 11], (90.0, 48.0, 30.0))
    t = run_report.comparison_table(pol, base).set_index("metric")
    # England-equivalent = simulated / 0.5
    assert t.loc["reentries_in_period", ["current_practice", "with_policy", "change"]].tolist() \
        == [10.0, 6.0, -4.0]
    assert t.loc["maltreatment_starts_in_period", "change"] == -2.0
    assert t.loc["care_months_in_period", "change"] == -2.0
    assert t.loc["fe_spend_gbp", "change"] == 20.0           # 30 - 10
    assert t.loc["fe_savings_gbp", "with_policy"] == 12.0    # (100 + 50) - (90 + 48)
    assert t.loc["fe_net_cost_gbp", "with_policy"] == 8.0    # 168 - 160
    council = run_report.comparison_table(pol, base, factor=0.5).set_index("metric")
    assert council.loc["reentries_in_period", "change"] == -2.0  # the council's own numbers
    lines = run_report.comparison_lines(t.reset_index(), {"support": "entitlement_holmes"},
                                        "England", 10)
    assert "Holmes' package" in lines[0] and "same seed" in lines[0]
    assert "One seed is one seed" in lines[-1]
    assert "revolving-door -m experiment=false_economy" in lines[-1]
    lines = run_report.comparison_lines(t.reset_index(), {"support": "entitlement",
                                                           "treatment": "t25"}, "England", 10)
    assert "experiment=policy_grid" in lines[-1]


def _table_rows(text: str) -> set[tuple[str, str]]:
    """(first cell, second cell) of every Markdown table row of ``text``."""
    rows = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2:
            rows.add((cells[0], cells[1]))
    return rows


def test_docs_map_every_printed_label_to_its_metric() -> None:
    rows = _table_rows((ROOT / "docs" / "outputs.md").read_text(encoding="utf-8"))
    for metric, label in METRIC_LABELS.items():
        assert any(first == label and (f"`{metric}`" in second or "comparison" in second)
                   for first, second in rows), (label, metric)
    for lever, options in OPTION_LABELS.items():
        for option, label in options.items():
            assert (label, f"`policy/{lever}={option}`") in rows, (label, lever, option)


def test_every_option_of_the_configs_has_a_plain_label() -> None:
    for lever in OPTION_LABELS:
        for path in (ROOT / "configs" / "policy" / lever).glob("*.yaml"):
            assert option_label(lever, path.stem) != path.stem, path
    assert arm_label("entitlement_holmes") == "Holmes' package"
    assert arm_label("status_quo") == "Current practice"
    assert arm_label("not_an_option") == "not_an_option"


def _cli(args: list[str], out: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sim.cli", *args, f"hydra.run.dir={out}"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, HYDRA_FULL_ERROR="0"))


@pytest.mark.slow
def test_a_policy_run_compares_itself_with_current_practice_on_the_same_seed(
        tmp_path: Path) -> None:
    """The comparison's current practice is the run a user gets without the policy (run
    separately here), and its policy column is the policy run's own outputs."""
    pol = _cli(TINY + ["policy/support=entitlement_holmes"], tmp_path / "pol")
    assert pol.returncode == 0, pol.stderr
    base = _cli(TINY, tmp_path / "base")
    assert base.returncode == 0, base.stderr
    assert "What the policy (Holmes' package) changed against current practice, same seed" \
        in pol.stdout
    assert "One seed is one seed" in pol.stdout and "experiment=false_economy" in pol.stdout
    assert "What the policy" not in base.stdout
    assert not (tmp_path / "base" / "policy_comparison.csv").exists()
    table = pd.read_csv(tmp_path / "pol" / "policy_comparison.csv").set_index("metric")
    scale = 0.02
    for folder, column in (("base", "current_practice"), ("pol", "with_policy")):
        ts = pd.read_csv(tmp_path / folder / "timeseries.csv")
        m = json.loads((tmp_path / folder / "metrics.json").read_text())
        assert math.isclose(table.loc["reentries_in_period", column],
                            ts["reentries"].sum() / scale)
        assert math.isclose(table.loc["care_months_in_period", column],
                            ts["children_in_care"].sum() / scale)
        assert math.isclose(table.loc["fe_spend_gbp", column], m["cost_after_return_gbp"])
    # the printed change, rounded for people, is the difference of the two runs
    a = pd.read_csv(tmp_path / "pol" / "timeseries.csv")["reentries"].sum() / scale
    b = pd.read_csv(tmp_path / "base" / "timeseries.csv")["reentries"].sum() / scale
    printed = re.search(r"Failed returns \(children back in care\)\s+\S+\s+\S+\s+(\S+)",
                        pol.stdout)
    assert printed and printed.group(1) == f"{run_report.round_sig(a - b):+,.0f}"


def test_the_report_files_are_the_same_bytes_for_the_same_seed(tmp_path: Path) -> None:
    """report.md leaves out the time taken (printed only), so the same seed gives the same
    bytes in every file of the report, as in the run's other outputs."""
    from sim.results import run

    results = run({"scale": 0.01, "years": 2, "warmup_years": 2})
    printed = [run_report.write(tmp_path / name, results, seconds)
               for name, seconds in (("a", 1.25), ("b", 7.5))]
    assert "1.2 s" in printed[0] and "7.5 s" in printed[1]
    for name in ("report.md", "report_table.csv", "report.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), \
            name
