"""Backtests: how well forecasts made at past extract dates did, judged against what the
council's own later files show (``revolving-door-data backtest``).

For each council in the files and each extract date ``D`` (``--at``):

1. **the extract at D**: the episodes a council held on ``D`` (begun before it, those still
   open then without their end), going back ``history_years`` (annual files kept that long);
2. **forecasts** of children in care at each month end after ``D``, read at the horizons
   (12, 24, 36 months) the files can check:

   * ``persistence``: the children in care at ``D``, carried forward;
   * ``stock_flow``: :mod:`sim.ssda903.stockflow`, rates from the 3 years before ``D``;
   * ``model_unfitted``: the agent model started from the council's children at ``D``
     (``councils=from_data``) with the typical council's practice and the measured entry
     numbers, over ``runs_unfitted`` seeds (its interval is chance only);
   * ``model_fitted``: the same, with the practice fitted to the extract at ``D``
     (:func:`sim.ssda903.fit.fit_council`, its latest year held out), drawn over the fit's
     **accepted set**: every grid point of the fit, weighted by its likelihood
     ``exp(-objective / 2)`` times a prior from England's spread of practice between
     councils (``sim/params/spread.yaml``: log return propensity normal with sd
     ``return_propensity_sigma``, thoroughness beta with mean ``thoroughness_mean`` and
     concentration ``thoroughness_concentration``), the size (``scale``) drawn from its
     sampling error (Poisson entries with the sibling design effect); ``runs`` draws, one
     seed each. Where the data cannot separate the two practice parameters (a ridge), the
     draws spread along it rather than picking one point;
   * ``model_fitted_point``: the fit's best point alone (as ``fit`` gives it), for
     comparison.
3. **truth**: the children in care at ``D + h`` in the full files.

The table (:func:`backtest`) has one row a council, date, method and horizon: forecast,
truth, error, and for the model the 80% and 95% intervals (quantiles of its runs) and
whether they hold the truth. :func:`summary` averages by method and horizon.
"""

from __future__ import annotations

import json
import math
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sim.config import PracticeSpread
from sim.results import run
from sim.ssda903.fit import FIT_METRICS, Window, design_effect, fit_council
from sim.ssda903.quality import QualityReport
from sim.ssda903.read import Extract, Ssda903Error
from sim.ssda903.seed import in_care_at
from sim.ssda903.stockflow import estimate

HORIZONS = (12, 24, 36)
METHODS = ("model_fitted", "model_fitted_point", "model_unfitted", "persistence",
           "stock_flow")
#: the model's methods, which have intervals
MODEL_METHODS = ("model_fitted", "model_fitted_point", "model_unfitted")
DATE_FORMAT = "%d/%m/%Y"


@dataclass
class Settings:
    history_years: int = 5
    runs: int = 20
    runs_unfitted: int = 5
    fit_seeds: tuple[int, ...] = (1, 2)
    stock_flow_years: float = 3.0
    seed: int = 1
    #: what the practice is fitted to: the fit's shares, and the stock in care at the end
    #: of the fit years (what is forecast; it tells how long children stay)
    fit_metrics: tuple[str, ...] = (*FIT_METRICS, "children_in_care_end")


def cut(extract: Extract, date: pd.Timestamp, history_years: int, la: str) -> Extract:
    """The extract council ``la`` held on ``date`` (module docstring, step 1)."""
    ep = extract.episodes
    t0 = date - pd.DateOffset(years=history_years)
    ep = ep[(ep["la"] == la) & (ep["DECOM"] < date) & (ep["DEC"].isna() | (ep["DEC"] >= t0))
            ].copy()
    after = ep["DEC"] >= date
    ep.loc[after, "DEC"] = pd.NaT
    ep.loc[after, "REC"] = None
    hd = extract.header[extract.header["child"].isin(ep["child"])]
    return Extract(episodes=ep.reset_index(drop=True), header=hd.reset_index(drop=True),
                   files=extract.files, report=QualityReport())


