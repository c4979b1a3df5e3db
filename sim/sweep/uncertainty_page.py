"""The report of the false-economy Monte Carlo: tables, figures, its page and README's line.

:func:`build` reads a ``false_economy_uncertainty`` sweep folder (every complete job's
``runs.csv``, :mod:`sim.sweep.montecarlo`) and writes into it:

``mc_runs.csv``
    every run: ``arm``, ``replicate``, the inputs, the metrics.
``mc_paired.csv``
    one row a design and replicate: the quantities of :func:`sim.sweep.uncertainty.paired`.
``mc_summary.csv``
    :func:`sim.sweep.uncertainty.summary`: per design, horizon and quantity, ``n``,
    ``mean``, ``median``, ``p10``, ``p90`` (the 80% interval), ``p2_5``, ``p97_5`` (the 95%
    interval); for ``probability_*`` rows, ``mean`` is the probability and ``p2_5`` to
    ``p97_5`` its Monte Carlo 95% interval.
``mc_variance_shares.csv``
    per design and output (return per £1 and net cost a year, 10 years): each input's
    ``share`` of the variance (its first-order Sobol index), ``se`` (its bootstrap
    standard error), ``label``, ``n``.
``mc_convergence.csv``
    per design: the probability and median return per £1 over the first ``replicates``.
``mc_breakeven.csv``
    per design and horizon: both break-even bases from the means over replicates
    (``model``, ``holmes``) beside Holmes' own (``holmes_published``).
``mc_convergence_check.csv``
    per design, the convergence rule (:func:`sim.sweep.uncertainty.monte_carlo_errors`):
    ``n``, ``probability``, ``se_probability``, ``median_return_per_pound``,
    ``se_median_return_per_pound``, ``converged`` (both errors within their limits).
``figures/false_economy_probability.png``, ``figures/false_economy_unknowns.png``,
``figures/false_economy_convergence.png`` (and ``.svg``)
    the return per £1 with the break-even line and the probability written on it; the
    ranked unknowns; the convergence.
``page.md``, ``readme_headline.md``
    the experiment page and README's probability paragraph, made from the tables above.

:func:`publish` copies the page, the tables and the figures into a checkout
(``experiments/false_economy_uncertainty.md``, ``experiments/results/...``,
``experiments/img/...``) and replaces only README's marked probability paragraph.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from sim.config_files import config_dir  # noqa: E402
from sim.results import atomic_write  # noqa: E402
from sim.sweep import uncertainty as unc  # noqa: E402
from sim.sweep.figures import save  # noqa: E402
from sim.sweep.frontier import HOLMES_BREAKEVEN_FALL  # noqa: E402
from sim.sweep.jobs import COMPLETE, INFO_FILE, Job  # noqa: E402
from sim.sweep.mc_inputs import INPUTS  # noqa: E402
from sim.sweep.montecarlo import RUNS_FILE  # noqa: E402

PAGE = "experiments/false_economy_uncertainty.md"
RESULTS = "experiments/results/false_economy_uncertainty"
FIGURES = ("false_economy_probability", "false_economy_unknowns", "false_economy_convergence")
TABLES = ("mc_summary.csv", "mc_variance_shares.csv", "mc_convergence.csv",
          "mc_breakeven.csv", "mc_paired.csv", "mc_convergence_check.csv")
#: The false-economy experiment's page, which shows README's probability paragraph too.
FALSE_ECONOMY_PAGE = Path("experiments") / "false_economy.md"
README_START = "<!-- headline-probability:start -->"
README_END = "<!-- headline-probability:end -->"
COMMAND = "python scripts/false_economy_uncertainty.py"
#: bootstrap resamples for the variance shares' standard errors
BOOTSTRAP = 100
MAIN = "entitlement_holmes"


def runs_table(jobs: list[Job]) -> pd.DataFrame:
    """Every complete job's rows, with their arm (the ``arm`` column a job writes; in a
    sweep of one arm a job, before issue 22's branching, the job's ``policy/support``)."""
    frames = []
    for job in jobs:
        path = job.folder / RUNS_FILE
        if job.status != COMPLETE or not path.is_file() or path.stat().st_size < 2:
            continue  # a chunk with no replicates (more chunks than replicates)
        df = pd.read_csv(path)
        if "arm" not in df:
            df.insert(0, "arm", str(job.values.get("policy/support", unc.REFERENCE)))
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ---------------------------------------------------------------- numbers as text

def _p(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x * 100:.0f}p"


def _pct(x: float, digits: int = 0) -> str:
    return "n/a" if not math.isfinite(x) else f"{x * 100:.{digits}f}%"


def _gbpm(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{'-' if round(x / 1e6) < 0 else ''}£{abs(x) / 1e6:,.0f}m"


def _row(s: pd.DataFrame, arm: str, h: int, q: str) -> pd.Series:
    sel = s[(s["arm"] == arm) & (s["horizon_years"] == h) & (s["quantity"] == q)]
    return sel.iloc[0]


def _interval(r: pd.Series, fmt: Any, lo: str = "p10", hi: str = "p90") -> str:
    return f"{fmt(r['median'])} ({fmt(r[lo])} to {fmt(r[hi])})"


# ---------------------------------------------------------------- figures

def probability_figure(pairs: dict[str, pd.DataFrame], s: pd.DataFrame, labels: dict[str, str],
                       source: str, folder: Path, h: int = 10) -> list[Path]:
    """Each design's return per £1 over the replicates, the break-even line at £1 and the
    probability of paying for itself written beside it."""
    arms = list(pairs)
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "revolving-door",
                         "font.size": 9}):
        fig, axes = plt.subplots(len(arms), 1, figsize=(6.3, 1.5 + 1.35 * len(arms)),
                                 sharex=True, squeeze=False)
        allx = np.concatenate([pairs[a][f"return_per_pound_{h}y"].to_numpy(dtype=float)
                               for a in arms])
        allx = allx[np.isfinite(allx)]
        hi = max(1.3, float(np.quantile(allx, 0.995)) * 1.05) if len(allx) else 1.5
        bins = np.linspace(0.0, hi, 41)
        for ax, arm in zip(axes[:, 0], arms):
            x = pairs[arm][f"return_per_pound_{h}y"].to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            ax.hist(np.clip(x, 0.0, hi), bins=bins, color="#2166ac", alpha=0.8)
            ax.axvline(1.0, color="#b2182b", lw=1.2)
            p = _row(s, arm, h, "probability_pays")["mean"]
            med = _row(s, arm, h, "return_per_pound")
            ax.text(1.0, 0.92, f"  pays for itself: {p * 100:.0f}% of draws", color="#b2182b",
                    transform=ax.get_xaxis_transform(), va="top", fontsize=8)
            ax.set_title(f"{labels.get(arm, arm)}: each £1 saves {_p(med['median'])} "
                         f"(80% of draws {_p(med['p10'])} to {_p(med['p90'])})",
                         fontsize=8.5, loc="left")
            ax.set_yticks([])
        axes[-1, 0].set_xlabel(f"Savings to councils per £1 spent on support, over {h} years "
                               "(£; the red line is break-even)")
        fig.suptitle("How likely is support to pay for itself?", fontsize=10)
        fig.text(0.01, -0.01, source, fontsize=6.5, color="#4d4d4d", ha="left", va="top",
                 wrap=True)
        fig.tight_layout()
        return save(fig, folder, "false_economy_probability")


def unknowns_figure(shares: pd.DataFrame, label: str, source: str, folder: Path
                    ) -> list[Path]:
    """The ranked unknowns: each input's share of the variance of the return per £1."""
    d = shares.iloc[::-1]
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "revolving-door",
                         "font.size": 9}):
        fig, ax = plt.subplots(figsize=(6.3, 0.45 * len(d) + 1.3))
        colours = ["#bababa" if i == "remainder" else "#2166ac" for i in d["input"]]
        ax.barh(d["label"], d["share"] * 100, color=colours)
        for y, v in enumerate(d["share"]):
            ax.text(v * 100 + 0.5, y, f"{v * 100:.0f}%", va="center", fontsize=8)
        ax.set_xlabel("Share of the uncertainty in savings per £1 (10 years), %")
        ax.set_title(f"Which unknowns matter most: {label}", fontsize=10, loc="left")
        ax.set_xlim(0, max(10.0, float(d["share"].max()) * 100 * 1.15))
        fig.text(0.01, -0.01, source, fontsize=6.5, color="#4d4d4d", ha="left", va="top",
                 wrap=True)
        fig.tight_layout()
        return save(fig, folder, "false_economy_unknowns")


