"""Agent state in arrays: one row an agent, one column an attribute (issue 15).

The model owns a :class:`Table` of families and one of children. A month's work is done
over rows at once (hazards for every due family in one pass, events drawn in bulk,
transitions applied in bulk); the Mesa agents users meet (:mod:`sim.agents`) are thin
views on these rows, made only when someone asks for them.

Rows are never reused: a family or child that leaves the system keeps its row, marked
gone, so a row number is a stable handle for the whole run. Columns grow by doubling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

INF = np.inf

#: family columns: name -> (dtype, width (0 = scalar), initial value)
FAMILY_COLUMNS: dict[str, tuple[Any, int, Any]] = {
    "uid": (np.int64, 0, -1),  # the family's unique id (keys its random numbers)
    "council": (np.int64, 0, 0),
    "reason": (np.int64, 0, 0),  # EntryReason at first entry
    "present": (np.bool_, 3, False),  # parental problem ever present (substance, DA, MH)
    "unresolved": (np.bool_, 3, False),  # the problem now
    "location": (np.int64, 0, 0),  # Location
    "care_order": (np.bool_, 0, False),
    "episodes": (np.int64, 0, 0),
    "returns": (np.int64, 0, 0),
    "episode_start": (np.float64, 0, 0.0),
    "return_time": (np.float64, 0, -INF),
    "case_open": (np.bool_, 0, False),
    "close_at": (np.float64, 0, INF),
    "close_with_concerns": (np.bool_, 0, True),
    "support_mode": (np.int64, 0, 0),  # SupportMode
    "support_level": (np.int64, 0, 0),  # 0 none, 1 low, 2 medium, 3 high
    "support_until": (np.float64, 0, INF),
    "support_cap_at": (np.float64, 0, INF),
    "support_taper": (np.float64, 0, 0.0),
    "support_low_months": (np.float64, 0, 0.0),
    "support_fixed": (np.bool_, 0, False),  # Holmes' design: level kept for a fixed length
    "support_months_by_level": (np.float64, 4, 0.0),
    "engaged": (np.bool_, 0, True),
    "treatment_due": (np.float64, 0, INF),
    "treatment_start": (np.float64, 0, INF),
    "treatment_end": (np.float64, 0, -INF),
    "treated": (np.bool_, 0, False),
    "in_harm": (np.bool_, 0, False),
    "harm_start": (np.float64, 0, 0.0),
    "substance_at_return": (np.bool_, 0, False),
    "unplanned": (np.bool_, 0, False),
    "over6_at_return": (np.bool_, 0, False),
    "fragile": (np.bool_, 0, False),  # a return not viable from the start (issue 21)
    "frailty": (np.float64, 0, 1.0),
    "u_support": (np.float64, 0, 1.0),
    "u_treatment": (np.float64, 0, 1.0),
    # the children (rows of the child table, -1 for an empty slot), eldest first
    "kids": (np.int64, 3, -1),
    # event engine (sim.engine)
    "t_last": (np.float64, 0, 0.0),
    "rates": (np.float64, 9, 0.0),
    "fired": (np.int64, 9, 0),
    "budget": (np.float64, 9, -1.0),  # drawn when the clock first gets a positive rate
    "due": (np.float64, 0, INF),  # time of the next event or checkpoint
    "due_kind": (np.int64, 0, -1),  # Clock of the next event, -1 a checkpoint
}

#: child columns
CHILD_COLUMNS: dict[str, tuple[Any, int, Any]] = {
    "uid": (np.int64, 0, -1),
    "family": (np.int64, 0, -1),  # row of the family table
    "birth_time": (np.float64, 0, 0.0),  # model month of birth (can be negative)
    "reason": (np.int64, 0, 0),
    "state": (np.int64, 0, 0),  # ChildState
    "state_since": (np.float64, 0, 0.0),
    "placement": (np.int64, 0, -1),  # Placement, -1 never placed
    "care_order": (np.bool_, 0, False),
    "entries": (np.int64, 0, 0),
    "returns": (np.int64, 0, 0),
    "failed_returns": (np.int64, 0, 0),
    "maltreatment_episodes": (np.int64, 0, 0),
    "first_return_time": (np.float64, 0, np.nan),
    "months_in": (np.float64, 4, 0.0),  # months spent in each ChildState
    "record": (np.int64, 0, -1),  # row of the open return record while at home
}


class Table:
    """Columns of equal length that grow together; ``n`` rows in use."""

    def __init__(self, columns: dict[str, tuple[Any, int, Any]], capacity: int = 1024) -> None:
        self._spec = columns
        self.n = 0
        self._cap = max(1, capacity)
        for name, (dtype, width, init) in columns.items():
            shape = (self._cap, width) if width else (self._cap,)
            setattr(self, name, np.full(shape, init, dtype=dtype))

    def add(self, k: int) -> np.ndarray:
        """``k`` new rows at their initial values; returns their row numbers."""
        need = self.n + k
        if need > self._cap:
            cap = self._cap
            while cap < need:
                cap *= 2
            for name, (dtype, width, init) in self._spec.items():
                old = getattr(self, name)
                shape = (cap, width) if width else (cap,)
                new = np.full(shape, init, dtype=dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
            self._cap = cap
        rows = np.arange(self.n, need)
        self.n = need
        return rows

    def column_names(self) -> tuple[str, ...]:
        return tuple(self._spec)
