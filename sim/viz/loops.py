"""The browser page's causal-loop diagram: councils under pressure (issue 26).

:func:`diagram_svg` draws the model's main loops as an SVG: each stock or variable with its
value now, each link with its direction (+ or -) and, for the links the pressure mechanism
adds (:data:`sim.pressure.LINKS`), its current strength (the multiplier of the council's
reference practice) or "off". Loops are named with their polarity, counted from the signs
of their links (:func:`polarity`). :func:`pressure_chart` draws the council's caseload and
budget pressure month by month, the previous run as a dashed ghost line and a mark where
support was cut. :func:`LoopPanel` puts both on the page with a switch for the mechanism
and a "Cut support now" button (the shock, applied at once, mid-run).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from sim.pressure import LINKS

if TYPE_CHECKING:
    from sim.viz.classroom import ClassroomModel, MonthRow

#: share of the support offer the page's button cuts
CUT_SHARE = 0.5


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    sign: int  # +1: more of the source, more of the target; -1: less
    practice: str | None = None  # the pressure link (sim.pressure.LINKS) it draws, if any
    bend: float = 0.0  # how far the curve bows to the left of its direction, pixels
    label_at: float = 0.5  # where along the curve its label sits (0 source, 1 target)


#: three rows: the false-economy loop round the top two, the caseload loops below
NODES: tuple[Node, ...] = (
    Node("support", "Families offered support", 200, 70),
    Node("monitoring", "Months a case stays open", 530, 70),
    Node("budget", "Placement spend / budget", 860, 70),
    Node("failed", "Failed returns (last 12 months)", 200, 220),
    Node("in_care", "Children in care", 530, 220),
    Node("spend", "Placement spend a month", 860, 220),
    Node("thoroughness", "Assessment before a return", 200, 370),
    Node("returns", "Planned returns (last 12 months)", 530, 370),
    Node("caseload", "Cases per social worker", 860, 370),
)

ARROWS: tuple[Arrow, ...] = (
    Arrow("support", "failed", -1),
    Arrow("failed", "in_care", +1),
    Arrow("in_care", "spend", +1),
    Arrow("spend", "budget", +1),
    Arrow("budget", "support", -1, "support_share", bend=110),
    Arrow("in_care", "caseload", +1),
    Arrow("caseload", "thoroughness", -1, "thoroughness", bend=-120),
    Arrow("thoroughness", "failed", -1),
    Arrow("caseload", "monitoring", -1, "monitoring_months", label_at=0.7),
    Arrow("caseload", "returns", -1, "return_propensity"),
    Arrow("returns", "failed", +1),
    Arrow("returns", "in_care", -1),
)

#: the loops the page names: (label, the nodes in order, what it means)
LOOPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("false economy", ("support", "failed", "in_care", "spend", "budget"),
     "less support, more failed returns, more placements, less left for support"),
    ("rushed returns", ("in_care", "caseload", "thoroughness", "failed"),
     "more cases, less thorough assessment, more failed returns, more cases"),
    ("returns held back", ("in_care", "caseload", "returns"),
     "more cases, fewer returns, children stay in care"),
    ("fewer returns to fail", ("in_care", "caseload", "returns", "failed"),
     "more cases, fewer returns, fewer failed returns, fewer children back in care"),
)


def polarity(nodes: Sequence[str]) -> str:
    """'R' (reinforcing) or 'B' (balancing): the product of the signs round the loop."""
    signs = {(a.source, a.target): a.sign for a in ARROWS}
    product = 1
    for i, n in enumerate(nodes):
        product *= signs[(n, nodes[(i + 1) % len(nodes)])]
    return "R" if product > 0 else "B"


def node_values(model: "ClassroomModel") -> dict[str, str]:
    """Each node's value now, as the diagram shows it."""
    p = model.pressure
    m = model.month - 1
    c = model.councils[0]
    hist = model.history
    last = hist[-1]
    year_ago = hist[-13] if len(hist) > 12 else hist[0]
    cases = float(p.cases[m, 0]) if m >= 0 else 0.0
    workers = float(p.workforce[0]) if p.workforce is not None else math.nan
    spend = float(p.spend[m, 0]) if m >= 0 else 0.0
    return {
        "support": f"{100 * c.support_share:.0f}% of returning families",
        "failed": f"{last.reentries - year_ago.reentries}",
        "in_care": f"{last.in_care}",
        "thoroughness": f"thoroughness {c.thoroughness:.2f}",
        "caseload": (f"{cases / workers:.1f} ({workers:.1f} social workers)"
                     if workers == workers and workers > 0 else "not set yet"),
        "spend": f"£{spend:,.0f}",
        "budget": (f"{last.budget_pressure:.2f} x budget" if p.workforce is not None
                   else "not set yet"),
        "monitoring": f"{float(model.council_monitoring_months[0]):.1f} months",
        "returns": f"{last.returns - year_ago.returns}",
    }


