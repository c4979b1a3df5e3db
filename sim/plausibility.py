"""Plausibility checks reported by every run: how often children cycle, what follows a
re-entry, and how far councils differ.

None of these is fitted. They are the checks that showed the earlier model wrong
(issue 12): children going home 10 to 19 times, two thirds of re-entered children home
again within 3 months, and councils whose share of episodes ending in a return home ran
from 5% to 89%. Definitions (names are part of the output interface; README "Outputs"):

* ``returns_per_child_share_1``, ``_2``, ``_3``, ``_4plus``: among children with a return
  home in the measured period, the share whose returns home, counted from their first
  entry to the end of the run, number 1, 2, 3, or 4 or more; ``returns_per_child_share_5plus``
  the share with 5 or more and ``returns_per_child_max`` the most returns of any of them
  (issue 21). The run starts from an empty system, so every child's history is complete.
* ``home_again_3m_after_reentry_share``, ``home_again_12m_after_reentry_share``: among
  re-entries (a failed return) in the measured period at least 3 (12) months before the
  end, the share whose next episode of care ended in a return home within 3 (12) months.
* ``months_in_care_after_reentry_median``: Kaplan-Meier median of the length of the
  episode of care that follows a re-entry in the measured period (ended by any exit:
  home, adoption, guardianship, other, 18), censored at the end of the run; NaN when fewer
  than half have ended by then.
* ``council_returned_home_share_p05``, ``_p50``, ``_p95``: percentiles across councils of
  the share of episodes ending in a return home, over councils with at least
  :data:`MIN_COUNCIL_EPISODES` episodes ended in the measured period (England-equivalent
  count, so the filter means the same at any scale); ``council_reentry_12m_p05``,
  ``_p95`` likewise for each council's 12-month re-entry (Kaplan-Meier).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.agents.child import ExitKind
from sim.records import END_REENTERED, in_period

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel

#: Councils with fewer England-equivalent episodes ended in the measured period are left
#: out of the council percentiles (issue 12 quotes councils with at least 200).
MIN_COUNCIL_EPISODES = 200


def _median_km(duration: np.ndarray, event: np.ndarray) -> float:
    """Kaplan-Meier median of ``duration`` (NaN if survival never falls to one half)."""
    if len(duration) == 0:
        return float("nan")
    order = np.lexsort((~event.astype(bool), duration))
    d, e = duration[order], event[order].astype(bool)
    at_risk = len(d) - np.arange(len(d))
    surv = np.cumprod(np.where(e, 1.0 - 1.0 / at_risk, 1.0))
    below = np.nonzero(surv <= 0.5)[0]
    return float(d[below[0]]) if len(below) else float("nan")


def returns_per_child(all_returns: pd.DataFrame, start: float, end: float) -> dict[str, float]:
    kids = in_period(all_returns, start, end)["child"].unique()
    n = all_returns[all_returns["child"].isin(kids)].groupby("child")["nth"].max()
    out = {}
    for k, label in ((1, "1"), (2, "2"), (3, "3")):
        out[f"returns_per_child_share_{label}"] = float(np.mean(n == k)) if len(n) else np.nan
    out["returns_per_child_share_4plus"] = float(np.mean(n >= 4)) if len(n) else np.nan
    # issue 21: the tail, and its end (a child should not go home a ninth time)
    out["returns_per_child_share_5plus"] = float(np.mean(n >= 5)) if len(n) else np.nan
    out["returns_per_child_max"] = float(n.max()) if len(n) else np.nan
    return out


def following_episodes(reentries: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """The episode of care each re-entry started: for rows of a returns frame whose return
    ended in a re-entry, the child's episode beginning at that moment, with ``child``,
    ``start``, ``end`` (NaN while open) and ``end_kind`` (:class:`~sim.agents.child.ExitKind`),
    in the rows' order. ``episodes``: :meth:`sim.records.Records.episodes_frame`."""
    q_child = reentries["child"].to_numpy()
    q_start = reentries["end_time"].to_numpy(dtype=float)
    e_child, e_start = episodes["child"].to_numpy(), episodes["start"].to_numpy(dtype=float)
    if len(e_child) > 1 and not bool(((e_child[1:] > e_child[:-1]) | (
            (e_child[1:] == e_child[:-1]) & (e_start[1:] > e_start[:-1]))).all()):
        raise ValueError("episodes must be in order of child, then start, one row a start "
                         "(Records.episodes_frame)")
    # each child's episodes are a run of rows: look through the run for the start, a
    # step at a time (a child has a few episodes), instead of a merge (issue 25: speed)
    lo = np.searchsorted(e_child, q_child, side="left")
    hi = np.searchsorted(e_child, q_child, side="right")
    row = np.full(len(q_child), -1, dtype=np.int64)
    j = 0
    while True:
        look = (row < 0) & (lo + j < hi)
        if not look.any():
            break
        at = lo[look] + j
        found = e_start[at] == q_start[look]
        row[np.flatnonzero(look)[found]] = at[found]
        j += 1
    hit = row >= 0
    end = np.full(len(row), np.nan)
    kind = np.full(len(row), np.nan)
    end[hit] = episodes["end"].to_numpy(dtype=float)[row[hit]]
    kind[hit] = episodes["end_kind"].to_numpy()[row[hit]]
    out = pd.DataFrame({"child": q_child, "start": q_start, "end": end})
    out["end_kind"] = kind.astype(np.int64) if hit.all() else kind
    return out


