"""The initial stock: the children a run starts with, as one plain table.

A run normally starts from an empty system and fills it in its warm-up. A run from a
council's data (``councils.mode: from_data``) starts instead from the children that council
had at its extract date: every child in care then, and every child at home after a return
home who may still come back. :func:`sim.ssda903.seed.initial_table` builds that table from
SSDA903; :meth:`sim.model.RevolvingDoorModel.seed_population` puts it into the model. The
table is the interface between the two: whatever engine runs the model only has to read it.

One row a child. Children of one family share ``family`` and every family column. Times
are model months, month 0 being the start of the run (the extract date), so the past is
negative.

======================  =====  ==============================================================
column                  type   meaning
======================  =====  ==============================================================
``family``              int    the family (sibling group) the child belongs to, 0, 1, ...
``council``             int    index of the run's council
``location``            str    ``in_care`` or ``at_home`` (at home after a return home)
``reason``              int    :class:`~sim.agents.child.EntryReason` of the family (family)
``age_months``          float  the child's age at month 0, in months (under 18 years)
``care_order``          bool   the current (in care) or last (at home) period of care was
                               under a care order (family)
``placement``           int    :class:`~sim.agents.child.Placement` (in care: 0-2, or 0-4 with
                               placements over a period of care); -1 at home
``period_start``        float  when the current or last period of care began (<= 0) (family)
``return_time``         float  when the children went home (< 0); NaN in care (family)
``unplanned``           bool   that return was unplanned (SSDA903 ``E4B``) (family)
``episodes``            int    periods of care so far, the current or last one included
``returns``             int    returns home so far, the last one included (at home)
``first_return_time``   float  the child's first return home seen (NaN if none)
``problems``            int    parents' problems, ever (bits: 1 substance misuse, 2 domestic
                               abuse, 4 mental health) (family)
``unresolved``          int    those still unresolved at month 0 (same bits) (family)
``frailty``             float  the family's unmeasured risk multiplier (family)
======================  =====  ==============================================================

"(family)": the same for every child of the family.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The columns, in order, with their pandas dtypes.
COLUMNS: dict[str, str] = {
    "family": "int64", "council": "int64", "location": "object", "reason": "int64",
    "age_months": "float64", "care_order": "bool", "placement": "int64",
    "period_start": "float64", "return_time": "float64", "unplanned": "bool",
    "episodes": "int64", "returns": "int64", "first_return_time": "float64",
    "problems": "int64", "unresolved": "int64", "frailty": "float64",
}
LOCATIONS = ("in_care", "at_home")
#: Columns every child of a family shares.
FAMILY_COLUMNS = ("council", "location", "reason", "care_order", "period_start",
                  "return_time", "unplanned", "problems", "unresolved", "frailty")
#: A child of 18 has left care (months).
AGE_OUT = 18 * 12


def empty() -> pd.DataFrame:
    """A table with the columns and no rows."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def check(table: pd.DataFrame, placement_types: int = 3) -> None:
    """Raise ``ValueError`` naming the column when the table breaks its definition (a
    wrong engine input must fail at once, not halfway through a run). ``placement_types``:
    5 in a run with placements over a period of care (placed with parents 3, other 4)."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"initial stock: missing columns {', '.join(missing)}")
    bad: list[str] = []
    loc = table["location"]
    home = loc == "at_home"
    if not loc.isin(LOCATIONS).all():
        bad.append("location (allowed: in_care, at_home)")
    if not ((table["age_months"] >= 0) & (table["age_months"] < AGE_OUT)).all():
        bad.append("age_months (allowed: 0 to under 216)")
    if not (table["period_start"] <= 0).all():
        bad.append("period_start (allowed: <= 0)")
    if not (table.loc[home, "return_time"] < 0).all() or \
            table.loc[~home, "return_time"].notna().any():
        bad.append("return_time (allowed: < 0 at home, NaN in care)")
    if not (table.loc[home, "return_time"] >= table.loc[home, "period_start"]).all():
        bad.append("return_time (allowed: not before period_start)")
    allowed = list(range(placement_types))
    if not table.loc[~home, "placement"].isin(allowed).all():
        bad.append(f"placement (allowed: {', '.join(map(str, allowed))} in care)")
    if not (table["episodes"] >= 1).all() or not (table.loc[home, "returns"] >= 1).all():
        bad.append("episodes or returns (allowed: at least 1; returns at least 1 at home)")
    if not ((table["unresolved"] & ~table["problems"]) == 0).all():
        bad.append("unresolved (allowed: a subset of problems)")
    if len(table):
        g = table.groupby("family", sort=False)
        differ = [c for c in FAMILY_COLUMNS if (g[c].nunique(dropna=False) > 1).any()]
        if differ:
            bad.append(f"{', '.join(differ)} (allowed: one value a family)")
    if bad:
        raise ValueError(f"initial stock: bad column {'; '.join(bad)}")


def bits(flags: np.ndarray) -> np.ndarray:
    """Rows of three booleans (substance, domestic abuse, mental health) as bit masks."""
    return (np.asarray(flags, dtype=np.int64) * np.array([1, 2, 4])).sum(axis=1)
