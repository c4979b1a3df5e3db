"""The event engine: every family's clocks, and the events of the months being worked, for all
families at once.

Each kind of family event has its own clock (the *modified next reaction method*,
Anderson 2007): a unit-exponential budget drawn from the keyed ``clock`` stream, keyed by
the family, the kind of event and how often it has fired (so a family's numbers do not
depend on any other family, or on a policy that does not touch it). While a hazard ``h``
(a rate per month) holds for ``dt`` months, ``h * dt`` of the budget is used; the event
fires when its budget runs out. When the family's situation changes, its rates are
recomputed; the budgets carry over, so the change moves the timing of events without
drawing new numbers. That makes the dynamics exact for piecewise-constant hazards.

Deterministic moments (the end of the early months after an entry or a return, a child
turning 5, 16 or 18, the case closing, support ending, treatment starting or ending) are
*checkpoints*: the family is activated then and its rates are recomputed.

Months are worked in *rounds*: every family whose next event or checkpoint falls before
the end of the months being worked (one month for ``step``; the whole run for ``run``, or a
year at a time when progress is reported) takes its
next one, all such families at once (arrays, :mod:`sim.state`); their rates and next times
are recomputed in one pass; families still due go round again. Families are independent
of each other, so each family's events are exactly those of one family stepped alone in
time order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.agents.child import AGE_OUT_MONTHS
from sim.agents.family import N_CLOCKS, Clock, Location
from sim.parameters import AGE5, AGE16
from sim.state import INF

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel

_IN_CARE, _AT_HOME = int(Location.IN_CARE), int(Location.AT_HOME)
_K = np.arange(N_CLOCKS)


class Engine:
    """Clocks and due times of one model's families."""

    def __init__(self, model: "RevolvingDoorModel") -> None:
        self.m = model
        self.clock_stream = model.streams.keyed("clock")
        self.activations = 0  # family activations (events and checkpoints)
        self.rounds = 0  # rounds worked (each over every family due)
        self.events = 0  # random family events fired

    # ------------------------------------------------------------------ clocks
    def kid_birth(self, f: np.ndarray) -> np.ndarray:
        """Birth times of families' children, one row a family, NaN for an empty slot."""
        kids = self.m.families.kids[f]
        births = self.m.children_table.birth_time[np.maximum(kids, 0)]
        return np.where(kids >= 0, births, np.nan)

    def _advance(self, f: np.ndarray, t: np.ndarray) -> None:
        """Use up ``rate * dt`` of each running clock's budget since the last update."""
        F = self.m.families
        dt = (t - F.t_last[f])[:, None]
        r = F.rates[f]
        b = F.budget[f]
        run = (r > 0.0) & (dt > 0.0)
        F.budget[f] = np.where(run, np.maximum(b - r * dt, 0.0), b)
        F.t_last[f] = t

    def reschedule(self, f: np.ndarray, t: np.ndarray) -> None:
        """Recompute families' rates, draw budgets for clocks that start running, and set
        each family's next due time: its earliest clock or checkpoint."""
        if len(f) == 0:
            return
        m, F = self.m, self.m.families
        births = self.kid_birth(f)
        council = F.council[f]
        r = m.hazards.compute(F, f, t, births, m.council_propensity[council],
                              m.council_thoroughness[council])
        F.rates[f] = r
        b = F.budget[f]
        fresh = (r > 0.0) & (b < 0.0)
        if fresh.any():
            i, k = np.nonzero(fresh)
            b[i, k] = self.clock_stream.exponential_many(F.uid[f[i]], k, F.fired[f[i], k])
            F.budget[f] = b
        with np.errstate(divide="ignore"):
            due = np.where(r > 0.0, t[:, None] + b / np.where(r > 0.0, r, 1.0), INF)
        kind = np.argmin(due, axis=1)
        best = due[np.arange(len(f)), kind]
        cp = self._next_checkpoint(f, t, births)
        check = cp < best
        F.due[f] = np.where(check, cp, best)
        F.due_kind[f] = np.where(check | ~np.isfinite(best), -1, kind)

    def restart(self, f: np.ndarray, t: float) -> None:
        """Families ``f``'s hazards changed at time ``t`` from outside them (a council's
        practice, :mod:`sim.pressure`): use their clocks' budgets up to ``t`` and
        reschedule them from there (the budgets carry over)."""
        tt = np.full(len(f), t)
        self._advance(f, tt)
        self.reschedule(f, tt)

    def _next_checkpoint(self, f: np.ndarray, t: np.ndarray, births: np.ndarray) -> np.ndarray:
        """The earliest deterministic moment after ``t`` at which families' rates change."""
        F, early = self.m.families, self.m.hazards.early_months
        tt = t[:, None]
        care = (F.location[f] == _IN_CARE)[:, None]
        # in care: the end of the early months, children turning 5 and 16 (exit hazards)
        in_care = np.column_stack([F.episode_start[f] + early, births + AGE5, births + AGE16])
        # at home: early months, the case closing, support ending, treatment
        at_home = np.column_stack([F.return_time[f] + early, F.close_at[f],
                                   F.support_until[f], F.treatment_due[f], F.treatment_end[f],
                                   np.full((len(f), 2), np.nan)])
        cand = np.where(care, in_care, at_home)
        cand = np.column_stack([cand, births + AGE_OUT_MONTHS])  # a child turning 18
        cand = np.where(cand > tt, cand, INF)  # NaN (no child) compares False
        return cand.min(axis=1)

    # ------------------------------------------------------------------ a month
    def run_until(self, end: float) -> None:
        """Take every family's events and checkpoints due before ``end``, in rounds."""
        F = self.m.families
        n = F.n
        f = np.nonzero(F.due[:n] < end)[0]
        while len(f):
            self.step(f)
            f = f[F.due[f] < end]

    def step(self, f: np.ndarray) -> None:
        """Families ``f`` take their next event or checkpoint, at their own due times."""
        F, tr = self.m.families, self.m.transitions
        t = F.due[f].copy()
        self.rounds += 1
        self.activations += len(f)
        self._advance(f, t)
        kind = F.due_kind[f].copy()
        fire = kind >= 0
        if fire.any():
            g, kg = f[fire], kind[fire]
            self.events += len(g)
            F.fired[g, kg] += 1
            F.budget[g, kg] = -1.0  # a fresh budget is drawn when the clock next runs
            tg = t[fire]
            for k in np.unique(kg):
                sel = kg == k
                self._fire(int(k), g[sel], tg[sel])
        home = F.location[f] == _AT_HOME
        if home.any():
            tr.checkpoints(f[home], t[home])
        # a child turning 18 is a checkpoint of the family's (never an event's time)
        birthday = (kind < 0) & (F.location[f] != int(Location.GONE))
        if birthday.any():
            tr.children_turn_18(f[birthday], t[birthday])
        live = F.location[f] != int(Location.GONE)
        F.due[f[~live]] = INF
        self.reschedule(f[live], t[live])

    def _fire(self, kind: int, f: np.ndarray, t: np.ndarray) -> None:
        tr = self.m.transitions
        if kind == Clock.RETURN:
            tr.return_home(f, t)
        elif kind == Clock.UNPLANNED_RETURN:
            tr.return_home(f, t, planned=False)
        elif kind == Clock.EXIT:
            tr.leave_care(f, t)
        elif kind <= Clock.PROBLEM_MENTAL_HEALTH:
            tr.problem_changes(f, kind - int(Clock.PROBLEM_SUBSTANCE), t)
        elif kind == Clock.MALTREATMENT:
            tr.maltreatment(f, t)
        elif kind == Clock.DETECTION:
            tr.detection(f, t)
        elif kind == Clock.BREAKDOWN:
            tr.reenter(f, t, maltreatment=False)
