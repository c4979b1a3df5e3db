"""State changes of families and children, with their counts, costs and records.

Every move between states goes through a method here, and each method keeps the council's
counts, the ledger and the records in step with the move. That is what makes the monthly
invariants hold (each child in one state; stock changes equal entries minus exits; the
ledger's components sum to its total) without ever looping over all children.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.child import Child, ChildState, EntryReason, ExitKind, Placement
from sim.agents.family import INF, SUBSTANCE, Clock, Family, Location, SupportMode
from sim.ledger import C
from sim.parameters import AGE5, AGE16
from sim.prices import convert
from sim.records import END_AGED_OUT, END_REENTERED, ReturnRecord

if TYPE_CHECKING:
    from sim.agents.council import LocalAuthority
    from sim.model import RevolvingDoorModel
    from sim.policies.support_entitlement import SupportEntitlement

#: Age bands at entry, in years (DfE starts by age).
_BAND_LO = np.array([0.0, 1.0, 5.0, 10.0, 16.0])
_BAND_HI = np.array([1.0, 5.0, 10.0, 16.0, 17.99])


def _bits(flags: list[bool]) -> int:
    """Parental problems as a bit mask: 1 substance misuse, 2 domestic abuse, 4 mental health."""
    return sum(1 << j for j, f in enumerate(flags) if f)


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
        self._council_share = np.array([c.size_share for c in model.councils])
        #: councils whose families this model simulates (all, unless it is one shard of a
        #: run split between processes, :mod:`sim.shards`)
        self._simulated = np.array([c.simulated for c in model.councils], dtype=bool)
        #: the unique id the next entering family takes, counted over every council's
        #: entries: the numbering Mesa gives when every council is simulated (councils take
        #: ids 1..n, then each family and its children in order of entry), kept in a shard
        #: too, so that the keyed random streams give a family the same numbers there
        self.next_uid = len(model.councils) + 1

    # ------------------------------------------------------------------ entries
    def entries(self, month: int) -> None:
        """New families enter care during ``month``.

        All numbers come from the ``entries`` stream, drawn a month at a time as arrays
        (never depending on policy), then the agents are created one family at a time.
        """
        m = self.m
        gen = m.entry_rng
        e, f = self.p.entry, self.p.family
        per_month = (e.children_per_year * m.config.scale / 12.0 / self.mean_siblings)
        counts = gen.poisson(self._council_share * per_month)
        n = int(counts.sum())
        if n == 0:
            return
        council_idx = np.repeat(np.arange(len(m.councils)), counts)
        reason = gen.choice(3, size=n, p=self.reason_p)
        other = reason == int(EntryReason.OTHER)
        n_children = 1 + gen.choice(3, size=n, p=self.siblings_p)
        band = np.where(other, gen.choice(5, size=n, p=self.age_p[1]),
                        gen.choice(5, size=n, p=self.age_p[0]))
        lo, hi = _BAND_LO[band], _BAND_HI[band]
        eldest = lo + (hi - lo) * gen.random(n)
        gaps = gen.uniform(1.0, 4.0, size=(n, 2))
        mult = np.where(other, f.other_reason_problem_multiplier, 1.0)
        u = gen.random((n, 3))
        sub_p = np.where(other, f.substance_prevalence_other, f.substance_prevalence_abuse_neglect)
        present = np.column_stack([u[:, 0] < sub_p,
                                   u[:, 1] < np.minimum(1.0, f.domestic_abuse_prevalence * mult),
                                   u[:, 2] < np.minimum(1.0, f.mental_health_prevalence * mult)])
        care_order = gen.random(n) < np.where(other, e.care_order_share_other,
                                              e.care_order_share_abuse_neglect)
        var = self.p.after_return.frailty_variance
        frailty = gen.gamma(1.0 / var, var, size=n) if var > 0 else np.ones(n)
        times = month + gen.random(n)
        uid = self.next_uid + np.concatenate(([0], np.cumsum(n_children + 1)[:-1]))
        self.next_uid += int(n + n_children.sum())
        keep = self._simulated[council_idx]
        councils = m.councils
        for ci, r, k, age, g, pr, co, fr, t, u, kp in zip(
                council_idx.tolist(), reason.tolist(), n_children.tolist(), eldest.tolist(),
                gaps.tolist(), present.tolist(), care_order.tolist(), frailty.tolist(),
                times.tolist(), uid.tolist(), keep.tolist()):
            if not kp:
                continue  # another shard's council
            ages = [age]
            for j in range(k - 1):
                ages.append(max(0.0, ages[-1] - g[j]))
            self.new_family(councils[ci], t, EntryReason(r), ages, pr, co, fr, uid=u)

    def new_family(self, council: "LocalAuthority", t: float, reason: EntryReason,
                   ages: list[float], present: list[bool], care_order: bool,
                   frailty: float = 1.0, uid: int | None = None) -> Family:
        """A family whose children (``ages`` in years) enter care at time ``t``.

        ``uid``: the family's unique id, its children taking the next ones (by default Mesa
        numbers them)."""
        fam = Family(self.m, council, reason, present)
        if uid is not None:
            fam.unique_id = uid
        fam.frailty = frailty  # unmeasured risk multiplier (AfterReturnParams.frailty_variance)
        for j, age in enumerate(ages):
            child = Child(self.m, fam, birth_time=t - age * 12.0, reason=reason)
            if uid is not None:
                child.unique_id = uid + 1 + j
            child.state_since = t
            fam.children.append(child)
            self.m.calendar.schedule(child, child.age_out_time)
        fam.t_last = t
        self.m.records.families += 1
        self.enter_care(fam, t, care_order)
        fam.refresh(t)
        return fam

    def enter_care(self, fam: Family, t: float, care_order: bool) -> None:
        """The family's children (home before care, or home after a return) enter care."""
        m, uc, council = self.m, self.uc, fam.council
        first = fam.episodes == 0
        fam.location = Location.IN_CARE
        fam.episodes += 1
        fam.episode_start = t
        fam.care_order = care_order
        mult = council.cost_multiplier
        month = int(t)
        ci = council.index
        for child in fam.children:
            if child.state == ChildState.HOME_AFTER_RETURN:
                council.home_after_return -= 1
            child.move_to(ChildState.IN_CARE, t)
            child.entries += 1
            child.care_order = care_order
            child.placement = self._placement(child, t)
            council.in_care[child.placement] += 1
            m.records.episodes.start(child.unique_id, t, ci, child.birth_time,
                                     int(fam.reason), care_order, int(child.placement))
            if first:
                cost = uc.entry_decision
                m.ledger.add(month, ci, C["process_entry"], cost * mult)
                if care_order:
                    m.ledger.add(month, ci, C["process_legal"], uc.care_proceedings * mult)
            else:
                m.ledger.add(month, ci, C["process_reentry"], uc.reentry_process * mult)
        m.timeseries.flow(t, ci, "entries" if first else "reentries", len(fam.children))
        m.records.entries_total += len(fam.children)
        for pol in m.policies:
            if pol.applies(fam, t) and pol.eligible(fam, t):
                pol.on_entry(fam, t)

    def _placement(self, child: Child, t: float) -> Placement:
        e = self.p.entry
        u = self.u_placement.uniform(child.unique_id, child.entries)
        res = e.residential_share_12plus if child.age_months(t) >= 144 else \
            e.residential_share_under12
        if u < res:
            return Placement.RESIDENTIAL
        if (u - res) / (1.0 - res) < e.kinship_share:
            return Placement.KINSHIP
        return Placement.FOSTER

    # ------------------------------------------------------------------ leaving care
    def return_home(self, fam: Family, t: float, planned: bool = True) -> None:
        """The children go home; the council's after-return practice and policies apply.

        ``planned=False``: an unplanned return (children in voluntary care removed by their
        parents, a child running home, a placement breaking down; Farmer 2014, 27% of
        returns). The council still learns of it and applies its usual after-return
        practice; what differs is the risk in the early months (``Hazards``)."""
        m, council = self.m, fam.council
        fam.location = Location.AT_HOME
        fam.unplanned = not planned
        fam.over6_at_return = any(t - c.birth_time > 72.0 for c in fam.children)
        fam.returns += 1
        fam.return_time = t
        fam.in_harm = False
        key = fam.returns
        fam.substance_at_return = fam.unresolved[SUBSTANCE]
        ci = council.index
        mult = council.cost_multiplier
        for child in fam.children:
            council.in_care[child.placement] -= 1
            council.home_after_return += 1
            child.move_to(ChildState.HOME_AFTER_RETURN, t)
            child.returns += 1
            if child.first_return_time is None:
                child.first_return_time = t
            rec = ReturnRecord(child.unique_id, fam.unique_id, ci, t, int(fam.reason),
                               child.returns, child.first_return_time, fam.substance_at_return, 0)
            rec.problems = _bits(fam.unresolved)
            rec.care_order = fam.care_order
            rec.age = t - child.birth_time
            rec.unplanned = not planned
            m.records.returns.append(rec)
            child.return_record = rec
            self._episode_end(t, fam, child, ExitKind.RETURNED_HOME)
            m.ledger.add(int(t), ci, C["process_return"], self.uc.return_home * mult)
        m.timeseries.flow(t, ci, "returns", len(fam.children))
        # the council's usual practice after a return
        fam.case_open = True
        council.open_cases += 1
        fam.close_at = t + council.monitoring_months
        fam.close_with_concerns = True
        fam.engaged = self.u_engage.uniform(fam.unique_id, key) < \
            self.p.family.engagement_probability
        fam.u_support = self.u_support.uniform(fam.unique_id, key)
        fam.u_treatment = self.u_treatment.uniform(fam.unique_id, key)
        fam.treated = False
        fam.treatment_start, fam.treatment_end = INF, -INF
        fam.treatment_due = INF
        if fam.substance_at_return and fam.u_treatment < council.treatment_share:
            fam.treatment_due = t
        if fam.u_support < council.support_share:
            self._set_support(fam, 1, SupportMode.STATUS_QUO, INF)
        for pol in m.policies:
            if pol.applies(fam, t) and pol.eligible(fam, t):
                pol.on_return(fam, t)
        if fam.support_mode == SupportMode.STATUS_QUO:
            fam.support_until = fam.close_at  # usual support stops when the case closes
        for child in fam.children:
            child.return_record.support_level = fam.support_level  # type: ignore[union-attr]

    def _episode_end(self, t: float, fam: Family, child: Child, kind: ExitKind) -> None:
        """Record the end of a child's episode of care, with the need the family came in with
        (used by the council-variation decomposition, :mod:`sim.variation`)."""
        self.m.records.episodes.end(child.unique_id, t, int(kind))
        self.m.records.episode_end(t, fam.council.index, int(child.reason), kind,
                                   care_order=fam.care_order, problems=_bits(fam.present),
                                   age=t - child.birth_time, episode=fam.episodes)

    def leave_care(self, fam: Family, t: float) -> None:
        """The children leave care another way: adoption, guardianship, or other."""
        k = self.m.hazards
        youngest = min(t - c.birth_time for c in fam.children)
        eldest = max(t - c.birth_time for c in fam.children)
        w_other = k.other_exit_16 if eldest >= AGE16 else k.other_exit
        w_guard = k.guardianship if fam.care_order else 0.0
        w_adopt = k.adoption if (fam.care_order and youngest < AGE5) else 0.0
        u = self.u_exit.uniform(fam.unique_id, fam.fired[Clock.EXIT]) * (w_other + w_guard +
                                                                           w_adopt)
        kind = (ExitKind.ADOPTED if u < w_adopt else
                ExitKind.GUARDIANSHIP if u < w_adopt + w_guard else ExitKind.OTHER)
        council = fam.council
        for child in list(fam.children):
            council.in_care[child.placement] -= 1
            child.move_to(ChildState.LEFT_CARE_OTHER, t)
            self._episode_end(t, fam, child, kind)
        self.m.timeseries.flow(t, council.index, "exits_other", len(fam.children))
        self._retire(fam)

    # ------------------------------------------------------------------ at home
    def maltreatment(self, fam: Family, t: float) -> None:
        fam.in_harm = True
        fam.harm_start = t
        for child in fam.children:
            rec = child.return_record
            rec.maltreatment_count += 1  # type: ignore[union-attr]
            if math.isnan(rec.first_maltreatment):  # type: ignore[union-attr]
                rec.first_maltreatment = t  # type: ignore[union-attr]
            child.maltreatment_episodes += 1
        self.m.timeseries.flow(t, fam.council.index, "maltreatment_starts", len(fam.children))

    def _end_harm(self, fam: Family, t: float) -> None:
        if fam.in_harm:
            dt = t - fam.harm_start
            for child in fam.children:
                child.return_record.harm_months += dt  # type: ignore[union-attr]
            self.m.timeseries.add_harm(fam.council.index, fam.harm_start, t, len(fam.children))
            fam.in_harm = False

    def detection(self, fam: Family, t: float) -> None:
        """The council finds out about maltreatment: re-entry, or the case (re)opens."""
        self._end_harm(fam, t)
        self.m.timeseries.flow(t, fam.council.index, "maltreatment_detected", len(fam.children))
        u = self.u_reentry.uniform(fam.unique_id, fam.fired[Clock.DETECTION])
        if u < self.p.after_return.reentry_on_detection:
            self.reenter(fam, t, maltreatment=True)
            return
        if not fam.case_open:
            fam.case_open = True
            fam.council.open_cases += 1
            fam.close_at = t + self.p.after_return.reopen_months
        else:
            fam.close_at = max(fam.close_at, t + self.p.after_return.reopen_months)

    def reenter(self, fam: Family, t: float, maltreatment: bool) -> None:
        """The return breaks down: the children come back into care."""
        self._end_harm(fam, t)
        for child in fam.children:
            rec = child.return_record
            rec.end_time = t  # type: ignore[union-attr]
            rec.end_kind = END_REENTERED  # type: ignore[union-attr]
            rec.after_maltreatment = maltreatment  # type: ignore[union-attr]
            child.failed_returns += 1
            child.return_record = None
        self._wind_down_home(fam, t)
        care_order = fam.care_order or (
            self.u_legal.uniform(fam.unique_id, fam.episodes)
            < self.p.entry.care_order_share_reentry)
        self.enter_care(fam, t, care_order)

    def _wind_down_home(self, fam: Family, t: float) -> None:
        """Close the case, stop support and treatment (children leave home)."""
        if fam.case_open:
            fam.case_open = False
            fam.council.open_cases -= 1
        fam.close_at = INF
        self._set_support(fam, 0, SupportMode.NONE, INF)
        fam.treatment_due = INF
        fam.treatment_end = min(fam.treatment_end, t)

    def close_case(self, fam: Family, t: float) -> None:
        if fam.case_open:
            fam.case_open = False
            fam.council.open_cases -= 1
        fam.close_at = INF
        if fam.support_mode == SupportMode.STATUS_QUO:
            self._set_support(fam, 0, SupportMode.NONE, INF)

    # ------------------------------------------------------------------ support, treatment
    def _set_support(self, fam: Family, level: int, mode: SupportMode, until: float) -> None:
        sup = fam.council.supported
        if fam.support_level:
            sup[fam.support_level] -= 1
        if level:
            sup[level] += 1
        fam.support_level = level
        fam.support_mode = mode if level else SupportMode.NONE
        fam.support_until = until if level else INF

    def end_support(self, fam: Family, t: float) -> None:
        mode = fam.support_mode
        self._set_support(fam, 0, SupportMode.NONE, INF)
        if mode == SupportMode.ENTITLED and not fam.support_fixed:
            fam.support_mode = SupportMode.ENTITLED  # still entitled if a problem returns
            fam.support_until = INF

    def entitle_support(self, fam: Family, t: float, policy: "SupportEntitlement") -> None:
        """Assessment, then support matched to need: for as long as needed (up to a cap), or,
        with ``policy.fixed_levels`` (Holmes' design), the level assessed at the return for
        that level's fixed length."""
        council = fam.council
        cost = convert(policy.assessment_cost, policy.assessment_price_year,
                       self.m.config.price_year)
        if cost > 0:
            self.m.ledger.add(int(t), council.index, C["support"],
                              cost * council.cost_multiplier)
        fam.support_cap_at = INF if policy.cap_months is None else t + policy.cap_months
        fam.support_taper = float(policy.taper_months)
        fam.support_low_months = float(policy.low_need_months)
        fam.support_fixed = bool(policy.fixed_levels)
        fam.support_months_by_level = (0.0, float(policy.low_need_months),
                                       float(policy.medium_months), float(policy.high_months))
        self._set_support(fam, 0, SupportMode.NONE, INF)
        fam.support_mode = SupportMode.ENTITLED
        self.reassess_support(fam, t, first=True)

    @staticmethod
    def need_level(fam: Family) -> int:
        """Assessed need: 1 low (no unresolved problem), 2 medium (one problem other than
        substance misuse), 3 high (two or more problems, or substance misuse)."""
        n = fam.n_unresolved
        if n == 0:
            return 1
        return 3 if (n >= 2 or fam.unresolved[SUBSTANCE]) else 2

    def reassess_support(self, fam: Family, t: float, first: bool = False) -> None:
        """Match an entitled family's support to its current need (Holmes' design: only at
        the assessment; the level then holds for its fixed length)."""
        if fam.support_fixed:
            if first:
                level = self.need_level(fam)
                months = fam.support_months_by_level[level]
                if months > 0 and t < fam.support_cap_at:
                    self._set_support(fam, level, SupportMode.ENTITLED,
                                      min(t + months, fam.support_cap_at))
                else:
                    fam.support_mode = SupportMode.NONE
            return
        if t >= fam.support_cap_at:
            self._set_support(fam, 0, SupportMode.NONE, INF)
            return
        n = fam.n_unresolved
        if n == 0:
            if first:
                if fam.support_low_months > 0:
                    self._set_support(fam, 1, SupportMode.ENTITLED,
                                      min(t + fam.support_low_months, fam.support_cap_at))
            elif fam.support_level:
                self._set_support(fam, 1, SupportMode.ENTITLED,
                                  min(t + fam.support_taper, fam.support_cap_at))
            fam.support_mode = SupportMode.ENTITLED
            return
        level = self.need_level(fam)
        self._set_support(fam, level, SupportMode.ENTITLED, fam.support_cap_at)

    def start_treatment(self, fam: Family, t: float) -> None:
        fam.treatment_due = INF
        if fam.location != Location.AT_HOME or not fam.unresolved[SUBSTANCE]:
            return
        fam.treatment_start = t
        fam.treatment_end = t + self.p.support.treatment_months
        fam.treated = True
        council = fam.council
        self.m.ledger.add(int(t), council.index, C["treatment"],
                          self.uc.treatment_episode * council.cost_multiplier)
        for child in fam.children:
            child.return_record.treated = True  # type: ignore[union-attr]

    # ------------------------------------------------------------------ growing up
    def child_turns_18(self, child: Child) -> None:
        t = self.m.now
        fam = child.family
        council = fam.council
        if child.state == ChildState.IN_CARE:
            council.in_care[child.placement] -= 1
            child.move_to(ChildState.LEFT_CARE_OTHER, t)
            self._episode_end(t, fam, child, ExitKind.AGED_OUT)
            self.m.timeseries.flow(t, council.index, "exits_other")
        elif child.state == ChildState.HOME_AFTER_RETURN:
            rec = child.return_record
            if fam.in_harm:
                rec.harm_months += t - fam.harm_start  # type: ignore[union-attr]
                self.m.timeseries.add_harm(council.index, fam.harm_start, t, 1)
            rec.end_time = t  # type: ignore[union-attr]
            rec.end_kind = END_AGED_OUT  # type: ignore[union-attr]
            council.home_after_return -= 1
            child.return_record = None
            child.move_to(ChildState.LEFT_CARE_OTHER, t)
        fam.children.remove(child)
        child.remove()
        if not fam.children:
            if fam.location == Location.AT_HOME:
                self._wind_down_home(fam, t)
            fam.location = Location.GONE
            fam.schedule_token += 1
            fam.remove()
        else:
            fam.refresh(t)

    def _retire(self, fam: Family) -> None:
        for child in fam.children:
            child.schedule_token += 1  # cancel the 18th-birthday event
            child.remove()
        fam.children = []
        fam.location = Location.GONE
        fam.schedule_token += 1
        fam.remove()
