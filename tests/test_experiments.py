"""Experiments and sweeps end to end (issue 4): every experiment at a tiny size, the figure
against the table, the same results whichever launcher runs the sweep, and a failed job
reported and then completed by a resumed sweep."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.metrics import TARGETS
from sim.sweep.report import main as report_main
from conftest import CONFIGS

#: every experiment but the Monte Carlo, whose jobs are chunks of replicates, not runs
#: (tests/test_uncertainty.py runs a tiny one through the same launcher)
EXPERIMENTS = sorted(p.stem for p in (CONFIGS / "experiment").glob("*.yaml")
                     if p.stem != "false_economy_uncertainty")
FIGURES = {"calibration": ["calibration"], "false_economy": ["false_economy",
                                                             "false_economy_arms"],
           "sensitivity": ["false_economy", "sensitivity"], "dose_response": ["dose_response"],
           "grid": ["policy_grid"], "councils": ["councils"]}
#: a two-arm false-economy sweep of four jobs, for the launcher and failure tests
SMALL = ["experiment=false_economy", "size=tiny", "policy/support=status_quo,entitlement",
         "seed=1,2"]


def sweep(args: list[str], folder: Path, timeout: int = 1200) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "sim.cli", "-m", *args, f"hydra.sweep.dir={folder}"]
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


_DONE: dict[str, Path] = {}


@pytest.fixture(scope="module")
def tiny_sweeps(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Run an experiment at size=tiny once per module (with the default joblib launcher)."""
    def get(name: str) -> Path:
        if name not in _DONE:
            folder = tmp_path_factory.mktemp(name) / "sweep"
            res = sweep([f"experiment={name}", "size=tiny"], folder)
            assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
            assert "[sweep]" in res.stdout  # progress lines as jobs end
            _DONE[name] = folder
        return _DONE[name]
    return get


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_runs_at_a_tiny_size(name: str, tiny_sweeps) -> None:  # type: ignore
    folder = tiny_sweeps(name)
    exp = yaml.safe_load((CONFIGS / "experiment" / f"{name}.yaml").read_text())["experiment"]
    table = pd.read_csv(folder / "sweep.csv")
    params = yaml.safe_load((CONFIGS / "experiment" / f"{name}.yaml").read_text())[
        "hydra"]["sweeper"]["params"]
    levels = {k: len(str(v).split(",")) for k, v in params.items() if k != "seed"}
    arms = 1
    for n in levels.values():
        arms *= n
    assert len(table) == 2 * arms  # size=tiny: two seeds an arm
    assert (table["status"] == "complete").all()
    assert list(table["job"]) == list(range(len(table)))
    # each row's override columns are what Hydra gave that job
    for _, row in table.iterrows():
        given = yaml.safe_load((folder / str(row["job"]) / ".hydra" / "overrides.yaml")
                               .read_text())
        for o in given:
            key, _, value = o.partition("=")
            assert str(row[key]) == str(yaml.safe_load(value)), (row["job"], o)
    # each row's metrics are its own job's metrics.json (not a neighbour's)
    for _, row in table.iterrows():
        metrics = json.loads((folder / str(row["job"]) / "metrics.json").read_text())
        assert set(metrics) <= set(table.columns)
        for k, v in metrics.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                assert row[k] == pytest.approx(v, rel=1e-9, abs=1e-12), (row["job"], k)
    effects = pd.read_csv(folder / "effects.csv")
    if exp["reference"]:
        reference_arms = arms
        for key in exp["reference"]:
            reference_arms //= levels[key]
        assert effects["arm"].nunique() == arms - reference_arms
        assert (effects["n_pairs"] == 2).all()
        plain = effects[effects["kind"] == "difference"].dropna(subset=["arm_mean"])
        assert ((plain["arm_mean"] - plain["reference_mean"] - plain["effect_mean"]).abs()
                <= 1e-6 * (1 + plain["arm_mean"].abs())).all()
        per_arm = effects.set_index(["arm", "metric"])["effect_mean"].unstack()
        net, spend, sav = (per_arm["fe_net_cost_10y_gbp"], per_arm["fe_spend_10y_gbp"],
                           per_arm["fe_savings_10y_gbp"])
        assert ((net - (spend - sav)).abs() <= 1e-6 * spend.abs().max()).all()
    else:
        assert effects.empty
    calib = pd.read_csv(folder / "calibration.csv")
    assert list(calib["metric"]) == list(TARGETS)
    for fig in FIGURES[exp["kind"]]:
        for ext in ("png", "svg"):
            assert (folder / "figures" / f"{fig}.{ext}").stat().st_size > 5000, (fig, ext)
    if exp["kind"] == "grid":
        inter = pd.read_csv(folder / "interactions.csv")
        assert inter["arm"].nunique() == 4  # three pairs of levers and all three together
    if exp["kind"] == "councils":
        dec = pd.read_csv(folder / "decomposition.csv")
        assert set(dec["part"]) >= {"council practice", "child and family need"}
        assert len(pd.read_csv(folder / "councils_all.csv")) == 2 * 150
        derived = pd.read_csv(folder / "derived.csv").set_index("quantity")["value"]
        assert derived["var_returned_home_n_mean"] == table["var_returned_home_n"].mean()
    report = (folder / "report.md").read_text()
    assert f"{len(table)} planned, {len(table)} complete, 0 failed, 0 missing" in report
    # the report command rebuilds the same tables from the folder's runs alone
    before = (folder / "sweep.csv").read_bytes(), (folder / "effects.csv").read_bytes()
    (folder / "sweep.csv").unlink()
    (folder / "effects.csv").unlink()
    assert report_main([str(folder)]) == 0
    assert ((folder / "sweep.csv").read_bytes(), (folder / "effects.csv").read_bytes()) == before


