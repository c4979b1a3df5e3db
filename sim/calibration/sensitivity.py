"""Global sensitivity analysis (Morris elementary effects, SALib) of two headline outputs.

Outputs analysed, for the default configuration with each varied parameter spread over its
plausible range (``sim/params/*.yaml``, parameters with ``sensitivity: true``, or
``--params``):

* ``breakdown_24m_abuse_neglect``: share of abuse or neglect returns that re-enter care
  within 24 months (status quo);
* ``net_cost_per_year_gbp``: the false-economy net cost, England-equivalent, per measured
  year: ``(cost_total_gbp under policy support=entitlement - cost_total_gbp under status
  quo) / years``, both runs on the same seed. Negative = the entitlement saves money.

Design: Morris (Campolongo et al. improved trajectories off; SALib ``morris.sample`` with
``num_levels=4``), ``trajectories`` x (k + 1) points, each run as status quo and as
entitlement. Every point uses the same seeds (common random numbers), so differences
between points are the parameters' effect, not a different draw of families; with
``--replicates R`` each point is the mean over R seeds.

Documented default size: 4 trajectories, scale 0.02, 12 warm-up + 10 measured years, one
seed: with the 30 flagged parameters, 124 points x 2 runs = 248 runs, about 10-15 minutes
on one free core. This is a screening design: it ranks parameters (``mu_star``, the mean
absolute elementary effect, with a bootstrap 95% interval), it does not apportion variance.

Files written to ``--out`` (default ``calibration/sensitivity``): ``sensitivity_table.csv``
and ``.md`` (every parameter, both outputs, ranked), ``design.csv`` (every point and its
outputs), ``summary.json`` and ``summary.md`` (the conclusion at the default and how often it
flips over the design), ``sensitivity_tornado.png`` and ``.svg``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import textwrap
import json
import logging
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import yaml

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import seaborn as sns  # noqa: E402

from sim.calibration.ensemble import apply_overrides, load_overrides
from sim.calibration.provenance import RangeError, parameters_by_path, select
from sim.config_files import config_dir
from sim.formats import gbp_m
from sim.results import run

OUTPUTS = {
    "breakdown_24m_abuse_neglect": "breakdown within 24 months, abuse or neglect returns",
    "net_cost_per_year_gbp": "net cost of the support entitlement, GBP a year (England)",
}
#: The support entitlement whose net cost is analysed: Holmes' package (issue 12), the main
#: arm of the false-economy experiment, read from its own config option so the two cannot
#: drift apart.
ENTITLEMENT = {"support": yaml.safe_load(
    (config_dir() / "policy" / "support" / "entitlement_holmes.yaml").read_text())}


def _pair(config: dict[str, Any]) -> dict[str, float]:
    """Status quo and entitlement on the same seed: the two outputs (a worker function)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    sq = run(config).metrics
    cfg = dict(config)
    cfg["policy"] = ENTITLEMENT
    en = run(cfg).metrics
    years = float(config["years"])
    return {"breakdown_24m_abuse_neglect": float(sq["breakdown_24m_abuse_neglect"]),
            "net_cost_per_year_gbp": (float(en["cost_total_gbp"]) -
                                      float(sq["cost_total_gbp"])) / years,
            "cost_status_quo_per_year_gbp": float(sq["cost_total_gbp"]) / years,
            "breakdown_24m_abuse_neglect_entitlement":
                float(en["breakdown_24m_abuse_neglect"])}


def _check(trajectories: int, replicates: int, years: int, jobs: int, scale: float) -> None:
    for name, v, lo in (("trajectories", trajectories, 2), ("replicates", replicates, 1),
                        ("years", years, 3), ("jobs", jobs, 1)):
        if not isinstance(v, int) or v < lo:
            raise ValueError(f"{name}: expected a whole number of at least {lo}, got {v!r}")
    if not 0 < scale <= 1.0:
        raise ValueError(f"scale: expected 0 < scale <= 1, got {scale!r}")


def _design_configs(names: list[str], X: np.ndarray, base: dict[str, Any],
                    base_overrides: dict[str, Any], seeds: list[int]) -> list[dict[str, Any]]:
    """One run configuration a design point and seed, then the default point itself (no
    plausible-range change, for the conclusion) on each seed."""
    configs = []
    for row in X:
        for s in seeds:
            cfg = apply_overrides(base, {**base_overrides,
                                         **{p: float(v) for p, v in zip(names, row)}})
            cfg["seed"] = s
            configs.append(cfg)
    for s in seeds:
        cfg = dict(base)
        cfg["seed"] = s
        configs.append(cfg)
    return configs


