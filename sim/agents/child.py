"""The Child agent: a child who has come into care, and their history."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.view import RowView
from sim.state import CHILD_COLUMNS

if TYPE_CHECKING:
    from sim.agents.family import Family

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
    """A child's placement while in care. The last two are reached only by a move
    (placements over a period of care, :mod:`sim.placements`, off by default)."""

    FOSTER = 0  # foster care with carers other than family or friends
    RESIDENTIAL = 1  # children's homes, secure units, hostels
    KINSHIP = 2  # foster care with family or friends
    WITH_PARENTS = 3  # placed with parents (still looked after)
    OTHER = 4  # semi-independent or independent living, residential schools, custody


class ExitKind(IntEnum):
    """How an episode of care ends."""

    RETURNED_HOME = 0
    ADOPTED = 1
    GUARDIANSHIP = 2
    OTHER = 3
    AGED_OUT = 4


class Child(RowView):
    """A child in the system: a view on the child's row of the model's child table.

    Attributes that describe history (``entries``, ``returns``, ``failed_returns``,
    ``maltreatment_episodes``, ``months_in``) are updated when something happens to the
    child, never by stepping the child every month. ``family`` is the
    :class:`~sim.agents.family.Family` agent; ``return_record`` the open return record
    (a view, :mod:`sim.records`) while the child is at home after a return.
    """

    table = "children_table"
    columns = frozenset(CHILD_COLUMNS)

    convert = {"state": lambda v: ChildState(int(v)),
               "reason": lambda v: EntryReason(int(v)),
               "placement": lambda v: None if v < 0 else Placement(int(v)),
               "first_return_time": lambda v: None if np.isnan(v) else float(v)}

    @property
    def family(self) -> "Family":
        return self.model.family_view(int(self.model.children_table.family[self.row]))

    @property
    def return_record(self) -> object | None:
        rec = int(self.model.children_table.record[self.row])
        return None if rec < 0 else self.model.records.returns[rec]

    def age_months(self, t: float) -> float:
        return t - self.birth_time

    @property
    def age_out_time(self) -> float:
        return self.birth_time + AGE_OUT_MONTHS

    def step(self) -> None:
        """Children are moved by the model (:mod:`sim.engine`); stepping one view does
        nothing."""


