"""Monthly hazards of every family event, from the parameters and the family's situation.

Parameters are monthly probabilities; this module turns them into rates
(``rate = -ln(1 - p)``) once, and multiplies rates by hazard ratios. Everything that makes
an event likelier or less likely is in :meth:`Hazards.compute`, in one place.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.agents.child import EntryReason
from sim.agents.family import Clock, Location
from sim.parameters import AGE5, AGE16, Parameters

if TYPE_CHECKING:
    from sim.agents.family import Family

_RETURN = int(Clock.RETURN)
_EXIT = int(Clock.EXIT)
_P0 = int(Clock.PROBLEM_SUBSTANCE)
_MALT = int(Clock.MALTREATMENT)
_DET = int(Clock.DETECTION)
_BRK = int(Clock.BREAKDOWN)
_UNPL = int(Clock.UNPLANNED_RETURN)
_NO_RATES = [0.0] * len(Clock)
_IN_CARE, _AT_HOME = Location.IN_CARE, Location.AT_HOME
_OTHER = EntryReason.OTHER
_NEGLECT = EntryReason.NEGLECT


def rate(p: float) -> float:
    """Rate per month of an event whose monthly probability is ``p``."""
    if p >= 1.0:
        return 50.0  # effectively immediate
    return -math.log1p(-p)


class Hazards:
    """Rates derived from :class:`~sim.parameters.Parameters`, and the hazard function."""

    def __init__(self, p: Parameters) -> None:
        c, f, a, s = p.care, p.family, p.after_return, p.support
        self.early_months = float(c.early_months)
        # in care: by reason group (0 abuse or neglect, 1 other)
        self.return_early = (rate(c.return_early_abuse_neglect), rate(c.return_early_other))
        self.return_late_mult = c.return_late_multiplier
        self.care_order_mult = c.care_order_return_multiplier
        self.reentry_mult = c.reentry_return_multiplier
        self.unplanned_return = rate(c.unplanned_return_early)
        self.adoption = rate(c.adoption_under5)
        self.guardianship = rate(c.guardianship)
        self.other_exit = rate(c.other_exit)
        self.other_exit_16 = rate(c.other_exit_16plus)
        # problems
        self.resolve = (rate(f.resolve_substance), rate(f.resolve_domestic_abuse),
                        rate(f.resolve_mental_health))
        self.relapse = rate(f.relapse)
        self.in_care_mult = f.in_care_resolution_multiplier
        # after return
        self.maltreatment_base = rate(a.maltreatment_base)
        self.maltreatment_early = a.maltreatment_early_multiplier
        self.problem_rr = (a.rr_substance, a.rr_domestic_abuse, a.rr_mental_health)
        self.rr_other = a.rr_other_reason
        self.rr_open = a.rr_open_case
        self.detect_open = rate(a.detect_open)
        self.detect_closed = rate(a.detect_closed)
        self.breakdown = rate(a.breakdown_other)
        self.breakdown_late = a.breakdown_late_multiplier
        self.breakdown_rr_other = a.breakdown_rr_other_reason
        self.rr_neglect = a.rr_neglect
        self.rr_over6 = a.rr_over6_at_return
        self.unplanned_early = a.unplanned_early_multiplier
        # support and treatment effects, by support level 0..3
        self.support_maltreatment_rr = (1.0, s.maltreatment_rr_low, s.maltreatment_rr_medium,
                                        s.maltreatment_rr_high)
        self.support_resolution_rr = (1.0, s.resolution_rr_low, s.resolution_rr_medium,
                                      s.resolution_rr_high)
        self.disengaged_share = s.disengaged_effect_share
        self.treatment_resolution_rr = s.treatment_resolution_rr
        self.treatment_relapse_rr = s.treatment_relapse_rr

    def support_effect(self, fam: "Family") -> tuple[float, float]:
        """(maltreatment hazard ratio, resolution rate ratio) of the family's support."""
        lvl = fam.support_level
        if lvl == 0:
            return 1.0, 1.0
        m = self.support_maltreatment_rr[lvl]
        r = self.support_resolution_rr[lvl]
        if not fam.engaged:
            d = self.disengaged_share
            m = 1.0 - (1.0 - m) * d
            r = 1.0 + (r - 1.0) * d
        return m, r

    def compute(self, fam: "Family", t: float) -> None:
        """Set ``fam.rates`` (per month) for the family's situation at time ``t``."""
        r = fam.rates
        r[:] = _NO_RATES
        unresolved = fam.unresolved
        other = fam.reason == _OTHER
        location = fam.location
        if location == _IN_CARE:
            base = self.return_early[1 if other else 0]
            late = t - fam.episode_start >= self.early_months
            if late:
                base *= self.return_late_mult
            if not fam.care_order:
                # unplanned: parents' or the child's doing, not the council's decision, so
                # neither its return propensity nor its thoroughness applies
                u = self.unplanned_return
                r[_UNPL] = u * self.return_late_mult if late else u
            mult = fam.council.return_propensity
            if fam.care_order:
                mult *= self.care_order_mult
            if fam.episodes > 1:
                mult *= self.reentry_mult
            if unresolved[0] or unresolved[1] or unresolved[2]:
                mult *= 1.0 - fam.council.thoroughness
            r[_RETURN] = base * mult
            youngest, eldest = INF_AGE, -1.0
            for ch in fam.children:
                age = t - ch.birth_time
                if age < youngest:
                    youngest = age
                if age > eldest:
                    eldest = age
            ex = self.other_exit_16 if eldest >= AGE16 else self.other_exit
            if fam.care_order:
                ex += self.guardianship
                if youngest < AGE5:
                    ex += self.adoption
            r[_EXIT] = ex
            for j in range(3):
                if unresolved[j]:
                    r[_P0 + j] = self.resolve[j] * self.in_care_mult
                elif fam.present[j]:
                    r[_P0 + j] = self.relapse
            return
        if location != _AT_HOME:
            return
        malt_rr, res_rr = self.support_effect(fam)
        treating = fam.treating(t)
        h = self.maltreatment_base
        for j in range(3):
            if unresolved[j]:
                rr = res_rr
                if j == 0 and treating:
                    rr *= self.treatment_resolution_rr
                r[_P0 + j] = self.resolve[j] * rr
                h *= self.problem_rr[j]
            elif fam.present[j]:
                rel = self.relapse
                if j == 0 and fam.treated:
                    rel *= self.treatment_relapse_rr
                r[_P0 + j] = rel
        early = t - fam.return_time < self.early_months
        # the family's extra risk after this return (issue 12): an unplanned return's early
        # months, neglect, a child over six at the return
        risk = self.unplanned_early if (early and fam.unplanned) else 1.0
        if fam.reason == _NEGLECT:
            risk *= self.rr_neglect
        if fam.over6_at_return:
            risk *= self.rr_over6
        if fam.in_harm:
            r[_DET] = self.detect_open if fam.case_open else self.detect_closed
        else:
            if other:
                h *= self.rr_other
            if fam.case_open:
                h *= self.rr_open
            if early:
                h *= self.maltreatment_early
            r[_MALT] = h * malt_rr * fam.frailty * risk
        brk = self.breakdown * fam.frailty * risk
        if other:
            brk *= self.breakdown_rr_other
        if not early:
            brk *= self.breakdown_late
        r[_BRK] = brk


INF_AGE = float("inf")
