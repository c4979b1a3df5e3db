"""Diagnostics for the council-vs-need decomposition of who goes home (council study).

Runs one model and prints the targets, the council and need parts, and the need R²
broken down by predictor group (each group alone; full need minus that group)."""
from __future__ import annotations

import json
import sys
import time

import numpy as np

from sim.agents.child import EntryReason, ExitKind
from sim.calibration.targets import TARGETS, run_metrics
from sim.model import RevolvingDoorModel
from sim.results import collect
from sim.variation import _need_matrix, decompose

GROUPS = {"reason": [0, 1], "problems": [2, 3, 4], "care_order": [5], "age": [6, 7, 8, 9],
          "later": [10]}


def set_path(d, path, value):
    keys = path.split(".")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    d[keys[-1]] = value


def main(argv):
    scale = float(argv[0]); seed = int(argv[1])
    cfg = {"scale": scale, "seed": seed}
    for kv in argv[2:]:
        k, v = kv.split("=")
        set_path(cfg, k, float(v))
    t0 = time.time()
    m = RevolvingDoorModel(cfg)
    m.run()
    res = collect(m)
    rm = run_metrics(res)
    out = {"cfg": argv, "secs": round(time.time() - t0, 1)}
    for k, (tgt, tol, _) in TARGETS.items():
        out[k] = (round(rm[k], 4), "ok" if abs(rm[k] - tgt) <= tol else "MISS")
    mt = res.metrics
    out["other"] = {k: round(float(mt[k]), 4) for k in (
        "children_in_care_end", "entries_per_year", "returns_per_year", "reentries_per_year",
        "cost_total_per_year_gbp", "reentry_24m")}
    out["failed_return_24m"] = {k: round(mt[f"var_failed_return_24m_{k}"], 4)
                                for k in ("part_council", "part_need")}
    for o in ("returned_home", "returned_home_abuse_neglect"):
        out[o] = {k: round(mt[f"var_{o}_{k}"], 4) for k in ("part_council", "part_need",
                                                             "r2_council", "r2_need", "r2_full")}
    ex = m.records.exits_frame()
    ex = ex[(ex["time"] >= m.config.measure_start) & (ex["time"] < m.config.total_months)]
    y = (ex["kind"].to_numpy() == int(ExitKind.RETURNED_HOME)).astype(float)
    need = _need_matrix(ex["reason"].to_numpy(), ex["problems"].to_numpy(),
                        ex["care_order"].to_numpy(), ex["age"].to_numpy(),
                        ex["episode"].to_numpy() > 1)
    council = ex["council"].to_numpy()
    n_c = len(m.councils)
    base = decompose(y, need, council, n_c)
    g = {}
    for name, cols in GROUPS.items():
        alone = decompose(y, need[:, cols], council, n_c)["r2_need"]
        rest = [c for c in range(need.shape[1]) if c not in cols]
        without = decompose(y, need[:, rest], council, n_c)
        g[name] = {"alone": round(alone, 4), "drop": round(base["r2_need"] - without["r2_need"], 4),
                   "part_need_without": round(without["part_need"], 4),
                   "part_council_without": round(without["part_council"], 4)}
    out["need_groups"] = g
    per = ex.assign(y=y).groupby("council")["y"].agg(["mean", "size"])
    w = per["size"].to_numpy() / per["size"].sum()
    order = np.argsort(per["mean"].to_numpy())
    cw = np.cumsum(w[order])
    out["council_rh_pct"] = {q: round(float(per["mean"].to_numpy()[order][np.searchsorted(cw, q / 100)]), 3)
                             for q in (10, 25, 50, 75, 90)}
    later = ex["episode"].to_numpy() > 1
    out["home_share_first_later"] = [round(float(y[~later].mean()), 3), round(float(y[later].mean()), 3)]
    out["later_share"] = round(float(np.mean(ex["episode"].to_numpy() > 1)), 3)
    kinds = {int(k): k.name for k in ExitKind}
    out["exit_mix"] = {kinds[k]: round(float(np.mean(ex["kind"] == k)), 3) for k in kinds}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
