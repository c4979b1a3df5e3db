"""``revolving-door-report DIR``: the tables, figures and summary of a sweep folder.

Runs by itself when a multirun ends (:mod:`sim.sweep.callback`), and again whenever it is
asked, for example after a resumed sweep, or to see how far a cluster sweep has got
(``--status`` only counts jobs). It writes into ``DIR``:

* ``sweep.csv``, ``effects.csv``, ``calibration.csv`` and, by experiment kind,
  ``interactions.csv``, ``councils_all.csv`` (:mod:`sim.sweep.aggregate`),
  ``decomposition.csv`` and ``derived.csv`` (:mod:`sim.sweep.councils`);
* ``figures/*.png`` and ``figures/*.svg`` (:mod:`sim.sweep.figures`);
* ``report.md``: what was run, which jobs are failed or missing, and the main numbers.

Exit status 0 when every job is complete, 1 when some are failed or missing (the tables
and figures are still written, from the complete pairs only, and the report says which
jobs are left out), 2 when ``DIR`` is not a sweep folder.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from omegaconf import OmegaConf

from sim import formats
from sim.config_files import config_dir
from sim.results import atomic_write
from sim.sweep import aggregate as agg
from sim.sweep import councils as councils_tables
from sim.sweep import figures as fig
from sim.sweep import frontier
from sim.sweep import uncertainty_page
from sim.sweep.jobs import (COMPLETE, FAILED, INFO_FILE, MISSING, Job, SweepError,
                            load_sweep_config, sweep_jobs)
from sim.version import model_version



@dataclass
class Report:
    folder: Path
    experiment: agg.Experiment
    jobs: list[Job]
    files: list[Path] = field(default_factory=list)
    headline: str = ""

    @property
    def incomplete(self) -> list[Job]:
        return [j for j in self.jobs if j.status != COMPLETE]

    def counts(self) -> dict[str, int]:
        return {s: sum(j.status == s for j in self.jobs) for s in (COMPLETE, FAILED, MISSING)}


def _write_csv(df: pd.DataFrame, path: Path, float_format: str = "%.10g") -> Path:
    atomic_write(path, lambda p: df.to_csv(p, index=False, float_format=float_format))
    return path


def _meta(folder: Path, exp: agg.Experiment, sweep: pd.DataFrame) -> dict[str, Any]:
    info = {}
    if (folder / INFO_FILE).is_file():
        info = json.loads((folder / INFO_FILE).read_text())
    done = sweep[sweep["status"] == COMPLETE]
    scales = sorted(set(done["scale"].dropna())) if "scale" in done else []
    scale_text = ("scale " + ", ".join(f"{s:g}" for s in scales) +
                  " of England (figures scaled to England)") if scales else ""
    price = sorted(set(done["price_year"].dropna().astype(int))) if "price_year" in done else []
    return {"model": info.get("model", model_version()), "experiment": exp.name,
            "runs": len(done), "scale_text": scale_text,
            "price_year": price[0] if price else "", "command": info.get("command", "")}


def _arm_matches(p: agg.Pairs, arm_cols: list[str], want: dict[str, Any]) -> bool:
    vals = dict(zip(arm_cols, p.key))
    return all(k in vals and str(vals[k]) == str(v) for k, v in want.items())


@dataclass
class _Tables:
    """What every kind of experiment's part of the report reads: the sweep's tables, its
    pairs of runs, and where the figures go."""

    report: Report
    sweep: pd.DataFrame
    effects: pd.DataFrame
    pairs: list[agg.Pairs]
    arm_cols: list[str]
    ref_runs: pd.DataFrame
    calib: pd.DataFrame
    meta: dict[str, Any]
    figs: Path

    def write(self, df: pd.DataFrame, name: str, float_format: str = "%.10g") -> None:
        self.report.files.append(_write_csv(df, self.report.folder / name, float_format))

    def main_pair(self) -> agg.Pairs | None:
        """The experiment's main arm; a sweep that leaves it out (e.g. only some arms, on
        the command line) is reported on its first arm instead of not at all."""
        want = self.report.experiment.main_arm
        main = next((p for p in self.pairs if _arm_matches(p, self.arm_cols, want)),
                    None) if want else None
        return main if main is not None or not self.pairs else self.pairs[0]


def _tables(folder: Path, report: Report) -> _Tables:
    """sweep.csv, effects.csv and calibration.csv, written, and the pairs behind them."""
    exp, jobs = report.experiment, report.jobs
    sweep = agg.sweep_table(jobs)
    report.files.append(_write_csv(sweep, folder / "sweep.csv"))
    cols = agg.override_columns(jobs)
    metrics = agg.metric_columns(sweep, cols)
    arm_cols = [c for c in agg.varying(sweep, cols) if c != "seed"]
    pairs = agg.pair_runs(sweep, exp, cols)
    effects = agg.effects_table(pairs, metrics, arm_cols)
    report.files.append(_write_csv(effects, folder / "effects.csv"))
    ref_runs = agg.reference_runs(sweep, exp)
    calib = agg.calibration_table(ref_runs)
    report.files.append(_write_csv(calib, folder / "calibration.csv"))
    return _Tables(report, sweep, effects, pairs, arm_cols, ref_runs, calib,
                   _meta(folder, exp, sweep), folder / "figures")


def _false_economy_part(t: _Tables, main: agg.Pairs) -> list[str]:
    """The false-economy and sensitivity experiments: the waterfall of the main arm, every
    arm, and (false economy) the answer as a range over the arms."""
    kind, r = t.report.experiment.kind, t.report
    r.files += fig.false_economy_figure(t.effects, main.label, t.meta, t.figs)
    r.headline = fig.false_economy_headline(t.effects, main.label)
    r.files += fig.arms_figure(
        t.effects, t.meta, t.figs, name="sensitivity" if kind == "sensitivity"
        else "false_economy_arms",
        title=("How the net cost moves when the cost or the effect of support is halved "
               "or doubled" if kind == "sensitivity" else ""))
    lines = _false_economy_lines(t.effects, t.pairs)
    if kind == "false_economy":
        rng = frontier.headline_range(t.effects)
        t.write(rng, "headline_range.csv")
        r.files += frontier.frontier_figure(rng, t.meta, t.figs)
        lines += ["", "The answer as a range over the arms (support designs and any other "
                  "swept settings): " + frontier.range_text(rng) + "."]
    return lines


def _dose_part(t: _Tables) -> list[str]:
    exp = t.report.experiment
    doses = {p.label: float(p.arm[exp.dose].iloc[0]) for p in t.pairs if len(p.arm)}
    t.report.files += fig.dose_figure(t.effects, doses, exp.dose_label or exp.dose, t.meta,
                                      t.figs, exp.question or exp.name)
    return _false_economy_lines(t.effects, t.pairs)


def _grid_part(t: _Tables) -> list[str]:
    inter = agg.interactions_table(t.pairs, t.report.experiment, t.arm_cols)
    t.write(inter, "interactions.csv")
    t.report.files += fig.grid_figure(t.effects, inter, t.meta, t.figs)
    lines = _false_economy_lines(t.effects, t.pairs)
    lines += ["", "Interactions (combined effect minus the sum of the single levers, "
              "10 years):", ""]
    for _, r in inter.iterrows():
        fmt = formats.gbp_m if r["metric"].endswith("_gbp") else formats.count
        lines.append(f"- {r['arm']}, {r['metric']}: " + formats.with_interval(
            fmt, r["interaction_mean"], r["interaction_low"], r["interaction_high"]))
    return lines


def _councils_part(t: _Tables) -> list[str]:
    councils = agg.councils_table([j for j in t.report.jobs if j.status == COMPLETE])
    t.write(councils, "councils_all.csv")
    dec = councils_tables.decomposition_table(t.ref_runs)
    t.write(dec, "decomposition.csv")
    t.write(councils_tables.derived_table(councils, t.ref_runs), "derived.csv",
            councils_tables.DERIVED_FORMAT)
    t.report.files += fig.councils_figure(councils, dec[dec["part"] != "both (full model)"],
                                          t.meta, t.figs)
    lines = ["Share of the variance explained (adjusted R², Shapley parts; 95% "
             "intervals over replicates):", ""]
    for _, r in dec.iterrows():
        lines.append(f"- {r['outcome']}, {r['part']}: {r['mean'] * 100:.1f}% "
                     f"({r['low'] * 100:.1f}% to {r['high'] * 100:.1f}%)")
    return lines


def _calibration_part(t: _Tables) -> list[str]:
    t.report.files += fig.calibration_figure(t.calib, t.meta, t.figs)
    lines = ["Calibration (mean over replicates, 95% interval, target ± tolerance):", ""]
    for _, r in t.calib.iterrows():
        lines.append(f"- {r['metric']}: {r['mean']:.3f} ({r['low']:.3f} to "
                     f"{r['high']:.3f}); target {r['target']:.2f} ± {r['tolerance']:.2f}: "
                     f"{'within' if r['within'] else 'OUTSIDE'}")
    return lines


def build(folder: str | Path) -> Report:
    """Aggregate the sweep in ``folder``: tables, figures and ``report.md``."""
    folder = Path(folder)
    cfg = load_sweep_config(folder)
    exp_node = cfg.get("experiment")
    exp = agg.Experiment.from_config(
        OmegaConf.to_container(exp_node, resolve=True) if exp_node is not None else {})
    report = Report(folder, exp, sweep_jobs(folder, cfg))
    if exp.kind == "uncertainty":  # the Monte Carlo's jobs write runs.csv, not a run's files
        return _uncertainty_report(report, cfg)
    t = _tables(folder, report)
    main = t.main_pair()
    lines: list[str] = []
    if exp.kind in ("false_economy", "sensitivity") and main is not None and len(main.arm):
        lines += _false_economy_part(t, main)
    elif exp.kind == "dose_response" and t.pairs:
        lines += _dose_part(t)
    elif exp.kind == "grid" and t.pairs:
        lines += _grid_part(t)
    elif exp.kind == "councils" and len(t.ref_runs):
        lines += _councils_part(t)
    if exp.kind == "calibration" or (not t.pairs and len(t.ref_runs)):
        lines += _calibration_part(t)
    note = quick_look_note(cfg, exp, t.meta)
    if note and report.headline:
        report.headline = f"{report.headline}. {note}"
    elif note:
        lines = [note + ".", ""] + lines
    report.files.append(_write_report_md(report, t.meta, t.pairs, lines))
    return report


def _published_size(name: str) -> tuple[float | None, int | None]:
    """The experiment's own scale and number of seeds (its config file, size=full)."""
    path = config_dir() / "experiment" / f"{name}.yaml"
    if not path.is_file():
        return None, None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    seeds = str(((data.get("hydra") or {}).get("sweeper") or {}).get("params", {})
                .get("seed", ""))
    found = re.fullmatch(r"range\((\d+),\s*(\d+)\)", seeds.strip())
    n = (int(found[2]) - int(found[1]) if found
         else len(seeds.split(",")) if seeds else None)
    scale = data.get("scale")
    return (float(scale) if scale is not None else None), n


