"""Where the global sensitivity analysis reverses the false-economy conclusion, for
experiments/false_economy.md: python experiments/results/false_economy_sensitivity/gsa_check.py

Reads calibration/sensitivity/design.csv (one row a Morris point) and writes gsa_check.csv
beside this file: the design points whose net cost is negative (the entitlement saves
money), with their trajectory and breakdown rate, and the range of the net cost over the
points whose status-quo breakdown_24m_abuse_neglect is within the calibration tolerance
(0.47 +- 0.06, sim.metrics.TARGETS)."""
from pathlib import Path

import pandas as pd

from sim.metrics import TARGETS

HERE = Path(__file__).resolve().parent
design = pd.read_csv(HERE.parents[2] / "calibration" / "sensitivity" / "design.csv")
k = design.shape[1] - 4  # parameters; the last 4 columns are outputs
target, tol, _ = TARGETS["breakdown_24m_abuse_neglect"]
rows = []
for i, r in design[design["net_cost_per_year_gbp"] < 0].iterrows():
    rows.append({"what": "reversing point", "point": i, "trajectory": i // (k + 1),
                 "net_cost_per_year_gbp": r["net_cost_per_year_gbp"],
                 "breakdown_24m_abuse_neglect": r["breakdown_24m_abuse_neglect"],
                 "maltreatment_base": r["params.after_return.maltreatment_base"]})
ok = design[(design["breakdown_24m_abuse_neglect"] - target).abs() <= tol]
rows.append({"what": f"points within breakdown tolerance: {len(ok)} of {len(design)}",
             "net_cost_per_year_gbp": ok["net_cost_per_year_gbp"].min(),
             "breakdown_24m_abuse_neglect": ok["breakdown_24m_abuse_neglect"].min()})
rows.append({"what": "points within breakdown tolerance: max",
             "net_cost_per_year_gbp": ok["net_cost_per_year_gbp"].max(),
             "breakdown_24m_abuse_neglect": ok["breakdown_24m_abuse_neglect"].max()})
pd.DataFrame(rows).to_csv(HERE / "gsa_check.csv", index=False, float_format="%.6g")
