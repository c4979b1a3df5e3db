"""A stock-flow (Markov) forecast of children in care from an SSDA903 extract: the kind of
demand model councils already use, as the baseline a backtest sets the agent model against.

States are a child's **age band** (:data:`sim.ssda903.measure.AGE_BANDS`) and **placement
group** (:data:`PLACEMENT_GROUPS`, from the latest episode's ``PLACE``). From the periods of
care in the ``years`` before the extract date it estimates, per month:

* **entries**: periods of care starting, by age in months at the start and placement group
  (counts / months);
* **exits**: the chance a child in care in a state leaves care in a month (periods ending
  in the state / child-months spent in it);
* **moves**: the chance of moving from one placement group to another in a month, within a
  period of care (episodes starting in the new group after one in the old / child-months).

Children age a month a month (and leave at 18). The forecast is the expected number in each
state at each month end, starting from the children in care at the extract date: a
deterministic cohort-component projection, with nothing from the agent model. A state with
too few child-months (:data:`MIN_CHILD_MONTHS`) borrows the age band's rate over all
placements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.ssda903.measure import AGE_BANDS, months, periods_of_care

#: Placement groups and their SSDA903 codes; anything else is ``other``.
PLACEMENT_GROUPS: dict[str, frozenset[str]] = {
    "foster": frozenset({"U4", "U5", "U6"}),
    "kinship": frozenset({"U1", "U2", "U3"}),
    "residential": frozenset({"K1", "K2", "R1", "R2", "R3", "R5", "S1", "H5", "P2", "P3"}),
    "placed_for_adoption": frozenset({"A3", "A4", "A5", "A6"}),
    "placed_with_parents": frozenset({"P1"}),
}
GROUPS = (*PLACEMENT_GROUPS, "other")
#: child-months below which a state's exit rate is its age band's (all placements)
MIN_CHILD_MONTHS = 24.0
AGE_OUT_MONTHS = 216
#: age band (index into AGE_BANDS) of each age in whole months
_BAND_OF_MONTH = np.array([next(i for i, (lo, hi, _n) in enumerate(AGE_BANDS)
                                if lo * 12 <= m < hi * 12) for m in range(AGE_OUT_MONTHS)])


def placement_group(place: pd.Series) -> np.ndarray:
    out = np.full(len(place), len(GROUPS) - 1)
    for i, codes_ in enumerate(PLACEMENT_GROUPS.values()):
        out[place.isin(codes_).to_numpy()] = i
    return out


@dataclass
class StockFlow:
    """Monthly rates estimated from an extract (see the module docstring)."""

    #: entries a month by age in months at entry and placement group, shape (216, G)
    entries: np.ndarray
    #: chance of leaving care in a month, by age band and placement group, shape (B, G)
    exit: np.ndarray
    #: chance of moving from group g to h in a month, by age band, shape (B, G, G)
    move: np.ndarray
    #: children in care at the extract date by age in months and group, shape (216, G)
    start: np.ndarray

    def forecast(self, months_ahead: int) -> np.ndarray:
        """Expected children in care at each month end 1..``months_ahead`` by age in months
        and group: shape (months_ahead, 216, G)."""
        n = self.start.copy()
        out = np.empty((months_ahead, *n.shape))
        stay = 1.0 - self.exit[_BAND_OF_MONTH]  # (216, G)
        mv = self.move[_BAND_OF_MONTH]  # (216, G, G)
        for t in range(months_ahead):
            n = n * stay
            moved = np.einsum("ag,agh->ah", n, mv)
            n = n - n * mv.sum(axis=2) + moved
            n = np.vstack([np.zeros((1, n.shape[1])), n[:-1]])  # a month older; 18 leaves
            n = n + self.entries
            out[t] = n
        return out

    def totals(self, months_ahead: int) -> np.ndarray:
        """Expected children in care at each month end 1..``months_ahead``."""
        return self.forecast(months_ahead).sum(axis=(1, 2))


def estimate(episodes: pd.DataFrame, date: pd.Timestamp, years: float = 3.0) -> StockFlow:
    """Rates from an extract's episodes (``Extract.episodes``) over the ``years`` before
    ``date`` (the extract date), and the children in care at ``date``."""
    t0 = date - pd.DateOffset(months=int(round(years * 12)))
    span = months(pd.Series([date]), t0)[0]
    ep = episodes[episodes["DECOM"] < date].sort_values(["child", "DECOM"], kind="stable")
    ep = ep.assign(DEC=ep["DEC"].where(ep["DEC"] < date))  # what the extract date shows
    ep = ep.assign(group=placement_group(ep["PLACE"]))
    per = periods_of_care(ep)
    n_b, n_g = len(AGE_BANDS), len(GROUPS)
    # entries: periods starting in the window, by age at the start and first placement
    first = ep.groupby(["child", "DECOM"]).head(1)
    starts = per[(per["start"] >= t0) & (per["start"] < date)]
    g_first = first.set_index(["child", "DECOM"])["group"]
    g_start = g_first.reindex(pd.MultiIndex.from_arrays([starts["child"], starts["start"]])
                              ).to_numpy()
    age = np.floor(months(starts["start"], t0) - months(starts["dob"].fillna(starts["start"]),
                                                        t0)).astype(int)
    ok = (age >= 0) & (age < AGE_OUT_MONTHS)
    entries = np.zeros((AGE_OUT_MONTHS, n_g))
    np.add.at(entries, (age[ok], g_start[ok].astype(int)), 1.0 / span)
    # child-months, exits and moves in the window, episode by episode, split by age band
    e_start = np.maximum(months(ep["DECOM"], t0), 0.0)
    e_end = np.minimum(np.where(ep["DEC"].isna(), span, months(ep["DEC"].fillna(date), t0)),
                       span)
    dob = months(ep["dob"].fillna(ep["DECOM"]), t0)
    nxt_child = ep["child"].shift(-1).to_numpy()
    nxt_group = ep["group"].shift(-1).to_numpy()
    nxt_start = ep["DECOM"].shift(-1).to_numpy()
    same_period = (nxt_child == ep["child"].to_numpy()) & (nxt_start == ep["DEC"].to_numpy())
    leaves = ep["DEC"].notna().to_numpy() & ~same_period & (ep["DEC"] >= t0).to_numpy()
    moves_to = np.where(same_period & (nxt_group != ep["group"].to_numpy()) &
                        (ep["DEC"] >= t0).to_numpy(), nxt_group, -1)
    exposure = np.zeros((n_b, n_g))
    exits = np.zeros((n_b, n_g))
    moves = np.zeros((n_b, n_g, n_g))
    g = ep["group"].to_numpy()
    for b, (lo, hi, _n) in enumerate(AGE_BANDS):
        a0, a1 = dob + lo * 12, dob + hi * 12
        exposure[b] += np.bincount(g, weights=np.clip(np.minimum(e_end, a1)
                                                      - np.maximum(e_start, a0), 0, None),
                                   minlength=n_g)
        at_end = (e_end - dob >= lo * 12) & (e_end - dob < hi * 12)
        exits[b] += np.bincount(g[leaves & at_end], minlength=n_g)
        m = (moves_to >= 0) & at_end
        np.add.at(moves[b], (g[m], moves_to[m].astype(int)), 1.0)
    band_rate = exits.sum(axis=1) / np.maximum(exposure.sum(axis=1), 1e-9)
    exit_rate = np.where(exposure >= MIN_CHILD_MONTHS, exits / np.maximum(exposure, 1e-9),
                         band_rate[:, None])
    move_rate = np.where((exposure >= MIN_CHILD_MONTHS)[:, :, None],
                         moves / np.maximum(exposure, 1e-9)[:, :, None], 0.0)
    # children in care at the date, by age in months and current group
    open_ = ep[ep["DEC"].isna()].groupby("child").tail(1)
    age_now = np.floor(months(pd.Series([date] * len(open_)), t0)
                       - months(open_["dob"].fillna(open_["DECOM"]), t0)).astype(int)
    ok = (age_now >= 0) & (age_now < AGE_OUT_MONTHS)
    start = np.zeros((AGE_OUT_MONTHS, n_g))
    np.add.at(start, (age_now[ok], open_["group"].to_numpy()[ok]), 1.0)
    return StockFlow(entries=entries, exit=np.clip(exit_rate, 0, 1),
                     move=np.clip(move_rate, 0, 1), start=start)


__all__ = ["GROUPS", "PLACEMENT_GROUPS", "StockFlow", "estimate", "placement_group"]
