"""A council's SSDA903 extract as the start of a run (``councils=from_data``).

:func:`council_data` reads the council's files (:func:`~sim.ssda903.read.read_extract`,
with its data-quality report) and, optionally, the fit written by ``revolving-door-data
fit``, and finds:

* **the extract date**: the 1 April after the last date in the files (the day after the
  last collection year's 31 March; the default end of ``revolving-door-data describe``).
  The run starts there: model month 0 is the extract date, with no warm-up.
* **the children in care at the extract date**: every period of care begun before it and
  not ended by it, with the child's age, the start of the current period, the legal status
  and placement of its latest episode, the category of need of the child's first period
  (the entry reason, as :mod:`sim.ssda903.measure` groups it), and the history the files
  show (periods of care and returns home before).
* **the children at home after a return**: every child whose latest period of care ended
  in a return home (``E4A``, ``E4B``) before the extract date, still under 18 then: the
  children the model is about, who may come back. The files reach as far back as they go;
  a return before the first file is not seen.
* **families**: SSDA903 has no family identifier. Children whose whole history agrees (the
  same start, end and reason for ending of every period of care, the same entry-reason
  group and legal basis) and whose history holds at least one ended period (two dates at
  least) are taken as one sibling group: unrelated children rarely start care and go home
  on the same two days. A child whose only date is the start of the open period stays a
  family of one: a large council sees several unrelated children start care on the same
  day. This matters because siblings move together in the model and support is counted by
  family.
* **entry numbers**: the fitted council's size (``scale`` of ``fit.json``), or, without a
  fit, the periods of care begun a year in the three years before the extract date other
  than after a return home (first periods and later ones after other endings), divided by
  England's (``params.entry.children_per_year``).

:func:`initial_table` turns these into the model's initial stock
(:mod:`sim.initial_stock`), drawing what SSDA903 does not record from the run's seeded
``from_data`` stream (see its docstring). Nothing here keeps an identifier: children are
the reader's numbers, ages are months, dates are months before the extract date.
"""

from __future__ import annotations

import dataclasses
import functools
import glob
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.agents.child import EntryReason
from sim.initial_stock import AGE_OUT, COLUMNS, bits
from sim.rng import Streams
from sim.ssda903 import codes
from sim.metrics import kaplan_meier
from sim.ssda903.measure import (default_period, measure, months, periods_of_care,
                                 returns_table)
from sim.ssda903.quality import QualityReport
from sim.ssda903.read import Extract, Ssda903Error, read_extract

#: Years before the extract date over which entries a year are measured (without a fit).
ENTRY_YEARS = 3
#: Keys of ``fit.json`` that a run from data reads.
FIT_KEYS = ("return_propensity", "thoroughness", "scale", "council", "extract_date",
            "children_in_care_at_extract_date")
#: Optional key of ``fit.json``: the months a case stays open after a return home
#: (``CouncilPractice.monitoring_months``). SSDA903 does not record it and cannot tell it
#: (``scripts/monitoring_identifiability.py``), so ``fit`` does not write it; a backtest's
#: forecast draws write one drawn from England's spread, and a council that knows its own
#: practice may add it. Without it, the typical council's.
MONITORING = "monitoring_months"
#: the whole months allowed (``CouncilPractice.monitoring_months``'s valid range)
MONITORING_RANGE = (0, 120)
_PATH_ALLOWED = ("allowed: a folder holding SSDA903 episodes and header CSV files, one "
                 "such file, or a glob pattern of them")


class DataError(ValueError):
    """The council's data or fit cannot start a run; the message names the config field
    (``councils.path``, ``councils.fit``, ``councils.council``) and what is allowed."""


