"""Fitting one council's practice and entry flows to its SSDA903 extract.

The national parameters stay at their fit (the run's defaults); what is fitted is what
differs between councils and what SSDA903 measures:

* **entry flows**: the council's size (the run's ``scale``), so that periods of care
  starting a year match the extract's;
* **practice**: ``return_propensity`` (how readily children are sent home) and
  ``thoroughness`` (how far problems must be resolved first), to the share of periods of
  care ending in a return home and the share of returns re-entering within 12 months.
  The council's other practice (months a case stays open, support, treatment, costs) stays
  at the typical council's: SSDA903 records none of it.

Simulated metrics are measured exactly as the observed ones: each run's children go through
the same measurement (:func:`sim.ssda903.measure.measure`), seen through the same window
(episodes visible in annual extracts from the first measured year). The latest collection
year is held out: the fit uses the years before it, and the fit table checks the held-out
year separately.

Search: a 4 x 4 grid over ``return_propensity`` (log-spaced) and ``thoroughness`` with
common random numbers (the same seeds at every point), then a 3 x 3 grid of half the
spacing around the best point. The
objective is the sum of squared differences divided by each metric's variance (the
extract's sampling variance plus the replicates' spread).

For a forecast (a backtest, ``revolving-door-data fit --forecast``) the objective also has
first entries a year and the stocks at the end of the fit years and at the extract date
(``held_out_children_in_care_end``, :data:`HELD_OUT`), and each grid point is judged at its
own best size (``profile_scale``, :func:`size_multiplier`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from sim.model import RevolvingDoorModel
from sim.parameters import Parameters
from sim.ssda903 import codes
from sim.ssda903.measure import measure, periods_of_care, returns_table
from sim.ssda903.read import Extract
from sim.ssda903.quality import QualityReport
from sim.ssda903.write import model_dates

#: metrics the practice is fitted to
FIT_METRICS = ("returned_home_share", "reentry_12m")
#: metrics only checked (in the fit window and the held-out year)
CHECK_METRICS = ("reentry_24m", "breakdown_24m_abuse_neglect", "entries_per_year",
                 "returns_per_year", "children_in_care_end")
HOLDOUT_METRICS = ("returned_home_share", "entries_per_year", "returns_per_year")
#: A metric named with this prefix is the metric measured over the held-out latest year
#: (``held_out_children_in_care_end``: the stock at the window's end, the extract date). A
#: backtest's fit adds it to its objective: the latest stock is data before the extract
#: date, and the one closest to what is forecast.
HELD_OUT = "held_out_"
SHARES = {"returned_home_share": "ended", "reentry_12m": "returns", "reentry_24m": "returns",
          "breakdown_24m_abuse_neglect": "returns_an"}
COUNTS_PER_YEAR = ("entries_per_year", "returns_per_year", "reentries_per_year")
#: the coarse grid (the fine grid then steps half its spacing around the best point)
COARSE_PROPENSITY = (0.35, 0.7, 1.4, 2.8)
COARSE_THOROUGHNESS = (0.05, 0.3, 0.55, 0.8)
#: 95% point of the chi-squared distribution with 2 degrees of freedom
CHI2_2DF_95 = 5.991


@dataclass
class Window:
    """The measured period of a fit: ``[start, end)``, the last year held out."""

    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def fit_end(self) -> pd.Timestamp:
        return self.end - pd.DateOffset(years=1)

    @property
    def years(self) -> int:
        return int(round((self.end - self.start).days / 365.25))


@dataclass
class FitResult:
    return_propensity: float
    thoroughness: float
    scale: float
    table: pd.DataFrame
    objective: float
    evaluations: int
    grid: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    #: the objective at any practice (same seeds and scale as the fit)
    objective_at: Callable[[float, float], float] | None = field(repr=False, default=None)

    def in_confidence_region(self, return_propensity: float, thoroughness: float) -> bool:
        """Whether a practice is inside the fit's approximate 95% confidence region: its
        objective within :data:`CHI2_2DF_95` of the best (the objective is a sum of squared
        standardised differences, so differences from its minimum are roughly chi-squared
        with one degree of freedom a fitted parameter)."""
        assert self.objective_at is not None
        return self.objective_at(return_propensity, thoroughness) - self.objective <= \
            CHI2_2DF_95

    def council(self, name: str = "fitted") -> dict[str, Any]:
        """The fitted council as a listed council of a run's config."""
        return {"name": name, "practice": {"return_propensity": self.return_propensity,
                                           "thoroughness": self.thoroughness}}


