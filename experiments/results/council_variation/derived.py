"""Numbers quoted on experiments/council_variation.md that are not rows of the sweep's own
tables, computed from them: python experiments/results/council_variation/derived.py

Writes derived.csv next to this file.
* the spread of council outcomes: for each run (seed), the 5th, 10th, 50th, 90th and 95th
  percentile over the 150 councils (each council counts once, whatever its size) of
  return_home_share, breakdown_24m and reentry_12m (councils.csv), averaged over the runs;
  councils with no return in the measured period have no breakdown_24m or reentry_12m and
  are left out (the run's own council_*_p05/_p95 metrics, in sweep.csv, count only
  councils with at least 200 England-equivalent episodes ended);
* the median and 10th percentile over all councils and runs of episodes_ended and
  children_returned (the sample behind each council's shares);
* the correlation over all councils and runs of each outcome with log(return_propensity);
* council practice minus need (Shapley parts) per run, with its 95% t interval over runs,
  and the number of runs in which council practice explains more; the same for the
  two-way split in which care history counts as need (``twoway_*``).
"""
from pathlib import Path

import numpy as np
import pandas as pd

from sim.sweep.intervals import mean_interval

HERE = Path(__file__).resolve().parent
c = pd.read_csv(HERE / "councils_all.csv")
s = pd.read_csv(HERE / "sweep.csv")
rows = []
for col in ("return_home_share", "breakdown_24m", "reentry_12m"):
    g = c.dropna(subset=[col])
    q = g.groupby("job")[col].quantile([0.05, 0.1, 0.5, 0.9, 0.95]).unstack().mean()
    for p, v in q.items():
        rows.append({"quantity": f"{col}_council_p{round(p * 100):02d}", "value": v})
    rows.append({"quantity": f"{col}_corr_log_return_propensity",
                 "value": np.corrcoef(np.log(g["return_propensity"]), g[col])[0, 1]})
    rows.append({"quantity": f"{col}_councils_with_value_per_run",
                 "value": g.groupby("job").size().mean()})
for col in ("episodes_ended", "children_returned"):
    rows.append({"quantity": f"{col}_council_median", "value": c[col].median()})
    rows.append({"quantity": f"{col}_council_p10", "value": c[col].quantile(0.1)})
for o in ("returned_home", "returned_home_abuse_neglect", "failed_return_24m"):
    diff = (s[f"var_{o}_part_council"] - s[f"var_{o}_part_need"]).to_numpy(dtype=float)
    m, lo, hi = mean_interval(diff)
    tw = (s[f"var_{o}_twoway_part_council"] - s[f"var_{o}_twoway_part_need"]).to_numpy(dtype=float)
    tm, tlo, thi = mean_interval(tw)
    rows += [{"quantity": f"var_{o}_twoway_council_minus_need_mean", "value": tm},
             {"quantity": f"var_{o}_twoway_council_minus_need_low", "value": tlo},
             {"quantity": f"var_{o}_twoway_council_minus_need_high", "value": thi},
             {"quantity": f"var_{o}_twoway_runs_council_above_need", "value": int((tw > 0).sum())},
             {"quantity": f"var_{o}_r2_history_mean", "value": s[f"var_{o}_r2_history"].mean()}]
    rows += [{"quantity": f"var_{o}_council_minus_need_mean", "value": m},
             {"quantity": f"var_{o}_council_minus_need_low", "value": lo},
             {"quantity": f"var_{o}_council_minus_need_high", "value": hi},
             {"quantity": f"var_{o}_runs_council_above_need", "value": int((diff > 0).sum())},
             {"quantity": f"var_{o}_r2_need_mean", "value": s[f"var_{o}_r2_need"].mean()},
             {"quantity": f"var_{o}_r2_council_mean", "value": s[f"var_{o}_r2_council"].mean()},
             {"quantity": f"var_{o}_n_mean", "value": s[f"var_{o}_n"].mean()}]
pd.DataFrame(rows).to_csv(HERE / "derived.csv", index=False, float_format="%.4g")