def _run_pairs(configs: list[dict[str, Any]], jobs: int, log: Any, t0: float
               ) -> list[dict[str, float]]:
    """:func:`_pair` of every configuration, in order, in this process or ``jobs``
    processes; a progress line every 10 pairs."""
    results: list[dict[str, float]] = []
    with ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else nullcontext() as pool:
        pairs = pool.map(_pair, configs) if pool is not None else map(_pair, configs)
        for i, r in enumerate(pairs):
            results.append(r)
            if (i + 1) % 10 == 0:
                print(f"  {i + 1}/{len(configs)} pairs, {time.time() - t0:.0f}s", file=log,
                      flush=True)
    return results


def _morris_table(problem: dict[str, Any], X: np.ndarray, per_point: pd.DataFrame,
                  ranges: list[Any], seed: int) -> pd.DataFrame:
    """Each output's Morris indices, parameters ranked by mu* (missing outputs at a point
    take the mean over the design)."""
    from SALib.analyze import morris as morris_analyze

    known = parameters_by_path()
    rows = []
    for output in OUTPUTS:
        Y = per_point[output].to_numpy(dtype=float)
        if np.isnan(Y).any():
            Y = np.where(np.isnan(Y), np.nanmean(Y), Y)
        si = morris_analyze.analyze(problem, X, Y, num_resamples=1000, conf_level=0.95,
                                    num_levels=4, seed=seed)
        top = float(np.max(si["mu_star"])) or 1.0
        order = np.argsort(-np.asarray(si["mu_star"]))
        for rank, j in enumerate(order, start=1):
            r = ranges[j]
            rows.append({"output": output, "rank": rank, "parameter": r.path,
                         "label": known[r.path].label, "low": r.low, "high": r.high,
                         "mu_star": float(si["mu_star"][j]),
                         "mu_star_conf": float(si["mu_star_conf"][j]),
                         "mu": float(si["mu"][j]), "sigma": float(si["sigma"][j]),
                         "relative": float(si["mu_star"][j]) / top})
    return pd.DataFrame(rows)


def _net_cost_over_design(per_point: pd.DataFrame, default_point: pd.Series
                          ) -> dict[str, float]:
    net = per_point["net_cost_per_year_gbp"].to_numpy(dtype=float)
    d_net = float(default_point["net_cost_per_year_gbp"])
    flips = float(np.mean(np.sign(net) != np.sign(d_net))) if len(net) else math.nan
    return {"min": float(np.nanmin(net)), "median": float(np.nanmedian(net)),
            "max": float(np.nanmax(net)), "share_negative": float(np.mean(net < 0)),
            "share_opposite_sign_to_default": flips}


