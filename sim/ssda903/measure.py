"""Periods of care, returns home and re-entries measured from SSDA903 episodes, by the
definitions of a simulated run (:mod:`sim.metrics`), with the same names and files.

Definitions (the model's in brackets where they differ in wording only):

* A **period of care** is a run of a child's episodes, each starting the day the previous
  one ended with ``REC = X1`` (or with no ``REC``). Any other ending ends the period; the
  next episode starts a new one. (A family's episode of care.)
* A **return home** is a period ending with ``REC`` in :data:`~sim.ssda903.codes.
  RETURN_HOME_REC` (``E4A``, ``E4B``). (``ExitKind.RETURNED_HOME``.) Placed with parents
  (``PLACE = P1``) is still in care.
* A **re-entry** is the start of the child's next period of care after a return home.
* **Re-entry shares** (``reentry_12m``, ``reentry_24m``, ``breakdown_24m_abuse_neglect``,
  ``reentry_curve.csv``) are Kaplan-Meier estimates over every return home in the measured
  period: time from the return to the next period, censored at the end of the measured
  period (the extract date) or the child's 18th birthday, whichever comes first.
* The **group** of a return (``abuse_neglect``, ``other``) is the category of need of the
  child's first period of care in the extract (:data:`~sim.ssda903.codes.CIN_GROUP`); the
  model's ``neglect`` group has no SSDA903 code (N1 is abuse or neglect), so its curve is
  empty and the metrics on it are not measured.
* **Time** is counted in calendar months: a date is its month plus the fraction of the month
  gone (day 1 = 0). A simulated run written as SSDA903 (:mod:`sim.ssda903.write`) maps its
  months to dates the same way, so a run's metrics come back exactly up to the day.
* **Volumes** are per year of the measured period: ``entries_per_year`` counts first periods
  of care (a child's first in the extract), ``reentries_per_year`` periods that follow a
  return home; later periods after other endings are counted apart
  (``other_later_periods_per_year``, data only).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import CURVE_GROUPS, CURVE_MONTHS, kaplan_meier
from sim.ssda903 import codes
from sim.ssda903.read import Extract

#: The run metrics that SSDA903 measures (the others need what SSDA903 does not record:
#: maltreatment, parental problems, support, treatment, costs, or the neglect group).
MEASURED_METRICS = ("returned_home_share", "reentry_12m", "reentry_24m",
                    "breakdown_24m_abuse_neglect", "entries_per_year", "reentries_per_year",
                    "returns_per_year", "children_in_care_end", "returns_measured")
AGE_BANDS = ((0, 1, "under 1"), (1, 5, "1 to 4"), (5, 10, "5 to 9"), (10, 16, "10 to 15"),
             (16, 99, "16 and over"))


@dataclass
class Measures:
    """Everything ``revolving-door-data describe`` writes (all aggregate)."""

    metrics: dict[str, Any]
    reentry_curve: pd.DataFrame
    councils: pd.DataFrame
    entries_by_year: pd.DataFrame
    stock_31march: pd.DataFrame
    time_in_care: pd.DataFrame
    returns_per_child: pd.DataFrame

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        kw: dict[str, Any] = {"index": False, "float_format": "%.10g"}
        self.reentry_curve.to_csv(folder / "reentry_curve.csv", **kw)
        self.councils.to_csv(folder / "councils.csv", **kw)
        self.entries_by_year.to_csv(folder / "entries_by_year.csv", **kw)
        self.stock_31march.to_csv(folder / "stock_31march.csv", **kw)
        self.time_in_care.to_csv(folder / "time_in_care.csv", **kw)
        self.returns_per_child.to_csv(folder / "returns_per_child.csv", **kw)
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else v)
                 for k, v in self.metrics.items()}
        (folder / "metrics.json").write_text(json.dumps(clean, indent=2, sort_keys=True) + "\n")


def months(dates: pd.Series | pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    """Calendar months from ``origin``: whole months plus the fraction of the month gone."""
    d = pd.DatetimeIndex(dates)
    whole = (d.year - origin.year) * 12 + (d.month - origin.month)
    frac = (d.day - 1) / d.days_in_month - (origin.day - 1) / origin.days_in_month
    return np.asarray(whole + frac, dtype=float)


def default_period(ep: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The measured period when none is given: from the 1 April on or before the first end
    of an episode (annual extracts show endings only from their first year) to the 1 April
    after the last date in the extract (its 31 March is the extract date)."""
    dates = pd.concat([ep["DECOM"], ep["DEC"]]).dropna()
    last = dates.max()
    first = ep["DEC"].dropna().min() if ep["DEC"].notna().any() else ep["DECOM"].min()
    start = pd.Timestamp(first.year if first.month >= 4 else first.year - 1, 4, 1)
    end = pd.Timestamp(last.year + 1 if last.month >= 4 else last.year, 4, 1)
    return start, end


