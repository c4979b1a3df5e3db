#!/usr/bin/env python
"""The experiment "cut now, pay later" (issue 26): its runs, tables, figure and page.

A cut in year 1 (the first month of the measured period) to every council's after-return
support offer (``params.pressure.cut_support``), and separately to its social workers
(``cut_workforce``), each against the same seeds without the cut (common random numbers:
the difference is the cut's doing, not noise), with councils under pressure off and on,
and on with every link's elasticity multiplied by a *loop strength* (1 = the defaults of
``sim/params/pressure.yaml``). For each: the month by month path of spend, failed returns
and children in care over the 10 measured years, the cumulative net saving (spend without
the cut minus spend with it), and the year it turns into a cost, if it does; and the
weakest loop strength on the grid at which the support cut's saving turns into a cost
within 5 years.

    nice -n 10 python scripts/cut_now_pay_later.py            # about 10 minutes on 2 cores
    python scripts/cut_now_pay_later.py --quick               # a smoke test (tiny runs)

Writes ``experiments/results/cut_now_pay_later/`` (``paths.csv``, ``summary.csv``,
``threshold.csv``), ``experiments/img/cut_now_pay_later.png`` and the page
``experiments/cut_now_pay_later.md`` (every number on it from these runs). The Hydra
experiment ``configs/experiment/cut_now_pay_later.yaml`` runs the support cut's 10-year
effects through the sweep report (``revolving-door -m experiment=cut_now_pay_later``).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "experiments" / "results" / "cut_now_pay_later"
FIGURE = ROOT / "experiments" / "img" / "cut_now_pay_later.png"
PAGE = ROOT / "experiments" / "cut_now_pay_later.md"
COMMAND = "nice -n 10 python scripts/cut_now_pay_later.py"

#: the cuts: share of every council's support offer, share of its social workers
CUT_SUPPORT = 0.5
CUT_WORKFORCE = 0.2
#: loop strengths: every elasticity times this (1 = the defaults; 5 takes the support
#: link's elasticity to -5, the edge of its validation range)
STRENGTHS = (0.5, 1.0, 2.0, 3.0, 4.0, 5.0)
ELASTICITIES = ("thoroughness_elasticity", "monitoring_elasticity", "support_elasticity",
                "return_elasticity")
HORIZON_YEARS = 5


def arms() -> list[dict[str, Any]]:
    """Every arm: (feedback, strength, cut). Feedback off has no strength."""
    out = [{"feedback": False, "strength": 0.0, "cut": c}
           for c in ("none", "support", "workforce")]
    for k in STRENGTHS:
        cuts = ("none", "support", "workforce") if k == 1.0 else ("none", "support")
        out += [{"feedback": True, "strength": k, "cut": c} for c in cuts]
    return out


def config(arm: dict[str, Any], seed: int, scale: float, years: int,
           warmup: int) -> dict[str, Any]:
    from sim.parameters import PressureParams

    base = PressureParams()
    pressure: dict[str, Any] = {"enabled": arm["feedback"]}
    if arm["feedback"]:
        pressure.update({e: getattr(base, e) * arm["strength"] for e in ELASTICITIES})
    if arm["cut"] == "support":
        pressure["cut_support"] = CUT_SUPPORT
    elif arm["cut"] == "workforce":
        pressure["cut_workforce"] = CUT_WORKFORCE
    return {"seed": seed, "scale": scale, "years": years, "warmup_years": warmup,
            "params": {"pressure": pressure}}


def one_run(arm: dict[str, Any], seed: int, scale: float, years: int,
            warmup: int) -> pd.DataFrame:
    """The measured months of one run, summed over councils."""
    import logging

    from sim.ledger import COMPONENTS, GROUPS
    from sim.model import RevolvingDoorModel
    from sim.records import FLOW_FIELDS

    logging.getLogger("MESA").setLevel(logging.WARNING)
    m = RevolvingDoorModel(config(arm, seed, scale, years, warmup)).run()
    ms, end = m.config.measure_start, m.config.total_months
    amounts = m.ledger.amounts[ms:end]

    def group(name: str) -> np.ndarray:
        idx = [COMPONENTS.index(c) for c in GROUPS[name]]
        return amounts[:, :, idx].sum(axis=(1, 2))

    flows = m.timeseries.flows[ms:end]
    df = pd.DataFrame({
        "month": np.arange(end - ms),
        "spend_gbp": amounts.sum(axis=(1, 2)),
        "placement_gbp": group("placement"),
        "after_return_gbp": group("after_return"),
        "failed_returns": flows[:, :, FLOW_FIELDS.index("reentries")].sum(axis=1),
        "returns": flows[:, :, FLOW_FIELDS.index("returns")].sum(axis=1),
        "children_in_care": m.timeseries.stocks[ms:end, :, 0].sum(axis=1),
    })
    p = m.pressure
    if p is not None and p.workforce is not None:
        w = p.workforce
        df["caseload_pressure"] = p.cases[ms:end].sum(axis=1) / (
            w.sum() * p.p.caseload_per_worker)
        df["budget_pressure"] = p.spend[ms:end].sum(axis=1) / p.placement_budget.sum()
        df["social_workers"] = w.sum()
    else:
        df["caseload_pressure"] = df["budget_pressure"] = 1.0
        df["social_workers"] = np.nan
    for k, v in {**arm, "seed": seed}.items():
        df[k] = v
    m.release()
    return df


def run_all(seeds: list[int], scale: float, years: int, warmup: int,
            workers: int) -> pd.DataFrame:
    jobs = [(a, s) for a in arms() for s in seeds]
    ctx = mp.get_context("spawn")
    frames = []
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        futs = [ex.submit(one_run, a, s, scale, years, warmup) for a, s in jobs]
        for i, f in enumerate(cf.as_completed(futs), 1):
            frames.append(f.result())
            if i % 10 == 0 or i == len(futs):
                print(f"  {i}/{len(futs)} runs", flush=True)
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["feedback", "strength", "cut", "seed", "month"],
                           ignore_index=True)


# --------------------------------------------------------------------------- analysis
def differences(paths: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Each cut's paths against the same seed and arm without it, England-equivalent:
    saving = spend without the cut minus spend with it (positive: the cut saves)."""
    key = ["feedback", "strength", "seed", "month"]
    ref = paths[paths["cut"] == "none"].set_index(key)
    rows = []
    for cut in ("support", "workforce"):
        c = paths[paths["cut"] == cut].set_index(key)
        r = ref.loc[c.index]
        d = pd.DataFrame(index=c.index)
        d["cut"] = cut
        d["saving_gbp"] = (r["spend_gbp"] - c["spend_gbp"]) / scale
        d["placement_extra_gbp"] = (c["placement_gbp"] - r["placement_gbp"]) / scale
        d["after_return_saving_gbp"] = (r["after_return_gbp"] - c["after_return_gbp"]) / scale
        d["failed_returns_extra"] = (c["failed_returns"] - r["failed_returns"]) / scale
        d["in_care_extra"] = (c["children_in_care"] - r["children_in_care"]) / scale
        d["caseload_pressure_change"] = c["caseload_pressure"] - r["caseload_pressure"]
        d["budget_pressure_change"] = c["budget_pressure"] - r["budget_pressure"]
        rows.append(d.reset_index())
    out = pd.concat(rows, ignore_index=True)
    out["cum_saving_gbp"] = out.groupby(["cut", "feedback", "strength", "seed"])[
        "saving_gbp"].cumsum()
    return out


