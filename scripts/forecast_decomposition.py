"""Where a council forecast's error comes from (issue 24): the five simulated councils'
children in care at 12, 24 and 36 months after an extract date, split by what each child
was at that date, in the full files (the truth) and in runs from data at the council's
**true** practice and size (so the fit plays no part).

    python scripts/simulated_councils.py five
    python scripts/forecast_decomposition.py five [DATE] [SEEDS] [--monitoring]
    python scripts/forecast_decomposition.py --own [EXTRACTS]

``--monitoring``: the runs from data also at the council's true months a case stays open
after a return (``fit.json``'s ``monitoring_months``: :data:`MONITORING`), which SSDA903
does not record; without it the typical council's 9.

``--own``: the model's own extracts instead (the typical practice, scale 0.012, seeds
101...), each cut at 1 April 2019 and forecast by 3 runs from data at the same practice
and size, against the extract's own continuation: the mean error and its standard error
at 12, 24 and 36 months (a run from data should forecast the model's own future).

Groups: ``in_care`` (in care at the date), ``at_home`` (at home after a return the cut of
the files at the date shows), ``unseen_at_home`` (at home after a return before the cut's
first year, in the full files only: the returns a run from data cannot see), ``new`` (no
period of care in the files before the date). The truth's ``new`` includes re-entries of
children whose earlier period ended before the files began. A diagnosis with the truth
known, not a forecast: a council does not know its true practice.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import PROFILES
from sim.model import RevolvingDoorModel
from sim.ssda903 import codes
from sim.ssda903.backtest import fit_json, cut, write_cut
from sim.ssda903.measure import periods_of_care
from sim.ssda903.read import read_extract
from sim.ssda903.seed import in_care_at

#: the councils of scripts/simulated_councils.py: return propensity, thoroughness, size
#: (the profiles' own values, so that a recalibrated typical council is followed: the
#: typical thoroughness is the spread's mean)
TRUE = {name: (PROFILES[profile].return_propensity, PROFILES[profile].thoroughness, share)
        for name, profile, share in (("Typical", "typical", 0.3),
                                     ("Quick", "quick_return", 0.25),
                                     ("Cautious", "cautious", 0.2),
                                     ("Supportive", "supportive", 0.15))}
TRUE["Small"] = (1.6, 0.3, 0.1)
#: the councils' true months a case stays open after a return (sim/config.py::PROFILES)
MONITORING = {"Typical": PROFILES["typical"].monitoring_months,
              "Quick": PROFILES["quick_return"].monitoring_months,
              "Cautious": PROFILES["cautious"].monitoring_months,
              "Supportive": PROFILES["supportive"].monitoring_months,
              "Small": PROFILES["typical"].monitoring_months}
SCALE = 0.04
HORIZONS = (12, 24, 36)


def status(per: pd.DataFrame, date: pd.Timestamp) -> pd.Series:
    """Each child's state at ``date``: in care, at home after a return, or left otherwise."""
    p = per[per["start"] < date]
    last = p.groupby("child").tail(1).set_index("child")
    open_ = last["end"].isna() | (last["end"] >= date)
    home = ~open_ & last["rec"].isin(codes.RETURN_HOME_REC)
    return pd.Series(np.where(open_, "in_care", np.where(home, "at_home", "left_other")),
                     index=last.index)


def truth(full_per: pd.DataFrame, seen: pd.Series, every: pd.Series, date: pd.Timestamp
          ) -> pd.DataFrame:
    rows = []
    for h in HORIZONS:
        t = date + pd.DateOffset(months=h)
        inc = full_per[(full_per["start"] < t) & (full_per["end"].isna() |
                                                   (full_per["end"] >= t))]["child"].unique()
        lab = [seen.get(c, "new" if c not in every.index else "unseen_" + every[c])
               for c in inc]
        rows.append(pd.Series(lab).value_counts().rename(h))
    return pd.DataFrame(rows).fillna(0).astype(int)


