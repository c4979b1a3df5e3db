"""Plain words for the code names people meet: metrics, policy options and experiment arms.

One mapping, used by every printed table and figure (a run's summary and ``report.md``,
the experiments' figures, the frontier, ``revolving-door-data describe``'s comparison
figure), so a label reads the same everywhere. The code name stays available: each
label's metric is listed in docs/outputs.md ("Plain labels"), and a run's
``report_table.csv`` carries both. A name with no label is shown as it is.
"""

from __future__ import annotations

#: Metric (``metrics.json``) -> plain label. The calibration targets first, in their order.
METRIC_LABELS: dict[str, str] = {
    "returned_home_share": "Episodes of care ending in a return home",
    "reentry_3m": "Returns home that fail within 3 months",
    "reentry_12m": "Returns home that fail within 12 months",
    "reentry_72m": "Returns home that fail within 6 years",
    "breakdown_24m_neglect": "Neglected children (0-14): return fails within 2 years",
    "maltreated_24m_neglect": "Neglected children (0-14): harmed again within 2 years",
    "failed_return_any_60m_neglect": "Neglected children (0-14): a failed return within 5 years",
    "substance_misuse_at_return_share": "Returns to a parent misusing drugs or alcohol",
    "treatment_share_substance_misuse": "Of those, families who reach treatment",
    "unplanned_return_share": "Returns home that were unplanned",
    "children_in_care_end": "Children in care at the end",
    "starts_per_year": "Children starting care a year",
    # reported beside the targets, not fitted (issue 21)
    "reentry_2w": "Returns home that fail within 2 weeks",
    "failed_return_2plus_24m_index_all": "Children (0-14, any reason): two or more failed "
                                         "returns within 2 years",
    "breakdown_24m_abuse_neglect": "Abused or neglected children: return fails within 2 years",
    "maltreated_24m_abuse_neglect": "Abused or neglected children: harmed again within 2 years",
    "failed_return_2plus_60m_neglect": "Neglected children: two or more failed returns in 5 years",
    "children_home_after_return_end": "Children at home after a return at the end",
    "entries_per_year": "Children entering care a year (not re-entries)",
    # costs
    "cost_total_gbp": "All costs",
    "cost_placement_gbp": "Placements (foster, residential, kinship)",
    "cost_process_gbp": "Social work and courts (entry, proceedings, planning, return, re-entry)",
    "cost_after_return_gbp": "After a return (visits, support, treatment)",
    "cost_total_per_year_gbp": "All costs, a year on average",
    # what a policy changes (a run against current practice on the same seed)
    "reentries_in_period": "Failed returns (children back in care)",
    "maltreatment_starts_in_period": "Children harmed again at home",
    "care_months_in_period": "Months children spend in care",
    "fe_spend_gbp": "Spend after a return (visits, support, treatment)",
    "fe_savings_gbp": "Savings (placements, re-entries, other social work)",
    "fe_net_cost_gbp": "Net cost to councils (spend minus savings)",
    # experiments' effects
    "fe_return_per_pound_10y": "Each £1 of support saves (10 years)",
    "fe_net_cost_10y_gbp": "Net cost to councils over 10 years",
    "fe_failed_returns_avoided_10y": "Failed returns avoided over 10 years",
    "fe_fall_10y": "Fall in failed returns over 10 years",
    "fe_breakeven_fall_10y": "Fall in failed returns needed to break even",
}

#: Policy option (``configs/policy/<lever>/<option>.yaml``) -> plain label.
OPTION_LABELS: dict[str, dict[str, str]] = {
    "support": {
        "status_quo": "Current practice",
        "entitlement_holmes": "Holmes' package",
        "entitlement": "Support as long as needed",
        "entitlement_cap24": "Support up to 24 months",
        "entitlement_cap12": "Support up to 12 months",
    },
    "monitoring": {
        "status_quo": "Current practice",
        **{f"m{n}": f"Cases open at least {n} months" for n in (3, 6, 12, 24)},
    },
    "treatment": {
        "status_quo": "Current practice",
        "t05": "Treatment for 5% of families",
        "t25": "Treatment for 25% of families",
        "t50": "Treatment for 50% of families",
        "universal": "Treatment for every family",
    },
}

#: A swept setting (``key=value``, as a sweep's ``variant`` column writes it) -> plain label.
VARIANT_LABELS: dict[str, str] = {
    "params.care.reentry_return_multiplier=0.5":
        "After a re-entry, going home again half as likely",
    "params.care.reentry_return_multiplier=3.0":
        "After a re-entry, going home again three times as likely",
}


def variant_label(variant: str) -> str:
    """The plain label of a swept setting (the setting itself if it has none)."""
    return VARIANT_LABELS.get(variant, variant)


#: The published figure behind each calibration target, in words (for a figure's legend).
TARGET_SOURCE_LABELS: dict[str, str] = {
    "reentry_3m": "Goldacre et al. 2022",
    "reentry_12m": "Goldacre et al. 2022",
    "reentry_72m": "Goldacre et al. 2022",
    "breakdown_24m_neglect": "Farmer & Lutman 2010",
}


def metric_label(name: str) -> str:
    """The plain label of a metric (the name itself if it has none)."""
    return METRIC_LABELS.get(name, name)


def option_label(lever: str, option: str) -> str:
    """The plain label of a policy option of a lever (``support``, ``monitoring``,
    ``treatment``; ``policy/support`` works too), the option itself if it has none."""
    return OPTION_LABELS.get(lever.rpartition("/")[2], {}).get(option, option)


def arm_label(name: str) -> str:
    """The plain label of an experiment arm or option named by its config option alone
    (``entitlement_holmes``), whichever lever it belongs to."""
    for options in OPTION_LABELS.values():
        if name in options and name != "status_quo":
            return options[name]
    return "Current practice" if name == "status_quo" else name


__all__ = ["METRIC_LABELS", "OPTION_LABELS", "TARGET_SOURCE_LABELS", "arm_label",
           "metric_label", "option_label"]
