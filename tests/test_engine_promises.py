"""The engine's promises, each by a test that names it (issue 23).

The fixed-seed comparisons (``test_regression_baseline``, ``test_engine_reference``) catch
an engine bug but do not say which promise broke, and a baseline refresh would absorb it.
Here:

* **common random numbers with each real policy**: the support entitlement, minimum
  monitoring and treatment access, each as its own config option covering one council
  only, leave the other council's families with the same draws and the same history, to
  the last bit, while the covered council's history changes;
* **a split run with every lever on** writes the same files as the run in one process;
* **checkpoints and early months at their boundaries**: a checkpoint due exactly at a
  month's end is taken in that month, not the next; the riskier early months after a return
  end exactly at their length.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model import RevolvingDoorModel

from conftest import policy_option, tiny

TWO_COUNCILS = {"mode": "listed", "listed": [{"name": "A", "size_share": 0.5},
                                             {"name": "B", "size_share": 0.5}]}
#: the real options, as their config files give them, covering council A only
REAL_POLICIES = {
    "support": ("support", "entitlement"),
    "monitoring": ("monitoring", "m24"),
    "treatment": ("treatment", "universal"),
}


def _run(policy: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Returns, episodes ended and the ledger (month x council x component) of a run."""
    cfg = tiny(seed=5, scale=0.04, councils=TWO_COUNCILS, policy=policy)
    model = RevolvingDoorModel(cfg)
    model.run()
    out = (model.records.returns_frame().copy(), model.records.exits_frame().copy(),
           model.ledger.amounts.copy())
    model.release()
    return out


@pytest.fixture(scope="module")
def status_quo() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    return _run({})


def _council(frame: pd.DataFrame, council: int) -> pd.DataFrame:
    return frame[frame["council"] == council].reset_index(drop=True)


@pytest.mark.parametrize("lever", sorted(REAL_POLICIES))
def test_a_real_policy_leaves_another_councils_families_unchanged(
        lever: str, status_quo: tuple[pd.DataFrame, pd.DataFrame, np.ndarray]) -> None:
    group, option = REAL_POLICIES[lever]
    policy = {lever: {**policy_option(group, option), "councils": ["A"]}}
    ret1, exits1, ledger1 = _run(policy)
    ret0, exits0, ledger0 = status_quo
    assert len(_council(ret0, 1)) > 100  # enough returns for the check to bite
    # council B (index 1): every return, its draws and what followed, every episode ended,
    # every pound, to the last bit
    pd.testing.assert_frame_equal(_council(ret0, 1), _council(ret1, 1), check_exact=True)
    pd.testing.assert_frame_equal(_council(exits0, 1), _council(exits1, 1), check_exact=True)
    assert np.array_equal(ledger0[:, 1, :], ledger1[:, 1, :])
    # council A: the policy acted
    a0, a1 = _council(ret0, 0), _council(ret1, 0)
    assert not (len(a0) == len(a1) and a0.equals(a1)), f"{lever}: nothing changed in A"
    assert not np.array_equal(ledger0[:, 0, :], ledger1[:, 0, :])


def test_a_split_run_with_every_lever_on_writes_what_one_process_writes(
        tmp_path: Path) -> None:
    policy = {"support": {**policy_option("support", "entitlement"), "cap_months": 12},
              "monitoring": {**policy_option("monitoring", "m12"), "councils": [0, 2]},
              "treatment": {**policy_option("treatment", "t25"), "waiting_months": 2}}
    cfg = tiny(seed=9, scale=0.02, policy=policy)
    one = sim.run(cfg, workers=1)
    split = sim.run(cfg, workers=3)
    assert split.run_info["workers"] == 3 and one.run_info["workers"] == 1
    one.write(tmp_path / "one")
    split.write(tmp_path / "split")
    names = sorted(p.name for p in (tmp_path / "one").iterdir() if p.suffix == ".csv")
    assert "timeseries.csv" in names and "councils.csv" in names
    for name in names + ["metrics.json"]:
        assert (tmp_path / "one" / name).read_bytes() == \
            (tmp_path / "split" / name).read_bytes(), name
    # every lever did something in that run
    m = one.metrics
    assert m["cost_support_gbp"] > 0 and m["cost_treatment_gbp"] > 0


# ------------------------------------------------------------ checkpoints at their boundaries

def _family_at_home(model: RevolvingDoorModel, t_return: float) -> int:
    """A family with one child of 5 sent home at ``t_return`` by hand (no problem)."""
    from sim.agents.child import EntryReason

    tr = model.transitions
    row = tr.new_family(0, t_return - 6.0, EntryReason.OTHER, [5.0], [False, False, False],
                        False)
    tr.return_home(np.array([row]), np.array([t_return]))
    return row