@dataclass(frozen=True)
class CouncilData:
    """What a run from data needs from the council's files (no identifier)."""

    name: str
    la: str
    extract_date: pd.Timestamp
    #: one row a child to start with (see :func:`children_at`)
    children: pd.DataFrame = field(repr=False)
    #: periods of care begun a year before the extract date, other than re-entries
    starts_per_year: float
    #: the fit's practice and scale, when ``councils.fit`` is given
    fit: dict[str, Any] | None
    #: what was counted and left out (aggregate), and the data-quality summary
    counts: dict[str, int]
    quality: str = field(repr=False)
    #: the episode rows the data-quality checks left out, and why (:func:`rows_left_out`)
    left_out: dict[str, Any] = field(default_factory=dict)
    #: the share of the files' returns home not yet followed by a new period of care,
    #: ``m`` whole months after the return (``m = 0, 1, ...``: Kaplan-Meier,
    #: :func:`reentry_survival`); ``None``: frailty drawn without the families' histories
    reentry_survival: np.ndarray | None = field(default=None, repr=False)

    def scale(self, children_per_year: float) -> float:
        """The run's scale: the fit's, or the measured entries relative to England's."""
        if self.fit is not None:
            return float(self.fit["scale"])
        return self.starts_per_year / children_per_year

    def practice(self) -> dict[str, Any]:
        """The council's practice that the data set: the fit's (and its
        ``monitoring_months`` when ``fit.json`` has it), or none (typical)."""
        if self.fit is None:
            return {}
        out: dict[str, Any] = {"return_propensity": float(self.fit["return_propensity"]),
                               "thoroughness": float(self.fit["thoroughness"])}
        if MONITORING in self.fit:
            out[MONITORING] = int(self.fit[MONITORING])
        return out

    def summary(self, max_left_out: float | None = None) -> dict[str, Any]:
        """Aggregate facts for ``run.json`` and the command's summary (``max_left_out``:
        the share of rows the run allowed to be left out, recorded beside the share)."""
        left_out = dict(self.left_out)
        if max_left_out is not None:
            left_out["allowed_share"] = max_left_out
        return {"council": self.name, "extract_date": str(self.extract_date.date()),
                **self.counts, "entries_from": "fit" if self.fit else
                f"measured ({ENTRY_YEARS} years before the extract date)",
                "practice_from": "fit" if self.fit else "typical council (no fit given)",
                "rows_left_out": left_out}


# ------------------------------------------------------------------ rows left out
def rows_left_out(report: QualityReport) -> dict[str, Any]:
    """The episode rows the data-quality checks left out, of those read, and why: the
    rows of each problem whose action leaves the episode out (``"DECOM: unparseable
    date"``; a row with two such problems is in both)."""
    read = int(report.counts.get("episode rows read", 0))
    out = int(report.counts.get("episode rows left out (see problems)", 0))
    why: dict[str, int] = {}
    for issue in report.issues:
        if issue.action.startswith(("episode left out", "episode row left out")):
            key = f"{issue.column}: {issue.problem}"
            why[key] = why.get(key, 0) + issue.rows
    return {"episode_rows_read": read, "episode_rows_left_out": out,
            "share": out / read if read else 0.0, "why": why}


def left_out_line(info: dict[str, Any]) -> str:
    """One line for the command's summary: how many episode rows were left out, and why."""
    why = "; ".join(f"{k} {n:,d}" for k, n in info.get("why", {}).items())
    return (f"Data-quality checks: {info['episode_rows_left_out']:,d} of "
            f"{info['episode_rows_read']:,d} episode rows left out ({info['share']:.1%})"
            + (f": {why}" if why else "")
            + (f" (allowed up to {info['allowed_share']:.1%}, councils.max_left_out)"
               if "allowed_share" in info else "") + ".")


def check_left_out(data: CouncilData, max_share: float) -> None:
    """:class:`DataError` when more than ``max_share`` of the episode rows were left out:
    a run from what is left would start from a council that is not the council."""
    info = data.left_out
    if info and info["share"] > max_share:
        why = "; ".join(f"{k}: {n:,d} rows" for k, n in info["why"].items()) or "see the "             "data-quality report"
        raise DataError(
            f"councils.path: {info['episode_rows_left_out']:,d} of "
            f"{info['episode_rows_read']:,d} episode rows ({info['share']:.1%}) are left out "
            f"by the data-quality checks ({why}); allowed: at most {max_share:.1%} "
            "(councils.max_left_out): correct the files (revolving-door-data describe "
            "writes the report, with the lines), or raise councils.max_left_out")


# ------------------------------------------------------------------ reading
def files_of(path: str) -> list[Path]:
    """The CSV files a ``councils.path`` names (a folder, a file or a glob pattern)."""
    p = Path(path).expanduser()
    if any(ch in path for ch in "*?["):
        found = sorted(Path(f) for f in glob.glob(str(p)))
    elif p.is_dir():
        found = sorted(p.glob("*.csv"))
    elif p.is_file():
        found = [p]
    else:
        raise DataError(f"councils.path: no such file or folder: {path}; {_PATH_ALLOWED}")
    if not found:
        raise DataError(f"councils.path: no CSV file in {path}; {_PATH_ALLOWED}")
    return found