def crossover_month(cum: np.ndarray) -> float:
    """The month (1-based) from which the cumulative saving stays below 0 to the end,
    after having been a saving; NaN if it ends as a saving (or never was one)."""
    if len(cum) == 0 or cum[-1] >= 0 or not (cum > 0).any():
        return float("nan")
    above = np.nonzero(cum >= 0)[0]
    return float(above[-1] + 2)


def summarise(diff: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (cut, fb, k), g in diff.groupby(["cut", "feedback", "strength"]):
        mean = g.groupby("month").mean(numeric_only=True)
        cum = mean["cum_saving_gbp"].to_numpy()
        per_seed = [crossover_month(s["cum_saving_gbp"].to_numpy())
                    for _, s in g.groupby("seed")]
        cross = crossover_month(cum)
        rows.append({
            "cut": cut, "feedback": fb, "strength": k, "seeds": g["seed"].nunique(),
            "saving_year1_gbp": float(mean["saving_gbp"].iloc[:12].sum()),
            "cum_saving_5y_gbp": float(cum[min(59, len(cum) - 1)]),
            "cum_saving_10y_gbp": float(cum[-1]),
            "failed_returns_extra_10y": float(mean["failed_returns_extra"].sum()),
            "in_care_extra_end": float(mean["in_care_extra"].iloc[-12:].mean()),
            "budget_pressure_change_end": float(mean["budget_pressure_change"].iloc[-12:].mean()),
            "caseload_pressure_change_end": float(
                mean["caseload_pressure_change"].iloc[-12:].mean()),
            "crossover_month": cross,
            "crossover_year": float(np.ceil(cross / 12)) if cross == cross else np.nan,
            "seeds_turning": int(sum(c == c for c in per_seed)),
        })
    return pd.DataFrame(rows)


def threshold(summary: pd.DataFrame) -> pd.DataFrame:
    s = summary[(summary["cut"] == "support") & summary["feedback"]].sort_values("strength")
    t = s[["strength", "crossover_year", "cum_saving_5y_gbp", "cum_saving_10y_gbp"]].copy()
    t["turns_within_5y"] = t["crossover_year"] <= HORIZON_YEARS
    return t


# --------------------------------------------------------------------------- figure
def figure(diff: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sup = diff[diff["cut"] == "support"]
    lines = [(False, 0.0, "no feedback", "#555555", "--")]
    lines += [(True, k, f"feedback, loop strength {k:g}", c, "-")
              for k, c in ((1.0, "#1f77b4"), (2.0, "#ff7f0e"), (4.0, "#d62728"))]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    panels = (("cum_saving_gbp", 1e6, "Cumulative net saving (GBP m, England)"),
              ("failed_returns_extra", 1, "Extra failed returns a month"),
              ("in_care_extra", 1, "Extra children in care"),
              ("after_return_saving_gbp", 1e6, "Support spend saved a month (GBP m)"))
    for ax, (col, div, title) in zip(axes.flat, panels):
        for fb, k, label, colour, style in lines:
            g = sup[(sup["feedback"] == fb) & (sup["strength"] == k)]
            if g.empty:
                continue
            y = g.groupby("month")[col].mean() / div
            if col == "failed_returns_extra":
                y = y.rolling(12, min_periods=1).mean()
            ax.plot((y.index + 1) / 12, y.to_numpy(), style, color=colour, label=label)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("Years after the cut")
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"Cut now, pay later: every council's support offer cut by "
                 f"{CUT_SUPPORT:.0%} in year 1 (mean of paired seeds; failed returns a "
                 "12-month mean)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --------------------------------------------------------------------------- page
def _m(x: float) -> str:
    sign = "-" if x < 0 else ""
    return f"{sign}GBP {abs(x) / 1e6:,.0f}m"


def _year(x: float) -> str:
    return "never (in 10 years)" if x != x else f"year {x:.0f}"


def page(summary: pd.DataFrame, thr: pd.DataFrame, meta: dict[str, Any]) -> str:
    from sim.parameters import PressureParams

    p = PressureParams()

    def row(cut: str, fb: bool, k: float) -> pd.Series:
        return summary[(summary["cut"] == cut) & (summary["feedback"] == fb)
                       & (summary["strength"] == k)].iloc[0]

    off, on = row("support", False, 0.0), row("support", True, 1.0)
    w_off, w_on = row("workforce", False, 0.0), row("workforce", True, 1.0)
    turning = thr[thr["turns_within_5y"]]
    k_star = float(turning["strength"].min()) if len(turning) else float("nan")
    below = thr[thr["strength"] < k_star]["strength"] if k_star == k_star else thr["strength"]
    k_below = float(below.max()) if len(below) else float("nan")
    workers_cut = meta["social_workers"] * CUT_WORKFORCE
    breakeven = -w_on["cum_saving_10y_gbp"] / workers_cut / (meta["years"]) \
        if workers_cut > 0 else float("nan")
    lines = [
        "# Cut now, pay later: the false economy as a dynamic (issue 26)",
        "",
        "**Question.** If councils cut support after a return in year 1, when (if ever) does "
        "the cut's cumulative saving turn into a cost, once a council's practice feeds back "
        "from its caseloads and its placement budget? And how strong must those loops be "
        "for that to happen within five years?",
        "",
        f"**Made by** `{COMMAND}` (commit {meta['commit']}, {meta['seconds']:.0f} s): "
        f"{meta['seeds']} paired seeds at scale {meta['scale']} ({meta['warmup']} warm-up "
        f"years, {meta['years']} measured), every figure England-equivalent (divided by "
        "the scale). The tables are in "
        "[results/cut_now_pay_later/](results/cut_now_pay_later/). Each cut is compared "
        "with the same seed without it (common random numbers). The mechanism is described "
        "in [model.md](../docs/model.md#councils-under-pressure).",
        "",
        "![Cut now, pay later](img/cut_now_pay_later.png)",
        "",
        "## What the cut does",
        "",
        f"Every council's support offer (the share of returning families offered support) "
        f"is cut by {CUT_SUPPORT:.0%} from the first month of the measured period.",
        "",
        "| | no feedback | feedback at the defaults |",
        "|---|---|---|",
        f"| saving in year 1 | {_m(off['saving_year1_gbp'])} | {_m(on['saving_year1_gbp'])} |",
        f"| cumulative net saving after 5 years | {_m(off['cum_saving_5y_gbp'])} | "
        f"{_m(on['cum_saving_5y_gbp'])} |",
        f"| cumulative net saving after 10 years | {_m(off['cum_saving_10y_gbp'])} | "
        f"{_m(on['cum_saving_10y_gbp'])} |",
        f"| extra failed returns over 10 years | {off['failed_returns_extra_10y']:,.0f} | "
        f"{on['failed_returns_extra_10y']:,.0f} |",
        f"| extra children in care in year 10 | {off['in_care_extra_end']:,.0f} | "
        f"{on['in_care_extra_end']:,.0f} |",
        f"| the saving turns into a cost | {_year(off['crossover_year'])} | "
        f"{_year(on['crossover_year'])} |",
        f"| seeds in which it turns within 10 years | {off['seeds_turning']} of "
        f"{off['seeds']} | {on['seeds_turning']} of {on['seeds']} |",
        f"| change in budget pressure, year 10 | - | "
        f"{on['budget_pressure_change_end']:+.4f} |",
        f"| change in caseload pressure, year 10 | - | "
        f"{on['caseload_pressure_change_end']:+.4f} |",
        "",
        "Why the loops barely move it: the cut's extra failed returns add "
        f"{on['in_care_extra_end']:,.0f} children to the tens of thousands in care, so "
        "the pressures the loops feed on move by the amounts in the last two rows (1 = the "
        "reference level); a loop is as strong as the product of its links, and its first "
        "link here (support, then failed returns) is the model's own, weak, effect of "
        "support ([false_economy.md](false_economy.md)). With feedback on, the run without "
        "the cut has councils under pressure too, so both arms drift the same way and only "
        "the difference is the cut's.",
        "",
        "## How strong the loops must be",
        "",
        "Every link's elasticity multiplied by the loop strength (1 = the defaults; the "
        "balancing link is scaled with the others):",
        "",
        "| loop strength | saving turns into a cost | cumulative net saving, 5 years | "
        "10 years |",
        "|---|---|---|---|",
    ]
    for _, r in thr.iterrows():
        lines.append(f"| {r['strength']:g} | {_year(r['crossover_year'])} | "
                     f"{_m(r['cum_saving_5y_gbp'])} | {_m(r['cum_saving_10y_gbp'])} |")
    if k_star == k_star:
        lines += ["", f"**Threshold:** on this grid the support cut's cumulative saving turns "
                  f"into a cost within {HORIZON_YEARS} years from a loop strength of "
                  f"**{k_star:g}**" + (f" (not at {k_below:g})" if k_below == k_below else "")
                  + ": thoroughness, monitoring, support and return elasticities of "
                  f"{p.thoroughness_elasticity * k_star:g}, {p.monitoring_elasticity * k_star:g}, "
                  f"{p.support_elasticity * k_star:g} and {p.return_elasticity * k_star:g}."]
    else:
        lines += ["", f"**Threshold:** on this grid (up to {thr['strength'].max():g} times "
                  f"the defaults) the support cut's saving does not turn into a cost within "
                  f"{HORIZON_YEARS} years, nor within 10. A loop strength of 5 takes the "
                  "support link's elasticity to -5, the edge of what a configuration may "
                  "hold: the threshold, if there is one, lies beyond the range the model "
                  "accepts, because the loops' first link (the effect of support on failed "
                  "returns) is weak."]
    lines += [
        "",
        "## Cutting social workers instead",
        "",
        f"{CUT_WORKFORCE:.0%} of every council's social workers cut in year 1 "
        f"(about {workers_cut:,.0f} of the {meta['social_workers']:,.0f} FTE the model's "
        "cases employ, England-equivalent). The ledger has no line for salaries, so the "
        "table gives what the cut costs elsewhere; the salary a social worker must cost a "
        "year for the cut to pay for itself over 10 years is that cost over the posts and "
        "years.",
        "",
        "| | no feedback | feedback at the defaults |",
        "|---|---|---|",
        f"| cumulative net saving (without salaries), 10 years | "
        f"{_m(w_off['cum_saving_10y_gbp'])} | {_m(w_on['cum_saving_10y_gbp'])} |",
        f"| extra failed returns over 10 years | {w_off['failed_returns_extra_10y']:,.0f} | "
        f"{w_on['failed_returns_extra_10y']:,.0f} |",
        f"| extra children in care in year 10 | {w_off['in_care_extra_end']:,.0f} | "
        f"{w_on['in_care_extra_end']:,.0f} |",
        f"| break-even salary saved a post a year | - | "
        f"{'GBP {:,.0f}'.format(breakeven) if breakeven == breakeven else '-'} |",
        "",
        "Without feedback a workforce cut changes nothing in the model (no practice reads "
        "the number of social workers): the difference is zero by construction.",
        "",
        "## What is a judgement",
        "",
        "Plainly: **every link's strength is a judgement.** The direction of each link has a "
        "source ([evidence.md](../docs/evidence.md#pressure)); how far a council's "
        "thoroughness, case closure, support offer and planned returns move for a given "
        "rise in caseload or placement spend has no published estimate. The defaults "
        f"(elasticities {p.thoroughness_elasticity:g}, {p.monitoring_elasticity:g}, "
        f"{p.support_elasticity:g}, {p.return_elasticity:g}) sit inside plausible ranges "
        "that include no effect; the delays (perceived over "
        f"{p.perception_months} months, acted on {p.delay_months} months later, at "
        f"reviews every {p.review_months} months) are judgements too. The reference "
        "caseload (16.6 cases a social worker) is the DfE's; it sets the number of social "
        "workers, not the strength of any loop. Read the threshold as \"how strong the "
        "loops would have to be\", not as a finding that they are that strong.",
        "",
        "What the model does not hold: money saved by a cut being spent elsewhere; councils "
        "raising their budget when placement spend grows; the salaries of social workers "
        "cut; any effect of pressure on who comes into care.",
        "",
        "## Files",
        "",
        "In [results/cut_now_pay_later/](results/cut_now_pay_later/), made by the command "
        "above:",
        "",
        "* `paths.csv`: one row a run and measured month (`month` 0 = the first month of "
        "the cut's year), summed over councils, at the run's scale: `spend_gbp`, "
        "`placement_gbp`, `after_return_gbp` (ledger groups, 2024 prices), "
        "`failed_returns`, `returns`, `children_in_care`, `caseload_pressure` and "
        "`budget_pressure` (all councils' cases over their social workers at the reference "
        "caseload, placement spend over budget; 1 with feedback off), `social_workers`; "
        "and the arm: `feedback`, `strength`, `cut`, `seed`.",
        "* `summary.csv`: one row a cut, feedback setting and loop strength, England-"
        "equivalent, means over seeds: `saving_year1_gbp`, `cum_saving_5y_gbp`, "
        "`cum_saving_10y_gbp` (spend without the cut minus with it), "
        "`failed_returns_extra_10y`, `in_care_extra_end` (year 10's mean), "
        "`budget_pressure_change_end`, `caseload_pressure_change_end`, `crossover_month` "
        "and `crossover_year` (from when the mean cumulative saving stays below 0; empty: "
        "never), `seeds_turning` (seeds whose own saving turns), `seeds`.",
        "* `threshold.csv`: the support cut with feedback, by `strength`: "
        "`crossover_year`, the 5- and 10-year cumulative savings, `turns_within_5y`.",
        "* `meta.json`: the runs' settings, commit and time.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="tiny runs into a temporary folder")
    ap.add_argument("--out", default=None, help="folder for everything (default: the repo)")
    ap.add_argument("--page-only", action="store_true",
                    help="rewrite the page from the tables already written (no runs)")
    args = ap.parse_args(argv)
    if args.page_only:
        summary = pd.read_csv(RESULTS / "summary.csv")
        thr = pd.read_csv(RESULTS / "threshold.csv")
        meta = json.loads((RESULTS / "meta.json").read_text())
        PAGE.write_text(page(summary, thr, meta))
        print(f"wrote {PAGE}")
        return 0
    scale, years, warmup, seeds = args.scale, 10, 12, list(range(1, args.seeds + 1))
    if args.quick:
        scale, years, warmup, seeds = 0.01, 6, 4, [1, 2]
    results, fig, pg = RESULTS, FIGURE, PAGE
    if args.out or args.quick:
        base = Path(args.out or "/tmp/cut_now_pay_later_quick")
        results, fig, pg = base / "results", base / "img" / FIGURE.name, base / PAGE.name
    t0 = time.perf_counter()
    paths = run_all(seeds, scale, years, warmup, args.workers)
    diff = differences(paths, scale)
    summary = summarise(diff)
    thr = threshold(summary)
    results.mkdir(parents=True, exist_ok=True)
    paths.to_csv(results / "paths.csv", index=False, float_format="%.6g")
    summary.to_csv(results / "summary.csv", index=False, float_format="%.6g")
    thr.to_csv(results / "threshold.csv", index=False, float_format="%.6g")
    figure(diff, fig)
    sw = paths[(paths["feedback"]) & (paths["cut"] == "none")]["social_workers"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    meta = {"seeds": len(seeds), "scale": scale, "years": years, "warmup": warmup,
            "commit": commit, "seconds": time.perf_counter() - t0,
            "social_workers": float(sw.groupby(paths["seed"]).first().mean() / scale)}
    (results / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    pg.write_text(page(summary, thr, meta))
    print(summary.to_string(index=False))
    print(f"wrote {results}, {fig}, {pg}")
    return 0


if __name__ == "__main__":  # spawn workers import this module: keep the guard
    sys.exit(main())
