"""The page's charts, drawn with Matplotlib's object interface (no pyplot, no global state).

Every function takes the month-by-month rows of :class:`sim.viz.classroom.ClassroomModel`
(and, where it helps to compare, the rows of the previous run) and returns a Figure with
plain-English labels and units on both axes.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.lines import Line2D

from sim.agents.child import ChildState
from sim.viz.classroom import COST_GROUPS, Journey, MonthRow

#: Colours, shared by every chart so that "in care" looks the same everywhere.
IN_CARE = "#d95f02"
HOME_OPEN = "#1b9e77"
HOME_CLOSED = "#66c2a5"
ENTRY_SHADES = ("#fdae6b", "#e6550d", "#a63603")  # 1st, 2nd, 3rd+ time in care
DETECTED = "#7570b3"
UNDETECTED = "#e7298a"
COSTS = ("#d95f02", "#7570b3", "#1b9e77")
PREVIOUS = "#777777"
LEFT = "#999999"

SIZE = (6.4, 3.5)
MONTHS = "Months since month 0"


def _figure() -> tuple[Figure, object]:
    fig = Figure(figsize=SIZE, dpi=90)
    fig.subplots_adjust(left=0.14, right=0.98, bottom=0.14, top=0.91)  # faster than
    ax = fig.add_subplot()  # constrained layout, which matters when playing
    ax.grid(True, alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _xlim(ax: object, rows: Sequence[MonthRow]) -> None:
    ax.set_xlim(0, max(12, rows[-1].month if rows else 0))  # type: ignore[attr-defined]
    ax.set_xlabel(MONTHS)  # type: ignore[attr-defined]


def where_children_are(rows: Sequence[MonthRow],
                       previous: Sequence[MonthRow] | None = None) -> Figure:
    """Children in care and at home after a return (case open or closed), each month."""
    fig, ax = _figure()
    m = [r.month for r in rows]
    ax.plot(m, [r.in_care for r in rows], color=IN_CARE, lw=2, label="In care")
    ax.plot(m, [r.home_case_open for r in rows], color=HOME_OPEN, lw=2,
            label="At home after a return, council still visiting")
    ax.plot(m, [r.home_case_closed for r in rows], color=HOME_CLOSED, lw=2, ls="-.",
            label="At home after a return, case closed")
    if previous:
        pm = [r.month for r in previous]
        ax.plot(pm, [r.in_care for r in previous], color=PREVIOUS, lw=1, ls="--",
                label="Previous run: in care")
        ax.plot(pm, [r.home_after_return for r in previous], color=PREVIOUS, lw=1, ls=":",
                label="Previous run: at home after a return")
    ax.set_ylabel("Children")
    top = max([r.in_care for r in rows] + [r.in_care for r in previous or []] + [1])
    ax.set_ylim(0, top * 1.45)  # room for the legend
    _xlim(ax, rows)
    ax.set_title("Where the children are")
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    return fig


def revolving_door(rows: Sequence[MonthRow]) -> Figure:
    """Children in care by how many times they have come into care, each month."""
    fig, ax = _figure()
    m = [r.month for r in rows]
    series = [[r.in_care_by_entry[k] for r in rows] for k in range(3)]
    ax.stackplot(m, *series, colors=ENTRY_SHADES,
                 labels=("First time in care", "Second time", "Third time or more"))
    last = rows[-1]
    ax.set_ylabel("Children in care")
    ax.set_ylim(0, max([r.in_care for r in rows] + [1]) * 1.35)  # room for the legend
    _xlim(ax, rows)
    ax.set_title("The revolving door: children in care by entry")
    ax.legend(fontsize=7, loc="upper left", ncol=3, title=(
        f"Since month 0: {last.returns} went home, {last.reentries} came back"),
        title_fontsize=7)
    return fig


def maltreatment(rows: Sequence[MonthRow]) -> Figure:
    """Maltreatment at home after a return since month 0: found out or not (yet)."""
    fig, ax = _figure()
    m = [r.month for r in rows]
    detected = [min(r.maltreatment_detected, r.maltreatment_started) for r in rows]
    undetected = [r.maltreatment_started - d for r, d in zip(rows, detected)]
    ax.stackplot(m, detected, undetected, colors=(DETECTED, UNDETECTED), alpha=0.8,
                 labels=("Council found out", "Council did not find out (yet)"))
    ax.plot(m, [r.harmed_unknown for r in rows], color="black", lw=1.5, ls="--",
            label="Being maltreated right now, council does not know")
    ax.set_ylabel("Children maltreated at home\n(total since month 0)")
    ax.set_ylim(bottom=0)
    _xlim(ax, rows)
    ax.set_title("Maltreatment after going home")
    ax.legend(fontsize=7, loc="upper left")
    return fig


def costs(rows: Sequence[MonthRow], price_year: int,
          previous: Sequence[MonthRow] | None = None) -> Figure:
    """Cumulative cost to the council since month 0, by kind, in GBP million."""
    fig, ax = _figure()
    m = [r.month for r in rows]
    series = [[r.cost_gbp[k] / 1e6 for r in rows] for k in range(len(COST_GROUPS))]
    ax.stackplot(m, *series, colors=COSTS, alpha=0.85,
                 labels=[label for label, _ in COST_GROUPS])
    if previous:
        ax.plot([r.month for r in previous], [sum(r.cost_gbp) / 1e6 for r in previous],
                color="black", lw=1, ls="--", label="Previous run: total")
    ax.set_ylabel(f"Cost since month 0\n(GBP million, {price_year} prices)")
    ax.set_ylim(bottom=0)
    _xlim(ax, rows)
    ax.set_title("Cost to the council")
    ax.legend(fontsize=7, loc="upper left")
    return fig


def journeys(items: Sequence[Journey], now: int) -> Figure:
    """Followed children's journeys as timelines: in care, at home, maltreatment, leaving."""
    height = 0.5 * max(len(items), 3) + 1.2
    fig = Figure(figsize=(12.8, height), dpi=90)
    fig.subplots_adjust(left=0.16, right=0.98, bottom=0.55 / height, top=1 - 0.4 / height)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, axis="x", alpha=0.3)
    colour = {ChildState.IN_CARE: IN_CARE, ChildState.HOME_AFTER_RETURN: HOME_OPEN}
    width = max(12, now)
    labels = []
    for row, j in enumerate(items):
        for s in j.segments:
            if s.end <= s.start:
                continue
            ax.broken_barh([(s.start, s.end - s.start)], (row - 0.35, 0.7),
                           color=colour.get(s.state, LEFT))
            if s.entry and s.end - s.start > width / 14:
                ax.text((s.start + s.end) / 2, row, f"in care, {_ordinal(s.entry)} time",
                        ha="center", va="center", fontsize=7, color="white")
        for t in j.maltreated_at:
            ax.plot([t], [row], marker="X", color="black", ms=9, ls="none")
        if j.left_at is not None:
            ax.plot([j.left_at], [row], marker="|", color="black", ms=18, mew=3, ls="none")
            ax.annotate("turned 18" if j.left_from_home else "left care (adopted, guardian,"
                        " other or 18)", (j.left_at, row), xytext=(6, -3),
                        textcoords="offset points", fontsize=7)
        if j.entries_before:
            labels.append(f"Child {j.child_id}, age {int(j.age_years)} at month 0")
        else:
            labels.append(f"Child {j.child_id}, age {int(j.age_years)} at entry")
    ax.set_yticks(range(len(items)), labels, fontsize=8)
    ax.set_ylim(len(items) - 0.5 if items else 2.5, -0.5)
    ax.set_xlim(0, width)
    ax.set_xlabel(MONTHS)
    if not items:
        ax.text(width / 2, 1, "No child to follow yet: press Step", ha="center",
                fontsize=10)
    ax.legend(handles=[Patch(color=IN_CARE, label="In care"),
                       Patch(color=HOME_OPEN, label="At home after a return"),
                       Line2D([], [], marker="X", color="black", ls="none",
                              label="Maltreated at home (first time in that return)"),
                       Line2D([], [], marker="|", color="black", ls="none", ms=12, mew=3,
                              label="Left the model")],
              fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4,
              frameon=False)
    return fig


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