def council_data(path: str | None, fit: str | None = None, council: str | None = None
                 ) -> CouncilData:
    """The council's data (cached while the files are unchanged); :class:`DataError`
    naming the field when they cannot start a run."""
    if not path:
        raise DataError("councils.path: councils.mode from_data needs the council's SSDA903 "
                        f"files; none given ({_PATH_ALLOWED}, e.g. councils.path=DIR)")
    files = files_of(path)
    fit_file = _fit_file(fit) if fit else None
    stamp = tuple((str(f.resolve()), f.stat().st_mtime_ns) for f in
                  files + ([fit_file] if fit_file else []))
    return _council_data(tuple(str(f) for f in files), str(fit_file) if fit_file else None,
                         council, stamp)


@functools.lru_cache(maxsize=8)
def _council_data(files: tuple[str, ...], fit_file: str | None, council: str | None,
                  _stamp: tuple) -> CouncilData:
    data, in_care = _extract_data(files, council, _stamp[:len(files)])
    if not fit_file:
        return data
    fit_values = _read_fit(Path(fit_file), data.la, data.extract_date, in_care)
    return dataclasses.replace(data, fit=fit_values)


@functools.lru_cache(maxsize=8)
def _extract_data(files: tuple[str, ...], council: str | None, _stamp: tuple
                  ) -> tuple[CouncilData, int]:
    """The council's data without a fit, and its children in care at the extract date
    (cached apart from the fit: a backtest runs one extract with many fits)."""
    try:
        extract = read_extract(files)
    except Ssda903Error as err:
        raise DataError(f"councils.path: {err}") from None
    la = _choose_council(extract, council)
    ep = extract.episodes
    if len(ep) == 0:
        raise DataError("councils.path: no usable episode left after the data-quality "
                        f"checks ({extract.report.summary().splitlines()[-1].strip()}); "
                        "allowed: files with at least one usable episode")
    date = default_period(ep)[1]
    children, counts = children_at(ep, date)
    if not (children["location"] == "in_care").any():
        raise DataError(f"councils.path: no child is in care at the extract date "
                        f"{date.date()} (the 1 April after the last date in the files); "
                        "allowed: an extract with at least one period of care open on its "
                        "last day")
    return CouncilData(name=council or la or "council", la=la, extract_date=date,
                       children=children, starts_per_year=_starts_per_year(extract, date),
                       fit=None, counts=counts, quality=extract.report.summary(),
                       left_out=rows_left_out(extract.report),
                       reentry_survival=reentry_survival(ep, date)), in_care_at(ep, date)


def _choose_council(extract: Extract, council: str | None) -> str:
    """Keep one council's rows of a regional file; its ``la`` code ('' without a column)."""
    las = sorted(extract.episodes["la"].unique())
    if council is None:
        if len(las) > 1:
            raise DataError(f"councils.council: the files hold {len(las)} councils; name one "
                            f"(allowed: {', '.join(las)})")
        return las[0] if las else ""
    if council not in las:
        shown = ", ".join(x for x in las if x) or "none: the files have no LA column"
        raise DataError(f"councils.council: no council {council!r} in the files (allowed: "
                        f"{shown})")
    extract.episodes = extract.episodes[extract.episodes["la"] == council
                                        ].reset_index(drop=True)
    return council


def in_care_at(ep: pd.DataFrame, date: pd.Timestamp) -> int:
    """Children in care at the start of ``date``: a period of care begun before it and not
    ended before it (what ``fit.json`` records; a run from data leaves out those who are 18
    or over by their date of birth)."""
    per = periods_of_care(ep)
    return int(((per["start"] < date) & (per["end"].isna() | (per["end"] >= date))).sum())


def _starts_per_year(extract: Extract, date: pd.Timestamp) -> float:
    first = extract.episodes["DECOM"].min()
    t0 = max(date - pd.DateOffset(years=ENTRY_YEARS), first)
    if not t0 < date:
        return 0.0
    m = measure(extract, t0, date).metrics
    return float(m["entries_per_year"] + m["other_later_periods_per_year"])