def convergence_figure(conv: pd.DataFrame, labels: dict[str, str], source: str,
                       folder: Path) -> list[Path]:
    """The probability and the median return per £1 as replicates are added."""
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "revolving-door",
                         "font.size": 9}):
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.5, 3.3))
        for i, (arm, g) in enumerate(conv.groupby("arm", sort=False)):
            c = ("#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214")[i % 5]
            a1.plot(g["replicates"], g["probability"] * 100, color=c,
                    label=labels.get(arm, arm))
            a1.fill_between(g["replicates"], g["probability_low"] * 100,
                            g["probability_high"] * 100, color=c, alpha=0.12)
            a2.plot(g["replicates"], g["median_return_per_pound"] * 100, color=c)
        a1.set_xlabel("Replicates")
        a1.set_ylabel("Chance it pays for itself (10 years), %")
        a2.set_xlabel("Replicates")
        a2.set_ylabel("Median saving per £1 (10 years), pence")
        a1.legend(fontsize=7, frameon=False)
        fig.suptitle("Convergence: the answer as replicates are added (shaded: 95% "
                     "Monte Carlo interval)", fontsize=9)
        fig.text(0.01, -0.01, source, fontsize=6.5, color="#4d4d4d", ha="left", va="top",
                 wrap=True)
        fig.tight_layout()
        return save(fig, folder, "false_economy_convergence")


