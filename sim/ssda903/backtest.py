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
     seed each, each at its grid point's own size, and with the months a case stays open
     after a return drawn from England's spread (:func:`monitoring_prior`: SSDA903 cannot
     tell them, ``scripts/monitoring_identifiability.py``). Where the data cannot
     separate the two practice parameters (a ridge), the draws spread along it rather
     than picking one point;
   * ``model_fitted_point``: the fit's best point alone (as ``fit`` gives it), for
     comparison.
3. **truth**: the children in care at ``D + h`` in the full files.

The table (:func:`backtest`) has one row a council, date, method, horizon and group
(``breakdown`` ``total`` with group ``all``, and each :data:`BREAKDOWNS` group: age bands
and placement groups):
forecast, truth, error, and for the model the 80% and 95% intervals (quantiles of its
runs) and whether they hold the truth. :func:`summary` averages by method and horizon
(and group).

The fit of ``model_fitted`` and ``model_fitted_point`` (:class:`Settings`) judges each grid
point at its own best size (``profile_scale``) and adds first entries and the stock at the
extract date to the objective: fitted at one size, points along the practice ridge that
keep children a shorter time than the council does won, and the forecasts drifted below
the stock (docs/ssda903.md, "Backtests").
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
from sim.model import RevolvingDoorModel
from sim.ssda903 import codes
from sim.ssda903.fit import FIT_METRICS, Window, design_effect, fit_council
from sim.ssda903.measure import AGE_BANDS, months, periods_of_care
from sim.ssda903.quality import QualityReport
from sim.ssda903.read import Extract, Ssda903Error
from sim.ssda903.seed import MONITORING, in_care_at
from sim.ssda903.stockflow import AGE_OUT_MONTHS, GROUPS, estimate, placement_group

HORIZONS = (12, 24, 36)
METHODS = ("model_fitted", "model_fitted_point", "model_unfitted", "persistence",
           "stock_flow")
#: the model's methods, which have intervals
MODEL_METHODS = ("model_fitted", "model_fitted_point", "model_unfitted")
DATE_FORMAT = "%d/%m/%Y"


def age_band(age_years: np.ndarray) -> np.ndarray:
    """The age band (:data:`sim.ssda903.measure.AGE_BANDS`) of each age in years."""
    out = np.full(len(age_years), AGE_BANDS[-1][2], dtype=object)
    for lo, hi, name in AGE_BANDS[::-1]:
        out[(age_years >= lo) & (age_years < hi)] = name
    return out


#: How the children in care are broken down besides the total: a breakdown's name (the
#: table's ``breakdown`` column) -> its groups in order (``group``) and a function from a
#: frame of children in care (one row a child, or a state of the stock-flow model with its
#: expected number in ``weight``; column ``age_years``, the age at the month end) to each
#: row's group. A breakdown by placement adds an entry here and the column its function
#: reads to every method's frame (:func:`in_care_frame` for the files and persistence,
#: :func:`model_frames` for the model's runs, :func:`stock_flow_frames`, which already
#: has ``placement_group``).
BREAKDOWNS: dict[str, tuple[tuple[str, ...], Callable[[pd.DataFrame], np.ndarray]]] = {
    "age_band": (tuple(b[2] for b in AGE_BANDS),
                 lambda f: age_band(f["age_years"].to_numpy(dtype=float))),
    # the stock-flow's placement groups (sim.ssda903.stockflow.PLACEMENT_GROUPS): the
    # files' PLACE of the episode open at the month end, the model's placement of its open
    # episode (as written to SSDA903, codes.WRITE_PLACE), today's for persistence
    "placement": (GROUPS, lambda f: f["placement_group"].to_numpy(dtype=object)),
}
#: the stock-flow's placement group of each of the model's placements: the ``PLACE`` code
#: the model writes for it (:data:`sim.ssda903.codes.WRITE_PLACE`), grouped as the files'
MODEL_PLACEMENT_GROUP: dict[int, str] = {
    int(p): GROUPS[int(placement_group(pd.Series([code]))[0])]
    for p, (code, _provider) in codes.WRITE_PLACE.items()}
#: the totals' row keys
TOTAL = ("total", "all")


def keys() -> list[tuple[str, str]]:
    """Every ``(breakdown, group)`` a forecast gives, the total first."""
    return [TOTAL] + [(b, g) for b, (groups, _f) in BREAKDOWNS.items() for g in groups]


