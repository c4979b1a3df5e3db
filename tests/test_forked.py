"""Functions of a finished model computed in a forked process (sim/forked.py, issue 25):
the same values as computed here, a run's results collected both ways identical, and a
process that dies or fails replaced by computing here (so a failure still raises here)."""
from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from sim.forked import Forked

needs_fork = pytest.mark.skipif(sys.platform == "win32", reason="forks")


def _square(x: int) -> int:
    return x * x


def _pid(_: int) -> int:
    return os.getpid()


def _fails(x: int) -> int:
    raise ValueError(f"bad {x}")


PARENT = os.getpid()


def _slow_then_pid(_: int) -> int:
    if os.getpid() != PARENT:  # in the forked process: slow, so that it is killed first
        time.sleep(30)
    return os.getpid()


@needs_fork
def test_values_come_from_another_process_in_order() -> None:
    f = Forked([_square, _pid], 7)
    assert f.forked
    assert f.result(0) == 49
    assert f.result(1) != os.getpid()  # computed elsewhere
    assert not f.forked  # closed after the last


def test_not_forked_computes_here() -> None:
    f = Forked([_square, _pid], 3, fork=False)
    assert not f.forked
    assert f.result(1) == os.getpid() and f.result(0) == 9


@needs_fork
def test_a_failure_raises_here_as_it_would_have() -> None:
    f = Forked([_fails, _square], 5)
    with pytest.raises(ValueError, match="bad 5"):
        f.result(0)
    assert f.result(1) == 25


@needs_fork
def test_a_dead_process_is_replaced_by_computing_here() -> None:
    f = Forked([_slow_then_pid], 0)
    os.kill(f._proc.pid, signal.SIGKILL)
    assert f.result(0) == os.getpid()


def test_a_runs_results_collected_in_two_processes_are_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    import sim.results as results
    from sim.config import ModelConfig
    from sim.model import RevolvingDoorModel

    monkeypatch.setattr(results, "MIN_RECORDS", 0)  # a small run, forked all the same
    model = RevolvingDoorModel(ModelConfig.from_dict({"scale": 0.03, "seed": 6, "years": 4,
                                                      "warmup_years": 1}))
    model.run()
    one = results.collect(model)
    two = results.collect(model, parallel=True)
    pd.testing.assert_frame_equal(one.councils, two.councils)
    assert list(one.metrics) == list(two.metrics)  # the same keys, in the same order
    assert {k: str(v) for k, v in one.metrics.items()} == \
        {k: str(v) for k, v in two.metrics.items()}
    assert any(k.startswith("var_") for k in two.metrics)
