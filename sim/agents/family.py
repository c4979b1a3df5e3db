"""The Family agent: parents' problems, a sibling group, and the family's event clocks.

A family is the unit that goes home and comes back: siblings move together (a child can
still leave alone by turning 18). A family's state is a row of the model's family table
(:mod:`sim.state`); the :class:`Family` agent is a view on that row, made only when someone
asks for one (``model.agents``). Nothing steps a family every month. Its next event is
sampled from its current hazards with the *modified next reaction method* (Anderson
2007), for all due families at once (:mod:`sim.engine`): each kind of event has its own clock, a unit-exponential budget drawn from the
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


from sim.agents.child import ChildState, EntryReason
from sim.agents.view import RowView
from sim.state import FAMILY_COLUMNS

if TYPE_CHECKING:
    from sim.agents.child import Child
    from sim.agents.council import LocalAuthority

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




class Family(RowView):
    """Parents and a sibling group: a view on the family's row of the model's family table.

    Reading an attribute reads the row (``family.case_open``, ``family.unresolved``, ...,
    every column of :data:`sim.state.FAMILY_COLUMNS`); so does writing one, which is how a
    user can change a family between two steps. ``council`` is the
    :class:`~sim.agents.council.LocalAuthority` agent, ``children`` the family's
    :class:`~sim.agents.child.Child` agents.
    """

    table = "families"
    columns = frozenset(FAMILY_COLUMNS)

    convert = {"location": lambda v: Location(int(v)),
               "support_mode": lambda v: SupportMode(int(v)),
               "reason": lambda v: EntryReason(int(v))}

    @property
    def council(self) -> "LocalAuthority":
        return self.model.councils[int(self.model.families.council[self.row])]

    @property
    def children(self) -> list["Child"]:
        return self.model.child_views(self.model.families.kids[self.row])

    @property
    def n_unresolved(self) -> int:
        return int(self.model.families.unresolved[self.row].sum())

    def children_in(self, state: ChildState) -> list["Child"]:
        return [c for c in self.children if c.state == state]

    def treating(self, t: float) -> bool:
        return bool(self.treatment_start <= t < self.treatment_end)

    def step(self) -> None:
        """Families are stepped by the model, all due families at once (:mod:`sim.engine`);
        stepping one view does nothing."""
