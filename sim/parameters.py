"""Model parameters: the groups of numbers the simulation uses, declared by name and type.

Each group is a dataclass whose fields are declared here by name and type only; the value,
label, unit, source, validation range, plausible range (with its reason), kind and the
calibration and sensitivity flags of every field live in the data file
``sim/params/<group>.yaml``, which :func:`sim.param_files.from_file` reads when the class is
made (see that module for the format). Each field is made with :func:`param`, so its
metadata carries the keys ``label``, ``unit``, ``source`` (a row of ``docs/evidence.md``,
cited as ``docs/evidence.md#<anchor>``, a citation, or a stated judgement with its reason)
and ``range`` (the validation range: what a configuration may hold, see :mod:`sim.config`),
and the plausible range under ``plausible`` and ``reason``.

Hazards are monthly probabilities: the chance that the event happens within one month
if nothing else changes. The event engine converts them to rates (``-ln(1 - p)``).

The strength codes follow ``docs/evidence.md``: A national data or large cohort,
B multi-council case-file study, C one council, an advocacy estimate, or a judgement.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from sim.param_files import from_file, param

P_MONTH = "probability per month"
PROB = "probability"
MULT = "multiplier (dimensionless)"

#: Ages (months) at which a child in care's exit hazards change (CareParams): adoption only
#: under 5 (``adoption_under5``), another way out at its own rate from 16
#: (``other_exit_16plus``). Used by the hazards, the exits and the families' checkpoints.
AGE5 = 60.0
AGE16 = 192.0


@dataclass
@from_file("entry")
class EntryParams:
    """Who comes into care: numbers, reasons, ages, sibling groups, legal basis."""

    children_per_year: float
    share_neglect: float
    share_other_abuse: float
    share_sibling_pair: float
    share_sibling_three: float
    care_order_share_abuse_neglect: float
    care_order_share_other: float
    care_order_share_reentry: float
    age_under1_abuse_neglect: float
    age_1to4_abuse_neglect: float
    age_5to9_abuse_neglect: float
    age_10to15_abuse_neglect: float
    age_under1_other: float
    age_1to4_other: float
    age_5to9_other: float
    age_10to15_other: float
    residential_share_under12: float
    residential_share_12plus: float
    kinship_share: float


@dataclass
@from_file("family")
class FamilyParams:
    """Parents' problems at entry and how they change."""

    substance_prevalence_abuse_neglect: float
    substance_prevalence_other: float
    domestic_abuse_prevalence: float
    mental_health_prevalence: float
    other_reason_problem_multiplier: float
    resolve_substance: float
    resolve_domestic_abuse: float
    resolve_mental_health: float
    relapse: float
    in_care_resolution_multiplier: float
    engagement_probability: float
    treatment_disengaged_share: float


@dataclass
@from_file("care")
class CareParams:
    """Children in care: going home and leaving care other ways."""

    return_early_other: float
    return_early_abuse_neglect: float
    return_late_multiplier: float
    early_months: int
    care_order_return_multiplier: float
    reentry_return_multiplier: float
    unplanned_return_early: float
    adoption_under5: float
    guardianship: float
    other_exit: float
    other_exit_16plus: float
    return_after_failure_decay: float
    reentry_early_restart: float


@dataclass
@from_file("after_return")
class AfterReturnParams:
    """What happens after a child goes home: maltreatment, detection, re-entry."""

    maltreatment_base: float
    maltreatment_early_multiplier: float
    frailty_variance: float
    rr_substance: float
    rr_domestic_abuse: float
    rr_mental_health: float
    rr_other_reason: float
    rr_neglect: float
    rr_over6_at_return: float
    breakdown_rr_other_reason: float
    rr_open_case: float
    detect_open: float
    detect_closed: float
    reentry_on_detection: float
    breakdown_other: float
    breakdown_late_multiplier: float
    unplanned_early_multiplier: float
    reopen_months: int
    early_failure_share: float
    early_failure_share_unplanned: float
    early_failure_monthly: float


@dataclass
@from_file("support")
class SupportParams:
    """What support after return does, by need level (used by status quo and entitlement)."""

    maltreatment_rr_low: float
    maltreatment_rr_medium: float
    maltreatment_rr_high: float
    resolution_rr_low: float
    resolution_rr_medium: float
    resolution_rr_high: float
    disengaged_effect_share: float
    treatment_resolution_rr: float
    treatment_relapse_rr: float
    treatment_months: int


@dataclass
@from_file("costs")
class CostParams:
    """Unit costs to councils. Each has a price year; the ledger converts to one price year."""

    foster_per_year: float
    foster_price_year: int
    residential_per_year: float
    residential_price_year: int
    kinship_per_year: float
    kinship_price_year: int
    entry_decision: float
    care_proceedings: float
    care_planning_per_month: float
    return_home: float
    reentry_process: float
    process_price_year: int
    monitoring_per_month: float
    support_low_per_month: float
    support_medium_per_month: float
    support_high_per_month: float
    support_price_year: int
    support_high_price_year: int
    holmes_low_package: float
    holmes_low_months: int
    holmes_medium_package: float
    holmes_high_package: float
    holmes_package_months: int
    holmes_price_year: int
    treatment_episode: float
    treatment_price_year: int
    with_parents_per_year: float
    with_parents_price_year: int
    other_placement_per_year: float
    other_placement_price_year: int


@dataclass
@from_file("pressure")
class PressureParams:
    """Councils under pressure (issue 26, :mod:`sim.pressure`): off unless ``enabled``."""

    enabled: bool
    caseload_per_worker: float
    perception_months: int
    delay_months: int
    review_months: int
    reference_months: int
    thoroughness_elasticity: float
    monitoring_elasticity: float
    support_elasticity: float
    return_elasticity: float
    cut_support: float
    cut_workforce: float
    cut_month: int


@dataclass
@from_file("placement")
class PlacementParams:
    """Placements over a period of care (issue 24, :mod:`sim.placements`): placement type by
    age with moves, off unless ``moves``."""

    moves: bool
    move_rate_under12: float
    move_rate_12to15: float
    move_rate_16plus: float
    unstable_share: float
    unstable_multiplier: float
    residential_under12: float
    kinship_under12: float
    with_parents_under12: float
    other_under12: float
    residential_12to15: float
    kinship_12to15: float
    with_parents_12to15: float
    other_12to15: float
    residential_16plus: float
    kinship_16plus: float
    with_parents_16plus: float
    other_16plus: float


@dataclass
class Parameters:
    """All behavioural and cost parameters of the model."""

    entry: EntryParams = field(default_factory=EntryParams)
    family: FamilyParams = field(default_factory=FamilyParams)
    care: CareParams = field(default_factory=CareParams)
    after_return: AfterReturnParams = field(default_factory=AfterReturnParams)
    support: SupportParams = field(default_factory=SupportParams)
    costs: CostParams = field(default_factory=CostParams)
    pressure: PressureParams = field(default_factory=PressureParams)
    placement: PlacementParams = field(default_factory=PlacementParams)


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


__all__ = ["AfterReturnParams", "CareParams", "CostParams", "EntryParams", "FamilyParams",
           "MULT", "PROB", "P_MONTH", "Parameters", "PlacementParams", "PressureParams", "SupportParams",
           "has_default", "iter_parameters", "param"]
