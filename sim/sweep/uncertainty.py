"""The false-economy answer as a probability: pairing, distributions, variance shares.

Reads the rows the Monte Carlo jobs write (:mod:`sim.sweep.montecarlo`, one row a run:
``arm``, ``replicate``, the inputs of :data:`sim.sweep.mc_inputs.INPUTS`, the metrics) and
gives, for each support design against current practice:

:func:`paired`
    one row a replicate: the ``fe_*`` differences of :func:`sim.sweep.economics.differences`
    between the design's run and current practice's run **of the same replicate** (same
    draw, same seed), and per horizon ``h`` (5, 10 years):

    ``return_per_pound_<h>y``
        savings / spend (above 1: support pays for itself in cash).
    ``net_cost_per_year_<h>y_gbp``
        the change in councils' total spending a year (negative: it pays for itself).
    ``pays_<h>y``
        1 when the net cost is below zero, else 0.
    ``pays_valued_<h>y``
        1 when the net cost less the value of the children's harm avoided (maltreatment
        after a return avoided, at :data:`CHILD_HARM_VALUE_GBP`) is below zero.
    ``fall_<h>y``
        failed returns avoided, as a share of current practice's.
    ``breakeven_fall_model_<h>y``
        **the model's basis**: the fall in failed returns at which savings would equal
        spend, with spend the rise in after-return spending (net of the support councils
        give now) and each failed return avoided worth the saving per failed return avoided
        over the horizon: ``spend / (savings / avoided) / failed returns``. Empty when the
        design avoids no failed returns or saves nothing.
    ``breakeven_fall_holmes_<h>y``
        **Holmes' basis**: the gross cost of the design's support (all of it, not net of
        current support) against the cost of all current practice's failed returns, each
        counted as Holmes counts one (``failed_return_cost_holmes_gbp``: the re-entry's
        work and up to a year in care): ``support cost / (failed returns x cost of one)``.
        Holmes' own figures give 67/316 = 21% (:data:`sim.sweep.frontier.HOLMES_BREAKEVEN_FALL`).

:func:`summary`
    one row a design and horizon: medians, 80% and 95% intervals over replicates, the
    probability it pays for itself (with its Monte Carlo 95% interval).
:func:`variance_shares`
    each input's first-order share of the variance of an output (the correlation ratio
    Var(E[Y | X]) / Var(Y), from the draws by bins, less its bias under no effect).
:func:`convergence`
    the probability and the median as replicates are added.
:func:`monte_carlo_errors`
    the convergence rule: the Monte Carlo standard errors of the 10-year probability and
    median at the run's size, against :data:`MCSE_LIMITS`.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import pandas as pd

from sim.metrics import HORIZONS_YEARS
from sim.rng import Streams
from sim.sweep import economics
from sim.sweep.mc_inputs import CATEGORICAL, INPUTS

REFERENCE = "status_quo"
#: Conti, Pizzo, Morris & Melnychuk (2021), docs/evidence.md#review-conti-2021: the
#: discounted lifetime cost to society of non-fatal maltreatment, a victim (central, low
#: and high ends of its 95% uncertainty interval). Its price year was not found; used as it
#: is, in the run's price year (it understates by the inflation since).
CHILD_HARM_VALUE_GBP = (89_390.0, 44_896.0, 145_508.0)
QUANTILES = {"median": 0.5, "p10": 0.1, "p90": 0.9, "p2_5": 0.025, "p97_5": 0.975}
SUMMARY_QUANTITIES = ("return_per_pound", "net_cost_per_year", "fall",
                      "breakeven_fall_model", "breakeven_fall_holmes")


class PairingError(ValueError):
    """The runs cannot be paired (a replicate appears twice in one arm, or no reference)."""


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return (num.astype(float) / den.where(den != 0)).astype(float)


def paired(runs: pd.DataFrame, reference: str = REFERENCE) -> dict[str, pd.DataFrame]:
    """Each design's replicates joined to current practice's **by replicate**; replicates
    without both runs are left out (counted by the caller from the lengths)."""
    if "arm" not in runs or "replicate" not in runs:
        raise PairingError("runs need the columns arm and replicate")
    dup = runs.duplicated(["arm", "replicate"])
    if dup.any():
        first = runs[dup].iloc[0]
        raise PairingError(f"arm {first['arm']!r} has replicate {first['replicate']} twice")
    ref = runs[runs["arm"] == reference].set_index("replicate")
    if ref.empty:
        raise PairingError(f"no runs of the reference arm {reference!r}")
    out = {}
    for arm, rows in runs[runs["arm"] != reference].groupby("arm", sort=False):
        rows = rows.set_index("replicate")
        common = rows.index.intersection(ref.index).sort_values()
        a, r = rows.loc[common], ref.loc[common]
        d = economics.differences(a, r)
        for name in INPUTS:
            if name in a:
                d[name] = a[name]
        for h in HORIZONS_YEARS:
            spend, sav = d[f"fe_spend_{h}y_gbp"], d[f"fe_savings_{h}y_gbp"]
            net = d[f"fe_net_cost_{h}y_gbp"]
            avoided, base = d[f"fe_failed_returns_avoided_{h}y"], d[f"fe_reference_failed_returns_{h}y"]
            d[f"return_per_pound_{h}y"] = _ratio(sav, spend)
            d[f"net_cost_per_year_{h}y_gbp"] = net / h
            d[f"pays_{h}y"] = (net < 0).astype(float)
            for tag, value in zip(("", "_low", "_high"), CHILD_HARM_VALUE_GBP):
                valued = net - d[f"fe_maltreatment_avoided_{h}y"] * value
                d[f"pays_valued{tag}_{h}y"] = (valued < 0).astype(float)
            d[f"fall_{h}y"] = _ratio(avoided, base)
            ok = (avoided > 0) & (sav > 0)
            per_failed = _ratio(sav, avoided)
            d[f"breakeven_fall_model_{h}y"] = _ratio(spend, per_failed * base).where(ok)
            d[f"gross_support_{h}y_gbp"] = a[f"cost_support_{h}y_gbp"]
            d[f"failed_returns_cost_holmes_{h}y_gbp"] = base * r["failed_return_cost_holmes_gbp"]
            d[f"breakeven_fall_holmes_{h}y"] = _ratio(
                d[f"gross_support_{h}y_gbp"], d[f"failed_returns_cost_holmes_{h}y_gbp"])
        d.index.name = "replicate"
        out[str(arm)] = d.reset_index()
    return out


def _column(q: str, h: int) -> str:
    return f"net_cost_per_year_{h}y_gbp" if q == "net_cost_per_year" else f"{q}_{h}y"


def binomial_interval(k: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval of a probability ``k / n`` (the Monte Carlo error of it)."""
    if n == 0:
        return math.nan, math.nan
    z, p = 1.959963984540054, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def summary(pairs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row a design, horizon and quantity: ``n``, quantiles; and the probabilities."""
    rows = []
    for arm, d in pairs.items():
        for h in HORIZONS_YEARS:
            for q in SUMMARY_QUANTITIES:
                x = d[_column(q, h)].to_numpy(dtype=float)
                x = x[np.isfinite(x)]
                row = {"arm": arm, "horizon_years": h, "quantity": q, "n": len(x)}
                for name, p in QUANTILES.items():
                    row[name] = float(np.quantile(x, p)) if len(x) else math.nan
                row["mean"] = float(x.mean()) if len(x) else math.nan
                rows.append(row)
            for q in ("pays", "pays_valued", "pays_valued_low", "pays_valued_high"):
                x = d[f"{q}_{h}y"].to_numpy(dtype=float)
                k, n = int(x.sum()), len(x)
                lo, hi = binomial_interval(k, n)
                rows.append({"arm": arm, "horizon_years": h, "quantity": f"probability_{q}",
                             "n": n, "mean": k / n if n else math.nan, "p2_5": lo,
                             "p97_5": hi})
    return pd.DataFrame(rows, columns=["arm", "horizon_years", "quantity", "n", "mean",
                                       *QUANTILES])


def correlation_ratio(x: np.ndarray, y: np.ndarray, categorical: bool, bins: int = 10
                      ) -> float:
    """Var(E[y | x]) / Var(y) from the draws, less its expected value when x does nothing
    ((groups - 1) / (n - 1)), at least 0. Continuous x is cut into ``bins`` equal-count
    bins; categorical x is grouped by value."""
    n = len(y)
    if n < 3 or np.var(y) == 0:
        return math.nan
    if categorical:
        groups = pd.Series(x).astype(str).to_numpy()
    else:
        ranks = pd.Series(x).rank(method="first").to_numpy()
        groups = np.minimum(((ranks - 1) * bins // n).astype(int), bins - 1)
    frame = pd.DataFrame({"g": groups, "y": y})
    means = frame.groupby("g")["y"].transform("mean").to_numpy()
    k = frame["g"].nunique()
    if k <= 1:
        return 0.0
    eta2 = float(np.var(means) / np.var(y))
    return max(0.0, eta2 - (k - 1) / (n - 1))


#: the seed of the variance shares' bootstrap (fixed: a report is the same bytes each time)
BOOTSTRAP_SEED = 22


def variance_shares(d: pd.DataFrame, output: str, inputs: Iterable[str] | None = None,
                    boot: int = 0) -> pd.DataFrame:
    """Each input's first-order share of the variance of ``output`` over the replicates
    (the seed, one a replicate, is not binned: what the inputs leave unexplained is chance
    and interactions); sorted, largest first, with the remainder last. A share is the
    first-order Sobol index of the input by its definition, Var(E[Y | X]) / Var(Y), with
    E[Y | X] estimated by grouping the draws (:func:`correlation_ratio`); ``se``: its
    standard error over ``boot`` bootstrap resamples of the replicates (NaN without)."""
    names = [n for n in (inputs or INPUTS) if n in d and n != "seed"]
    ok = np.isfinite(d[output].to_numpy(dtype=float))
    y = d[output].to_numpy(dtype=float)[ok]
    n = len(y)
    # bootstrap resamples of the replicates, from the keyed uncertainty stream (sub-key 1;
    # the draws use 0): resample b's i-th pick is floor(u(b, i) n)
    picks = [np.minimum((Streams(BOOTSTRAP_SEED).keyed("uncertainty", 1).uniform_many(
        np.full(n, b), np.arange(n)) * n).astype(int), n - 1) for b in range(boot)]
    rows = []
    for name in names:
        x = d[name].to_numpy()[ok]
        cat = name in CATEGORICAL
        if pd.Series(x).nunique() <= 1:
            share, se = 0.0, (0.0 if boot else math.nan)
        else:
            share = correlation_ratio(x, y, cat)
            reps = [correlation_ratio(x[i], y[i], cat) for i in picks]
            se = float(np.nanstd(reps, ddof=1)) if boot > 1 else math.nan
        rows.append({"input": name, "label": INPUTS.get(name, name), "share": share,
                     "se": se})
    table = pd.DataFrame(rows).sort_values("share", ascending=False, kind="stable")
    rest = max(0.0, 1.0 - float(table["share"].sum()))
    table = pd.concat([table, pd.DataFrame([{
        "input": "remainder", "label": "Chance and interactions (left unexplained)",
        "share": rest, "se": math.nan}])], ignore_index=True)
    table.insert(0, "output", output)
    table["n"] = int(ok.sum())
    return table


def convergence(d: pd.DataFrame, h: int = 10, steps: int = 20) -> pd.DataFrame:
    """The probability of paying for itself and the median return per £1 over the first
    ``n`` replicates (in replicate order), for ``steps`` values of ``n``."""
    d = d.sort_values("replicate")
    n_all = len(d)
    ns = sorted({max(1, int(round(n_all * (i + 1) / steps))) for i in range(steps)})
    rows = []
    for n in ns:
        part = d.iloc[:n]
        k = int(part[f"pays_{h}y"].sum())
        lo, hi = binomial_interval(k, n)
        rpp = part[f"return_per_pound_{h}y"].to_numpy(dtype=float)
        rpp = rpp[np.isfinite(rpp)]
        rows.append({"replicates": n, "probability": k / n, "probability_low": lo,
                     "probability_high": hi,
                     "median_return_per_pound": float(np.median(rpp)) if len(rpp) else math.nan})
    return pd.DataFrame(rows)


#: the convergence rule: at the run's size, the Monte Carlo standard error of each design's
#: 10-year probability of paying for itself at most 2 percentage points (its 95% interval
#: about +-4 points: enough to tell 10% from 20%, the page quoting whole percents), and of
#: its median return per £1 at most 5p (the page quotes whole pence; the designs' medians
#: differ by tens of pence)
MCSE_LIMITS = {"probability": 0.02, "median_return_per_pound": 0.05}
_Z95 = 1.959963984540054


def monte_carlo_errors(d: pd.DataFrame, h: int = 10) -> dict[str, float]:
    """The Monte Carlo standard errors of a design's probability of paying for itself,
    from its Wilson 95% interval (:func:`binomial_interval`: its width over 2 x 1.96,
    about ``sqrt(p (1 - p) / n)``, but not 0 when no replicate or every replicate pays, so
    4 replicates of which none pays do not pass), and of its median return per £1, from the order statistics
    that bracket the median with 95% confidence (ranks ``n/2 -+ 1.96 sqrt(n) / 2``, rounded
    outwards: a distribution-free interval), its width over 2 x 1.96; with ``n`` and
    ``converged`` (both within :data:`MCSE_LIMITS`)."""
    pays = d[f"pays_{h}y"].to_numpy(dtype=float)
    n = len(pays)
    p = float(pays.mean()) if n else math.nan
    lo_p, hi_p = binomial_interval(int(pays.sum()), n)
    se_p = (hi_p - lo_p) / (2 * _Z95) if n else math.nan
    x = np.sort(d[f"return_per_pound_{h}y"].to_numpy(dtype=float))
    x = x[np.isfinite(x)]
    m = len(x)
    se_med = math.nan
    if m >= 3:
        lo = max(1, math.floor(m / 2 - _Z95 * math.sqrt(m) / 2))
        hi = min(m, math.ceil(m / 2 + _Z95 * math.sqrt(m) / 2))
        se_med = float((x[hi - 1] - x[lo - 1]) / (2 * _Z95))
    ok = (se_p <= MCSE_LIMITS["probability"]
          and se_med <= MCSE_LIMITS["median_return_per_pound"])
    return {"n": n, "probability": p, "se_probability": se_p,
            "median_return_per_pound": float(np.median(x)) if m else math.nan,
            "se_median_return_per_pound": se_med, "converged": bool(ok)}


def pooled_breakeven(d: pd.DataFrame, h: int = 10) -> dict[str, float]:
    """The two bases from the means over replicates (ratios of means, as the page of the
    false-economy experiment computes its break-even)."""
    spend, sav = d[f"fe_spend_{h}y_gbp"].mean(), d[f"fe_savings_{h}y_gbp"].mean()
    avoided = d[f"fe_failed_returns_avoided_{h}y"].mean()
    base = d[f"fe_reference_failed_returns_{h}y"].mean()
    model = (spend * avoided / sav / base) if avoided > 0 and sav > 0 and base > 0 else math.nan
    holmes = float(d[f"gross_support_{h}y_gbp"].mean()
                   / d[f"failed_returns_cost_holmes_{h}y_gbp"].mean())
    return {"model": float(model), "holmes": holmes}


__all__ = ["CHILD_HARM_VALUE_GBP", "MCSE_LIMITS", "PairingError", "REFERENCE",
           "binomial_interval", "convergence", "correlation_ratio", "monte_carlo_errors",
           "paired", "pooled_breakeven", "summary", "variance_shares"]
