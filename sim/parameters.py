"""Model parameters: every number the simulation uses, with its unit, source and range.

Each parameter is a dataclass field made with :func:`param`, which stores in the field's
metadata a plain-English label, the unit, the source (a row of ``docs/evidence.md``, cited
as ``docs/evidence.md#<anchor>``, a citation, or a stated judgement with its reason) and a
plausible range. The range is also the range a configuration value is validated against
(see :mod:`sim.config`).

Hazards are monthly probabilities: the chance that the event happens within one month
if nothing else changes. The event engine converts them to rates (``-ln(1 - p)``).

The strength codes follow ``docs/evidence.md``: A national data or large cohort,
B multi-council case-file study, C one council, an advocacy estimate, or a judgement.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

EVIDENCE = "docs/evidence.md"


def param(
    default: float | int | bool | None,
    *,
    label: str,
    unit: str,
    source: str,
    low: float,
    high: float,
) -> Any:
    """A dataclass field for one model parameter, carrying its provenance."""
    if default is not None and not low <= default <= high:
        raise ValueError(f"default {default} of {label!r} outside its range [{low}, {high}]")
    return field(
        default=default,
        metadata={"label": label, "unit": unit, "source": source, "range": (low, high)},
    )


P_MONTH = "probability per month"
PROB = "probability"
MULT = "multiplier (dimensionless)"


@dataclass
class EntryParams:
    """Who comes into care: numbers, reasons, ages, sibling groups, legal basis."""

    children_per_year: float = param(
        23886.8, label="children entering care for the first time a year, England",
        unit="children per year", source=f"{EVIDENCE}#dfe-starts-2009-10: about 27,800 "
        "starts in 2009-10 (DfE SFR27/2010, A); starts count re-entries too, which the model "
        "adds itself; calibrated to about 65,500 in care (DfE SFR 2011, A; "
        f"{EVIDENCE}#dfe-stock-31-march)",
        low=1000.0, high=60000.0)
    share_neglect: float = param(
        0.34, label="share of starts whose main reason is neglect", unit=PROB,
        source=f"{EVIDENCE}#dfe-starts-2009-10: 52% of starts for abuse or neglect, one DfE "
        "category (DfE SFR27/2010, A); the split, neglect the larger part, is a judgement "
        f"({EVIDENCE}#judgements-entry)",
        low=0.0, high=1.0)
    share_other_abuse: float = param(
        0.18, label="share of starts for abuse other than neglect", unit=PROB,
        source=f"{EVIDENCE}#dfe-starts-2009-10: 52% abuse or neglect in all (DfE SFR27/2010, "
        "A)",
        low=0.0, high=1.0)
    share_sibling_pair: float = param(
        0.22, label="share of families entering with two children", unit=PROB,
        source="judgement: about a third of children in care have a sibling in care "
        "(Ofsted/Children's Commissioner sibling reports); range wide", low=0.0, high=0.5)
    share_sibling_three: float = param(
        0.08, label="share of families entering with three children", unit=PROB,
        source="judgement, as share_sibling_pair", low=0.0, high=0.3)
    care_order_share_abuse_neglect: float = param(
        0.45, label="share of abuse or neglect starts under a care order (rest voluntary, s20)",
        unit=PROB, source="judgement: about two thirds of all starts in 2011 were voluntary "
        "(s20) (DfE SFR 2011, A); care orders concentrated in abuse and neglect",
        low=0.0, high=1.0)
    care_order_share_other: float = param(
        0.12, label="share of other-reason starts under a care order", unit=PROB,
        source="judgement, as care_order_share_abuse_neglect", low=0.0, high=1.0)
    care_order_share_reentry: float = param(
        0.0937861, label="share of voluntary (s20) families given a care order when they re-enter",
        unit=PROB, source="calibrated to failed_return_2plus_60m_neglect: the fit put it near 0 "
        "(care orders made at first entry persist; new orders at re-entry would slow the "
        "repeat cycles Farmer & Lutman 2010 (B) report); a tension worth testing",
        low=0.0, high=1.0)
    age_under1_abuse_neglect: float = param(
        0.24, label="share of abuse or neglect starts aged under 1", unit=PROB,
        source="DfE looked-after statistics 2011, starts by age: under 1 about 20%, 1-4 19%, "
        "5-9 18%, 10-15 31%, 16+ 12% (A); split by reason a judgement", low=0.0, high=1.0)
    age_1to4_abuse_neglect: float = param(
        0.24, label="share of abuse or neglect starts aged 1-4", unit=PROB,
        source="as age_under1_abuse_neglect", low=0.0, high=1.0)
    age_5to9_abuse_neglect: float = param(
        0.22, label="share of abuse or neglect starts aged 5-9", unit=PROB,
        source="as age_under1_abuse_neglect", low=0.0, high=1.0)
    age_10to15_abuse_neglect: float = param(
        0.24, label="share of abuse or neglect starts aged 10-15 (rest 16-17)", unit=PROB,
        source="as age_under1_abuse_neglect", low=0.0, high=1.0)
    age_under1_other: float = param(
        0.15, label="share of other-reason starts aged under 1", unit=PROB,
        source="as age_under1_abuse_neglect", low=0.0, high=1.0)
    age_1to4_other: float = param(
        0.13, label="share of other-reason starts aged 1-4", unit=PROB,
        source="as age_under1_abuse_neglect", low=0.0, high=1.0)
    age_5to9_other: float = param(
        0.14, label="share of other-reason starts aged 5-9", unit=PROB,
        source="as age_under1_abuse_neglect", low=0.0, high=1.0)
    age_10to15_other: float = param(
        0.38, label="share of other-reason starts aged 10-15 (rest 16-17)", unit=PROB,
        source="as age_under1_abuse_neglect", low=0.0, high=1.0)
    residential_share_under12: float = param(
        0.02, label="share of placements in residential care, children under 12", unit=PROB,
        source="judgement from DfE looked-after statistics (about 9-10% of all placements "
        "residential, mostly adolescents) (A)", low=0.0, high=0.3)
    residential_share_12plus: float = param(
        0.2, label="share of placements in residential care, children 12 and over", unit=PROB,
        source="as residential_share_under12", low=0.0, high=0.6)
    kinship_share: float = param(
        0.13, label="share of non-residential placements with family or friends (kinship)",
        unit=PROB, source="DfE looked-after statistics: about 1 in 8 placed with family or "
        "friends (A)", low=0.0, high=0.5)


@dataclass
class FamilyParams:
    """Parents' problems at entry and how they change."""

    substance_prevalence_abuse_neglect: float = param(
        0.821214, label="families of abuse or neglect entrants with serious drug or alcohol problems",
        unit=PROB, source=f"{EVIDENCE}#farmer-2011-adversity: about half of returned children "
        "went back to serious drug or alcohol problems (Farmer et al. 2011, B); calibrated to "
        "substance_misuse_at_return_share", low=0.0, high=1.0)
    substance_prevalence_other: float = param(
        0.39298, label="families of other-reason entrants with serious drug or alcohol problems",
        unit=PROB, source="judgement: lower than for abuse and neglect; calibrated with the above",
        low=0.0, high=1.0)
    domestic_abuse_prevalence: float = param(
        0.5, label="families with domestic abuse at entry", unit=PROB,
        source=f"{EVIDENCE}#farmer-2011-adversity: 82% returned to parents with a history of "
        "domestic violence, substance misuse or similar (Farmer et al. 2011, B)", low=0.0,
        high=1.0)
    mental_health_prevalence: float = param(
        0.6, label="families with a parent with mental health problems at entry", unit=PROB,
        source=f"{EVIDENCE}#farmer-2011-adversity: 60% returned to a parent with mental "
        "health problems (Farmer et al. 2011, B)", low=0.0, high=1.0)
    other_reason_problem_multiplier: float = param(
        0.6, label="prevalence of domestic abuse and mental health problems in other-reason "
        "families, relative", unit=MULT, source="judgement", low=0.0, high=1.5)
    resolve_substance: float = param(
        0.0143648, label="monthly chance a serious substance problem resolves, no extra help",
        unit=P_MONTH, source="judgement: most problems persist for years without treatment; "
        "calibrated to the breakdown and maltreatment targets", low=0.0, high=0.2)
    resolve_domestic_abuse: float = param(
        0.0211, label="monthly chance domestic abuse resolves", unit=P_MONTH,
        source="judgement, as resolve_substance", low=0.0, high=0.2)
    resolve_mental_health: float = param(
        0.0324, label="monthly chance a parent's mental health problem resolves", unit=P_MONTH,
        source="judgement, as resolve_substance", low=0.0, high=0.2)
    relapse: float = param(
        0.0225433, label="monthly chance a resolved problem returns", unit=P_MONTH,
        source="judgement: relapse common in the first years (Farmer et al. 2011: continuing "
        "substance misuse predicts maltreatment, B)", low=0.0, high=0.2)
    in_care_resolution_multiplier: float = param(
        0.828846, label="how much faster problems resolve while children are in care", unit=MULT,
        source="judgement: care plans require parents to work on their problems", low=0.5,
        high=3.0)
    engagement_probability: float = param(
        0.7, label="chance a family engages with help offered after a return", unit=PROB,
        source="judgement: Farmer 2014 (B) reports parents who refused or disengaged from "
        "services in a large minority of returns", low=0.0, high=1.0)


