"""The educators' view: the revolving door in the browser (Mesa SolaraViz page).

Start it with ``revolving-door-app`` (or ``python -m sim.app``), then open
http://127.0.0.1:8765. Options: ``--port`` (0 = any free port), ``--host``.

The page simulates one council with a few hundred children (:class:`ClassroomModel`).
Before month 0 it steps through a warm-up (5 years by default) so that the council already
has children in care, some for the second or third time; the policies start at month 0.
Mesa's controls are in the sidebar: Reset (start again with the sliders' values), the play
button (a triangle symbol) and Step (one month). Sliders take effect on Reset.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Sequence
from typing import Any

#: Without the [viz] extra the page cannot start: one line, not an import traceback.
VIZ_MISSING = ("revolving-door-app: the browser page needs the [viz] extra (Mesa's browser "
               "view, Solara): pip install \"revolving-door[viz]\", or pip install -e "
               "\".[viz]\" in a clone of the repository")
if importlib.util.find_spec("solara") is None:  # pragma: no cover - tested in a subprocess
    print(VIZ_MISSING, file=sys.stderr)
    sys.exit(2)
# Solara checks the hooks of every component it imports, Mesa's too, and warns about one of
# Mesa 3.3.1's (not the page's): off, so start-up prints no library warning
os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")

import solara  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from sim.config import CouncilPractice  # noqa: E402
from sim.viz import charts, loops  # noqa: E402
from sim.viz.classroom import COST_GROUPS, FOLLOW_GROUPS, ClassroomModel, MonthRow  # noqa: E402

#: The browser tab's title.
TITLE = "Revolving Door: children going home from care"

_TYPICAL = CouncilPractice()

#: The sidebar's sliders and switches (Mesa SolaraViz ``model_params``): keyword arguments
#: of :class:`ClassroomModel`. Defaults are the library's "typical council" practice.
MODEL_PARAMS: dict[str, dict[str, Any]] = {
    "seed": {"type": "SliderInt", "label": "Random seed (same seed, same children)",
             "value": 1, "min": 1, "max": 100, "step": 1},
    "children_per_year": {"type": "SliderInt",
                          "label": "Council size: children coming into care a year",
                          "value": 150, "min": 50, "max": 600, "step": 25},
    "warmup_years": {"type": "SliderInt",
                     "label": "Years simulated before month 0 (warm-up, years)",
                     "value": 5, "min": 0, "max": 10, "step": 1},
    # --- the council's own practice
    "return_propensity": {"type": "SliderFloat",
                          "label": "Council: how readily it sends children home "
                                   "(1 = typical)",
                          "value": _TYPICAL.return_propensity, "min": 0.25, "max": 3.0,
                          "step": 0.25},
    "thoroughness": {"type": "SliderFloat",
                     "label": "Council: how thoroughly it checks parents' problems before a "
                              "return (0 = not at all, 1 = always)",
                     # a step of 0.01 so that the typical value (0.43) is a slider position:
                     # a coarser step showed 0.45 while the model ran with 0.43
                     "value": round(_TYPICAL.thoroughness, 2), "min": 0.0, "max": 1.0,
                     "step": 0.01},
    "council_monitoring_months": {"type": "SliderInt",
                                  "label": "Council: months it keeps visiting after a return "
                                           "(months)",
                                  "value": _TYPICAL.monitoring_months, "min": 0, "max": 36,
                                  "step": 1},
    "support_share_pct": {"type": "SliderInt",
                          "label": "Council: families offered some support after a return "
                                   "(%)",
                          "value": round(100 * _TYPICAL.support_share), "min": 0,
                          "max": 100, "step": 5},
    # --- policies (from month 0)
    "support_entitlement": {"type": "Checkbox",
                            "label": "Policy: support entitlement (every returning family "
                                     "gets support matched to its needs)",
                            "value": False},
    "support_cap_months": {"type": "SliderInt",
                           "label": "Policy: longest entitled support lasts (months; 0 = as "
                                    "long as needed)",
                           "value": 0, "min": 0, "max": 36, "step": 3},
    "min_monitoring_months": {"type": "SliderInt",
                              "label": "Policy: cases stay open at least (months after a "
                                       "return)",
                              "value": 0, "min": 0, "max": 36, "step": 3},
    "close_with_concerns": {"type": "Checkbox",
                            "label": "Policy: a case may close while a parent's problem is "
                                     "unresolved",
                            "value": True},
    "treatment_share_pct": {"type": "SliderInt",
                            "label": "Policy: families with drug or alcohol problems who get "
                                     "treatment (%)",
                            "value": round(100 * _TYPICAL.treatment_share), "min": 0,
                            "max": 100, "step": 1},  # the typical 6% is a position
}

EXPLANATION = """
**What this page simulates.** One made-up English council, month by month. Families' children
come into care (how many, their ages, why, and their parents' problems such as drug or alcohol
misuse, domestic abuse or mental illness follow national statistics). Each month some
children go home to their parents. At home some are maltreated again; the council finds out
far more often while it is still visiting (the case is open); and some children come back
into care: the *revolving door*. Others leave care another way (adoption, guardianship,
turning 18). How readily the council sends children home, how thoroughly it checks first,
how long it keeps visiting, and whether families get support or drug and alcohol treatment
change these chances. **Where the numbers come from:** rates are set from studies of
children returning home in England (Farmer and colleagues 2011, Goldacre and colleagues
2022, NSPCC 2012 and 2013) and DfE statistics; costs from published unit costs (National
Audit Office 2014, Holmes 2014 and 2024), all in 2024 prices. Every parameter and its source
is listed by `revolving-door-params`. This is a teaching model: it shows how the system
behaves, not a forecast for a real council.

