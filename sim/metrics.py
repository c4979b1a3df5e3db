"""Calibration and outcome metrics, computed from a finished model's records.

Definitions (names are part of the output interface; see README "Outputs"):

* The measured period is the ``years`` after the warm-up. Returns, episode endings and
  costs count when they happen in the measured period.
* Re-entry shares (``reentry_12m``, ``breakdown_24m_*`` and ``reentry_curve.csv``) are
  Kaplan-Meier estimates over every return home in the measured period: time from the
  return to re-entry, censored at the end of the run or when the child turns 18 at home.
* Maltreatment shares and failed-return counts use full-follow-up cohorts: returns (or,
  for failed returns, children's first returns) at least the horizon before the end of
  the run, so every member is followed for the whole horizon.
* Counts and costs are England-equivalent: divided by ``scale``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.agents.child import EntryReason, ExitKind
from sim.ledger import COMPONENTS, GROUPS, C
from sim.prices import convert
from sim.records import (END_REENTERED, FLOW_FIELDS, STOCK_FIELDS, exits_in_period,
                         returns_in_period)
from sim.plausibility import following_episodes, plausibility_metrics
from sim.variation import variation_metrics

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel

CURVE_GROUPS: tuple[str, ...] = ("all", "abuse_neglect", "neglect", "other")
#: Horizons (years from the start of the measured period) of the ``*_<h>y`` metrics.
HORIZONS_YEARS: tuple[int, ...] = (5, 10)
HORIZON_FLOWS: tuple[str, ...] = ("reentries", "returns", "maltreatment_starts")
CURVE_MONTHS = 72

#: The calibration table: metric -> (target, tolerance, source). Issue 2 and
#: docs/evidence.md#calibration-targets. The three neglect targets are measured on the
#: sources' population (issue 21): each neglected child's index return (see
#: :func:`index_returns`).
TARGETS: dict[str, tuple[float, float, str]] = {
    "returned_home_share": (0.39, 0.05, "DfE 2011 via NSPCC 2012 (A), "
                            "docs/evidence.md#dfe-returned-home-share"),
    "reentry_3m": (0.12, 0.03, "Goldacre et al. 2022 (A), via Holmes 2024, "
                   "docs/evidence.md#reentry-3-months"),
    "reentry_12m": (0.20, 0.03, "Goldacre et al. 2022 (A), "
                    "docs/evidence.md#reentry-goldacre-2022"),
    "reentry_72m": (0.35, 0.05, "Goldacre et al. 2022 (A): over a third by 6 years, "
                    "docs/evidence.md#reentry-goldacre-2022"),
    "breakdown_24m_neglect": (0.50, 0.08, "Farmer & Lutman 2010 (B): half of neglected "
                              "children's returns broken down within two years, "
                              "docs/evidence.md#farmer-lutman-2010-failed-returns"),
    "maltreated_24m_neglect": (0.59, 0.08, "Farmer & Lutman 2010 (B, via Community Care 2010): "
                               "59% abused or neglected within two years, "
                               "docs/evidence.md#lutman-farmer-maltreated"),
    "failed_return_any_60m_neglect": (0.64, 0.07, "Farmer & Lutman 2010 (B), "
                                      "docs/evidence.md#farmer-lutman-2010-failed-returns"),
    "substance_misuse_at_return_share": (0.50, 0.05, "Farmer et al. 2011 (B), "
                                         "docs/evidence.md#farmer-2011-adversity"),
    "treatment_share_substance_misuse": (0.05, 0.02, "NSPCC 2013 (C), "
                                         "docs/evidence.md#nspcc-2013-treatment"),
    "unplanned_return_share": (0.27, 0.06, "Farmer 2014 (B), "
                               "docs/evidence.md#farmer-2014-unplanned"),
    "children_in_care_end": (65500.0, 5000.0, "DfE SFR21/2011: 65,520 at 31 March 2011 (A), "
                             "docs/evidence.md#dfe-stock-31-march"),
    "starts_per_year": (27800.0, 2500.0, "DfE SFR27/2010: 27,800 starts in 2009-10, re-entries "
                        "included (A), docs/evidence.md#dfe-starts-2009-10"),
}


def _group_mask(df: pd.DataFrame, group: str) -> np.ndarray:
    reason = df["reason"].to_numpy()
    if group == "all":
        return np.ones(len(df), dtype=bool)
    if group == "abuse_neglect":
        return reason != int(EntryReason.OTHER)
    if group == "neglect":
        return reason == int(EntryReason.NEGLECT)
    if group == "other":
        return reason == int(EntryReason.OTHER)
    raise KeyError(group)


def kaplan_meier(duration: np.ndarray, event: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Cumulative incidence ``1 - S(t)`` of the Kaplan-Meier estimator at times ``at``."""
    if len(duration) == 0:
        return np.full(len(at), np.nan)
    order = np.argsort(duration, kind="stable")
    d = duration[order]
    e = event[order].astype(bool)
    n = len(d)
    at_risk = n - np.arange(n)
    factors = np.where(e, 1.0 - 1.0 / at_risk, 1.0)
    surv = np.cumprod(factors)
    idx = np.searchsorted(d, at, side="right") - 1
    out = np.where(idx >= 0, 1.0 - surv[np.clip(idx, 0, None)], 0.0)
    return out


