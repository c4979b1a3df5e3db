"""``revolving-door-data``: a council's SSDA903 extract, described by the model's measures.

    revolving-door-data describe FILE... --out DIR [--start DATE] [--end DATE]
                                [--la-column LA] [--simulated RUN_DIR]
    revolving-door-data fit FILE... --out DIR [--start DATE] [--end DATE]
                           [--council NAME] [--seeds N N ...] [--forecast]
    revolving-door-data simulate --out DIR [--seed N] [--scale S] [--years N]
                                [--profile NAME] [--annual]
    revolving-door-data backtest FILE... --at DATE [DATE ...] --out DIR [--runs N]

``describe`` reads episodes and header files, checks them, and writes (all aggregate, no
identifier): ``metrics.json``, ``reentry_curve.csv``, ``councils.csv`` (the measured columns
of a run's files), ``entries_by_year.csv``, ``stock_31march.csv``, ``time_in_care.csv``,
``returns_per_child.csv``, ``quality_report.csv`` and ``.md``, and ``comparison.png``; it
prints the data-quality summary and the metrics. ``fit`` fits one council's practice and
size to its extract, the latest year held out (:mod:`sim.ssda903.fit`), and writes the fit
table, the grid, and the fitted council as a config (``--forecast``: fitted as a backtest
fits, for a run from the council's children). ``backtest`` judges forecasts made at past
extract dates against the later files (:mod:`sim.ssda903.backtest`): totals and by age
band, a table, a summary and a figure of each. ``simulate`` makes a synthetic extract: one
council run by the model, written as SSDA903 (for trying ``describe`` without real data).
Errors (an unusable file, a bad option) print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config import PROFILES
from sim.results import run
from sim.ssda903.backtest import (BREAKDOWNS, Settings, backtest, check_dates, figure,
                                  figure_by, summary)
from sim.ssda903.figure import comparison_figure
from sim.ssda903.fit import Window, fit_council
from sim.ssda903.measure import MEASURED_METRICS, default_period, measure
from sim.ssda903.read import Ssda903Error, read_extract
from sim.ssda903.seed import in_care_at
from sim.ssda903.write import write_ssda903


def _date(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="revolving-door-data", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("describe", help="measure an SSDA903 extract")
    d.add_argument("files", nargs="+", type=Path, help="episodes and header CSV files")
    d.add_argument("--out", type=Path, required=True, help="folder for the outputs")
    d.add_argument("--start", type=_date, help="first day measured (default: the 1 April on "
                   "or before the first end of an episode)")
    d.add_argument("--end", type=_date, help="the day after the last day measured, the "
                   "extract date (default: the 1 April after the last date in the files)")
    d.add_argument("--la-column", default="LA", help="column naming the council in a "
                   "regional file (default LA; absent = one council)")
    d.add_argument("--simulated", type=Path, help="a run's output folder: its "
                   "reentry_curve.csv is drawn beside the observed one")
    f = sub.add_parser("fit", help="fit one council's practice and size to its extract")
    f.add_argument("files", nargs="+", type=Path, help="episodes and header CSV files")
    f.add_argument("--out", type=Path, required=True, help="folder for the outputs")
    f.add_argument("--start", type=_date, help="first day of the fit (as for describe)")
    f.add_argument("--end", type=_date, help="the extract date; the year before it is held "
                   "out (as for describe)")
    f.add_argument("--la-column", default="LA")
    f.add_argument("--council", help="the council to fit, in a file of several")
    f.add_argument("--seeds", type=int, nargs="+", default=[1, 2],
                   help="seeds of the simulated replicates (at least 2; default 1 2)")
    f.add_argument("--forecast", action="store_true",
                   help="fit for a forecast from the council's children (councils=from_data) "
                   "as a backtest does: the size at every grid point, first entries and the "
                   "stocks at the end of the fit years and at the extract date fitted too")
    b = sub.add_parser("backtest", help="judge forecasts made at past extract dates against "
                       "the later files (sim/ssda903/backtest.py)")
    b.add_argument("files", nargs="+", type=Path, help="episodes and header CSV files, "
                   "reaching past the dates by the horizons")
    b.add_argument("--at", type=_date, nargs="+", required=True,
                   help="extract dates to forecast from (YYYY-MM-DD)")
    b.add_argument("--out", type=Path, required=True, help="folder for the outputs")
    b.add_argument("--la-column", default="LA")
    b.add_argument("--horizons", type=int, nargs="+", default=[12, 24, 36],
                   help="months ahead (default 12 24 36)")
    b.add_argument("--history-years", type=int, default=5,
                   help="years of files held at each date (default 5)")
    b.add_argument("--runs", type=int, default=60,
                   help="fitted model's runs over its accepted set (default 60)")
    b.add_argument("--runs-unfitted", type=int, default=5,
                   help="runs of the unfitted model and of the fit's best point (default 5)")
    s = sub.add_parser("simulate", help="make a synthetic extract: one council, simulated")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--scale", type=float, default=0.01,
                   help="size relative to England (default 0.01: a large council)")
    s.add_argument("--years", type=int, default=5, help="years measured (default 5)")
    s.add_argument("--warmup-years", type=int, default=12)
    s.add_argument("--start-year", type=int, default=2015)
    s.add_argument("--profile", default="typical", help="the council's practice profile")
    s.add_argument("--annual", action="store_true",
                   help="also write one episodes and header file a collection year")
    return p


def describe(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    sim_curve = None
    if args.simulated is not None:
        f = args.simulated / "reentry_curve.csv"
        if not f.is_file():
            raise Ssda903Error(f"--simulated {args.simulated}: no reentry_curve.csv there "
                               "(give a run's output folder)")
        sim_curve = pd.read_csv(f)
    extract = read_extract(args.files, la_column=args.la_column)
    print(extract.report.summary())
    m = measure(extract, args.start, args.end)
    out: Path = args.out
    m.write(out)
    extract.report.write(out)
    comparison_figure(m.reentry_curve, out / "comparison.png", sim_curve)
    mm = m.metrics
    print(f"\nMeasured {mm['measured_from']} to {mm['measured_to']} "
          f"({mm['years_measured']:.2f} years), {mm['children']:,d} children, "
          f"{mm['periods_of_care']:,d} periods of care:")
    for k in MEASURED_METRICS:
        v = mm[k]
        print(f"  {k:36s} {v:12.3f}" if isinstance(v, float) else f"  {k:36s} {v:12,d}")
    print(f"\nOutputs in {out} ({time.perf_counter() - started:.1f} s)")
    return 0


def fit(args: argparse.Namespace) -> int:
    if len(args.seeds) < 2:
        raise Ssda903Error("--seeds: give at least 2 seeds (the fit needs the replicates' "
                           "spread)")
    extract = read_extract(args.files, la_column=args.la_column)
    councils = sorted(extract.episodes["la"].unique())
    if len(councils) > 1:
        if args.council not in councils:
            raise Ssda903Error(f"--council: the files hold {len(councils)} councils; name one "
                               f"of {', '.join(councils)}")
        keep = extract.episodes["la"] == args.council
        extract.episodes = extract.episodes[keep].reset_index(drop=True)
    print(extract.report.summary())
    d0, d1 = default_period(extract.episodes)
    window = Window(args.start or d0, args.end or d1)
    if window.years < 2:
        raise Ssda903Error(f"measured period {window.start.date()} to {window.end.date()}: "
                           "a fit needs at least 2 years (the latest is held out)")
    how: dict[str, Any] = ({"metrics": Settings().fit_metrics, "profile_scale": True}
                           if args.forecast else {})
    result = fit_council(extract, window, seeds=tuple(args.seeds),
                         progress=lambda msg: print(f"\r  {msg}   ", end="", file=sys.stderr,
                                                    flush=True), **how)
    print(file=sys.stderr)
    write_fit(result, args.out, args.council or "fitted", window, list(args.seeds),
              la=councils[0] if len(councils) == 1 else args.council,
              in_care=in_care_at(extract.episodes, window.end))
    print(f"\nFitted: return_propensity {result.return_propensity:.3g}, thoroughness "
          f"{result.thoroughness:.3g}, scale {result.scale:.4g} ({result.evaluations} "
          "simulated runs)\n")
    print(result.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nOutputs in {args.out}; run the fitted council with:\n  revolving-door "
          f"--config-dir {args.out.resolve()} councils=fitted scale={result.scale:.6g}\n"
          "or start from its children at the extract date, a forecast:\n  revolving-door "
          "councils=from_data councils.path=<the files> "
          f"councils.fit={args.out / 'fit.json'} years=3")
    return 0


def write_fit(result: Any, out: Path, name: str, window: Any, seeds: list[int], *,
              la: str = "", in_care: int = 0) -> None:
    """``fit_table.csv``, ``fit_grid.csv``, ``fit.json`` and ``councils/fitted.yaml`` (the
    fitted council as a Hydra councils config: ``revolving-door --config-dir OUT
    councils=fitted scale=S``). ``fit.json`` also names the council (``la``: its code in
    the files, '' without an LA column) and its children in care at the extract date, so
    that a run from data (``councils.fit``) can check that the fit is of its council."""
    (out / "councils").mkdir(parents=True, exist_ok=True)
    result.table.to_csv(out / "fit_table.csv", index=False, float_format="%.6g")
    result.grid.to_csv(out / "fit_grid.csv", index=False, float_format="%.6g")
    summary = {"return_propensity": result.return_propensity,
               "thoroughness": result.thoroughness, "scale": result.scale,
               "objective": result.objective, "simulated_runs": result.evaluations,
               "fit_from": str(window.start.date()),
               "held_out_from": str(window.fit_end.date()),
               "extract_date": str(window.end.date()), "seeds": seeds,
               "council": la, "children_in_care_at_extract_date": int(in_care)}
    (out / "fit.json").write_text(json.dumps(summary, indent=2) + "\n")
    council = result.council(name)
    (out / "councils" / "fitted.yaml").write_text(
        "# A council fitted by revolving-door-data fit; use with\n"
        f"# revolving-door --config-dir {out.resolve()} councils=fitted "
        f"scale={result.scale:.6g}\n"
        + yaml.safe_dump({"defaults": [{"spread": "default"}], "mode": "listed", "n": 1,
                          "listed": [{**council, "size_share": 1.0, "profile": "typical"}]},
                         sort_keys=False))


def backtest_command(args: argparse.Namespace) -> int:
    if args.runs < 5 or args.runs_unfitted < 2:
        raise Ssda903Error("--runs, --runs-unfitted: allowed: at least 5 and 2 (the "
                           "intervals are quantiles of the runs)")
    if any(h < 1 or h > 120 for h in args.horizons):
        raise Ssda903Error("--horizons: allowed: months from 1 to 120")
    started = time.perf_counter()
    extract = read_extract(args.files, la_column=args.la_column)
    first, end = default_period(extract.episodes)
    dates = sorted(args.at)
    check_dates(dates, first, end, tuple(args.horizons))
    settings = Settings(history_years=args.history_years, runs=args.runs,
                        runs_unfitted=args.runs_unfitted)
    table, fits = backtest(extract, dates, end, tuple(args.horizons), settings,
                           progress=lambda msg: print(f"\r  {msg}          ", end="",
                                                      file=sys.stderr, flush=True))
    print(file=sys.stderr)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "backtest.csv", index=False, float_format="%.6g")
    fits.to_csv(out / "backtest_fits.csv", index=False, float_format="%.6g")
    summ = summary(table)
    summ.to_csv(out / "backtest_summary.csv", index=False, float_format="%.6g")
    figure(summ, out / "backtest.png")
    by = {b: summary(table, b) for b in BREAKDOWNS}
    for b, sb in by.items():
        sb.to_csv(out / f"backtest_by_{b}.csv", index=False, float_format="%.6g")
        figure_by(sb, out / f"backtest_by_{b}.png", b)
    councils = table["council"].nunique()
    print(f"Backtest: {councils} council(s) x {len(dates)} extract date(s), files to "
          f"{end.date()}; children in care forecast at each horizon against the files")
    show = summ.copy()
    for c in ("coverage80", "coverage95"):
        if c in show:
            show[c] = show[c].map(lambda v: "" if v != v else f"{v:.0%}")
    print(show.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    for b, sb in by.items():
        wide = sb[sb["method"].isin(("model_fitted", "persistence", "stock_flow"))].pivot(
            index=["group", "horizon_months"], columns="method", values="mae_percent")
        wide = wide.reindex(BREAKDOWNS[b][0], level=0)
        print(f"\nBy {b.replace('_', ' ')}: mean absolute error, % of the group's children "
              "in care")
        print(wide.to_string(float_format=lambda v: f"{v:.1f}"))
    print("\nFits (practice where the data put it; ridge = the two parameters not "
          "separated):")
    print(fits[["council", "extract_date", "return_propensity", "thoroughness",
                "accepted_points", "ridge", "monitoring_months"]].to_string(index=False))
    print(f"\nOutputs in {out} ({time.perf_counter() - started:.0f} s)")
    return 0


def simulate(args: argparse.Namespace) -> int:
    if args.profile not in PROFILES:
        raise Ssda903Error(f"--profile {args.profile!r}: allowed: {', '.join(PROFILES)}")
    cfg = {"seed": args.seed, "scale": args.scale, "years": args.years,
           "warmup_years": args.warmup_years, "start_year": args.start_year,
           "councils": {"mode": "listed",
                        "listed": [{"name": "Example", "profile": args.profile}]}}
    res = run(cfg, ssda903=True)
    res.write(args.out / "run")
    write_ssda903(args.out / "ssda903", res.episodes, seed=args.seed,  # type: ignore[arg-type]
                  start_year=args.start_year, warmup_years=args.warmup_years,
                  councils=["Example"], years=args.years if args.annual else None)
    print(f"Simulated council 'Example' ({args.profile}), seed {args.seed}, scale "
          f"{args.scale}: run outputs in {args.out / 'run'}, SSDA903 extract in "
          f"{args.out / 'ssda903'}")
    print(json.dumps({k: res.metrics[k] for k in ("returned_home_share", "reentry_12m",
                                                   "returns_measured")}))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return {"describe": describe, "fit": fit, "simulate": simulate,
                "backtest": backtest_command}[args.command](args)
    except (Ssda903Error, ValueError) as err:
        print(f"revolving-door-data: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