def periods_of_care(ep: pd.DataFrame) -> pd.DataFrame:
    """One row a period of care: ``la, child, start, end, rec, cin, ls, dob, nth`` (``end``
    NaT while open; ``nth`` the child's period number in the extract)."""
    ep = ep.sort_values(["child", "DECOM"], kind="stable")
    child = ep["child"].to_numpy()
    dec = ep["DEC"].to_numpy()
    rec = ep["REC"].to_numpy()
    start = ep["DECOM"].to_numpy()
    same = np.zeros(len(ep), dtype=bool)
    same[1:] = child[1:] == child[:-1]
    prev_dec, prev_rec = np.empty_like(dec), np.empty_like(rec)
    if len(ep):
        prev_dec[1:], prev_rec[1:] = dec[:-1], rec[:-1]
        prev_dec[0], prev_rec[0] = np.datetime64("NaT"), None
    prev_goes_on = pd.isna(prev_rec) | (prev_rec == codes.SAME_PERIOD_REC)
    continues = same & (start == prev_dec) & prev_goes_on
    pid = np.cumsum(~continues) - 1
    g = ep.assign(pid=pid).groupby("pid", sort=True)
    first = g.head(1).set_index("pid")
    last = g.tail(1).set_index("pid")
    per = pd.DataFrame({"la": first["la"], "child": first["child"], "start": first["DECOM"],
                        "end": last["DEC"], "rec": last["REC"], "cin": first["CIN"],
                        "ls": first["LS"], "dob": first["dob"],
                        "rne": first["RNE"]}).reset_index(drop=True)
    per["nth"] = per.groupby("child").cumcount() + 1
    return per


def _age_years(at: pd.Series, dob: pd.Series) -> np.ndarray:
    return (pd.DatetimeIndex(at) - pd.DatetimeIndex(dob)).days.to_numpy(dtype=float) / 365.25


def returns_table(per: pd.DataFrame, t0: pd.Timestamp, t1: pd.Timestamp) -> pd.DataFrame:
    """Returns home in ``[t0, t1)`` with their follow-up: ``la, child, time, group, duration,
    event`` (months; event = re-entered before the child's 18th birthday and ``t1``)."""
    per = per.copy()
    per["next_start"] = per.groupby("child")["start"].shift(-1)
    first_cin = per.groupby("child")["cin"].transform("first")
    per["group"] = first_cin.map(codes.CIN_GROUP).fillna("unknown")
    ret = per[per["rec"].isin(codes.RETURN_HOME_REC) & (per["end"] >= t0)
              & (per["end"] < t1)].reset_index(drop=True)
    age18 = pd.DatetimeIndex(ret["dob"]) + pd.DateOffset(years=18)
    stop = pd.Series(age18, index=ret.index).where(pd.notna(age18), t1)
    stop = stop.where(stop < t1, t1)
    event = ret["next_start"].notna() & (ret["next_start"] < stop)
    until = ret["next_start"].where(event, stop)
    ret["time"] = months(ret["end"], t0)
    ret["duration"] = months(until, t0) - ret["time"]
    ret["event"] = event.to_numpy()
    return ret


def curve(ret: pd.DataFrame) -> pd.DataFrame:
    """``group, month, share_reentered`` for months 1..72, as ``reentry_curve.csv``."""
    at = np.arange(1, CURVE_MONTHS + 1, dtype=float)
    rows = []
    for group in CURVE_GROUPS:
        if group == "all":
            sub = ret
        elif group in ("abuse_neglect", "other"):
            sub = ret[ret["group"] == group]
        else:  # not identifiable from SSDA903
            sub = ret.iloc[:0]
        shares = kaplan_meier(sub["duration"].to_numpy(), sub["event"].to_numpy(), at)
        rows.append(pd.DataFrame({"group": group, "month": at.astype(int),
                                  "share_reentered": shares}))
    return pd.concat(rows, ignore_index=True)