@dataclass
class CareParams:
    """Children in care: going home and leaving care other ways."""

    return_early_other: float = param(
        0.0736356, label="monthly chance of going home, other-reason entrants, first 6 months",
        unit=P_MONTH, source=f"judgement ({EVIDENCE}#judgements-care): section 20 children go "
        "home quickly; calibrated to returned_home_share "
        f"({EVIDENCE}#dfe-returned-home-share)", low=0.0, high=0.9)
    return_early_abuse_neglect: float = param(
        0.025159, label="monthly chance of going home, abuse or neglect entrants, first 6 months",
        unit=P_MONTH, source="calibrated to returned_home_share", low=0.0, high=0.9)
    return_late_multiplier: float = param(
        0.328, label="return chance after 6 months in care, relative to the first 6", unit=MULT,
        source="judgement: returns are concentrated early in an episode (DfE, A)", low=0.0,
        high=1.0)
    early_months: int = param(
        6, label="length of the early period of an episode", unit="months",
        source="judgement", low=1, high=24)
    care_order_return_multiplier: float = param(
        0.322, label="return chance under a care order, relative to voluntary care", unit=MULT,
        source=f"judgement ({EVIDENCE}#judgements-care): fewer returns under a care order; "
        f"Neil et al. 2020 (C, {EVIDENCE}#neil-2020-stable-reunification) show that a care "
        "order and a longer stay predict a more stable return, not fewer returns", low=0.0,
        high=1.0)
    reentry_return_multiplier: float = param(
        2.2155, label="chance of a planned return in a later episode, relative to the first",
        unit=MULT, source="judgement (docs/evidence.md#after-reentry): after a failed return "
        "councils both look for permanence elsewhere (fewer returns) and, in Farmer & Lutman "
        "2010 (B), return children again without a new assessment (more); no study gives the "
        "ratio. Quick repeat cycles come from unplanned returns (unplanned_return_early)",
        low=0.5, high=3.0)
    unplanned_return_early: float = param(
        0.0123447, label="monthly chance of an unplanned return, children in voluntary care (s20), "
        "first 6 months", unit=P_MONTH, source="Farmer 2014 (B, docs/evidence.md#unplanned-"
        "returns): 27% of returns had no plan (the child ran home, a placement broke down, or "
        "parents removed the child from voluntary accommodation); calibrated to "
        "unplanned_return_share", low=0.0, high=0.3)
    adoption_under5: float = param(
        0.025, label="monthly chance of adoption, children under 5 on a care order", unit=P_MONTH,
        source="judgement from DfE: adoption about 10-13% of care leavers in 2011 (A)",
        low=0.0, high=0.2)
    guardianship: float = param(
        0.008, label="monthly chance of a special guardianship or residence order, care orders",
        unit=P_MONTH, source="judgement from DfE: about 10% of care leavers (A)", low=0.0,
        high=0.2)
    other_exit: float = param(
        0.0102655, label="monthly chance of leaving care another way (independent living, other)",
        unit=P_MONTH, source="judgement from DfE exit reasons (A); calibrated to "
        "returned_home_share", low=0.0, high=0.2)
    other_exit_16plus: float = param(
        0.05, label="monthly chance of leaving care another way, children 16 and over",
        unit=P_MONTH, source="judgement: many 16-17 year olds move to independent living (DfE, A)",
        low=0.0, high=0.3)