def link_labels(model: "ClassroomModel") -> dict[str, str]:
    """Each pressure link's label: its current strength, or 'off'."""
    p = model.pressure
    strengths = p.strengths()
    out = {}
    for link in LINKS:
        e = float(getattr(p.p, link.elasticity))
        out[link.practice] = (f"x{strengths[link.practice]:.2f} (e {e:g})" if p.p.enabled
                              else "off")
    return out


def diagram_svg(model: "ClassroomModel") -> str:
    """The causal-loop diagram now, as an SVG document (class names for the browser
    test: ``rd-node`` with ``data-node``, ``rd-link`` with ``data-link``)."""
    values = node_values(model)
    labels = link_labels(model)
    pos = {n.key: n for n in NODES}
    w, h, bw, bh = 980, 440, 180, 54
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
             f'width="100%" style="max-width:{w}px;font-family:sans-serif">',
             '<defs><marker id="rd-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>']

    def edge(ux: float, uy: float) -> float:
        """Distance from a box's centre to its edge in direction (ux, uy)."""
        tx = (bw / 2) / abs(ux) if ux else math.inf
        ty = (bh / 2) / abs(uy) if uy else math.inf
        return min(tx, ty)

    for a in ARROWS:
        s, t = pos[a.source], pos[a.target]
        dx, dy = t.x - s.x, t.y - s.y
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        k = edge(ux, uy)
        x1, y1 = s.x + ux * k, s.y + uy * k
        x2, y2 = t.x - ux * k, t.y - uy * k
        cx, cy = (x1 + x2) / 2 - uy * a.bend, (y1 + y2) / 2 + ux * a.bend
        q = a.label_at  # the quadratic curve's point there
        lx = (1 - q) ** 2 * x1 + 2 * q * (1 - q) * cx + q ** 2 * x2
        ly = (1 - q) ** 2 * y1 + 2 * q * (1 - q) * cy + q ** 2 * y2
        vertical = abs(ux) < 0.3
        anchor = "start" if vertical else "middle"
        lx, ly = (lx + 6, ly + 4) if vertical else (lx, ly - 5)
        colour = "#b03030" if a.practice else "#444"
        name = a.practice or f"{a.source}-{a.target}"
        text = ("+" if a.sign > 0 else "\u2212") + (
            f" {labels[a.practice]}" if a.practice else "")
        parts.append(
            f'<g class="rd-link" data-link="{name}">'
            f'<path d="M {x1:.1f} {y1:.1f} Q {cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}" '
            f'fill="none" stroke="{colour}" stroke-width="1.6" '
            f'marker-end="url(#rd-arrow)"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" fill="{colour}" '
            f'text-anchor="{anchor}" class="rd-link-label">{escape(text)}</text></g>')
    for n in NODES:
        parts.append(
            f'<g class="rd-node" data-node="{n.key}">'
            f'<rect x="{n.x - bw / 2}" y="{n.y - bh / 2}" width="{bw}" height="{bh}" rx="8" '
            f'fill="#f4f6fb" stroke="#556"/>'
            f'<text x="{n.x}" y="{n.y - 6}" font-size="12.5" text-anchor="middle" '
            f'font-weight="bold">{escape(n.label)}</text>'
            f'<text x="{n.x}" y="{n.y + 14}" font-size="12.5" text-anchor="middle" '
            f'class="rd-value">{escape(values[n.key])}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def pressure_chart(rows: Sequence["MonthRow"], previous: Sequence["MonthRow"] | None,
                   shocks: Sequence[int]) -> Figure:
    """Caseload and budget pressure month by month (1 = the reference level), the
    previous run dashed, a vertical line where support was cut."""
    fig = Figure(figsize=(7.5, 2.8))
    ax = fig.subplots()
    for series, colour, label in (("caseload_pressure", "#1f77b4", "caseload pressure"),
                                  ("budget_pressure", "#d62728", "budget pressure")):
        if previous:
            ax.plot([r.month for r in previous], [getattr(r, series) for r in previous],
                    "--", color=colour, alpha=0.45, label=f"{label}, previous run")
        ax.plot([r.month for r in rows], [getattr(r, series) for r in rows], color=colour,
                label=label)
    for s in shocks:
        ax.axvline(s, color="black", lw=1, ls=":")
        ax.text(s, ax.get_ylim()[1], " support cut", va="top", fontsize=8)
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_xlabel("Month")
    ax.set_ylabel("x reference level")
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


