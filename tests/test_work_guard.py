"""Regression guards for performance that cannot flake on a noisy machine (issue 5).

They count work done, never wall time (speed targets live in ``benchmarks/run.py``):

* family activations (rows the engine steps, and rows whose hazards are computed) per
  simulated child-month, for a fixed seed at a small scale, stay far below one: the model
  works on a family only when something is due, so a change that steps every family every
  month fails;
* the engine's rounds in a run (``model.run()``) stay fewer than the run's months: each
  round costs a fixed few hundred numpy calls whatever the number of families due, so the
  rounds are a run's fixed cost, and working month by month (2 to 4 rounds a month) makes
  a small run cost several times more;
* memory does not grow across repeated runs in one process: Mesa 3.3.1 keeps every model
  alive through ``Agent._ids`` unless ``model.release()`` drops it.
"""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from typing import Any, Callable

import mesa
import pytest

import sim
from sim.engine import Engine
from sim.hazards import Hazards
from sim.model import RevolvingDoorModel

#: Family rows worked on (stepped, or hazards computed) per simulated child-month. The
#: event-driven model does well under 0.2 at this size; working on every family every month
#: alone gives about 0.7 (families of 1.4 children on average).
MAX_ACTIVATIONS_PER_CHILD_MONTH = 0.5


def _config(scale: float, seed: int = 1, warmup: int = 6, years: int = 4) -> dict[str, Any]:
    cfg = sim.ModelConfig().to_dict()
    cfg.update(seed=seed, scale=scale, warmup_years=warmup, years=years)
    return cfg


def _counting(method: Callable[..., Any], counts: dict[str, int], name: str,
              rows_arg: int) -> Callable[..., Any]:
    """``method``, counting the rows (length of positional argument ``rows_arg``) it is
    called with."""
    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts[name] += len(args[rows_arg])
        return method(self, *args, **kwargs)

    return wrapped


def test_activations_per_child_month_stay_small(monkeypatch: pytest.MonkeyPatch) -> None:
    # Count every row the engine steps and every row whose hazards are computed, whoever
    # asks (the engine, or a future loop over all families), so that working on every
    # family every month is caught whichever way it is done.
    counts = {"stepped": 0, "hazards": 0}
    monkeypatch.setattr(Engine, "step", _counting(Engine.step, counts, "stepped", 0))
    monkeypatch.setattr(Hazards, "compute", _counting(Hazards.compute, counts, "hazards", 1))

    model = RevolvingDoorModel(_config(scale=0.01))
    child_months = 0
    while model.month < model.config.total_months:
        model.step()
        child_months += int(model.caseloads[:, 0:4].sum())  # in care or at home after return
    model.finish()
    model.release()

    assert child_months > 50_000  # the run is big enough for the ratio to mean something
    assert counts["stepped"] > 0 and counts["hazards"] > 0
    for name, rows in counts.items():
        per_child_month = rows / child_months
        assert per_child_month < MAX_ACTIVATIONS_PER_CHILD_MONTH, (
            f"{per_child_month:.3f} {name} rows per child-month (bound "
            f"{MAX_ACTIVATIONS_PER_CHILD_MONTH}): is every family worked on every month?")
    assert model.activations == counts["stepped"]  # every activation goes through the engine
    assert model.events <= model.activations


def test_a_run_takes_fewer_engine_rounds_than_months() -> None:
    model = RevolvingDoorModel(_config(scale=0.01))
    model.run()
    months = model.config.total_months
    assert model.steps == months
    # the busiest family's events and checkpoints set the rounds: 26 here; month by month, 232
    assert 0 < model.engine.rounds < months / 2, (
        f"{model.engine.rounds} rounds in {months} months: is the run worked month by month?")
    model.release()


def test_released_model_is_freed() -> None:
    before = len(mesa.Agent._ids)  # type: ignore[attr-defined]
    model = RevolvingDoorModel(_config(scale=0.002, warmup=1, years=1))
    model.run()
    sim.collect(model)
    ref = weakref.ref(model)
    model.release()
    del model
    gc.collect()
    assert len(mesa.Agent._ids) == before  # type: ignore[attr-defined]
    assert ref() is None, "a finished, released model is still referenced somewhere"


def test_memory_flat_across_repeated_runs() -> None:
    """Five runs in one process, as one worker of a sweep does them: traced memory after
    the fifth stays within a small margin of memory after the first."""
    cfg = _config(scale=0.002, warmup=2, years=1)
    gc.collect()
    tracemalloc.start()
    try:
        after: list[int] = []
        peak_of_run = 0
        for seed in range(1, 6):
            cfg["seed"] = seed
            tracemalloc.reset_peak()
            start = tracemalloc.get_traced_memory()[0]
            sim.run(cfg)
            peak_of_run = max(peak_of_run, tracemalloc.get_traced_memory()[1] - start)
            gc.collect()
            after.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    growth = after[-1] - after[0]
    # Keeping each model alive would add about a run's peak every run (4 runs here).
    assert growth < 0.1 * peak_of_run, (
        f"memory grew by {growth / 2**20:.1f} MB over 4 runs (a run peaks at "
        f"{peak_of_run / 2**20:.1f} MB above its start)")