def model(x, la: str, date: pd.Timestamp, seeds: int, monitoring: bool = False
          ) -> pd.DataFrame:
    rp, th, share = TRUE[la]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_cut(x, Path(tmp) / "x")
        fj = fit_json(Path(tmp), "true", rp, th, SCALE * share, date,
                       in_care_at(x.episodes, date),
                       MONITORING[la] if monitoring else None)
        for seed in range(1, seeds + 1):
            m = RevolvingDoorModel({"seed": seed, "years": 3, "councils": {
                "mode": "from_data", "path": str(folder), "fit": str(fj)}})
            try:
                m.run()
                ep = m.records.episodes_frame()
            finally:
                m.release()
            first = ep.groupby("child")["start"].min()
            seeded = set(first[first <= 0].index)
            e0 = ep[ep["child"].isin(seeded) & (ep["start"] <= 0)]
            home = set(e0[e0["end"].notna() & (e0["end"] <= 0)]["child"])
            for h in HORIZONS:
                inc = ep[(ep["start"] < h) & (ep["end"].isna() | (ep["end"] >= h))]["child"]
                lab = ["new" if c not in seeded else "at_home" if c in home else "in_care"
                       for c in inc.unique()]
                out.append(pd.Series(lab).value_counts().rename((seed, h)))
    df = pd.DataFrame(out).fillna(0)
    df.index = pd.MultiIndex.from_tuples(df.index, names=["seed", "horizon"])
    return df.groupby(level="horizon").mean()


def main(folder: str, date: str = "2019-04-01", seeds: int = 4, monitoring: bool = False
         ) -> None:
    d = pd.Timestamp(date)
    full = read_extract(sorted(Path(folder).glob("regional_*_20*.csv")))
    print(f"Children in care after {d.date()}, by what they were then: the files (truth) "
          f"and runs from data at the true practice and size (mean of {seeds} seeds)"
          + ("; months a case stays open: the true ones" if monitoring else ""))
    for la in TRUE:
        x = cut(full, d, 5, la)
        per = periods_of_care(full.episodes[full.episodes["la"] == la])
        seen, every = status(periods_of_care(x.episodes), d), status(per, d)
        t = truth(per, seen, every, d)
        m = model(x, la, d, seeds, monitoring)
        both = pd.concat({"truth": t, "model": m.round(1)}, axis=1).fillna(0)
        print(f"\n{la}: in care {int((seen == 'in_care').sum())}, at home after a return "
              f"{int((seen == 'at_home').sum())} seen in the cut, "
              f"{int((every == 'at_home').sum())} in the full files")
        print(both.to_string())


def main_own(extracts: int = 6) -> None:
    from sim.ssda903 import fit as F
    from sim.ssda903.backtest import run_from_data

    rp, th, sc = 1.0, 0.43, 0.012
    d = pd.Timestamp("2019-04-01")
    w = F.Window(pd.Timestamp("2014-04-01"), pd.Timestamp("2022-04-01"))
    err = []
    for s in range(1, extracts + 1):
        sx = F.simulate((rp, th), sc, 100 + s, w, 10, None)
        sx.header = sx.episodes.groupby("child", as_index=False)["dob"].first().assign(
            la="", sex="1")
        x = cut(sx, d, 5, "")
        truth = [in_care_at(sx.episodes, d + pd.DateOffset(months=h)) for h in HORIZONS]
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_cut(x, Path(tmp) / "x")
            fj = fit_json(Path(tmp), "f", rp, th, sc, d, in_care_at(x.episodes, d))
            fc = np.mean([run_from_data(folder, fj, 7 + k, list(HORIZONS))[:, 0]
                          for k in range(3)], axis=0)
        err.append(fc - np.array(truth))
        print(f"extract {s}: in care {in_care_at(x.episodes, d)}, truth {truth}, "
              f"forecast {fc.round(1).tolist()}", flush=True)
    e = np.array(err)
    print(f"mean error at {HORIZONS} months: {e.mean(axis=0).round(1).tolist()}, standard "
          f"error {(e.std(axis=0, ddof=1) / np.sqrt(len(e))).round(1).tolist()}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--own":
        main_own(*(int(a) for a in sys.argv[2:3]))
        sys.exit(0)
    flag = "--monitoring" in sys.argv
    argv = [a for a in sys.argv if a != "--monitoring"]
    if len(argv) < 2:
        sys.exit("usage: python scripts/forecast_decomposition.py FIVE_DIR [DATE] [SEEDS] "
                 "[--monitoring]")
    main(argv[1], *(argv[2:3]), *(int(a) for a in argv[3:4]), monitoring=flag)
