"""An ensemble that represents the calibration's uncertainty: history matching.

``python -m sim.calibration.history_matching --out calibration/history_matching``

``revolving-door-calibrate`` finds the best few parameter sets; they are not a sample of
the sets the targets allow. This module accepts parameter sets *against the targets'
tolerances* instead (history matching, Vernon, Goldstein & Bower 2010; the rejection step
of approximate Bayesian computation with the tolerance as the distance):

1. Wave 1 draws ``runs`` parameter sets over the plausible ranges of every parameter
   flagged ``calibrate: true`` (a Latin hypercube, seeded), and runs each on one seed at
   ``scale``.
2. Each target's *implausibility* is ``|simulated - target| / sqrt(tolerance^2 + sd^2)``
   (:func:`implausibility`), with ``sd`` the target's run-to-run spread at one seed and
   this scale, measured first on ``--noise-runs`` seeds at the calibrated defaults. A set is *accepted* when its
   ``(allow_misses + 1)``-th largest implausibility is at most ``cutoff``: every target
   within its tolerance but at most ``allow_misses`` of them (history matching's second-
   or third-largest implausibility, for targets the model's structure cannot meet; the
   calibration page names three no fit has met).
   With ``--around f`` (default 0.05) wave 1 draws within ``f`` of each range either side
   of the calibrated defaults instead of over the whole ranges: at a small budget a
   30-dimensional box is too large to find accepted sets in, and the calibration has
   already found the region where the targets are met (so the ensemble represents the
   uncertainty around the fit, not every region that might fit).
3. Each later wave draws again inside the box of the sets not ruled out (every target but
   ``allow_misses`` within 3 tolerances, the usual three-sigma cut), so the budget goes
   where acceptance is possible.

It writes ``ensemble.yaml`` (status ``accepted`` when ``allow_misses`` is 0 and a set was
accepted; ``history_matched`` when sets were accepted with misses allowed;
``best_n_not_accepted``, the best ``--top-k`` by the criterion, when none was), with a
``history_matching`` node (runs, waves, scale, cutoff, allow_misses, how many sets were
accepted at each number of misses allowed); ``waves.csv`` (every set: wave, parameters,
each target's implausibility, accepted); ``summary.md``. The false-economy Monte Carlo
draws its calibrated parameters from the ensemble (``mc.ensemble``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.calibration.ensemble import apply_overrides
from sim.calibration.provenance import PlausibleRange, parameters_by_path, select
from sim.calibration.targets import TARGETS, run_metrics, z_score
from sim.results import run
from sim.version import __version__, git_commit

RULE_OUT = 3.0  # the three-sigma cut that keeps a set's region in the next wave


def _one(config: dict[str, Any]) -> dict[str, float]:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    return run_metrics(run(config))


def implausibility(metrics: dict[str, float], noise: dict[str, float] | None = None
                   ) -> dict[str, float]:
    """Each target's |simulated - target| / sqrt(tolerance^2 + noise^2) (infinite when it
    is missing): the tolerance stands for the data's and the model's own error, ``noise``
    for the run-to-run spread of one seed at the scale run (history matching of a
    stochastic model, Andrianakis et al. 2015)."""
    out = {}
    for k in TARGETS:
        v = metrics.get(k, math.nan)
        if v is None or math.isnan(v):
            out[k] = math.inf
            continue
        tol = TARGETS[k][1]
        sd = (noise or {}).get(k, 0.0)
        out[k] = abs(z_score(k, float(v))) * tol / math.sqrt(tol * tol + sd * sd)
    return out


def run_noise(base: dict[str, Any], seeds: list[int], pool: Any) -> dict[str, float]:
    """Each target's standard deviation over ``seeds`` at the calibrated defaults."""
    configs = [{**base, "seed": s} for s in seeds]
    results = list(pool.map(_one, configs)) if pool else [_one(c) for c in configs]
    out = {}
    for k in TARGETS:
        vals = np.array([r.get(k, math.nan) for r in results], dtype=float)
        vals = vals[np.isfinite(vals)]
        out[k] = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
    return out