def morris_analysis(*, trajectories: int = 4, scale: float = 0.02, warmup_years: int = 12,
                    years: int = 10, seed: int = 1, replicates: int = 1,
                    params: list[str] | None = None, base_overrides: dict[str, Any] | None = None,
                    jobs: int = 1, out: Path = Path("calibration/sensitivity"),
                    log: Any = sys.stderr, command: str | None = None) -> pd.DataFrame:
    """Run the Morris design and write the table, figure and summary. Returns the table."""
    from SALib.sample import morris as morris_sample

    _check(trajectories, replicates, years, jobs, scale)
    ranges = select(params, "sensitivity")
    base_overrides = dict(base_overrides or {})
    problem = {"num_vars": len(ranges), "names": [r.path for r in ranges],
               "bounds": [[r.low, r.high] for r in ranges]}
    X = morris_sample.sample(problem, N=trajectories, num_levels=4, seed=seed)
    base = apply_overrides({"scale": scale, "warmup_years": warmup_years, "years": years},
                           base_overrides)
    configs = _design_configs(problem["names"], X, base, base_overrides,
                              [seed * 1000 + i for i in range(replicates)])
    t0 = time.time()
    print(f"Morris: {len(ranges)} parameters, {len(X)} points x {replicates} seed(s) x 2 runs "
          f"+ the default point = {2 * len(configs)} runs at scale {scale}", file=log, flush=True)
    res = pd.DataFrame(_run_pairs(configs, jobs, log, t0))
    n_design = len(X) * replicates
    design_res = res.iloc[:n_design].copy()
    design_res["point"] = np.repeat(np.arange(len(X)), replicates)
    per_point = design_res.groupby("point").mean()
    default_point = res.iloc[n_design:].mean()

    table = _morris_table(problem, X, per_point, ranges, seed)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "sensitivity_table.csv", index=False, float_format="%.6g")
    design = pd.DataFrame(X, columns=problem["names"])
    design = pd.concat([design, per_point.reset_index(drop=True)], axis=1)
    design.to_csv(out / "design.csv", index=False, float_format="%.6g")
    summary = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": command or "python -m sim.calibration.sensitivity",
        "method": f"SALib Morris, {trajectories} trajectories, num_levels 4, seed {seed}; "
                  f"scale {scale}, {warmup_years}+{years} years, {replicates} seed(s) a point",
        "parameters": len(ranges), "points": int(len(X)), "runs": 2 * len(configs),
        "elapsed_seconds": round(time.time() - t0, 1),
        "base_overrides": base_overrides,
        "default": {k: float(default_point[k]) for k in default_point.index},
        "net_cost_per_year_gbp_over_design": _net_cost_over_design(per_point, default_point),
        "top_net_cost": table[table.output == "net_cost_per_year_gbp"].head(5)[
            "parameter"].tolist(),
        "top_breakdown": table[table.output == "breakdown_24m_abuse_neglect"].head(5)[
            "parameter"].tolist(),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (out / "summary.md").write_text(_summary_md(summary, table), encoding="utf-8")
    (out / "sensitivity_table.md").write_text(_table_md(table), encoding="utf-8")
    plot_tornado(table, out)
    print(f"done in {time.time() - t0:.0f}s: {out}", file=log, flush=True)
    return table


def _summary_md(s: dict[str, Any], table: pd.DataFrame) -> str:
    d = s["default"]
    n = s["net_cost_per_year_gbp_over_design"]
    verdict = ("saves money" if d["net_cost_per_year_gbp"] < 0 else "costs more than it saves")
    lines = [
        "# Sensitivity of the false-economy conclusion",
        "",
        f"Method: {s['method']} ({s['parameters']} parameters over their plausible ranges, "
        f"{s['points']} design points, {s['runs']} runs).",
        "",
        f"At the default parameters the support entitlement {verdict}: net cost "
        f"{gbp_m(d['net_cost_per_year_gbp'], 1)} a year (England-equivalent; negative = saving). "
        f"Breakdown within 24 months (abuse or neglect): {d['breakdown_24m_abuse_neglect']:.3f} "
        f"under the status quo, {d['breakdown_24m_abuse_neglect_entitlement']:.3f} with the "
        "entitlement.",
        "",
        f"Over the Morris design the net cost ranged from {gbp_m(n['min'], 1)} to "
        f"{gbp_m(n['max'], 1)} a year (median {gbp_m(n['median'], 1)}); "
        f"{100 * n['share_opposite_sign_to_default']:.0f}% "
        "of the design points have the opposite sign to the default, i.e. reverse the "
        "conclusion.",
        "",
        "Assumptions the net cost depends on most (Morris mu*, GBP a year per move across the "
        "range; sign of mu: + raises the net cost):",
        "",
    ]
    for _, r in table[table.output == "net_cost_per_year_gbp"].head(8).iterrows():
        lines.append(f"- `{r['parameter']}` ({r['label']}; {r['low']:g}-{r['high']:g}): "
                     f"mu* {gbp_m(r['mu_star'], 1)} ± {gbp_m(r['mu_star_conf'], 1)}, mu "
                     f"{gbp_m(r['mu'], 1)}")
    lines += ["", "Assumptions breakdown_24m_abuse_neglect depends on most (mu*, share):", ""]
    for _, r in table[table.output == "breakdown_24m_abuse_neglect"].head(8).iterrows():
        lines.append(f"- `{r['parameter']}` ({r['low']:g}-{r['high']:g}): mu* "
                     f"{r['mu_star']:.3f} ± {r['mu_star_conf']:.3f}, mu {r['mu']:+.3f}")
    lines += ["", f"Made by: `{s['command']}` on {s['date']}.", ""]
    return "\n".join(lines)