def write_cut(x: Extract, folder: Path) -> Path:
    """The cut as SSDA903 ``episodes.csv`` and ``header.csv`` (children by number) for a
    run from data."""
    folder.mkdir(parents=True, exist_ok=True)
    ep = x.episodes

    def fmt(s: pd.Series) -> pd.Series:
        return pd.Series(pd.DatetimeIndex(s).strftime(DATE_FORMAT), index=s.index).where(
            s.notna(), "")

    pd.DataFrame({"CHILD": ep["child"].astype(str), "DECOM": fmt(ep["DECOM"]),
                  "RNE": ep["RNE"], "LS": ep["LS"], "CIN": ep["CIN"], "PLACE": ep["PLACE"],
                  "PLACE_PROVIDER": "", "DEC": fmt(ep["DEC"]), "REC": ep["REC"].fillna(""),
                  "REASON_PLACE_CHANGE": "", "HOME_POST": "", "PL_POST": "", "URN": ""}
                 ).to_csv(folder / "episodes.csv", index=False)
    hd = x.header
    pd.DataFrame({"CHILD": hd["child"].astype(str), "SEX": hd.get("sex", ""),
                  "DOB": fmt(hd["dob"]), "ETHNIC": "", "UPN": "", "MOTHER": "", "MC_DOB": ""}
                 ).to_csv(folder / "header.csv", index=False)
    return folder


def _run_from_data(folder: Path, fit_file: Path | None, seed: int, months_ahead: int
                   ) -> np.ndarray:
    """Children in care (the council's own count) at month ends 1..months_ahead."""
    years = int(math.ceil(months_ahead / 12))
    councils: dict[str, Any] = {"mode": "from_data", "path": str(folder)}
    if fit_file is not None:
        councils["fit"] = str(fit_file)
    res = run({"seed": seed, "years": years, "councils": councils})
    ts = res.timeseries.groupby("month")["children_in_care"].sum().to_numpy()
    return ts[:months_ahead].astype(float)  # the model's counts: the council's own


def _fit_json(folder: Path, name: str, rp: float, th: float, scale: float, date: pd.Timestamp,
              in_care: int) -> Path:
    f = folder / f"{name}.json"
    f.write_text(json.dumps({"return_propensity": rp, "thoroughness": th, "scale": scale,
                             "council": "", "extract_date": str(date.date()),
                             "children_in_care_at_extract_date": in_care}))
    return f


def prior_weight(rp: np.ndarray, th: np.ndarray, spread: PracticeSpread | None = None
                 ) -> np.ndarray:
    """Prior density of a council's practice from England's spread between councils
    (module docstring)."""
    s = spread or PracticeSpread()
    z = np.log(np.maximum(rp, 1e-9)) / max(s.return_propensity_sigma, 1e-9)
    a = s.thoroughness_mean * s.thoroughness_concentration
    b = (1 - s.thoroughness_mean) * s.thoroughness_concentration
    t = np.clip(th, 1e-3, 1 - 1e-3)
    return np.exp(-0.5 * z**2) / np.maximum(rp, 1e-9) * t ** (a - 1) * (1 - t) ** (b - 1)


def accepted_set(grid: pd.DataFrame) -> pd.DataFrame:
    """The fit's grid with posterior weights (likelihood times prior, summing to 1)."""
    g = grid.drop_duplicates(["return_propensity", "thoroughness"]).copy()
    like = np.exp(-0.5 * (g["objective"] - g["objective"].min()))
    w = like * prior_weight(g["return_propensity"].to_numpy(), g["thoroughness"].to_numpy())
    g["weight"] = w / w.sum()
    return g.sort_values("weight", ascending=False).reset_index(drop=True)


def _intervals(runs: np.ndarray, horizons: list[int]) -> dict[int, dict[str, float]]:
    out = {}
    for h in horizons:
        v = runs[:, h - 1]
        out[h] = {"forecast": float(v.mean()), "low80": float(np.quantile(v, 0.1)),
                  "high80": float(np.quantile(v, 0.9)), "low95": float(np.quantile(v, 0.025)),
                  "high95": float(np.quantile(v, 0.975))}
    return out


