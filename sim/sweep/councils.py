"""The council-variation experiment's tables beyond the sweep's own: the variance
decomposition (``decomposition.csv``) and the numbers its page quotes (``derived.csv``:
spreads between councils, the samples behind them, and council practice against need per
run), both from the tables of the sweep (``sweep.csv``, ``councils_all.csv``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim.sweep.intervals import mean_interval

#: The outcomes of the variance decomposition (metrics ``var_<outcome>_*``) and their labels.
OUTCOMES = {"returned_home": "who goes home",
            "returned_home_abuse_neglect": "who goes home (abuse or neglect)",
            "failed_return_24m": "failed returns (2 years)"}
#: Its parts (``var_<outcome>_part_<part>``) and their labels.
PARTS = {"council": "council practice", "need": "child and family need",
         "history": "care history (first or later episode)"}
#: Council outcomes (columns of ``councils.csv``) whose spread between councils is reported.
SPREAD_OUTCOMES = ("return_home_share", "breakdown_24m", "reentry_12m")
SPREAD_QUANTILES = (0.05, 0.1, 0.5, 0.9, 0.95)
#: Council sample sizes (columns of ``councils.csv``) behind each council's shares.
SAMPLES = ("episodes_ended", "children_returned")


def decomposition_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Each outcome's Shapley parts and full-model adjusted R², mean and 95% t interval
    over the runs."""
    rows = []
    for outcome, olabel in OUTCOMES.items():
        for part, plabel in PARTS.items():
            metric = f"var_{outcome}_part_{part}"
            x = runs[metric].to_numpy(dtype=float) if metric in runs else []
            m, lo, hi = mean_interval(x)
            rows.append({"outcome": olabel, "part": plabel, "metric": metric,
                         "n": int(len(x)), "mean": m, "low": lo, "high": hi})
        metric = f"var_{outcome}_r2_full"
        m, lo, hi = mean_interval(runs[metric].to_numpy(dtype=float) if metric in runs else [])
        rows.append({"outcome": olabel, "part": "both (full model)", "metric": metric,
                     "n": len(runs), "mean": m, "low": lo, "high": hi})
    return pd.DataFrame(rows)


def _spread_rows(councils: pd.DataFrame) -> list[dict[str, Any]]:
    """Per outcome: the percentiles over councils (each counts once, whatever its size) in
    each run, averaged over the runs; the correlation over all councils and runs with
    log(return_propensity); the councils with a value, per run. Councils without a value
    (no return in the measured period: no breakdown_24m or reentry_12m) are left out."""
    rows: list[dict[str, Any]] = []
    for col in SPREAD_OUTCOMES:
        g = councils.dropna(subset=[col])
        q = g.groupby("job")[col].quantile(list(SPREAD_QUANTILES)).unstack().mean()
        for p, v in q.items():
            rows.append({"quantity": f"{col}_council_p{round(p * 100):02d}", "value": v})
        rows.append({"quantity": f"{col}_corr_log_return_propensity",
                     "value": np.corrcoef(np.log(g["return_propensity"]), g[col])[0, 1]})
        rows.append({"quantity": f"{col}_councils_with_value_per_run",
                     "value": g.groupby("job").size().mean()})
    return rows


def _sample_rows(councils: pd.DataFrame) -> list[dict[str, Any]]:
    """The median and 10th percentile, over all councils and runs, of each sample size."""
    rows: list[dict[str, Any]] = []
    for col in SAMPLES:
        rows.append({"quantity": f"{col}_council_median", "value": councils[col].median()})
        rows.append({"quantity": f"{col}_council_p10", "value": councils[col].quantile(0.1)})
    return rows


def _council_minus_need_rows(runs: pd.DataFrame) -> list[dict[str, Any]]:
    """Per outcome, council practice minus need (Shapley parts) per run: mean, 95% t
    interval, and the runs in which council practice explains more; the same for the
    two-way split in which care history counts as need (``twoway``); mean R² and sizes."""
    rows: list[dict[str, Any]] = []
    for o in OUTCOMES:
        diff = (runs[f"var_{o}_part_council"] - runs[f"var_{o}_part_need"]).to_numpy(dtype=float)
        m, lo, hi = mean_interval(diff)
        tw = (runs[f"var_{o}_twoway_part_council"]
              - runs[f"var_{o}_twoway_part_need"]).to_numpy(dtype=float)
        tm, tlo, thi = mean_interval(tw)
        rows += [{"quantity": f"var_{o}_twoway_council_minus_need_mean", "value": tm},
                 {"quantity": f"var_{o}_twoway_council_minus_need_low", "value": tlo},
                 {"quantity": f"var_{o}_twoway_council_minus_need_high", "value": thi},
                 {"quantity": f"var_{o}_twoway_runs_council_above_need",
                  "value": int((tw > 0).sum())},
                 {"quantity": f"var_{o}_r2_history_mean",
                  "value": runs[f"var_{o}_r2_history"].mean()}]
        rows += [{"quantity": f"var_{o}_council_minus_need_mean", "value": m},
                 {"quantity": f"var_{o}_council_minus_need_low", "value": lo},
                 {"quantity": f"var_{o}_council_minus_need_high", "value": hi},
                 {"quantity": f"var_{o}_runs_council_above_need", "value": int((diff > 0).sum())},
                 {"quantity": f"var_{o}_r2_need_mean", "value": runs[f"var_{o}_r2_need"].mean()},
                 {"quantity": f"var_{o}_r2_council_mean",
                  "value": runs[f"var_{o}_r2_council"].mean()},
                 {"quantity": f"var_{o}_n_mean", "value": runs[f"var_{o}_n"].mean()}]
    return rows


#: How ``derived.csv`` writes its numbers: the page quotes them to at most 4 significant
#: figures, so the file is what the page reads, to the byte.
DERIVED_FORMAT = "%.4g"


def derived_table(councils: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """``quantity, value``: the numbers experiments/council_variation.md quotes that are not
    rows of the sweep's own tables, from ``councils_all.csv`` (``councils``: one row a
    council and run, with ``job``) and the complete runs of ``sweep.csv`` (``runs``)."""
    return pd.DataFrame(_spread_rows(councils) + _sample_rows(councils)
                        + _council_minus_need_rows(runs), columns=["quantity", "value"])


__all__ = ["OUTCOMES", "PARTS", "decomposition_table", "derived_table"]
