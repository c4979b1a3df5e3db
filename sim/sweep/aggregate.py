"""Stack a sweep's runs into tidy tables: ``sweep.csv``, ``effects.csv`` and friends.

``sweep.csv``
    One row a planned job, in job order: ``job``, ``status`` (``complete``, ``failed``,
    ``missing``), the job's overrides as columns (``seed``, ``policy/support``, ...; the
    command's own switches ``run.*`` left out), the size and levers as the run used them
    (``scale``, ``years``, ``warmup_years``, ``support``, ``support_cap_months``,
    ``monitoring_min_months``, ``treatment_share`` (empty: each council's own),
    ``support_cost``, ``support_effect``), then every metric of the run's ``metrics.json``
    (empty for runs that are not complete).

``effects.csv``
    Each arm against the experiment's status-quo arm (``experiment.reference``) on the same
    seeds (and the same values of every other swept key): one row an arm and a quantity,
    with ``n_pairs``, ``reference_mean``, ``arm_mean``, ``effect_mean`` (arm minus status
    quo, or the ratio for ratio quantities), ``effect_low`` and ``effect_high`` (95%
    interval: ``t`` across paired seeds, or ``bootstrap`` over them for ratios). The
    quantities are every numeric metric and the false-economy ones of
    :mod:`sim.sweep.economics`. A run whose status-quo partner is not complete is left out
    of the pairs and listed by the report; nothing is averaged silently.

``calibration.csv``
    The calibration targets for the reference arm (or every run of a one-arm sweep):
    mean, 95% interval, the spread of the replicates, target, tolerance, within.

``interactions.csv`` (experiments of kind ``grid``)
    For every arm that moves two or more levers: its effect minus the sum of the effects
    of the arms that move each of those levers alone, paired by seed, with a 95% interval.

``councils_all.csv`` (kind ``councils``)
    Every complete run's ``councils.csv`` stacked, with ``job`` and the overrides.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.metrics import TARGETS
from sim.sweep import economics
from sim.sweep.intervals import bootstrap_interval, mean_interval, spread
from sim.sweep.jobs import COMPLETE, Job

#: Override keys that steer the command, not the model: never columns, never arms.
IGNORED_PREFIXES = ("run.", "hydra.", "hydra/")
LEVER_COLUMNS = ("scale", "years", "warmup_years", "support", "support_cap_months",
                 "monitoring_min_months", "treatment_share", "support_cost", "support_effect")
EFFECT_COLUMNS = ("metric", "kind", "interval", "n_pairs", "reference_mean", "arm_mean",
                  "effect_mean", "effect_low", "effect_high")


@dataclass
class Experiment:
    """What the experiment config says about its arms (the ``experiment`` node)."""

    name: str = "adhoc"
    kind: str = "adhoc"
    reference: dict[str, Any] = field(default_factory=dict)
    main_arm: dict[str, Any] = field(default_factory=dict)
    dose: str = ""
    dose_label: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    question: str = ""
    page: str = ""  # the experiment's page in experiments/

    @classmethod
    def from_config(cls, node: Any) -> "Experiment":
        data = dict(node or {})
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def label(self, value: Any) -> str:
        return str(self.labels.get(str(value), value))


def _overrides(job: Job) -> dict[str, Any]:
    return {k: v for k, v in job.values.items() if not k.startswith(IGNORED_PREFIXES)}


def _levers(job: Job) -> dict[str, Any]:
    """The levers and sensitivity multipliers as the job's composed config set them."""
    path = job.folder / ".hydra" / "config.yaml"
    out: dict[str, Any] = {c: math.nan for c in LEVER_COLUMNS}
    if not path.is_file():
        return out
    cfg = yaml.safe_load(path.read_text()) or {}
    pol = cfg.get("policy") or {}
    sup = pol.get("support") or {}
    out["support"] = sup.get("kind", "status_quo")
    out["support_cap_months"] = sup.get("cap_months")
    out["monitoring_min_months"] = (pol.get("monitoring") or {}).get("min_months", 0)
    out["treatment_share"] = (pol.get("treatment") or {}).get("share")
    sens = cfg.get("sensitivity") or {}
    out["support_cost"] = sens.get("support_cost", 1.0)
    out["support_effect"] = sens.get("support_effect", 1.0)
    for key in ("scale", "years", "warmup_years"):
        out[key] = cfg.get(key)
    return {k: (math.nan if v is None else v) for k, v in out.items()}