def _quiet_model(**practice: Any) -> RevolvingDoorModel:
    """Few entries, nothing that ends a return early, one council with ``practice``."""
    return RevolvingDoorModel({
        "scale": 0.01, "seed": 3, "years": 2, "warmup_years": 0,
        "params": {"entry": {"children_per_year": 1000.0},
                   "after_return": {"maltreatment_base": 0.0, "breakdown_other": 0.0}},
        "councils": {"mode": "listed", "listed": [
            {"name": "A", "size_share": 1.0, "practice": practice}]}})


@pytest.mark.parametrize("t_return", [0.0, 0.25, 2.0])
def test_a_case_closes_in_the_month_its_checkpoint_falls(t_return: float) -> None:
    """A case kept open 6 months after a return at month ``t_return`` closes at
    ``t_return + 6``: still open in every month before, closed by the end of that month
    (a checkpoint exactly at a month's start, 6.0 or 8.0, is that month's)."""
    model = _quiet_model(monitoring_months=6, support_share=0.0)
    try:
        while model.month < int(t_return):
            model.step()
        row = _family_at_home(model, t_return)
        F = model.families
        assert bool(F.case_open[row]) and F.close_at[row] == t_return + 6.0
        model.engine.reschedule(np.array([row]), np.array([t_return]))
        close = t_return + 6.0
        while model.month < int(np.ceil(close + 1)):
            # at the start of month m (model.month == m): open iff the closing is later
            assert bool(F.case_open[row]) == (model.month <= close), (model.month, close)
            model.step()
        assert not F.case_open[row]
    finally:
        model.release()


def _early_model() -> RevolvingDoorModel:
    return RevolvingDoorModel({
        "scale": 0.01, "seed": 3, "years": 2, "warmup_years": 0,
        "params": {"entry": {"children_per_year": 1000.0}, "care": {"early_months": 6}},
        "councils": {"mode": "listed", "listed": [{"name": "A", "size_share": 1.0}]}})


#: 2.7 + 6 - 2.7 is 5.999999999999999 in floating point: a switch made on ``t - start``
#: instead of the checkpoint's own time would miss the boundary
@pytest.mark.parametrize("t0", [2.7, 0.25])
def test_the_early_months_after_a_return_end_exactly_at_their_checkpoint(t0: float) -> None:
    from sim.agents.child import EntryReason
    from sim.agents.family import Clock

    model = _early_model()
    try:
        tr, F, hz = model.transitions, model.families, model.hazards
        row = tr.new_family(0, t0 - 6.0, EntryReason.NEGLECT, [5.0], [False, False, False],
                            False)
        tr.return_home(np.array([row]), np.array([t0]), planned=False)
        rows = np.array([row])

        def rates(t: float) -> np.ndarray:
            return hz.compute(F, rows, np.array([t]), model.engine.kid_birth(rows),
                              model.council_propensity[F.council[rows]],
                              model.council_thoroughness[F.council[rows]])[0]

        end = t0 + 6.0
        early, at, late = rates(np.nextafter(end, -np.inf)), rates(end), rates(end + 1.0)
        for clock in (Clock.MALTREATMENT, Clock.BREAKDOWN):
            k = int(clock)
            assert early[k] != late[k]  # the early months matter for this clock
            assert at[k] == late[k], clock  # and end exactly at the checkpoint
        # the engine stops the family there, so the rates switch at that moment
        cp = model.engine._next_checkpoint(rows, np.array([t0]), model.engine.kid_birth(rows))
        assert cp[0] <= end
    finally:
        model.release()


@pytest.mark.parametrize("t0", [2.7, 0.25])
def test_the_early_months_in_care_end_exactly_at_their_checkpoint(t0: float) -> None:
    from sim.agents.child import EntryReason
    from sim.agents.family import Clock

    model = _early_model()
    try:
        tr, F, hz = model.transitions, model.families, model.hazards
        row = tr.new_family(0, t0, EntryReason.NEGLECT, [8.0], [False, False, False],
                            False)
        rows = np.array([row])
        assert F.episode_start[row] == t0

        def rates(t: float) -> np.ndarray:
            return hz.compute(F, rows, np.array([t]), model.engine.kid_birth(rows),
                              model.council_propensity[F.council[rows]],
                              model.council_thoroughness[F.council[rows]])[0]

        end = t0 + 6.0
        early, at, late = rates(np.nextafter(end, -np.inf)), rates(end), rates(end + 1e-6)
        k = int(Clock.RETURN)
        assert early[k] != late[k]
        assert at[k] == pytest.approx(late[k], rel=0, abs=0)
        cp = model.engine._next_checkpoint(rows, np.array([t0]), model.engine.kid_birth(rows))
        assert cp[0] == end
    finally:
        model.release()