def simulated_extract(episodes: pd.DataFrame, *, start_year: int, warmup_years: int,
                      seen_from: pd.Timestamp) -> Extract:
    """A run's episode log as an :class:`Extract`, seen as annual extracts from
    ``seen_from`` would see it: periods still open on, or ending after, that day."""
    year0 = start_year - warmup_years
    start = model_dates(episodes["start"].to_numpy(), year0)
    end = model_dates(episodes["end"].to_numpy(), year0)
    visible = np.asarray(pd.isna(end) | (end >= seen_from))
    ep = episodes[visible]
    rec = {int(k): v for k, v in codes.WRITE_REC.items()}
    cin = np.where(ep["reason"].to_numpy() == 2, "N4", "N1")
    out = pd.DataFrame({
        "DECOM": pd.DatetimeIndex(start[visible]).astype("datetime64[s]"),
        "RNE": "S", "LS": np.where(ep["care_order"].to_numpy(), "C1", "V2"), "CIN": cin,
        "PLACE": "U6",
        "DEC": pd.DatetimeIndex(end[visible]).astype("datetime64[s]"),
        "REC": [rec.get(k) for k in ep["end_kind"].tolist()],
        "la": "", "file": np.int32(0), "row": np.arange(len(ep), dtype=np.int64),
        "child": ep["child"].to_numpy(),
        "dob": model_dates(ep["birth"].to_numpy(), year0).astype("datetime64[s]")})
    out.loc[out["DEC"].isna(), "REC"] = None
    hd = pd.DataFrame({"la": "", "child": out["child"].unique()})
    return Extract(episodes=out, header=hd, files=["(simulated)"], report=QualityReport())


def design_effect() -> float:
    """How much sibling groups inflate the variance of a child-level share or count: siblings
    enter, go home and come back together, so the variance is that of families, ``E[k^2] /
    E[k]`` times the children's (``k`` the children a family, from the entry parameters)."""
    e = Parameters().entry
    p = np.array([max(0.0, 1.0 - e.share_sibling_pair - e.share_sibling_three),
                  e.share_sibling_pair, e.share_sibling_three])
    k = np.array([1.0, 2.0, 3.0])
    p = p / p.sum()
    return float((p @ k**2) / (p @ k))


def standard_errors(m: dict[str, Any], n: dict[str, float]) -> dict[str, float]:
    """Sampling standard errors of the observed metrics: binomial for shares, Poisson for
    counts, both inflated by :func:`design_effect`."""
    se = {}
    for k, v in m.items():
        if k in SHARES:
            size = max(n.get(SHARES[k], 0.0), 1.0)
            p = min(max(float(v), 0.02), 0.98) if v == v else 0.5
            se[k] = math.sqrt(p * (1 - p) / size)
        elif k in COUNTS_PER_YEAR:
            years = max(float(n.get("years", 1.0)), 1e-9)
            se[k] = math.sqrt(max(float(v) * years, 1.0)) / years
        elif k == "children_in_care_end":
            se[k] = math.sqrt(max(float(v), 1.0))
    deff = math.sqrt(design_effect())
    return {k: v * deff for k, v in se.items()}


def sizes(extract: Extract, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, float]:
    """Sample sizes behind the metrics: periods ended, returns, returns in abuse or neglect."""
    per = periods_of_care(extract.episodes)
    ended = per["end"].notna() & (per["end"] >= start) & (per["end"] < end)
    ret = returns_table(per, start, end)
    return {"ended": float(ended.sum()), "returns": float(len(ret)),
            "returns_an": float((ret["group"] == "abuse_neglect").sum()),
            "years": (end - start).days / 365.25}


def simulate(practice: tuple[float, float], scale: float, seed: int, window: Window,
             warmup_years: int, params: dict[str, Any] | None) -> Extract:
    """One council at practice ``(return propensity, thoroughness)`` and ``scale``, warmed
    up ``warmup_years``, its episodes seen as annual extracts from ``window.start``."""
    rp, th = practice
    cfg = {"seed": seed, "scale": scale, "years": window.years, "warmup_years": warmup_years,
           "start_year": window.start.year,
           "councils": {"mode": "listed", "listed": [
               {"name": "fitted", "practice": {"return_propensity": rp, "thoroughness": th}}]}}
    if params:
        cfg["params"] = params
    return simulated_extract(run_episodes(cfg), start_year=window.start.year,
                             warmup_years=warmup_years, seen_from=window.start)


