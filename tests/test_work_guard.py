"""Regression guards for performance that cannot flake on a noisy machine (issue 5).

They count work done, never wall time (speed targets live in ``benchmarks/run.py``):

* agent activations per simulated child-month, for a fixed seed at a small scale, stay far
  below one: the model activates agents only when something is due, so a change that
  steps every child (or every family) every month fails;
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
from sim.agents.child import Child
from sim.agents.family import Family
from sim.model import RevolvingDoorModel

#: Activations (family and child steps) per simulated child-month. The event-driven model
#: does well under 0.2 at this size; stepping every child every month alone gives 1.0.
MAX_ACTIVATIONS_PER_CHILD_MONTH = 0.5


def _config(scale: float, seed: int = 1, warmup: int = 6, years: int = 4) -> dict[str, Any]:
    cfg = sim.ModelConfig().to_dict()
    cfg.update(seed=seed, scale=scale, warmup_years=warmup, years=years)
    return cfg


def _counting(method: Callable[[Any], None], counts: dict[str, int],
              name: str) -> Callable[[Any], None]:
    def step(self: Any) -> None:
        counts[name] += 1
        method(self)

    return step


def test_activations_per_child_month_stay_small(monkeypatch: pytest.MonkeyPatch) -> None:
    # Count every call of a child's or family's step, whoever makes it (the calendar, or a
    # future loop over agents), so stepping agents outside the calendar is caught too.
    counts = {"child": 0, "family": 0}
    monkeypatch.setattr(Child, "step", _counting(Child.step, counts, "child"))
    monkeypatch.setattr(Family, "step", _counting(Family.step, counts, "family"))

    model = RevolvingDoorModel(_config(scale=0.01))
    child_months = 0
    while model.month < model.config.total_months:
        model.step()
        child_months += len(model.agents_by_type.get(Child, ()))
    model.finish()
    model.release()

    steps = counts["child"] + counts["family"]
    assert child_months > 50_000  # the run is big enough for the ratio to mean something
    assert steps > 0
    per_child_month = steps / child_months
    assert per_child_month < MAX_ACTIVATIONS_PER_CHILD_MONTH, (
        f"{per_child_month:.3f} activations per child-month (bound "
        f"{MAX_ACTIVATIONS_PER_CHILD_MONTH}): are agents being stepped every month?")
    assert model.calendar.activations == steps  # every activation goes through the calendar
    assert model.calendar.events <= model.calendar.activations


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
