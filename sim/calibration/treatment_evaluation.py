"""Treatment as the evaluations measured it (issue 21): the model's families who go home to
a parent's substance misuse, treated against not treated, on the evaluations' measures.

The effect the model reproduces
-------------------------------
**Cessation of misuse** in the London Family Drug and Alcohol Court evaluation (Harwin et
al. 2014, B; docs/evidence.md#treatment-as-evaluated): 40% of FDAC mothers against 25% of
comparison mothers had stopped misusing substances by the end of care proceedings (about
a year), a ratio of 1.6; the five-year follow-up of the same courts (Harwin et al. 2016)
gives 46% against 30% (1.53). No interval is published, so the model must come within 25%
of the point estimate: a ratio from 1.2 to 2.0. Chosen because it is what treatment acts
on directly, it was measured on every parent (not only the reunified), both reports agree,
and it does not contradict the meta-analysis of family drug treatment courts (Zhang et al.
2019: more reunification, no demonstrated effect on re-entry or re-abuse).

The model's measure: families going home in the measured period with a parent's substance
misuse unresolved, whose return has 12 months of follow-up; *ceased* = not misusing at the
end of the month 12 months after the return (wherever the children are by then), treated
(treatment started with the return, the status quo's share of families) against not
treated. Treatment is drawn at random within each council (``u_treatment``), so the
comparison is a fair one, as the evaluation's matched comparison group aimed to be.

What the model predicts for the other measures (reported, not fitted)
---------------------------------------------------------------------
* **Sustained cessation**: among parents who had stopped by 12 months, the share not
  misusing at any month end over the next 60 months (Harwin et al. 2016: 58% against
  24%, for mothers who had stopped by the end of proceedings).
* **Neglect or abuse within a year of the return** (Harwin et al. 2014: 25% against 56%
  among reunified families; small samples).
* **Re-entry within a year of the return** (Zhang et al. 2019: no demonstrated effect).

``python -m sim.calibration.treatment_evaluation --scale 0.25 --seeds 301 302`` prints the
table (markdown) and writes it with ``--out``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.agents.family import SUBSTANCE, Location
from sim.model import RevolvingDoorModel
from sim.records import END_REENTERED

#: Harwin et al. 2014 (FDAC evaluation, B): mothers who had stopped misusing by the end of
#: proceedings, FDAC against comparison.
FDAC_CESSATION = (0.40, 0.25)
#: Harwin et al. 2016 (After FDAC: outcomes 5 years later, B): the same, for the 5-year cohort.
FDAC_CESSATION_2016 = (0.46, 0.30)
#: Harwin et al. 2016: of mothers who had stopped, cessation maintained over five years.
FDAC_SUSTAINED = (0.58, 0.24)
#: Harwin et al. 2014: neglect or abuse within a year of reunification.
FDAC_HARM_12M = (0.25, 0.56)
#: The ratio the model must reproduce, and the band it must fall in (within 25% of the
#: point estimate; no interval is published).
TARGET_RATIO = FDAC_CESSATION[0] / FDAC_CESSATION[1]
RATIO_BAND = (0.75 * TARGET_RATIO, 1.25 * TARGET_RATIO)
WINDOW = 12
SUSTAIN = 60


def _run_with_snapshots(overrides: dict[str, Any]
                        ) -> tuple[RevolvingDoorModel, list[np.ndarray], list[np.ndarray]]:
    """Run month by month (the same run as :meth:`RevolvingDoorModel.run`), keeping every
    family's substance misuse, and whether it has left the model (its children grown up or
    gone another way: its state no longer moves), at each month end."""
    model = RevolvingDoorModel(overrides)
    snaps: list[np.ndarray] = []
    gone: list[np.ndarray] = []
    while model.month < model.config.total_months:
        model.step()
        F = model.families
        snaps.append(F.unresolved[:F.n, SUBSTANCE].copy())
        gone.append(F.location[:F.n] == int(Location.GONE))
    model.finish()
    return model, snaps, gone


def cessation_frame(overrides: dict[str, Any]) -> pd.DataFrame:
    """One row a family's return to substance misuse in the measured period with
    :data:`WINDOW` months of follow-up: ``treated``, ``ceased_12m`` (NaN if the family has
    left the model by then), ``sustained`` (NaN unless ceased and still in the model
    :data:`SUSTAIN` months more), ``maltreated_12m``, ``reentered_12m``."""
    model, snaps, gone = _run_with_snapshots(overrides)
    try:
        cfg = model.config
        start, end = float(cfg.measure_start), float(cfg.total_months)
        ret = model.records.returns_frame()
        ret = ret[ret["substance"] & (ret["time"] >= start) & (ret["time"] <= end - WINDOW)]
        fam = ret.drop_duplicates(["family", "time"])
        F = model.families
        row_of = pd.Series(np.arange(F.n), index=F.uid[:F.n])
        rows = row_of.reindex(fam["family"].to_numpy()).to_numpy()
        t = fam["time"].to_numpy(dtype=float)
        m12 = np.floor(t + WINDOW).astype(int)  # the month whose end is the check

        def misusing(month: np.ndarray, r: np.ndarray) -> np.ndarray:
            out = np.ones(len(r), dtype=bool)
            for k, (mm, rr) in enumerate(zip(month, r)):
                snap = snaps[mm]
                out[k] = bool(snap[rr]) if rr < len(snap) else True
            return out

        def left(month: np.ndarray, r: np.ndarray) -> np.ndarray:
            return np.array([bool(gone[mm][rr]) if rr < len(gone[mm]) else False
                             for mm, rr in zip(month, r)], dtype=bool)

        # a family that has left the model by the check is not followed (censored)
        followed = ~left(m12, rows)
        ceased = ~misusing(m12, rows)
        sustained = np.full(len(fam), np.nan)
        end_m = np.minimum(m12 + SUSTAIN, len(snaps) - 1)
        follow = followed & ceased & (m12 + SUSTAIN < len(snaps)) & ~left(end_m, rows)
        for k in np.nonzero(follow)[0]:
            r = rows[k]
            sustained[k] = float(not any(bool(snaps[mm][r]) for mm in
                                         range(m12[k], m12[k] + SUSTAIN + 1)))
        first_m = fam["first_maltreatment"].to_numpy(dtype=float)
        re = ((fam["end_kind"] == END_REENTERED).to_numpy()
              & (fam["end_time"].to_numpy(dtype=float) <= t + WINDOW))
        return pd.DataFrame({"treated": fam["treated"].to_numpy(dtype=bool),
                             "ceased_12m": np.where(followed, ceased.astype(float), np.nan),
                             "sustained": sustained,
                             "maltreated_12m": np.nan_to_num(first_m - t, nan=np.inf) <= WINDOW,
                             "reentered_12m": re})
    finally:
        model.release()


def evaluation_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The evaluations' measures: the model's treated and comparison shares beside the
    published ones, with the ratio (treated over comparison)."""
    rows = []
    specs = (("ceased_12m", "misuse ceased 12 months after the return (reproduced)",
              "Harwin et al. 2014 (FDAC): 40% v 25% at the end of proceedings", FDAC_CESSATION),
             ("ceased_12m", "the same, against the 5-year cohort",
              "Harwin et al. 2016: 46% v 30%", FDAC_CESSATION_2016),
             ("sustained", "of those ceased, not misusing at any month end for 60 months more",
              "Harwin et al. 2016: 58% v 24%", FDAC_SUSTAINED),
             ("maltreated_12m", "maltreated at home within 12 months of the return",
              "Harwin et al. 2014: neglect or abuse 25% v 56% in the first year", FDAC_HARM_12M),
             ("reentered_12m", "re-entered care within 12 months of the return",
              "Zhang et al. 2019: no demonstrated effect on re-entry", (math.nan, math.nan)))
    for col, label, source, (pub_t, pub_c) in specs:
        tr = frame.loc[frame["treated"], col].dropna()
        co = frame.loc[~frame["treated"], col].dropna()
        mt, mc = float(tr.mean()), float(co.mean())
        rows.append({"measure": col, "label": label, "model_treated": mt,
                     "model_comparison": mc, "model_ratio": mt / mc if mc else math.nan,
                     "n_treated": int(len(tr)), "n_comparison": int(len(co)),
                     "published_treated": pub_t, "published_comparison": pub_c,
                     "published_ratio": pub_t / pub_c if pub_c == pub_c else math.nan,
                     "source": source})
    return pd.DataFrame(rows)