def quick_look_note(cfg: Any, exp: agg.Experiment, meta: dict[str, Any]) -> str:
    """For a sweep at a reduced size (size=quick or tiny): that it is a quick look, and
    how it differs from the experiment's published run; empty otherwise."""
    size = OmegaConf.select(cfg, "hydra.runtime.choices.size", default=None)
    if size not in ("quick", "tiny"):
        return ""
    scale = OmegaConf.select(cfg, "scale", default=None)
    seeds = OmegaConf.select(cfg, "hydra.sweeper.params.seed", default="")
    n_seeds = len(str(seeds).split(",")) if seeds else None
    ensemble = OmegaConf.select(cfg, "ensemble.file", default=None)
    pub_scale, pub_seeds = _published_size(exp.name)
    page = exp.page or f"experiments/{exp.name}.md"
    this = ", ".join(x for x in (
        f"{float(scale) * 100:g}% of England" if scale is not None else "",
        f"{n_seeds} seeds" if n_seeds else "",
        "the calibrated ensemble" if ensemble else "the default parameters") if x)
    published = ", ".join(x for x in (
        f"{pub_scale * 100:g}% of England" if pub_scale is not None else "",
        f"{pub_seeds} seeds" if pub_seeds else "",
        "the command on its page") if x)
    return (f"A quick look (size={size}: {this}), not the published run ({published}: "
            f"{page}); its intervals are wider and its numbers are not the ones to quote")
