"""Every move of ``sim/transitions.py`` on hand-made families, without simulating (issue 23:
mutation testing of the engine's transitions at an affordable pace).

Each test builds a model with one or two listed councils (no run, no warm-up), adds
families by hand, calls one transition and compares the tables, counts, ledger, flows and
records with what the model's documented rules give, worked out by hand in the test.
Where a move draws a random number, the stream is replaced by :class:`Draws`, which gives
each family or child the number the test chose (by unique id) and records the key it was
asked with. Every parameter a test depends on is set by the test, so a recalibration does
not move them. The whole file runs in a few seconds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.agents.child import ChildState, EntryReason, ExitKind, Placement
from sim.agents.council import COUNT_FIELDS
from sim.agents.family import Clock, Location, SupportMode
from sim.initial_stock import COLUMNS
from sim.ledger import C
from sim.model import RevolvingDoorModel
from sim.records import END_AGED_OUT, END_REENTERED
from sim.transitions import Members, bits

INF = float("inf")
FOSTER, RESIDENTIAL, KINSHIP = int(Placement.FOSTER), int(Placement.RESIDENTIAL), int(
    Placement.KINSHIP)
HOME, OPEN = COUNT_FIELDS.index("home_after_return"), COUNT_FIELDS.index("open_cases")
LOW, MEDIUM, HIGH = (COUNT_FIELDS.index(f"supported_{x}") for x in ("low", "medium", "high"))
IN_CARE, AT_HOME, GONE = int(Location.IN_CARE), int(Location.AT_HOME), int(Location.GONE)
S_NONE, S_QUO, S_ENT = int(SupportMode.NONE), int(SupportMode.STATUS_QUO), int(
    SupportMode.ENTITLED)
C_HOME_BEFORE, C_CARE, C_HOME, C_LEFT = (int(ChildState.HOME_BEFORE_CARE),
                                         int(ChildState.IN_CARE),
                                         int(ChildState.HOME_AFTER_RETURN),
                                         int(ChildState.LEFT_CARE_OTHER))
MULT = 2.0  # council A's cost multiplier (B's is 1)

#: parameters the moves read, set here so that no test depends on the calibrated values
PARAMS: dict[str, dict[str, Any]] = {
    "entry": {"children_per_year": 1000.0, "residential_share_under12": 0.1,
              "residential_share_12plus": 0.5, "kinship_share": 0.4,
              "care_order_share_reentry": 0.5},
    "family": {"engagement_probability": 0.5},
    "after_return": {"early_failure_share": 0.3, "early_failure_share_unplanned": 0.6,
                     "reentry_on_detection": 0.5, "reopen_months": 3.0},
    "support": {"treatment_months": 6.0},
}


def _model(params: dict[str, dict[str, Any]] | None = None, two: bool = False,
           simulated: list[int] | None = None, **practice: Any) -> RevolvingDoorModel:
    merged = {k: dict(v) for k, v in PARAMS.items()}
    for k, v in (params or {}).items():
        merged.setdefault(k, {}).update(v)
    listed = [{"name": "A", "size_share": 1.0,
               "practice": {"cost_multiplier": MULT, **practice}}]
    if two:
        listed.append({"name": "B", "size_share": 3.0, "practice": {"cost_multiplier": 1.0}})
    return RevolvingDoorModel({"scale": 0.01, "seed": 3, "years": 2, "warmup_years": 0,
                               "params": merged,
                               "councils": {"mode": "listed", "listed": listed}},
                              councils_simulated=simulated)


@pytest.fixture
def model() -> Any:
    made: list[RevolvingDoorModel] = []

    def make(*a: Any, **k: Any) -> RevolvingDoorModel:
        made.append(_model(*a, **k))
        return made[-1]

    yield make
    for m in made:
        m.release()


class Draws:
    """A keyed stream that gives the numbers a test chose: ``values[uid]`` (``default``
    for any other id), recording the keys it is asked with."""

    def __init__(self, values: dict[int, float], default: float = 0.99) -> None:
        self.values, self.default = values, default
        self.calls: list[tuple[list[int], list[int]]] = []

    def uniform_many(self, uid: np.ndarray, key: Any) -> np.ndarray:
        uid = np.asarray(uid)
        self.calls.append((uid.tolist(), np.broadcast_to(key, uid.shape).tolist()))
        return np.array([self.values.get(int(u), self.default) for u in uid], dtype=float)

    def uniform(self, uid: int) -> float:
        self.calls.append(([uid], []))
        return self.values.get(int(uid), self.default)


def _family(m: RevolvingDoorModel, ages: list[float], t: float = 1.0, council: int = 0,
            present: tuple[bool, bool, bool] = (False, False, False),
            care_order: bool = False, reason: EntryReason = EntryReason.OTHER) -> int:
    return m.transitions.new_family(council, t, reason, ages, list(present), care_order)


def _ledger(m: RevolvingDoorModel, component: str, month: int | None = None,
            council: int = 0) -> float:
    a = m.ledger.amounts[:, council, C[component]]
    return float(a.sum() if month is None else a[month])


def _flow(m: RevolvingDoorModel, name: str, month: int, council: int = 0) -> int:
    return int(m.timeseries.flows[month, council, m.timeseries._flow[name]])


def _kids(m: RevolvingDoorModel, f: int) -> np.ndarray:
    k = m.families.kids[f]
    return k[k >= 0]


def _home(m: RevolvingDoorModel, ages: list[float], t_home: float = 5.0, **kw: Any) -> int:
    """A family that entered care at month 1 and went home at ``t_home`` (planned)."""
    f = _family(m, ages, **kw)
    m.transitions.return_home(np.array([f]), np.array([t_home]))
    return f


# ---------------------------------------------------------------------- helpers
def test_bits_and_members_in_family_then_sibling_order(model: Any) -> None:
    flags = np.array([[1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 1, 1], [0, 0, 1]], dtype=bool)
    assert bits(flags).tolist() == [5, 2, 0, 7, 4]
    m = model()
    f0 = _family(m, [10.0, 7.0])
    f1 = _family(m, [3.0])
    f2 = _family(m, [15.0, 12.0, 9.0])
    k0, k1, k2 = _kids(m, f0), _kids(m, f1), _kids(m, f2)
    kids = Members(m, np.array([f2, f0, f1]), np.array([6.0, 7.0, 8.0]))
    assert kids.rows.tolist() == [*k2, *k0, *k1]
    assert kids.of.tolist() == [0, 0, 0, 1, 1, 2]
    assert kids.slot.tolist() == [0, 1, 2, 0, 1, 0]
    assert kids.fam.tolist() == [f2] * 3 + [f0] * 2 + [f1]
    assert kids.t.tolist() == [6.0] * 3 + [7.0] * 2 + [8.0]
    assert kids.count.tolist() == [3, 2, 1]


def test_entry_shares_are_normalised_and_councils_numbered(model: Any) -> None:
    shares = {"share_neglect": 0.5, "share_other_abuse": 0.3, "share_sibling_pair": 0.2,
              "share_sibling_three": 0.1,
              "age_under1_abuse_neglect": 0.1, "age_1to4_abuse_neglect": 0.2,
              "age_5to9_abuse_neglect": 0.3, "age_10to15_abuse_neglect": 0.2,
              "age_under1_other": 0.05, "age_1to4_other": 0.05, "age_5to9_other": 0.1,
              "age_10to15_other": 0.4}
    m = model({"entry": shares}, two=True)
    tr = m.transitions
    assert tr.reason_p == pytest.approx([0.5, 0.3, 0.2])
    assert tr.siblings_p == pytest.approx([0.7, 0.2, 0.1])
    assert tr.mean_siblings == pytest.approx(0.7 + 0.4 + 0.3)
    assert tr.age_p[0] == pytest.approx([0.1, 0.2, 0.3, 0.2, 0.2])
    assert tr.age_p[1] == pytest.approx([0.05, 0.05, 0.1, 0.4, 0.4])
    assert tr._council_share == pytest.approx([0.25, 0.75])
    assert tr._simulated.tolist() == [True, True]
    assert tr.next_uid == 3  # councils take ids 1 and 2
    # shares over 1: the remainder is none, and the rest scaled to sum to 1
    over = model({"entry": {**shares, "share_neglect": 0.6, "share_other_abuse": 0.6,
                            "share_sibling_pair": 0.5, "share_sibling_three": 0.3,
                            "age_under1_abuse_neglect": 0.5, "age_1to4_abuse_neglect": 0.5,
                            "age_5to9_abuse_neglect": 0.5, "age_10to15_abuse_neglect": 0.5}})
    assert over.transitions.reason_p == pytest.approx([0.5, 0.5, 0.0])
    assert over.transitions.siblings_p == pytest.approx([0.2, 0.5, 0.3])
    assert over.transitions.age_p[0] == pytest.approx([0.25, 0.25, 0.25, 0.25, 0.0])
    assert over.transitions.next_uid == 2
    shard = model(two=True, simulated=[1])
    assert shard.transitions._simulated.tolist() == [False, True]


def test_costs_flows_and_counts_are_booked_to_their_month_and_council(model: Any) -> None:
    m = model(two=True)
    tr = m.transitions
    f0 = _family(m, [8.0], council=0)
    f1 = _family(m, [8.0], council=1)
    base = m.ledger.amounts.copy()
    tr._cost(np.array([2.5, 3.9, 3.1]), np.array([f0, f0, f1]), "support", 0.5)
    got = m.ledger.amounts - base
    assert got[2, 0, C["support"]] == 0.5 * MULT
    assert got[3, 0, C["support"]] == 0.5 * MULT
    assert got[3, 1, C["support"]] == 0.5
    assert got.sum() == pytest.approx(0.5 * MULT * 2 + 0.5)
    tr._cost(np.array([4.0]), np.array([f0]), "treatment", 0.0)  # nothing costs nothing
    tr._cost(np.zeros(0), np.zeros(0, dtype=np.int64), "treatment", 5.0)
    assert (m.ledger.amounts - base).sum() == pytest.approx(0.5 * MULT * 2 + 0.5)
    before = m.timeseries.flows.copy()
    tr._flow(np.array([6.7, 6.1]), np.array([f1, f0]), "returns", np.array([3, 2]))
    tr._flow(np.array([7.2]), np.array([f1]), "exits_other")
    d = m.timeseries.flows - before
    assert _flow(m, "returns", 6, 1) - before[6, 1, 2] == 3
    assert d[6, 0, m.timeseries._flow["returns"]] == 2
    assert d[7, 1, m.timeseries._flow["exits_other"]] == 1
    assert d.sum() == 6
    # between months the counts change at once; within worked months, in their month
    counts = m.caseloads.copy()
    tr._count(np.array([1, 1, 0]), np.array([HOME, HOME, OPEN]), 1, np.array([0.0, 0.0, 0.0]))
    assert (m.caseloads - counts)[1, HOME] == 2 and (m.caseloads - counts)[0, OPEN] == 1
    assert (m.caseloads - counts).sum() == 3
    m.window_start = 4
    m.count_changes = np.zeros((3, 2, len(COUNT_FIELDS)), dtype=np.int64)
    counts = m.caseloads.copy()
    tr._count(np.array([0, 1]), LOW, -1, np.array([5.5, 6.0]))
    assert (m.caseloads == counts).all()
    assert m.count_changes[1, 0, LOW] == -1 and m.count_changes[2, 1, LOW] == -1
    assert np.abs(m.count_changes).sum() == 2
    m.count_changes = None


# ---------------------------------------------------------------------- entering care
class Spy:
    """A policy covering families ``covers`` (rows), eligible ``ok``; records its hooks."""

    def __init__(self, covers: list[int], ok: list[int]) -> None:
        self.covers, self.ok = covers, ok
        self.asked: list[list[int]] = []
        self.got: list[tuple[str, list[int], list[float]]] = []
        self.seen: list[tuple[Any, list[float]]] = []  # (model, times) of every call

    def applies(self, m: Any, f: np.ndarray, t: np.ndarray) -> np.ndarray:
        self.seen.append((m, np.asarray(t).tolist()))
        return np.isin(f, self.covers)

    def eligible(self, m: Any, f: np.ndarray, t: np.ndarray) -> np.ndarray:
        self.seen.append((m, np.asarray(t).tolist()))
        self.asked.append(f.tolist())
        return np.isin(f, self.ok)

    def on_entry(self, m: Any, f: np.ndarray, t: np.ndarray) -> None:
        self.seen.append((m, np.asarray(t).tolist()))
        self.got.append(("on_entry", f.tolist(), t.tolist()))

    def on_return(self, m: Any, f: np.ndarray, t: np.ndarray) -> None:
        self.seen.append((m, np.asarray(t).tolist()))
        self.got.append(("on_return", f.tolist(), t.tolist()))


def test_entering_care_places_counts_costs_and_records_each_child(model: Any) -> None:
    m = model()
    tr, F, ch, uc = m.transitions, m.families, m.children_table, m.unit_costs
    assert min(uc.entry_decision, uc.care_proceedings, uc.reentry_process) > 0
    u0 = tr.next_uid
    # families a (two children, 13 and 10, care order, substance and mental health), b (a
    # child exactly 12), c (11), d (5); the placement draws, by child id: residential
    # below the share (0.5 from 12, 0.1 under 12); kinship when (u - res) / (1 - res) is
    # below 0.4; foster otherwise
    tr.u_placement = Draws({u0 + 1: 0.3, u0 + 2: 0.3, u0 + 4: 0.45, u0 + 6: 0.7,
                            u0 + 8: 0.1})
    spy = Spy(covers=[0, 1, 2], ok=[1, 2])
    m.policies.append(spy)
    a = _family(m, [13.0, 10.0], t=3.25, present=(True, False, True), care_order=True,
                reason=EntryReason.NEGLECT)
    b = _family(m, [12.0], t=4.5)
    c = _family(m, [11.0], t=4.5)
    d = _family(m, [5.0], t=4.5)
    assert (a, b, c, d) == (0, 1, 2, 3)
    assert tr.next_uid == u0 + 9
    assert F.uid[[a, b, c, d]].tolist() == [u0, u0 + 3, u0 + 5, u0 + 7]
    assert F.reason[[a, b]].tolist() == [int(EntryReason.NEGLECT), int(EntryReason.OTHER)]
    assert F.present[a].tolist() == [True, False, True]
    assert F.unresolved[a].tolist() == [True, False, True]
    assert F.frailty[a] == 1.0
    assert F.location[[a, b, c, d]].tolist() == [IN_CARE] * 4
    assert F.episodes[[a, b]].tolist() == [1, 1]
    assert F.episode_start[[a, b]].tolist() == [3.25, 4.5]
    assert F.care_order[[a, b]].tolist() == [True, False]
    assert F.t_last[[a, b, c, d]].tolist() == [3.25, 4.5, 4.5, 4.5]  # the clocks start
    assert m.records.families == 4
    ka = _kids(m, a)
    assert ch.uid[ka].tolist() == [u0 + 1, u0 + 2]
    assert ch.family[ka].tolist() == [a, a]
    assert ch.birth_time[ka].tolist() == [3.25 - 156.0, 3.25 - 120.0]
    assert ch.reason[ka].tolist() == [int(EntryReason.NEGLECT)] * 2
    kids = np.concatenate([ka, _kids(m, b), _kids(m, c), _kids(m, d)])
    assert ch.state[kids].tolist() == [C_CARE] * 5
    assert ch.state_since[kids].tolist() == [3.25, 3.25, 4.5, 4.5, 4.5]
    assert ch.entries[kids].tolist() == [1] * 5
    assert ch.care_order[kids].tolist() == [True, True, False, False, False]
    assert ch.placement[kids].tolist() == [RESIDENTIAL, KINSHIP, RESIDENTIAL, FOSTER, KINSHIP]
    assert (ch.months_in[kids] == 0).all()
    # the placement's draw is keyed by the child and its entry
    assert [k for call in tr.u_placement.calls for k in call[1]] == [1] * 5
    assert m.caseloads[0, :3].tolist() == [1, 2, 2]  # foster, residential, kinship
    ep = m.records.episodes_frame().sort_values("child")
    assert ep["child"].tolist() == (u0 + np.array([1, 2, 4, 6, 8])).tolist()
    assert ep["start"].tolist() == [3.25, 3.25, 4.5, 4.5, 4.5]
    assert ep["council"].tolist() == [0] * 5
    assert ep["birth"].tolist() == ch.birth_time[kids].tolist()
    assert ep["reason"].tolist() == [int(EntryReason.NEGLECT)] * 2 + [int(EntryReason.OTHER)] * 3
    assert ep["care_order"].tolist() == [True, True, False, False, False]
    assert ep["placement"].tolist() == [RESIDENTIAL, KINSHIP, RESIDENTIAL, FOSTER, KINSHIP]
    assert ep["end"].isna().all()
    # first entries: the decision for every child, proceedings for a care order's
    assert _ledger(m, "process_entry", 3) == pytest.approx(2 * uc.entry_decision * MULT)
    assert _ledger(m, "process_entry", 4) == pytest.approx(3 * uc.entry_decision * MULT)
    assert _ledger(m, "process_legal") == pytest.approx(2 * uc.care_proceedings * MULT)
    assert _ledger(m, "process_legal", 3) == pytest.approx(2 * uc.care_proceedings * MULT)
    assert _ledger(m, "process_reentry") == 0.0
    assert (_flow(m, "entries", 3), _flow(m, "entries", 4)) == (2, 3)
    assert m.timeseries.flows[:, :, m.timeseries._flow["reentries"]].sum() == 0
    assert m.records.entries_total == 5
    # the policy's hook, for the covered and eligible families only
    assert spy.asked == [[a], [b], [c], []]
    assert spy.got == [("on_entry", [b], [4.5]), ("on_entry", [c], [4.5])]


def test_a_policy_hook_gets_only_the_covered_eligible_families(model: Any) -> None:
    m = model()
    f = np.array([_family(m, [8.0]) for _ in range(4)])
    spy, none = Spy(covers=[1, 2, 3], ok=[0, 3]), Spy(covers=[0, 1], ok=[])
    m.policies[:] = [spy, none]
    m.transitions._policies("on_return", f, np.array([5.0, 6.0, 7.0, 8.0]))
    assert spy.asked == [[1, 2, 3]]
    assert spy.got == [("on_return", [3], [8.0])]
    assert none.asked == [[0, 1]] and none.got == []
    # each hook is given the model and the families' own times
    assert spy.seen == [(m, [5.0, 6.0, 7.0, 8.0]), (m, [6.0, 7.0, 8.0]), (m, [8.0])]
    assert none.seen == [(m, [5.0, 6.0, 7.0, 8.0]), (m, [5.0, 6.0])]


# ---------------------------------------------------------------------- going home
def _draws(m: RevolvingDoorModel, rows: dict[int, dict[str, float]]) -> dict[str, Draws]:
    """The after-return draws of families (by row): engage, support, treatment, early."""
    tr, uid = m.transitions, m.families.uid
    out = {}
    for name in ("engage", "support", "treatment", "early_failure"):
        out[name] = Draws({int(uid[f]): v[name] for f, v in rows.items() if name in v})
        setattr(tr, f"u_{name}", out[name])
    return out


def test_going_home_moves_counts_costs_records_and_applies_practice(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.5, treatment_share=0.5)
    tr, F, ch, uc = m.transitions, m.families, m.children_table, m.unit_costs
    # a: children 5 and 7 at entry (month 1), substance misuse, care order;
    # b: a child 5 years 7.5 months at entry, so exactly 6 at the return (not over 6);
    # c: a child of 9
    a = _family(m, [5.0, 7.0], present=(True, False, False), care_order=True)
    b = _family(m, [5.625])
    c = _family(m, [9.0], present=(False, True, False))
    d = _draws(m, {a: {"engage": 0.4, "support": 0.2, "treatment": 0.3, "early_failure": 0.4},
                   b: {"engage": 0.6, "support": 0.7, "treatment": 0.1, "early_failure": 0.4},
                   c: {"engage": 0.5, "support": 0.5, "treatment": 0.5, "early_failure": 0.45}})
    spy = Spy(covers=[a, b, c], ok=[c])
    m.policies.append(spy)
    F.in_harm[a] = True
    F.close_with_concerns[[a, b, c]] = False
    kids = np.concatenate([_kids(m, a), _kids(m, b), _kids(m, c)])
    care_before = m.caseloads[0, :3].sum()
    assert care_before == 4
    tr.return_home(np.array([a, c]), np.array([5.5, 5.5]))
    tr.return_home(np.array([b]), np.array([5.5]), planned=False)
    f = np.array([a, b, c])
    assert F.location[f].tolist() == [AT_HOME] * 3
    assert F.unplanned[f].tolist() == [False, True, False]
    assert F.over6_at_return[f].tolist() == [True, False, True]
    assert F.returns[f].tolist() == [1, 1, 1]
    assert F.return_time[f].tolist() == [5.5] * 3
    assert F.in_harm[f].tolist() == [False] * 3
    assert F.substance_at_return[f].tolist() == [True, False, False]
    assert ch.state[kids].tolist() == [C_HOME] * 4
    assert ch.state_since[kids].tolist() == [5.5] * 4
    assert ch.months_in[kids, C_CARE].tolist() == [4.5] * 4
    assert ch.months_in[kids, C_HOME_BEFORE].tolist() == [0.0] * 4
    assert ch.returns[kids].tolist() == [1] * 4
    assert ch.first_return_time[kids].tolist() == [5.5] * 4
    assert m.caseloads[0, :3].sum() == 0
    assert m.caseloads[0, HOME] == 4 and m.caseloads[0, OPEN] == 3
    # the council's practice: the case open for its 6 months, closing with concerns
    assert F.case_open[f].all() and F.close_at[f].tolist() == [11.5] * 3
    assert F.close_with_concerns[f].all()
    # draws: engaged below 0.5; support below the council's 0.5; treatment below 0.5 for
    # substance misuse only; a return not viable below 0.3 planned, 0.6 unplanned
    assert F.engaged[f].tolist() == [True, False, False]
    assert F.u_support[f].tolist() == [0.2, 0.7, 0.5]
    assert F.u_treatment[f].tolist() == [0.3, 0.1, 0.5]
    assert F.fragile[f].tolist() == [False, True, False]
    for draws in d.values():  # keyed by the family's first return
        assert [k for call in draws.calls for k in call[1]] == [1, 1, 1]
    assert F.treatment_due[f].tolist() == [5.5, INF, INF]
    assert F.treated[f].tolist() == [False] * 3
    assert F.treatment_start[f].tolist() == [INF] * 3
    assert F.treatment_end[f].tolist() == [-INF] * 3
    assert F.support_level[f].tolist() == [1, 0, 0]
    assert F.support_mode[f].tolist() == [S_QUO, S_NONE, S_NONE]
    assert F.support_until[f].tolist() == [11.5, INF, INF]
    assert m.caseloads[0, LOW] == 1 and m.caseloads[0, LOW + 1:].sum() == 0
    assert spy.asked == [[a, c], [b]] and spy.got == [("on_return", [c], [5.5])]
    # counts, cost and flow of the four children
    assert _ledger(m, "process_return", 5) == pytest.approx(4 * uc.return_home * MULT)
    assert _ledger(m, "process_return") == pytest.approx(4 * uc.return_home * MULT)
    assert _flow(m, "returns", 5) == 4
    ret = m.records.returns_frame().sort_values("child")
    assert ret["child"].tolist() == ch.uid[kids].tolist()
    assert ret["family"].tolist() == F.uid[[a, a, b, c]].tolist()
    assert ret["council"].tolist() == [0] * 4
    assert ret["time"].tolist() == [5.5] * 4
    assert ret["reason"].tolist() == [int(EntryReason.OTHER)] * 4
    assert ret["nth"].tolist() == [1] * 4
    assert ret["first_return"].tolist() == [5.5] * 4
    assert ret["substance"].tolist() == [True, True, False, False]
    assert ret["problems"].tolist() == [1, 1, 0, 2]
    assert ret["care_order"].tolist() == [True, True, False, False]
    assert ret["age"].tolist() == [64.5, 88.5, 72.0, 112.5]
    assert ret["unplanned"].tolist() == [False, False, True, False]
    assert ret["support_level"].tolist() == [1, 1, 0, 0]
    assert ch.record[kids].tolist() == [0, 1, 3, 2]  # records in the order of the returns
    assert (ret["end_kind"] == 0).all()
    ex = m.records.exits_frame()
    assert ex["kind"].tolist() == [int(ExitKind.RETURNED_HOME)] * 4
    assert ex["time"].tolist() == [5.5] * 4
    assert sorted(ex["age"].tolist()) == [64.5, 72.0, 88.5, 112.5]
    assert sorted(zip(ex["age"], ex["problems"], ex["care_order"], ex["episode"])) == [
        (64.5, 1, True, 1), (72.0, 0, False, 1), (88.5, 1, True, 1), (112.5, 2, False, 1)]
    ep = m.records.episodes_frame()
    assert ep["end"].tolist() == [5.5] * 4
    assert ep["end_kind"].tolist() == [int(ExitKind.RETURNED_HOME)] * 4


def test_a_second_return_keeps_the_first_return_time_and_draws_anew(model: Any) -> None:
    m = model(monitoring_months=0, support_share=0.0, treatment_share=0.0)
    tr, ch, F = m.transitions, m.children_table, m.families
    a = _home(m, [8.0], t_home=3.0)
    tr.u_legal = Draws({})
    tr.reenter(np.array([a]), np.array([4.0]), maltreatment=False)
    d = _draws(m, {a: {"engage": 0.1, "support": 0.2, "treatment": 0.3, "early_failure": 0.9}})
    tr.return_home(np.array([a]), np.array([6.0]))
    k = _kids(m, a)
    assert ch.first_return_time[k].tolist() == [3.0]
    assert ch.returns[k].tolist() == [2] and F.returns[a] == 2
    assert ch.months_in[k, C_HOME].tolist() == [1.0]
    assert ch.months_in[k, C_CARE].tolist() == [2.0 + 2.0]
    assert [call[1] for call in d["support"].calls] == [[2]]
    ret = m.records.returns_frame()
    assert ret["nth"].tolist() == [1, 2] and ret["first_return"].tolist() == [3.0, 3.0]
    # no monitoring: the case closes at once (closing time the return's)
    assert F.close_at[a] == 6.0


def test_leaving_care_another_way_by_the_weights_of_each_kind(model: Any) -> None:
    m = model()
    tr, F, ch = m.transitions, m.families, m.children_table
    x = _family(m, [2.0, 10.0], care_order=True)
    y, z, w = _family(m, [4.0]), _family(m, [15.0]), _family(m, [3.0])
    f = np.array([x, y, z, w])
    asked: list[tuple[Any, ...]] = []

    def weights(t: np.ndarray, birth: np.ndarray, care_order: np.ndarray) -> tuple:
        asked.append((t.tolist(), birth.tolist(), care_order.tolist()))
        n = len(t)
        return np.ones(n), np.ones(n), np.full(n, 2.0)

    m.hazards.exit_weights = weights  # other 1, guardianship 1, adoption 2: u * 4
    tr.u_exit = Draws({int(F.uid[x]): 0.4, int(F.uid[y]): 0.5, int(F.uid[z]): 0.9,
                       int(F.uid[w]): 0.74})
    F.fired[f, int(Clock.EXIT)] = [3, 0, 1, 2]
    t = np.array([6.25, 6.25, 7.5, 7.5])
    tr.leave_care(f, t)
    bx = ch.birth_time[_kids(m, x)].tolist()
    assert asked[0][0] == t.tolist() and asked[0][2] == [True, False, False, False]
    assert asked[0][1][0] == bx + [pytest.approx(np.nan, nan_ok=True)]
    assert tr.u_exit.calls[0][1] == [3, 0, 1, 2]
    kids = np.concatenate([_kids(m, x), _kids(m, y), _kids(m, z), _kids(m, w)])
    assert ch.state[kids].tolist() == [C_LEFT] * 5
    assert ch.months_in[kids, C_CARE].tolist() == [5.25, 5.25, 5.25, 6.5, 6.5]
    assert m.caseloads[0, :3].sum() == 0 and m.caseloads[0, HOME] == 0
    ex = m.records.exits_frame()
    # 1.6 < 2 adopted; 2.0, 2.96 below 3 guardianship; 3.6 other
    A, G, O = int(ExitKind.ADOPTED), int(ExitKind.GUARDIANSHIP), int(ExitKind.OTHER)
    assert ex["kind"].tolist() == [A, A, G, O, G]
    assert ex["time"].tolist() == [6.25, 6.25, 6.25, 7.5, 7.5]
    ep = m.records.episodes_frame().sort_values("child")
    assert ep["end_kind"].tolist() == [A, A, G, O, G]
    assert (_flow(m, "exits_other", 6), _flow(m, "exits_other", 7)) == (3, 2)
    assert F.location[f].tolist() == [GONE] * 4


# ---------------------------------------------------------------------- at home
def test_maltreatment_detection_and_reentry(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F, ch, uc = m.transitions, m.families, m.children_table, m.unit_costs
    p, q, r, s = (_home(m, [4.0, 9.0]), _home(m, [8.0]), _home(m, [10.0]),
                  _home(m, [6.0]))  # home at month 5, cases open until 11
    kp, kq = _kids(m, p), _kids(m, q)
    R = m.records.returns.table
    tr.maltreatment(np.array([p, q]), np.array([6.5, 7.25]))
    assert F.in_harm[[p, q, r]].tolist() == [True, True, False]
    assert F.harm_start[[p, q]].tolist() == [6.5, 7.25]
    assert R.maltreatment_count[ch.record[[*kp, *kq]]].tolist() == [1, 1, 1]
    assert R.first_maltreatment[ch.record[[*kp, *kq]]].tolist() == [6.5, 6.5, 7.25]
    assert ch.maltreatment_episodes[[*kp, *kq]].tolist() == [1, 1, 1]
    assert (_flow(m, "maltreatment_starts", 6), _flow(m, "maltreatment_starts", 7)) == (2, 1)
    tr.maltreatment(np.array([p]), np.array([8.0]))  # again: counted, the first kept
    assert R.maltreatment_count[ch.record[kp]].tolist() == [2, 2]
    assert R.first_maltreatment[ch.record[kp]].tolist() == [6.5, 6.5]
    assert ch.maltreatment_episodes[kp].tolist() == [2, 2] and F.harm_start[p] == 8.0
    # the cases: q's open until 11 (extended to 12.5), r's closed, s's open until 20
    tr.close_case(np.array([r]), np.array([8.0]))
    F.close_at[s] = 20.0
    F.treatment_end[p], F.treatment_due[p] = 15.0, 12.0
    tr.set_support(np.array([p]), 2, S_ENT, 30.0)
    tr.u_reentry = Draws({int(F.uid[p]): 0.2, int(F.uid[q]): 0.5})
    tr.u_legal = Draws({int(F.uid[p]): 0.3, int(F.uid[q]): 0.7})
    f = np.array([p, q, r, s])
    F.fired[f, int(Clock.DETECTION)] = [1, 2, 3, 4]
    recp = ch.record[kp].copy()
    R.harm_months[recp] = 1.0  # an earlier spell's months, added to
    harm_before = m.timeseries.harm.copy()
    tr.detection(f, np.array([9.5, 9.5, 9.75, 9.5]))
    assert tr.u_reentry.calls[0][1] == [1, 2, 3, 4]
    assert _flow(m, "maltreatment_detected", 9) == 5
    # harm ends: 1.5 months for p's two children, 2.25 for q's child, in their months
    assert R.harm_months[recp].tolist() == [2.5, 2.5]
    assert R.harm_months[ch.record[kq]].tolist() == [2.25]
    harm = m.timeseries.harm - harm_before
    assert harm[7, 0] == pytest.approx(0.75)
    assert harm[8, 0] == pytest.approx(1.0 + 2 * 1.0)
    assert harm[9, 0] == pytest.approx(0.5 * 3)
    assert harm.sum() == pytest.approx(3.0 + 2.25)
    assert F.in_harm[f].tolist() == [False] * 4
    # p (0.2 below 0.5) re-enters after maltreatment; the others' cases (re)open
    assert F.case_open[[q, r, s]].tolist() == [True] * 3
    assert F.close_at[[q, r, s]].tolist() == [12.5, 12.75, 20.0]
    assert R.end_time[recp].tolist() == [9.5, 9.5]
    assert R.end_kind[recp].tolist() == [END_REENTERED] * 2
    assert R.after_maltreatment[recp].tolist() == [True, True]
    assert ch.failed_returns[kp].tolist() == [1, 1]
    assert ch.record[kp].tolist() == [-1, -1]
    assert F.case_open[p] == False and F.close_at[p] == INF  # noqa: E712
    assert (F.support_level[p], F.support_mode[p]) == (0, S_NONE)
    assert F.treatment_due[p] == INF and F.treatment_end[p] == 9.5
    # a care order from the re-entry's draw (0.3 below 0.5), keyed by its episode
    assert tr.u_legal.calls[0][1] == [1]
    assert F.care_order[p] == True and F.episodes[p] == 2  # noqa: E712
    assert F.location[p] == IN_CARE and ch.state[kp].tolist() == [C_CARE] * 2
    assert ch.entries[kp].tolist() == [2, 2]
    assert _ledger(m, "process_reentry", 9) == pytest.approx(2 * uc.reentry_process * MULT)
    assert _ledger(m, "process_entry", 9) == 0.0 and _ledger(m, "process_legal", 9) == 0.0
    assert _flow(m, "reentries", 9) == 2 and _flow(m, "entries", 9) == 0
    assert m.caseloads[0, HOME] == 3 and m.caseloads[0, :3].sum() == 2
    assert m.caseloads[0, OPEN] == 3
    # q re-enters without maltreatment; 0.7 gives no care order
    tr.reenter(np.array([q]), np.array([10.0]), maltreatment=False)
    rq = m.records.returns_frame().query("end_time == 10.0")
    assert rq["after_maltreatment"].tolist() == [False]
    assert F.care_order[q] == False and F.treatment_end[q] == -INF  # noqa: E712


def test_closing_a_case_stops_usual_support_only(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F = m.transitions, m.families
    a, b, c = _home(m, [5.0]), _home(m, [6.0]), _home(m, [7.0])
    tr.set_support(np.array([a]), 1, S_QUO, 11.0)
    tr.set_support(np.array([b]), 3, S_ENT, 17.0)
    tr.close_case(np.array([c]), np.array([6.0]))
    assert m.caseloads[0, OPEN] == 2
    tr.close_case(np.array([a, b, c]), np.array([7.0, 7.0, 7.0]))
    f = np.array([a, b, c])
    assert F.case_open[f].tolist() == [False] * 3 and F.close_at[f].tolist() == [INF] * 3
    assert m.caseloads[0, OPEN] == 0
    assert F.support_level[f].tolist() == [0, 3, 0]
    assert F.support_mode[f].tolist() == [S_NONE, S_ENT, S_NONE]
    assert F.support_until[f].tolist() == [INF, 17.0, INF]
    assert m.caseloads[0, LOW] == 0 and m.caseloads[0, HIGH] == 1
    tr._wind_down_home(np.array([b]), np.array([8.0]))  # the children leave: all support
    assert (F.support_level[b], F.support_mode[b]) == (0, S_NONE)
    assert m.caseloads[0, HIGH] == 0


def _entitlement(**kw: Any) -> Any:
    from sim.policies.support_entitlement import SupportEntitlement

    base = dict(cap_months=12, low_need_months=5, taper_months=2, assessment_cost=0.0,
                assessment_price_year=2024, fixed_levels=False, medium_months=7,
                high_months=9, holmes_costs=False)
    return SupportEntitlement(**{**base, **kw})


def test_a_problem_changing_reassesses_support_and_may_close_the_case(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F = m.transitions, m.families
    sub = (True, False, False)
    g1, g2, g3, g4, g6 = (_home(m, [5.0], present=sub), _home(m, [5.0]),
                          _home(m, [5.0], present=sub), _home(m, [5.0], present=sub),
                          _home(m, [5.0], present=sub))  # home at 5, open until 11
    g5 = _family(m, [5.0], present=sub)  # in care
    F.close_with_concerns[[g1, g2, g3, g4, g5]] = False
    tr.entitle_support(np.array([g4]), np.array([5.0]), _entitlement())
    assert F.support_level[g4] == 3
    tr.problem_changes(np.array([g1, g3, g4, g5, g6]), 0,
                       np.array([12.0, 10.0, 12.0, 12.0, 12.0]))
    tr.problem_changes(np.array([g2]), 1, np.array([12.0]))
    assert F.unresolved[[g1, g3, g4, g5, g6], 0].tolist() == [False] * 5
    assert F.unresolved[g2].tolist() == [False, True, False]
    # g1 resolved after its closing time, without concerns left: closed; g2 relapsed,
    # g3 before its time, g6 closing only at a checkpoint (with concerns): open
    assert F.case_open[[g1, g2, g3, g6]].tolist() == [False, True, True, True]
    assert F.close_at[g1] == INF
    # g4 entitled: no problem left, tapered to low support for 2 months
    assert (F.support_level[g4], F.support_until[g4]) == (1, 14.0)
    assert F.location[g5] == IN_CARE and F.case_open[g5] == False  # noqa: E712


def test_support_levels_counted_and_reassessed_by_need_taper_and_cap(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F = m.transitions, m.families
    f = np.array([_home(m, [5.0]) for _ in range(3)])
    tr.set_support(f, np.array([0, 2, 3]), S_ENT, np.array([9.0, 10.0, 11.0]))
    assert F.support_level[f].tolist() == [0, 2, 3]
    assert F.support_mode[f].tolist() == [S_NONE, S_ENT, S_ENT]
    assert F.support_until[f].tolist() == [INF, 10.0, 11.0]
    assert m.caseloads[0, [LOW, MEDIUM, HIGH]].tolist() == [0, 1, 1]
    tr.set_support(f, np.array([1, 1, 0]), S_QUO, 12.0)
    assert m.caseloads[0, [LOW, MEDIUM, HIGH]].tolist() == [2, 0, 0]
    assert F.support_mode[f].tolist() == [S_QUO, S_QUO, S_NONE]
    tr.set_support(f, 0, S_ENT, 13.0)
    assert m.caseloads[0, [LOW, MEDIUM, HIGH]].tolist() == [0, 0, 0]
    assert F.support_mode[f].tolist() == [S_NONE] * 3
    assert F.support_until[f].tolist() == [INF] * 3
    # need-matched, cap at 5 + 12 = 17, taper 2, low need 5 months (the first assessment)
    h = np.array([_home(m, [5.0]) for _ in range(6)])
    F.unresolved[h[2]] = [False, True, False]  # medium
    F.unresolved[h[5]] = [False, True, True]  # high
    tr.entitle_support(h, np.full(6, 5.0), _entitlement(low_need_months=5))
    assert F.support_level[h].tolist() == [1, 1, 2, 1, 1, 3]
    assert F.support_until[h].tolist() == [10.0, 10.0, 17.0, 10.0, 10.0, 17.0]
    # later: h0 calm at level 1, tapers; h1 calm at level 0 stays none but entitled; h2
    # needs medium until the cap; h3 past its cap; h4 calm with the taper past the cap
    F.support_level[h[1]] = 0
    tr.reassess_support(h[:5], np.array([8.0, 8.0, 8.0, 17.0, 16.0]))
    assert F.support_level[h[:5]].tolist() == [1, 0, 2, 0, 1]
    assert F.support_until[h[[0, 2, 4]]].tolist() == [10.0, 17.0, 17.0]
    assert F.support_mode[h[:5]].tolist() == [S_ENT, S_ENT, S_ENT, S_NONE, S_ENT]
    # a first assessment with no low-need months: none, but entitled if a problem returns
    g = np.array([_home(m, [5.0])])
    tr.entitle_support(g, np.array([5.0]), _entitlement(low_need_months=0))
    assert (F.support_level[g[0]], F.support_mode[g[0]]) == (0, S_ENT)


def test_holmes_fixed_levels_hold_for_their_length_within_the_cap(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F = m.transitions, m.families
    h = np.array([_home(m, [5.0]) for _ in range(4)])
    F.unresolved[h[1]] = [True, False, False]  # high: 9 months, capped at 5 + 6
    F.unresolved[h[2]] = [False, False, True]  # medium: 0 months here, so none
    pol = _entitlement(fixed_levels=True, cap_months=6, low_need_months=4, medium_months=0,
                       high_months=9)
    tr.entitle_support(h[:3], np.full(3, 5.0), pol)
    assert F.support_fixed[h[:3]].tolist() == [True] * 3
    assert F.support_level[h[:3]].tolist() == [1, 3, 0]
    assert F.support_until[h[:3]].tolist() == [9.0, 11.0, INF]
    assert F.support_mode[h[:3]].tolist() == [S_ENT, S_ENT, S_NONE]
    # reassessed later (a problem changing): the fixed level is not matched to need
    F.unresolved[h[0]] = [True, True, False]
    tr.reassess_support(h[:1], np.array([6.0]))
    assert (F.support_level[h[0]], F.support_until[h[0]]) == (1, 9.0)
    # assessed at its cap: none
    F.support_cap_at[h[3]] = 0.0
    tr.entitle_support(h[3:], np.array([5.0]), _entitlement(fixed_levels=True, cap_months=0))
    assert (F.support_level[h[3]], F.support_mode[h[3]]) == (0, S_NONE)


def test_treatment_starts_only_at_home_with_substance_misuse(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F, ch = m.transitions, m.families, m.children_table
    sub = (True, False, False)
    i1, i2 = _home(m, [5.0, 8.0], present=sub), _home(m, [5.0], present=(False, True, False))
    i3 = _family(m, [5.0], present=sub)
    f = np.array([i1, i2, i3])
    F.treatment_due[f] = 7.5
    tr.start_treatment(f, np.full(3, 7.5))
    assert F.treatment_due[f].tolist() == [INF] * 3
    assert F.treated[f].tolist() == [True, False, False]
    assert F.treatment_start[f].tolist() == [7.5, INF, INF]
    assert F.treatment_end[f].tolist() == [13.5, -INF, -INF]
    assert _ledger(m, "treatment", 7) == pytest.approx(m.unit_costs.treatment_episode * MULT)
    assert _ledger(m, "treatment") == pytest.approx(m.unit_costs.treatment_episode * MULT)
    rec = m.records.returns.table.treated[ch.record[np.concatenate([_kids(m, i1),
                                                                    _kids(m, i2)])]]
    assert rec.tolist() == [True, True, False]


# ---------------------------------------------------------------------- growing up
def test_children_turning_18_leave_care_or_stop_being_followed(model: Any) -> None:
    m = model(monitoring_months=24, support_share=1.0, treatment_share=0.0)
    tr, F, ch = m.transitions, m.families, m.children_table
    # j1 in care: a child 17 years 9 months at month 1 (18 at month 4) and one of 10
    j1 = _family(m, [17.75, 10.0])
    k1 = _kids(m, j1)
    # j2 at home since 2.5: children 18 at month 3.4 + 0.6 = 4 and at month 7
    j2 = _home(m, [17.75, 17.5], t_home=2.5)
    k2 = _kids(m, j2)
    j3 = _family(m, [3.0])
    tr.maltreatment(np.array([j2]), np.array([3.0]))
    R = m.records.returns.table
    rec2 = ch.record[k2].copy()
    harm0 = m.timeseries.harm.copy()
    f = np.array([j1, j2, j3])
    tr.children_turn_18(f, np.full(3, 4.0))
    # j1's eldest leaves care at exactly 18; the younger moves to the first slot
    assert ch.state[k1].tolist() == [C_LEFT, C_CARE]
    assert ch.months_in[k1[0], C_CARE] == 3.0
    assert F.kids[j1].tolist() == [k1[1], -1, -1]
    assert F.location[j1] == IN_CARE
    assert m.records.exits_frame()["kind"].tolist().count(int(ExitKind.AGED_OUT)) == 1
    assert _flow(m, "exits_other", 4) == 1
    ep = m.records.episodes_frame().set_index("child")
    assert ep.loc[ch.uid[k1[0]], "end_kind"] == int(ExitKind.AGED_OUT)
    assert ep.loc[ch.uid[k1[0]], "end"] == 4.0
    # j2's eldest stops being followed: its record ends, with a month of harm
    assert ch.state[k2].tolist() == [C_LEFT, C_HOME]
    assert R.end_time[rec2].tolist()[0] == 4.0 and np.isnan(R.end_time[rec2[1]])
    assert R.end_kind[rec2].tolist() == [END_AGED_OUT, 0]
    assert R.harm_months[rec2].tolist() == [1.0, 0.0]
    assert (m.timeseries.harm - harm0)[3, 0] == pytest.approx(1.0)
    assert ch.record[k2].tolist() == [-1, rec2[1]]
    assert F.kids[j2].tolist() == [k2[1], -1, -1]
    assert F.location[j2] == AT_HOME and F.case_open[j2]
    assert m.caseloads[0, HOME] == 1
    # nobody else old: nothing changes
    assert ch.state[_kids(m, j3)].tolist() == [C_CARE]
    # the last child of j2 at 18 (month 7): the family leaves, its case and support end
    F.treatment_due[j2] = 9.0
    tr.children_turn_18(np.array([j2]), np.array([7.5]))
    assert R.harm_months[rec2[1]] == 4.5 and R.end_kind[rec2[1]] == END_AGED_OUT
    assert F.location[j2] == GONE and F.case_open[j2] == False  # noqa: E712
    assert F.support_level[j2] == 0 and F.treatment_due[j2] == INF
    assert m.caseloads[0, HOME] == 0 and m.caseloads[0, LOW] == 0


# ---------------------------------------------------------------------- entries drawn
ENTRY = {"children_per_year": 60000.0, "share_neglect": 0.5, "share_other_abuse": 0.0,
         "share_sibling_pair": 0.5, "share_sibling_three": 0.3,
         "age_under1_abuse_neglect": 0.5, "age_1to4_abuse_neglect": 0.5,
         "age_5to9_abuse_neglect": 0.0, "age_10to15_abuse_neglect": 0.0,
         "age_under1_other": 0.0, "age_1to4_other": 0.0, "age_5to9_other": 0.5,
         "age_10to15_other": 0.5, "care_order_share_other": 0.5,
         "care_order_share_abuse_neglect": 0.0}
FAMILY = {"substance_prevalence_other": 1.0, "substance_prevalence_abuse_neglect": 0.5,
          "domestic_abuse_prevalence": 0.5, "mental_health_prevalence": 0.5,
          "other_reason_problem_multiplier": 1.5}


class Counts:
    """The entries' generator, with the Poisson counts of families chosen by the test (one
    list a month, one count a council); every other number drawn as usual. Records the
    means the counts were asked with."""

    def __init__(self, gen: np.random.Generator, counts: list[list[int]]) -> None:
        self.gen, self.counts, self.means = gen, list(counts), []

    def poisson(self, lam: np.ndarray) -> np.ndarray:
        self.means.append(np.array(lam, dtype=float))
        return np.array(self.counts.pop(0))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gen, name)


#: a month with one family, one with none, then ten months of 60 a council
COUNTS = [[1, 0], [0, 0]] + [[60, 60]] * 10


def test_entries_follow_the_shares_and_number_families_then_children(model: Any) -> None:
    params = {"entry": ENTRY, "family": FAMILY, "after_return": {"frailty_variance": 0.5}}
    m = model(params, two=True)
    tr, F, ch = m.transitions, m.families, m.children_table
    empty = tr.entries(range(0))
    assert len(empty) == 0 and empty.dtype == np.int64
    m.entry_rng = Counts(m.entry_rng, COUNTS)
    first = tr.next_uid
    f = tr.entries(range(12))
    n = len(f)
    assert n == 1 + 10 * 120
    # the mean count a month: 600 children a year (scale 0.01) in families of 0.2 * 1 +
    # 0.5 * 2 + 0.3 * 3 = 2.1 children, shared 1 : 3 between the councils
    per_month = 60000 * 0.01 / 12 / 2.1
    for lam in m.entry_rng.means:
        assert lam.tolist() == pytest.approx([0.25 * per_month, 0.75 * per_month])
    assert F.council[f[0]] == 0 and (F.council[f[1:]] == np.tile(
        np.repeat([0, 1], 60), 10)).all()
    t = F.episode_start[f]
    assert 0 <= t[0] < 1 and ((t[1:] >= 2) & (t[1:] < 12)).all()
    assert (np.floor(t[1:]) == np.repeat(np.arange(2, 12), 120)).all()
    other = F.reason[f] == int(EntryReason.OTHER)
    assert set(F.reason[f].tolist()) == {int(EntryReason.NEGLECT), int(EntryReason.OTHER)}
    assert 0.42 < other.mean() < 0.58
    ab = ~other
    # care orders: half of the other reasons', none of abuse or neglect
    assert not F.care_order[f[ab]].any() and 0.42 < F.care_order[f[other]].mean() < 0.58
    month = np.floor(F.episode_start[f])
    assert all(0 < F.care_order[f[other & (month == k)]].mean() < 1 for k in range(2, 12))
    # problems: abuse or neglect half each, drawn apart; other reasons: substance misuse
    # always, the others at 0.5 * 1.5
    pr = F.present[f]
    for j in range(3):
        assert 0.42 < pr[ab, j].mean() < 0.58
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert (pr[ab, i] != pr[ab, j]).mean() > 0.35
    assert pr[other, 0].all()
    assert 0.67 < pr[other, 1].mean() < 0.83 and 0.67 < pr[other, 2].mean() < 0.83
    assert (F.unresolved[f] == pr).all()
    # frailty: gamma of mean 1, variance 0.5
    assert abs(F.frailty[f].mean() - 1.0) < 0.08 and abs(F.frailty[f].var() - 0.5) < 0.12
    # sibling groups of 1, 2 and 3 in shares 0.2, 0.5, 0.3
    kids = F.kids[f]
    nk = (kids >= 0).sum(axis=1)
    for size, share in ((1, 0.2), (2, 0.5), (3, 0.3)):
        assert abs((nk == size).mean() - share) < 0.06
    assert (kids[nk == 1, 1:] < 0).all() and (kids[nk == 3] >= 0).all()
    # ages: the eldest by reason's bands (other 5-9 and 10-15, abuse or neglect under 1
    # and 1-4), anywhere in them; each younger sibling 1 to 4 years younger, never below 0
    age = np.where(kids >= 0, (t[:, None] - ch.birth_time[np.maximum(kids, 0)]) / 12.0,
                   np.nan)
    assert ((age[other, 0] >= 5) & (age[other, 0] < 16)).all()
    assert 0.4 < (age[other, 0] < 10).mean() < 0.6
    assert ((age[ab, 0] >= 0) & (age[ab, 0] < 5)).all()
    assert 0.4 < (age[ab, 0] < 1).mean() < 0.6
    assert len(np.unique(age[other, 0] % 5)) > 100
    gaps = []
    for j in (1, 2):
        has = kids[:, j] >= 0
        older, younger = age[has, j - 1], age[has, j]
        assert (younger >= 0).all()
        gap = older - younger
        assert ((gap <= 4 + 1e-9) & ((gap >= 1 - 1e-9) | (younger == 0))).all()
        gaps.append(gap[younger > 0])
    baby = ab & (age[:, 0] < 1) & (nk >= 2)  # an eldest under 1: its siblings are 0
    assert (age[other & (nk == 3), 2] > 0).any() and baby.any() and (age[baby, 1] == 0).all()
    for gap in gaps:  # spread over 1 to 4 years
        assert (gap < 1.5).any() and (gap > 3.5).any()
    three = (nk == 3) & other & (age[:, 2] > 0)
    assert (np.abs((age[three, 0] - age[three, 1]) - (age[three, 1] - age[three, 2]))
            > 1e-6).all()
    # unique ids: each family, then its children, in order
    uid = F.uid[f]
    assert uid[0] == first
    assert (uid[1:] == uid[:-1] + 1 + nk[:-1]).all()
    assert (ch.uid[kids[nk >= 1, 0]] == uid[nk >= 1] + 1).all()
    assert (ch.uid[kids[nk == 3, 2]] == uid[nk == 3] + 3).all()
    assert tr.next_uid == first + n + nk.sum()
    assert m.records.families == n and m.records.entries_total == nk.sum()
    # a shard simulating council B only: B's families with the same ids and children
    s = model(params, two=True, simulated=[1])
    s.entry_rng = Counts(s.entry_rng, COUNTS)
    g = s.transitions.entries(range(12))
    b = f[F.council[f] == 1]
    assert s.families.uid[g].tolist() == F.uid[b].tolist()
    assert s.families.episode_start[g].tolist() == F.episode_start[b].tolist()
    assert s.families.present[g].tolist() == F.present[b].tolist()
    assert s.families.frailty[g].tolist() == F.frailty[b].tolist()
    sk = s.families.kids[g]
    assert ((sk >= 0).sum(axis=1) == nk[F.council[f] == 1]).all()
    assert s.children_table.birth_time[sk[:, 0]].tolist() == ch.birth_time[
        F.kids[b, 0]].tolist()
    assert s.transitions.next_uid == tr.next_uid


# ---------------------------------------------------------------------- a run from data
def _row(family: int, location: str, age: float, **kw: Any) -> dict[str, Any]:
    return {"family": family, "council": 0, "location": location,
            "reason": int(EntryReason.NEGLECT), "age_months": age, "care_order": True,
            "placement": KINSHIP, "period_start": -7.0, "return_time": -4.0,
            "unplanned": False, "episodes": 2, "returns": 1, "first_return_time": -20.0,
            "problems": 5, "unresolved": 4, "frailty": 1.25, **kw}


def test_a_family_seeded_in_care_and_one_of_another_shard(model: Any) -> None:
    m = model(two=True, simulated=[0])
    rows = [_row(0, "in_care", 100.0, return_time=np.nan),
            _row(0, "in_care", 60.0, returns=0, return_time=np.nan),
            _row(1, "at_home", 30.0, council=1),
            _row(2, "at_home", 50.0, returns=2, first_return_time=np.nan)]
    u0 = m.transitions.next_uid
    m.seed_population(pd.DataFrame(rows).astype(COLUMNS))
    F, ch = m.families, m.children_table
    assert m.transitions.next_uid == u0 + 3 + 2 + 2  # the other shard's ids kept
    assert F.n == 2 and m.records.families == 2
    a, h = 0, 1
    assert F.uid[[a, h]].tolist() == [u0, u0 + 5]
    assert F.location[[a, h]].tolist() == [IN_CARE, AT_HOME]
    assert F.council[a] == 0 and F.reason[a] == int(EntryReason.NEGLECT)
    assert F.present[a].tolist() == [True, False, True]
    assert F.unresolved[a].tolist() == [False, False, True]
    assert F.frailty[a] == 1.25 and F.care_order[a]
    assert (F.episodes[a], F.returns[a], F.returns[h]) == (2, 1, 2)
    assert F.episode_start[a] == -7.0 and F.t_last[[a, h]].tolist() == [0.0, 0.0]
    k = _kids(m, a)
    assert ch.uid[k].tolist() == [u0 + 1, u0 + 2]
    assert ch.family[k].tolist() == [a, a]
    assert ch.birth_time[k].tolist() == [-100.0, -60.0]
    assert ch.state[k].tolist() == [C_CARE] * 2
    assert ch.state_since[k].tolist() == [-7.0, -7.0]
    assert ch.placement[k].tolist() == [KINSHIP] * 2
    assert ch.entries[k].tolist() == [2, 2]
    assert ch.returns[k].tolist() == [1, 0]
    assert ch.failed_returns[k].tolist() == [1, 0]  # in care: every return failed
    assert ch.failed_returns[_kids(m, h)].tolist() == [1]  # at home: the last one holds
    assert ch.care_order[k].tolist() == [True, True]
    assert ch.reason[k].tolist() == [int(EntryReason.NEGLECT)] * 2
    assert m.caseloads[0, KINSHIP] == 2 and m.caseloads[0, HOME] == 1
    assert m.caseloads[1].sum() == 0
    ep = m.records.episodes_frame().sort_values("child")
    assert ep["start"].tolist() == [-7.0, -7.0, -7.0]
    assert ep["placement"].tolist() == [KINSHIP, KINSHIP, FOSTER]  # at home: foster
    assert ep["care_order"].tolist() == [True] * 3
    assert ep["end"].isna().tolist()[:2] == [True, True]
    assert ep["end"].tolist()[2] == -4.0
    # a child at home with no earlier return known: the record's first return is this one
    assert m.records.returns_frame()["first_return"].tolist() == [-4.0]


def _seed_home(m: RevolvingDoorModel, u: float) -> None:
    m.transitions.u_seed = Draws({}, default=u)
    m.seed_population(pd.DataFrame([_row(0, "at_home", 50.0, unresolved=1)]).astype(COLUMNS))


def test_a_family_seeded_at_home_is_in_harm_with_the_documented_chance(model: Any) -> None:
    # the chance: h / (h + d) * (1 - exp(-(h + d) * 4)), 4 months at home, case open
    base = model(monitoring_months=6)
    _seed_home(base, 1.0)
    F = base.families
    assert F.case_open[0] and not F.in_harm[0]
    r = base.hazards.compute(F, np.array([0]), np.zeros(1), base.engine.kid_birth(
        np.array([0])), base.council_propensity[[0]], base.council_thoroughness[[0]])
    h, d = float(r[0, int(Clock.MALTREATMENT)]), base.hazards.detect_open
    assert h > 0 and d > 0
    p = h / (h + d) * (1.0 - np.exp(-(h + d) * 4.0))
    below, above = model(monitoring_months=6), model(monitoring_months=6)
    _seed_home(below, p * (1 - 1e-9))
    _seed_home(above, p * (1 + 1e-9))
    assert not above.families.in_harm[0]
    assert below.families.in_harm[0] and below.families.harm_start[0] == 0.0
    assert below.transitions.u_seed.calls[0][0] == [int(below.families.uid[0])]
    ret = below.records.returns_frame()
    assert ret["maltreatment_count"].tolist() == [1]
    assert ret["first_maltreatment"].tolist() == [0.0]
    assert below.children_table.maltreatment_episodes[0] == 1
    assert above.records.returns_frame()["maltreatment_count"].tolist() == [0]
    # a closed case: the chance with the detection rate of a closed case
    closed = model(monitoring_months=2)
    _seed_home(closed, 1.0)
    F = closed.families
    assert not F.case_open[0]
    r = closed.hazards.compute(F, np.array([0]), np.zeros(1), closed.engine.kid_birth(
        np.array([0])), closed.council_propensity[[0]], closed.council_thoroughness[[0]])
    h, d = float(r[0, int(Clock.MALTREATMENT)]), closed.hazards.detect_closed
    q = h / (h + d) * (1.0 - np.exp(-(h + d) * 4.0))
    assert abs(q - p) > 1e-6
    yes, no = model(monitoring_months=2), model(monitoring_months=2)
    _seed_home(yes, q * (1 - 1e-9))
    _seed_home(no, q * (1 + 1e-9))
    assert yes.families.in_harm[0] and not no.families.in_harm[0]


# ---------------------------------------------------------------------- one family, edges
def test_moves_of_a_single_family_and_at_their_exact_times(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F, ch = m.transitions, m.families, m.children_table
    R = m.records.returns.table
    a, b = _home(m, [5.0]), _home(m, [6.0])  # home at 5, cases open until 11
    # support of level 1 ends exactly at its time; level 2 later is kept
    tr.set_support(np.array([a]), 1, S_ENT, 7.0)
    tr.set_support(np.array([b]), 2, S_QUO, 20.0)
    tr.checkpoints(np.array([a]), np.array([7.0]))
    assert (F.support_level[a], F.support_mode[a]) == (0, S_ENT)  # entitled still
    tr.checkpoints(np.array([a, b]), np.array([7.5, 7.5]))
    assert F.support_level[b] == 2
    tr.end_support(np.array([b]), np.array([8.0]))
    assert (F.support_level[b], F.support_mode[b]) == (0, S_NONE)
    # one family found in harm: its harm ends; then a breakdown while in harm
    tr.u_reentry = Draws({}, default=0.99)
    tr.maltreatment(np.array([a]), np.array([8.0]))
    tr.detection(np.array([a]), np.array([8.5]))
    assert not F.in_harm[a] and R.harm_months[ch.record[_kids(m, a)]].tolist() == [0.5]
    tr.maltreatment(np.array([b]), np.array([9.0]))
    tr.u_legal = Draws({})
    rec_b = ch.record[_kids(m, b)].copy()
    tr.reenter(np.array([b]), np.array([9.75]), maltreatment=False)
    assert R.harm_months[rec_b].tolist() == [0.75] and not F.in_harm[b]
    # one family leaving care another way
    m.hazards.exit_weights = lambda t, birth, co: (np.ones(len(t)), np.zeros(len(t)),
                                                   np.zeros(len(t)))
    tr.u_exit = Draws({})
    tr.leave_care(np.array([b]), np.array([10.0]))
    assert F.location[b] == GONE and ch.state[_kids(m, b)].tolist() == [C_LEFT]


def test_a_failed_return_counted_each_time(model: Any) -> None:
    m = model(monitoring_months=0, support_share=0.0, treatment_share=0.0)
    tr, ch = m.transitions, m.children_table
    tr.u_legal = Draws({})
    a = _home(m, [8.0], t_home=3.0)
    tr.reenter(np.array([a]), np.array([4.0]), maltreatment=False)
    tr.return_home(np.array([a]), np.array([6.0]))
    tr.reenter(np.array([a]), np.array([7.0]), maltreatment=True)
    assert ch.failed_returns[_kids(m, a)].tolist() == [2]
    assert ch.entries[_kids(m, a)].tolist() == [3]


def test_a_case_closes_when_the_last_problem_resolves_at_its_time(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F = m.transitions, m.families
    a = _home(m, [5.0], present=(True, False, False))
    b = _home(m, [5.0], present=(True, True, False))  # one of two problems resolves
    F.close_with_concerns[[a, b]] = False
    tr.problem_changes(np.array([a, b]), 0, np.array([11.0, 11.0]))
    assert F.case_open[[a, b]].tolist() == [False, True]


def test_the_assessment_is_charged_once_to_each_family(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    a, b = _home(m, [5.0]), _home(m, [6.0])
    pol = _entitlement(assessment_cost=100.0, assessment_price_year=m.config.price_year)
    m.transitions.entitle_support(np.array([a, b]), np.array([6.5, 7.25]), pol)
    assert _ledger(m, "support", 6) == pytest.approx(100.0 * MULT)
    assert _ledger(m, "support", 7) == pytest.approx(100.0 * MULT)
    assert _ledger(m, "support") == pytest.approx(200.0 * MULT)


def test_the_siblings_left_keep_their_order_and_the_first_row(model: Any) -> None:
    # the model's first child (row 0) stays, its older sibling (given second) leaves
    m = model()
    f = _family(m, [10.0, 17.75, 5.0])
    assert _kids(m, f).tolist() == [0, 1, 2]
    m.transitions.children_turn_18(np.array([f]), np.array([4.0]))
    assert m.families.kids[f].tolist() == [0, 2, -1]
    two = model()
    g = _family(two, [10.0, 17.75])
    h = _family(two, [17.75])
    two.families.treatment_due[h] = 9.0  # in care: nothing of home to wind down
    two.transitions.children_turn_18(np.array([g, h]), np.array([4.0, 4.0]))
    assert two.families.kids[g].tolist() == [0, -1, -1]
    assert two.families.location[[g, h]].tolist() == [IN_CARE, GONE]
    assert two.families.treatment_due[h] == 9.0


def test_harm_months_before_18_are_added_to(model: Any) -> None:
    m = model(monitoring_months=24, support_share=0.0, treatment_share=0.0)
    tr, F, ch = m.transitions, m.families, m.children_table
    j = _home(m, [17.75], t_home=2.5)
    young = _home(m, [5.0], t_home=2.5)
    rec = ch.record[_kids(m, j)].copy()
    m.records.returns.table.harm_months[rec] = 2.0
    tr.maltreatment(np.array([j]), np.array([3.0]))
    tr.children_turn_18(np.array([j, young]), np.array([4.0, 4.0]))
    assert m.records.returns.table.harm_months[rec].tolist() == [3.0]
    assert F.location[[j, young]].tolist() == [GONE, AT_HOME]


def test_families_seeded_at_home_each_as_at_their_own_return(model: Any) -> None:
    m = model(monitoring_months=6, support_share=1.0, treatment_share=1.0)
    tr = m.transitions
    rows = [
        # x: unplanned, 4 months ago, substance misuse (treated), its second return
        _row(0, "at_home", 50.0, return_time=-4.0, unplanned=True, unresolved=1, returns=2),
        # y: home exactly 6 months ago: its case closed at month 0, so no usual support
        _row(1, "at_home", 60.0, return_time=-6.0),
        # z: home 8 months ago
        _row(2, "at_home", 70.0, return_time=-8.0, period_start=-12.0),
        # w: in care
        _row(3, "in_care", 80.0, return_time=np.nan)]
    u0 = tr.next_uid
    uid = {0: u0, 1: u0 + 2, 2: u0 + 4, 3: u0 + 6}
    tr.u_seed = Draws({uid[0]: 0.0}, default=0.999999)  # x in harm, y and z not
    tr.u_support = Draws({}, default=0.0)
    m.seed_population(pd.DataFrame(rows).astype(COLUMNS))
    F, ch, R = m.families, m.children_table, m.records.returns.table
    x, y, z, w = 0, 1, 2, 3
    assert F.unplanned[[x, y, z]].tolist() == [True, False, False]
    assert m.records.returns_frame().sort_values("family")["unplanned"].tolist() == [
        True, False, False]
    assert F.case_open[[x, y, z]].tolist() == [True, False, False]
    assert F.support_level[[x, y, z]].tolist() == [1, 0, 0]
    assert F.support_until[x] == F.close_at[x] == 2.0
    assert (F.treated[x], F.treatment_start[x], F.treatment_end[x]) == (True, -4.0, 2.0)
    assert R.treated[ch.record[_kids(m, x)]].tolist() == [True]
    # each family's after-return draws keyed by its own id and returns
    assert tr.u_support.calls == [([uid[0]], [2]), ([uid[1]], [1]), ([uid[2]], [1])]
    # harm: x's child only
    assert F.in_harm[[x, y, z]].tolist() == [True, False, False]
    assert R.maltreatment_count[ch.record[_kids(m, y)]].tolist() == [0]
    assert R.maltreatment_count[ch.record[_kids(m, x)]].tolist() == [1]
    assert ch.maltreatment_episodes[np.concatenate(
        [_kids(m, x), _kids(m, y), _kids(m, z), _kids(m, w)])].tolist() == [1, 0, 0, 0]
    assert m.records.returns.table.n == 3


def test_one_month_of_support_is_support(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F = m.transitions, m.families
    a, b = _home(m, [5.0]), _home(m, [5.0])
    tr.entitle_support(np.array([a]), np.array([6.0]),
                       _entitlement(fixed_levels=True, low_need_months=1))
    tr.entitle_support(np.array([b]), np.array([6.0]), _entitlement(low_need_months=1))
    assert F.support_level[[a, b]].tolist() == [1, 1]
    assert F.support_until[[a, b]].tolist() == [7.0, 7.0]


def test_support_counts_change_in_the_month_of_the_familys_clock(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, F = m.transitions, m.families
    a, b = _home(m, [5.0]), _home(m, [5.0])
    F.t_last[[a, b]] = [5.5, 8.25]  # where each family's clock is
    m.window_start = 4
    m.count_changes = np.zeros((6, 1, len(COUNT_FIELDS)), dtype=np.int64)
    before = m.caseloads.copy()
    tr.set_support(np.array([a, b]), 2, S_ENT, 20.0)
    tr.set_support(np.array([a, b]), np.array([3, 0]), S_ENT, 20.0)
    tr.set_support(np.array([a]), 0, S_NONE, INF)
    cc = m.count_changes[:, 0]
    assert cc[1, MEDIUM] == 1 - 1 and cc[1, HIGH] == 1 - 1  # a: month 5
    assert cc[4, MEDIUM] == 1 - 1 and cc[4, HIGH] == 0  # b: month 8
    assert np.abs(cc).sum() == 0
    tr.set_support(np.array([a, b]), np.array([1, 3]), S_ENT, 20.0)
    assert cc[1, LOW] == 1 and cc[4, HIGH] == 1 and np.abs(cc).sum() == 2
    assert (m.caseloads == before).all()
    m.count_changes = None


def test_the_kinship_share_is_of_the_children_not_placed_in_residential_care(
        model: Any) -> None:
    m = model()
    u0 = m.transitions.next_uid
    # (0.5 - 0.1) / 0.9 = 0.44, above the kinship share 0.4: foster; (0.6 - 0.5) / 0.5 =
    # 0.2 at 13: kinship
    m.transitions.u_placement = Draws({u0 + 1: 0.5, u0 + 3: 0.6})
    a, b = _family(m, [10.0]), _family(m, [13.0])
    assert m.children_table.placement[[*_kids(m, a), *_kids(m, b)]].tolist() == [FOSTER,
                                                                               KINSHIP]


def test_each_decision_draws_from_its_own_keyed_stream(model: Any) -> None:
    m = model()
    tr, s = m.transitions, m.streams
    uid, key = np.array([11, 12, 13]), np.array([0, 1, 2])
    for attr, name in (("u_placement", "placement"), ("u_legal", "legal"),
                       ("u_reentry", "reentry"), ("u_exit", "exit_kind"),
                       ("u_support", "support"), ("u_treatment", "treatment"),
                       ("u_engage", "engagement"), ("u_early_failure", "early_failure")):
        got = getattr(tr, attr).uniform_many(uid, key)
        assert got.tolist() == s.keyed(name).uniform_many(uid, key).tolist(), attr
    assert tr.u_seed.uniform(11) == s.keyed("from_data", 1).uniform(11)
    assert tr.u_seed.uniform(11) not in (s.keyed("from_data").uniform(11),
                                         s.keyed("from_data", 2).uniform(11))


def test_moves_within_worked_months_count_in_their_month(model: Any) -> None:
    m = model(monitoring_months=6, support_share=0.0, treatment_share=0.0)
    tr, ch = m.transitions, m.children_table
    tr.u_placement = Draws({}, default=0.99)  # foster
    tr.u_legal = Draws({})
    a = _family(m, [8.0, 6.0])  # in foster care from month 1, counted at once
    assert m.caseloads[0, FOSTER] == 2
    m.window_start = 4
    m.count_changes = np.zeros((6, 1, len(COUNT_FIELDS)), dtype=np.int64)
    F = m.families
    F.t_last[a] = 5.5  # the family's clock at its event, as the engine leaves it
    tr.return_home(np.array([a]), np.array([5.5]))
    F.t_last[a] = 7.25  # the family's clock at the breakdown
    tr.reenter(np.array([a]), np.array([7.25]), maltreatment=False)
    cc = m.count_changes[:, 0]
    assert cc[1, FOSTER] == -2 and cc[1, HOME] == 2 and cc[1, OPEN] == 1  # month 5
    assert cc[3, FOSTER] == 2 and cc[3, HOME] == -2 and cc[3, OPEN] == -1  # month 7
    assert np.abs(cc).sum() == 10
    assert m.caseloads[0, FOSTER] == 2 and ch.state[_kids(m, a)].tolist() == [C_CARE] * 2
    m.count_changes = None