def to_markdown(table: pd.DataFrame) -> str:
    def f(x: float) -> str:
        return "" if x != x else f"{x:.3f}"

    lines = ["| measure | model treated | model comparison | model ratio | n treated / comparison "
             "| published | published ratio |", "|---|---|---|---|---|---|---|"]
    for _, r in table.iterrows():
        pub = (r["source"] if r["published_treated"] != r["published_treated"]
               else f"{r['published_treated']:.2f} v {r['published_comparison']:.2f} ({r['source']})")
        lines.append(f"| {r['label']} | {f(r['model_treated'])} | {f(r['model_comparison'])} | "
                     f"{f(r['model_ratio'])} | {r['n_treated']} / {r['n_comparison']} | {pub} | "
                     f"{f(r['published_ratio'])} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim.calibration.treatment_evaluation",
        description="The model's treated and untreated families on the FDAC evaluation's "
                    "measures (issue 21).")
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--seeds", type=int, nargs="+", default=[301, 302])
    ap.add_argument("--out", type=Path, default=None, help="write the table here (markdown)")
    args = ap.parse_args(argv)
    if not 0.0 < args.scale <= 1.0:
        print(f"error: --scale must be in (0, 1], got {args.scale}", file=sys.stderr)
        return 2
    frames = [cessation_frame({"scale": args.scale, "seed": s}) for s in args.seeds]
    table = evaluation_table(pd.concat(frames, ignore_index=True))
    text = (f"Command: `python -m sim.calibration.treatment_evaluation --scale {args.scale} "
            f"--seeds {' '.join(map(str, args.seeds))}`. Reproduced: the ratio of the first row, "
            f"{TARGET_RATIO:.2f} (band {RATIO_BAND[0]:.2f} to {RATIO_BAND[1]:.2f}).\n\n"
            + to_markdown(table))
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
