"""The Family agent: parents' problems, a sibling group, and the family's event clocks.

A family is the unit that goes home and comes back: siblings move together (a child can
still leave alone by turning 18). Nothing steps a family every month. Its next event is
sampled from its current hazards with the *modified next reaction method* (Anderson
2007): each kind of event has its own clock, a unit-exponential budget drawn from the
keyed ``clock`` stream; while a hazard ``h`` (a rate per month) holds for ``dt`` months,
``h * dt`` of the budget is used; the event fires when its budget runs out. When the
family's situation changes (a problem resolves, a case closes, support starts) the rates
are recomputed and the family is rescheduled; the budgets carry over, so the change moves
the timing of events without drawing new numbers. That makes the dynamics exact for
piecewise-constant hazards and keeps common random numbers across policies.

Deterministic moments (the case closing, support ending, the end of the early months after
an entry or a return, a child turning 5 or 16) are *checkpoints*: the family is activated
then, and its rates are recomputed.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import TYPE_CHECKING

import mesa

from sim.agents.child import ChildState, EntryReason
from sim.parameters import AGE5, AGE16
from sim.rng import KeyedStream

if TYPE_CHECKING:
    from sim.agents.child import Child
    from sim.agents.council import LocalAuthority
    from sim.model import RevolvingDoorModel

INF = math.inf


class Clock(IntEnum):
    """Kinds of random family event, each with its own exponential clock."""

    RETURN = 0  # children in care go home
    EXIT = 1  # children in care leave another way (adoption, guardianship, other)
    PROBLEM_SUBSTANCE = 2  # the problem resolves, or (if resolved) relapses
    PROBLEM_DOMESTIC_ABUSE = 3
    PROBLEM_MENTAL_HEALTH = 4
    MALTREATMENT = 5  # harm starts at home (what happens to the child)
    DETECTION = 6  # the council finds out (what the council sees)
    BREAKDOWN = 7  # the return breaks down for other reasons
    UNPLANNED_RETURN = 8  # children in voluntary care go home without a plan (see below)


N_CLOCKS = len(Clock)
PROBLEMS: tuple[str, ...] = ("substance", "domestic_abuse", "mental_health")
SUBSTANCE = 0


class Location(IntEnum):
    IN_CARE = 0
    AT_HOME = 1
    GONE = 2  # left care another way or all children grown up: no longer simulated


class SupportMode(IntEnum):
    NONE = 0
    STATUS_QUO = 1  # council's usual offer: low level, ends when the case closes
    ENTITLED = 2  # matched to need, for as long as needed (support entitlement policy)


_CLOCKS: tuple[Clock, ...] = tuple(Clock)  # Clock(k) without the enum call
_IN_CARE, _AT_HOME, _GONE = Location.IN_CARE, Location.AT_HOME, Location.GONE
_AGE_CHECKPOINTS = (AGE5, AGE16)
_exponential_from = KeyedStream.exponential_from


class Family(mesa.Agent):
    """Parents and a sibling group, and everything that happens to them after entry."""

    def __init__(self, model: "RevolvingDoorModel", council: "LocalAuthority",
                 reason: EntryReason, present: list[bool]) -> None:
        super().__init__(model)
        self.council = council
        self.reason = reason
        self.children: list["Child"] = []
        self.present = list(present)  # has the problem (now or in the past)
        self.unresolved = list(present)  # has it now
        self.location = Location.IN_CARE
        self.care_order = False
        self.episodes = 0
        self.returns = 0
        self.episode_start = 0.0
        # after a return
        self.return_time = -INF
        self.case_open = False
        self.close_at = INF
        self.close_with_concerns = True
        self.support_mode = SupportMode.NONE
        self.support_level = 0  # 0 none, 1 low, 2 medium, 3 high
        self.support_until = INF
        self.support_cap_at = INF
        self.support_taper = 0.0
        self.engaged = True
        self.treatment_due = INF  # when an offered treatment episode will start
        self.treatment_start = INF
        self.treatment_end = -INF
        self.treated = False
        self.in_harm = False
        self.harm_start = 0.0
        self.substance_at_return = False
        #: the current return was unplanned: parents removed the children from voluntary
        #: accommodation, a child ran home, or a placement broke down (Farmer 2014)
        self.unplanned = False
        self.over6_at_return = False  # the eldest child was over six at the current return
        self.frailty = 1.0  # unmeasured risk multiplier (AfterReturnParams.frailty_variance)
        self.u_support = 1.0  # this return's random numbers, shared by status quo and policy
        self.u_treatment = 1.0
        self.support_low_months = 0.0
        #: support entitlement, Holmes design: the level assessed at the return is kept for
        #: its fixed length (``support_months_by_level``), not reassessed
        self.support_fixed = False
        self.support_months_by_level = (0.0, 0.0, 0.0, 0.0)
        # event engine
        self.t_last = 0.0
        self.rates = [0.0] * N_CLOCKS
        self.fired = [0] * N_CLOCKS
        self.budget = [-1.0] * N_CLOCKS  # drawn when the clock first gets a positive rate
        self.due_kind = -1
        self._running: list[int] = []  # clocks with a positive rate, set by _reschedule
        self._clock_prefix = -1  # the clock stream's hash of this family's id, once known
        self.schedule_token = 0

    # ------------------------------------------------------------------ engine
    # The hot path of the model (see docs/performance.md): every activation runs
    # ``_advance`` and ``_reschedule``. Locals and module constants stand in for repeated
    # attribute and enum look-ups; the arithmetic is exactly that of the method's
    # description, in the same order, so results do not depend on these details.
    def _advance(self, t: float) -> None:
        """Use up ``rate * dt`` of each running clock's budget since the last update."""
        dt = t - self.t_last
        if dt > 0:
            b, r = self.budget, self.rates
            for k in self._running:
                x = b[k] - r[k] * dt
                b[k] = x if x > 0.0 else 0.0
        self.t_last = t

    def refresh(self, t: float) -> None:
        """Something outside the family changed its hazards: recompute and reschedule."""
        if self.location == _GONE:
            return
        self._advance(t)
        self._reschedule(t)

    def _reschedule(self, t: float) -> None:
        """Recompute the rates, draw budgets for clocks that start running, and put the
        family in the calendar at its earliest clock or checkpoint."""
        model = self.model
        model.hazards.compute(self, t)
        best, kind = INF, -1
        b, r = self.budget, self.rates
        running = []
        for k in range(N_CLOCKS):
            rk = r[k]
            if rk > 0.0:
                running.append(k)
                bk = b[k]
                if bk < 0.0:
                    z = self._clock_prefix
                    if z < 0:
                        z = self._clock_prefix = model.clock_stream.prefix(self.unique_id)
                    bk = b[k] = _exponential_from(z, k, self.fired[k])
                due = t + bk / rk
                if due < best:
                    best, kind = due, k
        self._running = running
        cp = self._next_checkpoint(t)
        if cp < best:
            best, kind = cp, -1
        self.due_kind = kind
        if best < INF:
            model.calendar.schedule(self, best)

    def _next_checkpoint(self, t: float) -> float:
        """The earliest deterministic moment after ``t`` at which the rates change."""
        early = self.model.k.early_months
        nxt = INF
        if self.location == _IN_CARE:
            c = self.episode_start + early
            if t < c:
                nxt = c
            for child in self.children:
                birth = child.birth_time
                age = t - birth
                for threshold in _AGE_CHECKPOINTS:  # 5 and 16 years: exit hazards change
                    if age < threshold:
                        c = birth + threshold
                        if t < c < nxt:
                            nxt = c
        else:
            for c in (self.return_time + early, self.close_at, self.support_until,
                      self.treatment_due, self.treatment_end):
                if t < c < nxt:
                    nxt = c
        return nxt

    def step(self) -> None:
        """Process the family's due event, then reschedule (called by the calendar)."""
        model = self.model
        t = model.now
        self._advance(t)
        kind = self.due_kind
        if kind >= 0:
            model.calendar.events += 1
            self.fired[kind] += 1
            self.budget[kind] = -1.0  # a fresh budget is drawn when the clock next runs
            self._fire(_CLOCKS[kind], t)
        location = self.location
        if location == _AT_HOME:
            self._checkpoints(t)
            location = self.location
        if location != _GONE:
            self._reschedule(t)

    # ------------------------------------------------------------------ events
    def _fire(self, kind: Clock, t: float) -> None:
        m = self.model
        if kind == Clock.RETURN:
            m.transitions.return_home(self, t)
        elif kind == Clock.UNPLANNED_RETURN:
            m.transitions.return_home(self, t, planned=False)
        elif kind == Clock.EXIT:
            m.transitions.leave_care(self, t)
        elif kind <= Clock.PROBLEM_MENTAL_HEALTH:
            self._problem_changes(kind - Clock.PROBLEM_SUBSTANCE, t)
        elif kind == Clock.MALTREATMENT:
            m.transitions.maltreatment(self, t)
        elif kind == Clock.DETECTION:
            m.transitions.detection(self, t)
        elif kind == Clock.BREAKDOWN:
            m.transitions.reenter(self, t, maltreatment=False)

    def _problem_changes(self, j: int, t: float) -> None:
        self.unresolved[j] = not self.unresolved[j]
        if self.location != Location.AT_HOME:
            return
        if self.support_mode == SupportMode.ENTITLED:
            self.model.transitions.reassess_support(self, t)
        if (self.case_open and not self.close_with_concerns and t >= self.close_at
                and not any(self.unresolved)):
            self.model.transitions.close_case(self, t)

    def _checkpoints(self, t: float) -> None:
        tr = self.model.transitions
        if self.case_open and t >= self.close_at:
            if self.close_with_concerns or not any(self.unresolved):
                tr.close_case(self, t)
        if self.support_level and t >= self.support_until:
            tr.end_support(self, t)
        if self.treatment_due <= t:
            tr.start_treatment(self, t)

    # ------------------------------------------------------------------ helpers
    @property
    def n_unresolved(self) -> int:
        return sum(self.unresolved)

    def children_in(self, state: ChildState) -> list["Child"]:
        return [c for c in self.children if c.state == state]

    def treating(self, t: float) -> bool:
        return self.treatment_start <= t < self.treatment_end