def _number(text: str) -> float:
    """The first number in a figure label: '£1,105m' -> 1105, '-£370m' -> -370, '29p' -> 29."""
    m = re.search(r"(-?)£?(\d[\d,]*\.?\d*)", text)
    assert m, text
    return float(m.group(1) + m.group(2).replace(",", ""))


def _labels(svg: Path) -> dict[str, str]:
    out = {}
    for g in ET.parse(svg).getroot().iter("{http://www.w3.org/2000/svg}g"):
        gid = g.get("id", "")
        if gid.startswith("value-"):
            out[gid[len("value-"):]] = "".join(g.itertext()).strip()
    return out


@pytest.mark.slow
def test_false_economy_figure_shows_the_numbers_of_effects_csv(tiny_sweeps) -> None:  # type: ignore
    folder = tiny_sweeps("false_economy")
    effects = pd.read_csv(folder / "effects.csv")
    main = effects[effects["arm"] == "Support entitlement, Holmes' package"].set_index("metric")
    labels = _labels(folder / "figures" / "false_economy.svg")
    money = [m for m in labels if m.endswith("_gbp")]
    assert {"fe_spend_10y_gbp", "fe_saving_placements_10y_gbp", "fe_saving_reentries_10y_gbp",
            "fe_saving_other_work_10y_gbp", "fe_net_cost_10y_gbp"} <= set(money)
    for metric in money:
        assert _number(labels[metric]) == round(main.loc[metric, "effect_mean"] / 1e6), metric
    for metric in ("fe_failed_returns_avoided_10y", "fe_harm_months_avoided_10y"):
        shown = labels[metric]  # "1,234 (1,100 to 1,400)", with decimals if they round alike
        for text, col in zip(re.findall(r"-?[\d,]+(?:\.\d+)?", shown),
                             ("effect_mean", "effect_low", "effect_high")):
            decimals = len(text.partition(".")[2])
            assert float(text.replace(",", "")) == round(main.loc[metric, col], decimals), \
                (metric, col, shown)
    svg = (folder / "figures" / "false_economy.svg").read_text()
    # the title states the finding with the same net cost and return per pound
    net = round(main.loc["fe_net_cost_10y_gbp", "effect_mean"] / 1e6)
    pence = round(main.loc["fe_return_per_pound_10y", "effect_mean"] * 100)
    assert f"£{abs(net):,}m" in svg and f"saves {pence}p" in svg
    assert "Source: Revolving Door model v" in svg and "Holmes" in svg  # version, evidence
    assert "£ million over 10 years" in svg and "children over 10 years" in svg
    # the chart of every arm carries each arm's net cost, in effects.csv order
    arms = list(dict.fromkeys(effects["arm"]))
    arm_labels = _labels(folder / "figures" / "false_economy_arms.svg")
    for i, arm in enumerate(arms):
        for h in (5, 10):
            value = effects[(effects["arm"] == arm) & (effects["metric"] ==
                                                       f"fe_net_cost_{h}y_gbp")]["effect_mean"]
            assert _number(arm_labels[f"fe_net_cost_{h}y_gbp-{i}"]) == round(
                float(value.iloc[0]) / 1e6)