def run_episodes(cfg: dict[str, Any]) -> pd.DataFrame:
    """The episode log of a run of ``cfg`` (``records.episodes_frame()``), the model
    released after (also on failure: Mesa's registry would keep it alive)."""
    model = RevolvingDoorModel(cfg)
    try:
        model.run()
        return model.records.episodes_frame()
    finally:
        model.release()


def _metrics(x: Extract, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, float]:
    return {k: float(v) for k, v in measure(x, start, end, tables=False).metrics.items()
            if isinstance(v, (int, float))}


def is_count(metric: str) -> bool:
    """Whether a fit metric is a count (proportional to the run's scale), not a share."""
    k = metric.removeprefix(HELD_OUT)
    return k in COUNTS_PER_YEAR or k in ("children_in_care_end", "returns_per_year",
                                         "other_later_periods_per_year")


def size_multiplier(sim: dict[str, float], obs: dict[str, float], var: dict[str, float]
                    ) -> float:
    """The multiplier ``c`` of the simulated counts (:func:`is_count`; shares are left
    alone) that minimises ``sum((c * sim - obs)^2 / var)`` over the metrics of ``sim``:
    ``sum(sim * obs / var) / sum(sim^2 / var)``; 1 without a count."""
    counts = [k for k in sim if is_count(k)]
    den = sum(sim[k] ** 2 / var[k] for k in counts)
    if not counts or den <= 0:
        return 1.0
    return float(sum(sim[k] * obs[k] / var[k] for k in counts) / den)


def _both(x: Extract, window: Window, held_out: bool) -> dict[str, float]:
    """Metrics of the fit years, and (``held_out``) of the held-out year, prefixed
    :data:`HELD_OUT`."""
    m = _metrics(x, window.start, window.fit_end)
    if held_out:
        m.update({HELD_OUT + k: v for k, v in _metrics(x, window.fit_end, window.end).items()})
    return m