# ---------------------------------------------------------------- the whole report

def _ensemble_info(path: str | None) -> dict[str, Any]:
    if not path or not Path(path).is_file():
        return {"status": "none", "size": 1, "text": "no ensemble: the default parameters"}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    hm = data.get("history_matching") or {}
    return {"status": data.get("status", "?"), "size": len(data.get("members") or []),
            "path": path, "history_matching": hm, "note": data.get("note", "")}


def build(folder: Path, jobs: list[Job], config: dict[str, Any], labels: dict[str, str]
          ) -> tuple[list[Path], list[str], str]:
    """The tables, figures, page and README paragraph of the sweep in ``folder``.
    Returns the files written, the report's lines and its one-line finding."""
    files: list[Path] = []

    def write(df: pd.DataFrame, name: str) -> None:
        atomic_write(folder / name, lambda p: df.to_csv(p, index=False, float_format="%.6g"))
        files.append(folder / name)

    runs = runs_table(jobs)
    if runs.empty:
        return files, ["No complete Monte Carlo job: nothing to report."], ""
    write(runs, "mc_runs.csv")
    pairs = unc.paired(runs)
    order = [a for a in labels if a in pairs] + [a for a in pairs if a not in labels]
    pairs = {a: pairs[a] for a in order}
    write(pd.concat([d.assign(arm=a) for a, d in pairs.items()], ignore_index=True),
          "mc_paired.csv")
    s = unc.summary(pairs)
    write(s, "mc_summary.csv")
    shares = pd.concat([unc.variance_shares(d, out, boot=BOOTSTRAP).assign(arm=a)
                        for a, d in pairs.items()
                        for out in ("return_per_pound_10y", "net_cost_per_year_10y_gbp")],
                       ignore_index=True)
    write(shares, "mc_variance_shares.csv")
    conv = pd.concat([unc.convergence(d).assign(arm=a) for a, d in pairs.items()],
                     ignore_index=True)
    write(conv, "mc_convergence.csv")
    be = pd.DataFrame([{"arm": a, "horizon_years": h, **unc.pooled_breakeven(d, h),
                        "holmes_published": HOLMES_BREAKEVEN_FALL}
                       for a, d in pairs.items() for h in (5, 10)])
    write(be, "mc_breakeven.csv")
    errors = pd.DataFrame([{"arm": a, **unc.monte_carlo_errors(d)} for a, d in pairs.items()])
    write(errors, "mc_convergence_check.csv")
    info = json.loads((folder / INFO_FILE).read_text()) if (folder / INFO_FILE).is_file() else {}
    mc = config.get("mc") or {}
    n_rep = int(s["n"].max())
    meta = {"model": info.get("model", "?"), "command": info.get("command", ""),
            "replicates": n_rep, "planned": mc.get("replicates"), "scale": config.get("scale"),
            "price_year": config.get("price_year", 2024), "seconds": _seconds(folder, jobs, info),
            "runs": len(runs), "ensemble": _ensemble_info(mc.get("ensemble")), "mc": mc,
            "jobs": len(jobs), "complete": sum(j.status == COMPLETE for j in jobs),
            "errors": errors}
    source = (f"Source: Revolving Door model {meta['model']}, false-economy Monte Carlo, "
              f"{n_rep} paired replicates at {meta['scale'] * 100:g}% of England (scaled to "
              f"England), {meta['price_year']} prices; every unknown drawn for each replicate.")
    figs = folder / "figures"
    files += probability_figure(pairs, s, labels, source, figs)
    main = MAIN if MAIN in pairs else next(iter(pairs))
    files += unknowns_figure(shares[(shares["arm"] == main)
                                    & (shares["output"] == "return_per_pound_10y")],
                             labels.get(main, main), source, figs)
    files += convergence_figure(conv, labels, source, figs)
    page = page_text(s, shares, conv, be, meta, labels, main)
    atomic_write(folder / "page.md", lambda p: Path(p).write_text(page))
    headline = readme_text(s, meta, labels, main, shares, be)
    atomic_write(folder / "readme_headline.md", lambda p: Path(p).write_text(headline + "\n"))
    files += [folder / "page.md", folder / "readme_headline.md"]
    r = _row(s, main, 10, "probability_pays")
    rpp = _row(s, main, 10, "return_per_pound")
    finding = (f"{labels.get(main, main)} pays for itself in cash in {r['mean'] * 100:.0f}% of "
               f"{n_rep} replicates over 10 years; each £1 saves {_interval(rpp, _p)}")
    lines = [f"- {labels.get(a, a)}: pays for itself over 10 years in "
             f"{_row(s, a, 10, 'probability_pays')['mean'] * 100:.0f}% of replicates; each £1 "
             f"saves {_interval(_row(s, a, 10, 'return_per_pound'), _p)} (80% interval)"
             for a in pairs]
    return files, lines, finding


