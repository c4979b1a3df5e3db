"""State changes of families and children, with their counts, costs and records.

Every move between states goes through a method here, for many families at once: ``f`` is
an array of rows of the family table (:mod:`sim.state`, each row at most once) and ``t``
the array of their times. Each method keeps the ledger and the records in step with the
move, so the monthly invariants hold (each child in one state; stock changes equal
entries minus exits; the ledger's components sum to its total) without a loop over
children in Python. Random numbers are keyed (:mod:`sim.rng`): a family's draw depends on
the seed, the kind of decision, the family and how often it has happened, never on which
other families move in the same pass.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.child import AGE_OUT_MONTHS, ChildState, EntryReason, ExitKind, Placement
from sim.agents.council import PLACEMENT_COLUMN
from sim.agents.family import SUBSTANCE, Clock, Location, SupportMode
from sim.ledger import C
from sim.prices import convert
from sim.records import END_AGED_OUT, END_REENTERED
from sim.rng import categorical, cumulative
from sim.state import INF

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel
    from sim.policies.support_entitlement import SupportEntitlement

#: Age bands at entry, in years (DfE starts by age).
_BAND_LO = np.array([0.0, 1.0, 5.0, 10.0, 16.0])
_BAND_HI = np.array([1.0, 5.0, 10.0, 16.0, 17.99])
_BITS = np.array([1, 2, 4])
_IN_CARE, _AT_HOME, _GONE = int(Location.IN_CARE), int(Location.AT_HOME), int(Location.GONE)
_HOME_AFTER = int(ChildState.HOME_AFTER_RETURN)
_IN_CARE_CHILD = int(ChildState.IN_CARE)
# columns of model.caseloads (sim.agents.council.COUNT_FIELDS): 0-2 in care by placement
_HOME_COUNT, _OPEN_COUNT, _SUPPORT_COUNT = 3, 4, 4  # support level L is column 4 + L
_NONE, _STATUS_QUO, _ENTITLED = (int(SupportMode.NONE), int(SupportMode.STATUS_QUO),
                                 int(SupportMode.ENTITLED))
AGE6 = 72.0  # months: Farmer & Lutman's cut-off age at the return


def bits(flags: np.ndarray) -> np.ndarray:
    """Parental problems as a bit mask: 1 substance misuse, 2 domestic abuse, 4 mental
    health (rows of booleans -> integers)."""
    return flags.astype(np.int64) @ _BITS


class Members:
    """The children of families ``f``, flattened in family order then sibling order."""

    def __init__(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> None:
        kids = model.families.kids[f]
        have = kids >= 0
        self.rows = kids[have]  # child rows
        self.of, self.slot = np.nonzero(have)  # index into f; the child's slot in its family
        self.fam = f[self.of]
        self.t = t[self.of]
        self.count = have.sum(axis=1)  # children a family


class Transitions:
    """All transitions of one model."""

    def __init__(self, model: "RevolvingDoorModel") -> None:
        self.m = model
        p = model.config.params
        self.p = p
        self.uc = model.unit_costs
        s = model.streams
        self.u_placement = s.keyed("placement")
        self.u_legal = s.keyed("legal")
        self.u_reentry = s.keyed("reentry")
        self.u_exit = s.keyed("exit_kind")
        self.u_support = s.keyed("support")
        self.u_treatment = s.keyed("treatment")
        self.u_engage = s.keyed("engagement")
        self.u_seed = s.keyed("from_data", 1)  # a run from data: harm at month 0
        self.u_early_failure = s.keyed("early_failure")
        e = p.entry
        self.reason_p = np.array([e.share_neglect, e.share_other_abuse,
                                  max(0.0, 1.0 - e.share_neglect - e.share_other_abuse)])
        self.reason_p /= self.reason_p.sum()
        self.siblings_p = np.array([max(0.0, 1.0 - e.share_sibling_pair - e.share_sibling_three),
                                    e.share_sibling_pair, e.share_sibling_three])
        self.siblings_p /= self.siblings_p.sum()
        self.age_p = []
        for shares in ((e.age_under1_abuse_neglect, e.age_1to4_abuse_neglect,
                        e.age_5to9_abuse_neglect, e.age_10to15_abuse_neglect),
                       (e.age_under1_other, e.age_1to4_other, e.age_5to9_other,
                        e.age_10to15_other)):
            v = np.array(list(shares) + [max(0.0, 1.0 - sum(shares))])
            self.age_p.append(v / v.sum())
        self.mean_siblings = float(self.siblings_p @ np.array([1.0, 2.0, 3.0]))
        self._reason_cdf = cumulative(self.reason_p)
        self._siblings_cdf = cumulative(self.siblings_p)
        self._age_cdf = [cumulative(p) for p in self.age_p]
        self._council_share = np.array([c.size_share for c in model.councils])
        #: councils whose families this model simulates (all, unless it is one shard of a
        #: run split between processes, :mod:`sim.shards`)
        self._simulated = np.array([c.simulated for c in model.councils], dtype=bool)
        #: the unique id the next entering family takes, counted over every council's
        #: entries (councils take ids 1..n, then each family and its children in order of
        #: entry), kept in a shard too, so that the keyed random streams give a family the
        #: same numbers there
        self.next_uid = len(model.councils) + 1

    # ------------------------------------------------------------------ helpers
    def _cost(self, t: np.ndarray, f: np.ndarray, component: str, unit: float) -> None:
        """Book ``unit`` (run's price year, before the council's cost multiplier) for each
        element: at month ``t``, in family ``f``'s council."""
        if len(t) == 0 or unit <= 0.0:
            return
        council = self.m.families.council[f]
        amount = unit * self.m.council_cost_multiplier[council]
        self.m.ledger.add_many(t.astype(np.int64), council, C[component], amount)

    def _flow(self, t: np.ndarray, f: np.ndarray, name: str, n: np.ndarray | int = 1) -> None:
        if len(t):
            self.m.timeseries.flows_many(t, self.m.families.council[f], name, n)

    def _count(self, council: np.ndarray, field: np.ndarray | int, delta: int,
               t: np.ndarray) -> None:
        """Councils' counts (``model.caseloads``, columns COUNT_FIELDS) change by ``delta``
        at times ``t``. Within months being worked (:meth:`RevolvingDoorModel.step`,
        :meth:`~RevolvingDoorModel.run`) the change is booked to its month
        (``model.count_changes``), so that every month end's counts are known when several
        months are worked at once; between months (seeding a run from data, a test adding
        a family) the counts change at once."""
        m = self.m
        if m.count_changes is None:
            np.add.at(m.caseloads, (council, field), delta)
        else:
            month = t.astype(np.int64) - m.window_start
            np.add.at(m.count_changes, (month, council, field), delta)

    def count_change(self, council: np.ndarray, field: np.ndarray | int, delta: int,
                     t: np.ndarray) -> None:
        """:meth:`_count` for the other mechanisms of the model (:mod:`sim.placements`)."""
        self._count(council, field, delta, t)

    def _move(self, rows: np.ndarray, state: int, t: np.ndarray) -> None:
        """Children ``rows`` change state at ``t``, accruing the months in the old one, and
        leave their council's count of the old state (and join that of the new one, unless
        it is care: :meth:`enter_care` counts children in care once they are placed)."""
        if len(rows) == 0:
            return
        m, ch = self.m, self.m.children_table
        old = ch.state[rows]
        ch.months_in[rows, old] += np.maximum(0.0, t - ch.state_since[rows])
        council = m.families.council[ch.family[rows]]
        care = old == _IN_CARE_CHILD
        t = np.broadcast_to(t, rows.shape)
        self._count(council[care], PLACEMENT_COLUMN[ch.placement[rows[care]]], -1, t[care])
        was_home = old == _HOME_AFTER
        self._count(council[was_home], _HOME_COUNT, -1, t[was_home])
        if state == _HOME_AFTER:
            self._count(council, _HOME_COUNT, 1, t)
        ch.state[rows] = state
        ch.state_since[rows] = t

    def _open_cases(self, f: np.ndarray, open_: bool) -> None:
        """Families' cases open (or close); the councils' counts of open cases follow."""
        if len(f) == 0:
            return
        F = self.m.families
        change = f[F.case_open[f] != open_]
        self._count(F.council[change], _OPEN_COUNT, 1 if open_ else -1, F.t_last[change])
        F.case_open[f] = open_

    def _episode_end(self, kids: Members, sel: np.ndarray, kind: np.ndarray | int) -> None:
        """Record the end of children's episodes of care (``kids`` rows ``sel``), with the
        need the family came in with (used by :mod:`sim.variation`)."""
        if not sel.any():
            return
        m, F, ch = self.m, self.m.families, self.m.children_table
        rows, fam, t = kids.rows[sel], kids.fam[sel], kids.t[sel]
        kind = np.asarray(kind, dtype=np.int64)
        if kind.ndim == 0:
            kind = np.full(rows.shape, int(kind))
        m.records.episodes.end_many(ch.uid[rows], t, kind)
        m.records.episode_ends(t, F.council[fam], ch.reason[rows], kind, F.care_order[fam],
                               bits(F.present[fam]), t - ch.birth_time[rows], F.episodes[fam])

    # ------------------------------------------------------------------ entries
    def entries(self, months: range) -> np.ndarray:
        """New families enter care during ``months`` (consecutive); returns their rows.

        All numbers come from the ``entries`` stream, drawn a month at a time, in order, as
        arrays (never depending on policy, or on how many months are worked at once)."""
        drawn = [d for d in (self._draw_entries(m) for m in months) if d is not None]
        if not drawn:
            return np.zeros(0, dtype=np.int64)
        council_idx, times, reason, ages, present, care_order, frailty, uid = (
            np.concatenate(parts) for parts in zip(*drawn))
        return self.new_families(council_idx, times, reason, ages, present, care_order,
                                 frailty, uid)

    def _draw_entries(self, month: int) -> tuple[np.ndarray, ...] | None:
        """One month's entering families, drawn from the ``entries`` stream: council, time,
        reason, children's ages (years, NaN for no child), problems, care order, frailty
        and unique id, one element a family of this model's councils (None if none)."""
        m = self.m
        gen = m.entry_rng
        e, fp = self.p.entry, self.p.family
        per_month = (e.children_per_year * m.config.scale / 12.0 / self.mean_siblings)
        counts = gen.poisson(self._council_share * per_month)
        n = int(counts.sum())
        if n == 0:
            return None
        council_idx = np.repeat(np.arange(len(m.councils)), counts)
        reason = categorical(gen, self._reason_cdf, n)
        other = reason == int(EntryReason.OTHER)
        n_children = 1 + categorical(gen, self._siblings_cdf, n)
        band = np.where(other, categorical(gen, self._age_cdf[1], n),
                        categorical(gen, self._age_cdf[0], n))
        lo, hi = _BAND_LO[band], _BAND_HI[band]
        eldest = lo + (hi - lo) * gen.random(n)
        gaps = gen.uniform(1.0, 4.0, size=(n, 2))
        mult = np.where(other, fp.other_reason_problem_multiplier, 1.0)
        u = gen.random((n, 3))
        sub_p = np.where(other, fp.substance_prevalence_other,
                         fp.substance_prevalence_abuse_neglect)
        present = np.column_stack([u[:, 0] < sub_p,
                                   u[:, 1] < np.minimum(1.0, fp.domestic_abuse_prevalence * mult),
                                   u[:, 2] < np.minimum(1.0, fp.mental_health_prevalence * mult)])
        care_order = gen.random(n) < np.where(other, e.care_order_share_other,
                                              e.care_order_share_abuse_neglect)
        var = self.p.after_return.frailty_variance
        frailty = gen.gamma(1.0 / var, var, size=n) if var > 0 else np.ones(n)
        times = month + gen.random(n)
        uid = self.next_uid + np.concatenate(([0], np.cumsum(n_children + 1)[:-1]))
        self.next_uid += int(n + n_children.sum())
        keep = self._simulated[council_idx]
        if not keep.all():  # another shard's councils
            council_idx, reason, n_children, eldest = (council_idx[keep], reason[keep],
                                                       n_children[keep], eldest[keep])
            gaps, present, care_order = gaps[keep], present[keep], care_order[keep]
            frailty, times, uid = frailty[keep], times[keep], uid[keep]
        ages = np.full((len(uid), 3), np.nan)
        ages[:, 0] = eldest
        ages[:, 1] = np.where(n_children >= 2, np.maximum(0.0, eldest - gaps[:, 0]), np.nan)
        ages[:, 2] = np.where(n_children >= 3, np.maximum(0.0, ages[:, 1] - gaps[:, 1]), np.nan)
        return council_idx, times, reason, ages, present, care_order, frailty, uid

    def new_family(self, council: int, t: float, reason: EntryReason, ages: list[float],
                   present: list[bool], care_order: bool, frailty: float = 1.0) -> int:
        """One family (children aged ``ages`` years) entering care at ``t`` in council index
        ``council``, numbered after every family so far: for tests and for starting a model
        from data. Returns its row (``model.family_view(row)`` gives the agent)."""
        a = np.full((1, 3), np.nan)
        a[0, :len(ages)] = ages
        uid = self.next_uid
        self.next_uid += 1 + len(ages)
        return int(self.new_families(np.array([council]), np.array([t]),
                                     np.array([int(reason)]), a, np.array([present]),
                                     np.array([care_order]), np.array([frailty]),
                                     np.array([uid]))[0])

    def new_families(self, council: np.ndarray, t: np.ndarray, reason: np.ndarray,
                     ages: np.ndarray, present: np.ndarray, care_order: np.ndarray,
                     frailty: np.ndarray, uid: np.ndarray) -> np.ndarray:
        """Families whose children (``ages``: years, one row a family, NaN for no child)
        enter care at times ``t``; family ``i`` takes unique id ``uid[i]``, its children the
        next ones. Returns the families' rows (already scheduled)."""
        m = self.m
        F, ch = m.families, m.children_table
        f = F.add(len(t))
        F.uid[f], F.council[f], F.reason[f] = uid, council, reason
        F.present[f] = present
        F.unresolved[f] = present
        F.frailty[f] = frailty
        F.t_last[f] = t
        have = ~np.isnan(ages)
        fam_of, slot = np.nonzero(have)  # row-major: family order, then sibling order
        k = ch.add(len(fam_of))
        ch.uid[k] = uid[fam_of] + 1 + slot
        ch.family[k] = f[fam_of]
        ch.birth_time[k] = t[fam_of] - ages[have] * 12.0
        ch.reason[k] = reason[fam_of]
        ch.state[k] = int(ChildState.HOME_BEFORE_CARE)
        ch.state_since[k] = t[fam_of]
        F.kids[f[fam_of], slot] = k
        m.records.families += len(f)
        self.enter_care(f, t, care_order)
        m.engine.reschedule(f, t)
        return f

    # ------------------------------------------------------------------ a run from data
    def seed_family(self, council: int, rows: dict[str, list]) -> int | None:
        """A family as it is at month 0 of a run from data (``rows``: the family's children's
        rows of the initial stock, :mod:`sim.initial_stock`, one list a column): in care
        since ``period_start``, or at home since ``return_time`` with the council's usual
        practice after that return (case open for its months, status-quo support and
        treatment drawn as at a return). No flow, cost or policy: those happened before
        the run. Takes the next unique ids, as an entering family would. Returns the
        family's row (None for another shard's council); :meth:`Engine.reschedule` starts
        its clocks."""
        m, uid, k = self.m, self.next_uid, len(rows["age_months"])
        self.next_uid += 1 + k
        if not m.councils[council].simulated:
            return None
        F, ch = m.families, m.children_table
        f = int(F.add(1)[0])
        reason = int(rows["reason"][0])
        F.uid[f], F.council[f], F.reason[f] = uid, council, reason
        F.present[f] = [bool(int(rows["problems"][0]) >> j & 1) for j in range(3)]
        F.unresolved[f] = [bool(int(rows["unresolved"][0]) >> j & 1) for j in range(3)]
        F.frailty[f] = float(rows["frailty"][0])
        F.episodes[f], F.returns[f] = int(max(rows["episodes"])), int(max(rows["returns"]))
        F.care_order[f] = bool(rows["care_order"][0])
        F.episode_start[f] = start = float(rows["period_start"][0])
        home = rows["location"][0] == "at_home"
        c = ch.add(k)
        F.kids[f, :k] = c
        ch.uid[c] = uid + 1 + np.arange(k)
        ch.family[c] = f
        ch.birth_time[c] = -np.asarray(rows["age_months"], dtype=float)
        ch.state_since[c] = ch.birth_time[c]
        ch.reason[c] = reason
        ch.entries[c] = np.asarray(rows["episodes"], dtype=np.int64)
        ch.returns[c] = np.asarray(rows["returns"], dtype=np.int64)
        ch.failed_returns[c] = ch.returns[c] - (1 if home else 0)
        ch.first_return_time[c] = np.asarray(rows["first_return_time"], dtype=float)
        ch.care_order[c] = F.care_order[f]
        # the period's placement is known only in care; a child at home is logged foster
        place = (np.full(k, int(Placement.FOSTER)) if home
                 else np.asarray(rows["placement"], dtype=np.int64))
        m.records.episodes.start_many(ch.uid[c], np.full(k, start), np.full(k, council),
                                      ch.birth_time[c], np.full(k, reason),
                                      np.full(k, bool(F.care_order[f])), place)
        if home:
            self._seed_at_home(f, c, float(rows["return_time"][0]), bool(rows["unplanned"][0]))
            self._seed_harm(f, c, float(rows["return_time"][0]))
        else:
            F.location[f] = _IN_CARE
            ch.placement[c] = place
            ch.state[c] = _IN_CARE_CHILD
            ch.state_since[c] = start
            self._count(np.full(k, council), PLACEMENT_COLUMN[place], 1, np.zeros(k))
        F.t_last[f] = 0.0
        m.records.families += 1
        return f

    def _seed_harm(self, f: int, c: np.ndarray, t: float) -> None:
        """Is the family at home in undetected harm at month 0 (SSDA903 cannot say)? With
        the chance the model's own hazards give after ``-t`` months at home: harm starting
        at the family's maltreatment rate ``h`` and found at the detection rate ``d``,
        ``h / (h + d) * (1 - exp(-(h + d) * months))``. Harm before month 0 is not
        counted (harm months count from the start of the run)."""
        m, F, ch, k = self.m, self.m.families, self.m.children_table, self.m.hazards
        rows = np.array([f])
        council = F.council[rows]
        r = k.compute(F, rows, np.zeros(1), m.engine.kid_birth(rows),
                      m.council_propensity[council], m.council_thoroughness[council])
        h = float(r[0, int(Clock.MALTREATMENT)])
        d = k.detect_open if F.case_open[f] else k.detect_closed
        if h <= 0.0 or h + d <= 0.0:
            return
        p = h / (h + d) * (1.0 - math.exp(-(h + d) * (0.0 - t)))
        if self.u_seed.uniform(int(F.uid[f])) >= p:
            return
        F.in_harm[f], F.harm_start[f] = True, 0.0
        R = m.records.returns.table
        rec = ch.record[c]
        R.maltreatment_count[rec] += 1
        R.first_maltreatment[rec] = 0.0
        ch.maltreatment_episodes[c] += 1

    def _seed_at_home(self, f: int, c: np.ndarray, t: float, unplanned: bool) -> None:
        """The at-home part of :meth:`seed_family`: what :meth:`return_home` sets at a
        return at ``t`` (< 0), seen at month 0, without its flows and costs."""
        m, F, ch = self.m, self.m.families, self.m.children_table
        council = int(F.council[f])
        k = len(c)
        F.location[f] = _AT_HOME
        F.return_time[f], F.unplanned[f] = t, unplanned
        F.over6_at_return[f] = bool((t - ch.birth_time[c] > AGE6).any())
        F.substance_at_return[f] = F.unresolved[f, SUBSTANCE]  # now: the return's is unknown
        ch.state[c] = _HOME_AFTER
        ch.state_since[c] = t
        self._count(np.full(k, council), _HOME_COUNT, 1, np.zeros(k))
        tk = np.full(k, t)
        m.records.episodes.end_many(ch.uid[c], tk, np.full(k, int(ExitKind.RETURNED_HOME)))
        first = ch.first_return_time[c]
        rec = self._open_return_records(c, np.full(k, f), tk, np.where(np.isnan(first), t, first),
                                        unplanned)
        practice = m.councils[council]
        rows = np.array([f])
        if t + practice.monitoring_months > 0.0:
            self._open_cases(rows, True)
            F.close_at[f] = t + practice.monitoring_months
        self._draw_after_return(rows, F.returns[rows])
        if F.case_open[f] and F.u_support[f] < practice.support_share:
            self.set_support(rows, 1, _STATUS_QUO, F.close_at[f])
        if F.substance_at_return[f] and F.u_treatment[f] < practice.treatment_share:
            F.treated[f] = True
            F.treatment_start[f] = t
            F.treatment_end[f] = t + self.p.support.treatment_months
        R = m.records.returns.table
        R.support_level[rec] = F.support_level[f]
        R.treated[rec] = F.treated[f]

    def enter_care(self, f: np.ndarray, t: np.ndarray, care_order: np.ndarray) -> None:
        """The families' children (home before care, or home after a return) enter care."""
        if len(f) == 0:
            return
        m, uc, F, ch = self.m, self.uc, self.m.families, self.m.children_table
        first = F.episodes[f] == 0
        F.location[f] = _IN_CARE
        F.episodes[f] += 1
        F.episode_start[f] = t
        F.care_order[f] = care_order
        kids = Members(m, f, t)
        r = kids.rows
        self._move(r, int(ChildState.IN_CARE), kids.t)
        ch.entries[r] += 1
        ch.care_order[r] = care_order[kids.of]
        ch.placement[r] = self._placement(r, kids.t)
        self._count(F.council[kids.fam], PLACEMENT_COLUMN[ch.placement[r]], 1, kids.t)
        m.records.episodes.start_many(ch.uid[r], kids.t, F.council[kids.fam], ch.birth_time[r],
                                      F.reason[kids.fam], care_order[kids.of], ch.placement[r])
        kf = first[kids.of]
        self._cost(kids.t[kf], kids.fam[kf], "process_entry", uc.entry_decision)
        legal = kf & care_order[kids.of]
        self._cost(kids.t[legal], kids.fam[legal], "process_legal", uc.care_proceedings)
        self._cost(kids.t[~kf], kids.fam[~kf], "process_reentry", uc.reentry_process)
        self._flow(t[first], f[first], "entries", kids.count[first])
        self._flow(t[~first], f[~first], "reentries", kids.count[~first])
        m.records.entries_total += len(r)
        self._policies("on_entry", f, t)

    def _policies(self, hook: str, f: np.ndarray, t: np.ndarray) -> None:
        """Each policy's ``hook`` (``on_entry``, ``on_return``) for the families it covers
        and finds eligible."""
        m = self.m
        for pol in m.policies:
            sel = pol.applies(m, f, t)
            sel[sel] = pol.eligible(m, f[sel], t[sel])
            if sel.any():
                getattr(pol, hook)(m, f[sel], t[sel])

    def _placement(self, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        e = self.p.entry
        ch = self.m.children_table
        u = self.u_placement.uniform_many(ch.uid[rows], ch.entries[rows])
        res = np.where(t - ch.birth_time[rows] >= 144, e.residential_share_12plus,
                       e.residential_share_under12)
        out = np.full(len(rows), int(Placement.FOSTER))
        out[(u - res) / (1.0 - res) < e.kinship_share] = int(Placement.KINSHIP)
        out[u < res] = int(Placement.RESIDENTIAL)
        return out

    def _open_return_records(self, rows: np.ndarray, fam: np.ndarray, t: np.ndarray,
                             first_return: np.ndarray, unplanned: bool) -> np.ndarray:
        """A return record for each child ``rows`` (of families ``fam``) going home at ``t``,
        as the family is now; the children's open records. Returns the records' rows."""
        m, F, ch = self.m, self.m.families, self.m.children_table
        rec = m.records.returns.add(len(rows))
        R = m.records.returns.table
        R.child[rec], R.family[rec], R.council[rec] = ch.uid[rows], F.uid[fam], F.council[fam]
        R.time[rec], R.reason[rec], R.nth[rec] = t, F.reason[fam], ch.returns[rows]
        R.first_return[rec] = first_return
        R.substance[rec] = F.substance_at_return[fam]
        R.problems[rec] = bits(F.unresolved[fam])
        R.care_order[rec] = F.care_order[fam]
        R.age[rec] = t - ch.birth_time[rows]
        R.unplanned[rec] = unplanned
        ch.record[rows] = rec
        return rec

    def _draw_after_return(self, f: np.ndarray, key: np.ndarray) -> None:
        """The numbers a return draws, keyed by the family and its ``key``-th return: does
        it engage with help, and the numbers that decide support and treatment (shared by
        the council's practice and by policies, so a policy changes who is offered, not
        the draws)."""
        F = self.m.families
        uid = F.uid[f]
        F.engaged[f] = (self.u_engage.uniform_many(uid, key)
                        < self.p.family.engagement_probability)
        F.u_support[f] = self.u_support.uniform_many(uid, key)
        F.u_treatment[f] = self.u_treatment.uniform_many(uid, key)
        # issue 21: is this return one that fails within weeks (more often if unplanned)
        a = self.p.after_return
        share = np.where(F.unplanned[f], a.early_failure_share_unplanned,
                         a.early_failure_share)
        F.fragile[f] = self.u_early_failure.uniform_many(uid, key) < share

    # ------------------------------------------------------------------ leaving care
    def return_home(self, f: np.ndarray, t: np.ndarray, planned: bool = True) -> None:
        """The children go home; the council's after-return practice and policies apply.

        ``planned=False``: an unplanned return (children in voluntary care removed by their
        parents, a child running home, a placement breaking down; Farmer 2014, 27% of
        returns). The council still learns of it and applies its usual after-return
        practice; what differs is the risk in the early months (``Hazards``)."""
        if len(f) == 0:
            return
        m, F, ch = self.m, self.m.families, self.m.children_table
        kids = Members(m, f, t)
        r = kids.rows
        F.location[f] = _AT_HOME
        F.unplanned[f] = not planned
        over6 = np.zeros(len(f), dtype=bool)
        np.logical_or.at(over6, kids.of, kids.t - ch.birth_time[r] > AGE6)
        F.over6_at_return[f] = over6
        F.returns[f] += 1
        F.return_time[f] = t
        F.in_harm[f] = False
        key = F.returns[f]
        F.substance_at_return[f] = F.unresolved[f, SUBSTANCE]
        self._move(r, _HOME_AFTER, kids.t)
        ch.returns[r] += 1
        first = np.isnan(ch.first_return_time[r])
        ch.first_return_time[r[first]] = kids.t[first]
        fam = kids.fam
        rec = self._open_return_records(r, fam, kids.t, ch.first_return_time[r], not planned)
        self._episode_end(kids, np.ones(len(r), dtype=bool), int(ExitKind.RETURNED_HOME))
        self._cost(kids.t, fam, "process_return", self.uc.return_home)
        self._flow(t, f, "returns", kids.count)
        # the council's usual practice after a return
        council = F.council[f]
        self._open_cases(f, True)
        F.close_at[f] = t + m.council_monitoring_months[council]
        F.close_with_concerns[f] = True
        self._draw_after_return(f, key)
        u_treat = F.u_treatment[f]
        F.treated[f] = False
        F.treatment_start[f] = INF
        F.treatment_end[f] = -INF
        treat = F.substance_at_return[f] & (u_treat < m.council_treatment_share[council])
        F.treatment_due[f] = np.where(treat, t, INF)
        sup = F.u_support[f] < m.council_support_share[council]
        self.set_support(f[sup], 1, _STATUS_QUO, INF)
        self._policies("on_return", f, t)
        sq = F.support_mode[f] == _STATUS_QUO
        F.support_until[f[sq]] = F.close_at[f[sq]]  # usual support stops when the case closes
        m.records.returns.table.support_level[rec] = F.support_level[fam]

    def leave_care(self, f: np.ndarray, t: np.ndarray) -> None:
        """The children leave care another way: adoption, guardianship, or other."""
        if len(f) == 0:
            return
        m, F = self.m, self.m.families
        kids = Members(m, f, t)
        w_other, w_guard, w_adopt = m.hazards.exit_weights(t, m.engine.kid_birth(f),
                                                           F.care_order[f])
        u = self.u_exit.uniform_many(F.uid[f], F.fired[f, int(Clock.EXIT)]) * (
            w_other + w_guard + w_adopt)
        kind = np.where(u < w_adopt, int(ExitKind.ADOPTED),
                        np.where(u < w_adopt + w_guard, int(ExitKind.GUARDIANSHIP),
                                 int(ExitKind.OTHER)))
        self._move(kids.rows, int(ChildState.LEFT_CARE_OTHER), kids.t)
        self._episode_end(kids, np.ones(len(kids.rows), dtype=bool), kind[kids.of])
        self._flow(t, f, "exits_other", kids.count)
        F.location[f] = _GONE

    # ------------------------------------------------------------------ at home
    def maltreatment(self, f: np.ndarray, t: np.ndarray) -> None:
        if len(f) == 0:
            return
        m, F, ch = self.m, self.m.families, self.m.children_table
        F.in_harm[f] = True
        F.harm_start[f] = t
        kids = Members(m, f, t)
        rec = ch.record[kids.rows]
        R = m.records.returns.table
        R.maltreatment_count[rec] += 1
        new = np.isnan(R.first_maltreatment[rec])
        R.first_maltreatment[rec[new]] = kids.t[new]
        ch.maltreatment_episodes[kids.rows] += 1
        self._flow(t, f, "maltreatment_starts", kids.count)

    def _end_harm(self, f: np.ndarray, t: np.ndarray) -> None:
        if len(f) == 0:
            return
        m, F, ch = self.m, self.m.families, self.m.children_table
        harm = F.in_harm[f]
        if not harm.any():
            return
        f, t = f[harm], t[harm]
        kids = Members(m, f, t)
        dt = t - F.harm_start[f]
        m.records.returns.table.harm_months[ch.record[kids.rows]] += dt[kids.of]
        m.timeseries.add_harm_many(F.council[f], F.harm_start[f], t, kids.count)
        F.in_harm[f] = False

    def detection(self, f: np.ndarray, t: np.ndarray) -> None:
        """The council finds out about maltreatment: re-entry, or the case (re)opens."""
        if len(f) == 0:
            return
        F, a = self.m.families, self.p.after_return
        self._end_harm(f, t)
        kids = Members(self.m, f, t)
        self._flow(t, f, "maltreatment_detected", kids.count)
        u = self.u_reentry.uniform_many(F.uid[f], F.fired[f, int(Clock.DETECTION)])
        back = u < a.reentry_on_detection
        self.reenter(f[back], t[back], maltreatment=True)
        f, t = f[~back], t[~back]
        closed = ~F.case_open[f]
        self._open_cases(f, True)
        F.close_at[f] = np.where(closed, t + a.reopen_months,
                                 np.maximum(F.close_at[f], t + a.reopen_months))

    def reenter(self, f: np.ndarray, t: np.ndarray, maltreatment: bool) -> None:
        """The return breaks down: the children come back into care."""
        if len(f) == 0:
            return
        m, F, ch = self.m, self.m.families, self.m.children_table
        self._end_harm(f, t)
        kids = Members(m, f, t)
        rec = ch.record[kids.rows]
        R = m.records.returns.table
        R.end_time[rec] = kids.t
        R.end_kind[rec] = END_REENTERED
        R.after_maltreatment[rec] = maltreatment
        ch.failed_returns[kids.rows] += 1
        ch.record[kids.rows] = -1
        self._wind_down_home(f, t)
        care_order = F.care_order[f] | (self.u_legal.uniform_many(F.uid[f], F.episodes[f])
                                        < self.p.entry.care_order_share_reentry)
        self.enter_care(f, t, care_order)

    def _wind_down_home(self, f: np.ndarray, t: np.ndarray) -> None:
        """Close the case, stop support and treatment (children leave home)."""
        if len(f) == 0:
            return
        self.close_case(f, t, all_support=True)
        F = self.m.families
        F.treatment_due[f] = INF
        F.treatment_end[f] = np.minimum(F.treatment_end[f], t)

    def close_case(self, f: np.ndarray, t: np.ndarray, all_support: bool = False) -> None:
        """The case closes; the council's usual support stops with it (``all_support``:
        any support, as when the children leave home)."""
        if len(f) == 0:
            return
        F = self.m.families
        self._open_cases(f, False)
        F.close_at[f] = INF
        self.set_support(f if all_support else f[F.support_mode[f] == _STATUS_QUO], 0,
                         _NONE, INF)

    def problem_changes(self, f: np.ndarray, j: int, t: np.ndarray) -> None:
        """A parental problem resolves, or (if resolved) relapses."""
        if len(f) == 0:
            return
        F = self.m.families
        F.unresolved[f, j] = ~F.unresolved[f, j]
        home = F.location[f] == _AT_HOME
        f, t = f[home], t[home]
        ent = F.support_mode[f] == _ENTITLED
        if ent.any():
            self.reassess_support(f[ent], t[ent])
        close = (F.case_open[f] & ~F.close_with_concerns[f] & (t >= F.close_at[f])
                 & ~F.unresolved[f].any(axis=1))
        if close.any():
            self.close_case(f[close], t[close])

    def checkpoints(self, f: np.ndarray, t: np.ndarray) -> None:
        """Deterministic moments of families at home: the case closing, support ending,
        treatment starting."""
        if len(f) == 0:
            return
        F = self.m.families
        close = F.case_open[f] & (t >= F.close_at[f]) & (
            F.close_with_concerns[f] | ~F.unresolved[f].any(axis=1))
        if close.any():
            self.close_case(f[close], t[close])
        end = (F.support_level[f] > 0) & (t >= F.support_until[f])
        if end.any():
            self.end_support(f[end], t[end])
        start = F.treatment_due[f] <= t
        if start.any():
            self.start_treatment(f[start], t[start])

    # ------------------------------------------------------------------ support, treatment
    def set_support(self, f: np.ndarray, level: np.ndarray | int, mode: int,
                    until: np.ndarray | float) -> None:
        if len(f) == 0:
            return
        F = self.m.families
        council, t = F.council[f], F.t_last[f]  # a family's clock is at its present moment
        old = F.support_level[f]
        was = old > 0
        self._count(council[was], _SUPPORT_COUNT + old[was], -1, t[was])
        if np.ndim(level) == 0:  # one level for all (0: none)
            if level:
                self._count(council, _SUPPORT_COUNT + int(level), 1, t)
                F.support_mode[f] = mode
                F.support_until[f] = until
            else:
                F.support_mode[f] = _NONE
                F.support_until[f] = INF
            F.support_level[f] = level
            return
        now = level > 0
        self._count(council[now], _SUPPORT_COUNT + level[now], 1, t[now])
        F.support_level[f] = level
        F.support_mode[f] = np.where(now, mode, _NONE)
        F.support_until[f] = np.where(now, until, INF)

    def end_support(self, f: np.ndarray, t: np.ndarray) -> None:
        if len(f) == 0:
            return
        F = self.m.families
        keep = (F.support_mode[f] == _ENTITLED) & ~F.support_fixed[f]
        self.set_support(f, 0, _NONE, INF)
        F.support_mode[f[keep]] = _ENTITLED  # still entitled if a problem returns

    def entitle_support(self, f: np.ndarray, t: np.ndarray,
                        policy: "SupportEntitlement") -> None:
        """Assessment, then support matched to need: for as long as needed (up to a cap), or,
        with ``policy.fixed_levels`` (Holmes' design), the level assessed at the return for
        that level's fixed length."""
        if len(f) == 0:
            return
        F = self.m.families
        cost = convert(policy.assessment_cost, policy.assessment_price_year,
                       self.m.config.price_year)
        self._cost(t, f, "support", cost)
        F.support_cap_at[f] = INF if policy.cap_months is None else t + policy.cap_months
        F.support_taper[f] = float(policy.taper_months)
        F.support_low_months[f] = float(policy.low_need_months)
        F.support_fixed[f] = bool(policy.fixed_levels)
        F.support_months_by_level[f] = (0.0, float(policy.low_need_months),
                                        float(policy.medium_months), float(policy.high_months))
        self.set_support(f, 0, _NONE, INF)
        F.support_mode[f] = _ENTITLED
        self.reassess_support(f, t, first=True)

    def need_level(self, f: np.ndarray) -> np.ndarray:
        """Assessed need: 1 low (no unresolved problem), 2 medium (one problem other than
        substance misuse), 3 high (two or more problems, or substance misuse)."""
        un = self.m.families.unresolved[f]
        n = un.sum(axis=1)
        return np.where(n == 0, 1, np.where((n >= 2) | un[:, SUBSTANCE], 3, 2))

    def reassess_support(self, f: np.ndarray, t: np.ndarray, first: bool = False) -> None:
        """Match entitled families' support to their current need (Holmes' design: only at
        the assessment; the level then holds for its fixed length)."""
        if len(f) == 0:
            return
        F = self.m.families
        fixed = F.support_fixed[f]
        if first and fixed.any():
            g, tg = f[fixed], t[fixed]
            level = self.need_level(g)
            months = F.support_months_by_level[g, level]
            cap = F.support_cap_at[g]
            ok = (months > 0) & (tg < cap)
            self.set_support(g[ok], level[ok], _ENTITLED, np.minimum(tg + months, cap)[ok])
            F.support_mode[g[~ok]] = _NONE
        f, t = f[~fixed], t[~fixed]
        cap = F.support_cap_at[f]
        capped = t >= cap
        self.set_support(f[capped], 0, _NONE, INF)
        f, t, cap = f[~capped], t[~capped], cap[~capped]
        n = F.unresolved[f].sum(axis=1)
        calm = n == 0
        if first:
            low = calm & (F.support_low_months[f] > 0)
            self.set_support(f[low], 1, _ENTITLED,
                             np.minimum(t + F.support_low_months[f], cap)[low])
        else:
            taper = calm & (F.support_level[f] > 0)
            self.set_support(f[taper], 1, _ENTITLED,
                             np.minimum(t + F.support_taper[f], cap)[taper])
        F.support_mode[f[calm]] = _ENTITLED
        need = ~calm
        self.set_support(f[need], self.need_level(f[need]), _ENTITLED, cap[need])

    def start_treatment(self, f: np.ndarray, t: np.ndarray) -> None:
        if len(f) == 0:
            return
        m, F, ch = self.m, self.m.families, self.m.children_table
        F.treatment_due[f] = INF
        ok = (F.location[f] == _AT_HOME) & F.unresolved[f, SUBSTANCE]
        f, t = f[ok], t[ok]
        F.treatment_start[f] = t
        F.treatment_end[f] = t + self.p.support.treatment_months
        F.treated[f] = True
        self._cost(t, f, "treatment", self.uc.treatment_episode)
        kids = Members(m, f, t)
        m.records.returns.table.treated[ch.record[kids.rows]] = True

    # ------------------------------------------------------------------ growing up
    def children_turn_18(self, f: np.ndarray, t: np.ndarray) -> None:
        """Children of families ``f`` who are 18 by ``t`` leave care, or stop being followed
        at home; a family with no children left leaves the model."""
        if len(f) == 0:
            return
        m, F, ch = self.m, self.m.families, self.m.children_table
        kids = Members(m, f, t)
        old = kids.t >= ch.birth_time[kids.rows] + AGE_OUT_MONTHS
        if not old.any():
            return
        state = ch.state[kids.rows]
        care = old & (state == int(ChildState.IN_CARE))
        if care.any():
            self._move(kids.rows[care], int(ChildState.LEFT_CARE_OTHER), kids.t[care])
            self._episode_end(kids, care, int(ExitKind.AGED_OUT))
            self._flow(kids.t[care], kids.fam[care], "exits_other")
        home = old & (state == _HOME_AFTER)
        if home.any():
            rows, fam, th = kids.rows[home], kids.fam[home], kids.t[home]
            rec = ch.record[rows]
            R = m.records.returns.table
            harm = F.in_harm[fam]
            R.harm_months[rec[harm]] += th[harm] - F.harm_start[fam[harm]]
            m.timeseries.add_harm_many(F.council[fam[harm]], F.harm_start[fam[harm]], th[harm],
                                       np.ones(int(harm.sum()), dtype=np.int64))
            R.end_time[rec] = th
            R.end_kind[rec] = END_AGED_OUT
            ch.record[rows] = -1
            self._move(rows, int(ChildState.LEFT_CARE_OTHER), th)
        # drop the grown-up children from their families, keeping the siblings' order
        kid_rows = F.kids[f]
        kid_rows[kids.of[old], kids.slot[old]] = -1
        order = np.argsort(kid_rows < 0, axis=1, kind="stable")
        F.kids[f] = np.take_along_axis(kid_rows, order, axis=1)
        empty = (F.kids[f] < 0).all(axis=1)
        if empty.any():
            e, te = f[empty], t[empty]
            home_e = F.location[e] == _AT_HOME
            self._wind_down_home(e[home_e], te[home_e])
            F.location[e] = _GONE