def _uncertainty_report(report: Report, cfg: Any) -> Report:
    """The false-economy Monte Carlo (:mod:`sim.sweep.uncertainty_page`)."""
    config = {k: OmegaConf.to_container(cfg[k], resolve=True) if OmegaConf.is_config(cfg[k])
              else cfg[k] for k in ("mc", "scale", "price_year") if k in cfg}
    files, lines, finding = uncertainty_page.build(report.folder, report.jobs, config,
                                                   report.experiment.labels)
    report.files += files
    report.headline = finding
    info = json.loads((report.folder / INFO_FILE).read_text()) \
        if (report.folder / INFO_FILE).is_file() else {}
    meta = {"model": info.get("model", model_version()), "command": info.get("command", ""),
            "scale_text": f"scale {config.get('scale')} of England (figures scaled to England)"}
    report.files.append(_write_report_md(report, meta, [], lines))
    return report


def _false_economy_lines(effects: pd.DataFrame, pairs: list[agg.Pairs]) -> list[str]:
    lines = ["Against current practice, paired seeds, 95% intervals (England):", ""]
    for p in pairs:
        def q(metric: str, fmt: Any) -> str:
            return fig.row_with_interval(fig.effect_row(effects, p.label, metric), fmt)
        lines.append(f"- **{p.label}** ({len(p.arm)} paired runs): over 10 years spends "
                     f"{q('fe_spend_10y_gbp', formats.gbp_m)}, saves "
                     f"{q('fe_savings_10y_gbp', formats.gbp_m)}, net cost "
                     f"{q('fe_net_cost_10y_gbp', formats.gbp_m)}; over 5 years net cost "
                     f"{q('fe_net_cost_5y_gbp', formats.gbp_m)}; each £1 saves "
                     f"{q('fe_return_per_pound_10y', formats.pence)}; failed returns avoided "
                     f"{q('fe_failed_returns_avoided_10y', formats.count)}; months in harm "
                     f"avoided {q('fe_harm_months_avoided_10y', formats.count)}; "
                     + fig.breakeven_clause(
                         fig.effect_row(effects, p.label, "fe_breakeven_fall_10y"),
                         fig.effect_row(effects, p.label, "fe_fall_10y")))
        if p.unpaired:
            lines.append(f"  - left out, status-quo partner not complete: jobs {p.unpaired}")
    return lines