def after_reentry(all_returns: pd.DataFrame, episodes: pd.DataFrame, start: float,
                  end: float) -> dict[str, float]:
    """What follows a re-entry: how soon the child goes home again, how long the episode."""
    re = all_returns[(all_returns["end_kind"] == END_REENTERED)
                     & (all_returns["end_time"] >= start) & (all_returns["end_time"] < end)]
    m = following_episodes(re, episodes)
    ended = m["end"].notna().to_numpy()
    stay = np.where(ended, m["end"].to_numpy(), end) - m["start"].to_numpy()
    home = ended & (m["end_kind"].to_numpy() == int(ExitKind.RETURNED_HOME))
    out = {}
    for h in (3, 12):
        cohort = m["start"].to_numpy() <= end - h
        out[f"home_again_{h}m_after_reentry_share"] = (
            float(np.mean(home[cohort] & (stay[cohort] <= h))) if cohort.any() else np.nan)
    out["months_in_care_after_reentry_median"] = _median_km(stay, ended)
    return out


def council_spread(councils: pd.DataFrame, scale: float) -> dict[str, float]:
    """Percentiles across councils of the return-home share and the 12-month re-entry."""
    big = councils[councils["episodes_ended"] / scale >= MIN_COUNCIL_EPISODES]
    out = {}
    share = big["return_home_share"].dropna().to_numpy()
    r12 = big["reentry_12m"].dropna().to_numpy()
    for q in (5, 50, 95):
        out[f"council_returned_home_share_p{q:02d}"] = (float(np.percentile(share, q))
                                                        if len(share) else np.nan)
    for q in (5, 95):
        out[f"council_reentry_12m_p{q:02d}"] = (float(np.percentile(r12, q))
                                                if len(r12) else np.nan)
    out["council_spread_councils"] = float(len(big))
    return out


def plausibility_metrics(model: "RevolvingDoorModel", councils: pd.DataFrame
                         ) -> dict[str, float]:
    cfg = model.config
    start, end = float(cfg.measure_start), float(cfg.total_months)
    all_returns = model.records.returns_frame()
    out = returns_per_child(all_returns, start, end)
    out.update(after_reentry(all_returns, model.records.episodes_frame(), start, end))
    out.update(council_spread(councils, cfg.scale))
    return out