def _seconds(folder: Path, jobs: list[Job], info: dict[str, Any]) -> float:
    ends = [j.folder / RUNS_FILE for j in jobs if (j.folder / RUNS_FILE).is_file()]
    if not ends or "started" not in info:
        return math.nan
    return max(p.stat().st_mtime for p in ends) - float(info["started"])


def readme_text(s: pd.DataFrame, meta: dict[str, Any], labels: dict[str, str], main: str,
                shares: pd.DataFrame | None = None, breakeven: pd.DataFrame | None = None
                ) -> str:
    """README's probability paragraph (between :data:`README_START` and :data:`README_END`);
    with the ``shares`` (``mc_variance_shares.csv``) and ``breakeven``
    (``mc_breakeven.csv``) tables, also what matters most and both break-even bases."""
    p10, p5 = (_row(s, main, h, "probability_pays")["mean"] for h in (10, 5))
    rpp = _row(s, main, 10, "return_per_pound")
    others = [a for a in s["arm"].unique() if a != main]
    rest = "; ".join(f"{labels.get(a, a).lower()} {_pct(_row(s, a, 10, 'probability_pays')['mean'])}"
                     for a in others)
    return (f"**{labels.get(main, main)} pays for itself in cash with probability "
            f"{_pct(p10)} over 10 years** ({_pct(p5)} over 5 years): each £1 saves "
            f"**{_p(rpp['median'])}** (80% interval {_p(rpp['p10'])}-{_p(rpp['p90'])}), over "
            f"{meta['replicates']} paired replicates that draw every unknown (support's "
            f"effect from the evidence, costs, what follows a failed return, the calibrated "
            f"parameters); other designs: {rest}.{_matters_and_breakeven(shares, breakeven, main)}"
            f" Made by `{COMMAND}` "
            f"([experiments/false_economy_uncertainty.md](experiments/false_economy_uncertainty.md)).")


def _matters_and_breakeven(shares: pd.DataFrame | None, breakeven: pd.DataFrame | None,
                           main: str) -> str:
    """The two unknowns with the largest shares of the variance of the main design's return
    per pound over 10 years, and its break-even fall on both bases (empty without tables)."""
    out = ""
    if shares is not None and len(shares):
        top = shares[(shares["arm"] == main) & (shares["output"] == "return_per_pound_10y")
                     ].sort_values("share", ascending=False).head(2)
        if len(top):
            parts = [f"{str(r['label'])[0].lower()}{str(r['label'])[1:]} "
                     f"({_pct(float(r['share']))} of the variance)" for _, r in top.iterrows()]
            out += " What decides it most: " + ", then ".join(parts) + "."
    if breakeven is not None and len(breakeven):
        b = breakeven[(breakeven["arm"] == main) & (breakeven["horizon_years"] == 10)]
        if len(b):
            r = b.iloc[0]
            out += (f" It would pay for itself if failed returns fell by {_pct(float(r['holmes']))}"
                    f" counted Holmes' way (her own figures: {_pct(float(r['holmes_published']))})"
                    f", or by {_pct(float(r['model']))} on the model's basis (net spend against "
                    "what each failed return avoided saves over 10 years).")
    return out


def default_replicates() -> int:
    """The experiment's documented default size (its config's ``mc.replicates``)."""
    path = config_dir() / "experiment" / "false_economy_uncertainty.yaml"
    return int(yaml.safe_load(path.read_text(encoding="utf-8"))["mc"]["replicates"])


def _size_sentence(meta: dict[str, Any]) -> str:
    n, default = meta["replicates"], default_replicates()
    if n >= default:
        return f"This is the documented default size ({default} paired replicates)."
    return (f"**This run is smaller than the documented default** ({default} paired "
            f"replicates; this run {n}); the convergence section shows how far the answer "
            "had settled.")


def _tolerances(hm: dict[str, Any]) -> str:
    cut = hm.get("cutoff", "?")
    return "its tolerance" if cut == 1 or cut == 1.0 else f"{cut} times its tolerance"