def _write_report_md(report: Report, meta: dict[str, Any], pairs: list[agg.Pairs],
                     lines: list[str]) -> Path:
    exp = report.experiment
    c = report.counts()
    md = [f"# Sweep report: {exp.name}", ""]
    if exp.question:
        md += [exp.question, ""]
    md += [f"- model: {meta['model']}", f"- runs: {meta['scale_text']}",
           f"- command: `{meta['command']}`" if meta["command"] else "- command: (not recorded)",
           f"- jobs: {len(report.jobs)} planned, {c[COMPLETE]} complete, {c[FAILED]} failed, "
           f"{c[MISSING]} missing", ""]
    if report.incomplete:
        md += ["## Jobs not complete (left out of every table and figure)", "",
               "Re-run the same command with `hydra.sweep.dir=" + str(report.folder) +
               " run.resume=true` to complete them; complete jobs are skipped.", "",
               "| job | status | overrides | error |", "|---|---|---|---|"]
        for j in report.incomplete:
            md.append(f"| {j.num} | {j.status} | `{' '.join(j.overrides)}` | "
                      f"{j.error.replace('|', '/')} |")
        md.append("")
    if report.headline:
        md += ["## Finding", "", report.headline + ".", ""]
    if lines:
        md += ["## Numbers", ""] + lines + [""]
    md += ["## Files", ""] + [f"- `{p.relative_to(report.folder)}`" for p in report.files] + [""]
    path = report.folder / "report.md"
    atomic_write(path, lambda p: Path(p).write_text("\n".join(md)))
    return path


def status_line(report: Report) -> str:
    c = report.counts()
    return (f"{len(report.jobs)} jobs: {c[COMPLETE]} complete, {c[FAILED]} failed, "
            f"{c[MISSING]} missing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="revolving-door-report",
        description="Tables, figures and report.md for a sweep folder "
                    "(from `revolving-door -m ...`).")
    parser.add_argument("folder", help="the sweep folder (hydra.sweep.dir)")
    parser.add_argument("--status", action="store_true",
                        help="only count complete, failed and missing jobs")
    args = parser.parse_args(argv)
    try:
        if args.status:
            jobs = sweep_jobs(args.folder)
            rep = Report(Path(args.folder), agg.Experiment(), jobs)
        else:
            rep = build(args.folder)
    except SweepError as err:
        print(f"revolving-door-report: {err}", file=sys.stderr)
        return 2
    print(f"revolving-door-report: {args.folder}: {status_line(rep)}")
    for j in rep.incomplete:
        print(f"  job {j.num} {j.status}: {' '.join(j.overrides)}"
              + (f"\n    {j.error}" if j.error else ""))
    if rep.headline:
        print(f"  {rep.headline}.")
    if not args.status:
        print(f"  report: {Path(args.folder) / 'report.md'}")
    return 0 if not rep.incomplete else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
