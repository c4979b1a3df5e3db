"""How much of the variation in who goes home, and in failed returns, is council practice.

The seed documents claim that "the biggest factor in whether a child returns home is the
practice of the local authority, not the needs of the child" (NSPCC 2012, evidence.md §1).
Each run tests that claim on its own children with two linear probability models:

* **who goes home**: every episode of care ending in the measured period; outcome 1 if it
  ended with a return home (otherwise adoption, guardianship, another exit, or 18); and
  the same for children who came into care because of abuse or neglect only (the
  children of the case-file studies behind the claim);
* **failed returns**: every return home in the measured period with 24 months of
  follow-up; outcome 1 if the child re-entered care within 24 months.

Predictors come in two blocks. *Need* (the child and family): reason for entry (neglect,
other abuse, other), each parental problem (substance misuse, domestic abuse, mental
health; present at entry for who goes home, unresolved at the return for failed returns),
legal basis (care order or voluntary), age band, and first or later episode or return.
*Council*: one fixed effect a council, which in the model is its practice, since every
council draws its intake from the same distribution (``sim.transitions.entries``).

For each block the adjusted R² of the model with that block alone, and of the model with
both, is computed; the explained variance of the full model is split between the blocks
by the Shapley value (the average of each block's contribution added first and added
last; Lindeman, Merenda & Gold 1980). Metrics (``<outcome>`` is ``returned_home``,
``returned_home_abuse_neglect`` or ``failed_return_24m``):

* ``var_<outcome>_r2_need``, ``var_<outcome>_r2_council``, ``var_<outcome>_r2_full``;
* ``var_<outcome>_part_need``, ``var_<outcome>_part_council``: the Shapley parts (they
  add up to ``r2_full``);
* ``var_<outcome>_n``: observations (at the simulated scale).

Frailty (unmeasured family risk) and chance are the unexplained rest.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.child import EntryReason, ExitKind
from sim.records import END_REENTERED

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel

#: Age bands (years) used as a need predictor: under 1, 1-4, 5-9, 10-15, 16-17.
AGE_BANDS_MONTHS = (12.0, 60.0, 120.0, 192.0)
FOLLOW_UP_MONTHS = 24.0
OUTCOMES = ("returned_home", "returned_home_abuse_neglect", "failed_return_24m")
#: Fewer observations than this a council on average and the decomposition is not reported.
MIN_PER_COUNCIL = 2.0


def _need_matrix(reason: np.ndarray, problems: np.ndarray, care_order: np.ndarray,
                 age: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Dummy-coded need predictors (no intercept; the reference category is dropped)."""
    cols = [reason == 1, reason == 2]
    cols += [(problems >> j) & 1 == 1 for j in range(3)]
    cols.append(care_order.astype(bool))
    band = np.searchsorted(np.asarray(AGE_BANDS_MONTHS), np.nan_to_num(age), side="right")
    cols += [band == b for b in range(1, len(AGE_BANDS_MONTHS) + 1)]
    cols.append(later.astype(bool))
    return np.column_stack(cols).astype(float)


def _ssr(y: np.ndarray, x: np.ndarray) -> float:
    """Residual sum of squares of y on x (columns already centred; constant-free)."""
    keep = x.std(axis=0) > 0
    x = x[:, keep]
    if x.shape[1] == 0:
        return float(y @ y)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    res = y - x @ beta
    return float(res @ res)


def _demean(a: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    counts = np.bincount(groups, minlength=n_groups).astype(float)
    counts[counts == 0] = 1.0
    if a.ndim == 1:
        return a - (np.bincount(groups, weights=a, minlength=n_groups) / counts)[groups]
    out = np.empty_like(a)
    for j in range(a.shape[1]):
        col = a[:, j]
        out[:, j] = col - (np.bincount(groups, weights=col, minlength=n_groups) / counts)[groups]
    return out


def decompose(y: np.ndarray, need: np.ndarray, council: np.ndarray, n_councils: int
              ) -> dict[str, float]:
    """Adjusted R² of need alone, council alone and both, and the Shapley parts."""
    n = len(y)
    nan = {k: math.nan for k in ("r2_need", "r2_council", "r2_full", "part_need",
                                 "part_council")}
    present = np.unique(council)
    if n < MIN_PER_COUNCIL * max(1, len(present)) or n < 30:
        return {**nan, "n": float(n)}
    y = y.astype(float)
    yc = y - y.mean()
    sst = float(yc @ yc)
    if sst <= 0:
        return {**nan, "n": float(n)}
    xc = need - need.mean(axis=0)
    k_need = int((need.std(axis=0) > 0).sum())
    k_council = len(present) - 1
    ssr_need = _ssr(yc, xc)
    yw = _demean(y, council, n_councils)
    ssr_council = float(yw @ yw)
    ssr_full = _ssr(yw, _demean(need, council, n_councils))

    def adj(ssr: float, k: int) -> float:
        dof = n - k - 1
        return 1.0 - (ssr / dof) / (sst / (n - 1)) if dof > 0 else math.nan

    r2n, r2c = adj(ssr_need, k_need), adj(ssr_council, k_council)
    r2f = adj(ssr_full, k_need + k_council)
    return {"r2_need": r2n, "r2_council": r2c, "r2_full": r2f,
            "part_need": 0.5 * (r2n + (r2f - r2c)),
            "part_council": 0.5 * (r2c + (r2f - r2n)), "n": float(n)}


def variation_metrics(model: "RevolvingDoorModel") -> dict[str, float]:
    """The two decompositions for a finished model, as ``var_*`` metrics."""
    cfg = model.config
    start, t_end = float(cfg.measure_start), float(cfg.total_months)
    n_c = len(model.councils)
    out: dict[str, float] = {}
    ex = model.records.exits_frame()
    ex = ex[(ex["time"] >= start) & (ex["time"] < t_end)]
    y = (ex["kind"].to_numpy() == int(ExitKind.RETURNED_HOME)).astype(float)
    need = _need_matrix(ex["reason"].to_numpy(), ex["problems"].to_numpy(),
                        ex["care_order"].to_numpy(), ex["age"].to_numpy(),
                        ex["episode"].to_numpy() > 1)
    council = ex["council"].to_numpy()
    an = ex["reason"].to_numpy() != int(EntryReason.OTHER)
    parts = {"returned_home": decompose(y, need, council, n_c),
             "returned_home_abuse_neglect": decompose(y[an], need[an], council[an], n_c)}
    ret = model.records.returns_frame()
    ret = ret[(ret["time"] >= start) & (ret["time"] <= t_end - FOLLOW_UP_MONTHS)]
    failed = ((ret["end_kind"].to_numpy() == END_REENTERED)
              & (ret["end_time"].to_numpy() - ret["time"].to_numpy() <= FOLLOW_UP_MONTHS))
    need_r = _need_matrix(ret["reason"].to_numpy(), ret["problems"].to_numpy(dtype=int),
                          ret["care_order"].to_numpy(dtype=bool),
                          ret["age"].to_numpy(dtype=float), ret["nth"].to_numpy() > 1)
    parts["failed_return_24m"] = decompose(failed.astype(float), need_r,
                                           ret["council"].to_numpy(dtype=int), n_c)
    for outcome, d in parts.items():
        for key, value in d.items():
            out[f"var_{outcome}_{key}"] = float(value)
    return out