def _convergence_check(errors: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """The convergence rule and whether this run meets it, design by design."""
    lim = unc.MCSE_LIMITS
    met = bool(errors["converged"].all())
    out = ["**The convergence rule**, checked by the run itself "
           "(`mc_convergence_check.csv`): at the run's size, the Monte Carlo standard error "
           f"of each design's 10-year probability of paying for itself must be at most "
           f"{lim['probability'] * 100:.0f} percentage points (its 95% interval about "
           f"±{2 * lim['probability'] * 100:.0f} points: enough to tell 10% from 20%), and "
           f"that of its median return per £1 at most {lim['median_return_per_pound'] * 100:.0f}p "
           "(from the order statistics that bracket the median). The default size, "
           f"{default_replicates()} paired replicates, is the issue's minimum; the rule says "
           f"whether it is enough. This run: **{'met' if met else 'not met'}** for "
           f"{'every design' if met else 'some designs'}.", "",
           "| design | replicates | probability (standard error) | median per £1 "
           "(standard error) | within the limits |", "|---|---|---|---|---|"]
    for _, r in errors.iterrows():
        out.append(f"| {labels.get(r['arm'], r['arm'])} | {int(r['n'])} | "
                   f"{_pct(r['probability'])} ({_pct(r['se_probability'], 1)}) | "
                   f"{_p(r['median_return_per_pound'])} "
                   f"({r['se_median_return_per_pound'] * 100:.1f}p) | "
                   f"{'yes' if r['converged'] else 'no'} |")
    return out


def _inputs_rows(meta: dict[str, Any]) -> list[str]:
    mc = meta["mc"]
    ens = meta["ensemble"]
    sc, cc, re = mc.get("support_cost", {}), mc.get("care_cost", {}), mc.get("reentry", {})
    return [
        "| unknown | drawn from | source |", "|---|---|---|",
        f"| {INPUTS['u_maltreatment']} | one normal draw mapped through each level's "
        "lognormal: maltreatment hazard ratios 0.9, 0.75, 0.6 at the median (95%: 0.77-1.0, "
        "0.51-1.0, 0.33-1.0) | [docs/evidence.md#support-effect-distributions]"
        "(../docs/evidence.md#support-effect-distributions), rows R1-R9 |",
        f"| {INPUTS['u_resolution']} | as above: resolution rate ratios 1.2, 1.6, 2.0 "
        "(95%: 1.0-1.52, 1.08-2.37, 1.11-3.6) | the same, rows R2, R8 |",
        f"| {INPUTS['disengaged_effect_share']} | uniform 0-0.6 | judgement (the same section) |",
        f"| {INPUTS['support_cost']} | {sc.get('shape')} multiplier, sd on the log scale "
        f"{sc.get('sd_log')} | {sc.get('source', '')} |",
        f"| {INPUTS['care_cost']} | {cc.get('shape')} multiplier {cc.get('low')}-{cc.get('high')} "
        f"on placement costs | {cc.get('source', '')} |",
        f"| {INPUTS['reentry_dynamics']} | planned re-returns after a re-entry: "
        + ", ".join(f"{'the calibrated value' if v is None else f'{v:g} times as likely as on a first entry'}"
                    f" ({w / sum(re.get('weights', [1])) * 100:.0f}% of draws)"
                    for v, w in zip(re.get("values", []), re.get("weights", []))) +
        f" | {re.get('source', '')} |",
        f"| {INPUTS['member']} | one of {ens['size']} parameter sets (ensemble status "
        f"`{ens['status']}`) | `{ens.get('path', 'none')}`: see \"How far the calibration's "
        "acceptance got\" below |",
        f"| {INPUTS['seed']} | a new model seed each replicate, shared by its arms | common "
        "random numbers (`sim/rng.py`) |"]


def page_text(s: pd.DataFrame, shares: pd.DataFrame, conv: pd.DataFrame, be: pd.DataFrame,
              meta: dict[str, Any], labels: dict[str, str], main: str) -> str:
    """The whole experiment page, from the tables."""
    arms = list(dict.fromkeys(s["arm"]))
    L = labels.get
    out = ["# The false economy as a probability: how likely is support to pay for itself?",
           "",
           "<!-- Made by the command below from a run; do not edit by hand: "
           f"`{COMMAND}` writes this page. -->", "",
           "## Question", "",
           "[The false-economy experiment](false_economy.md) answers with intervals that "
           "carry seed noise and a few parameter sets, and with support's effect fixed at a "
           "judgement. This experiment asks what a campaigner needs: **how likely is it that "
           "support after a return pays for itself**, once every unknown is allowed to vary "
           "as far as the evidence allows, and **which unknowns matter most**. It follows the "
           "practice of the best benefit-cost models in this field (the Washington State "
           "Institute for Public Policy's: effects from meta-analyses, Monte Carlo over every "
           "input, the chance benefits exceed costs; [docs/evidence.md#review-wsipp-ifps]"
           "(../docs/evidence.md#review-wsipp-ifps)), with the model's own dynamics inside "
           "the Monte Carlo.", "",
           "## Command", "", "```bash",
           f"{COMMAND}          # everything on this page and README's probability line",
           f"{COMMAND} --quick  # a quick look (40 replicates, 5% of England)",
           "```", "",
           "It runs, in order: the calibration's acceptance step (`python -m "
           "sim.calibration.history_matching`, writing `calibration/history_matching/`), the "
           "Monte Carlo (`revolving-door -m experiment=false_economy_uncertainty`: each job "
           "one chunk of replicates, every arm of each, through the ordinary launchers: "
           "joblib here, `hydra/launcher=slurm` on a cluster; a replicate's warm-up is "
           "simulated once and each arm runs on from a copy of it, which gives the numbers "
           "of each arm run from the start, `sim/branch.py`), its report, and the copy of this page, its "
           "tables and figures into the checkout, and of the probability paragraph into "
           "README (only between its `headline-probability` markers).", "",
           f"The run: model {meta['model']}, {meta['replicates']} paired replicates "
           f"({meta['runs']} runs: current practice and {len(arms)} support designs per "
           f"replicate) at {meta['scale'] * 100:g}% of England, figures scaled to England, "
           f"{meta['price_year']} prices; {meta['complete']} of {meta['jobs']} jobs complete; "
           f"{meta['seconds']:.0f} s from the sweep's start to its last job on the 2-core "
           f"development machine; command `{meta['command']}`. Tables in "
           "[results/false_economy_uncertainty/](results/false_economy_uncertainty/). "
           + _size_sentence(meta), "",
           "## The answer", "",
           "![The return per £1 of each design, with the break-even line]"
           "(img/false_economy_probability.png)", "",
           "| design | pays for itself in cash: 10 years (5 years) | each £1 saves, 10 years: "
           "median (80%; 95%) | 5 years: median (80%) | net cost a year, 10 years: median "
           "(80%; 95%) | 5 years: median (80%) |", "|---|---|---|---|---|---|"]
    for a in arms:
        pr10, pr5 = _row(s, a, 10, "probability_pays"), _row(s, a, 5, "probability_pays")
        r10, r5 = _row(s, a, 10, "return_per_pound"), _row(s, a, 5, "return_per_pound")
        n10, n5 = _row(s, a, 10, "net_cost_per_year"), _row(s, a, 5, "net_cost_per_year")
        out.append(
            f"| {L(a, a)} | **{_pct(pr10['mean'])}** ({_pct(pr5['mean'])}) | "
            f"**{_p(r10['median'])}** ({_p(r10['p10'])} to {_p(r10['p90'])}; "
            f"{_p(r10['p2_5'])} to {_p(r10['p97_5'])}) | {_interval(r5, _p)} | "
            f"{_gbpm(n10['median'])} ({_gbpm(n10['p10'])} to {_gbpm(n10['p90'])}; "
            f"{_gbpm(n10['p2_5'])} to {_gbpm(n10['p97_5'])}) | {_interval(n5, _gbpm)} |")
    out += ["", "A probability is the share of replicates in which the design's net cost to "
            "councils (its spending less what it saves, against current practice on the same "
            "draw and seed) is below zero; its Monte Carlo 95% interval is in `mc_summary.csv` "
            "(`probability_pays`, `p2_5` to `p97_5`). Intervals are of the replicates: they "
            "carry every unknown below, not only chance. England-equivalent; negative net "
            "cost: it pays for itself.", "",
            "**With children's outcomes valued.** Conti et al. (2021) put the lifetime cost "
            "to society of non-fatal maltreatment at £89,390 a victim (£44,896 to £145,508; "
            "[docs/evidence.md#review-conti-2021](../docs/evidence.md#review-conti-2021)). "
            "Counting each child maltreated again after a return that a design avoids at that "
            "value (not cash to councils; part of it, social care, is already in councils' "
            "savings, so this overstates a little; its price year was not found and it is "
            "used unconverted, which understates):", "",
            "| design | pays for itself with children's harm valued, 10 years: central value "
            "(low; high) | 5 years |", "|---|---|---|"]
    for a in arms:
        v = [_row(s, a, 10, f"probability_pays_valued{t}")["mean"] for t in ("", "_low", "_high")]
        v5 = _row(s, a, 5, "probability_pays_valued")["mean"]
        out.append(f"| {L(a, a)} | {_pct(v[0])} ({_pct(v[1])}; {_pct(v[2])}) | {_pct(v5)} |")
    out += ["", "No published value of a failed return's harm to a child as such was found; "
            "the value above is of maltreatment, the harm the model counts.", "",
            "## Break-even, like for like", "",
            "Two different measures have been set side by side as if they were one. "
            "**Holmes' basis**: the gross cost of supporting every returning family against "
            "the cost of all failed returns, each counted as Holmes counts one (the re-entry's "
            "work and up to a year in care; the model's `failed_return_cost_holmes_gbp`): "
            "support pays for itself if failed returns fall by that share. Holmes' own "
            "figures (£67m against £316m a year) give "
            f"**{_pct(HOLMES_BREAKEVEN_FALL)}**. **The model's basis**: the design's spending "
            "net of the support councils give now, against what each failed return avoided "
            "saves over the horizon (later cycles included), as a share of current practice's "
            "failed returns. Both from the model's own numbers, each replicate's (median, 80% "
            "interval) and from the means over replicates (`mc_breakeven.csv`):", "",
            "| design, horizon | Holmes' basis: median (80%) | from the means | the model's "
            "basis: median (80%) | from the means | fall achieved: median (80%) | Holmes' "
            "figures |", "|---|---|---|---|---|---|---|"]
    for a in arms:
        for h in (10, 5):
            hb, mb = _row(s, a, h, "breakeven_fall_holmes"), _row(s, a, h, "breakeven_fall_model")
            fa = _row(s, a, h, "fall")
            pooled = be[(be["arm"] == a) & (be["horizon_years"] == h)].iloc[0]
            out.append(f"| {L(a, a)}, {h} years | {_interval(hb, _pct)} | "
                       f"{_pct(pooled['holmes'])} | {_interval(mb, _pct)} (n = {int(mb['n'])}) | "
                       f"{_pct(pooled['model'])} | {_interval(fa, lambda x: _pct(x, 1))} | "
                       f"{_pct(HOLMES_BREAKEVEN_FALL)} |")
    out += ["", "The model's basis is lower than Holmes' because it counts only the support "
            "added to what councils give now, and a failed return avoided saves its later "
            "cycles too; Holmes' basis counts all support and one year of one failed return. "
            "The model's basis is empty in replicates where a design avoids no failed returns "
            "or saves nothing (n counts the rest).", "",
            "## Which unknowns matter most", "",
            "![Which unknowns matter most](img/false_economy_unknowns.png)", "",
            "Each unknown's share of the variance of the return per £1 over 10 years (its "
            "first-order share: how much of the spread would go if it alone were known, "
            "estimated from the draws by grouping them by the unknown's value, less what "
            "grouping finds when an input does nothing). This is the first-order Sobol index "
            "by its definition, Var(E[Y | X]) / Var(Y); only the way E[Y | X] is estimated "
            "differs from a Saltelli design (grouping the Monte Carlo's own draws, which needs "
            "no extra runs). In brackets, its standard error over "
            f"{BOOTSTRAP} bootstrap resamples of the replicates. What the unknowns leave "
            "unexplained is chance (each replicate's own seed) and interactions.", "",
            "| unknown | " + " | ".join(L(a, a) for a in arms) + " |",
            "|---|" + "---|" * len(arms)]
    sub = shares[shares["output"] == "return_per_pound_10y"]
    for name in list(sub[sub["arm"] == main]["input"]):
        cells = []
        for a in arms:
            v = sub[(sub["arm"] == a) & (sub["input"] == name)]
            se = float(v["se"].iloc[0]) if len(v) and "se" in v else math.nan
            cells.append("" if not len(v) else _pct(float(v["share"].iloc[0]))
                         + (f" ({_pct(se)})" if math.isfinite(se) else ""))
        label = sub[sub["input"] == name]["label"].iloc[0]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    top = sub[(sub["arm"] == main) & (sub["input"] != "remainder")].iloc[0]
    study = ("a study that measured it (support after a return in England, against current "
             "practice, on re-entry and maltreatment) would settle more of the question than "
             "any other" if top["input"] in ("u_maltreatment", "u_resolution") else
             "knowing it better would narrow the answer more than any other unknown")
    out += ["", f"For {L(main, main)} the first is **{top['label'].lower()}** "
            f"({_pct(top['share'])} of the variance): {study}. Shares for the net cost a year "
            "are in `mc_variance_shares.csv`.", "",
            "## Convergence", "",
            "![Convergence](img/false_economy_convergence.png)", ""]
    g = conv[conv["arm"] == main]
    half = g.iloc[len(g) // 2 - 1] if len(g) > 1 else g.iloc[-1]
    last = g.iloc[-1]
    out += [f"For {L(main, main)}: over the first {int(half['replicates'])} replicates the "
            f"probability is {_pct(half['probability'])} and the median {_p(half['median_return_per_pound'])}; "
            f"over all {int(last['replicates'])}, {_pct(last['probability'])} "
            f"({_pct(last['probability_low'])} to {_pct(last['probability_high'])}, Monte "
            f"Carlo 95%) and {_p(last['median_return_per_pound'])} "
            "(`mc_convergence.csv`).", ""]
    out += _convergence_check(meta["errors"], labels)
    out += ["",
            "## The unknowns drawn", ""]
    out += _inputs_rows(meta)
    ens = meta["ensemble"]
    hm = ens.get("history_matching") or {}
    out += ["", "Each replicate runs current practice and every design with the same draw "
            "and the same seed, so a design's difference from current practice is its "
            "mechanism, not noise; the draws are a pure function of `mc.seed` and the "
            "replicate (`sim/sweep/mc_inputs.py`). The support designs are not drawn: each "
            "replicate runs them all, since a design is a choice, not an unknown.", "",
            "### How far the calibration's acceptance got", ""]
    if hm:
        out += [f"`{ens.get('path')}` (status `{ens['status']}`): "
                f"{hm.get('runs', '?')} parameter sets run in {hm.get('waves', '?')} waves "
                f"at {hm.get('scale', '?')} of England, one seed each, from the calibrated "
                f"parameters' plausible ranges; a set is accepted when its "
                f"{int(hm.get('allow_misses', 0)) + 1}th largest implausibility "
                f"(|simulated - target| over the {hm.get('targets', '?')} targets, in "
                "tolerances widened by each target's run-to-run spread at that scale, "
                f"measured on {hm.get('noise_runs', 0)} seeds at the defaults) is at most "
                f"{hm.get('cutoff', '?')}: every target within {_tolerances(hm)} but at "
                f"most {hm.get('allow_misses', '?')} (the usual three-sigma cut is 3); the "
                "first wave around the calibrated "
                f"defaults (within {float(hm.get('around', 0)) * 100:.0f}% of each range "
                f"either side), later ones inside what was not ruled out; "
                f"{float(hm.get('seconds', math.nan)):.0f} s. Accepted: "
                + ", ".join(f"{v} with at most {k} targets missed" for k, v in
                            (hm.get("accepted_by_misses") or {}).items())
                + f". {ens.get('note', '')}", ""]
    else:
        out += [f"{ens.get('text', ens.get('note', ''))}.", ""]
    accepted = ens["status"] in ("accepted", "history_matched")
    out += ["## Caveats", "",
            "- **Support's effect comes from evaluations of other services in other places** "
            "(mostly intensive family preservation in the United States), widened for "
            "transfer; no trial of support after a return in England exists. The unknown "
            f"that moves {L(main, main)}'s return most in this run is "
            f"{top['label'].lower()} ({_pct(top['share'])}).",
            ("- **No calibration ensemble was used** (`mc.ensemble=null`): the calibrated "
             "parameters are the defaults, and their uncertainty is not in the answer."
             if ens["status"] == "none" else
             "- **The calibration ensemble is small** (the acceptance step's budget above): "
             f"{ens['size']} parameter sets accepted at one seed each, at a smaller scale "
             "than this experiment." if accepted else
             f"- **No parameter set was accepted** at the acceptance step's budget: the "
             f"{ens['size']} sets drawn from are the best by its criterion (status "
             f"`{ens['status']}`), not a sample of the sets the targets allow, so the "
             "calibrated parameters' share of the variance is a lower bound."),
            "- Costs outside children's social care, and savings after 10 years, are not in "
            "the model; the valued probability uses one published value of maltreatment's "
            "lifetime cost.",
            "- Scale: councils simulated at a fraction of their size and figures scaled to "
            "England; chance is larger than at full scale, and is one of the unknowns above.",
            "", "## Outputs", "",
            "The report writes into the sweep folder, and the command copies to "
            "`experiments/results/false_economy_uncertainty/`: `mc_summary.csv`, "
            "`mc_variance_shares.csv`, `mc_convergence.csv`, `mc_breakeven.csv`, "
            "`mc_paired.csv` (columns: `sim/sweep/uncertainty_page.py` and "
            "`sim/sweep/uncertainty.py`); the sweep folder also keeps `mc_runs.csv` (every "
            "run) and each job's `runs.csv`.", ""]
    return "\n".join(out)


def publish(folder: Path, root: Path) -> list[Path]:
    """Copy the page, tables and figures of the report in ``folder`` into the checkout at
    ``root``, and replace README's probability paragraph and that of
    ``experiments/false_economy.md`` (between the markers only)."""
    written = []
    page = root / PAGE
    shutil.copyfile(folder / "page.md", page)
    written.append(page)
    res = root / RESULTS
    res.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        shutil.copyfile(folder / name, res / name)
        written.append(res / name)
    img = root / "experiments" / "img"
    for name in FIGURES:
        for ext in (".png", ".svg"):
            src = folder / "figures" / f"{name}{ext}"
            if src.is_file():
                shutil.copyfile(src, img / f"{name}{ext}")
                written.append(img / f"{name}{ext}")
    headline = (folder / "readme_headline.md").read_text().strip()
    written.append(replace_block(root / "README.md", headline))
    # the false-economy experiment's own page gives the same answer at its top
    written.append(replace_block(root / FALSE_ECONOMY_PAGE, page_headline(headline)))
    return written


def page_headline(headline: str) -> str:
    """README's probability paragraph as ``experiments/false_economy.md`` shows it: its
    links made relative to the experiments folder."""
    return headline.replace("](experiments/", "](")


def replace_block(path: Path, text: str) -> Path:
    """Replace what lies between :data:`README_START` and :data:`README_END` in ``path``."""
    content = path.read_text(encoding="utf-8")
    start, end = content.find(README_START), content.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"{path}: no {README_START} ... {README_END} block to replace")
    new = content[:start + len(README_START)] + "\n" + text + "\n" + content[end:]
    atomic_write(path, lambda p: Path(p).write_text(new, encoding="utf-8"))
    return path


__all__ = ["COMMAND", "FALSE_ECONOMY_PAGE", "README_END", "README_START", "build",
           "page_headline", "page_text", "publish",
           "readme_text", "replace_block", "runs_table"]