def fit_council(observed: Extract, window: Window, *, seeds: tuple[int, ...] = (1, 2),
                warmup_years: int = 10, params: dict[str, Any] | None = None,
                progress: Callable[[str], None] | None = None,
                metrics: tuple[str, ...] = FIT_METRICS, profile_scale: bool = False
                ) -> FitResult:
    """Fit one council's size and practice (see the module docstring). ``metrics``: those
    the practice is fitted to (a backtest adds ``children_in_care_end``, the stock it
    forecasts, and the stock at the extract date, ``held_out_children_in_care_end``).

    ``profile_scale``: the size is fitted at every grid point, not once at the end. The
    model's counts are proportional to its scale (families are independent and entries
    are Poisson at a rate proportional to it; councils under pressure are off), so the
    counts of the objective (those :func:`is_count` names) at scale ``c x scale`` are
    ``c`` times those at ``scale``, and the best ``c`` has a closed form (weighted least
    squares). Each grid point is then judged at its own best size (the grid's ``scale``
    column), so a practice that keeps children longer is not penalised for a size the
    data would not give it."""
    obs = _metrics(observed, window.start, window.fit_end)
    n_obs = sizes(observed, window.start, window.fit_end)
    se_obs = standard_errors(obs, n_obs)
    held_out = any(k.startswith(HELD_OUT) for k in metrics)
    if held_out:
        obs_h = _metrics(observed, window.fit_end, window.end)
        se_h = standard_errors(obs_h, sizes(observed, window.fit_end, window.end))
        obs.update({HELD_OUT + k: v for k, v in obs_h.items()})
        se_obs.update({HELD_OUT + k: v for k, v in se_h.items()})
    per_scale = Parameters().entry.children_per_year
    observed_starts = obs["entries_per_year"] + obs["reentries_per_year"] + \
        obs["other_later_periods_per_year"]
    scale = max(observed_starts / per_scale, 1e-4)
    cache: dict[tuple[float, float], list[dict[str, float]]] = {}

    def runs(rp: float, th: float) -> list[dict[str, float]]:
        key = (round(rp, 6), round(th, 6))
        if key not in cache:
            cache[key] = [_both(simulate((rp, th), scale, s, window, warmup_years, params),
                                window, held_out) for s in seeds]
        return cache[key]

    def score(rp: float, th: float) -> tuple[float, float]:
        """The objective and the size multiplier ``c`` of the scale it was taken at (1
        unless ``profile_scale``)."""
        reps = runs(rp, th)
        mean, var = {}, {}
        for k in metrics:
            vals = np.array([r[k] for r in reps])
            mean[k] = float(vals.mean())
            var[k] = max(se_obs[k] ** 2 + (vals.var(ddof=1) / len(vals) if len(vals) > 1
                                           else 0.0), 1e-12)
        c = size_multiplier(mean, obs, var) if profile_scale else 1.0
        total = sum(((c if is_count(k) else 1.0) * mean[k] - obs[k]) ** 2 / var[k]
                    for k in metrics)
        return float(total), float(c)

    def objective(rp: float, th: float) -> float:
        return score(rp, th)[0]

    rows = []
    for rp0, th in itertools.product(COARSE_PROPENSITY, COARSE_THOROUGHNESS):
        rows.append((rp0, th, objective(rp0, th)))
        if progress:
            progress(f"coarse grid {len(rows)}/{len(COARSE_PROPENSITY) * len(COARSE_THOROUGHNESS)}")
    best = min(rows, key=lambda r: r[2])
    n_coarse = len(rows)
    for d_lr, d_th in itertools.product((-0.35, 0.0, 0.35), (-0.125, 0.0, 0.125)):
        rp = float(np.exp(np.log(best[0]) + d_lr))
        th = float(min(max(best[1] + d_th, 0.0), 1.0))
        rows.append((rp, th, objective(rp, th)))
        if progress:
            progress(f"fine grid {len(rows) - n_coarse}/9")
    best = min(rows, key=lambda r: r[2])
    rp, th = best[0], best[1]
    if profile_scale:  # each point's own size (the counts' best multiplier)
        scale_fitted = scale * score(rp, th)[1]
    else:  # entry flows: scale so that periods starting a year match, at the fitted practice
        sim_starts = np.mean([r["entries_per_year"] + r["reentries_per_year"]
                              for r in runs(rp, th)])
        scale_fitted = scale * observed_starts / max(sim_starts, 1e-9)
    table = fit_table(observed, window, (rp, th), scale_fitted, seeds, warmup_years, params,
                      fitted=metrics)
    grid = pd.DataFrame(rows, columns=["return_propensity", "thoroughness", "objective"])
    grid["scale"] = [scale * score(r[0], r[1])[1] for r in rows] if profile_scale else \
        scale_fitted
    return FitResult(rp, th, scale_fitted, table, best[2], len(cache) * len(seeds), grid,
                     objective_at=objective)


def fit_table(observed: Extract, window: Window, practice: tuple[float, float], scale: float,
              seeds: tuple[int, ...], warmup_years: int, params: dict[str, Any] | None,
              fitted: tuple[str, ...] = FIT_METRICS) -> pd.DataFrame:
    """Observed, simulated (mean of the seeds), interval and pass or miss, for the fit window
    and the held-out latest year. Interval: simulated mean +- 1.96 x the square root of the
    observed metric's sampling variance plus the replicates' variance of the mean."""
    sims = [simulate(practice, scale, s, window, warmup_years, params) for s in seeds]
    rows = []
    for part, (a, b), names in (("fit", (window.start, window.fit_end),
                                 FIT_METRICS + CHECK_METRICS),
                                ("held out", (window.fit_end, window.end), HOLDOUT_METRICS)):
        obs = _metrics(observed, a, b)
        se = standard_errors(obs, sizes(observed, a, b))
        reps = [_metrics(x, a, b) for x in sims]
        for k in names:
            vals = np.array([r[k] for r in reps])
            half = 1.96 * math.sqrt(se[k] ** 2 + (vals.var(ddof=1) / len(vals)
                                                  if len(vals) > 1 else 0.0))
            mean = float(vals.mean())
            name = k if part == "fit" else HELD_OUT + k
            rows.append({"period": part, "metric": k, "fitted": name in fitted,
                         "observed": obs[k], "simulated": mean,
                         "low": mean - half, "high": mean + half,
                         "result": "pass" if mean - half <= obs[k] <= mean + half else "miss"})
    return pd.DataFrame(rows)
