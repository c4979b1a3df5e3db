"""``revolving-door-calibrate``: fit the uncertain parameters to the evidence with Optuna.

Method
------
* Parameters fitted: the parameters flagged ``calibrate: true`` in the parameter files
  ``sim/params/*.yaml`` (or ``--params a,b,c``), each searched over its plausible range.
* Targets: :data:`sim.calibration.targets.TARGETS` (``sim.metrics.TARGETS`` and the
  12-to-60-month re-entry ratio; with ``--council-floor`` also a floor: council practice
  explains at least as much of who goes home as need does; see
  :mod:`sim.calibration.targets` for their reasoning).
* A candidate is run ``replicates`` times on the *same* seeds as every other candidate
  (common random numbers), and the loss is the mean over targets of the squared
  standardised distance ``((replicate mean - target) / tolerance) ** 2`` (a missing metric
  counts as 10 tolerances away). Averaging replicates, and comparing candidates on the same
  seeds, keeps the optimiser from fitting noise.
* Optimiser: Optuna's multivariate TPE sampler (used directly, seeded). The first trial is
  the model's current defaults (clipped into the plausible ranges); the next
  ``local_trials`` are Gaussian perturbations of it (sd ``local_sigma`` of each range), so
  that a small budget refines the hand-set defaults instead of sampling the whole box;
  TPE then models the trials so far.
* Check: the ``top_k`` best distinct candidates are re-run ``final_replicates`` times on
  *fresh* seeds. A candidate is *accepted* when every target's fresh replicate mean is
  within tolerance. The fitted set is the accepted candidate with the lowest fresh loss
  (or, if none is accepted, the candidate with the lowest fresh loss): a set that meets
  every target beats one with a lower mean distance that misses one. ``--rewrite DIR``
  re-chooses the fitted set of a finished run from its own files (no runs).
* Ensemble: the accepted candidates (``status: accepted``) or, if none passed, the best
  ``ensemble_size`` by fresh loss, labelled ``status: best_n_not_accepted``.

Budgets (``--budget``; any field can be overridden with its own option)::

    tiny     3 trials x 1 replicate, scale 0.01, 8+6 years   (tests only; seconds)
    small   16 trials (8 local) x 2 replicates, scale 0.03, 10+10 years, top 4 x 4 fresh
            (48 runs: about 5 min on one free core, 10-12 min on this shared machine)
    default 100 trials (50 local, sd 0.05 of each range) x 3 replicates, scale 0.1,
            12+10 years, 2 trials at a time, top 6 x 8 fresh (348 runs of about 1.4 s:
            about 4-5 minutes with --jobs 2 on two free cores, issue 15)

Outputs (``--out``, default ``outputs/calibration/<date>_<time>``): ``fitted_params.yaml``
(dotted-path overrides with provenance), ``fit_table.md`` / ``fit_table.csv``,
``ensemble.yaml``, ``trials.csv`` (every Optuna trial), ``check_replicates.csv`` (every
fresh replicate of the checked candidates).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from sim.calibration.ensemble import apply_overrides, load_overrides
from sim.calibration.provenance import PlausibleRange, RangeError, parameters_by_path, select
from sim.calibration.targets import (AT_LEAST, COUNCIL_METRIC, INFO_METRICS, TARGETS,
                                     run_metrics, use_council_floor, z_score)
from sim.results import run
from sim.version import __version__, git_commit

MISSING_Z = 10.0


@dataclass(frozen=True)
class Budget:
    trials: int
    replicates: int
    scale: float
    warmup_years: int
    years: int
    final_replicates: int
    top_k: int
    ensemble_size: int
    local_trials: int = 0
    local_sigma: float = 0.1
    #: trials asked of the sampler, run and told together: their replicates share the
    #: worker processes, so 2 trials of 3 replicates keep 2 workers busy where 1 trial
    #: leaves one idle a third of the time. A budget's setting, not ``--jobs``: the trials
    #: sampled (and so the fit) are the same for any number of worker processes.
    trial_batch: int = 1

    def check(self) -> None:
        for name in ("trials", "replicates", "final_replicates", "top_k", "ensemble_size",
                     "trial_batch"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"budget.{name}: expected a whole number of at least 1, got {v!r}")
        if not 0 < self.scale <= 1.0:
            raise ValueError(f"budget.scale: expected 0 < scale <= 1, got {self.scale!r}")
        if self.years < 6:
            raise ValueError(f"budget.years: need at least 6 measured years so the 60-month "
                             f"failed-return cohort exists, got {self.years!r}")
        if not 0 <= self.local_trials < self.trials:
            raise ValueError(f"budget.local_trials: expected 0 to trials - 1 "
                             f"({self.trials - 1}), got {self.local_trials!r}")
        if not 0 < self.local_sigma <= 1:
            raise ValueError(f"budget.local_sigma: expected 0 < sigma <= 1, got "
                             f"{self.local_sigma!r}")
        if self.warmup_years < 0:
            raise ValueError(f"budget.warmup_years: expected >= 0, got {self.warmup_years!r}")


BUDGETS: dict[str, Budget] = {
    "tiny": Budget(trials=3, replicates=1, scale=0.01, warmup_years=8, years=6,
                   final_replicates=2, top_k=2, ensemble_size=2, local_trials=1),
    "small": Budget(trials=16, replicates=2, scale=0.03, warmup_years=10, years=10,
                    final_replicates=4, top_k=4, ensemble_size=4, local_trials=8),
    "default": Budget(trials=100, replicates=3, scale=0.1, warmup_years=12, years=10,
                      final_replicates=8, top_k=6, ensemble_size=6, local_trials=50,
                      local_sigma=0.05, trial_batch=2),
}


# ---------------------------------------------------------------- evaluation

def _one_run(config: dict[str, Any]) -> dict[str, float]:
    """Run one configuration and return its calibration metrics (a worker function)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return run_metrics(run(config))


