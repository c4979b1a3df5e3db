"""A run's own report, for someone who has never seen the config: what the command prints,
and ``report.md``, ``report.png`` and ``report_table.csv`` in the run's folder.

* **The run against the published figures** (England runs): each calibration target by its
  plain label (:mod:`sim.labels`), rounded for people. A row the run cannot measure (its
  follow-up is longer than the measured years, or nothing was there to count) is left out,
  with one line saying which and why.
* **A council's forecast** (``councils=from_data``): the council's own numbers against its
  own past (the extract), never England's targets or England-scaled money.
* **Costs** by kind, in the run's price year.
* **A run with a policy** also gets current practice on the same seed (common random
  numbers: the difference is the policy's mechanism, not chance in who comes into care)
  and says what the policy changed: failed returns, children harmed again, months in care,
  spend, savings and net cost; with the caveat that one seed is one seed, and the
  experiment that gives intervals.
* **The figure** (``report.png``): the re-entry curve against its published points,
  children in care month by month, and costs by kind.

Only the single-run command writes these (a sweep has its own report, :mod:`sim.sweep.report`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import ModelConfig, council_data
from sim.labels import METRIC_LABELS, TARGET_SOURCE_LABELS, metric_label, option_label
from sim.metrics import TARGETS, reentry_curve
from sim.records import STOCK_FIELDS
from sim.report_figure import COST_BARS, FigureData, FigureWorker, draw
from sim.results import Results, atomic_write, run

#: Files the report adds to a single run's folder (after ``metrics.json``).
REPORT_FILES = ("report.md", "report.png", "report_table.csv")

#: Months of follow-up each calibration target needs: a run measuring fewer years cannot
#: measure it (the Kaplan-Meier curve would stop short of the horizon).
FOLLOW_UP_MONTHS: dict[str, int] = {
    "reentry_3m": 3, "reentry_12m": 12, "reentry_72m": 72,
    "breakdown_24m_neglect": 24, "maltreated_24m_neglect": 24,
    "failed_return_any_60m_neglect": 60,
    "treatment_share_substance_misuse": 12,
}

#: The experiment with intervals over many seeds, by the lever a run changes.
EXPERIMENT_OF_LEVER = {"support": "false_economy", "monitoring": "monitoring_duration",
                       "treatment": "treatment_access"}

COST_ROWS = ("cost_placement_gbp", "cost_process_gbp", "cost_after_return_gbp")


# ------------------------------------------------------------------ numbers for people
def round_sig(x: float, sig: int = 3) -> float:
    """``x`` to ``sig`` significant figures (28,054 -> 28,100)."""
    if not math.isfinite(x) or x == 0:
        return x
    return round(x, sig - 1 - int(math.floor(math.log10(abs(x)))))


def people(x: float) -> str:
    """A count for people: three significant figures, thousands separated (``28,100``)."""
    return "n/a" if not math.isfinite(x) else f"{round_sig(x):,.0f}"


def money(x: float) -> str:
    """Pounds to three significant figures: ``£37.1bn``, ``£110m``, ``£1.55m``, ``-£2.3m``."""
    if not math.isfinite(x):
        return "n/a"
    sign, a = ("-" if x < 0 else ""), abs(round_sig(x))
    if a >= 1e9:
        return f"{sign}£{a / 1e9:.3g}bn"
    if a >= 1e6:
        return f"{sign}£{a / 1e6:.3g}m"
    return f"{sign}£{a:,.0f}"


def pct(x: float) -> str:
    """A share as a whole percentage (``39%``)."""
    return "n/a" if not math.isfinite(x) else f"{x * 100:.0f}%"


def scale_text(scale: float) -> str:
    """``England`` or ``5% of England`` (``1.1% of England``): never sixteen digits."""
    if math.isclose(scale, 1.0):
        return "England"
    p = scale * 100
    return f"{p:.2g}% of England" if p < 10 else f"{p:.0f}% of England"


# ------------------------------------------------------------------ the calibration rows
@dataclass(frozen=True)
class Row:
    metric: str
    label: str
    value: float
    target: float
    tolerance: float
    within: bool

    @property
    def is_count(self) -> bool:
        return abs(self.target) > 1

    def cells(self) -> tuple[str, str, str]:
        if self.is_count:
            return (people(self.value), f"{people(self.target)} ± {people(self.tolerance)}",
                    "yes" if self.within else "NO")
        return (pct(self.value), f"{self.target * 100:.0f} ± {self.tolerance * 100:.0f}%",
                "yes" if self.within else "NO")


def target_rows(metrics: dict[str, Any], years: int) -> tuple[list[Row], list[str]]:
    """The calibration targets this run measures, and the ones it cannot (left out)."""
    rows, left_out = [], []
    for name, (target, tol, _) in TARGETS.items():
        v = metrics.get(name)
        v = float("nan") if v is None else float(v)
        if not math.isfinite(v) or FOLLOW_UP_MONTHS.get(name, 0) > 12 * years:
            left_out.append(name)
            continue
        rows.append(Row(name, metric_label(name), v, target, tol, abs(v - target) <= tol))
    return rows, left_out


def left_out_line(left_out: list[str], years: int) -> str:
    """One line: which rows are left out and why."""
    if not left_out:
        return ""
    need = sorted({FOLLOW_UP_MONTHS.get(n, 0) for n in left_out} - {0})
    why = (f"they need {need[0] // 12 if need[0] % 12 == 0 else need[0]} "
           f"{'years' if need[0] % 12 == 0 else 'months'} or more of follow-up and this run "
           f"measures {years} years" if need else "nothing in this run to count")
    return (f"Left out ({why}): " + "; ".join(metric_label(n).lower() for n in left_out) + ".")


# ------------------------------------------------------------------ a policy's effect
def policy_levers(results: Results) -> dict[str, str]:
    """The levers a run changes from current practice, by option name."""
    return {k: v for k, v in (results.run_info.get("policies") or {}).items()
            if v != "status_quo"}


def status_quo(results: Results, workers: int = 1) -> Results:
    """Current practice on the same seed, scale and parameters (every lever off)."""
    cfg = dict(results.config)
    cfg["policy"] = {}
    return run(ModelConfig.from_dict(cfg), workers=workers)


def _period_totals(r: Results) -> dict[str, float]:
    """What a policy changes, over the measured period, England-equivalent."""
    ts, s, m = r.timeseries, float(r.config["scale"]), r.metrics
    return {"reentries_in_period": float(ts["reentries"].sum()) / s,
            "maltreatment_starts_in_period": float(ts["maltreatment_starts"].sum()) / s,
            "care_months_in_period": float(ts["children_in_care"].sum()) / s,
            "spend": float(m["cost_after_return_gbp"]),
            "savable": float(m["cost_placement_gbp"]) + float(m["cost_process_gbp"]),
            "total": float(m["cost_total_gbp"])}


def comparison_table(policy: Results, base: Results, factor: float = 1.0) -> pd.DataFrame:
    """``metric, label, current_practice, with_policy, change``: the policy against current
    practice (``factor``: 1 for England-equivalent, the scale for a council's own numbers)."""
    p, b = _period_totals(policy), _period_totals(base)
    rows = [(k, b[k], p[k]) for k in ("reentries_in_period", "maltreatment_starts_in_period",
                                      "care_months_in_period")]
    rows += [("fe_spend_gbp", b["spend"], p["spend"]),
             ("fe_savings_gbp", 0.0, b["savable"] - p["savable"]),
             ("fe_net_cost_gbp", 0.0, p["total"] - b["total"])]
    return pd.DataFrame([{"metric": k, "label": METRIC_LABELS[k], "current_practice": cp * factor,
                          "with_policy": wp * factor, "change": (wp - cp) * factor}
                         for k, cp, wp in rows])


def comparison_lines(table: pd.DataFrame, levers: dict[str, str], where: str,
                     years: int) -> list[str]:
    """The printed comparison: one row a quantity, rounded for people, then the caveat
    that one seed is one seed and the experiment that gives intervals."""
    names = ", ".join(option_label(k, v) for k, v in levers.items())
    out = [f"What the policy ({names}) changed against current practice, same seed, "
           f"{where}, over the {years} measured years:",
           f"  {'':50s} {'current practice':>16s} {'with the policy':>16s} {'change':>18s}"]
    for _, r in table.iterrows():
        if r["metric"].endswith("_gbp"):
            if r["metric"] == "fe_spend_gbp":
                cells = (money(r["current_practice"]), money(r["with_policy"]),
                         money(r["change"]))
            else:  # savings and net cost are differences already
                cells = ("", "", money(r["with_policy"]))
        else:
            rel = (f" ({r['change'] / r['current_practice'] * 100:+.1f}%)"
                   if r["current_practice"] else "")
            cells = (people(r["current_practice"]), people(r["with_policy"]),
                     f"{round_sig(r['change']):+,.0f}{rel}")
        out.append(f"  {r['label']:50s} {cells[0]:>16s} {cells[1]:>16s} {cells[2]:>18s}")
    exps = sorted({EXPERIMENT_OF_LEVER.get(k, "policy_grid") for k in levers})
    exp = exps[0] if len(exps) == 1 else "policy_grid"
    out += [f"One seed is one seed: these differences include chance. For 95% intervals over "
            f"many seeds run the experiment: revolving-door -m experiment={exp} "
            f"(experiments/{exp}.md)."]
    return out


# ------------------------------------------------------------------ a council's forecast
def council_lines(results: Results) -> list[str]:
    """A run from a council's data, in the council's own numbers against its own past."""
    # only runs from data read SSDA903; not this module's left_out_line (rows not measured)
    from sim.ssda903.seed import left_out_line as rows_left_out_line

    info, m, c = results.run_info["from_data"], results.metrics, results.config
    s = float(c["scale"])
    past_starts = float(council_data(ModelConfig.from_dict(c).councils).starts_per_year)
    rows = [("children_in_care_end", people(m["children_in_care_end"] * s),
             f"{info['children_in_care']:,d} at the extract date"),
            ("children_home_after_return_end",
             people(m["children_home_after_return_end"] * s),
             f"{info['children_at_home_after_return']:,d} at the extract date"),
            ("entries_per_year", people(m["entries_per_year"] * s),
             f"{people(past_starts)} a year before the extract (measured)"),
            ("cost_total_gbp", money(m["cost_total_gbp"] * s), ""),
            ("cost_after_return_gbp", money(m["cost_after_return_gbp"] * s), "")]
    return [f"Started from council {info['council']!r} at its extract date "
            f"{info['extract_date']}: a forecast of {c['years']} years, in the council's own "
            "numbers against its own past (not England's figures):",
            f"  {'':50s} {'forecast':>10s}   the council's past",
            *(f"  {metric_label(k):50s} {v:>10s}   {past}".rstrip() for k, v, past in rows),
            f"Costs over the {c['years']} years, {c['price_year']} prices. Entries: "
            f"{info['entries_from']}; practice: {info['practice_from']}.",
            *([rows_left_out_line(info["rows_left_out"])] if "rows_left_out" in info else [])]


# ------------------------------------------------------------------ the summary
def summary_lines(results: Results, seconds: float | None,
                  comparison: pd.DataFrame | None = None) -> list[str]:
    """The whole printed summary (also the body of ``report.md``, without the time taken:
    the same seed gives the same bytes there too)."""
    c, m, info = results.config, results.metrics, results.run_info
    years, from_data = int(c["years"]), bool(info.get("from_data"))
    procs = f" on {info['workers']} processes" if info.get("workers", 1) > 1 else ""
    size = ("the council's own size" if from_data else scale_text(float(c["scale"])))
    def yrs(n: int) -> str:
        return f"{n} year{'s' if n != 1 else ''}"
    out = [f"Revolving Door {info.get('version', '')}: {size}, seed {c['seed']}, "
           f"{yrs(years)} measured after {yrs(int(c['warmup_years']))} of warm-up"
           + (f", {seconds:.1f} s{procs}." if seconds is not None else ".")]
    levers = policy_levers(results)
    out.append("Policies: " + ("; ".join(option_label(k, v) for k, v in levers.items())
                               if levers else "current practice on every lever") + ".")
    out.append("")
    if from_data:
        out += council_lines(results)
    else:
        rows, left = target_rows(m, years)
        note = (" (they describe current practice: a policy moves some rows on purpose)"
                if levers else "")
        out += ["How this run compares with the published figures for England (docs/"
                f"calibration.md){note}:",
                f"  {'':58s} {'this run':>9s} {'published':>16s} {'within':>7s}"]
        out += [f"  {r.label:58s} {r.cells()[0]:>9s} {r.cells()[1]:>16s} {r.cells()[2]:>7s}"
                for r in rows]
        if left:
            out.append(left_out_line(left, years))
        out += ["", f"Costs to councils in England, {c['price_year']} prices, over the "
                f"{years} measured years:"]
        out += [f"  {metric_label(k):72s} {money(m[k]):>9s}" for k in COST_ROWS]
        out.append(f"  {metric_label('cost_total_gbp'):72s} {money(m['cost_total_gbp']):>9s}"
                   f" ({money(m['cost_total_per_year_gbp'])} a year)")
    if comparison is not None:
        where = "the council's own numbers" if from_data else "England"
        out += [""] + comparison_lines(comparison, levers, where, years)
    return out


def table_frame(results: Results) -> pd.DataFrame:
    """``report_table.csv``: every printed row with its plain label and its metric."""
    rows, _ = target_rows(results.metrics, int(results.config["years"]))
    out = [{"label": r.label, "metric": r.metric, "value": r.value, "target": r.target,
            "tolerance": r.tolerance, "within": r.within} for r in rows]
    out += [{"label": metric_label(k), "metric": k, "value": results.metrics[k],
             "target": float("nan"), "tolerance": float("nan"), "within": None}
            for k in (*COST_ROWS, "cost_total_gbp")]
    return pd.DataFrame(out)


# ------------------------------------------------------------------ the figure
#: The published points the figure puts on the re-entry curve (``sim.metrics.TARGETS``).
CURVE_POINTS = (("reentry_3m", 3), ("reentry_12m", 12), ("reentry_72m", 72))


def published_points() -> list[tuple[float, float, float, str | None]]:
    """``FigureData.published``: each point's month, share and tolerance, the first
    labelled with its source."""
    return [(float(month), float(TARGETS[k][0]), float(TARGETS[k][1]),
             f"published ({TARGET_SOURCE_LABELS[k]}), ± tolerance" if i == 0 else None)
            for i, (k, month) in enumerate(CURVE_POINTS)]


def figure_data(results: Results) -> FigureData:
    """The numbers ``report.png`` shows (:mod:`sim.report_figure` draws them)."""
    c, m = results.config, results.metrics
    curve = results.reentry_curve[results.reentry_curve["group"] == "all"]
    ts = results.timeseries.groupby("month")["children_in_care"].sum()
    return FigureData(
        curve_month=[float(x) for x in curve["month"]],
        curve_share=[float(x) for x in curve["share_reentered"]],
        stock_month=[float(x) for x in ts.index], stock=[float(x) for x in ts.to_numpy()],
        from_data=bool(results.run_info.get("from_data")), scale=float(c["scale"]),
        costs=[float(m[key]) for key, _ in COST_BARS], years=int(c["years"]),
        price_year=int(c["price_year"]), published=published_points())


def figure_data_from_model(model: Any) -> FigureData:
    """The same numbers as :func:`figure_data`, straight from a finished model, before its
    results are collected (so that the figure can be drawn meanwhile)."""
    cfg = model.config
    ms, scale = cfg.measure_start, float(cfg.scale)
    curve = reentry_curve(model)
    curve = curve[curve["group"] == "all"]
    stock = model.timeseries.stocks[ms:, :, STOCK_FIELDS.index("children_in_care")].sum(axis=1)
    groups = model.ledger.by_group(ms, cfg.total_months)
    return FigureData(
        curve_month=[float(x) for x in curve["month"]],
        curve_share=[float(x) for x in curve["share_reentered"]],
        stock_month=[float(x) for x in range(len(stock))], stock=[float(x) for x in stock],
        from_data=cfg.councils.mode == "from_data", scale=scale,
        costs=[groups[key[len("cost_"):-len("_gbp")]] / scale for key, _ in COST_BARS],
        years=int(cfg.years), price_year=int(cfg.price_year), published=published_points())


def figure(results: Results, path: Path) -> Path:
    """``report.png``: the re-entry curve against its published points, children in care
    month by month, costs by kind (:func:`sim.report_figure.draw`)."""
    return draw(figure_data(results), path)


# ------------------------------------------------------------------ writing
def finish(folder: Path, results: Results, seconds: float, workers: int = 1,
           compare: bool = True, figure_worker: FigureWorker | None = None) -> str:
    """After a single run: with a policy (and ``compare``), run current practice on the same
    seed; write the report; return what the command prints, ending with where it is."""
    comparison = None
    if compare and policy_levers(results):
        base = status_quo(results, workers)
        factor = float(results.config["scale"]) if results.run_info.get("from_data") else 1.0
        comparison = comparison_table(results, base, factor)
    text = write(folder, results, seconds, comparison, figure_worker)
    return (f"{text}\n\nReport (the figure and these tables): {Path(folder) / 'report.md'}"
            f"\nAll outputs (docs/outputs.md): {folder}")



def write(folder: Path, results: Results, seconds: float,
          comparison: pd.DataFrame | None = None,
          figure_worker: FigureWorker | None = None) -> str:
    """Write ``report.md``, ``report.png`` and ``report_table.csv`` (and, with a policy,
    ``policy_comparison.csv``) into ``folder``; return the text to print. With a
    ``figure_worker`` (started before the model ran) the figure is drawn there while the
    tables are written here."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    worker = figure_worker or FigureWorker()
    if not worker.given:  # the command hands it over as soon as the model has run
        worker.draw(figure_data(results), folder / "report.png")
    lines = summary_lines(results, seconds, comparison)
    table = table_frame(results)
    atomic_write(folder / "report_table.csv",
                 lambda p: table.to_csv(p, index=False, float_format="%.10g"))
    if comparison is not None:
        atomic_write(folder / "policy_comparison.csv",
                     lambda p: comparison.to_csv(p, index=False, float_format="%.10g"))
    md = ["# Run report", "", "```", *summary_lines(results, None, comparison), "```", "", "![The run: re-entry curve, children "
          "in care, costs by kind](report.png)", "",
          "Every label's metric: docs/outputs.md (\"Plain labels\"); the numbers unrounded: "
          "`metrics.json`, `report_table.csv`.", ""]
    atomic_write(folder / "report.md", lambda p: Path(p).write_text("\n".join(md),
                                                                     encoding="utf-8"))
    worker.wait()
    return "\n".join(lines)


__all__ = ["REPORT_FILES", "comparison_table", "figure", "figure_data", "figure_data_from_model", "finish", "left_out_line", "money",
           "people", "policy_levers", "round_sig", "scale_text", "status_quo",
           "summary_lines", "target_rows", "write"]