def kth_largest(imp: dict[str, float], k: int) -> float:
    """The ``k``-th largest implausibility (1 = the largest)."""
    vals = sorted(imp.values(), reverse=True)
    return vals[min(k, len(vals)) - 1]


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points in [0, 1)^d, one in each of ``n`` equal slices of every dimension."""
    u = (rng.random((n, d)) + np.arange(n)[:, None]) / n
    for j in range(d):
        u[:, j] = u[rng.permutation(n), j]
    return u


def history_match(ranges: list[PlausibleRange], *, runs: int, waves: int, scale: float,
                  seed: int, cutoff: float, allow_misses: int, jobs: int,
                  base_overrides: dict[str, Any] | None = None, warmup_years: int = 12,
                  years: int = 10, around: float = 0.0, noise_runs: int = 0,
                  log: Any = sys.stderr) -> tuple[pd.DataFrame, dict[str, float]]:
    """Run the waves; one row a parameter set (see the module's docstring), and each
    target's run-to-run spread (from ``noise_runs`` seeds at the defaults; 0: none)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(22,)))
    base = apply_overrides({"scale": scale, "warmup_years": warmup_years, "years": years,
                            "seed": seed * 1000}, dict(base_overrides or {}))
    low = np.array([r.low for r in ranges])
    high = np.array([r.high for r in ranges])
    if around > 0:  # wave 1 around the calibrated defaults (see --around)
        info = parameters_by_path()
        centre = np.array([float(info[r.path].default) for r in ranges])
        width = (high - low) * around
        low, high = np.maximum(low, centre - width), np.minimum(high, centre + width)
    per_wave = [runs // waves + (1 if i < runs % waves else 0) for i in range(waves)]
    rows: list[dict[str, Any]] = []
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    try:
        noise = (run_noise(base, [seed * 1000 + 900 + i for i in range(noise_runs)], pool)
                 if noise_runs > 1 else {})
        if noise:
            print("[history matching] run-to-run spread at the defaults: " + ", ".join(
                f"{k} {v:.3g}" for k, v in noise.items()), file=log, flush=True)
        for wave, n in enumerate(per_wave, start=1):
            pts = low + latin_hypercube(n, len(ranges), rng) * (high - low)
            sets = [{r.path: float(v) for r, v in zip(ranges, p)} for p in pts]
            configs = [apply_overrides(base, s) for s in sets]
            results = list(pool.map(_one, configs)) if pool else [_one(c) for c in configs]
            for s, m in zip(sets, results):
                imp = implausibility(m, noise)
                crit = kth_largest(imp, allow_misses + 1)
                rows.append({"wave": wave, **s, **{f"imp_{k}": v for k, v in imp.items()},
                             "criterion": crit, "accepted": crit <= cutoff,
                             "kept": crit <= RULE_OUT})
            done = pd.DataFrame(rows)
            kept = done[done["kept"]]
            print(f"[history matching] wave {wave}: {n} sets, {int(done['accepted'].sum())} "
                  f"accepted so far, {len(kept)} not ruled out", file=log, flush=True)
            if len(kept) >= 2:  # the next wave inside the box of what is not ruled out
                box = kept[[r.path for r in ranges]].to_numpy()
                low, high = box.min(axis=0), box.max(axis=0)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return pd.DataFrame(rows), noise


def accepted_by_misses(table: pd.DataFrame, cutoff: float, most: int) -> dict[int, int]:
    """How many sets pass with 0, 1, ..., ``most`` targets allowed to miss."""
    imp = table[[c for c in table if c.startswith("imp_")]].to_numpy()
    srt = -np.sort(-imp, axis=1)
    return {m: int((srt[:, min(m, srt.shape[1] - 1)] <= cutoff).sum()) for m in range(most + 1)}


def ensemble(table: pd.DataFrame, ranges: list[PlausibleRange], *, cutoff: float,
             allow_misses: int, top_k: int, provenance: dict[str, Any]) -> dict[str, Any]:
    """The ``ensemble.yaml`` content of a history-matching table."""
    acc = table[table["accepted"]]
    if len(acc):
        status = "accepted" if allow_misses == 0 else "history_matched"
        chosen = acc
        note = (f"{len(acc)} parameter sets accepted: every target within tolerance"
                + (f" but at most {allow_misses}" if allow_misses else "")
                + f" (cutoff {cutoff:g} tolerances), one seed each")
    else:
        status = "best_n_not_accepted"
        chosen = table.sort_values("criterion").head(top_k)
        note = (f"NO parameter set passed (every target within {cutoff:g} tolerances but at "
                f"most {allow_misses}); these are the best {len(chosen)} by that criterion, "
                "not an accepted sample")
    members = []
    for _, r in chosen.iterrows():
        imp = {c[4:]: float(r[c]) for c in table if c.startswith("imp_")}
        members.append({"overrides": {x.path: float(r[x.path]) for x in ranges},
                        "criterion": float(r["criterion"]), "wave": int(r["wave"]),
                        "missed": sorted(k for k, v in imp.items() if v > cutoff),
                        "all_within": all(v <= cutoff for v in imp.values())})
    return {"status": status, "note": note, "provenance": provenance,
            "history_matching": {**{k: (list(v) if isinstance(v, list) else v)
                                    for k, v in provenance["history_matching"].items()},
                                 "accepted": int(len(acc)),
                                 "accepted_by_misses": accepted_by_misses(
                                     table, cutoff, max(allow_misses, 3))},
            "targets": {k: {"target": t, "tolerance": tol} for k, (t, tol, _s) in TARGETS.items()},
            "members": members}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.calibration.history_matching",
                                 description="Parameter sets accepted against the targets' "
                                             "tolerances (history matching), as an ensemble.")
    ap.add_argument("--out", default="calibration/history_matching")
    ap.add_argument("--runs", type=int, default=48, help="parameter sets in all (default 48)")
    ap.add_argument("--waves", type=int, default=2)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--cutoff", type=float, default=1.0,
                    help="implausibility accepted, in tolerances (default 1: within tolerance)")
    ap.add_argument("--allow-misses", type=int, default=3,
                    help="targets a set may miss and still be accepted (default 3)")
    ap.add_argument("--top-k", type=int, default=4, help="members kept if none is accepted")
    ap.add_argument("--around", type=float, default=0.05,
                    help="wave 1 within this share of each plausible range either side of "
                         "the calibrated defaults (0: the whole ranges; default 0.05)")
    ap.add_argument("--noise-runs", type=int, default=6,
                    help="seeds at the defaults that measure each target's run-to-run "
                         "spread at --scale, added to the tolerance (0: none; default 6)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args(argv)
    for name, value, least in (("--runs", a.runs, 1), ("--waves", a.waves, 1),
                               ("--jobs", a.jobs, 1), ("--top-k", a.top_k, 1),
                               ("--allow-misses", a.allow_misses, 0)):
        if value < least:
            print(f"history_matching: {name}: expected at least {least}, got {value}",
                  file=sys.stderr)
            return 2
    if not 0 < a.scale <= 1 or not a.cutoff > 0 or a.waves > a.runs or not 0 <= a.around <= 1:
        print("history_matching: --scale must be in (0, 1], --cutoff above 0, --around in "
              "[0, 1] and --waves at most --runs", file=sys.stderr)
        return 2
    ranges = select(None, "calibrate")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    started = _dt.datetime.now(_dt.timezone.utc)
    table, noise = history_match(ranges, runs=a.runs, waves=a.waves, scale=a.scale,
                                 seed=a.seed, cutoff=a.cutoff, allow_misses=a.allow_misses,
                                 jobs=a.jobs, around=a.around, noise_runs=a.noise_runs)
    seconds = (_dt.datetime.now(_dt.timezone.utc) - started).total_seconds()
    command = "python -m sim.calibration.history_matching " + " ".join(
        argv if argv is not None else sys.argv[1:])
    prov = {"date": started.isoformat(timespec="seconds"), "command": command.strip(),
            "model_version": __version__, "git_commit": (git_commit() or ("", False))[0],
            "history_matching": {"runs": a.runs, "waves": a.waves, "scale": a.scale,
                                 "seed": a.seed, "cutoff": a.cutoff,
                                 "allow_misses": a.allow_misses, "targets": len(TARGETS),
                                 "around": a.around, "noise_runs": a.noise_runs,
                                 "noise_sd": {k: round(v, 6) for k, v in noise.items()},
                                 "parameters": [r.path for r in ranges],
                                 "seconds": round(seconds, 1)}}
    ens = ensemble(table, ranges, cutoff=a.cutoff, allow_misses=a.allow_misses,
                   top_k=a.top_k, provenance=prov)
    table.to_csv(out / "waves.csv", index=False, float_format="%.6g")
    (out / "ensemble.yaml").write_text(yaml.safe_dump(ens, sort_keys=False), encoding="utf-8")
    hm = ens["history_matching"]
    (out / "summary.md").write_text(
        f"# History matching\n\n`{prov['command']}` ({prov['date']}, git "
        f"{prov['git_commit'][:10]}, {seconds:.0f} s)\n\n{a.runs} parameter sets of "
        f"{len(ranges)} calibrated parameters in {a.waves} waves at scale {a.scale}, one "
        f"seed each. Status `{ens['status']}`: {ens['note']}.\n\nAccepted with at most k "
        "targets missed (within "
        f"{a.cutoff:g} tolerance on every other): "
        + ", ".join(f"k={k}: {v}" for k, v in hm["accepted_by_misses"].items()) + "\n",
        encoding="utf-8")
    print(f"history_matching: {ens['status']}: {ens['note']}; {out / 'ensemble.yaml'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
