"""Placements over a period of care (issue 24; off by default, ``params.placement.moves``).

Without this mechanism a child's placement (foster, residential or kinship) is drawn once
at entry and kept for the whole period of care. With it, a child in care moves placement:

* **When.** At a rate a year by age band (under 12, 12-15, 16-17:
  ``params.placement.move_rate_*``), times ``unstable_multiplier`` for a child drawn
  unstable (``unstable_share``, drawn once for the child's life). Worked once a month, at
  the month's end, over every child in care then, all at once: a child in care for ``x``
  of the month's months since its placement began (less :data:`MIN_GAP_MONTHS`) moves with
  probability ``1 - exp(-rate * x)``, at a time uniform in that part of the month. At most
  one move a month (a rate of 2 a year gives a second move in a month about 1 time in 150).
* **Where to.** A new placement drawn from the age band's destination shares
  (``residential_*``, ``kinship_*``, ``with_parents_*``, ``other_*``; foster care the
  rest): placed with parents and other placements (mostly semi-independent living at
  16-17) are reached only by a move. A new placement of the same type is a move too
  (placement stability counts placements, not types), except placed with parents again
  (the same carers: no move). Only a child under a care order is placed with parents (a
  child accommodated under section 20 and placed with parents is not looked after: DfE
  rule 378); a child in care by agreement who draws it goes to foster care.
* **What it changes.** The child's placement, its council's counts by placement (and so the
  placement costs booked monthly from them, through the one ledger, with two more ledger
  components, :data:`~sim.ledger.MOVES_COMPONENTS`), the episode log's placement changes
  (SSDA903 episodes split at each change, ``RNE = P``), and a table of children in care and
  their placement cost by age band and placement at each month end
  (``placements_by_month.csv``). Nothing else: no hazard reads the placement, so the
  family event engine runs exactly as without moves.

Every number comes from the ``placement_moves`` stream, keyed by the child's id, the month
and the decision (1 move, 2 destination, 3 time; the child's instability keyed by month 0,
decision 0): common random numbers, whatever else happens in the run. The months are worked
one at a time while moves are on (the month-end pass needs who is in care at each month
end), which gives the same results as the engine working months at once would for
everything but the placements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.agents.child import ChildState, Placement
from sim.agents.council import PLACEMENT_COLUMN
from sim.ledger import PLACEMENTS_ALL
from sim.parameters import PlacementParams

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel

_IN_CARE = int(ChildState.IN_CARE)
_WITH_PARENTS = int(Placement.WITH_PARENTS)
_FOSTER = int(Placement.FOSTER)
#: Age bands of the output table, in years: the DfE's bands of children looked after
AGE_BANDS: tuple[str, ...] = ("under_1", "1_to_4", "5_to_9", "10_to_15", "16_plus")
_BAND_EDGES = np.array([1.0, 5.0, 10.0, 16.0]) * 12.0
#: Age bands of the move rates and destinations, in months: under 12, 12-15, 16-17
_MOVE_EDGES = np.array([144.0, 192.0])
#: A move comes at least this long after the placement began (two days): every written
#: SSDA903 placement episode lasts at least a day (DfE rule 355)
MIN_GAP_MONTHS = 2.0 / 30.4375


def move_rates(p: PlacementParams) -> np.ndarray:
    """Moves a month of a stable child, by move band (under 12, 12-15, 16-17)."""
    return np.array([p.move_rate_under12, p.move_rate_12to15, p.move_rate_16plus]) / 12.0


def destinations(p: PlacementParams) -> np.ndarray:
    """A move's new placement, by move band (rows) and :class:`Placement` (columns):
    probabilities, foster care the rest. Raises ValueError naming the band whose shares
    add to more than 1."""
    out = np.zeros((3, len(Placement)))
    for i, band in enumerate(("under12", "12to15", "16plus")):
        row = {Placement.RESIDENTIAL: getattr(p, f"residential_{band}"),
               Placement.KINSHIP: getattr(p, f"kinship_{band}"),
               Placement.WITH_PARENTS: getattr(p, f"with_parents_{band}"),
               Placement.OTHER: getattr(p, f"other_{band}")}
        rest = 1.0 - sum(row.values())
        if rest < -1e-12:
            raise ValueError(
                f"params.placement: residential_{band} + kinship_{band} + with_parents_{band}"
                f" + other_{band} = {1.0 - rest:.3f}; allowed: at most 1 (foster care is the rest)")
        out[i, Placement.FOSTER] = max(rest, 0.0)
        for k, v in row.items():
            out[i, int(k)] = v
    return out


def age_band(age_months: np.ndarray) -> np.ndarray:
    """The index in :data:`AGE_BANDS` of each age (months)."""
    return np.searchsorted(_BAND_EDGES, age_months, side="right")


class Placements:
    """Moves between placements of one model's children in care (see the module)."""

    def __init__(self, model: "RevolvingDoorModel") -> None:
        self.m = model
        p = model.config.params.placement
        self.rates = move_rates(p)
        self.cdf = np.cumsum(destinations(p), axis=1)
        self.cdf[:, -1] = 1.0
        self.unstable_share = float(p.unstable_share)
        self.unstable_multiplier = float(p.unstable_multiplier)
        self.u = model.streams.keyed("placement_moves")
        #: when each child's current placement began by a move (child row; -inf: at entry)
        self.moved_at = np.full(1024, -np.inf)
        n = len(model.councils)
        #: children in care at each month end: (month, council, age band, Placement)
        self.counts = np.zeros((model.config.total_months, n, len(AGE_BANDS), len(Placement)),
                               dtype=np.int64)
        self.moves = 0  # moves made so far

    def _moved_at(self, rows: np.ndarray) -> np.ndarray:
        need = self.m.children_table.n
        if need > len(self.moved_at):
            grown = np.full(max(need, 2 * len(self.moved_at)), -np.inf)
            grown[:len(self.moved_at)] = self.moved_at
            self.moved_at = grown
        return self.moved_at[rows]

    def month_end(self, month: int) -> None:
        """The moves of month ``month`` of every child in care at its end, then the month
        end's table. Called by the model after the month's events, before its counts are
        closed (the moves' count changes are booked to the month)."""
        m, ch = self.m, self.m.children_table
        rows = np.nonzero(ch.state[:ch.n] == _IN_CARE)[0]
        end = float(month + 1)
        began = np.maximum(ch.state_since[rows], self._moved_at(rows))
        lo = np.maximum(began + MIN_GAP_MONTHS, float(month))
        exposed = np.maximum(end - lo, 0.0)
        uid = ch.uid[rows]
        band = np.searchsorted(_MOVE_EDGES, end - ch.birth_time[rows], side="right")
        unstable = self.u.uniform_many(uid, 0, 0) < self.unstable_share
        rate = self.rates[band] * np.where(unstable, self.unstable_multiplier, 1.0)
        move = self.u.uniform_many(uid, month, 1) < -np.expm1(-rate * exposed)
        if move.any():
            r, b, uid_m = rows[move], band[move], uid[move]
            u_dest = self.u.uniform_many(uid_m, month, 2)
            new = (u_dest[:, None] >= self.cdf[b]).sum(axis=1)
            # only a child under a care order is placed with parents (a child accommodated
            # under section 20 placed with parents is no longer looked after: DfE rule 378);
            # the others go to foster care, the rest of the shares
            new = np.where((new == _WITH_PARENTS) & ~ch.care_order[r], _FOSTER, new)
            # placed with parents again is no move: the parents are the same carers
            stay = (new == _WITH_PARENTS) & (ch.placement[r] == _WITH_PARENTS)
            r, b, uid_m, new = r[~stay], b[~stay], uid_m[~stay], new[~stay]
            move[np.flatnonzero(move)[stay]] = False
            t = lo[move] + self.u.uniform_many(uid_m, month, 3) * exposed[move]
            old = ch.placement[r]
            council = m.families.council[ch.family[r]]
            tr = m.transitions
            tr.count_change(council, PLACEMENT_COLUMN[old], -1, t)
            tr.count_change(council, PLACEMENT_COLUMN[new], 1, t)
            ch.placement[r] = new
            self.moved_at[r] = t
            m.records.episodes.move_many(uid_m, t, new)
            self.moves += len(r)
        self._table(month, rows)

    def _table(self, month: int, rows: np.ndarray) -> None:
        """Children in care at month ``month``'s end (``rows``), by council, age band and
        placement, into :attr:`counts`."""
        m, ch = self.m, self.m.children_table
        council = m.families.council[ch.family[rows]]
        band = age_band(float(month + 1) - ch.birth_time[rows])
        nb, npl = len(AGE_BANDS), len(Placement)
        idx = (council * nb + band) * npl + ch.placement[rows]
        self.counts[month] = np.bincount(idx, minlength=len(m.councils) * nb * npl).reshape(
            len(m.councils), nb, npl)

    def frame(self) -> pd.DataFrame:
        """Children in care and their placement cost by month, council, age band and
        placement at each month end of the measured period (``placements_by_month.csv``,
        docs/outputs.md): ``month`` (from the start of the measured period), ``council``,
        ``age_band``, ``placement``, ``children``, ``cost_gbp`` (the month's placement cost
        in the run's price year, as the ledger books it: children at the month end times the
        unit cost a month times the council's cost multiplier)."""
        m = self.m
        ms = m.config.measure_start
        c = self.counts[ms:]
        n_m, n_c, n_b, n_p = c.shape
        unit = np.array(m.unit_costs.placement_all_per_month())
        cost = c * unit[None, None, None, :] * m.council_cost_multiplier[None, :, None, None]
        idx = np.indices(c.shape).reshape(4, -1)
        names = np.array([x.name for x in m.councils], dtype=object)
        return pd.DataFrame({"month": idx[0], "council": names[idx[1]],
                             "age_band": np.array(AGE_BANDS, dtype=object)[idx[2]],
                             "placement": np.array(PLACEMENTS_ALL, dtype=object)[idx[3]],
                             "children": c.reshape(-1), "cost_gbp": cost.reshape(-1)})
