"""A small, watchable Revolving Door system for the browser view.

:class:`ClassroomModel` is :class:`sim.model.RevolvingDoorModel` with one council, plain
keyword arguments (what Mesa's SolaraViz needs to rebuild a model on Reset), and a month
by month record of what the page draws. Before the page's month 0 it steps through a
warm-up (``warmup_years``) so that the council already has children in care, on their
first, second or third entry, when the page starts; the policies start at month 0.
Slider defaults are read from the library's defaults, never copied here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sim.agents.child import Child, ChildState
from sim.config import CouncilPractice
from sim.ledger import COMPONENTS, GROUPS
from sim.model import RevolvingDoorModel
from sim.parameters import Parameters
from sim.pressure import Pressure
from sim.records import END_REENTERED, FLOW_FIELDS, ReturnView

_TYPICAL = CouncilPractice()
#: England's children entering care a year at ``scale = 1`` (library default).
ENGLAND_CHILDREN_PER_YEAR: float = Parameters().entry.children_per_year

#: Cost groups on the page: (label, ledger components).
COST_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Placements (foster, residential, kinship care)", GROUPS["placement"]),
    ("Social work and court proceedings", GROUPS["process"]),
    ("Support after a return (visits, family support, treatment)", GROUPS["after_return"]),
)
_COST_INDEX = [[COMPONENTS.index(c) for c in comps] for _, comps in COST_GROUPS]
_FLOW = {name: i for i, name in enumerate(FLOW_FIELDS)}

#: How many children each "follow" group holds.
FOLLOWED = 6


@dataclass
class MonthRow:
    """What the page shows for one month (month 0 = the page's start)."""

    month: int
    in_care_by_entry: tuple[int, int, int]  # children in care on their 1st, 2nd, 3rd+ entry
    home_case_open: int  # children at home after a return, council still visiting
    home_case_closed: int  # children at home after a return, case closed
    harmed_unknown: int  # children being maltreated at home now, not (yet) known to council
    returns: int  # children who went home since month 0
    reentries: int  # children who came back into care since month 0
    left_other: int  # children who left care another way since month 0 (adopted, 18, ...)
    maltreatment_started: int  # children maltreated at home after a return, since month 0
    maltreatment_detected: int  # of which the council found out, since month 0
    cost_gbp: tuple[float, float, float]  # cumulative cost since month 0, by COST_GROUPS
    #: councils under pressure (sim.pressure): caseload and budget pressure (1 = the
    #: reference level), and the support offer now
    caseload_pressure: float = 1.0
    budget_pressure: float = 1.0
    support_share: float = math.nan

    @property
    def in_care(self) -> int:
        return sum(self.in_care_by_entry)

    @property
    def home_after_return(self) -> int:
        return self.home_case_open + self.home_case_closed


@dataclass
class Person:
    """A child the page can follow: how they stood when the page first saw them."""

    child_id: int
    start: float  # page months: 0, or when they came into care after month 0
    birth_time: float  # model months
    entries_before: int  # entries to care before ``start``
    start_state: ChildState
    left_at: float | None = None  # page months, when they left the model
    returns: list[ReturnView] = field(default_factory=list)  # returns home after start


@dataclass(frozen=True)
class Segment:
    """A stretch of a child's journey, in page months."""

    start: float
    end: float
    state: ChildState
    entry: int = 0  # which entry to care a stretch in care is (1 = first); 0 at home


@dataclass(frozen=True)
class Journey:
    """A followed child's journey, ready to draw."""

    child_id: int
    age_years: float  # at the start of the journey
    entries_before: int  # entries to care before the journey starts (0: starts by entering)
    segments: tuple[Segment, ...]
    maltreated_at: tuple[float, ...]  # first maltreatment of each return home, page months
    left_at: float | None
    left_from_home: bool

    @property
    def moves(self) -> int:
        return sum(1 for s in self.segments[1:] if s.state != ChildState.LEFT_CARE_OTHER)


#: Groups of children the page can follow, by key: (button label, description).
FOLLOW_GROUPS: dict[str, tuple[str, str]] = {
    "new": ("First into care after month 0",
            "the first six children to come into care after month 0"),
    "back": ("Back in care at month 0",
             "six children who were in care at month 0 for the second time or more"),
    "moves": ("Moved most since month 0",
              "the six children who moved between care and home most since month 0 (the "
              "group changes as the run goes on)"),
}


class ClassroomModel(RevolvingDoorModel):
    """One council, a few hundred children, policies and practice set by keyword.

    Args:
        seed: random seed (same seed, same children and the same random draws).
        children_per_year: size of the council, in children entering care a year.
        warmup_years: years simulated before the page's month 0.
        return_propensity: how readily the council returns children home (1 = typical).
        thoroughness: how thoroughly parents' problems are checked before a return, 0-1.
        council_monitoring_months: months the council keeps a case open after a return.
        support_share_pct: share of returning families the council offers support to, %.
        support_entitlement: the support entitlement policy (support matched to need).
        support_cap_months: longest entitled support lasts, months (0 = as long as needed).
        min_monitoring_months: monitoring policy, minimum months a case stays open.
        close_with_concerns: may a case close while a parent's problem is unresolved.
        treatment_share_pct: treatment access policy, % of families with drug or alcohol
            problems who get treatment.
        years: months the page can run, in years after month 0.
        feedback: councils under pressure (:mod:`sim.pressure`) from the start; the page
            can switch it (:meth:`set_feedback`) and cut support (:meth:`cut_support_now`)
            at any month, so this model always keeps the pressures.
    """

    def __init__(self, *, seed: int = 1, children_per_year: int = 150, warmup_years: int = 5,
                 return_propensity: float = _TYPICAL.return_propensity,
                 thoroughness: float = _TYPICAL.thoroughness,
                 council_monitoring_months: int = _TYPICAL.monitoring_months,
                 support_share_pct: int = round(100 * _TYPICAL.support_share),
                 support_entitlement: bool = False, support_cap_months: int = 0,
                 min_monitoring_months: int = 0, close_with_concerns: bool = True,
                 treatment_share_pct: int = round(100 * _TYPICAL.treatment_share),
                 years: int = 10, feedback: bool = False) -> None:
        self.settings: dict[str, Any] = dict(
            seed=int(seed), children_per_year=int(children_per_year),
            warmup_years=int(warmup_years), return_propensity=float(return_propensity),
            thoroughness=float(thoroughness),
            council_monitoring_months=int(council_monitoring_months),
            support_share_pct=int(support_share_pct),
            support_entitlement=bool(support_entitlement),
            support_cap_months=int(support_cap_months),
            min_monitoring_months=int(min_monitoring_months),
            close_with_concerns=bool(close_with_concerns),
            treatment_share_pct=int(treatment_share_pct), years=int(years),
            feedback=bool(feedback))
        super().__init__(classroom_config(**self.settings))
        if self.pressure is None:  # the page can switch feedback on, or cut, at any month
            self.pressure = Pressure(self)
        self.shocks: list[int] = []  # page months at which support was cut
        self.history: list[MonthRow] = []
        self.people: dict[int, Person] = {}  # children seen from month 0 on
        self.back_at_start: list[int] = []  # in care at month 0, second entry or more
        self._returns_seen = 0
        self._id_cutoff = -1  # agents created after month 0 have larger ids
        for _ in range(self.config.measure_start):
            self.step()
        if not self.history:
            self._record()
        self.steps = 0  # Mesa's step counter (shown by SolaraViz) counts page months

    def cut_support_now(self, share: float = 0.5) -> None:
        """Cut the council's support offer by ``share`` now (the page's button)."""
        self.pressure.cut_now(support=share)
        self.shocks.append(self.page_month)

    def set_feedback(self, on: bool) -> None:
        """Councils under pressure on or off from now (the page's switch)."""
        self.pressure.switch(on)
        self.settings["feedback"] = bool(on)

    @property
    def page_month(self) -> int:
        return self.month - self.config.measure_start

    def step(self) -> None:
        super().step()
        if self.month >= self.config.measure_start:
            self._record()

    # ------------------------------------------------------------------ recording
    def _record(self) -> None:
        ms = self.config.measure_start
        p = self.page_month
        children = list(self.agents_by_type.get(Child, []))
        by_entry = [0, 0, 0]
        home_open = home_closed = harmed = 0
        for c in children:
            if c.state == ChildState.IN_CARE:
                by_entry[min(c.entries, 3) - 1] += 1
            elif c.state == ChildState.HOME_AFTER_RETURN:
                if c.family.case_open:
                    home_open += 1
                else:
                    home_closed += 1
                if c.family.in_harm:
                    harmed += 1
        flows = self.timeseries.flows[ms:self.month].sum(axis=(0, 1))
        amounts = self.ledger.amounts[ms:self.month].sum(axis=(0, 1))
        cost = tuple(float(amounts[idx].sum()) for idx in _COST_INDEX)
        self.history.append(MonthRow(
            month=p, in_care_by_entry=(by_entry[0], by_entry[1], by_entry[2]),
            home_case_open=home_open, home_case_closed=home_closed, harmed_unknown=harmed,
            returns=int(flows[_FLOW["returns"]]), reentries=int(flows[_FLOW["reentries"]]),
            left_other=int(flows[_FLOW["exits_other"]]),
            maltreatment_started=int(flows[_FLOW["maltreatment_starts"]]),
            maltreatment_detected=int(flows[_FLOW["maltreatment_detected"]]),
            cost_gbp=cost, **self._pressure_now()))  # type: ignore[arg-type]
        self._follow(children, p)

    def _pressure_now(self) -> dict[str, float]:
        p, m = self.pressure, self.month - 1
        if p is None or m < 0:
            return {}
        return {"caseload_pressure": float(p.caseload[m, 0]),
                "budget_pressure": float(p.budget[m, 0]),
                "support_share": float(self.council_support_share[0])}

    def _follow(self, children: list[Child], p: int) -> None:
        """Note the children the page can follow: everyone present at month 0 and everyone
        who comes into care later; index their returns home (exact times)."""
        ms = self.config.measure_start
        if p == 0:
            for c in children:
                self.people[c.unique_id] = Person(
                    c.unique_id, 0.0, c.birth_time, c.entries, c.state,
                    returns=[c.return_record] if c.return_record is not None else [])
            self.back_at_start = sorted(c.unique_id for c in children
                                        if c.state == ChildState.IN_CARE and c.entries >= 2)
            self._id_cutoff = max((a.unique_id for a in self.agents), default=0)
            self._returns_seen = len(self.records.returns)  # warm-up returns: not followed
        else:
            for c in children:
                if c.unique_id > self._id_cutoff and c.unique_id not in self.people:
                    start = _entry_time(c, ms + p - 1.0)
                    self.people[c.unique_id] = Person(c.unique_id, start - ms, c.birth_time, 0,
                                                      ChildState.IN_CARE)
        for rec in self.records.returns[self._returns_seen:]:
            person = self.people.get(rec.child)
            if person is not None:
                person.returns.append(rec)
        self._returns_seen = len(self.records.returns)

    def deregister_agent(self, agent: Any) -> None:
        """Mesa calls this when an agent leaves: note when a followed child left."""
        if isinstance(agent, Child) and self._id_cutoff >= 0:
            person = self.people.get(agent.unique_id)
            if person is not None:
                person.left_at = agent.state_since - self.config.measure_start
        super().deregister_agent(agent)

    # ------------------------------------------------------------------ following
    def followed(self, group: str, n: int = FOLLOWED) -> list[Journey]:
        """Up to ``n`` children's journeys, for a key of :data:`FOLLOW_GROUPS`."""
        if group == "new":
            ids = sorted(cid for cid in self.people if cid > self._id_cutoff)[:n]
        elif group == "back":
            ids = self.back_at_start[:n]
        elif group == "moves":
            scored = sorted(self.people, key=lambda cid: (-self._moves(cid), cid))
            ids = [cid for cid in scored[:n] if self._moves(cid) > 0]
        else:
            raise ValueError(f"unknown group {group!r}; allowed: {', '.join(FOLLOW_GROUPS)}")
        return [self.journey(cid) for cid in ids]

    def _moves(self, cid: int) -> int:
        ms = self.config.measure_start
        person = self.people[cid]
        return sum((r.time >= ms + person.start) + (r.end_kind == END_REENTERED)
                   for r in person.returns)

    def journey(self, cid: int) -> Journey:
        """One child's journey from the page's first sight of them to now (or leaving)."""
        ms = self.config.measure_start
        person = self.people[cid]
        now = float(self.page_month)
        stop = now if person.left_at is None else min(person.left_at, now)
        segments: list[Segment] = []
        cursor, state = person.start, person.start_state
        entry = person.entries_before if person.entries_before else 1
        harm: list[float] = []
        left_from_home = False
        for rec in sorted(person.returns, key=lambda r: r.time):
            if not math.isnan(rec.end_time) and rec.end_time - ms < person.start:
                continue  # ended before the page first saw the child
            t0 = max(rec.time - ms, person.start)
            if t0 > cursor:
                segments.append(Segment(cursor, t0, ChildState.IN_CARE, entry))
            end = rec.end_time - ms if not math.isnan(rec.end_time) else stop
            end = min(end, stop)
            segments.append(Segment(t0, max(end, t0), ChildState.HOME_AFTER_RETURN))
            if not math.isnan(rec.first_maltreatment) and rec.first_maltreatment - ms >= t0:
                harm.append(rec.first_maltreatment - ms)
            cursor = max(end, t0)
            state = ChildState.IN_CARE if rec.end_kind == END_REENTERED \
                else ChildState.HOME_AFTER_RETURN
            if state == ChildState.IN_CARE:
                entry = rec.nth + 1  # the child's returns so far, plus the first entry
            left_from_home = state == ChildState.HOME_AFTER_RETURN
        if state == ChildState.IN_CARE and stop > cursor:
            segments.append(Segment(cursor, stop, ChildState.IN_CARE, entry))
            left_from_home = False
        return Journey(cid, (ms + person.start - person.birth_time) / 12.0,
                       person.entries_before, tuple(segments), tuple(harm), person.left_at,
                       left_from_home)


def _entry_time(c: Child, month_start: float) -> float:
    """When a child who came into care during the month just simulated did so: exact while
    they are still on their first entry, else (home again within the month) the month's
    start, at most their return time."""
    if c.entries == 1 and c.state == ChildState.IN_CARE:
        return c.state_since
    if c.first_return_time is not None:
        return min(month_start, c.first_return_time)
    return month_start


def classroom_config(*, seed: int, children_per_year: int, warmup_years: int,
                     return_propensity: float, thoroughness: float,
                     council_monitoring_months: int, support_share_pct: int,
                     support_entitlement: bool, support_cap_months: int,
                     min_monitoring_months: int, close_with_concerns: bool,
                     treatment_share_pct: int, years: int,
                     feedback: bool = False) -> dict[str, Any]:
    """The model configuration for the page's settings (validated by the model)."""
    support: dict[str, Any] = {"kind": "status_quo"}
    if support_entitlement:
        support = {"kind": "entitlement",
                   "cap_months": support_cap_months if support_cap_months > 0 else None}
    return {
        "seed": seed,
        "scale": children_per_year / ENGLAND_CHILDREN_PER_YEAR,
        "years": years,
        "warmup_years": warmup_years,
        "councils": {"mode": "listed", "listed": [{
            "name": "Our council", "size_share": 1.0, "profile": "typical",
            "practice": {"return_propensity": return_propensity,
                         "thoroughness": thoroughness,
                         "monitoring_months": council_monitoring_months,
                         "support_share": support_share_pct / 100.0}}]},
        "params": {"pressure": {"enabled": feedback}},
        "policy": {
            "support": support,
            "monitoring": {"kind": "minimum_months", "min_months": min_monitoring_months,
                           "close_with_concerns": close_with_concerns},
            "treatment": {"kind": "access", "share": treatment_share_pct / 100.0},
        },
    }