GUIDE = """
**Feedback loops.** Each box is something the council has or does; each arrow says what
happens to the box it points at when the one it leaves rises (**+** the same way,
**−** the other way). Red arrows are the council under pressure: when it has more cases
per social worker, or spends more on placements than its budget, it assesses less
thoroughly, closes cases sooner, offers support to fewer families and plans fewer
returns, after a delay (it notices over 6 months and acts 6 months later, at quarterly
reviews). Their labels show how far each practice has moved (x1.00: not at all). How
strongly councils react is a judgement, not a measured fact. Turn the switch on, run a
year or two, press **Cut support now** and watch the loop; Reset keeps this run as the
dashed line.
"""


@solara.component
def LoopPanel(model: "ClassroomModel", previous: Sequence["MonthRow"] | None) -> None:
    """The diagram, the switch, the shock button and the pressure chart (class
    ``rd-loops`` for the browser test)."""
    update_counter.get()

    def redraw() -> None:
        update_counter.value += 1

    def switch(on: bool) -> None:
        model.set_feedback(on)
        redraw()

    def cut() -> None:
        model.cut_support_now(CUT_SHARE)
        redraw()

    with solara.Card("Feedback loops: a council under pressure", classes=["rd-loops"]):
        solara.Markdown(GUIDE)
        with solara.Row():
            solara.Switch(label="Council under pressure (feedback on)",
                          value=bool(model.pressure.p.enabled), on_value=switch,
                          classes=["rd-feedback-switch"])
            solara.Button(f"Cut support now (by {CUT_SHARE:.0%})", on_click=cut,
                          classes=["rd-cut-support"])
        loops = "; ".join(f"**{polarity(nodes)}** {name}: {what}"
                          for name, nodes, what in LOOPS)
        solara.Markdown(f"Loops (R reinforcing, B balancing): {loops}.",
                        style={"font-size": "0.9em"})
        solara.HTML(tag="div", unsafe_innerHTML=diagram_svg(model),
                    classes=["rd-loop-diagram"])
        with solara.Column(classes=["rd-loop-chart"], style={"padding": "0"}):
            solara.FigureMatplotlib(pressure_chart(model.history, previous, model.shocks),
                                    format="png")


__all__ = ["ARROWS", "CUT_SHARE", "LOOPS", "LoopPanel", "NODES", "diagram_svg",
           "link_labels", "node_values", "polarity", "pressure_chart"]