**How to use it.** Set the sliders and switches in the sidebar (each shows its value at
its right), press **Reset** to start a new run with them (the previous run stays on two
charts as a dashed line), then **Step** or the play button (&#9654;). Two of the sidebar's
controls are Mesa's own, not the model's: **Play Interval** is the pause between months
while playing (milliseconds), and **Render Interval** is how many months one Step or one
redraw moves on (1 = a month at a time).
"""


#: Sidebar sliders: label on its own line above the track, so long plain-English labels
#: leave the slider its full width.
CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label { flex: 0 0 100%; max-width: 100%;
  white-space: normal; height: auto; margin-bottom: 2px; }
.rd-chart img { max-width: 100%; height: auto; }
/* every slider shows its value: Vuetify 2 keeps it in a hidden read-only input */
.v-input__slider .v-slider { margin-right: 3.6em; position: relative; }
.v-input__slider .v-slider input { display: block; position: absolute; right: -3.6em;
  top: 50%; transform: translateY(-50%); width: 3.2em; text-align: right; color: inherit;
  font-size: 0.95em; font-variant-numeric: tabular-nums; }
/* Mesa's "Use Threads" switch (the only checkbox of its Controls card) does nothing for a
   model this small: hidden */
.v-navigation-drawer .v-card:first-child .v-input--checkbox { display: none; }
"""


def _gbp(x: float) -> str:
    return f"£{x / 1e6:,.1f} million" if x >= 1e6 else f"£{x:,.0f}"


def settings_text(s: dict[str, Any]) -> str:
    """The run's settings in plain English (what the charts below were made with)."""
    if s["support_entitlement"]:
        cap = (f"for up to {s['support_cap_months']} months" if s["support_cap_months"]
               else "for as long as it is needed")
        support = f"support entitlement ON: every returning family gets support {cap}"
    else:
        support = "support entitlement off (each family's support as the council offers it)"
    monitoring = (f"cases stay open at least {s['min_monitoring_months']} months"
                  if s["min_monitoring_months"] else "no minimum time a case stays open")
    concerns = ("may close while a parent's problem is unresolved"
                if s["close_with_concerns"] else "never close while a parent's problem is "
                "unresolved")
    return (f"**This run** (seed {s['seed']}, {s['warmup_years']} warm-up years). "
            f"Council: about {s['children_per_year']} children come into care a year; it sends "
            f"children home {s['return_propensity']:.2g} times as readily as a typical council, "
            f"checks parents' problems with thoroughness {s['thoroughness']:.2f}, keeps "
            f"visiting {s['council_monitoring_months']} months after a return and offers "
            f"support to {s['support_share_pct']}% of returning families. Policies from month "
            f"0: {support}; {monitoring}, and cases {concerns}; treatment for "
            f"{s['treatment_share_pct']}% of families with drug or alcohol problems.")


@solara.component
def Counts(row: MonthRow, price_year: int) -> None:
    """The key numbers for the current month (class ``rd-counts`` for the browser test)."""
    a, b, c = row.in_care_by_entry
    cost = sum(row.cost_gbp)
    with solara.Card(f"Month {row.month}", classes=["rd-counts"]):
        solara.Markdown(
            f"- **Children in care: {row.in_care}** ({a} for the first time, {b} for the "
            f"second, {c} for the third time or more)\n"
            f"- **At home after a return: {row.home_after_return}** (council still visiting "
            f"{row.home_case_open})\n"
            f"- Since month 0: **{row.returns}** went home, **{row.reentries}** came back "
            f"into care, {row.left_other} left care another way\n"
            f"- Maltreated at home after a return since month 0: "
            f"**{row.maltreatment_started}**; the council found out about "
            f"**{row.maltreatment_detected}**; being maltreated right now without the "
            f"council knowing: **{row.harmed_unknown}**\n"
            f"- Cost to the council since month 0: **{_gbp(cost)}** ({price_year} prices): "
            + "; ".join(f"{label.split(' (')[0].lower()} {_gbp(v)}"
                        for (label, _), v in zip(COST_GROUPS, row.cost_gbp)))


@solara.component
def Chart(figure: Any, name: str) -> None:
    """A Matplotlib chart, wrapped in a div the browser test can find by class."""
    with solara.Column(classes=["rd-chart", f"rd-chart-{name}"], style={"padding": "0"}):
        solara.FigureMatplotlib(figure, format="png")


@solara.component
def Dashboard(model: ClassroomModel, previous: Sequence[MonthRow] | None) -> None:
    """Everything in the main area; redrawn after every step (Mesa's update counter)."""
    update_counter.get()
    group, set_group = solara.use_state("new")
    by_label = {label: key for key, (label, _) in FOLLOW_GROUPS.items()}
    rows = model.history
    row = rows[-1]
    price_year = model.ledger.price_year
    with solara.Column(style={"max-width": "1400px"}):
        solara.Markdown(EXPLANATION)
        solara.Markdown(settings_text(model.settings), style={"font-size": "0.9em"})
        Counts(row, price_year)
        loops.LoopPanel(model, previous)  # councils under pressure (issue 26)
        with solara.Columns([1, 1]):
            Chart(charts.where_children_are(rows, previous), "where")
            Chart(charts.revolving_door(rows), "door")
        with solara.Columns([1, 1]):
            Chart(charts.maltreatment(rows), "harm")
            Chart(charts.costs(rows, price_year, previous), "cost")
        with solara.Card("Follow six children"):
            solara.ToggleButtonsSingle(value=FOLLOW_GROUPS[group][0],
                                       on_value=lambda label: set_group(by_label[label]),
                                       values=list(by_label))
            solara.Text(f"Showing {FOLLOW_GROUPS[group][1]}. Each bar is one child: orange "
                        "while in care, green while at home after a return; a cross marks "
                        "maltreatment at home.")
            Chart(charts.journeys(model.followed(group), model.page_month), "journeys")


@solara.component
def Page() -> None:
    """One run per browser tab: its own model, rebuilt by Mesa's Reset button."""
    model = solara.use_reactive(solara.use_memo(lambda: ClassroomModel(**_defaults()), []))
    shown = solara.use_ref(model.value)
    previous = solara.use_ref(None)
    if shown.current is not model.value:  # Reset made a new model: keep the old one's rows
        previous.current = list(shown.current.history)
        shown.current.release()  # Mesa 3.3.1 keeps models alive otherwise (issue 3179)
        shown.current = model.value
    solara.Title(TITLE)  # the browser tab
    solara.Style(CSS)
    SolaraViz(model, components=[], model_params=MODEL_PARAMS, play_interval=300,
              name=TITLE)
    Dashboard(model.value, previous.current)


def _defaults() -> dict[str, Any]:
    return {name: spec["value"] for name, spec in MODEL_PARAMS.items()}


def main(argv: Sequence[str] | None = None) -> None:
    """Start the page on a local port with Solara's server (replaces this process)."""
    parser = argparse.ArgumentParser(
        prog="revolving-door-app",
        description="Start the Revolving Door educators' page in the browser.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on "
                        "(default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8765,
                        help="port (default 8765; 0 = any free port)")
    args = parser.parse_args(argv)
    cmd = [sys.executable, "-m", "solara", "run", "sim.app:Page", "--host", args.host,
           "--port", str(args.port), "--production", "--no-open", "--no-check-version",
           "--log-level", "warning"]
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no calls home
    # no library warnings at start-up (the hooks check is off above): Solara's note that a
    # cookie on http://127.0.0.1 falls back to samesite=lax, as it should on this machine
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    os.environ["PYTHONWARNINGS"] = ",".join(
        w for w in (os.environ.get("PYTHONWARNINGS", ""), quiet) if w)
    print(f"Revolving Door page: http://{args.host}:{args.port}  (Ctrl-C to stop)",
          flush=True)
    os.execv(sys.executable, cmd)


if __name__ == "__main__":
    main()
