"""One job of the false-economy Monte Carlo: one arm, one chunk of replicates.

A job of ``revolving-door -m experiment=false_economy_uncertainty`` is an ordinary Hydra
job of the sweep (any launcher: joblib locally, submitit on a cluster) whose config has an
``mc`` node. Its arm is the job's own ``policy/support`` option; ``mc.chunk`` picks its
replicates (``r`` with ``r mod mc.chunks == mc.chunk``). For each, it draws the inputs
(:mod:`sim.sweep.mc_inputs`, the same numbers in every arm's job), runs the model, and keeps
one row: ``replicate``, every input, and the metrics the answer needs (:data:`KEEP`). The
rows are written to ``runs.csv``, then ``metrics.json`` (``mc_runs``, ``mc_seconds``), which
marks the job complete as for any run. The sweep report pairs each arm's rows with current
practice's by ``replicate`` (:mod:`sim.sweep.uncertainty`).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pandas as pd

from sim.metrics import HORIZONS_YEARS
from sim.results import atomic_write, run
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


def run_chunk(base: dict[str, Any], mc: dict[str, Any], out: Path,
              members: list[dict[str, Any]] | None = None) -> int:
    """Run the job's replicates of its arm into ``out``; returns the number of runs.
    ``members``: the overrides of the ensemble's members (``mc.ensemble``)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    spec = mc_inputs.Spec.from_config(mc, members)
    start = time.perf_counter()
    keep = keep_columns()
    rows = []
    for r in spec.replicates_of_chunk():
        values = mc_inputs.draw(spec, r)
        cfg = mc_inputs.model_config(base, spec, values)
        metrics = run(cfg, progress=False, workers=1).metrics
        rows.append({"replicate": r, **values, **{k: metrics.get(k) for k in keep}})
    table = pd.DataFrame(rows)
    atomic_write(out / RUNS_FILE, lambda p: table.to_csv(p, index=False, float_format="%.10g"))
    seconds = time.perf_counter() - start
    atomic_write(out / METRICS_FILE, lambda p: Path(p).write_text(
        json.dumps({"mc_runs": len(rows), "mc_seconds": seconds})))
    return len(rows)


__all__ = ["RUNS_FILE", "keep_columns", "run_chunk"]