def _returns_in_period(model: "RevolvingDoorModel") -> pd.DataFrame:
    """The returns home in the measured period, numbered from 0 (built once: the caller
    must not modify it)."""
    cfg = model.config
    return returns_in_period(model.records, float(cfg.measure_start), float(cfg.total_months))


def _exits_in_period(model: "RevolvingDoorModel") -> pd.DataFrame:
    """The episodes of care that ended in the measured period (built once: the caller
    must not modify it)."""
    cfg = model.config
    return exits_in_period(model.records, float(cfg.measure_start), float(cfg.total_months))


def _km_inputs(df: pd.DataFrame, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    ended = ~np.isnan(df["end_time"].to_numpy())
    end = np.where(ended, df["end_time"].to_numpy(), t_end)
    duration = end - df["time"].to_numpy()
    event = (df["end_kind"].to_numpy() == END_REENTERED)
    return duration, event


def reentry_curve(model: "RevolvingDoorModel", returns: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """``group, month, share_reentered`` for months 1..72 (Kaplan-Meier). Of the measured
    period's returns (``returns`` not given) it is built once, for the figure's numbers
    and the results alike, and a copy returned."""
    if returns is None:
        cfg = model.config
        return model.records.derived(
            f"reentry_curve:{float(cfg.measure_start)!r}:{float(cfg.total_months)!r}",
            lambda: reentry_curve(model, _returns_in_period(model))).copy()
    df = returns
    months = np.arange(1, CURVE_MONTHS + 1, dtype=float)
    rows = []
    for group in CURVE_GROUPS:
        sub = df[_group_mask(df, group)]
        dur, ev = _km_inputs(sub, float(model.config.total_months))
        shares = kaplan_meier(dur, ev, months)
        rows.append(pd.DataFrame({"group": group, "month": months.astype(int),
                                  "share_reentered": shares}))
    return pd.concat(rows, ignore_index=True)


def _share_within(df: pd.DataFrame, col: str, horizon: float, t_end: float) -> float:
    cohort = df[df["time"] <= t_end - horizon]
    if len(cohort) == 0:
        return float("nan")
    when = cohort[col].to_numpy() - cohort["time"].to_numpy()
    return float(np.mean(np.nan_to_num(when, nan=np.inf) <= horizon))


def failed_returns_after_first(df_all: pd.DataFrame, start: float, t_end: float,
                               horizon: float = 60.0) -> pd.Series:
    """Failed returns within ``horizon`` months of each child's first return, for children
    whose first return is in the measured period and at least ``horizon`` before the end."""
    first = df_all[(df_all["nth"] == 1) & (df_all["time"] >= start)
                   & (df_all["time"] <= t_end - horizon)]
    ids = first["child"].to_numpy()
    sub = df_all[df_all["child"].isin(ids)]
    failed = ((sub["end_kind"] == END_REENTERED)
              & (sub["end_time"] <= sub["first_return"] + horizon))
    counts = failed.groupby(sub["child"]).sum()
    return counts.reindex(ids, fill_value=0)


#: The sources' population (Farmer et al. 2011; Farmer & Lutman 2010): children aged 0 to
#: 14 at the study return, i.e. under 15 years (months).
INDEX_AGE_LIMIT = 180.0
#: Farmer et al. 2011 as reported by Community Care (2010): 35% of the 180 returned
#: children had two or more failed returns in their care histories (C). Reported beside
#: ``failed_return_2plus_24m_index_all`` as a comparison, never fitted (issue 21).
FARMER_2PLUS_COMPARISON = 0.35


def index_returns(df_all: pd.DataFrame, start: float, t_end: float,
                  horizon: float) -> pd.DataFrame:
    """Each child's *index return*: the child's first return home in the measured period
    that has ``horizon`` months of follow-up before the end of the run, for children aged
    0 to 14 at that return (under :data:`INDEX_AGE_LIMIT` months). The case-file studies
    followed children from a study return in an index period (one year), aged 0-14 then,
    whatever their earlier history; pooling the index years of the measured period gives
    the same population with more children. One row a child (rows of ``df_all``)."""
    cand = df_all[(df_all["time"] >= start) & (df_all["time"] <= t_end - horizon)]
    first = cand.sort_values(["child", "time"], kind="stable").drop_duplicates("child")
    return first[first["age"] < INDEX_AGE_LIMIT]


def _after_index(df_all: pd.DataFrame, idx: pd.DataFrame) -> pd.DataFrame:
    """Every return record of the index children, with their index time as ``t0``."""
    t0 = idx.set_index("child")["time"]
    sub = df_all[df_all["child"].isin(t0.index)].copy()
    sub["t0"] = sub["child"].map(t0).to_numpy(dtype=float)
    return sub


def index_outcomes(df_all: pd.DataFrame, start: float, t_end: float) -> dict[str, float]:
    """The case-file measures on their sources' population (issue 21), from each child's
    index return (:func:`index_returns`):

    * ``breakdown_24m_neglect``: neglected children whose index return ended in re-entry
      within 24 months (Farmer & Lutman 2010: half broken down after two years);
    * ``maltreated_24m_neglect``: neglected children maltreated at home within 24 months of
      the index return, in that return or a later one in the window (59%, Farmer & Lutman,
      as reported by Community Care 2010);
    * ``failed_return_any_60m_neglect``: neglected children with a failed return (the index
      return or a later one) within 60 months of the index return (almost two thirds);
    * ``failed_return_2plus_24m_index_all``: children of every reason for entry with two or
      more failed returns in their care history (before the index return included) by 24
      months after it; reported beside :data:`FARMER_2PLUS_COMPARISON`, not fitted;
    * ``index_children_24m_neglect``, ``index_children_60m_neglect``: how many children
      each measure counts (this run, not England-equivalent).
    """
    nan = float("nan")
    out: dict[str, float] = {}
    re = (df_all["end_kind"] == END_REENTERED).to_numpy()
    neglect = df_all["reason"] == int(EntryReason.NEGLECT)
    idx24 = index_returns(df_all, start, t_end, 24.0)
    n24 = idx24[idx24["reason"] == int(EntryReason.NEGLECT)]
    out["index_children_24m_neglect"] = float(len(n24))
    if len(n24):
        brk = (n24["end_kind"] == END_REENTERED) & (n24["end_time"] <= n24["time"] + 24.0)
        out["breakdown_24m_neglect"] = float(brk.mean())
        sub = _after_index(df_all[neglect], n24)
        hit = ((sub["time"] >= sub["t0"]) & (sub["first_maltreatment"] <= sub["t0"] + 24.0))
        out["maltreated_24m_neglect"] = float(hit.groupby(sub["child"]).any()
                                              .reindex(n24["child"], fill_value=False).mean())
    else:
        out["breakdown_24m_neglect"] = out["maltreated_24m_neglect"] = nan
    idx60 = index_returns(df_all, start, t_end, 60.0)
    n60 = idx60[idx60["reason"] == int(EntryReason.NEGLECT)]
    out["index_children_60m_neglect"] = float(len(n60))
    if len(n60):
        sub = _after_index(df_all[neglect], n60)
        failed = ((sub["time"] >= sub["t0"]) & (sub["end_kind"] == END_REENTERED)
                  & (sub["end_time"] <= sub["t0"] + 60.0))
        out["failed_return_any_60m_neglect"] = float(
            failed.groupby(sub["child"]).any().reindex(n60["child"], fill_value=False).mean())
    else:
        out["failed_return_any_60m_neglect"] = nan
    if len(idx24):
        sub = _after_index(df_all[re], idx24)
        n_failed = (sub["end_time"] <= sub["t0"] + 24.0).groupby(sub["child"]).sum()
        n_failed = n_failed.reindex(idx24["child"], fill_value=0)
        out["failed_return_2plus_24m_index_all"] = float((n_failed >= 2).mean())
    else:
        out["failed_return_2plus_24m_index_all"] = nan
    out["failed_return_2plus_comparison_farmer"] = FARMER_2PLUS_COMPARISON
    return out


def compute_metrics(model: "RevolvingDoorModel", councils: pd.DataFrame | None = None,
                    costs: pd.DataFrame | None = None, curve: pd.DataFrame | None = None
                    ) -> dict[str, Any]:
    """Every metric of ``metrics.json``. ``councils``, ``costs`` and ``curve``: the run's
    :func:`councils_frame`, :func:`failed_return_costs` and :func:`reentry_curve`, if the
    caller has them already (they are built otherwise)."""
    cfg = model.config
    start, t_end = float(cfg.measure_start), float(cfg.total_months)
    scale = cfg.scale
    all_returns = model.records.returns_frame()
    ret = _returns_in_period(model)
    exits = _exits_in_period(model)
    out: dict[str, Any] = {}
    n_exits = len(exits)
    out["returned_home_share"] = (float(np.mean(exits["kind"] == int(ExitKind.RETURNED_HOME)))
                                  if n_exits else float("nan"))
    if curve is None:
        curve = reentry_curve(model, ret)
    at = curve.set_index(["group", "month"])["share_reentered"]
    out["reentry_3m"] = float(at[("all", 3)])
    out["reentry_12m"] = float(at[("all", 12)])
    out["reentry_72m"] = float(at[("all", 72)])
    out["unplanned_return_share"] = (float(ret["unplanned"].mean()) if len(ret)
                                     else float("nan"))
    out["reentry_24m"] = float(at[("all", 24)])
    # issue 21: within two weeks, beside the DfE 2006-07 cohort's 2.4% (not fitted)
    dur, ev = _km_inputs(ret, t_end)
    out["reentry_2w"] = float(kaplan_meier(dur, ev, np.array([0.5]))[0])
    out["breakdown_24m_abuse_neglect"] = float(at[("abuse_neglect", 24)])
    an = ret[_group_mask(ret, "abuse_neglect")]
    out["maltreated_24m_abuse_neglect"] = _share_within(an, "first_maltreatment", 24, t_end)
    out["maltreated_24m_all"] = _share_within(ret, "first_maltreatment", 24, t_end)
    neg = all_returns[_group_mask(all_returns, "neglect")]
    fails = failed_returns_after_first(neg, start, t_end)
    # issue 21: reported, no longer a target (its source counts care histories of children
    # of every reason; see failed_return_2plus_24m_index_all)
    out["failed_return_2plus_60m_neglect"] = float(np.mean(fails >= 2)) if len(fails) else \
        float("nan")
    out.update(index_outcomes(all_returns, start, t_end))
    out["substance_misuse_at_return_share"] = float(ret["substance"].mean()) if len(ret) else \
        float("nan")
    sm = ret[ret["substance"] & (ret["time"] <= t_end - 12)]
    out["treatment_share_substance_misuse"] = float(sm["treated"].mean()) if len(sm) else \
        float("nan")
    out["maltreated_12m_substance_misuse"] = _share_within(ret[ret["substance"]],
                                                           "first_maltreatment", 12, t_end)
    out["months_in_harm_per_return"] = float(ret["harm_months"].mean()) if len(ret) else \
        float("nan")
    fam_returns = ret.drop_duplicates(["family", "time"])
    out["support_families"] = float((fam_returns["support_level"] > 0).sum() / scale)
    out["treatment_families"] = float(fam_returns["treated"].sum() / scale)
    # volumes (England-equivalent, per year of the measured period)
    years = cfg.years
    flows = model.timeseries.flows[cfg.measure_start:].sum(axis=(0, 1))
    f = dict(zip(FLOW_FIELDS, flows))
    out["entries_per_year"] = float(f["entries"] / years / scale)
    out["reentries_per_year"] = float(f["reentries"] / years / scale)
    out["starts_per_year"] = out["entries_per_year"] + out["reentries_per_year"]
    out["reentry_share_of_starts"] = (out["reentries_per_year"] / out["starts_per_year"]
                                      if out["starts_per_year"] else float("nan"))
    out["returns_per_year"] = float(f["returns"] / years / scale)
    last = model.timeseries.stocks[cfg.total_months - 1].sum(axis=0)
    s = dict(zip(STOCK_FIELDS, last))
    out["children_in_care_end"] = float(s["children_in_care"] / scale)
    out["children_home_after_return_end"] = float(s["children_home_after_return"] / scale)
    out["returns_measured"] = int(len(ret))
    # costs (England-equivalent, the whole measured period, run price year)
    groups = model.ledger.by_group(cfg.measure_start, cfg.total_months)
    out["cost_total_gbp"] = model.ledger.total(cfg.measure_start, cfg.total_months) / scale
    for g in ("placement", "process", "after_return", "support", "treatment", "monitoring"):
        out[f"cost_{g}_gbp"] = groups[g] / scale
    out["cost_total_per_year_gbp"] = out["cost_total_gbp"] / years
    out["price_year"] = cfg.price_year
    out.update(horizon_metrics(model))
    out.update(plausibility_metrics(model, councils_frame(model) if councils is None
                                    else councils))
    out.update(variation_metrics(model))
    out.update(cost_comparison_metrics(model, costs))
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}


def horizon_metrics(model: "RevolvingDoorModel") -> dict[str, float]:
    """Costs by ledger component, failed returns and months in harm over the first
    ``h`` measured years, for ``h`` in :data:`HORIZONS_YEARS` (NaN when the run is shorter).

    England-equivalent, in the run's price year: ``cost_<component>_<h>y_gbp`` for every
    ledger component and ``cost_total_<h>y_gbp``; ``reentries_<h>y`` (children coming back
    into care after a failed return), ``returns_<h>y``, ``maltreatment_starts_<h>y``
    (children) and ``harm_months_<h>y`` (child-months in an undetected harmful home).
    These are what the false-economy experiment compares between policies.
    """

    cfg = model.config
    scale = cfg.scale
    start = cfg.measure_start
    ts = model.timeseries
    out: dict[str, float] = {}
    for h in HORIZONS_YEARS:
        if h > cfg.years:
            names = ([f"cost_{c}_{h}y_gbp" for c in model.ledger.components] + [f"cost_total_{h}y_gbp"]
                     + [f"{f}_{h}y" for f in HORIZON_FLOWS] + [f"harm_months_{h}y"])
            out.update({name: float("nan") for name in names})
            continue
        stop = start + 12 * h
        for c, v in model.ledger.by_component(start, stop).items():
            out[f"cost_{c}_{h}y_gbp"] = v / scale
        out[f"cost_total_{h}y_gbp"] = model.ledger.total(start, stop) / scale
        flows = dict(zip(FLOW_FIELDS, ts.flows[start:stop].sum(axis=(0, 1))))
        for f in HORIZON_FLOWS:
            out[f"{f}_{h}y"] = float(flows[f] / scale)
        out[f"harm_months_{h}y"] = float(ts.harm[start:stop].sum() / scale)
    return out


#: Holmes counts the cost of a failed return over the year after re-entry ("the estimated
#: average annual cost for each child who returns to care", Community Care, 16 September
#: 2014, reporting Holmes 2014; docs/evidence.md#holmes-failed-return).
HOLMES_HORIZON_MONTHS = 12
#: Holmes' cost of one failed return (a child re-entering care), and its price year.
HOLMES_FAILED_RETURN = (105804.0, 2024)  # Holmes 2024 (University of Sussex for NSPCC)
HOLMES_FAILED_RETURN_2014 = (61614.0, 2014)  # Holmes 2014 (CCFR for NSPCC): £61,614
#: Holmes' average support package a supported family (2024 prices).
HOLMES_SUPPORT_PER_FAMILY = (7857.0, 2024)


def _failed_return_cohort(model: "RevolvingDoorModel") -> pd.DataFrame:
    """Children's re-entries after a failed return in the measured period, at least
    :data:`HOLMES_HORIZON_MONTHS` before the end of the run, with the months each then
    spent in care within that horizon (``months``: until the episode the re-entry started
    ended, by going home again, leaving care another way or turning 18, else the whole
    horizon)."""
    cfg = model.config
    start, t_end = float(cfg.measure_start), float(cfg.total_months)
    h = float(HOLMES_HORIZON_MONTHS)
    ret = model.records.returns_frame()
    failed = ret[(ret["end_kind"] == END_REENTERED) & (ret["end_time"] >= start)
                 & (ret["end_time"] <= t_end - h)]
    reentry = failed["end_time"].to_numpy(dtype=float)
    episode_end = following_episodes(failed, model.records.episodes_frame())["end"]
    end = np.fmin(reentry + h, episode_end.to_numpy(dtype=float))  # NaN (open): the horizon
    return pd.DataFrame({"child": failed["child"].to_numpy(), "reentry": reentry,
                         "care_order": failed["care_order"].to_numpy(dtype=bool),
                         "months": end - reentry})


def failed_return_costs(model: "RevolvingDoorModel") -> pd.DataFrame:
    """The cost to the council of one failed return counted as Holmes (2014, 2024) counts
    it, next to Holmes' figures: ``component, model_gbp, holmes_gbp, price_year, note``.

    Per child re-entering care after a failed return (the cohort of
    :func:`_failed_return_cohort`), in the run's price year: the re-entry process as the
    ledger books it (the decision, social work and legal work: ``process_reentry`` per
    child re-entering), and the placement and care planning of the episode that follows,
    up to Holmes' horizon of 12 months, at the ledger's mean cost per child-month in care
    (the model's own placement mix, as Holmes used the national mix). The ``total`` row is
    the metric ``failed_return_cost_holmes_gbp``.
    """

    cfg = model.config
    py = cfg.price_year
    ms, me = cfg.measure_start, cfg.total_months
    amounts = model.ledger.amounts[ms:me]
    placement = float(amounts[:, :, [C["placement_foster"], C["placement_residential"],
                                     C["placement_kinship"]]].sum())
    if amounts.shape[-1] > len(COMPONENTS):  # placements over a period of care
        placement += float(amounts[:, :, len(COMPONENTS):].sum())
    planning = float(amounts[:, :, C["process_care_planning"]].sum())
    reentry_cost = float(amounts[:, :, C["process_reentry"]].sum())
    child_months = float(model.timeseries.stocks[ms:me, :, STOCK_FIELDS.index(
        "children_in_care")].sum())
    n_reentries = float(model.timeseries.flows[ms:me, :, FLOW_FIELDS.index("reentries")].sum())
    nan = float("nan")
    per_month_p = placement / child_months if child_months else nan
    per_month_c = planning / child_months if child_months else nan
    per_reentry = reentry_cost / n_reentries if n_reentries else nan
    cohort = _failed_return_cohort(model)
    months = float(cohort["months"].mean()) if len(cohort) else nan
    s20 = float((~cohort["care_order"]).mean()) if len(cohort) else nan
    new_order = s20 * cfg.params.entry.care_order_share_reentry
    proceedings = model.unit_costs.care_proceedings
    h = HOLMES_HORIZON_MONTHS
    total = per_reentry + months * (per_month_p + per_month_c)
    full_year = per_reentry + h * (per_month_p + per_month_c)
    holmes = convert(*HOLMES_FAILED_RETURN, py)
    split = "Holmes' split between components was not found (only the total)"
    rows = [
        ("reentry_process", per_reentry, nan,
         f"decision, social work and legal work of a re-entry (ledger process_reentry per "
         f"child re-entering; CostParams.reentry_process). {split}"),
        ("legal_new_care_order", 0.0, nan,
         f"not booked at re-entry: legal work is inside reentry_process; an expected "
         f"{new_order:.1%} of these re-entries bring a new care order (s20 share {s20:.0%} "
         f"x care_order_share_reentry); full proceedings for them would add "
         f"{new_order * proceedings:,.0f}"),
        ("placement_12m", months * per_month_p, nan,
         f"placements of the episode that follows, up to {h} months: {months:.2f} months in "
         f"care on average (Holmes counts the whole year) at {per_month_p:,.0f} a "
         f"child-month (the model's placement mix)"),
        ("care_planning_12m", months * per_month_c, nan,
         f"care planning, review and social work over the same months at "
         f"{per_month_c:,.0f} a child-month"),
        ("total", total, holmes,
         f"Holmes 2024: {HOLMES_FAILED_RETURN[0]:,.0f} in {HOLMES_FAILED_RETURN[1]} prices "
         f"(social work, legal, decision and placement costs over the year after re-entry), "
         f"converted to {py}; {len(cohort)} re-entries counted (scale {cfg.scale})"),
        ("full_year_at_model_unit_costs", full_year, holmes,
         f"the model's unit costs with Holmes' assumption of {h} months in care: separates "
         f"the difference in unit costs from the difference in time in care"),
        ("holmes_2014_total", nan, convert(*HOLMES_FAILED_RETURN_2014, py),
         f"Holmes 2014: {HOLMES_FAILED_RETURN_2014[0]:,.0f} in 2014 prices, converted "
         f"with the model's index (Holmes' own 2024 update is x"
         f"{HOLMES_FAILED_RETURN[0] / HOLMES_FAILED_RETURN_2014[0]:.2f}; the index gives x"
         f"{convert(1.0, 2014, 2024):.2f})"),
    ]
    return pd.DataFrame([{"component": c, "model_gbp": float(m), "holmes_gbp": float(hg),
                          "price_year": py, "note": n} for c, m, hg, n in rows])


def cost_comparison_metrics(model: "RevolvingDoorModel",
                            frame: pd.DataFrame | None = None) -> dict[str, float]:
    """``failed_return_cost_holmes_gbp`` (see :func:`failed_return_costs`) and
    ``support_cost_per_supported_family_gbp``: the support component of the ledger
    (support and assessments) over the measured period, per family whose return in the
    period came with support. Treatment is a lever of its own and is not booked under a
    support policy, so it is not counted. A ratio of flows: families supported late in the
    period are charged only up to the end of the run, which understates long support a
    little (about half the mean length of support over the measured years)."""

    cfg = model.config
    df = failed_return_costs(model) if frame is None else frame
    out = {"failed_return_cost_holmes_gbp":
           float(df.loc[df["component"] == "total", "model_gbp"].iloc[0])}
    ret = _returns_in_period(model).drop_duplicates(["family", "time"])
    n_sup = int((ret["support_level"] > 0).sum())
    spent = float(model.ledger.amounts[cfg.measure_start:cfg.total_months, :,
                                       C["support"]].sum())
    out["support_cost_per_supported_family_gbp"] = spent / n_sup if n_sup else float("nan")
    for lvl, name in ((1, "low"), (2, "medium"), (3, "high")):
        out[f"support_share_{name}"] = (float((ret["support_level"] == lvl).sum() / n_sup)
                                        if n_sup else float("nan"))
    return out


#: councils.csv's practice columns a pressure link may move, and the model's arrays of them
_PRACTICE_ARRAYS = (("return_propensity", "council_propensity"),
                    ("thoroughness", "council_thoroughness"),
                    ("monitoring_months", "council_monitoring_months"),
                    ("support_share", "council_support_share"))


def councils_frame(model: "RevolvingDoorModel") -> pd.DataFrame:
    """One row a council: practice, volumes, return-home share, breakdowns, cost."""
    cfg = model.config
    t_end = float(cfg.total_months)
    ret = _returns_in_period(model)
    exits = _exits_in_period(model)
    cost = model.ledger.amounts[cfg.measure_start:].sum(axis=(0, 2)) / cfg.scale
    n = len(model.councils)
    # one pass a table, councils as array indices (no mask over every row a council)
    ex_council = exits["council"].to_numpy()
    ended = np.bincount(ex_council, minlength=n)
    home = np.bincount(ex_council, weights=exits["kind"].to_numpy() == int(ExitKind.RETURNED_HOME),
                       minlength=n)
    rc = ret["council"].to_numpy()
    returned = np.bincount(rc, minlength=n)
    time, first = ret["time"].to_numpy(), ret["first_maltreatment"].to_numpy()
    cohort = time <= t_end - 24
    hit = cohort & (np.nan_to_num(first - time, nan=np.inf) <= 24)
    in_cohort = np.bincount(rc, weights=cohort, minlength=n)
    maltreated = np.bincount(rc, weights=hit, minlength=n)
    dur, ev = _km_inputs(ret, t_end)
    order = np.argsort(rc, kind="stable")
    bounds = np.searchsorted(rc[order], np.arange(n + 1))
    rows = []
    # with councils under pressure (sim.pressure) the practice written is the reference
    # practice (after any cut, before pressure moves it): the same in every shard of a run
    pressure = getattr(model, "pressure", None)
    reference = pressure.reference_practice() if pressure is not None else {}
    for c in model.councils:
        mine = order[bounds[c.index]:bounds[c.index + 1]]
        b24, r12 = (kaplan_meier(dur[mine], ev[mine], np.array([24.0, 12.0])) if len(mine)
                    else (np.nan, np.nan))
        i = c.index
        rows.append({
            "council": c.name, "size_share": c.size_share,
            **{name: (type(getattr(c, name))(reference[array][c.index]) if array in reference
                      else getattr(c, name))
               for name, array in _PRACTICE_ARRAYS},
            "treatment_share": c.treatment_share, "cost_multiplier": c.cost_multiplier,
            "children_returned": int(returned[i]),
            "episodes_ended": int(ended[i]),
            "return_home_share": float(home[i] / ended[i]) if ended[i] else np.nan,
            "breakdown_24m": float(b24), "reentry_12m": float(r12),
            "maltreated_24m": (float(maltreated[i] / in_cohort[i]) if in_cohort[i]
                               else float("nan")),
            "cost_total_gbp": float(cost[c.index]),
        })
    return pd.DataFrame(rows)


def timeseries_frame(model: "RevolvingDoorModel") -> pd.DataFrame:
    """Month by council over the measured period: stocks, flows and costs."""

    cfg = model.config
    ms = cfg.measure_start
    ts = model.timeseries
    n_m = cfg.total_months - ms
    n_c = len(model.councils)
    month = np.repeat(np.arange(n_m), n_c)
    data: dict[str, Any] = {"month": month,
                            "council": np.tile([c.name for c in model.councils], n_m)}
    for i, name in enumerate(STOCK_FIELDS):
        data[name] = ts.stocks[ms:, :, i].reshape(-1)
    for i, name in enumerate(FLOW_FIELDS):
        data[name] = ts.flows[ms:, :, i].reshape(-1)
    amounts = model.ledger.amounts[ms:]
    for i, name in enumerate(model.ledger.components):
        data[f"cost_{name}_gbp"] = amounts[:, :, i].reshape(-1)
    data["cost_total_gbp"] = amounts.sum(axis=2).reshape(-1)
    data["harm_months"] = ts.harm[ms:].reshape(-1)
    return pd.DataFrame(data)


def calibration_table(metrics: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for name, (target, tol, source) in TARGETS.items():
        v = metrics.get(name, float("nan"))
        rows.append({"metric": name, "simulated": v, "target": target, "tolerance": tol,
                     "within": bool(abs(v - target) <= tol), "source": source})
    return pd.DataFrame(rows)


__all__ = ["FARMER_2PLUS_COMPARISON", "TARGETS", "GROUPS", "index_outcomes", "index_returns", "calibration_table", "compute_metrics", "councils_frame",
           "cost_comparison_metrics", "failed_return_costs", "reentry_curve",
           "timeseries_frame"]
