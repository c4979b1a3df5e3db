"""The Child agent: a child who has come into care, and their history."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.agents.family import Family
    from sim.model import RevolvingDoorModel

#: Age at which a child leaves care (or stops being followed at home), in months.
AGE_OUT_MONTHS = 18 * 12


class ChildState(IntEnum):
    """Where a child is. Each child is in exactly one state at a time."""

    HOME_BEFORE_CARE = 0  # living at home before their first entry
    IN_CARE = 1
    HOME_AFTER_RETURN = 2  # back with parents or relatives after a return from care
    LEFT_CARE_OTHER = 3  # adoption, special guardianship, other exits, aged out at 18


class EntryReason(IntEnum):
    """Main reason for the first entry to care (DfE category of need, simplified)."""

    NEGLECT = 0
    OTHER_ABUSE = 1
    OTHER = 2  # e.g. family dysfunction, absent parenting, short voluntary accommodation


class Placement(IntEnum):
    FOSTER = 0
    RESIDENTIAL = 1
    KINSHIP = 2


class ExitKind(IntEnum):
    """How an episode of care ends."""

    RETURNED_HOME = 0
    ADOPTED = 1
    GUARDIANSHIP = 2
    OTHER = 3
    AGED_OUT = 4


class Child(mesa.Agent):
    """A child in the system. Activated only on their 18th birthday; families move them.

    Attributes that describe history (``entries``, ``returns``, ``failed_returns``,
    ``maltreatment_episodes``, ``months_in``) are updated when something happens to the
    child, never by stepping the child every month.
    """

    def __init__(self, model: "RevolvingDoorModel", family: "Family", birth_time: float,
                 reason: EntryReason) -> None:
        super().__init__(model)
        self.family = family
        self.birth_time = birth_time  # model month of birth (can be negative)
        self.reason = reason
        self.state = ChildState.HOME_BEFORE_CARE
        self.state_since = birth_time
        self.placement: Placement | None = None
        self.care_order = False
        self.entries = 0
        self.returns = 0
        self.failed_returns = 0
        self.maltreatment_episodes = 0
        self.first_return_time: float | None = None
        self.months_in = [0.0, 0.0, 0.0, 0.0]  # months spent in each ChildState
        self.return_record: object | None = None  # the open ReturnRecord while at home
        self.schedule_token = 0

    def age_months(self, t: float) -> float:
        return t - self.birth_time

    @property
    def age_out_time(self) -> float:
        return self.birth_time + AGE_OUT_MONTHS

    def move_to(self, state: ChildState, t: float) -> None:
        """Change state, accruing the months spent in the old one."""
        self.months_in[self.state] += max(0.0, t - self.state_since)
        self.state = state
        self.state_since = t

    def step(self) -> None:
        """The child's only own event: turning 18 (leaves care, or stops being followed)."""
        self.model.transitions.child_turns_18(self)
