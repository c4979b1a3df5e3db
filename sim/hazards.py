"""Monthly hazards of every family event, from the parameters and the family's situation.

Parameters are monthly probabilities; this module turns them into rates
(``rate = -ln(1 - p)``) once, and multiplies rates by hazard ratios. Everything that makes
an event likelier or less likely is in :meth:`Hazards.compute`, in one place, computed for
many families at once (arrays, :mod:`sim.state`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.child import EntryReason
from sim.agents.family import N_CLOCKS, Clock, Location
from sim.parameters import AGE5, AGE16, Parameters

if TYPE_CHECKING:
    from sim.state import Table as FamilyTable

_RETURN = int(Clock.RETURN)
_EXIT = int(Clock.EXIT)
_P0 = int(Clock.PROBLEM_SUBSTANCE)
_MALT = int(Clock.MALTREATMENT)
_DET = int(Clock.DETECTION)
_BRK = int(Clock.BREAKDOWN)
_UNPL = int(Clock.UNPLANNED_RETURN)
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
        self.failure_decay = c.return_after_failure_decay
        self.reentry_restart = c.reentry_early_restart
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
        self.early_failure = rate(a.early_failure_monthly)
        # support and treatment effects, by support level 0..3
        self.support_maltreatment_rr = (1.0, s.maltreatment_rr_low, s.maltreatment_rr_medium,
                                        s.maltreatment_rr_high)
        self.support_resolution_rr = (1.0, s.resolution_rr_low, s.resolution_rr_medium,
                                      s.resolution_rr_high)
        self.disengaged_share = s.disengaged_effect_share
        self.treatment_resolution_rr = s.treatment_resolution_rr
        self.treatment_relapse_rr = s.treatment_relapse_rr
        self.treatment_disengaged = f.treatment_disengaged_share
        self.resolve_arr = np.array(self.resolve)
        self._support_malt = np.array(self.support_maltreatment_rr)
        self._support_res = np.array(self.support_resolution_rr)

    def support_effect(self, level: np.ndarray, engaged: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        """(maltreatment hazard ratio, resolution rate ratio) of families' support, by
        support level (0 to 3) and engagement."""
        m = self._support_malt[level]
        r = self._support_res[level]
        d = self.disengaged_share
        m = np.where(engaged, m, 1.0 - (1.0 - m) * d)
        r = np.where(engaged, r, 1.0 + (r - 1.0) * d)
        return m, r

    def exit_weights(self, t: np.ndarray, kid_birth: np.ndarray, care_order: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rates of leaving care other than home, by kind (other, special guardianship,
        adoption), for families in care at times ``t``: other exits are likelier once a
        child is 16, guardianship and adoption need a care order, adoption a child under 5.
        Ages are compared as times (``t >= birth + 16 years``), the way the age checkpoints
        are set, so the switch is made at the checkpoint whatever the rounding."""
        tt = t[:, None]
        over16 = (tt >= kid_birth + AGE16).any(axis=1)  # NaN (no child) compares False
        under5 = (tt < kid_birth + AGE5).any(axis=1)
        w_other = np.where(over16, self.other_exit_16, self.other_exit)
        w_guard = np.where(care_order, self.guardianship, 0.0)
        w_adopt = np.where(care_order & under5, self.adoption, 0.0)
        return w_other, w_guard, w_adopt

    def compute(self, fam: "FamilyTable", rows: np.ndarray, t: np.ndarray,
                kid_birth: np.ndarray, propensity: np.ndarray,
                thoroughness: np.ndarray) -> np.ndarray:
        """The rates (per month, one column a :class:`Clock`) of families ``rows`` at times
        ``t``. ``kid_birth``: the birth times of each family's children (NaN for an empty
        slot); ``propensity``, ``thoroughness``: each family's council's practice."""
        n = len(rows)
        r = np.zeros((n, N_CLOCKS))
        loc = fam.location[rows]
        unresolved = fam.unresolved[rows]
        present = fam.present[rows]
        any_unres = unresolved.any(axis=1)
        other = fam.reason[rows] == _OTHER
        care = loc == _IN_CARE
        home = loc == _AT_HOME
        care_order = fam.care_order[rows]
        # ---- in care
        if care.any():
            c = np.nonzero(care)[0]
            tc = t[c]
            # compared with the checkpoint's own time (start + early months), so that at the
            # checkpoint the switch is made whatever the rounding of ``t - start``
            late = tc >= fam.episode_start[rows[c]] + self.early_months
            episodes = fam.episodes[rows[c]]
            later = episodes > 1
            # issue 21: an episode after a failed return gets only part of a first
            # episode's early-months boost, and every further failed return makes going
            # home (planned or not) less likely
            lm = self.return_late_mult
            early_f = np.where(later, lm + (1.0 - lm) * self.reentry_restart, 1.0)
            decay = self.failure_decay ** np.maximum(episodes - 2, 0)
            base = np.where(other[c], self.return_early[1], self.return_early[0])
            base = np.where(late, base * lm, base * early_f)
            co = care_order[c]
            # unplanned: parents' or the child's doing, not the council's decision, so
            # neither its return propensity nor its thoroughness applies
            u = np.where(late, self.unplanned_return * lm, self.unplanned_return * early_f)
            r[c, _UNPL] = np.where(co, 0.0, u * decay)
            mult = propensity[c]
            mult = np.where(co, mult * self.care_order_mult, mult)
            mult = np.where(later, mult * self.reentry_mult * decay, mult)
            mult = np.where(any_unres[c], mult * (1.0 - thoroughness[c]), mult)
            r[c, _RETURN] = base * mult
            w_other, w_guard, w_adopt = self.exit_weights(tc, kid_birth[c], co)
            r[c, _EXIT] = w_other + w_guard + w_adopt
            res = self.resolve_arr[None, :] * self.in_care_mult
            r[c, _P0:_P0 + 3] = np.where(unresolved[c], res,
                                         np.where(present[c], self.relapse, 0.0))
        # ---- at home after a return
        if home.any():
            h_ = np.nonzero(home)[0]
            hr = rows[h_]
            th = t[h_]
            malt_rr, res_rr = self.support_effect(fam.support_level[hr], fam.engaged[hr])
            treating = (fam.treatment_start[hr] <= th) & (th < fam.treatment_end[hr])
            un = unresolved[h_]
            res = self.resolve_arr[None, :] * res_rr[:, None]
            # issue 21: a parent who does not engage gets only part of treatment's effect
            engaged = fam.engaged[hr]
            d = self.treatment_disengaged
            t_res = self.treatment_resolution_rr
            t_res = np.where(engaged, t_res, 1.0 + (t_res - 1.0) * d)
            t_rel = self.treatment_relapse_rr
            t_rel = np.where(engaged, t_rel, 1.0 - (1.0 - t_rel) * d)
            res[:, 0] = np.where(treating, res[:, 0] * t_res, res[:, 0])
            rel = np.full((len(h_), 3), self.relapse)
            rel[:, 0] = np.where(fam.treated[hr], self.relapse * t_rel, self.relapse)
            r[h_, _P0:_P0 + 3] = np.where(un, res, np.where(present[h_], rel, 0.0))
            h = np.full(len(h_), self.maltreatment_base)
            for j in range(3):
                h = np.where(un[:, j], h * self.problem_rr[j], h)
            early = th < fam.return_time[hr] + self.early_months  # as ``late`` above
            # the family's extra risk after this return (issue 12): an unplanned return's
            # early months, neglect, a child over six at the return
            risk = np.where(early & fam.unplanned[hr], self.unplanned_early, 1.0)
            risk = np.where(fam.reason[hr] == _NEGLECT, risk * self.rr_neglect, risk)
            risk = np.where(fam.over6_at_return[hr], risk * self.rr_over6, risk)
            harm = fam.in_harm[hr]
            case_open = fam.case_open[hr]
            r[h_, _DET] = np.where(harm, np.where(case_open, self.detect_open,
                                                  self.detect_closed), 0.0)
            oth = other[h_]
            h = np.where(oth, h * self.rr_other, h)
            h = np.where(case_open, h * self.rr_open, h)
            h = np.where(early, h * self.maltreatment_early, h)
            frailty = fam.frailty[hr]
            r[h_, _MALT] = np.where(harm, 0.0, h * malt_rr * frailty * risk)
            brk = self.breakdown * frailty * risk
            brk = np.where(oth, brk * self.breakdown_rr_other, brk)
            brk = np.where(early, brk, brk * self.breakdown_late)
            # issue 21: a return not viable from the start breaks down within weeks
            brk = np.where(early & fam.fragile[hr], brk + self.early_failure, brk)
            r[h_, _BRK] = brk
        return r