def measure(extract: Extract, start: pd.Timestamp | None = None,
            end: pd.Timestamp | None = None, tables: bool = True) -> Measures:
    """All measures of an extract over the measured period ``[start, end)`` (defaults:
    :func:`default_period`). ``tables=False``: the metrics and the re-entry curve only,
    the other tables empty (a fit measures each simulated run twice, and the tables were
    half of a fit's time)."""
    ep = extract.episodes
    if len(ep) == 0:
        raise ValueError("no usable episodes left after the data-quality checks: see the "
                         "data-quality report")
    d0, d1 = default_period(ep)
    t0 = pd.Timestamp(start) if start is not None else d0
    t1 = pd.Timestamp(end) if end is not None else d1
    if not t0 < t1:
        raise ValueError(f"measured period: start {t0.date()} is not before end {t1.date()}")
    per = periods_of_care(ep)
    years = (months(pd.Series([t1]), t0)[0]) / 12.0
    ret = returns_table(per, t0, t1)
    cur = curve(ret)
    at = cur.set_index(["group", "month"])["share_reentered"]
    ended = per[per["end"].notna() & (per["end"] >= t0) & (per["end"] < t1)]
    prev_rec = per.groupby("child")["rec"].shift(1)
    started = (per["start"] >= t0) & (per["start"] < t1)
    after_return = prev_rec.isin(codes.RETURN_HOME_REC)
    in_care_end = (per["start"] < t1) & (per["end"].isna() | (per["end"] >= t1))
    m: dict[str, Any] = {
        "returned_home_share": (float(ended["rec"].isin(codes.RETURN_HOME_REC).mean())
                                if len(ended) else float("nan")),
        "reentry_12m": float(at[("all", 12)]), "reentry_24m": float(at[("all", 24)]),
        "breakdown_24m_abuse_neglect": float(at[("abuse_neglect", 24)]),
        "entries_per_year": float((started & (per["nth"] == 1)).sum() / years),
        "reentries_per_year": float((started & after_return).sum() / years),
        "returns_per_year": float(len(ret) / years),
        "children_in_care_end": float(in_care_end.sum()),
        "returns_measured": int(len(ret)),
        # data only
        "other_later_periods_per_year": float((started & (per["nth"] > 1) & ~after_return
                                               ).sum() / years),
        "periods_of_care": int(len(per)), "children": int(per["child"].nunique()),
        "measured_from": str(t0.date()), "measured_to": str(t1.date()),
        "years_measured": float(years),
    }
    if not tables:
        empty = pd.DataFrame()
        return Measures(metrics=m, reentry_curve=cur, councils=empty, entries_by_year=empty,
                        stock_31march=empty, time_in_care=empty, returns_per_child=empty)
    return Measures(metrics=m, reentry_curve=cur,
                    councils=_councils(per, ret, ended),
                    entries_by_year=_entries_by_year(per, t0, t1, after_return),
                    stock_31march=_stock(per, t0, t1),
                    time_in_care=_time_in_care(per, ended, in_care_end, t0, t1),
                    returns_per_child=_returns_per_child(per, ret, t0, t1))


def _councils(per: pd.DataFrame, ret: pd.DataFrame, ended: pd.DataFrame) -> pd.DataFrame:
    """The columns of a run's ``councils.csv`` that SSDA903 measures, one row a council."""
    rows = []
    for la in sorted(per["la"].unique()):
        r = ret[ret["la"] == la]
        ex = ended[ended["la"] == la]
        b24, r12 = (kaplan_meier(r["duration"].to_numpy(), r["event"].to_numpy(),
                                 np.array([24.0, 12.0])) if len(r) else (np.nan, np.nan))
        rows.append({"council": la or "(no LA column)", "children_returned": int(len(r)),
                     "episodes_ended": int(len(ex)),
                     "return_home_share": (float(ex["rec"].isin(codes.RETURN_HOME_REC).mean())
                                           if len(ex) else np.nan),
                     "breakdown_24m": float(b24), "reentry_12m": float(r12)})
    return pd.DataFrame(rows)


def _year_ending(dates: pd.Series) -> np.ndarray:
    """The collection year (year ending 31 March) of each date."""
    d = pd.DatetimeIndex(dates)
    return np.where(d.month >= 4, d.year + 1, d.year)


