"""How much of the variation in who goes home, and in failed returns, is council practice.

The seed documents claim that "the biggest factor in whether a child returns home is the
practice of the local authority, not the needs of the child" (NSPCC 2012,
docs/evidence.md#council-practice-claim).
Each run tests that claim on its own children with linear probability models:

* **who goes home**: every episode of care ending in the measured period; outcome 1 if it
  ended with a return home (otherwise adoption, guardianship, another exit, or 18); and
  the same for children who came into care because of abuse or neglect only (the
  children of the case-file studies behind the claim);
* **failed returns**: every return home in the measured period with 24 months of
  follow-up; outcome 1 if the child re-entered care within 24 months.

Predictors come in three blocks:

* *need* (the child and family): reason for entry (neglect, other abuse, other), each
  parental problem (substance misuse, domestic abuse, mental health; present at entry for
  who goes home, unresolved at the return for failed returns), legal basis (care order or
  voluntary), age band;
* *care history*: whether this is a first or a later episode of care (for failed returns:
  a first or a later return). It is neither the child's need nor a council's practice: a
  later episode follows a failed return, which the council's own earlier decisions made
  likelier, and in the model the effect of a later episode on going home
  (``params.care.reentry_return_multiplier``) is the same in every council. Counting it as
  need, as this module did before 2026-11-23, credits need with what is mostly the
  system's own history: it alone carried almost all of need's share of who goes home
  (adjusted R² 0.209 on its own against 0.002 to 0.067 for each real need predictor,
  defaults, full scale). The two-way split with history counted as need is still
  reported (``twoway_*`` below), so both readings can be seen;
* *council*: one fixed effect a council, which in the model is its practice, since every
  council draws its intake from the same distribution (``sim.transitions.entries``).

The adjusted R² of the model with each combination of blocks is computed, and the
explained variance of the full model is split between the blocks by the Shapley value
(each block's added R², averaged over the orders in which blocks can be added; Lindeman,
Merenda & Gold 1980; Grömping 2007). Metrics (``<outcome>`` is ``returned_home``,
``returned_home_abuse_neglect`` or ``failed_return_24m``):

* ``var_<outcome>_r2_need``, ``var_<outcome>_r2_history``, ``var_<outcome>_r2_council``:
  each block alone; ``var_<outcome>_r2_full``: all three;
* ``var_<outcome>_part_need``, ``var_<outcome>_part_history``,
  ``var_<outcome>_part_council``: the Shapley parts (they add up to ``r2_full``);
* ``var_<outcome>_twoway_part_need``, ``var_<outcome>_twoway_part_council``: the
  Shapley split between two blocks when care history is counted as need (they also add
  up to ``r2_full``);
* ``var_<outcome>_n``: observations (at the simulated scale).

Frailty (unmeasured family risk) and chance are the unexplained rest.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Callable

import numpy as np

from sim.agents.child import EntryReason, ExitKind
from sim.records import END_REENTERED, exits_in_period

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel

#: Age bands (years) used as a need predictor: under 1, 1-4, 5-9, 10-15, 16-17.
AGE_BANDS_MONTHS = (12.0, 60.0, 120.0, 192.0)
FOLLOW_UP_MONTHS = 24.0
OUTCOMES = ("returned_home", "returned_home_abuse_neglect", "failed_return_24m")
#: Fewer observations than this a council on average and the decomposition is not reported.
MIN_PER_COUNCIL = 2.0


def _need_matrix(reason: np.ndarray, problems: np.ndarray, care_order: np.ndarray,
                 age: np.ndarray) -> np.ndarray:
    """Dummy-coded need predictors (no intercept; the reference category is dropped)."""
    cols = [reason == 1, reason == 2]
    cols += [(problems >> j) & 1 == 1 for j in range(3)]
    cols.append(care_order.astype(bool))
    band = np.searchsorted(np.asarray(AGE_BANDS_MONTHS), np.nan_to_num(age), side="right")
    cols += [band == b for b in range(1, len(AGE_BANDS_MONTHS) + 1)]
    return np.column_stack(cols).astype(float)


class _CrossProducts:
    """Sums of squares and cross-products of the predictors and the outcome, total and
    within councils, from which the residual sum of squares of any combination of blocks
    follows without copying the data (the normal equations on a few columns).

    Centring (total) and removing council means (within, the council fixed effects) act on
    the cross-products: ``X'X - n m m'`` and ``X'X - sum_g S_g S_g' / n_g`` (``S_g`` the
    column sums in council ``g``). Columns with no variation left are dropped, as a
    regression would.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, groups: np.ndarray, n_groups: int) -> None:
        n = len(y)
        sx, sy = x.sum(axis=0), float(y.sum())
        xtx, xty, yty = x.T @ x, x.T @ y, float(y @ y)
        counts = np.bincount(groups, minlength=n_groups).astype(float)
        inv = np.divide(1.0, counts, out=np.zeros_like(counts), where=counts > 0)
        gx = np.stack([np.bincount(groups, weights=x[:, j], minlength=n_groups)
                       for j in range(x.shape[1])], axis=1) if x.shape[1] else \
            np.zeros((n_groups, 0))
        gy = np.bincount(groups, weights=y, minlength=n_groups)
        self.total = (xtx - np.outer(sx, sx) / n, xty - sx * sy / n, yty - sy * sy / n)
        self.within = (xtx - (gx * inv[:, None]).T @ gx, xty - (gx * inv[:, None]).T @ gy,
                       yty - float((gy * gy * inv).sum()))
        self.scale = float(n)

    def ssr(self, columns: list[int], within: bool) -> float:
        """Residual sum of squares of the outcome on ``columns`` (centred), and on the
        council fixed effects too if ``within``."""
        xx, xy, yy = self.within if within else self.total
        cols = [j for j in columns if xx[j, j] > 1e-9 * self.scale]
        if not cols:
            return yy
        beta, *_ = np.linalg.lstsq(xx[np.ix_(cols, cols)], xy[cols], rcond=None)
        return float(yy - beta @ xy[cols])