def children_at(ep: pd.DataFrame, date: pd.Timestamp) -> tuple[pd.DataFrame, dict[str, int]]:
    """The children to start a run with at ``date``, one row a child: ``group`` (the sibling
    group, see the module docstring), ``location``, ``need`` (``abuse_neglect``, ``other``
    or ``unknown``), ``age_months`` (NaN when the date of birth is unknown),
    ``care_order``, ``placement``, ``place_code`` (the latest ``PLACE`` in care, mapped
    again by :func:`initial_table` with placements over a period of care on),
    ``period_start``, ``return_time``, ``unplanned``, ``episodes``, ``returns``,
    ``first_return_time`` (times in months from ``date``); and counts of what was kept and
    left out."""
    per = periods_of_care(ep)
    per = per[per["start"] < date].reset_index(drop=True)
    home_end = per["rec"].isin(codes.RETURN_HOME_REC) & per["end"].notna() & \
        (per["end"] < date)
    per["returns"] = home_end.astype(np.int64).groupby(per["child"]).cumsum()
    per["end_home"] = home_end
    first_ret = per.loc[home_end].groupby("child")["end"].min()
    last = per.groupby("child").tail(1).set_index("child")
    open_ = last["end"].isna() | (last["end"] >= date)
    at_home = ~open_ & last["end_home"]
    # the latest episode before the date: legal status and placement now (or at the return)
    latest = ep[ep["DECOM"] < date].sort_values(["child", "DECOM"], kind="stable") \
        .groupby("child").tail(1).set_index("child")
    first_cin = per.groupby("child")["cin"].first()
    age = -months(last["dob"], date)
    age = np.where(pd.isna(last["dob"]).to_numpy(), np.nan, age)
    keep = (open_ | at_home).to_numpy()
    adult = keep & ~np.isnan(age) & (age >= AGE_OUT)
    kids = last.assign(age_months=age)[keep & ~adult]
    loc = np.where(open_[kids.index], "in_care", "at_home")
    ls = latest["LS"].reindex(kids.index)
    place = latest["PLACE"].reindex(kids.index)
    out = pd.DataFrame({
        "child": kids.index.to_numpy(),
        "location": loc,
        "need": first_cin.reindex(kids.index).map(codes.CIN_GROUP).fillna("unknown")
        .to_numpy(),
        "age_months": kids["age_months"].to_numpy(dtype=float),
        "care_order": ls.isin(codes.CARE_ORDER_LS).to_numpy(),
        "placement": np.where(loc == "in_care",
                              [int(codes.seed_placement(p)) for p in place.tolist()], -1),
        # the latest PLACE code in care (placements over a period of care map it again)
        "place_code": place.where(pd.Series(loc == "in_care", index=place.index)).to_numpy(),
        "period_start": months(kids["start"], date),
        "return_time": np.where(loc == "at_home", months(kids["end"].fillna(date), date),
                                np.nan),
        "unplanned": ((loc == "at_home") & (kids["rec"] == "E4B").to_numpy()),
        "episodes": kids["nth"].to_numpy(dtype=np.int64),
        "returns": kids["returns"].to_numpy(dtype=np.int64),
        "first_return_time": months(first_ret.reindex(kids.index), date),
    })
    spells = _home_spells(per, date)
    out["home_spells"] = [spells.get(c, ()) for c in out["child"].tolist()]
    out["failed_returns"] = np.array([int(sum(e for _m, e in sp)) for sp in
                                      out["home_spells"]], dtype=np.int64)
    out["group"] = _families(per, out)
    counts = {"children_in_care": int((loc == "in_care").sum()),
              "children_at_home_after_return": int((loc == "at_home").sum()),
              "families": int(out["group"].nunique()),
              "children_age_unknown": int(np.isnan(out["age_months"]).sum()),
              "left_out_in_care_aged_18_or_over": int((adult & open_.to_numpy()).sum())}
    return out.drop(columns="child"), counts


