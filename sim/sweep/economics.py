"""The false-economy quantities of a policy arm against its status-quo arm, seed by seed.

For a horizon of ``h`` years (5 or 10, from the start of the measured period; metrics
``*_<h>y`` of :func:`sim.metrics.horizon_metrics`), England-equivalent, in the run's
price year, with the arm's and the status quo's run on the same seed (common random
numbers, so the difference is the policy's mechanism, not noise):

``fe_spend_<h>y_gbp``
    what the policy spends: the rise in after-return spending (support packages and
    assessments, monitoring visits, treatment episodes).
``fe_saving_placements_<h>y_gbp``, ``fe_saving_reentries_<h>y_gbp``, ``fe_saving_other_work_<h>y_gbp``
    what it saves: the fall in placement costs (foster, residential, kinship); in the work
    of re-entries (the decision, social work and court proceedings of bringing a child
    back into care, ``CostParams.reentry_process``); in other social work (care planning
    and review while in care, returns home, first entries and their proceedings). A
    negative saving is an extra cost.
``fe_savings_<h>y_gbp``
    all savings (the sum of the three).
``fe_net_cost_<h>y_gbp``
    spend minus savings: the change in councils' total spending. Negative: it pays for
    itself.
``fe_failed_returns_avoided_<h>y``, ``fe_harm_months_avoided_<h>y``, ``fe_maltreatment_avoided_<h>y``
    children's outcomes: fewer children coming back into care after a failed return;
    fewer child-months spent in an undetected harmful home; fewer children maltreated
    again after a return.

Ratios are of the means over the paired seeds (interval by a paired bootstrap):

``fe_return_per_pound_<h>y``
    savings per pound spent. Above 1: support pays for itself.
``fe_saving_per_failed_return_<h>y_gbp``
    savings per failed return avoided: what a failed return costs councils in this run
    (its re-entry work, proceedings and the placement that follows, within the horizon).
``fe_breakeven_failed_returns_<h>y``
    the break-even: failed returns the policy would have to avoid for its savings to
    equal its spend, at the run's own saving per failed return avoided (empty when the
    policy does not avoid failed returns, e.g. longer monitoring, which finds more harm).
``fe_breakeven_fall_<h>y``, ``fe_fall_<h>y``
    the break-even, and the fall the policy achieves, as shares of the status quo's
    failed returns over the horizon.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from sim.metrics import HORIZONS_YEARS
from sim.sweep.intervals import ratio

SPEND = ("monitoring", "support", "treatment")
SAVINGS: dict[str, tuple[str, ...]] = {
    "placements": ("placement_foster", "placement_residential", "placement_kinship"),
    "reentries": ("process_reentry",),
    "other_work": ("process_care_planning", "process_return", "process_entry", "process_legal"),
}


def _cost(df: pd.DataFrame, components: tuple[str, ...], h: int) -> pd.Series:
    return sum(df[f"cost_{c}_{h}y_gbp"] for c in components)  # type: ignore[return-value]


def differences(arm: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    """Per paired seed (rows aligned), the ``fe_*`` differences of ``arm`` against ``ref``."""
    out = {}
    for h in HORIZONS_YEARS:
        out[f"fe_spend_{h}y_gbp"] = _cost(arm, SPEND, h) - _cost(ref, SPEND, h)
        total_saving = 0.0
        for name, comps in SAVINGS.items():
            saving = _cost(ref, comps, h) - _cost(arm, comps, h)
            out[f"fe_saving_{name}_{h}y_gbp"] = saving
            total_saving = total_saving + saving
        out[f"fe_savings_{h}y_gbp"] = total_saving
        out[f"fe_net_cost_{h}y_gbp"] = arm[f"cost_total_{h}y_gbp"] - ref[f"cost_total_{h}y_gbp"]
        out[f"fe_failed_returns_avoided_{h}y"] = ref[f"reentries_{h}y"] - arm[f"reentries_{h}y"]
        out[f"fe_harm_months_avoided_{h}y"] = ref[f"harm_months_{h}y"] - arm[f"harm_months_{h}y"]
        out[f"fe_maltreatment_avoided_{h}y"] = (ref[f"maltreatment_starts_{h}y"]
                                                - arm[f"maltreatment_starts_{h}y"])
        out[f"fe_reference_failed_returns_{h}y"] = ref[f"reentries_{h}y"]
    return pd.DataFrame(out, index=arm.index)


Ratio = tuple[tuple[str, ...], Callable[[np.ndarray], float]]


def _breakeven(m: np.ndarray) -> float:
    """Failed returns to avoid for savings to equal spend, from the means (spend, savings,
    avoided). Undefined (NaN) unless the policy avoids failed returns and saves money by it:
    a policy that adds failed returns has no break-even in failed returns."""
    spend, sav, avoided = m
    if avoided <= 0 or sav <= 0:
        return float("nan")
    return float(spend * avoided / sav)


def ratios() -> dict[str, Ratio]:
    """Ratio quantities: name -> (columns whose means it uses, function of those means)."""
    out: dict[str, Ratio] = {}
    for h in HORIZONS_YEARS:
        spend, sav = f"fe_spend_{h}y_gbp", f"fe_savings_{h}y_gbp"
        avoided, base = f"fe_failed_returns_avoided_{h}y", f"fe_reference_failed_returns_{h}y"
        out[f"fe_return_per_pound_{h}y"] = ((sav, spend), lambda m: ratio(m[0], m[1]))
        out[f"fe_saving_per_failed_return_{h}y_gbp"] = ((sav, avoided),
                                                        lambda m: ratio(m[0], m[1]))
        out[f"fe_breakeven_failed_returns_{h}y"] = ((spend, sav, avoided), _breakeven)
        out[f"fe_breakeven_fall_{h}y"] = (
            (spend, sav, avoided, base), lambda m: ratio(_breakeven(m[:3]), m[3]))
        out[f"fe_fall_{h}y"] = ((avoided, base), lambda m: ratio(m[0], m[1]))
    return out