def backtest_one(extract: Extract, la: str, date: pd.Timestamp, horizons: list[int],
                 settings: Settings, progress: Callable[[str], None] | None = None
                 ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of the table for one council and extract date, and the fit's summary."""
    months_ahead = max(horizons)
    x = cut(extract, date, settings.history_years, la)
    in_care = in_care_at(x.episodes, date)
    first = x.episodes["DECOM"].min()
    start = max(date - pd.DateOffset(years=settings.history_years),
                pd.Timestamp(first.year if first.month >= 4 else first.year - 1, 4, 1))
    forecasts: dict[str, dict[int, dict[str, float]]] = {}
    forecasts["persistence"] = {h: {"forecast": float(in_care)} for h in horizons}
    sf = estimate(x.episodes, date, settings.stock_flow_years).totals(months_ahead)
    forecasts["stock_flow"] = {h: {"forecast": float(sf[h - 1])} for h in horizons}
    rng = np.random.default_rng([settings.seed, date.year, date.month, zlib.crc32(la.encode())])
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_cut(x, Path(tmp) / "extract")
        fits = Path(tmp) / "fits"
        fits.mkdir()
        if progress:
            progress(f"{la or 'council'} {date.date()}: unfitted")
        unf = np.array([_run_from_data(folder, None, 1000 + i, months_ahead)
                        for i in range(settings.runs_unfitted)])
        forecasts["model_unfitted"] = _intervals(unf, horizons)
        if progress:
            progress(f"{la or 'council'} {date.date()}: fitting")
        fit = fit_council(x, Window(start, date), seeds=settings.fit_seeds,
                          metrics=settings.fit_metrics)
        point = _fit_json(fits, "point", fit.return_propensity, fit.thoroughness, fit.scale,
                          date, in_care)
        pt = np.array([_run_from_data(folder, point, 2000 + i, months_ahead)
                       for i in range(settings.runs_unfitted)])
        forecasts["model_fitted_point"] = _intervals(pt, horizons)
        acc = accepted_set(fit.grid)
        starts = fit.table.set_index(["period", "metric"]).loc[("fit", "entries_per_year"),
                                                               "observed"]
        years_fit = Window(start, date).years - 1
        se_log_scale = math.sqrt(design_effect() / max(float(starts) * years_fit, 1.0))
        pick = rng.choice(len(acc), size=settings.runs, p=acc["weight"].to_numpy())
        draws = []
        for i, k in enumerate(pick):
            if progress and i % 10 == 0:
                progress(f"{la or 'council'} {date.date()}: fitted draws {i}/{settings.runs}")
            scale = fit.scale * math.exp(rng.normal(0.0, se_log_scale))
            f = _fit_json(fits, f"draw{i}", float(acc.loc[k, "return_propensity"]),
                          float(acc.loc[k, "thoroughness"]), scale, date, in_care)
            draws.append(_run_from_data(folder, f, 3000 + i, months_ahead))
        forecasts["model_fitted"] = _intervals(np.array(draws), horizons)
    truth = {h: in_care_at(extract.episodes[extract.episodes["la"] == la],
                           date + pd.DateOffset(months=h)) for h in horizons}
    rows = []
    for method in METHODS:
        for h in horizons:
            f = forecasts[method][h]
            t = truth[h]
            row: dict[str, Any] = {"council": la, "extract_date": str(date.date()),
                                   "method": method, "horizon_months": h,
                                   "in_care_at_extract_date": in_care, "truth": t,
                                   "forecast": f["forecast"], "error": f["forecast"] - t,
                                   "abs_pct_error": abs(f["forecast"] - t) / max(t, 1) * 100}
            if method in MODEL_METHODS:
                row.update({k: f[k] for k in ("low80", "high80", "low95", "high95")})
                row["in80"] = bool(f["low80"] <= t <= f["high80"])
                row["in95"] = bool(f["low95"] <= t <= f["high95"])
            rows.append(row)
    spread = float((acc["weight"] * np.log(acc["return_propensity"])).sum())
    info = {"council": la, "extract_date": str(date.date()),
            "return_propensity": fit.return_propensity, "thoroughness": fit.thoroughness,
            "scale": fit.scale, "objective": fit.objective,
            "accepted_points": int((acc["weight"] > 0.01).sum()),
            "posterior_mean_log_propensity": spread,
            "posterior_mean_thoroughness": float((acc["weight"] * acc["thoroughness"]).sum()),
            "ridge": _ridge(acc)}
    return rows, info


def _ridge(acc: pd.DataFrame) -> str:
    """Whether the data separate the two practice parameters: the weighted correlation of
    log propensity and thoroughness over the accepted set."""
    w = acc["weight"].to_numpy()
    x = np.log(acc["return_propensity"].to_numpy())
    y = acc["thoroughness"].to_numpy()
    mx, my = (w * x).sum(), (w * y).sum()
    vx, vy = (w * (x - mx) ** 2).sum(), (w * (y - my) ** 2).sum()
    if vx <= 1e-12 or vy <= 1e-12:
        return "separated (one point carries the weight)"
    r = float((w * (x - mx) * (y - my)).sum() / math.sqrt(vx * vy))
    return (f"not separated: a ridge (correlation {r:+.2f}); forecasts drawn along it"
            if abs(r) >= 0.5 else f"separated (correlation {r:+.2f})")


def horizons_for(date: pd.Timestamp, end: pd.Timestamp, wanted: tuple[int, ...]) -> list[int]:
    """The horizons the files can check from ``date`` (``end``: the extract date of the
    full files)."""
    return [h for h in wanted if date + pd.DateOffset(months=h) <= end]


def check_dates(dates: list[pd.Timestamp], first: pd.Timestamp, end: pd.Timestamp,
                wanted: tuple[int, ...]) -> None:
    """A date the files cannot backtest stops the command (before any work)."""
    for d in dates:
        if d - pd.DateOffset(years=2) < first:
            raise Ssda903Error(f"--at {d.date()}: the files start {first.date()}; allowed: "
                               "dates with at least 2 years of files before them (the fit "
                               "holds the latest year out)")
        if not horizons_for(d, end, wanted):
            raise Ssda903Error(f"--at {d.date()}: the files end {end.date()}; allowed: dates "
                               f"at least {min(wanted)} months before it")


def backtest(extract: Extract, dates: list[pd.Timestamp], end: pd.Timestamp,
             wanted: tuple[int, ...] = HORIZONS, settings: Settings | None = None,
             progress: Callable[[str], None] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(table, fits)`` over every council in the extract and every date."""
    settings = settings or Settings()
    rows, infos = [], []
    for la in sorted(extract.episodes["la"].unique()):
        for d in dates:
            r, info = backtest_one(extract, la, d, horizons_for(d, end, wanted), settings,
                                   progress)
            rows += r
            infos.append(info)
    return pd.DataFrame(rows), pd.DataFrame(infos)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """By method and horizon: cases, mean absolute error (children and % of the truth),
    mean error (bias), and the share of cases inside the 80% and 95% intervals."""
    g = table.groupby(["method", "horizon_months"], sort=False)
    out = g.agg(cases=("truth", "size"), mae_children=("error", lambda e: e.abs().mean()),
                mae_percent=("abs_pct_error", "mean"), bias_children=("error", "mean"))
    if "in80" in table:
        cov = table.dropna(subset=["in80"]).groupby(["method", "horizon_months"])
        out = out.join(cov["in80"].mean().rename("coverage80")).join(
            cov["in95"].mean().rename("coverage95"))
    order = {m: i for i, m in enumerate(METHODS)}
    out = out.reset_index()
    out["_o"] = out["method"].map(order)
    return out.sort_values(["_o", "horizon_months"]).drop(columns="_o").reset_index(drop=True)


def figure(summ: pd.DataFrame, path: Path) -> Path:
    """Mean absolute error (% of children in care) by horizon, a line a method; the legend
    below the axes, clear of the data."""
    labels = {"model_fitted": "model, fitted (over the accepted set)",
              "model_fitted_point": "model, fitted (best point only)",
              "model_unfitted": "model, typical practice", "persistence": "persistence",
              "stock_flow": "stock-flow (Markov)"}
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for m in METHODS:
        s = summ[summ["method"] == m]
        if len(s):
            ax.plot(s["horizon_months"], s["mae_percent"], marker="o", label=labels[m])
    ax.set_xlabel("months after the extract date")
    ax.set_ylabel("mean absolute error, % of children in care")
    ax.set_xticks(sorted(summ["horizon_months"].unique()))
    ax.set_ylim(bottom=0)
    ax.set_title("Backtest: children in care forecast against the later files")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


__all__ = ["HORIZONS", "METHODS", "Settings", "accepted_set", "backtest", "backtest_one",
           "check_dates", "cut", "figure", "horizons_for", "prior_weight", "summary",
           "write_cut"]