def _returns(per: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    """Every return home in the files before ``date`` with its follow-up to ``date``
    (:func:`sim.ssda903.measure.returns_table`: ``duration`` months, ``event``: a new
    period of care began before ``date`` and the 18th birthday)."""
    per = per[per["start"] < date]
    if not len(per):
        return pd.DataFrame({"child": [], "duration": [], "event": []})
    return returns_table(per, per["start"].min(), date)


def _home_spells(per: pd.DataFrame, date: pd.Timestamp
                 ) -> dict[Any, tuple[tuple[float, bool], ...]]:
    """Each child's times at home after a return the files show: ``(months, ended by a
    new period of care)``, in order."""
    ret = _returns(per, date)
    out: dict[Any, tuple[tuple[float, bool], ...]] = {}
    for child, d, e in zip(ret["child"].tolist(), ret["duration"].tolist(),
                           ret["event"].tolist()):
        out[child] = out.get(child, ()) + ((max(float(d), 0.0), bool(e)),)
    return out


def reentry_survival(ep: pd.DataFrame, date: pd.Timestamp) -> np.ndarray | None:
    """The share of the files' returns home before ``date`` not followed by a new period
    of care ``m`` whole months later (``m = 0 .. `` the longest follow-up; Kaplan-Meier),
    or ``None`` without a return."""
    ret = _returns(periods_of_care(ep), date)
    if not len(ret):
        return None
    dur = np.maximum(ret["duration"].to_numpy(dtype=float), 0.0)
    at = np.arange(int(math.ceil(dur.max())) + 1, dtype=float)
    return 1.0 - kaplan_meier(dur, ret["event"].to_numpy(dtype=bool), at)


def frailty_given_history(gen: np.random.Generator, var: float,
                          spells: list[tuple[tuple[float, bool], ...]],
                          survival: np.ndarray | None) -> np.ndarray:
    """Each family's frailty (the gamma of mean 1 and variance ``var`` that multiplies its
    risk of maltreatment and breakdown at home, ``params.after_return.frailty_variance``)
    given what the files show of its times at home after a return: ``d`` of them ended by
    a new period of care, over a cumulative baseline hazard ``H``. A gamma frailty's
    distribution given such a history is gamma of shape ``1/var + d`` and rate
    ``1/var + H`` (the standard shared-frailty result): a family at home for years without
    coming back is likely of low risk, one that came back twice of high. ``H`` of ``m``
    months at home is the baseline whose gamma-frailty mixture gives the council's own
    re-entry curve ``S`` (``survival``, :func:`reentry_survival`): ``S(m) = (1 + var
    H(m))^(-1/var)``, so ``H(m) = (S(m)^-var - 1) / var``. Without a history, or without
    ``survival``, the unconditional gamma (the draw a family entering care gets)."""
    n = len(spells)
    if var <= 0:
        return np.ones(n)
    k = 1.0 / var
    shape = np.full(n, k)
    rate = np.full(n, k)
    if survival is not None and len(survival):
        s = np.clip(survival, 1e-3, 1.0)
        grid = np.arange(len(s), dtype=float)
        for i, sp in enumerate(spells):
            for m, event in sp:
                h = (float(np.interp(m, grid, s)) ** -var - 1.0) / var
                rate[i] += h
                shape[i] += 1.0 if event else 0.0
    return gen.gamma(shape, 1.0 / rate)


def _families(per: pd.DataFrame, kids: pd.DataFrame) -> np.ndarray:
    """Sibling groups: the same history with two dates at least (module docstring)."""
    day = "%Y-%m-%d"
    sig = (per["start"].dt.strftime(day).fillna("") + "/"
           + per["end"].dt.strftime(day).fillna("") + "/" + per["rec"].fillna("").astype(str))
    history = sig.groupby(per["child"]).agg(";".join)
    dated = per.groupby("child")["end"].agg(lambda e: e.notna().any())
    h = history.reindex(kids["child"]).to_numpy()
    two_dates = dated.reindex(kids["child"]).to_numpy(dtype=bool)
    key = pd.Series(h, dtype=object) + "|" + kids["need"].to_numpy() + "|" + \
        kids["care_order"].astype(str).to_numpy() + "|" + kids["location"].to_numpy()
    key = key.where(two_dates, "alone:" + kids["child"].astype(str).to_numpy())
    return pd.factorize(key)[0].astype(np.int64)


def _fit_file(fit: str) -> Path:
    p = Path(fit).expanduser()
    if p.is_dir():
        p = p / "fit.json"
    if not p.is_file():
        raise DataError(f"councils.fit: no such file: {p}; allowed: the fit.json written by "
                        "revolving-door-data fit (or its folder), or null for no fit")
    return p


def _read_fit(path: Path, la: str, date: pd.Timestamp, in_care: int) -> dict[str, Any]:
    allowed = ("allowed: the fit.json that revolving-door-data fit wrote for the same "
               "council's files")
    try:
        fit = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(f"councils.fit: {path} is not a readable fit.json ({err}); "
                        f"{allowed}") from None
    missing = [k for k in FIT_KEYS if not isinstance(fit, dict) or k not in fit]
    if missing:
        raise DataError(f"councils.fit: {path} has no {', '.join(missing)} (a fit written "
                        f"before runs from data could read it: fit again); {allowed}")
    theirs = (str(fit["council"]), str(fit["extract_date"]),
              int(fit["children_in_care_at_extract_date"]))
    ours = (la, str(date.date()), in_care)
    if theirs != ours:
        raise DataError(
            f"councils.fit: {path} was fitted to council {theirs[0] or '(no LA column)'!r}, "
            f"extract date {theirs[1]}, {theirs[2]} children in care then; councils.path "
            f"holds council {ours[0] or '(no LA column)'!r}, extract date {ours[1]}, "
            f"{ours[2]} children in care then; {allowed}")
    for k in ("return_propensity", "thoroughness", "scale"):
        v = fit[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or v < 0:
            raise DataError(f"councils.fit: {path}: {k} is {v!r}; allowed: a number of at "
                            f"least 0; {allowed}")
    out = {k: fit[k] for k in FIT_KEYS}
    if MONITORING in fit:
        v = fit[MONITORING]
        lo, hi = MONITORING_RANGE
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or v != int(v) or not lo <= v <= hi:
            raise DataError(f"councils.fit: {path}: {MONITORING} is {v!r}; allowed: a whole "
                            f"number of months from {lo} to {hi} (or no {MONITORING}: the "
                            "typical council's)")
        out[MONITORING] = int(v)
    return out


# ------------------------------------------------------------------ the initial stock
def _stay_unresolved(t: np.ndarray, resolve: np.ndarray, relapse: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """For a problem that resolves at ``resolve`` and relapses at ``relapse`` a month,
    the chance that it is unresolved after ``t`` months if it was unresolved at the start,
    and if it was resolved (a two-state Markov chain)."""
    s = resolve + relapse
    stay = relapse / s + resolve / s * np.exp(-s * t)
    back = relapse / s * (1.0 - np.exp(-s * t))
    return stay, back


def initial_table(data: CouncilData, params: Any, seed: int, *, thoroughness: float,
                  council: int = 0) -> pd.DataFrame:
    """The initial stock (:mod:`sim.initial_stock`) of a run from ``data``.

    Drawn from the ``from_data`` stream of ``seed``, a family at a time, in this order:

    1. **entry reason**: SSDA903's abuse or neglect (``N1``) is split into the model's
       neglect and other abuse by their shares at entry (``params.entry``); an unknown
       category of need is drawn from the entry shares;
    2. **parents' problems** (substance misuse, domestic abuse, mental health; not in
       SSDA903): present as at entry (``params.family`` prevalences, by reason);
    3. **unresolved at month 0**: each present problem follows the model's resolution and
       relapse rates, unresolved at the start of the period of care, through the months
       in care (resolution slowed as in care) and, for children at home, the months since
       the return. The return itself selects: a council returns a family with a problem
       unresolved at ``1 - thoroughness`` of the rate of one without (unplanned returns
       excepted), so the state at the return is drawn in proportion to that;
    4. **frailty** (the family's unmeasured risk, ``params.after_return.frailty_variance``),
       given the family's times at home after a return in the files
       (:func:`frailty_given_history`): without it, a family at home for years after a
       return was seeded with a new family's risk, and the runs brought back more of
       those at home than the files did (issue 24);
    5. **unknown ages** (no date of birth): an age at the start of the period drawn from
       the model's ages at entry, plus the months since; children who would be 18 by then
       are left out.
    """
    gen = Streams(seed).generator("from_data")
    kids = data.children
    e, f, a = params.entry, params.family, params.after_return
    fam = kids.groupby("group", sort=True).first()
    n = len(fam)
    # 1. reason
    neglect = e.share_neglect / max(e.share_neglect + e.share_other_abuse, 1e-12)
    u = gen.random(n)
    reason_p = np.array([e.share_neglect, e.share_other_abuse,
                         max(0.0, 1.0 - e.share_neglect - e.share_other_abuse)])
    drawn = gen.choice(3, size=n, p=reason_p / reason_p.sum())
    need = fam["need"].to_numpy()
    reason = np.where(need == "abuse_neglect",
                      np.where(u < neglect, int(EntryReason.NEGLECT),
                               int(EntryReason.OTHER_ABUSE)),
                      np.where(need == "other", int(EntryReason.OTHER), drawn))
    # 2. problems present
    other = reason == int(EntryReason.OTHER)
    mult = np.where(other, f.other_reason_problem_multiplier, 1.0)
    p_present = np.column_stack([
        np.where(other, f.substance_prevalence_other, f.substance_prevalence_abuse_neglect),
        np.minimum(1.0, f.domestic_abuse_prevalence * mult),
        np.minimum(1.0, f.mental_health_prevalence * mult)])
    present = gen.random((n, 3)) < p_present
    # 3. unresolved now
    resolve = np.array([f.resolve_substance, f.resolve_domestic_abuse,
                        f.resolve_mental_health])
    r_home = -np.log1p(-resolve)
    r_care = r_home * f.in_care_resolution_multiplier
    relapse = -math.log1p(-f.relapse)
    home = (fam["location"] == "at_home").to_numpy()
    start = fam["period_start"].to_numpy()
    ret = np.where(home, fam["return_time"].to_numpy(), 0.0)
    in_care_months = (ret - start)[:, None]
    stay, _ = _stay_unresolved(in_care_months, r_care[None, :], relapse)
    at_return = present & (gen.random((n, 3)) < stay)
    planned = home & ~fam["unplanned"].to_numpy()
    todo = planned & at_return.any(axis=1) & (gen.random(n) >= 1.0 - thoroughness)
    for _ in range(200):  # rejection: redraw the states a planned return makes unlikely
        if not todo.any():
            break
        k = int(todo.sum())
        at_return[todo] = present[todo] & (gen.random((k, 3)) < stay[todo])
        again = at_return[todo].any(axis=1) & (gen.random(k) >= 1.0 - thoroughness)
        todo[np.flatnonzero(todo)] = again
    stay_h, back_h = _stay_unresolved((0.0 - ret)[:, None], r_home[None, :], relapse)
    p_now = np.where(at_return, stay_h, back_h)
    unresolved = np.where(home[:, None], present & (gen.random((n, 3)) < p_now), at_return)
    # 4. frailty, given the family's times at home after a return
    spells = fam["home_spells"].tolist() if "home_spells" in fam else [()] * n
    frailty = frailty_given_history(gen, a.frailty_variance, spells,
                                    data.reentry_survival)
    # 5. unknown ages
    age = kids["age_months"].to_numpy(dtype=float).copy()
    unknown = np.isnan(age)
    if unknown.any():
        age[unknown] = _draw_ages(gen, e, reason[kids["group"].to_numpy()][unknown]) \
            - kids["period_start"].to_numpy()[unknown]
    by_family = pd.DataFrame({
        "family": fam.index.to_numpy(), "reason": reason,
        "problems": bits(present), "unresolved": bits(unresolved), "frailty": frailty})
    table = kids.assign(age_months=age).merge(by_family, left_on="group", right_on="family",
                                              how="left", validate="many_to_one")
    table = table[table["age_months"] < AGE_OUT].copy()
    table["council"] = council
    table["family"] = pd.factorize(table["family"])[0]
    if params.placement.moves:  # placed with parents and other placements are model types
        care = (table["location"] == "in_care").to_numpy()
        table["placement"] = np.where(care, [int(codes.seed_placement(p, every_type=True))
                                             for p in table["place_code"].tolist()], -1)
    return table[list(COLUMNS)].astype(COLUMNS).reset_index(drop=True)


_BANDS = np.array([[0.0, 12.0], [12.0, 60.0], [60.0, 120.0], [120.0, 192.0], [192.0, 215.0]])


def _draw_ages(gen: np.random.Generator, e: Any, reason: np.ndarray) -> np.ndarray:
    """Ages at entry in months, by reason, from the entry age bands (``params.entry``)."""
    out = np.empty(len(reason))
    for other, shares in ((False, (e.age_under1_abuse_neglect, e.age_1to4_abuse_neglect,
                                   e.age_5to9_abuse_neglect, e.age_10to15_abuse_neglect)),
                          (True, (e.age_under1_other, e.age_1to4_other, e.age_5to9_other,
                                  e.age_10to15_other))):
        sel = (reason == int(EntryReason.OTHER)) == other
        p = np.array(list(shares) + [max(0.0, 1.0 - sum(shares))])
        band = gen.choice(5, size=int(sel.sum()), p=p / p.sum())
        lo, hi = _BANDS[band, 0], _BANDS[band, 1]
        out[sel] = lo + (hi - lo) * gen.random(int(sel.sum()))
    return out