class Evaluator:
    """Runs a parameter set on a list of seeds, in this process or a pool."""

    def __init__(self, base: dict[str, Any], jobs: int = 1) -> None:
        self.base = base
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self.runs = 0

    def __enter__(self) -> "Evaluator":
        if self.jobs > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def __call__(self, overrides: dict[str, Any], seeds: list[int]) -> list[dict[str, float]]:
        return self.many([overrides], seeds)[0]

    def many(self, sets: list[dict[str, Any]], seeds: list[int]
             ) -> list[list[dict[str, float]]]:
        """Several parameter sets on the same seeds, every run in one pool map (so the
        workers stay busy); one list of replicates a set, in order."""
        configs = []
        for overrides in sets:
            for s in seeds:
                cfg = apply_overrides(self.base, overrides)
                cfg["seed"] = int(s)
                configs.append(cfg)
        self.runs += len(configs)
        if self._pool is None:
            out = [_one_run(c) for c in configs]
        else:
            out = list(self._pool.map(_one_run, configs))
        n = len(seeds)
        return [out[i * n:(i + 1) * n] for i in range(len(sets))]


def summarise(reps: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per metric: mean, 2.5% and 97.5% percentiles over replicates, n."""
    out = {}
    for k in list(TARGETS) + list(INFO_METRICS):
        vals = np.array([r.get(k, math.nan) for r in reps], dtype=float)
        ok = vals[~np.isnan(vals)]
        if len(ok) == 0:
            out[k] = {"mean": math.nan, "low": math.nan, "high": math.nan, "n": 0}
        else:
            out[k] = {"mean": float(ok.mean()), "low": float(np.percentile(ok, 2.5)),
                      "high": float(np.percentile(ok, 97.5)), "n": int(len(ok))}
    return out


def loss_of(summary: dict[str, dict[str, float]]) -> tuple[float, dict[str, float]]:
    """Mean squared standardised distance over targets, and each target's z."""
    zs = {}
    for k in TARGETS:
        m = summary[k]["mean"]
        zs[k] = MISSING_Z if math.isnan(m) else z_score(k, m)
    return float(np.mean([z * z for z in zs.values()])), zs


def all_within(zs: dict[str, float]) -> bool:
    return all(abs(z) <= 1.0 for z in zs.values())


def checked_candidate(trial: int, search_loss: float, overrides: dict[str, Any],
                      reps: list[dict[str, float]]) -> dict[str, Any]:
    """A re-checked candidate: its fresh replicates summarised and judged."""
    summary = summarise(reps)
    loss, zs = loss_of(summary)
    return {"trial": trial, "search_loss": search_loss, "loss": loss,
            "all_within": all_within(zs),
            "n_within": int(sum(abs(z) <= 1 for z in zs.values())),
            "overrides": overrides, "summary": summary, "z": zs}


# ---------------------------------------------------------------- outputs

def fit_table(summary: dict[str, dict[str, float]]) -> pd.DataFrame:
    rows = []
    for k, (target, tol, src) in TARGETS.items():
        s = summary[k]
        ok = not math.isnan(s["mean"]) and abs(z_score(k, s["mean"])) <= 1.0
        rows.append({"metric": k, "target": target, "tolerance": tol,
                     "simulated_mean": s["mean"], "interval_2.5": s["low"],
                     "interval_97.5": s["high"], "replicates": s["n"],
                     "result": "pass" if ok else "miss",
                     "kind": "at least target" if k in AT_LEAST else "target +- tolerance",
                     "source": src})
    for k in INFO_METRICS:
        s = summary[k]
        rows.append({"metric": k, "target": math.nan, "tolerance": math.nan,
                     "simulated_mean": s["mean"], "interval_2.5": s["low"],
                     "interval_97.5": s["high"], "replicates": s["n"],
                     "result": "info (not fitted)", "kind": "information",
                     "source": "reported for information"})
    return pd.DataFrame(rows)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.3f}"
    return str(v)