@pytest.mark.slow
def test_sequential_joblib_and_submitit_sweeps_give_identical_tables(tmp_path: Path) -> None:
    tables = {}
    for launcher in ("basic", "joblib", "submitit_local"):
        folder = tmp_path / launcher
        res = sweep(SMALL + [f"hydra/launcher={launcher}"], folder)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
        tables[launcher] = ((folder / "sweep.csv").read_bytes(),
                            (folder / "effects.csv").read_bytes())
        assert len(pd.read_csv(folder / "sweep.csv")) == 4
    assert tables["basic"] == tables["joblib"] == tables["submitit_local"]
    for launcher in ("joblib", "submitit_local"):  # the runs themselves, not only the tables
        for job in range(4):
            assert (tmp_path / launcher / str(job) / "metrics.json").read_bytes() == \
                (tmp_path / "basic" / str(job) / "metrics.json").read_bytes()
    # effects.csv against a computation by hand from the jobs' own files: the paired
    # differences by seed, and SciPy's t interval
    import numpy as np
    import scipy.stats

    runs: dict[tuple[str, int], dict[str, float]] = {}
    for job in range(4):
        given = dict(o.split("=", 1) for o in yaml.safe_load(
            (tmp_path / "basic" / str(job) / ".hydra" / "overrides.yaml").read_text()))
        runs[(given["policy/support"], int(given["seed"]))] = json.loads(
            (tmp_path / "basic" / str(job) / "metrics.json").read_text())
    effects = pd.read_csv(tmp_path / "basic" / "effects.csv").set_index("metric")
    for metric in ("cost_total_gbp", "reentry_12m", "cost_support_gbp"):
        d = np.array([runs[("entitlement", s)][metric] - runs[("status_quo", s)][metric]
                      for s in (1, 2)])
        lo, hi = scipy.stats.t.interval(0.95, 1, loc=d.mean(), scale=d.std(ddof=1) / np.sqrt(2))
        row = effects.loc[metric]
        assert row["effect_mean"] == pytest.approx(d.mean(), rel=1e-6), metric
        assert row["effect_low"] == pytest.approx(lo, rel=1e-3) and \
            row["effect_high"] == pytest.approx(hi, rel=1e-3), metric
    assert (tmp_path / "submitit_local" / ".submitit").is_dir()  # it really used submitit


@pytest.mark.slow
def test_a_failed_job_is_reported_and_a_resumed_sweep_completes_only_it(tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    # job 1's output cannot be written (a folder sits where metrics.json goes): it fails
    (folder / "1" / "metrics.json").mkdir(parents=True)
    res = sweep(SMALL + ["hydra/launcher=basic"], folder)
    assert res.returncode == 1  # the sweep says it is incomplete ...
    table = pd.read_csv(folder / "sweep.csv")
    assert list(table["status"]) == ["complete", "failed", "complete", "complete"]  # ... the
    # jobs after the failed one still ran, and the failure is listed, not averaged over
    assert "job 1 failed" in res.stdout and "run.resume=true" in res.stdout
    report = (folder / "report.md").read_text()
    assert "1 failed" in report and "IsADirectoryError" in report
    effects = pd.read_csv(folder / "effects.csv")
    assert (effects["n_pairs"] == 1).all()  # seed 2 lost its status-quo partner
    assert "left out, status-quo partner not complete: jobs [3]" in report
    assert report_main([str(folder), "--status"]) == 1

    shutil.rmtree(folder / "1" / "metrics.json")
    stamps = {j: (folder / str(j) / "metrics.json").stat().st_mtime_ns for j in (0, 2, 3)}
    res = sweep(SMALL + ["hydra/launcher=basic", "run.resume=true"], folder)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert res.stdout.count("already complete, skipped") == 3
    assert {j: (folder / str(j) / "metrics.json").stat().st_mtime_ns for j in (0, 2, 3)} == \
        stamps  # the complete jobs were not run again
    table = pd.read_csv(folder / "sweep.csv")
    assert (table["status"] == "complete").all()
    assert (pd.read_csv(folder / "effects.csv")["n_pairs"] == 2).all()
    assert not (folder / "1" / "error.txt").exists()

    # a job killed before it finished (no metrics.json) is reported missing ...
    (folder / "2" / "metrics.json").unlink()
    assert report_main([str(folder)]) == 1
    assert list(pd.read_csv(folder / "sweep.csv")["status"]) == [
        "complete", "complete", "missing", "complete"]
    # ... and a resumed sweep runs it alone
    res = sweep(SMALL + ["hydra/launcher=basic", "run.resume=true"], folder)
    assert res.returncode == 0 and res.stdout.count("already complete, skipped") == 3


@pytest.mark.slow
def test_a_bad_value_in_one_job_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "sweep"
    res = sweep(["size=tiny", "hydra/launcher=basic", "seed=1",
                 "policy.treatment.share=2,0.5"], folder)
    assert res.returncode == 1
    table = pd.read_csv(folder / "sweep.csv")
    assert list(table["status"]) == ["failed", "complete"]
    assert "policy.treatment.share: value 2.0 is out of range" in \
        (folder / "report.md").read_text()