def override_columns(jobs: list[Job]) -> list[str]:
    cols: list[str] = []
    for job in jobs:
        for k in _overrides(job):
            if k not in cols:
                cols.append(k)
    return cols


def sweep_table(jobs: list[Job]) -> pd.DataFrame:
    cols = override_columns(jobs)
    rows = []
    for job in jobs:
        row: dict[str, Any] = {"job": job.num, "status": job.status}
        ov = _overrides(job)
        row.update({c: ov.get(c) for c in cols})
        row.update(_levers(job))
        if job.status == COMPLETE:
            metrics = json.loads((job.folder / "metrics.json").read_text())
            row.update({k: (math.nan if v is None else v) for k, v in metrics.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def varying(sweep: pd.DataFrame, cols: list[str]) -> list[str]:
    """Override columns that take more than one value over the planned jobs."""
    return [c for c in cols if sweep[c].astype(str).nunique() > 1]


def metric_columns(sweep: pd.DataFrame, cols: list[str]) -> list[str]:
    skip = set(cols) | {"job", "status", "price_year"} | set(LEVER_COLUMNS)
    return [c for c in sweep.columns if c not in skip
            and pd.api.types.is_numeric_dtype(sweep[c])]


@dataclass
class Pairs:
    """The paired runs of one arm: rows aligned with its status-quo partners."""

    key: tuple[Any, ...]  # the arm's values of the arm columns
    label: str
    arm: pd.DataFrame
    ref: pd.DataFrame
    unpaired: list[int]  # jobs of this arm whose status-quo partner is not complete


def _same(a: Any, b: Any) -> bool:
    return str(a) == str(b)


def pair_runs(sweep: pd.DataFrame, exp: Experiment, cols: list[str]) -> list[Pairs]:
    """Every non-reference arm with its runs paired to the reference arm's."""
    if not exp.reference:
        return []
    missing = [k for k in exp.reference if k not in cols]
    if missing:
        raise ValueError(f"experiment.reference names {missing}, which the sweep does not "
                         f"set; swept keys: {cols}")
    vary = varying(sweep, cols)
    ref_keys = list(exp.reference)
    match = [c for c in vary if c not in ref_keys]
    arm_cols = [c for c in vary if c != "seed"]
    is_ref = np.logical_and.reduce([sweep[k].astype(str) == str(v)
                                    for k, v in exp.reference.items()])
    done = sweep["status"] == COMPLETE
    ref_rows = sweep[is_ref & done]
    ref_index = {tuple(str(r[c]) for c in match): i for i, r in ref_rows.iterrows()}
    out: list[Pairs] = []
    arms = sweep[~is_ref]
    if arms.empty or not arm_cols:
        return out
    for _, group in arms.groupby([arms[c].astype(str) for c in arm_cols], sort=False):
        a_idx, r_idx, unpaired = [], [], []
        for i, row in group.iterrows():
            if row["status"] != COMPLETE:
                continue
            partner = ref_index.get(tuple(str(row[c]) for c in match))
            if partner is None:
                unpaired.append(int(row["job"]))
                continue
            a_idx.append(i)
            r_idx.append(partner)
        first = group.iloc[0]
        out.append(Pairs(tuple(first[c] for c in arm_cols), _arm_label(first, exp, arm_cols),
                         sweep.loc[a_idx].reset_index(drop=True),
                         sweep.loc[r_idx].reset_index(drop=True), unpaired))
    return out


def _arm_label(row: pd.Series, exp: Experiment, arm_cols: list[str]) -> str:
    moved = [exp.label(row[k]) for k in exp.reference if not _same(row[k], exp.reference[k])]
    label = " + ".join(moved) if moved else exp.label("status_quo")
    others = [exp.label(row[c]) for c in arm_cols if c not in exp.reference]
    return f"{label} ({', '.join(others)})" if others else label


def effects_table(pairs: list[Pairs], metrics: list[str], arm_cols: list[str]) -> pd.DataFrame:
    rows = []
    for p in pairs:
        head = {"arm": p.label, **dict(zip(arm_cols, p.key))}
        diffs = economics.differences(p.arm, p.ref) if len(p.arm) else pd.DataFrame()
        n = len(p.arm)
        for name in diffs.columns:
            if name.startswith("fe_reference_"):
                continue
            m, lo, hi = mean_interval(diffs[name].to_numpy())
            rows.append({**head, "metric": name, "kind": "difference", "interval": "t",
                         "n_pairs": n, "reference_mean": math.nan, "arm_mean": math.nan,
                         "effect_mean": m, "effect_low": lo, "effect_high": hi})
        for name, (cols, fn) in economics.ratios().items():
            if n == 0:
                continue
            est, lo, hi = bootstrap_interval(diffs[list(cols)].to_numpy(), fn)  # type: ignore
            rows.append({**head, "metric": name, "kind": "ratio", "interval": "bootstrap",
                         "n_pairs": n, "reference_mean": math.nan, "arm_mean": math.nan,
                         "effect_mean": est, "effect_low": lo, "effect_high": hi})
        for name in metrics:
            if n == 0:
                continue
            a = p.arm[name].to_numpy(dtype=float)
            r = p.ref[name].to_numpy(dtype=float)
            m, lo, hi = mean_interval(a - r)
            rows.append({**head, "metric": name, "kind": "difference", "interval": "t",
                         "n_pairs": n, "reference_mean": float(np.nanmean(r)),
                         "arm_mean": float(np.nanmean(a)),
                         "effect_mean": m, "effect_low": lo, "effect_high": hi})
    columns = ["arm", *arm_cols, *EFFECT_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


def calibration_table(runs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, (target, tol, source) in TARGETS.items():
        x = runs[name].to_numpy(dtype=float) if name in runs else np.array([])
        m, lo, hi = mean_interval(x)
        s_lo, s_hi = spread(x)
        rows.append({"metric": name, "n": int(np.sum(~np.isnan(x))), "mean": m, "low": lo,
                     "high": hi, "replicates_p2.5": s_lo, "replicates_p97.5": s_hi,
                     "target": target, "tolerance": tol,
                     "within": bool(abs(m - target) <= tol) if not math.isnan(m) else False,
                     "source": source})
    return pd.DataFrame(rows)


def reference_runs(sweep: pd.DataFrame, exp: Experiment) -> pd.DataFrame:
    done = sweep[sweep["status"] == COMPLETE]
    for k, v in exp.reference.items():
        done = done[done[k].astype(str) == str(v)]
    return done


INTERACTION_METRICS = ("fe_net_cost_10y_gbp", "fe_failed_returns_avoided_10y",
                       "fe_harm_months_avoided_10y")


def interactions_table(pairs: list[Pairs], exp: Experiment, arm_cols: list[str]
                       ) -> pd.DataFrame:
    """Combined arms against the sum of their single-lever arms, paired by seed."""
    def moved(p: Pairs) -> dict[str, str]:
        vals = dict(zip(arm_cols, p.key))
        return {k: str(vals[k]) for k in exp.reference if not _same(vals[k], exp.reference[k])}

    singles = {}
    for p in pairs:
        mv = moved(p)
        if len(mv) == 1:
            singles[next(iter(mv.items()))] = p
    rows = []
    for p in pairs:
        mv = moved(p)
        if len(mv) < 2 or not all(item in singles for item in mv.items()):
            continue
        combo = economics.differences(p.arm, p.ref).assign(seed=p.arm["seed"].to_numpy())
        total = combo.set_index("seed")[list(INTERACTION_METRICS)]
        parts = total * 0.0
        for item in mv.items():
            s = singles[item]
            d = economics.differences(s.arm, s.ref).assign(seed=s.arm["seed"].to_numpy())
            parts = parts + d.set_index("seed")[list(INTERACTION_METRICS)]
        inter = (total - parts).dropna()
        for name in INTERACTION_METRICS:
            m, lo, hi = mean_interval(inter[name].to_numpy())
            rows.append({"arm": p.label, "levers": len(mv), "metric": name,
                         "n_pairs": len(inter), "combined_effect": float(total[name].mean()),
                         "sum_of_single_effects": float(parts[name].mean()),
                         "interaction_mean": m, "interaction_low": lo, "interaction_high": hi})
    return pd.DataFrame(rows, columns=["arm", "levers", "metric", "n_pairs", "combined_effect",
                                       "sum_of_single_effects", "interaction_mean",
                                       "interaction_low", "interaction_high"])


def councils_table(jobs: list[Job]) -> pd.DataFrame:
    frames = []
    for job in jobs:
        if job.status != COMPLETE:
            continue
        df = pd.read_csv(job.folder / "councils.csv")
        ov = _overrides(job)
        for c, v in reversed(list(ov.items())):
            df.insert(0, c, v)
        df.insert(0, "job", job.num)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