@dataclass
class AfterReturnParams:
    """What happens after a child goes home: maltreatment, detection, re-entry."""

    maltreatment_base: float = param(
        0.002648, label="monthly chance of maltreatment at home, no unresolved problems",
        unit=P_MONTH, source="calibrated to maltreated_24m_abuse_neglect (46%, Farmer et al. "
        "2011, B)", low=0.0, high=0.5)
    maltreatment_early_multiplier: float = param(
        6.405, label="maltreatment hazard in the early months after a return, relative to later",
        unit=MULT, source=f"{EVIDENCE}#reentry-goldacre-2022: most failed returns happen "
        "early (Goldacre et al. 2022, A; Farmer et al. 2011, B): the household re-forms under "
        "stress; calibrated",
        low=1.0, high=10.0)
    frailty_variance: float = param(
        0.91203, label="variance of a family's unmeasured risk of maltreatment and breakdown "
        "(gamma, mean 1)", unit="variance (dimensionless)", source="judgement: shared frailty, "
        "standard in recurrent-event survival analysis; families that fail once are likelier "
        "to fail again (Farmer & Lutman 2010, B); calibrated to failed_return_2plus_60m_neglect",
        low=0.0, high=5.0)
    rr_substance: float = param(
        1.53983, label="maltreatment hazard ratio, unresolved substance misuse", unit=MULT,
        source=f"{EVIDENCE}#farmer-2011-substance-predicts: continuing parental substance "
        "misuse predicts maltreatment after return (Farmer et al. 2011, B); size is a "
        "judgement", low=1.0, high=20.0)
    rr_domestic_abuse: float = param(
        3.38, label="maltreatment hazard ratio, unresolved domestic abuse", unit=MULT,
        source="judgement, as rr_substance", low=1.0, high=20.0)
    rr_mental_health: float = param(
        1.5, label="maltreatment hazard ratio, unresolved parental mental health problem",
        unit=MULT, source="judgement, as rr_substance", low=1.0, high=20.0)
    rr_other_reason: float = param(
        0.161326, label="maltreatment hazard of other-reason entrants, relative to abuse or "
        "neglect", unit=MULT, source="docs/evidence.md#reentry-by-group: children "
        "accommodated for reasons other than abuse or neglect are rarely maltreated after "
        "going home; calibrated to reentry_12m", low=0.0, high=1.5)
    rr_neglect: float = param(
        2.18737, label="maltreatment and breakdown hazards of neglect entrants, relative to other "
        "abuse", unit=MULT, source="judgement (docs/evidence.md#reentry-by-group): neglect "
        "is chronic; Farmer & Lutman's neglected children (B) had a failed return within 5 "
        "years in 64% of cases, against 47% within 2 years for all abused or neglected "
        "children (Farmer et al. 2011, B); calibrated to the neglect targets", low=1.0,
        high=3.0)
    rr_over6_at_return: float = param(
        2.21001, label="maltreatment and breakdown hazards after a return when the eldest child "
        "is over six at the return, relative to younger", unit=MULT,
        source="judgement (docs/evidence.md#reentry-by-age): outcomes were much worse for "
        "neglected children over six at the return (Farmer & Lutman 2010, B); calibrated",
        low=1.0, high=3.0)
    breakdown_rr_other_reason: float = param(
        0.515596, label="breakdown hazard (reasons other than maltreatment) of other-reason "
        "entrants, relative to abuse or neglect", unit=MULT,
        source="judgement (docs/evidence.md#reentry-by-group): returns of children "
        "accommodated for their behaviour or family stress break down for behaviour and "
        "parents unable to cope (Farmer et al. 2011, B: 28% of returned children entered for "
        "their behaviour; Farmer 2014, B: older accommodated children returned repeatedly); "
        "calibrated", low=0.0, high=1.5)
    rr_open_case: float = param(
        0.85, label="maltreatment hazard while a case is open (visits), relative to closed",
        unit=MULT, source="judgement: visits deter a little (issue 3)", low=0.3, high=1.0)
    detect_open: float = param(
        0.353114, label="monthly chance maltreatment is detected while the case is open",
        unit=P_MONTH, source="judgement: Farmer 2014 (B) found much maltreatment not acted on; "
        "calibrated to breakdown_24m_abuse_neglect", low=0.0, high=1.0)
    detect_closed: float = param(
        0.0610953, label="monthly chance maltreatment is detected after the case is closed",
        unit=P_MONTH, source="judgement: schools, health, police referrals; calibrated",
        low=0.0, high=1.0)
    reentry_on_detection: float = param(
        0.609425, label="chance detected maltreatment leads to re-entry (else the case reopens)",
        unit=PROB, source="judgement; calibrated to breakdown_24m_abuse_neglect", low=0.0,
        high=1.0)
    breakdown_other: float = param(
        0.00470956, label="monthly chance a return breaks down for reasons other than maltreatment, "
        "first 6 months", unit=P_MONTH, source="judgement: behaviour, parents unable to cope "
        "(Farmer et al. 2011, B); calibrated to reentry_12m", low=0.0, high=0.3)
    breakdown_late_multiplier: float = param(
        0.314678, label="non-maltreatment breakdown chance after 6 months at home, relative",
        unit=MULT, source="judgement: most failed returns happen early (Goldacre et al. 2022, A)",
        low=0.0, high=1.0)
    unplanned_early_multiplier: float = param(
        2.70758, label="maltreatment and breakdown hazards in the early months after an unplanned "
        "return, relative to a planned one", unit=MULT,
        source="judgement (docs/evidence.md#unplanned-returns): unplanned returns are less "
        "stable (Larsson et al. 2022, national data, A/B; Farmer 2014, B), size not reported; "
        "calibrated to reentry_3m", low=1.0, high=5.0)
    reopen_months: int = param(
        6, label="months a case reopened after detected maltreatment stays open", unit="months",
        source="judgement", low=0, high=36)