def table_markdown(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(_fmt(row[c]) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def _git_commit() -> str | None:
    """HEAD of the repository, with ``+dirty`` if the model's source has uncommitted edits."""
    state = git_commit(paths=("sim",))
    return None if state is None else state[0] + ("+dirty" if state[1] else "")


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


# ---------------------------------------------------------------- the fit

def _suggest(trial: Any, ranges: list[PlausibleRange]) -> dict[str, float]:
    return {r.path: float(trial.suggest_float(r.path, r.low, r.high)) for r in ranges}


def _start_point(ranges: list[PlausibleRange], base_overrides: dict[str, Any]
                 ) -> dict[str, float]:
    known = parameters_by_path()
    out = {}
    for r in ranges:
        v = float(base_overrides.get(r.path, known[r.path].default))
        out[r.path] = min(max(v, r.low), r.high)
    return out


def _local_points(ranges: list[PlausibleRange], start: dict[str, float], n: int,
                  sigma: float, seed: int) -> list[dict[str, float]]:
    """``n`` Gaussian perturbations of the start (sd ``sigma`` of each range), clipped."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        out.append({r.path: float(np.clip(start[r.path] + rng.normal(0.0, sigma)
                                          * (r.high - r.low), r.low, r.high))
                    for r in ranges})
    return out


def _study(optuna: Any, budget: Budget, ranges: list[PlausibleRange], start: dict[str, float],
           seed: int) -> Any:
    """A seeded multivariate TPE study whose first trials are the start point and
    ``budget.local_trials`` perturbations of it."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True,
                                         n_startup_trials=max(1, min(10, budget.trials // 3)))
    study = optuna.create_study(direction="minimize", sampler=sampler,
                                study_name="revolving-door-calibration")
    study.enqueue_trial(start)
    for point in _local_points(ranges, start, budget.local_trials, budget.local_sigma, seed):
        study.enqueue_trial(point)
    return study


def _search(study: Any, evaluate: Evaluator, ranges: list[PlausibleRange],
            base_overrides: dict[str, Any], fit_seeds: list[int], budget: Budget,
            timeout_minutes: float | None, say: Callable[[str], None]) -> None:
    """``budget.trials`` trials, ``budget.trial_batch`` at a time (asked, run together,
    told in order); each trial's loss over the fit seeds, with each target's z and mean
    kept on the trial. Stops early after ``timeout_minutes``."""
    t0 = time.time()
    done = 0
    while done < budget.trials:
        if timeout_minutes is not None and time.time() - t0 > 60 * timeout_minutes:
            say(f"timeout after {done} trials")
            break
        trials = [study.ask() for _ in range(min(budget.trial_batch, budget.trials - done))]
        sets = [{**base_overrides, **_suggest(t, ranges)} for t in trials]
        for trial, reps in zip(trials, evaluate.many(sets, fit_seeds)):
            summary = summarise(reps)
            loss, zs = loss_of(summary)
            for k, z in zs.items():
                trial.set_user_attr(f"z_{k}", z)
                trial.set_user_attr(f"mean_{k}", summary[k]["mean"])
            study.tell(trial, loss)
            say(f"trial {trial.number:4d} loss {loss:8.3f}  within "
                f"{sum(abs(z) <= 1 for z in zs.values())}/{len(zs)}  worst "
                f"{max(zs, key=lambda k: abs(zs[k]))} z={max(zs.values(), key=abs):+.2f}")
        done += len(trials)


def _best_distinct(study: Any, ranges: list[PlausibleRange], k: int) -> list[Any]:
    """The ``k`` trials of lowest loss with distinct parameter values."""
    trials = sorted((t for t in study.trials if t.value is not None), key=lambda t: t.value)
    chosen, seen = [], set()
    for t in trials:
        key = tuple(round(t.params[r.path], 12) for r in ranges)
        if key not in seen:
            seen.add(key)
            chosen.append(t)
        if len(chosen) == k:
            break
    return chosen


def _check_candidates(evaluate: Evaluator, chosen: list[Any], ranges: list[PlausibleRange],
                      base_overrides: dict[str, Any], check_seeds: list[int],
                      say: Callable[[str], None]
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each chosen trial re-run on the fresh seeds: the checked candidates, and every
    replicate as a row of ``check_replicates.csv``."""
    checked, check_rows = [], []
    for rank, t in enumerate(chosen):
        overrides = {**base_overrides, **{r.path: float(t.params[r.path]) for r in ranges}}
        reps = evaluate(overrides, check_seeds)
        for s, r in zip(check_seeds, reps):
            check_rows.append({"candidate": rank, "trial": t.number, "seed": s, **r})
        c = checked_candidate(t.number, float(t.value), overrides, reps)
        checked.append(c)
        say(f"candidate {rank} (trial {t.number}): fresh loss {c['loss']:.3f}, within "
            f"{c['n_within']}/{len(c['z'])}")
    return checked, check_rows


def calibrate(budget: Budget, *, out: Path, seed: int = 1, params: list[str] | None = None,
              base_overrides: dict[str, Any] | None = None, jobs: int = 1,
              timeout_minutes: float | None = None, log: Any = sys.stderr,
              command: str | None = None) -> dict[str, Any]:
    """Run a calibration and write its outputs to ``out``. Returns a summary dict."""
    import optuna

    budget.check()
    if jobs < 1:
        raise ValueError(f"jobs: expected at least 1, got {jobs!r}")
    ranges = select(params, "calibrate")
    base_overrides = dict(base_overrides or {})
    base = apply_overrides({"scale": budget.scale, "warmup_years": budget.warmup_years,
                            "years": budget.years}, base_overrides)
    fit_seeds = [seed * 1000 + i for i in range(budget.replicates)]
    check_seeds = [seed * 1000 + 500 + i for i in range(budget.final_replicates)]
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    def say(msg: str) -> None:
        print(f"[{time.time() - t0:7.1f}s] {msg}", file=log, flush=True)

    study = _study(optuna, budget, ranges, _start_point(ranges, base_overrides), seed)
    with Evaluator(base, jobs=jobs) as evaluate:
        say(f"calibrating {len(ranges)} parameters to {len(TARGETS)} targets: "
            f"{budget.trials} trials x {budget.replicates} replicates at scale {budget.scale}")
        _search(study, evaluate, ranges, base_overrides, fit_seeds, budget, timeout_minutes,
                say)
        chosen = _best_distinct(study, ranges, budget.top_k)
        say(f"checking the best {len(chosen)} candidates on {len(check_seeds)} fresh seeds")
        checked, check_rows = _check_candidates(evaluate, chosen, ranges, base_overrides,
                                                check_seeds, say)
        runs = evaluate.runs

    elapsed = time.time() - t0
    method = ("Optuna {} TPESampler(multivariate=True, seed={}) minimising the mean over "
              "targets of ((replicate mean - target)/tolerance)^2; {} replicates per candidate "
              "on common seeds; best {} re-checked on {} fresh seeds").format(
                  optuna.__version__, seed, budget.replicates, budget.top_k,
                  budget.final_replicates)
    provenance = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command or "revolving-door-calibrate",
        "method": method,
        "seed": seed,
        "fit_seeds": fit_seeds,
        "check_seeds": check_seeds,
        "budget": asdict(budget),
        "runs": runs,
        "elapsed_seconds": round(elapsed, 1),
        "model_version": __version__,
        "git_commit": _git_commit(),
        "targets": {k: {"target": v[0], "tolerance": v[1], "source": v[2]}
                    for k, v in TARGETS.items()},
        "parameters": {r.path: {"low": r.low, "high": r.high, "reason": r.reason}
                       for r in ranges},
        "start": _start_point(ranges, base_overrides),
        "base_overrides": base_overrides,
    }
    rows = [{"trial": t.number, "loss": t.value, **t.params, **dict(t.user_attrs)}
            for t in study.trials]
    pd.DataFrame(rows).to_csv(out / "trials.csv", index=False, float_format="%.6g")
    pd.DataFrame(check_rows).to_csv(out / "check_replicates.csv", index=False,
                                    float_format="%.6g")
    result = write_fit(out, checked, provenance, budget)
    say(f"done: {runs} runs in {elapsed / 60:.1f} min; best fresh loss "
        f"{result['fit']['loss']:.3f}, {result['fit']['n_within']}/{len(TARGETS)} within; "
        f"ensemble {result['status']} ({result['members']})")
    return {**result, "runs": runs, "elapsed_seconds": elapsed}


def write_fit(out: Path, checked: list[dict[str, Any]], provenance: dict[str, Any],
              budget: Budget) -> dict[str, Any]:
    """Choose the fitted set among the re-checked candidates and write ``fitted_params.yaml``,
    ``fit_table.md``/``.csv`` and ``ensemble.yaml``.

    The fitted set is the accepted candidate (every target's fresh mean within tolerance)
    with the lowest fresh loss, or the lowest fresh loss if none is accepted."""
    checked = sorted(checked, key=lambda c: (not c["all_within"], c["loss"]))
    best = checked[0]
    accepted = [c for c in checked if c["all_within"]]
    status = "accepted" if accepted else "best_n_not_accepted"
    members = accepted if accepted else checked[:budget.ensemble_size]
    fit = {"loss": best["loss"], "all_within": best["all_within"],
           "n_within": best["n_within"], "n_targets": len(TARGETS), "trial": best["trial"]}
    fitted = {"provenance": provenance, "fit": fit,
              "overrides": {k: _plain(v) for k, v in best["overrides"].items()}}
    (out / "fitted_params.yaml").write_text(
        "# Fitted parameter set (dotted-path overrides of the model config).\n"
        + yaml.safe_dump(fitted, sort_keys=False, width=100), encoding="utf-8")
    table = fit_table(best["summary"])
    table.to_csv(out / "fit_table.csv", index=False, float_format="%.6g")
    head = (f"Fit of the calibrated parameter set: {best['n_within']} of {len(TARGETS)} targets "
            f"within tolerance (mean over {budget.final_replicates} fresh replicates at scale "
            f"{budget.scale}; interval = 2.5-97.5 percentiles of single replicates).\n\n")
    (out / "fit_table.md").write_text(head + table_markdown(table), encoding="utf-8")
    ens = {
        "status": status,
        "note": ("every member reproduces every target within tolerance on fresh seeds"
                 if accepted else
                 f"NO candidate reproduced every target within tolerance; these are the best "
                 f"{len(members)} by fresh loss, not an accepted posterior sample"),
        "provenance": {k: provenance[k] for k in ("date", "command", "method", "seed",
                                                  "budget", "model_version", "git_commit",
                                                  "rewritten") if k in provenance},
        "targets": provenance["targets"],
        "members": [{"trial": c["trial"], "loss": c["loss"], "all_within": c["all_within"],
                     "n_within": c["n_within"],
                     "overrides": {k: _plain(v) for k, v in c["overrides"].items()},
                     "means": {k: c["summary"][k]["mean"] for k in TARGETS}}
                    for c in members],
    }
    (out / "ensemble.yaml").write_text(yaml.safe_dump(ens, sort_keys=False, width=100),
                                       encoding="utf-8")
    return {"out": str(out), "fit": fit, "status": status, "members": len(members),
            "table": table}


def rewrite(out: Path, command: str | None = None) -> dict[str, Any]:
    """Re-choose the fitted set of a finished run from its own files, with this version's
    rule, and rewrite ``fitted_params.yaml``, the fit table and ``ensemble.yaml``.

    Nothing is re-run: the fresh replicates come from ``check_replicates.csv``; each
    candidate's parameters from ``ensemble.yaml`` (full precision) where it is a member,
    otherwise from ``trials.csv`` (6 significant digits). The provenance keeps the original
    run's and adds a ``rewritten`` entry saying when and by what.
    """
    need = ["fitted_params.yaml", "ensemble.yaml", "trials.csv", "check_replicates.csv"]
    missing = [f for f in need if not (out / f).is_file()]
    if missing:
        raise ValueError(f"--rewrite {out}: not a finished calibration folder "
                         f"(missing {', '.join(missing)})")
    old = yaml.safe_load((out / "fitted_params.yaml").read_text(encoding="utf-8"))
    provenance = dict(old["provenance"])
    use_council_floor(COUNCIL_METRIC in provenance.get("targets", {}))  # the run's own targets
    budget = Budget(**provenance["budget"])
    base_overrides = dict(provenance.get("base_overrides") or {})
    paths = list(provenance["parameters"])
    ens = yaml.safe_load((out / "ensemble.yaml").read_text(encoding="utf-8"))
    exact = {m["trial"]: m["overrides"] for m in ens.get("members", [])}
    exact[old["fit"]["trial"]] = old["overrides"]
    trials = pd.read_csv(out / "trials.csv").set_index("trial")
    reps = pd.read_csv(out / "check_replicates.csv")
    checked = []
    for trial, group in reps.groupby("trial", sort=False):
        trial = int(trial)
        overrides = exact.get(trial) or {
            **base_overrides, **{p: float(trials.loc[trial, p]) for p in paths}}
        checked.append(checked_candidate(trial, float(trials.loc[trial, "loss"]), overrides,
                                         group.to_dict("records")))
    provenance["rewritten"] = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command or f"revolving-door-calibrate --rewrite {out}",
        "git_commit": _git_commit(),
        "why": "fitted set re-chosen from the run's fresh replicates with the selection rule "
               "of this version (an accepted candidate first, then the lowest fresh loss)",
    }
    return write_fit(out, checked, provenance, budget)


# ---------------------------------------------------------------- command line

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="revolving-door-calibrate",
        description="Fit the uncertain parameters (sim/params/*.yaml, "
        "calibrate: true) to the calibration targets with Optuna.")
    p.add_argument("--budget", default="default", choices=sorted(BUDGETS),
                   help="preset: tiny (tests), small (a minute), default (minutes)")
    for name, typ in (("trials", int), ("replicates", int), ("scale", float),
                      ("warmup-years", int), ("years", int), ("final-replicates", int),
                      ("top-k", int), ("ensemble-size", int), ("local-trials", int),
                      ("local-sigma", float), ("trial-batch", int)):
        p.add_argument(f"--{name}", type=typ, default=None, help=f"override the budget's {name}")
    p.add_argument("--seed", type=int, default=1, help="seed of the sampler and the runs")
    p.add_argument("--params", default=None,
                   help="comma-separated dotted paths to fit (default: calibrate: true entries)")
    p.add_argument("--start", default=None,
                   help="fitted_params.yaml whose overrides are the starting point and base")
    p.add_argument("--jobs", type=int, default=1, help="worker processes for replicates")
    p.add_argument("--timeout-minutes", type=float, default=None,
                   help="stop the search after this many minutes (the check still runs)")
    p.add_argument("--out", default=None,
                   help="output folder (default outputs/calibration/<date>_<time>)")
    p.add_argument("--council-floor", action="store_true",
                   help="add the target that council practice explains at least as much of "
                   "who goes home as child and family need (see sim/calibration/targets.py)")
    p.add_argument("--rewrite", default=None, metavar="DIR",
                   help="re-choose the fitted set of the finished run in DIR from its own "
                   "files (no runs) and rewrite its fitted set, fit table and ensemble")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_council_floor(args.council_floor)
    if args.rewrite:
        argv_list = sys.argv[1:] if argv is None else argv
        try:
            result = rewrite(Path(args.rewrite),
                             command="revolving-door-calibrate " + " ".join(argv_list))
        except (ValueError, OSError, KeyError) as e:
            print(f"revolving-door-calibrate: error: {e}", file=sys.stderr)
            return 2
        print((Path(args.rewrite) / "fit_table.md").read_text())
        print(json.dumps({k: v for k, v in result.items() if k != "table"}, indent=2,
                         default=str))
        return 0
    budget = BUDGETS[args.budget]
    changes = {f: getattr(args, f) for f in ("trials", "replicates", "scale", "warmup_years",
                                             "years", "final_replicates", "top_k",
                                             "ensemble_size", "local_trials", "local_sigma",
                                             "trial_batch")
               if getattr(args, f) is not None}
    budget = replace(budget, **changes)
    out = Path(args.out) if args.out else Path("outputs/calibration") / \
        _dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    params = [s.strip() for s in args.params.split(",") if s.strip()] if args.params else None
    try:
        budget.check()
        base = load_overrides(args.start) if args.start else {}
        argv_list = sys.argv[1:] if argv is None else argv
        result = calibrate(budget, out=out, seed=args.seed, params=params,
                           base_overrides=base, jobs=args.jobs,
                           timeout_minutes=args.timeout_minutes,
                           command="revolving-door-calibrate " + " ".join(argv_list))
    except (RangeError, ValueError) as e:
        print(f"revolving-door-calibrate: error: {e}", file=sys.stderr)
        return 2
    print((Path(result["out"]) / "fit_table.md").read_text())
    print(json.dumps({k: v for k, v in result.items() if k != "table"}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    raise SystemExit(main())
