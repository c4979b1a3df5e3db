"""One job of the false-economy Monte Carlo: one chunk of replicates, every arm of each.

A job of ``revolving-door -m experiment=false_economy_uncertainty`` is an ordinary Hydra
job of the sweep (any launcher: joblib locally, submitit on a cluster) whose config has an
``mc`` node; ``mc.chunk`` picks its replicates (``r`` with ``r mod mc.chunks == mc.chunk``)
and ``mc.arms`` names its arms (options of ``policy/support``; the job's other levers
apply to every arm). For each replicate it draws the inputs (:mod:`sim.sweep.mc_inputs`),
simulates the years before the policies start once (the trunk, :mod:`sim.branch`) and
runs each arm on from a copy of it: the same numbers as running each arm from the start
(``tests/test_branch.py``), with a replicate's warm-up simulated once instead of once an
arm. It keeps one row a run: ``arm``, ``replicate``, every input, and the metrics the
answer needs (:func:`keep_columns`, computed alone, not a run's every output;
``failed_return_cost_holmes_gbp`` in current practice's rows only, :data:`NOT_COUNTED`). The rows
are written to ``runs.csv``, then ``metrics.json`` (``mc_runs``, ``mc_seconds``), which
marks the job complete as for any run. The sweep report pairs each arm's rows with current
practice's by ``replicate`` (:mod:`sim.sweep.uncertainty`).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import branch
from sim.memory import check_memory
from sim.metrics import HORIZONS_YEARS, cost_comparison_metrics, horizon_metrics
from sim.model import RevolvingDoorModel
from sim.policy_names import option_mapping
from sim.results import atomic_write
from sim.schema import ConfigError
from sim.sweep import mc_inputs
from sim.sweep.economics import SAVINGS, SPEND
from sim.sweep.jobs import METRICS_FILE

RUNS_FILE = "runs.csv"


def keep_columns() -> list[str]:
    """The metrics a run's row keeps: costs by component, failed returns, children's
    outcomes, over each horizon, and the cost of a failed return counted Holmes' way."""
    comps = [*SPEND, *(c for group in SAVINGS.values() for c in group)]
    out = []
    for h in HORIZONS_YEARS:
        out += [f"cost_{c}_{h}y_gbp" for c in comps] + [f"cost_total_{h}y_gbp"]
        out += [f"reentries_{h}y", f"harm_months_{h}y", f"maltreatment_starts_{h}y"]
    return out + ["failed_return_cost_holmes_gbp", "support_cost_per_supported_family_gbp"]


#: ``failed_return_cost_holmes_gbp`` is counted in current practice's runs only: Holmes'
#: basis prices current practice's failed returns (:func:`sim.sweep.uncertainty.paired`),
#: and counting it (every episode of the run paired) is a sixth of a design's run time
NOT_COUNTED = pd.DataFrame({"component": ["total"], "model_gbp": [float("nan")]})


def kept_metrics(model: RevolvingDoorModel, keep: list[str], holmes: bool = True
                 ) -> dict[str, float]:
    """The metrics ``keep`` of a finished run, as its ``metrics.json`` gives them (the two
    groups of :func:`sim.metrics.compute_metrics` that hold them, not all of it); with
    ``holmes`` false, ``failed_return_cost_holmes_gbp`` is left empty (NaN)."""
    costs = None if holmes else NOT_COUNTED
    got = {**horizon_metrics(model), **cost_comparison_metrics(model, costs)}
    return {k: float(got[k]) if isinstance(got[k], (float, np.floating)) else got[k]
            for k in keep}


def arm_bases(base: dict[str, Any], arms: list[str]) -> dict[str, dict[str, Any]]:
    """Each arm's config: the job's, with the arm's ``policy/support`` option. The job's own
    support option must be current practice (the composed default): the arms are
    ``mc.arms``, and a job that named another would be silently ignored."""
    own = (base.get("policy") or {}).get("support")
    if own is not None and own != option_mapping("support", "status_quo"):
        raise ConfigError("policy/support: a Monte Carlo job runs every arm of mc.arms; "
                          "name the support designs there (allowed here: status_quo)")
    out = {}
    for arm in arms:
        cfg = dict(base)
        cfg["policy"] = {**(base.get("policy") or {}), "support": option_mapping("support", arm)}
        out[arm] = cfg
    return out


def run_replicate(bases: dict[str, dict[str, Any]], spec: mc_inputs.Spec, r: int,
                  keep: list[str]) -> list[dict[str, Any]]:
    """Replicate ``r``: one row an arm (``arm``, ``replicate``, the draw, ``keep``)."""
    values = mc_inputs.draw(spec, r)
    cfgs = {arm: mc_inputs.model_config(b, spec, values) for arm, b in bases.items()}
    trunk = branch.trunk(next(iter(cfgs.values())), branch.branch_month(list(cfgs.values())))
    rows = []
    try:
        for arm, cfg in cfgs.items():
            model = branch.branch(trunk, cfg)
            try:
                model.run()
                rows.append({"arm": arm, "replicate": r, **values,
                             **kept_metrics(model, keep, holmes=arm == mc_inputs.REFERENCE_ARM)})
            finally:
                model.release()
    finally:
        trunk.release()
    return rows


def run_chunk(base: dict[str, Any], mc: dict[str, Any], out: Path,
              members: list[dict[str, Any]] | None = None) -> int:
    """Run the job's replicates, every arm of each, into ``out``; returns the number of
    runs. ``members``: the overrides of the ensemble's members (``mc.ensemble``)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    spec = mc_inputs.Spec.from_config(mc, members)
    bases = arm_bases(base, spec.arms)
    start = time.perf_counter()
    keep = keep_columns()
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(spec.replicates_of_chunk()):
        if i == 0:  # one line before any model is built when the machine cannot hold it
            check_memory(mc_inputs.model_config(bases[spec.arms[0]], spec,
                                                mc_inputs.draw(spec, r)))
        rows += run_replicate(bases, spec, r, keep)
    table = pd.DataFrame(rows)
    atomic_write(out / RUNS_FILE, lambda p: table.to_csv(p, index=False, float_format="%.10g"))
    seconds = time.perf_counter() - start
    atomic_write(out / METRICS_FILE, lambda p: Path(p).write_text(
        json.dumps({"mc_runs": len(rows), "mc_seconds": seconds})))
    return len(rows)


__all__ = ["NOT_COUNTED", "RUNS_FILE", "arm_bases", "keep_columns", "kept_metrics", "run_chunk",
           "run_replicate"]