def counts(frame: pd.DataFrame) -> np.ndarray:
    """Children in care at one month end by :func:`keys` (``weight`` 1 a row if absent)."""
    w = frame["weight"].to_numpy(dtype=float) if "weight" in frame else \
        np.ones(len(frame))
    out = [float(w.sum())]
    for _b, (groups, f) in BREAKDOWNS.items():
        lab = f(frame) if len(frame) else np.array([], dtype=object)
        out += [float(w[lab == g].sum()) for g in groups]
    return np.array(out)


def in_care_frame(episodes: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    """The children in care at the start of ``date`` in an extract's episodes (as
    :func:`sim.ssda903.seed.in_care_at` counts them), one row a child: ``age_years``
    then (NaN without a date of birth: counted in the total and the oldest band) and
    ``placement_group``, the stock-flow's group of the ``PLACE`` of the child's episode
    open then (:func:`sim.ssda903.stockflow.placement_group`)."""
    per = periods_of_care(episodes)
    per = per[(per["start"] < date) & (per["end"].isna() | (per["end"] >= date))]
    age = -months(per["dob"], date) / 12.0
    # the episode open then: the child's latest begun before the date (its period is open)
    ep = episodes[episodes["DECOM"] < date].sort_values(["child", "DECOM"], kind="stable")
    place = ep.groupby("child")["PLACE"].last()
    group = np.asarray(GROUPS, dtype=object)[
        placement_group(per["child"].map(place).fillna(""))]
    return pd.DataFrame({"age_years": np.where(per["dob"].isna().to_numpy(), np.nan, age),
                         "placement_group": group})


@dataclass
class Settings:
    history_years: int = 5
    runs: int = 60
    runs_unfitted: int = 5
    fit_seeds: tuple[int, ...] = (1, 2)
    stock_flow_years: float = 3.0
    seed: int = 1
    #: what the practice is fitted to: the fit's shares, first entries a year, and the stock
    #: in care at the end of the fit years and at the extract date (what is forecast; it
    #: tells how long children stay)
    fit_metrics: tuple[str, ...] = (*FIT_METRICS, "entries_per_year", "children_in_care_end",
                                    "held_out_children_in_care_end")
    #: fit the size at each grid point (:func:`sim.ssda903.fit.fit_council`)
    profile_scale: bool = True
    #: years each of the fit's simulations runs before its window: long enough for the
    #: stock in care to settle
    fit_warmup_years: int = 20
    #: draw the months a case stays open after a return from England's spread
    #: (:func:`monitoring_prior`) for each draw of ``model_fitted``; SSDA903 cannot tell
    #: them. False: the typical council's (the forecast before this option)
    monitoring_from_prior: bool = True


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


def model_frames(episodes: pd.DataFrame, horizons: list[int]) -> list[pd.DataFrame]:
    """The children in care at each horizon's month end of a run's episodes
    (``RevolvingDoorModel.records.episodes_frame()``, model month 0 the extract date), one
    row a child: ``age_years`` then, and ``placement_group``, the group of its open
    episode's placement (:data:`MODEL_PLACEMENT_GROUP`; a backtest's runs have placement
    moves off, so a period of care keeps its first placement). The same children the
    run's time series counts."""
    out = []
    for h in horizons:
        ep = episodes[(episodes["start"] < h) & (episodes["end"].isna() |
                                                  (episodes["end"] >= h))]
        ep = ep.drop_duplicates("child")
        out.append(pd.DataFrame({"age_years": (h - ep["birth"].to_numpy()) / 12.0,
                                 "placement_group": ep["placement"].map(
                                     MODEL_PLACEMENT_GROUP).to_numpy(dtype=object)}))
    return out


def run_from_data(folder: Path, fit_file: Path | None, seed: int, horizons: list[int]
                   ) -> np.ndarray:
    """Children in care (the council's own count) at each horizon by :func:`keys`: shape
    (horizons, keys)."""
    years = int(math.ceil(max(horizons) / 12))
    councils: dict[str, Any] = {"mode": "from_data", "path": str(folder)}
    if fit_file is not None:
        councils["fit"] = str(fit_file)
    model = RevolvingDoorModel({"seed": seed, "years": years, "councils": councils})
    try:
        model.run()
        ep = model.records.episodes_frame()
    finally:
        model.release()
    return np.array([counts(f) for f in model_frames(ep, horizons)])


def fit_json(folder: Path, name: str, rp: float, th: float, scale: float, date: pd.Timestamp,
             in_care: int, monitoring_months: int | None = None) -> Path:
    f = folder / f"{name}.json"
    fit: dict[str, Any] = {"return_propensity": rp, "thoroughness": th, "scale": scale,
                           "council": "", "extract_date": str(date.date()),
                           "children_in_care_at_extract_date": in_care}
    if monitoring_months is not None:
        fit[MONITORING] = int(monitoring_months)
    f.write_text(json.dumps(fit))
    return f


def monitoring_prior(spread: PracticeSpread | None = None) -> tuple[np.ndarray, np.ndarray]:
    """England's spread of the months a case stays open after a return, as the model draws
    it for a council (``sim/params/spread.yaml``): ``round(X)`` with ``X`` log-normal of
    median ``monitoring_months_median`` and sd of log ``monitoring_months_sigma``, held to
    ``[0, monitoring_months_max]``. Returns the whole months ``0..max`` and each one's
    probability (summing to 1)."""
    s = spread or PracticeSpread()
    top = int(s.monitoring_months_max)
    months_ = np.arange(top + 1)
    mu, sd = math.log(max(s.monitoring_months_median, 1e-9)), max(s.monitoring_months_sigma,
                                                                     1e-9)

    def cdf(x: float) -> float:  # P(X < x)
        return 0.0 if x <= 0 else 0.5 * (1 + math.erf((math.log(x) - mu) / (sd * math.sqrt(2))))

    edges = [cdf(m + 0.5) for m in range(top)]  # round(X) <= m  <=>  X < m + 0.5
    cum = np.array(edges + [1.0])
    mass = np.diff(np.concatenate([[0.0], cum]))
    return months_, mass / mass.sum()


def prior_weight(rp: np.ndarray, th: np.ndarray, spread: PracticeSpread | None = None
                 ) -> np.ndarray:
    """Prior weight of a grid point of the fit from England's spread of practice between
    councils (module docstring): the density of **log** return propensity (normal, centred
    on the typical council's 1) times that of thoroughness (beta), up to a constant. The
    fit's grid is even in log propensity (:data:`sim.ssda903.fit.COARSE_PROPENSITY`, and
    the fine grid's steps), so each point stands for an equal width of log propensity and
    its prior mass is the density of the log. (Until issue 24's change it was the density
    of propensity itself, with its ``1 / propensity``: on a grid even in the log that put
    eight times the weight on propensity 0.35 as on 2.8 at the same distance from 1 in the
    log, and drew the forecasts toward councils that keep children longer.)"""
    s = spread or PracticeSpread()
    z = np.log(np.maximum(rp, 1e-9)) / max(s.return_propensity_sigma, 1e-9)
    a = s.thoroughness_mean * s.thoroughness_concentration
    b = (1 - s.thoroughness_mean) * s.thoroughness_concentration
    t = np.clip(th, 1e-3, 1 - 1e-3)
    return np.exp(-0.5 * z**2) * t ** (a - 1) * (1 - t) ** (b - 1)


def accepted_set(grid: pd.DataFrame) -> pd.DataFrame:
    """The fit's grid with posterior weights (likelihood times prior, summing to 1)."""
    g = grid.drop_duplicates(["return_propensity", "thoroughness"]).copy()
    like = np.exp(-0.5 * (g["objective"] - g["objective"].min()))
    w = like * prior_weight(g["return_propensity"].to_numpy(), g["thoroughness"].to_numpy())
    g["weight"] = w / w.sum()
    return g.sort_values("weight", ascending=False).reset_index(drop=True)


def _intervals(runs: np.ndarray) -> np.ndarray:
    """Forecast (mean) and the 80% and 95% intervals (quantiles) of runs shaped
    (runs, horizons, keys): shape (5, horizons, keys), in :data:`INTERVAL` order."""
    q = np.quantile(runs, [0.1, 0.9, 0.025, 0.975], axis=0)
    return np.concatenate([runs.mean(axis=0)[None], q])


INTERVAL = ("forecast", "low80", "high80", "low95", "high95")


def stock_flow_frames(sf: Any, horizons: list[int]) -> list[pd.DataFrame]:
    """The stock-flow forecast's expected children in care at each horizon as frames of
    its states (age in whole months and placement group) weighted by the expected number."""
    fc = sf.forecast(max(horizons))
    age = np.repeat(np.arange(AGE_OUT_MONTHS), len(GROUPS)) / 12.0
    group = np.tile(np.array(GROUPS, dtype=object), AGE_OUT_MONTHS)
    return [pd.DataFrame({"age_years": age, "placement_group": group,
                          "weight": fc[h - 1].ravel()}) for h in horizons]


def monitoring_draws(settings: Settings, la: str, date: pd.Timestamp) -> list[int | None]:
    """The months a case stays open after a return for each draw of ``model_fitted``:
    from :func:`monitoring_prior` (``settings.monitoring_from_prior``), or ``None`` a draw
    (the typical council's). Their own seeded stream (the settings' seed, the date, the
    council), apart from the draws of grid points and sizes, which stay as they were
    without it."""
    if not settings.monitoring_from_prior:
        return [None] * settings.runs
    rng = np.random.default_rng([settings.seed, date.year, date.month,
                                 zlib.crc32(la.encode()), 1])
    levels, mass = monitoring_prior()
    return [int(v) for v in rng.choice(levels, size=settings.runs, p=mass)]


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
    forecasts: dict[str, np.ndarray] = {}  # method -> (5 or 1, horizons, keys)
    now = counts(in_care_frame(x.episodes, date))
    forecasts["persistence"] = np.tile(now, (1, len(horizons), 1))
    sf = estimate(x.episodes, date, settings.stock_flow_years)
    forecasts["stock_flow"] = np.array([[counts(f) for f in stock_flow_frames(sf, horizons)]])
    rng = np.random.default_rng([settings.seed, date.year, date.month, zlib.crc32(la.encode())])
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_cut(x, Path(tmp) / "extract")
        fits = Path(tmp) / "fits"
        fits.mkdir()
        if progress:
            progress(f"{la or 'council'} {date.date()}: unfitted")
        unf = np.array([run_from_data(folder, None, 1000 + i, horizons)
                        for i in range(settings.runs_unfitted)])
        forecasts["model_unfitted"] = _intervals(unf)
        if progress:
            progress(f"{la or 'council'} {date.date()}: fitting")
        fit = fit_council(x, Window(start, date), seeds=settings.fit_seeds,
                          metrics=settings.fit_metrics, profile_scale=settings.profile_scale,
                          warmup_years=settings.fit_warmup_years)
        point = fit_json(fits, "point", fit.return_propensity, fit.thoroughness, fit.scale,
                          date, in_care)
        pt = np.array([run_from_data(folder, point, 2000 + i, horizons)
                       for i in range(settings.runs_unfitted)])
        forecasts["model_fitted_point"] = _intervals(pt)
        acc = accepted_set(fit.grid)
        starts = fit.table.set_index(["period", "metric"]).loc[("fit", "entries_per_year"),
                                                               "observed"]
        years_fit = Window(start, date).years - 1
        se_log_scale = math.sqrt(design_effect() / max(float(starts) * years_fit, 1.0))
        pick = rng.choice(len(acc), size=settings.runs, p=acc["weight"].to_numpy())
        monitoring = monitoring_draws(settings, la, date)
        draws = []
        for i, k in enumerate(pick):
            if progress and i % 10 == 0:
                progress(f"{la or 'council'} {date.date()}: fitted draws {i}/{settings.runs}")
            size = float(acc.loc[k, "scale"]) if "scale" in acc else fit.scale
            scale = size * math.exp(rng.normal(0.0, se_log_scale))
            f = fit_json(fits, f"draw{i}", float(acc.loc[k, "return_propensity"]),
                          float(acc.loc[k, "thoroughness"]), scale, date, in_care,
                          monitoring[i])
            draws.append(run_from_data(folder, f, 3000 + i, horizons))
        forecasts["model_fitted"] = _intervals(np.array(draws))
    mine = extract.episodes[extract.episodes["la"] == la]
    truth = np.array([counts(in_care_frame(mine, date + pd.DateOffset(months=h)))
                      for h in horizons])
    rows = []
    for (breakdown, group), j in zip(keys(), range(len(keys()))):
        for method in METHODS:
            fc = forecasts[method]
            for i, h in enumerate(horizons):
                t = float(truth[i, j])
                v = float(fc[0, i, j])
                row: dict[str, Any] = {"council": la, "extract_date": str(date.date()),
                                       "method": method, "horizon_months": h,
                                       "breakdown": breakdown, "group": group,
                                       "in_care_at_extract_date": float(now[j]), "truth": t,
                                       "forecast": v, "error": v - t,
                                       "abs_pct_error": abs(v - t) / max(t, 1) * 100}
                if method in MODEL_METHODS:
                    row.update({k: float(fc[n, i, j]) for n, k in enumerate(INTERVAL)
                                if n > 0})
                    row["in80"] = bool(row["low80"] <= t <= row["high80"])
                    row["in95"] = bool(row["low95"] <= t <= row["high95"])
                rows.append(row)
    spread = float((acc["weight"] * np.log(acc["return_propensity"])).sum())
    info = {"council": la, "extract_date": str(date.date()),
            "return_propensity": fit.return_propensity, "thoroughness": fit.thoroughness,
            "scale": fit.scale, "objective": fit.objective,
            "accepted_points": int((acc["weight"] > 0.01).sum()),
            "posterior_mean_log_propensity": spread,
            "posterior_mean_thoroughness": float((acc["weight"] * acc["thoroughness"]).sum()),
            "ridge": _ridge(acc)}
    if settings.monitoring_from_prior:
        q = np.quantile(np.asarray(monitoring, dtype=float), [0.1, 0.5, 0.9])
        info["monitoring_months"] = (f"drawn from England's spread (not told by SSDA903): "
                                     f"median {q[1]:.0f}, 10-90% {q[0]:.0f}-{q[2]:.0f}")
    else:
        info["monitoring_months"] = "the typical council's"
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


def summary(table: pd.DataFrame, breakdown: str = "total") -> pd.DataFrame:
    """By method and horizon (and, for a ``breakdown`` other than the total, by its group):
    cases, mean absolute error (children and % of the truth), mean error (bias), and the
    share of cases inside the 80% and 95% intervals."""
    if "breakdown" in table:
        table = table[table["breakdown"] == breakdown]
    by = ["method", "horizon_months"] + (["group"] if breakdown != TOTAL[0] else [])
    g = table.groupby(by, sort=False)
    out = g.agg(cases=("truth", "size"), mae_children=("error", lambda e: e.abs().mean()),
                mae_percent=("abs_pct_error", "mean"), bias_children=("error", "mean"))
    if "in80" in table:
        cov = table.dropna(subset=["in80"]).groupby(by)
        out = out.join(cov["in80"].mean().rename("coverage80")).join(
            cov["in95"].mean().rename("coverage95"))
    order = {m: i for i, m in enumerate(METHODS)}
    out = out.reset_index()
    out["_o"] = out["method"].map(order)
    sort = ["_o", "horizon_months"]
    if "group" in out:
        groups = BREAKDOWNS[breakdown][0]
        out["_g"] = out["group"].map({n: i for i, n in enumerate(groups)})
        sort = ["_g", "_o", "horizon_months"]
    return out.sort_values(sort).drop(columns=[c for c in ("_o", "_g") if c in out]
                                      ).reset_index(drop=True)


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


def figure_by(summ: pd.DataFrame, path: Path, breakdown: str = "age_band") -> Path:
    """Mean absolute error (% of the group's children in care) by horizon, a panel a group
    of ``breakdown`` (:func:`summary` of it), a line a method of the comparison (the fitted
    model over its accepted set, persistence, stock-flow). The panels share one scale
    unless a group's errors are more than :data:`OWN_SCALE` times another's (a group of a
    few children, placed for adoption say): then each panel has its own, so that the
    large groups stay readable."""
    groups = BREAKDOWNS[breakdown][0]
    shown = {"model_fitted": "model, fitted (over the accepted set)",
             "persistence": "persistence", "stock_flow": "stock-flow (Markov)"}
    mine = summ[summ["method"].isin(list(shown))]
    tops = mine.groupby("group")["mae_percent"].max()
    tops = tops[tops > 0]
    share = len(tops) == 0 or float(tops.max()) <= OWN_SCALE * float(tops.min())
    fig, axes = plt.subplots(1, len(groups), figsize=(3.0 * len(groups), 3.6), sharey=share)
    top = float(mine["mae_percent"].max())
    for ax, g in zip(np.atleast_1d(axes), groups):
        for m, label in shown.items():
            s = summ[(summ["method"] == m) & (summ["group"] == g)]
            if len(s):
                ax.plot(s["horizon_months"], s["mae_percent"], marker="o", label=label)
        ax.set_title(g)
        ax.set_xlabel("months ahead")
        ax.set_xticks(sorted(summ["horizon_months"].unique()))
        if not share:
            own = float(tops.get(g, 0.0))
            ax.set_ylim(0, (own if own > 0 else 1.0) * 1.08)
    if share:
        np.atleast_1d(axes)[0].set_ylim(0, (top if top == top else 1.0) * 1.08)
    np.atleast_1d(axes)[0].set_ylabel("mean absolute error, %" if share else
                                      "mean absolute error, % (each panel its own scale)")
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(shown), frameon=False,
               bbox_to_anchor=(0.5, -0.06))
    fig.suptitle(f"Backtest by {breakdown.replace('_', ' ')}: children in care")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


#: how many times another group's largest error a group's may be before
#: :func:`figure_by` gives each panel its own scale
OWN_SCALE = 5.0


__all__ = ["BREAKDOWNS", "HORIZONS", "METHODS", "Settings", "accepted_set", "age_band",
           "backtest", "backtest_one", "check_dates", "counts", "cut", "figure",
           "figure_by", "horizons_for", "in_care_frame", "keys", "model_frames",
           "monitoring_draws", "monitoring_prior", "prior_weight", "summary", "write_cut"]