def _table_md(table: pd.DataFrame) -> str:
    out = []
    for output, desc in OUTPUTS.items():
        sub = table[table.output == output]
        money = output.endswith("gbp")
        out += [f"## {output}: {desc}", "",
                "| rank | parameter | plausible range | mu* | 95% ± | mu | sigma | relative |",
                "|---|---|---|---|---|---|---|---|"]
        for _, r in sub.iterrows():
            f = (lambda v: f"{v / 1e6:,.2f}m") if money else (lambda v: f"{v:.4f}")
            out.append(f"| {r['rank']} | `{r['parameter']}` | {r['low']:g} - {r['high']:g} | "
                       f"{f(r['mu_star'])} | {f(r['mu_star_conf'])} | {f(r['mu'])} | "
                       f"{f(r['sigma'])} | {r['relative']:.2f} |")
        out.append("")
    return "\n".join(out)


def plot_tornado(table: pd.DataFrame, out: Path, top: int = 15) -> None:
    """Horizontal bars of mu* (with 95% intervals), one panel an output; PNG and SVG."""
    sns.set_theme(style="whitegrid")
    fig, axes = plt.subplots(1, len(OUTPUTS), figsize=(13, 0.38 * top + 1.8))
    for ax, (output, desc) in zip(np.atleast_1d(axes), OUTPUTS.items()):
        sub = table[table.output == output].head(top).copy()
        money = output.endswith("gbp")
        k = 1e6 if money else 1.0
        sub["value"] = sub["mu_star"] / k
        sub["name"] = sub["parameter"].str.replace("params.", "", regex=False)
        sub["direction"] = np.where(sub["mu"] >= 0, "raises", "lowers")
        sns.barplot(data=sub, y="name", x="value", hue="direction", dodge=False, ax=ax,
                    palette={"raises": "#c0392b", "lowers": "#2874a6"}, orient="h")
        ax.errorbar(sub["value"], np.arange(len(sub)), xerr=sub["mu_star_conf"] / k,
                    fmt="none", ecolor="black", elinewidth=1, capsize=2)
        ax.set_xlabel("Morris mu* (GBP m a year)" if money else "Morris mu* (share)")
        ax.set_ylabel("")
        ax.set_title(textwrap.fill(desc, 36), fontsize=10)
        ax.legend(title="higher value", fontsize=8, title_fontsize=8, loc="lower right")
    fig.suptitle("Which assumptions matter most (Morris screening over plausible ranges)",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(out / "sensitivity_tornado.png", dpi=130, bbox_inches="tight")
    fig.savefig(out / "sensitivity_tornado.svg", bbox_inches="tight")
    plt.close(fig)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sim.calibration.sensitivity",
        description="Morris global sensitivity of breakdown_24m_abuse_neglect and of the "
        "false-economy net cost over the plausible ranges.")
    p.add_argument("--trajectories", type=int, default=4)
    p.add_argument("--scale", type=float, default=0.02)
    p.add_argument("--warmup-years", type=int, default=12)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--replicates", type=int, default=1, help="seeds averaged at each point")
    p.add_argument("--params", default=None,
                   help="comma-separated dotted paths (default: sensitivity: true entries)")
    p.add_argument("--start", default=None,
                   help="fitted_params.yaml whose overrides are the base configuration")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--out", default="calibration/sensitivity")
    p.add_argument("--replot", action="store_true",
                   help="only redraw the figure from OUT/sensitivity_table.csv (no runs)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    params = [s.strip() for s in args.params.split(",") if s.strip()] if args.params else None
    argv_list = sys.argv[1:] if argv is None else argv
    if args.replot:
        plot_tornado(pd.read_csv(Path(args.out) / "sensitivity_table.csv"), Path(args.out))
        return 0
    try:
        base = load_overrides(args.start) if args.start else {}
        morris_analysis(trajectories=args.trajectories, scale=args.scale,
                        warmup_years=args.warmup_years, years=args.years, seed=args.seed,
                        replicates=args.replicates, params=params, base_overrides=base,
                        jobs=args.jobs, out=Path(args.out),
                        command="python -m sim.calibration.sensitivity " + " ".join(argv_list))
    except (RangeError, ValueError) as e:
        print(f"sensitivity: error: {e}", file=sys.stderr)
        return 2
    print((Path(args.out) / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
