"""Pieces of the sweep machinery (issue 4) that need no simulation, or only a tiny one."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hydra import compose, initialize_config_module

import sim
import sim.cli  # noqa: F401  (registers the structured config groups)
from sim.config import ConfigError, ModelConfig
from sim.config_files import CONFIG_NAME, CONFIG_PACKAGE
from sim.ledger import COMPONENTS
from sim import support_multipliers as sensitivity
from sim.sweep import aggregate, economics, jobs
from conftest import CONFIGS, ROOT, tiny

EXPERIMENTS = sorted(p.stem for p in (CONFIGS / "experiment").glob("*.yaml"))


def _compose(overrides: list[str], hydra: bool = True):  # type: ignore[no-untyped-def]
    with initialize_config_module(config_module=CONFIG_PACKAGE, version_base="1.3"):
        return compose(config_name=CONFIG_NAME, overrides=overrides, return_hydra_config=hydra)


def test_the_six_experiments_of_issue_4_exist() -> None:
    for name in ("baseline", "false_economy", "monitoring_duration", "treatment_access",
                 "policy_grid", "council_variation"):
        assert name in EXPERIMENTS


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_config_is_global_overrides_and_a_sweep(name: str) -> None:
    text = (CONFIGS / "experiment" / f"{name}.yaml").read_text()
    assert text.startswith("# @package _global_\n")
    cfg = _compose([f"experiment={name}"])
    exp = aggregate.Experiment.from_config(cfg.experiment)
    assert exp.name == name
    assert (ROOT / exp.page).is_file(), f"{name}: page {exp.page} missing"
    params = dict(cfg.hydra.sweeper.params)
    # the Monte Carlo draws each replicate's seed with its other unknowns (mc_inputs)
    assert "seed" in params or (exp.kind == "uncertainty" and "mc.chunk" in params)
    for key, value in list(exp.reference.items()) + list(exp.main_arm.items()):
        if exp.kind == "uncertainty" and key == "policy/support":  # every job runs mc.arms
            assert value in cfg.mc.arms, f"{name}: {value} is not in mc.arms"
            continue
        assert key in params, f"{name}: {key} is not swept"
        assert str(value) in str(params[key]).split(","), f"{name}: {key}={value} not swept"
    # every job of the sweep makes a valid model configuration
    planned = jobs.planned_overrides(cfg)
    assert len(planned) >= 2
    for overrides in planned[:: max(1, len(planned) // 6)]:
        job_cfg = _compose([f"experiment={name}", *overrides], hydra=False)
        sim.cli.model_config(job_cfg)


def test_size_options_set_scale_and_seeds() -> None:
    quick = _compose(["experiment=false_economy", "size=quick"])
    tiny_cfg = _compose(["experiment=false_economy", "size=tiny"])
    full = _compose(["experiment=false_economy"])
    assert quick.scale == 0.05 and str(quick.hydra.sweeper.params.seed) == "1,2,3"
    assert tiny_cfg.scale == 0.01 and str(tiny_cfg.hydra.sweeper.params.seed) == "1,2"
    assert full.scale == 0.1
    assert len(jobs.planned_overrides(quick)) == 5 * 3  # five support arms, three seeds


def test_an_ad_hoc_sweep_is_planned_from_its_command_line() -> None:
    """`revolving-door -m seed=1,2,3` (no experiment: the sweeper has no params) is
    planned from the command line's overrides (it used to fail, and the sweep had no
    report)."""
    from omegaconf import OmegaConf

    cfg = _compose([])
    cfg.hydra.overrides.task = ["seed=1,2,3", "scale=0.01"]
    OmegaConf.update(cfg, "hydra.sweeper.params", None, force_add=True)
    assert jobs.planned_overrides(cfg) == [["seed=1", "scale=0.01"], ["seed=2", "scale=0.01"],
                                           ["seed=3", "scale=0.01"]]
    # an interpolation on the command line is planned as written, not resolved here
    cfg.hydra.overrides.task = ["seed=1,2", "ensemble.file=${hydra:runtime.cwd}/e.yaml"]
    planned = jobs.planned_overrides(cfg)
    assert [p[0] for p in planned] == ["seed=1", "seed=2"]
    assert all("hydra\\:runtime.cwd" in p[1] and str(ROOT) not in p[1] for p in planned)
    # and so is one in an experiment's sweeper params
    cfg.hydra.overrides.task = []
    cfg.hydra.sweeper.params = {"seed": "1,2", "ensemble.file": "${hydra:runtime.cwd}/e.yaml"}
    planned = jobs.planned_overrides(cfg)
    assert [p[0] for p in planned] == ["seed=1", "seed=2"]
    assert all("hydra\\:runtime.cwd" in p[1] and str(ROOT) not in p[1] for p in planned)


def test_local_sweeps_use_every_core_and_the_cluster_is_one_override() -> None:
    local = _compose(["experiment=false_economy"])
    assert local.hydra.launcher._target_.endswith("JoblibLauncher")
    assert local.hydra.launcher.n_jobs == -1
    slurm = _compose(["experiment=false_economy", "hydra/launcher=slurm"])
    assert slurm.hydra.launcher._target_.endswith("SlurmLauncher")
    assert slurm.hydra.launcher.cpus_per_task == 1
    assert jobs.planned_overrides(slurm) == jobs.planned_overrides(local)


# t quantiles, the t interval and the bootstrap: tests/test_properties.py (against SciPy,
# a tabulated interval and a known spread)


def _runs(rng: np.random.Generator, n: int, extra_support: float) -> pd.DataFrame:
    data = {}
    for h in (5, 10):
        for c in COMPONENTS:
            data[f"cost_{c}_{h}y_gbp"] = rng.uniform(1e6, 1e8, n)
        data[f"cost_support_{h}y_gbp"] = data[f"cost_support_{h}y_gbp"] + extra_support
        data[f"cost_total_{h}y_gbp"] = sum(data[f"cost_{c}_{h}y_gbp"] for c in COMPONENTS)
        for f in ("reentries", "harm_months", "maltreatment_starts"):
            data[f"{f}_{h}y"] = rng.uniform(1000, 5000, n)
    return pd.DataFrame(data)


def test_false_economy_accounts_add_up() -> None:
    rng = np.random.default_rng(3)
    arm, ref = _runs(rng, 5, 5e7), _runs(rng, 5, 0.0)
    d = economics.differences(arm, ref)
    for h in (5, 10):
        net = d[f"fe_net_cost_{h}y_gbp"]
        assert np.allclose(net, d[f"fe_spend_{h}y_gbp"] - d[f"fe_savings_{h}y_gbp"])
        parts = sum(d[f"fe_saving_{k}_{h}y_gbp"] for k in economics.SAVINGS)
        assert np.allclose(parts, d[f"fe_savings_{h}y_gbp"])
        assert np.allclose(d[f"fe_failed_returns_avoided_{h}y"],
                           ref[f"reentries_{h}y"] - arm[f"reentries_{h}y"])
    # every ledger component is either spend or a saving, exactly once
    counted = list(economics.SPEND) + [c for cs in economics.SAVINGS.values() for c in cs]
    assert sorted(counted) == sorted(COMPONENTS)
    # the break-even: spend / (savings per failed return avoided)
    means = d.mean()
    cols, fn = economics.ratios()["fe_breakeven_failed_returns_10y"]
    expected = means["fe_spend_10y_gbp"] / (means["fe_savings_10y_gbp"]
                                            / means["fe_failed_returns_avoided_10y"])
    assert fn(np.array([means[c] for c in cols])) == pytest.approx(expected)


def test_pairing_uses_same_seed_and_lists_partners_missing() -> None:
    exp = aggregate.Experiment(reference={"policy/support": "status_quo"})
    rows = []
    for job, (arm, seed, status) in enumerate([("status_quo", 1, "complete"),
                                              ("status_quo", 2, "failed"),
                                              ("entitlement", 1, "complete"),
                                              ("entitlement", 2, "complete")]):
        rows.append({"job": job, "status": status, "policy/support": arm, "seed": seed,
                     "x": float(10 * seed + (5 if arm == "entitlement" else 0))})
    sweep = pd.DataFrame(rows)
    pairs = aggregate.pair_runs(sweep, exp, ["policy/support", "seed"])
    assert len(pairs) == 1
    p = pairs[0]
    assert list(p.arm["seed"]) == [1] and list(p.ref["seed"]) == [1]
    assert p.unpaired == [3]
    with pytest.raises(ValueError, match="does not set"):
        aggregate.pair_runs(sweep, aggregate.Experiment(reference={"policy/treatment": "x"}),
                            ["policy/support", "seed"])


def test_sensitivity_multipliers() -> None:
    base = ModelConfig.from_dict({"policy": {"support": {"kind": "entitlement"}}})
    half = sensitivity.apply(base, {"support_cost": 0.5})
    assert half.params.costs.support_high_per_month == base.params.costs.support_high_per_month / 2
    assert half.policy["support"]["assessment_cost"] == 1200.0 / 2  # the policy's default
    # Holmes' packages too (issue 12: the main arm of false_economy_sensitivity)
    assert half.params.costs.holmes_medium_package == 7600.0 / 2
    assert half.params.support == base.params.support
    double = sensitivity.apply(base, {"support_effect": 2.0})
    s0, s2 = base.params.support, double.params.support
    assert 1 - s2.maltreatment_rr_high == pytest.approx(2 * (1 - s0.maltreatment_rr_high))
    assert s2.resolution_rr_medium - 1 == pytest.approx(2 * (s0.resolution_rr_medium - 1))
    assert double.params.costs == base.params.costs
    assert sensitivity.apply(base, {}) is base
    with pytest.raises(ConfigError, match="sensitivity"):
        sensitivity.apply(base, {"support_effect": 9.0})  # hazard ratio below its range
    with pytest.raises(ConfigError, match="sensitivity: unknown key .support_cst."):
        sensitivity.apply(base, {"support_cst": 2.0})


def test_resume_needs_a_complete_run_of_the_same_config(tmp_path: Path) -> None:
    cfg = ModelConfig.from_dict(tiny())
    sim.run(cfg).write(tmp_path)
    assert jobs.is_complete(tmp_path, cfg.to_dict())
    other = ModelConfig.from_dict(tiny(seed=12))
    assert not jobs.is_complete(tmp_path, other.to_dict())
    (tmp_path / "metrics.json").write_text("{ truncated")
    assert not jobs.is_complete(tmp_path, cfg.to_dict())
    assert jobs.run_status(tmp_path)[0] == jobs.FAILED
    (tmp_path / "metrics.json").unlink()
    assert jobs.run_status(tmp_path) == (jobs.MISSING, "")
    jobs.mark_failed(tmp_path, "Traceback ...\nValueError: boom\n")
    assert jobs.run_status(tmp_path) == (jobs.FAILED, "ValueError: boom")


def test_horizon_metrics_and_decomposition_are_in_every_run() -> None:
    res = sim.run(tiny(years=6))
    m = res.metrics
    assert m["cost_total_5y_gbp"] < m["cost_total_gbp"]
    assert math.isnan(m["cost_total_10y_gbp"])  # a 6-year run has no 10-year horizon
    total = sum(m[f"cost_{c}_5y_gbp"] for c in COMPONENTS)
    assert total == pytest.approx(m["cost_total_5y_gbp"])
    # the 5-year figures are the first 60 measured months of timeseries.csv, England-wide
    first5 = res.timeseries[res.timeseries["month"] < 60]
    assert res.timeseries["month"].max() == 71
    for metric, column in (("harm_months_5y", "harm_months"), ("reentries_5y", "reentries"),
                           ("returns_5y", "returns"), ("cost_total_5y_gbp", "cost_total_gbp"),
                           ("cost_support_5y_gbp", "cost_support_gbp")):
        assert m[metric] == pytest.approx(first5[column].sum() / 0.02, rel=1e-9), metric
    assert m["reentries_5y"] > 0 and m["harm_months_5y"] > 0
    for outcome in ("returned_home", "returned_home_abuse_neglect", "failed_return_24m"):
        if not math.isnan(m[f"var_{outcome}_r2_full"]):
            parts = [m[f"var_{outcome}_part_{b}"] for b in ("need", "history", "council")]
            assert sum(parts) == pytest.approx(m[f"var_{outcome}_r2_full"])
            assert m[f"var_{outcome}_twoway_part_need"] + \
                m[f"var_{outcome}_twoway_part_council"] == \
                pytest.approx(m[f"var_{outcome}_r2_full"])


def test_decomposition_finds_what_it_is_given() -> None:
    from sim.variation import decompose

    rng = np.random.default_rng(0)
    n, k = 20000, 50
    council = rng.integers(0, k, n)
    need = rng.integers(0, 2, (n, 3)).astype(float)
    council_effect = rng.normal(0, 1, k)
    y_council = (council_effect[council] + rng.normal(0, 1, n) > 0).astype(float)
    y_need = (need @ np.array([1.5, 1.0, 0.5]) + rng.normal(0, 1, n) > 1.5).astype(float)
    by_council = decompose(y_council, need, council, k)
    by_need = decompose(y_need, need, council, k)
    assert by_council["part_council"] > 0.1 > abs(by_council["part_need"])
    assert by_need["part_need"] > 0.1 > abs(by_need["part_council"])
    assert by_need["part_need"] + by_need["part_council"] == pytest.approx(by_need["r2_full"])
    # a third block, care history: found when it drives the outcome, and counted as need in
    # the two-way split
    history = rng.integers(0, 2, n).astype(float)
    y_hist = (2.0 * history + rng.normal(0, 1, n) > 1.0).astype(float)
    by_hist = decompose(y_hist, need, council, k, history)
    assert by_hist["part_history"] > 0.1 > max(abs(by_hist["part_need"]),
                                               abs(by_hist["part_council"]))
    assert by_hist["twoway_part_need"] == pytest.approx(
        by_hist["part_need"] + by_hist["part_history"], abs=0.01)
    assert sum(by_hist[f"part_{b}"] for b in ("need", "history", "council")) == \
        pytest.approx(by_hist["r2_full"])
    by_council3 = decompose(y_council, need, council, k, history)
    assert by_council3["part_council"] > 0.1 > abs(by_council3["part_history"])


def test_report_refuses_a_folder_that_is_not_a_sweep(tmp_path: Path) -> None:
    from sim.sweep.report import main

    assert main([str(tmp_path)]) == 2
    (tmp_path / "multirun.yaml").write_text(yaml.safe_dump({"hydra": {
        "sweeper": {"_target_": "something.Else"}, "sweep": {"subdir": "x"},
        "overrides": {"task": []}}}))
    assert main([str(tmp_path)]) == 2


def test_progress_counts_an_old_failure_as_not_yet_retried(tmp_path: Path) -> None:
    import os
    import time

    for num, name in ((0, "metrics.json"), (1, "error.txt"), (2, "error.txt")):
        (tmp_path / str(num)).mkdir()
        (tmp_path / str(num) / name).write_text("{}")
    old = time.time() - 3600
    os.utime(tmp_path / "0" / "metrics.json", (old, old))  # skipped by a resumed sweep
    os.utime(tmp_path / "1" / "error.txt", (old, old))  # failed last time, not retried yet
    c = jobs.count_status(tmp_path, 4, since=time.time() - 60)
    assert c == {"complete": 1, "failed": 1, "missing": 2, "ended": 1}
    assert jobs.count_status(tmp_path, 4)["failed"] == 2
    # several of each; a file written at the very moment the sweep started is this
    # attempt's; a failure recorded beside its folder counts too
    since = 1_700_000_000.0
    for num, name, when in ((10, "metrics.json", since), (11, "metrics.json", since + 5),
                            (12, "metrics.json", since - 5), (13, "error.txt", since),
                            (14, "error.txt", since - 5)):
        (tmp_path / str(num)).mkdir()
        (tmp_path / str(num) / name).write_text("{}")
        os.utime(tmp_path / str(num) / name, (when, when))
    (tmp_path / "15.error.txt").write_text("OSError\n")
    os.utime(tmp_path / "15.error.txt", (since + 1, since + 1))
    c = jobs.count_status(tmp_path, 17, since=since)
    # jobs 0-16 (0-2 written within the last hour, after `since`): complete 0, 10, 11, 12
    # (ended: all but 12); failed since `since`: 1, 2, 13, 15; missing: 3-9, 14 (an old
    # failure), 16
    assert c == {"complete": 4, "failed": 4, "missing": 9, "ended": 3 + 4}


def test_a_sweep_folders_jobs_are_listed_with_their_status(tmp_path: Path) -> None:
    """`sweep_jobs` from a hand-written multirun.yaml: every planned job in Hydra's order
    (the sweeper's params, then the command line's), each with the status its folder
    shows, a job never started included."""
    hydra_cfg = {"sweeper": {"_target_": "hydra._internal.core_plugins.basic_sweeper."
                             "BasicSweeper", "params": {"seed": "1,2"}},
                 "sweep": {"dir": str(tmp_path), "subdir": "${hydra.job.num}"},
                 "overrides": {"task": ["policy.support=none,entitlement", "scale=0.01"]}}
    (tmp_path / "multirun.yaml").write_text(yaml.safe_dump({"hydra": hydra_cfg}))
    for num, name, text in ((0, "metrics.json", "{}"), (1, "error.txt", "Traceback\n\nE: x\n"),
                            (3, "metrics.json", "{half")):
        (tmp_path / str(num)).mkdir()
        (tmp_path / str(num) / name).write_text(text)
    (tmp_path / "2.error.txt").write_text("OSError: read-only\n")  # beside its folder
    listed = jobs.sweep_jobs(tmp_path)
    assert [(j.num, j.overrides, j.folder) for j in listed] == [
        (0, ["seed=1", "policy.support=none", "scale=0.01"], tmp_path / "0"),
        (1, ["seed=1", "policy.support=entitlement", "scale=0.01"], tmp_path / "1"),
        (2, ["seed=2", "policy.support=none", "scale=0.01"], tmp_path / "2"),
        (3, ["seed=2", "policy.support=entitlement", "scale=0.01"], tmp_path / "3")]
    assert [(j.status, j.error) for j in listed[:3]] == [
        ("complete", ""), ("failed", "E: x"), ("failed", "OSError: read-only")]
    assert listed[3].status == "failed" and listed[3].error.startswith("metrics.json unreadable")
    assert listed[1].values == {"seed": 1, "policy.support": "entitlement", "scale": 0.01}
    (tmp_path / "2.error.txt").unlink()
    assert jobs.sweep_jobs(tmp_path)[2].status == "missing"
    (tmp_path / "1" / "error.txt").write_text("\n \n")
    assert jobs.run_status(tmp_path / "1") == ("failed", "failed (empty error.txt)")
    hydra_cfg["sweep"]["subdir"] = "${hydra.job.override_dirname}"
    (tmp_path / "multirun.yaml").write_text(yaml.safe_dump({"hydra": hydra_cfg}))
    with pytest.raises(jobs.SweepError, match="hydra.sweep.subdir"):
        jobs.sweep_jobs(tmp_path)
    with pytest.raises(jobs.SweepError, match="no multirun.yaml; not a sweep folder"):
        jobs.sweep_jobs(tmp_path / "0")
    # `+key` and `~key` overrides name the key; a value that is not YAML is kept as text
    assert jobs.Job(0, ["+a=[x", "~b=2", "c=x=y"], tmp_path).values == {
        "a": "[x", "b": 2, "c": "x=y"}
    # the plan given by the caller (the report passes the one it loaded) is the one used
    from omegaconf import OmegaConf

    hydra_cfg["sweep"]["subdir"] = "${hydra.job.num}"
    elsewhere = tmp_path / "elsewhere"
    assert len(jobs.sweep_jobs(elsewhere, OmegaConf.create({"hydra": hydra_cfg}))) == 4
    # an error recorded for a job whose sweep folder is not there yet
    deep = tmp_path / "new_sweep" / "7"
    assert jobs.mark_failed(deep, "ValueError: x\n") == deep / "error.txt"


#: support options of the hand-made grid: (spend, extra spend alongside long monitoring)
_SUPPORT_SPEND = {"status_quo": (0.0, 0.0), "entitlement": (100.0, 7.0), "capped": (50.0, 3.0)}


def _grid_sweep(supports: tuple[str, ...] = ("status_quo", "entitlement")) -> pd.DataFrame:
    """A 2 x 2 policy grid on 4 seeds, hand-made: every cost and outcome is a seed's own
    level plus each lever's effect, plus an interaction when both levers move. Job 12
    (both levers, seed 1) failed; job 2 (status quo, seed 3) is missing."""
    rows = []
    job = 0
    for sup in supports:
        for mon in ("status_quo", "long"):
            for seed in (1, 2, 3, 4):
                s, m = sup != "status_quo", mon != "status_quo"
                row: dict[str, object] = {"job": job, "status": "complete", "seed": seed,
                                          "policy/support": sup, "policy/monitoring": mon,
                                          "scale": 0.01, "price_year": 2024}
                for h in (5, 10):
                    for c in COMPONENTS:
                        row[f"cost_{c}_{h}y_gbp"] = 1000.0 * seed
                    # support spends 100 and saves 40 in foster placements; monitoring
                    # spends 30; together they spend 7 more than apart
                    spend, together = _SUPPORT_SPEND[sup]
                    row[f"cost_support_{h}y_gbp"] += spend + together * m
                    row[f"cost_monitoring_{h}y_gbp"] += 30.0 * m
                    row[f"cost_placement_foster_{h}y_gbp"] -= 40.0 * s
                    row[f"cost_total_{h}y_gbp"] = sum(row[f"cost_{c}_{h}y_gbp"]
                                                      for c in COMPONENTS)
                    row[f"reentries_{h}y"] = 50.0 + seed - 5 * s - 2 * m + 1 * (s and m)
                    row[f"harm_months_{h}y"] = 80.0 - 3 * s - 4 * m
                    row[f"maltreatment_starts_{h}y"] = 20.0 - 1 * s
                row["reentry_12m"] = 0.20 + 0.01 * seed - 0.02 * s  # within 0.04 of 0.20
                row["returned_home_share"] = 0.30 + 0.001 * seed  # 0.09 off its 0.39
                rows.append(row)
                job += 1
    sweep = pd.DataFrame(rows)
    sweep.loc[12, "status"] = "failed"
    sweep.loc[2, "status"] = "missing"
    return sweep


def test_effects_interactions_and_calibration_from_a_hand_made_grid() -> None:
    sweep = _grid_sweep()
    exp = aggregate.Experiment(kind="grid", reference={"policy/support": "status_quo",
                                                       "policy/monitoring": "status_quo"},
                               labels={"entitlement": "Entitlement", "long": "Long"})
    cols = ["seed", "policy/support", "policy/monitoring"]
    assert aggregate.varying(sweep, cols + ["scale"]) == cols
    metrics = aggregate.metric_columns(sweep, cols)
    assert "reentry_12m" in metrics and "cost_total_10y_gbp" in metrics
    assert not {"job", "status", "seed", "scale", "price_year"} & set(metrics)
    arm_cols = ["policy/support", "policy/monitoring"]
    listed = aggregate.pair_runs(sweep, exp, cols)
    # arms in the order of the sweep's jobs, each with its own values
    assert [p.label for p in listed] == ["Long", "Entitlement", "Entitlement + Long"]
    assert [p.key for p in listed] == [("status_quo", "long"), ("entitlement", "status_quo"),
                                       ("entitlement", "long")]
    pairs = {p.label: p for p in listed}
    # seed 3 has no status-quo partner (job 2 missing); job 12 itself failed
    assert pairs["Long"].unpaired == [6] and pairs["Entitlement"].unpaired == [10]
    assert pairs["Entitlement + Long"].unpaired == [14]
    assert list(pairs["Entitlement + Long"].arm["job"]) == [13, 15]
    assert list(pairs["Entitlement + Long"].ref["job"]) == [1, 3]
    assert list(pairs["Long"].arm["job"]) == [4, 5, 7]
    for p in listed:  # rows as in the sweep, numbered afresh
        assert list(p.arm.columns) == list(sweep.columns) == list(p.ref.columns)
        assert list(p.arm.index) == list(range(len(p.arm)))
    # a sweep of seeds alone, none of them the reference: no arms to pair
    seeds_only = sweep[sweep["policy/support"] == "entitlement"]
    seeds_only = seeds_only[seeds_only["policy/monitoring"] == "long"]
    assert aggregate.pair_runs(seeds_only, exp, cols) == []
    # one seed: each arm a single run
    one_seed = aggregate.pair_runs(sweep[sweep["seed"] == 2], exp, cols)
    assert [(p.label, list(p.arm["job"])) for p in one_seed] == [
        ("Long", [5]), ("Entitlement", [9]), ("Entitlement + Long", [13])]

    eff = aggregate.effects_table(list(pairs.values()), ["reentry_12m", "cost_total_10y_gbp"],
                                  arm_cols).set_index(["arm", "metric"])
    both = eff.loc["Entitlement + Long"]
    assert both.loc["cost_total_10y_gbp", "effect_mean"] == pytest.approx(100 + 7 + 30 - 40)
    assert both.loc["cost_total_10y_gbp", "n_pairs"] == 2
    assert both.loc["cost_total_10y_gbp", "reference_mean"] == pytest.approx(
        len(COMPONENTS) * 3000.0)  # seeds 2 and 4
    assert both.loc["cost_total_10y_gbp", "arm_mean"] == pytest.approx(
        len(COMPONENTS) * 3000.0 + 97)
    assert both.loc["cost_total_10y_gbp", "policy/support"] == "entitlement"
    # the same effect on both seeds: an interval of no width
    assert both.loc["cost_total_10y_gbp", "effect_low"] == pytest.approx(97)
    assert both.loc["cost_total_10y_gbp", "effect_high"] == pytest.approx(97)
    ent = eff.loc["Entitlement"]
    assert ent.loc["fe_spend_10y_gbp", "effect_mean"] == pytest.approx(100)
    assert ent.loc["fe_savings_10y_gbp", "effect_mean"] == pytest.approx(40)
    assert ent.loc["fe_failed_returns_avoided_5y", "effect_mean"] == pytest.approx(5)
    assert ent.loc["fe_return_per_pound_10y", "effect_mean"] == pytest.approx(0.4)
    assert ent.loc["fe_return_per_pound_10y", "kind"] == "ratio"
    assert ent.loc["fe_return_per_pound_10y", "interval"] == "bootstrap"
    assert ent.loc["reentry_12m", "effect_mean"] == pytest.approx(-0.02)
    assert ent.loc["reentry_12m", "interval"] == "t"
    assert "fe_reference_failed_returns_10y" not in set(eff.reset_index()["metric"])
    # every row says what it is; an effect that has a value has its interval (3 pairs)
    assert eff[["kind", "interval", "n_pairs"]].notna().all().all()
    assert set(eff["kind"]) == {"difference", "ratio"}
    assert set(eff["interval"]) == {"t", "bootstrap"}
    long = eff.loc["Long"]
    assert set(long["n_pairs"]) == {3}
    valued = long[long["effect_mean"].notna()]
    assert len(valued) > 20 and valued[["effect_low", "effect_high"]].notna().all().all()
    assert (valued["effect_low"] <= valued["effect_mean"] + 1e-9).all()
    assert (valued["effect_mean"] <= valued["effect_high"] + 1e-9).all()
    # an arm with one pair has every row; an arm with none has no row, and the table its
    # columns all the same
    import dataclasses

    ent_p = pairs["Entitlement"]
    one = dataclasses.replace(ent_p, arm=ent_p.arm.iloc[:1], ref=ent_p.ref.iloc[:1])
    none = dataclasses.replace(ent_p, arm=ent_p.arm.iloc[:0], ref=ent_p.ref.iloc[:0])
    one_eff = aggregate.effects_table([one], ["reentry_12m", "cost_total_10y_gbp"], arm_cols)
    assert len(one_eff) == len(eff.loc["Entitlement"]) and set(one_eff["n_pairs"]) == {1}
    assert "ratio" in set(one_eff["kind"])
    no_eff = aggregate.effects_table([none], ["reentry_12m"], arm_cols)
    assert no_eff.empty and list(no_eff.columns) == ["arm", *arm_cols,
                                                     *aggregate.EFFECT_COLUMNS]

    inter = aggregate.interactions_table(list(pairs.values()), exp, arm_cols)
    inter = inter.set_index("metric")
    assert list(inter["arm"].unique()) == ["Entitlement + Long"]
    assert inter.loc["fe_net_cost_10y_gbp", "combined_effect"] == pytest.approx(97)
    assert inter.loc["fe_net_cost_10y_gbp", "sum_of_single_effects"] == pytest.approx(90)
    assert inter.loc["fe_net_cost_10y_gbp", "interaction_mean"] == pytest.approx(7)
    assert inter.loc["fe_failed_returns_avoided_10y", "interaction_mean"] == pytest.approx(-1)
    assert inter.loc["fe_harm_months_avoided_10y", "interaction_mean"] == pytest.approx(0)
    assert set(inter["n_pairs"]) == {2} and set(inter["levers"]) == {2}
    assert inter[["interaction_low", "interaction_high"]].notna().all().all()
    assert inter.loc["fe_net_cost_10y_gbp", "interaction_low"] == pytest.approx(7)
    no_inter = aggregate.interactions_table([pairs["Long"]], exp, arm_cols)
    assert no_inter.empty and "interaction_mean" in no_inter.columns
    # two options of one lever: each combined arm against its own single-lever arms
    wider = _grid_sweep(("status_quo", "entitlement", "capped"))
    exp.labels["capped"] = "Capped"
    inter = aggregate.interactions_table(aggregate.pair_runs(wider, exp, cols), exp, arm_cols)
    net = inter[inter["metric"] == "fe_net_cost_10y_gbp"].set_index("arm")
    assert net["interaction_mean"].to_dict() == pytest.approx(
        {"Entitlement + Long": 7.0, "Capped + Long": 3.0})
    assert net["sum_of_single_effects"].to_dict() == pytest.approx(
        {"Entitlement + Long": 130.0 - 40, "Capped + Long": 80.0 - 40})

    ref = aggregate.reference_runs(sweep, exp)
    assert list(ref["job"]) == [0, 1, 3]
    cal = aggregate.calibration_table(ref).set_index("metric")
    assert cal.loc["reentry_12m", "n"] == 3
    assert cal.loc["reentry_12m", "mean"] == pytest.approx(0.20 + 0.01 * 7 / 3)
    assert bool(cal.loc["reentry_12m", "within"]) is True
    assert bool(cal.loc["returned_home_share", "within"]) is False
    assert cal.loc["returned_home_share", "target"] == 0.39
    assert cal.loc["returned_home_share", "tolerance"] == 0.05
    # the replicates' own spread, by hand: seeds 1, 2, 4 give 0.21, 0.22, 0.24
    assert cal.loc["reentry_12m", "replicates_p2.5"] == pytest.approx(0.21 + 0.05 * 0.01)
    assert cal.loc["reentry_12m", "replicates_p97.5"] == pytest.approx(0.22 + 0.95 * 0.02)
    assert cal.loc["reentry_12m", "low"] < 0.20 + 0.07 / 3 < cal.loc["reentry_12m", "high"]
    from sim.metrics import TARGETS

    assert cal.loc["reentry_12m", "source"] == TARGETS["reentry_12m"][2]
    assert cal.loc["reentry_12m", "source"].startswith("Goldacre et al. 2022 (A)")
    # a target no run measured: no mean, not within
    assert cal.loc["treatment_share_substance_misuse", "n"] == 0
    assert bool(cal.loc["treatment_share_substance_misuse", "within"]) is False


def test_arm_labels_name_the_levers_moved_and_the_other_swept_values() -> None:
    exp = aggregate.Experiment(reference={"policy/support": "status_quo", "dose": 0},
                               labels={"entitlement": "Entitlement", "5": "five",
                                       "status_quo": "Status quo"})
    assert exp.label(5) == "five" and exp.label("other") == "other"
    cols = ["policy/support", "dose", "size"]

    def label(support: str, dose: object, size: str) -> str:
        return aggregate._arm_label(pd.Series({"policy/support": support, "dose": dose,
                                               "size": size}), exp, cols)

    assert label("entitlement", 0, "big") == "Entitlement (big)"
    assert label("entitlement", 5, "big") == "Entitlement + five (big)"
    assert label("status_quo", "0", "small") == "Status quo (small)"  # "0" is 0: same text
    assert aggregate._arm_label(pd.Series({"policy/support": "status_quo", "dose": 0}), exp,
                                ["policy/support", "dose"]) == "Status quo"
    assert aggregate.Experiment().label("status_quo") == "status_quo"
    assert aggregate._arm_label(pd.Series({"policy/support": "entitlement", "dose": 0,
                                           "size": "big", "region": "north"}), exp,
                                cols + ["region"]) == "Entitlement (big, north)"


def test_a_calibration_target_met_exactly_at_its_tolerance_is_within(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aggregate, "TARGETS", {"x": (0.5, 0.25, "by hand")})
    runs = pd.DataFrame({"x": [0.75, 0.75]})  # exactly representable: |0.75 - 0.5| = 0.25
    assert bool(aggregate.calibration_table(runs).loc[0, "within"]) is True
    runs = pd.DataFrame({"x": [0.8125, 0.8125]})
    assert bool(aggregate.calibration_table(runs).loc[0, "within"]) is False


# ---------------------------------------------------------------- the council-variation tables

def test_council_derived_numbers_from_a_hand_made_table() -> None:
    """Percentiles over councils within a run, averaged over runs; councils without a value
    left out; council minus need per run."""
    from sim.sweep.councils import DERIVED_FORMAT, derived_table

    councils = pd.DataFrame({
        "job": [0, 0, 0, 1, 1, 1],
        "return_propensity": [0.5, 1.0, 2.0, 0.5, 1.0, 2.0],
        "return_home_share": [0.2, 0.4, 0.6, 0.3, 0.5, 0.7],
        "breakdown_24m": [0.1, np.nan, 0.3, 0.2, 0.3, 0.4],
        "reentry_12m": [0.1, 0.2, 0.3, 0.1, 0.2, 0.3],
        "episodes_ended": [10, 20, 30, 40, 50, 60],
        "children_returned": [1, 2, 3, 4, 5, 6]})
    parts = {f"var_{o}_{k}": v for o in ("returned_home", "returned_home_abuse_neglect",
                                         "failed_return_24m")
             for k, v in (("part_council", [0.3, 0.1]), ("part_need", [0.2, 0.2]),
                          ("twoway_part_council", [0.3, 0.3]), ("twoway_part_need", [0.1, 0.1]),
                          ("r2_history", [0.05, 0.07]), ("r2_need", [0.2, 0.2]),
                          ("r2_council", [0.3, 0.1]), ("n", [100, 300]))}
    table = derived_table(councils, pd.DataFrame(parts)).set_index("quantity")["value"]
    assert table["return_home_share_council_p50"] == pytest.approx(0.45)  # (0.4 + 0.5) / 2
    assert table["breakdown_24m_council_p50"] == pytest.approx((0.2 + 0.3) / 2)  # NaN left out
    assert table["breakdown_24m_councils_with_value_per_run"] == pytest.approx(2.5)
    assert table["return_home_share_corr_log_return_propensity"] == pytest.approx(
        np.corrcoef(np.log([0.5, 1, 2, 0.5, 1, 2]), [0.2, 0.4, 0.6, 0.3, 0.5, 0.7])[0, 1])
    assert table["episodes_ended_council_median"] == 35
    assert table["var_returned_home_council_minus_need_mean"] == pytest.approx(0.0)
    assert table["var_returned_home_runs_council_above_need"] == 1
    assert table["var_returned_home_twoway_runs_council_above_need"] == 2
    assert table["var_failed_return_24m_n_mean"] == 200


def test_council_variation_page_numbers_are_remade_from_its_tables() -> None:
    """experiments/council_variation.md quotes results/council_variation/derived.csv: the
    report's function remakes it to the byte from the sweep's own tables."""
    from sim.sweep.councils import DERIVED_FORMAT, derived_table

    folder = ROOT / "experiments" / "results" / "council_variation"
    sweep = pd.read_csv(folder / "sweep.csv")
    table = derived_table(pd.read_csv(folder / "councils_all.csv"),
                          sweep[sweep["status"] == "complete"])
    assert table.to_csv(index=False, float_format=DERIVED_FORMAT) == (
        folder / "derived.csv").read_text()
