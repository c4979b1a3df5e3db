"""95% intervals across replicates: a t interval for means, a paired bootstrap for ratios.

Replicates are runs with different seeds; an interval describes how precisely the
replicates pin down the model's expected value (Monte Carlo uncertainty). It does not
include uncertainty about the parameters (issue 6 does that).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

#: Two-sided 95% quantiles of Student's t, degrees of freedom 1..30.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
         2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
         2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
_Z975 = 1.959964
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20240401  # fixed, so a report is the same every time it is made


def t975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom."""
    if df < 1:
        return math.nan
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975  # Cornish-Fisher expansion; error below 1e-4 beyond 30 degrees of freedom
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def mean_interval(x: np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high): the mean and its 95% t interval, ignoring NaN."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan
    half = t975(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half


def spread(x: np.ndarray) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of the replicates themselves."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan
    lo, hi = np.percentile(x, [2.5, 97.5])
    return float(lo), float(hi)


def bootstrap_interval(columns: np.ndarray, stat: Callable[[np.ndarray], float]
                       ) -> tuple[float, float, float]:
    """(estimate, low, high) of ``stat(column means)``, resampling rows (paired replicates)
    with a percentile bootstrap. ``columns`` is replicates by quantities."""
    columns = np.asarray(columns, dtype=float)
    est = stat(columns.mean(axis=0))
    n = len(columns)
    if n < 2:
        return est, math.nan, math.nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, n, size=(BOOTSTRAP_SAMPLES, n))
    means = columns[idx].mean(axis=1)
    vals = np.array([stat(m) for m in means], dtype=float)
    vals = vals[np.isfinite(vals)]
    if len(vals) < BOOTSTRAP_SAMPLES // 2:
        return est, math.nan, math.nan
    lo, hi = np.percentile(vals, [2.5, 97.5])
    return est, float(lo), float(hi)


def ratio(a: float, b: float) -> float:
    return a / b if b != 0 and math.isfinite(b) else math.nan
