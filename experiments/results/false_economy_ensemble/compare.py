"""Monte Carlo-only intervals (fixed parameters) against intervals with parameter
uncertainty (the calibration ensemble), for experiments/false_economy.md:
python experiments/results/false_economy_ensemble/compare.py  -> interval_comparison.csv"""
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
fixed = pd.read_csv(HERE.parent / "false_economy" / "effects.csv")
ens = pd.read_csv(HERE / "effects.csv")
METRICS = ("fe_net_cost_10y_gbp", "fe_net_cost_5y_gbp", "fe_return_per_pound_10y",
           "fe_breakeven_fall_10y", "fe_fall_10y", "fe_failed_returns_avoided_10y",
           "fe_harm_months_avoided_10y")
rows = []
for arm in dict.fromkeys(fixed["arm"]):
    for m in METRICS:
        a = fixed[(fixed.arm == arm) & (fixed.metric == m)].iloc[0]
        b = ens[(ens.arm == arm) & (ens.metric == m)].iloc[0]
        wa, wb = a.effect_high - a.effect_low, b.effect_high - b.effect_low
        rows.append({"arm": arm, "metric": m, "fixed_mean": a.effect_mean,
                     "fixed_low": a.effect_low, "fixed_high": a.effect_high,
                     "ensemble_mean": b.effect_mean, "ensemble_low": b.effect_low,
                     "ensemble_high": b.effect_high, "width_ratio": wb / wa})
pd.DataFrame(rows).to_csv(HERE / "interval_comparison.csv", index=False, float_format="%.6g")