@dataclass
class SupportParams:
    """What support after return does, by need level (used by status quo and entitlement)."""

    maltreatment_rr_low: float = param(
        0.9, label="maltreatment hazard with low-level support (case work)", unit=MULT,
        source="judgement: Holmes 2014 (B) describes case work and parenting support; size "
        "of effect uncertain", low=0.1, high=1.0)
    maltreatment_rr_medium: float = param(
        0.75, label="maltreatment hazard with medium support", unit=MULT,
        source="judgement, as maltreatment_rr_low", low=0.1, high=1.0)
    maltreatment_rr_high: float = param(
        0.6, label="maltreatment hazard with high support (intensive family support)", unit=MULT,
        source="judgement informed by intensive family support evaluations (Scottish Government "
        "2009, B)", low=0.1, high=1.0)
    resolution_rr_low: float = param(
        1.2, label="problem resolution rate with low-level support", unit=MULT,
        source="judgement", low=1.0, high=5.0)
    resolution_rr_medium: float = param(
        1.6, label="problem resolution rate with medium support", unit=MULT,
        source="judgement", low=1.0, high=5.0)
    resolution_rr_high: float = param(
        2.0, label="problem resolution rate with high support", unit=MULT,
        source="judgement", low=1.0, high=5.0)
    disengaged_effect_share: float = param(
        0.3, label="share of support's effect kept by a family that disengages", unit=PROB,
        source="judgement (issue 3: a family that disengages loses part of the effect)",
        low=0.0, high=1.0)
    treatment_resolution_rr: float = param(
        3.0, label="substance problem resolution rate during treatment", unit=MULT,
        source="judgement informed by FDAC evaluations (Harwin et al. 2014: more parents stop "
        "misusing, B)", low=1.0, high=10.0)
    treatment_relapse_rr: float = param(
        0.5, label="relapse rate of a substance problem after treatment", unit=MULT,
        source="judgement", low=0.1, high=1.0)
    treatment_months: int = param(
        9, label="length of a treatment episode", unit="months",
        source="judgement: structured drug and alcohol treatment typically 6-12 months", low=1,
        high=36)