def _shapley(players: tuple[str, ...], value: Callable[[frozenset[str]], float]
             ) -> dict[str, float]:
    """Shapley value of each player for the set function ``value`` (``value(empty) = 0``)."""
    p = len(players)
    out = {}
    for i in players:
        others = [q for q in players if q != i]
        total = 0.0
        for size in range(p):
            w = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for s in itertools.combinations(others, size):
                with_i = value(frozenset(s) | {i})
                without = value(frozenset(s)) if s else 0.0
                total += w * (with_i - without)
        out[i] = total
    return out


def decompose(y: np.ndarray, need: np.ndarray, council: np.ndarray, n_councils: int,
              history: np.ndarray | None = None) -> dict[str, float]:
    """Adjusted R² of each combination of the blocks need, care ``history`` (optional: one
    or more columns) and council, and their Shapley parts.

    Keys: ``r2_<block>`` (the block alone), ``r2_full`` (all blocks), ``part_<block>``
    (Shapley parts, adding up to ``r2_full``), ``n``; with ``history``, also
    ``twoway_part_need`` and ``twoway_part_council``, the split when history is counted as
    need.
    """
    blocks: dict[str, np.ndarray] = {"need": need}
    if history is not None:
        blocks["history"] = history.reshape(-1, 1) if history.ndim == 1 else history
    players = tuple(blocks) + ("council",)
    keys = ([f"r2_{b}" for b in players] + ["r2_full"] + [f"part_{b}" for b in players]
            + (["twoway_part_need", "twoway_part_council"] if history is not None else []))
    n = len(y)
    nan = {k: math.nan for k in keys}
    present = np.unique(council)
    if n < MIN_PER_COUNCIL * max(1, len(present)) or n < 30:
        return {**nan, "n": float(n)}
    y = y.astype(float)
    names = list(blocks)
    columns, start = {}, 0
    for b in names:
        columns[b] = list(range(start, start + blocks[b].shape[1]))
        start += blocks[b].shape[1]
    cp = _CrossProducts(np.column_stack([blocks[b] for b in names]).astype(float), y,
                        council, n_councils)
    varies = np.diag(cp.total[0]) > 1e-9 * n  # columns that are not constant
    k = {b: int(varies[columns[b]].sum()) for b in names}  # degrees of freedom of a block
    k["council"] = len(present) - 1
    sst = cp.total[2]
    if sst <= 0:
        return {**nan, "n": float(n)}
    cache: dict[frozenset[str], float] = {}

    def adj_r2(subset: frozenset[str]) -> float:
        if subset not in cache:
            cols = [j for b in names if b in subset for j in columns[b]]
            ssr = cp.ssr(cols, within="council" in subset)
            dof = n - sum(k[b] for b in subset) - 1
            cache[subset] = (1.0 - (ssr / dof) / (sst / (n - 1)) if dof > 0 else math.nan)
        return cache[subset]

    out = {f"r2_{b}": adj_r2(frozenset({b})) for b in players}
    out["r2_full"] = adj_r2(frozenset(players))
    out.update({f"part_{b}": v for b, v in _shapley(players, adj_r2).items()})
    if history is not None:
        # two players: need-and-history together, and council
        merged = {"need": frozenset({"need", "history"}), "council": frozenset({"council"})}
        two = _shapley(("need", "council"),
                       lambda s: adj_r2(frozenset().union(*(merged[b] for b in s))))
        out["twoway_part_need"], out["twoway_part_council"] = two["need"], two["council"]
    out["n"] = float(n)
    return out


def variation_metrics(model: "RevolvingDoorModel") -> dict[str, float]:
    """The decompositions for a finished model, as ``var_*`` metrics."""
    cfg = model.config
    start, t_end = float(cfg.measure_start), float(cfg.total_months)
    n_c = len(model.councils)
    out: dict[str, float] = {}
    ex = exits_in_period(model.records, start, t_end)
    y = (ex["kind"].to_numpy() == int(ExitKind.RETURNED_HOME)).astype(float)
    need = _need_matrix(ex["reason"].to_numpy(), ex["problems"].to_numpy(),
                        ex["care_order"].to_numpy(), ex["age"].to_numpy())
    history = (ex["episode"].to_numpy() > 1).astype(float)
    council = ex["council"].to_numpy()
    an = ex["reason"].to_numpy() != int(EntryReason.OTHER)
    parts = {"returned_home": decompose(y, need, council, n_c, history),
             "returned_home_abuse_neglect": decompose(y[an], need[an], council[an], n_c,
                                                      history[an])}
    ret = model.records.returns_frame()
    ret = ret[(ret["time"] >= start) & (ret["time"] <= t_end - FOLLOW_UP_MONTHS)]
    failed = ((ret["end_kind"].to_numpy() == END_REENTERED)
              & (ret["end_time"].to_numpy() - ret["time"].to_numpy() <= FOLLOW_UP_MONTHS))
    need_r = _need_matrix(ret["reason"].to_numpy(), ret["problems"].to_numpy(dtype=int),
                          ret["care_order"].to_numpy(dtype=bool),
                          ret["age"].to_numpy(dtype=float))
    history_r = (ret["nth"].to_numpy() > 1).astype(float)
    parts["failed_return_24m"] = decompose(failed.astype(float), need_r,
                                           ret["council"].to_numpy(dtype=int), n_c, history_r)
    for outcome, d in parts.items():
        for key, value in d.items():
            out[f"var_{outcome}_{key}"] = float(value)
    return out