def _age_band(age: np.ndarray) -> np.ndarray:
    out = np.full(len(age), "unknown", dtype=object)
    for lo, hi, name in AGE_BANDS:
        out[(age >= lo) & (age < hi)] = name
    return out


def _entries_by_year(per: pd.DataFrame, t0: pd.Timestamp, t1: pd.Timestamp,
                     after_return: pd.Series) -> pd.DataFrame:
    s = per[(per["start"] >= t0) & (per["start"] < t1)]
    s = s.assign(year_ending_31_march=_year_ending(s["start"]),
                 age_band=_age_band(_age_years(s["start"], s["dob"])),
                 cin=s["cin"].where(s["cin"].isin(list(codes.CIN)), "unknown"),
                 legal_status=s["ls"].where(s["ls"].isin(list(codes.LS)), "unknown"),
                 first=s["nth"] == 1, after_return=after_return.loc[s.index])
    out = []
    for by in ("age_band", "cin", "legal_status"):
        g = s.groupby(["year_ending_31_march", "la", by], sort=True)
        t = g.agg(periods_started=("child", "size"), first_periods=("first", "sum"),
                  after_return_home=("after_return", "sum")).reset_index()
        out.append(t.rename(columns={by: "value"}).assign(breakdown=by))
    cols = ["year_ending_31_march", "la", "breakdown", "value", "periods_started",
            "first_periods", "after_return_home"]
    return pd.concat(out, ignore_index=True)[cols]


def _stock(per: pd.DataFrame, t0: pd.Timestamp, t1: pd.Timestamp) -> pd.DataFrame:
    """Children in care at each 31 March within the measured period."""
    rows = []
    for y in range(t0.year, t1.year + 1):
        day = pd.Timestamp(y, 3, 31)
        if not (t0 <= day < t1):
            continue
        open_ = (per["start"] <= day) & (per["end"].isna() | (per["end"] > day))
        for la, n in per[open_].groupby("la").size().items():
            rows.append({"date": str(day.date()), "la": la, "children_in_care": int(n)})
    return pd.DataFrame(rows, columns=["date", "la", "children_in_care"])


def _describe(months_: np.ndarray, label: str) -> dict[str, Any]:
    if len(months_) == 0:
        return {"periods": label, "n": 0, "mean_months": np.nan,
                "p25_months": np.nan, "median_months": np.nan, "p75_months": np.nan}
    q = np.percentile(months_, [25, 50, 75])
    return {"periods": label, "n": int(len(months_)), "mean_months": float(months_.mean()),
            "p25_months": float(q[0]), "median_months": float(q[1]),
            "p75_months": float(q[2])}


def _time_in_care(per: pd.DataFrame, ended: pd.DataFrame, in_care_end: pd.Series,
                  t0: pd.Timestamp, t1: pd.Timestamp) -> pd.DataFrame:
    """Length of periods of care that ended in the measured period (by how they ended), and
    time so far of those still open at its end."""
    dur = months(ended["end"], t0) - months(ended["start"], t0)
    home = ended["rec"].isin(codes.RETURN_HOME_REC).to_numpy()
    open_ = per[in_care_end]
    so_far = months(pd.Series([t1] * len(open_)), t0) - months(open_["start"], t0)
    return pd.DataFrame([_describe(dur, "ended: all"), _describe(dur[home], "ended: returned home"),
                         _describe(dur[~home], "ended: other"),
                         _describe(so_far, "still in care at the end (so far)")])


def _returns_per_child(per: pd.DataFrame, ret: pd.DataFrame, t0: pd.Timestamp,
                       t1: pd.Timestamp) -> pd.DataFrame:
    """Children looked after at some time in the measured period, by returns home in it."""
    during = per[(per["start"] < t1) & (per["end"].isna() | (per["end"] >= t0))]
    kids = pd.Index(during["child"].unique())
    n = ret.groupby("child").size().reindex(kids, fill_value=0)
    band = np.minimum(n.to_numpy(), 3)
    labels = np.array(["0", "1", "2", "3 or more"])
    counts = pd.Series(labels[band]).value_counts().reindex(labels, fill_value=0)
    return pd.DataFrame({"returns_home": labels, "children": counts.to_numpy()})