@dataclass
class CostParams:
    """Unit costs to councils. Each has a price year; the ledger converts to one price year."""

    foster_per_year: float = param(
        31000.0, label="foster placement, a child a year", unit="GBP per child-year, 2013 prices",
        source=f"{EVIDENCE}#nao-2014-placements: £29k-33k (NAO 2014, A)", low=20000.0,
        high=50000.0)
    foster_price_year: int = param(2013, label="price year of foster_per_year", unit="year",
                                   source="NAO 2014 (2012-13 prices)", low=2000, high=2030)
    residential_per_year: float = param(
        133000.0, label="residential placement, a child a year",
        unit="GBP per child-year, 2013 prices",
        source=f"{EVIDENCE}#nao-2014-placements: £131k-135k (NAO 2014, A)",
        low=80000.0, high=250000.0)
    residential_price_year: int = param(2013, label="price year of residential_per_year",
                                        unit="year", source="NAO 2014", low=2000, high=2030)
    kinship_per_year: float = param(
        16000.0, label="kinship (family and friends) placement, a child a year",
        unit="GBP per child-year, 2013 prices", source="judgement: about half the foster cost "
        f"(allowances without agency fees); no source ({EVIDENCE}#judgements-costs)",
        low=5000.0, high=31000.0)
    kinship_price_year: int = param(2013, label="price year of kinship_per_year", unit="year",
                                    source="as foster", low=2000, high=2030)
    entry_decision: float = param(
        3000.0, label="deciding a child must be looked after and finding a placement",
        unit="GBP per child, 2014 prices", source=f"{EVIDENCE}#ward-holmes-soper-2008: Ward, "
        "Holmes & Soper 2008 process costs, uprated (B); value a judgement", low=500.0,
        high=10000.0)
    care_proceedings: float = param(
        20000.0, label="legal proceedings for a care order", unit="GBP per child, 2014 prices",
        source=f"{EVIDENCE}#holmes-failed-return: legal element of Holmes 2014 failed-return "
        "cost (B); judgement",
        low=5000.0, high=60000.0)
    care_planning_per_month: float = param(
        250.0, label="care planning, review and social work for a child in care",
        unit="GBP per child-month, 2014 prices",
        source=f"{EVIDENCE}#ward-holmes-soper-2008: Ward, Holmes & Soper 2008 (B); judgement",
        low=50.0, high=1000.0)
    return_home: float = param(
        1500.0, label="planning and making a return home", unit="GBP per child, 2014 prices",
        source=f"{EVIDENCE}#ward-holmes-soper-2008: Ward, Holmes & Soper 2008 (B); judgement",
        low=100.0, high=10000.0)
    reentry_process: float = param(
        12000.0, label="social work, decision and legal work of a re-entry (placement excluded)",
        unit="GBP per child, 2014 prices", source=f"{EVIDENCE}#holmes-failed-return: Holmes "
        "2014 (B) puts a failed return at over £61k including placement; the non-placement "
        "part is a judgement",
        low=2000.0, high=40000.0)
    process_price_year: int = param(2014, label="price year of the process costs", unit="year",
                                    source="Holmes 2014", low=2000, high=2030)
    monitoring_per_month: float = param(
        400.0, label="social work for a case kept open after return",
        unit="GBP per family-month, 2014 prices", source=f"{EVIDENCE}#holmes-support: case "
        "work element of Holmes 2014 support packages (B); judgement", low=100.0, high=1500.0)
    support_low_per_month: float = param(
        274.0, label="low-need support package", unit="GBP per family-month, 2024 prices",
        source=f"{EVIDENCE}#holmes-support: low need £1,644 for 6 months (Holmes 2024, B)",
        low=50.0, high=1000.0)
    support_medium_per_month: float = param(
        655.0, label="medium-need support package", unit="GBP per family-month, 2024 prices",
        source=f"{EVIDENCE}#holmes-support: average £7,857 a family (Holmes 2024, B) over "
        "12 months; £7,857 is the average over all need levels, not the medium level, "
        "whose cost and length were not found",
        low=200.0, high=2000.0)
    support_high_per_month: float = param(
        1600.0, label="high-need (intensive) support package",
        unit="GBP per family-month, 2008-09 prices",
        source=f"{EVIDENCE}#scot-gov-2009-intensive-support: intensive family "
        "support £1,300-1,900 a family-month (Scottish Government 2009, B), a 2008-09 figure "
        "(its price year is support_high_price_year); used by the need-matched entitlement",
        low=800.0, high=4000.0)
    support_price_year: int = param(2024, label="price year of the low and medium support "
                                    "costs", unit="year", source="Holmes 2024", low=2000,
                                    high=2030)
    support_high_price_year: int = param(
        2009, label="price year of support_high_per_month", unit="year",
        source="Scottish Government 2009 intensive family support evaluation: costs of "
        "2008-09 (price year 2009, the financial year ending March 2009); labelled 2024 before",
        low=2000, high=2030)
    holmes_low_package: float = param(
        1644.0, label="Holmes' low-need support package (case work and parenting support)",
        unit="GBP per family, 2024 prices", source=f"{EVIDENCE}#holmes-support: low need "
        "£1,644 for 6 months (Holmes 2024, B)", low=200.0, high=10000.0)
    holmes_low_months: int = param(
        6, label="length of Holmes' low-need package", unit="months",
        source="Holmes 2024 (B): low need for six months", low=1, high=24)
    holmes_medium_package: float = param(
        7600.0, label="Holmes-design medium-need package (case work plus one service)",
        unit="GBP per family, 2024 prices", source="judgement anchored on Holmes 2024 (B): "
        "average £7,857 a supported family, low £1,644, 53% of families with high needs "
        "(Holmes 2014); the medium and high package costs were not found; the high package "
        "taken as 1.5 times the medium (more services: drug and alcohol, adult mental health, "
        "CAMHS on top of case work and parenting support) and the remaining 47% split "
        "between medium and low as the model's families are (about 37:63); solving "
        "0.53*1.5*M + 0.175*M + 0.295*1,644 = 7,857 gives M about 7,600",
        low=1000.0, high=30000.0)
    holmes_high_package: float = param(
        11400.0, label="Holmes-design high-need package (case work plus several services)",
        unit="GBP per family, 2024 prices", source="judgement: 1.5 times "
        "holmes_medium_package (see there), anchored on Holmes 2024's average £7,857 (B)",
        low=1000.0, high=40000.0)
    holmes_package_months: int = param(
        12, label="length of Holmes' medium and high packages", unit="months",
        source="Holmes 2014, 2024 (B): support from an ongoing case worker for up to twelve "
        "months, plus services", low=1, high=36)
    holmes_price_year: int = param(2024, label="price year of the Holmes package costs",
                                   unit="year", source="Holmes 2024", low=2000, high=2030)
    treatment_episode: float = param(
        4000.0, label="a drug or alcohol treatment episode for a parent",
        unit="GBP per episode, 2014 prices", source=f"{EVIDENCE}#fdac-cost-2016: between "
        "community treatment and the FDAC's £12,170 a case (Reeder & Whitehead 2016, C); "
        "judgement",
        low=1000.0, high=15000.0)
    treatment_price_year: int = param(2014, label="price year of treatment_episode",
                                      unit="year", source="judgement", low=2000, high=2030)


@dataclass
class Parameters:
    """All behavioural and cost parameters of the model."""

    entry: EntryParams = field(default_factory=EntryParams)
    family: FamilyParams = field(default_factory=FamilyParams)
    care: CareParams = field(default_factory=CareParams)
    after_return: AfterReturnParams = field(default_factory=AfterReturnParams)
    support: SupportParams = field(default_factory=SupportParams)
    costs: CostParams = field(default_factory=CostParams)


def iter_parameters(obj: Any, prefix: str = "") -> list[tuple[str, Any, dict[str, Any]]]:
    """Every leaf parameter of a dataclass tree as (dotted path, value, metadata)."""
    out: list[tuple[str, Any, dict[str, Any]]] = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        if hasattr(value, "__dataclass_fields__"):
            out.extend(iter_parameters(value, path + "."))
        else:
            out.append((path, value, dict(f.metadata)))
    return out


def has_default(f: Any) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING
