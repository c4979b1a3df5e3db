"""Can SSDA903 tell how long a council keeps a case open after a return home
(``monitoring_months``)? Issue 24's 36-month backtest error lies there (docs/ssda903.md,
"Why the fitted forecast ran low"): a run from data keeps the typical council's 9 months.

At a fixed practice (return propensity and thoroughness), a council of Quick's size (scale
0.01, as in ``scripts/simulated_councils.py``) is run at ``monitoring_months`` 4, 9 and 18
over ``SEEDS``, and the SSDA903-measurable metrics of its annual files (the fit's window:
five years, the first four as a fit's) are set beside the data's sampling standard error
at that size (``sim.ssda903.fit.standard_errors``, binomial or Poisson with the sibling
design effect). A metric tells the months apart if the difference between levels is
several standard errors of the data (and of the runs' mean).

    python scripts/monitoring_identifiability.py [--seeds 1 2 3 4]
    python scripts/monitoring_identifiability.py --vary support_share --levels 0.45 0.6 0.75

``--vary`` another practice setting of ``CouncilPractice`` (``support_share``: Quick's
other difference from the typical council) at ``--levels`` (the middle one the
reference, the typical council's).
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import pandas as pd

from sim.config import PROFILES
from sim.ssda903.fit import (Window, design_effect, run_episodes, simulated_extract, sizes,
                             standard_errors)
from sim.ssda903.measure import measure

_TYP = PROFILES["typical"]
PRACTICES = {"Quick's (2.0, 0.15)": (2.0, 0.15),
             f"typical ({_TYP.return_propensity:g}, {_TYP.thoroughness:.2f})":
             (_TYP.return_propensity, _TYP.thoroughness)}
LEVELS = (4, 9, 18)
SCALE = 0.01
WINDOW = Window(pd.Timestamp("2014-04-01"), pd.Timestamp("2019-04-01"))
SHARE_MONTHS = (3, 6, 12, 24)


def run(rp: float, th: float, level: float, seed: int, vary: str = "monitoring_months"
        ) -> dict[str, float]:
    cfg = {"seed": seed, "scale": SCALE, "years": WINDOW.years, "warmup_years": 10,
           "start_year": WINDOW.start.year,
           "councils": {"mode": "listed", "listed": [
               {"name": "c", "practice": {"return_propensity": rp, "thoroughness": th,
                                          vary: level}}]}}
    x = simulated_extract(run_episodes(cfg), start_year=WINDOW.start.year, warmup_years=10,
                          seen_from=WINDOW.start)
    m = measure(x, WINDOW.start, WINDOW.fit_end, tables=False)
    cur = m.reentry_curve.set_index(["group", "month"])["share_reentered"]
    out = {f"reentry_{k}m": float(cur[("all", k)]) for k in SHARE_MONTHS}
    for k in ("returned_home_share", "returns_per_year", "reentries_per_year",
              "children_in_care_end", "entries_per_year"):
        out[k] = float(m.metrics[k])
    out["reentry_6m_of_24m"] = out["reentry_6m"] / max(out["reentry_24m"], 1e-9)
    n = sizes(x, WINDOW.start, WINDOW.fit_end)
    se = standard_errors({**m.metrics, **{f"reentry_{k}m": out[f"reentry_{k}m"]
                                            for k in SHARE_MONTHS}},
                          {**n})
    for k in SHARE_MONTHS:  # the extra shares: binomial over the returns, as reentry_12m
        p = min(max(out[f"reentry_{k}m"], 0.02), 0.98)
        se[f"reentry_{k}m"] = math.sqrt(p * (1 - p) / max(n["returns"], 1.0)) * \
            math.sqrt(design_effect())
    out.update({"se_" + k: v for k, v in se.items() if k in out})
    return out


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--vary", default="monitoring_months")
    ap.add_argument("--levels", nargs=3, type=float, default=list(LEVELS))
    args = ap.parse_args(argv)
    levels = [int(v) if v == int(v) and args.vary == "monitoring_months" else v
              for v in args.levels]
    lo, mid, hi = levels
    rows = []
    for name, (rp, th) in PRACTICES.items():
        for mon in levels:
            reps = [run(rp, th, mon, s, args.vary) for s in args.seeds]
            for k in reps[0]:
                if k.startswith("se_"):
                    continue
                vals = np.array([r[k] for r in reps])
                se_data = np.mean([r.get("se_" + k, np.nan) for r in reps])
                rows.append({"practice": name, "level": mon, "metric": k,
                             "mean": vals.mean(),
                             "se_runs_mean": vals.std(ddof=1) / math.sqrt(len(vals)),
                             "se_data": se_data})
    t = pd.DataFrame(rows)
    pd.set_option("display.width", 160)
    for name in PRACTICES:
        s = t[t["practice"] == name]
        wide = s.pivot_table(index="metric", columns="level", values="mean", sort=False)
        ref = s[s["level"] == mid].set_index("metric")
        wide[f"se_data({mid})"] = ref["se_data"]
        wide[f"se_runs({mid})"] = ref["se_runs_mean"]
        wide[f"z({lo} vs {mid})"] = (wide[lo] - wide[mid]) / ref["se_data"]
        wide[f"z({hi} vs {mid})"] = (wide[hi] - wide[mid]) / ref["se_data"]
        print(f"\nPractice {name}, scale {SCALE}, seeds {args.seeds}, fit years "
              f"{WINDOW.start.date()} to {WINDOW.fit_end.date()}: mean of the runs by "
              f"{args.vary}; z = difference / the data's standard error")
        print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    return t


if __name__ == "__main__":
    main()
