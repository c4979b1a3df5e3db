"""A run split between processes by council gives the same outputs, byte for byte, as the
same run in one process (``sim.shards``; same seed, same results in any arrangement)."""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import pytest

import sim
from sim.config import ConfigError
from sim.model import RevolvingDoorModel
from sim.policies.base import Policy
from sim.shards import CALLER_CAPACITY, ShardError, partition, resolve_workers

from conftest import tiny

FILES = ("metrics.json", "reentry_curve.csv", "timeseries.csv", "councils.csv")


def _write(cfg: dict[str, Any], workers: int, folder: Path) -> sim.Results:
    res = sim.run(cfg, workers=workers)
    res.write(folder)
    return res


@pytest.mark.parametrize("policy", [{}, {
    "support": {"kind": "entitlement", "councils": ["C001", "C007", "C050"]},
    "monitoring": {"kind": "minimum_months", "min_months": 24}}], ids=["baseline", "policies"])
def test_split_run_writes_byte_identical_outputs(tmp_path: Path, policy: dict[str, Any]) -> None:
    cfg = tiny(seed=5, scale=0.03, policy=policy)
    one = _write(cfg, 1, tmp_path / "w1")
    assert one.run_info["workers"] == 1
    for workers in (2, 3):
        res = _write(cfg, workers, tmp_path / f"w{workers}")
        assert res.run_info["workers"] == workers
        for f in FILES:
            assert (tmp_path / "w1" / f).read_bytes() == \
                (tmp_path / f"w{workers}" / f).read_bytes(), (f, workers)
    assert one.metrics["returns_measured"] > 100  # enough happened for the check to bite


def test_a_shard_with_no_returns_does_not_change_the_outputs(tmp_path: Path) -> None:
    """A council of size 0 has no children: its shard's returns table is empty and
    untyped, which must not change the types of the others' columns when merged."""
    listed = [{"name": "A", "size_share": 1.0, "profile": "typical"},
              {"name": "B", "size_share": 1.0, "profile": "quick_return"},
              {"name": "Empty", "size_share": 0.0, "profile": "cautious"}]
    cfg = tiny(seed=3, scale=0.01, councils={"mode": "listed", "n": 3, "listed": listed})
    assert partition([1.0, 1.0, 0.0], 3) == [[0], [1], [2]]
    _write(cfg, 1, tmp_path / "w1")
    _write(cfg, 3, tmp_path / "w3")
    for f in FILES:
        assert (tmp_path / "w1" / f).read_bytes() == (tmp_path / "w3" / f).read_bytes(), f


def test_unique_ids_follow_mesa_numbering_in_a_whole_run() -> None:
    """Families and children get the ids Mesa would give them in a run of every council,
    which is what lets a shard give them the same random numbers."""
    model = RevolvingDoorModel(tiny(seed=2, warmup_years=1, years=1))
    model.run()
    assert next(mesa.Agent._ids[model]) == model.transitions.next_uid  # type: ignore[attr-defined]
    model.release()


def test_shard_simulates_only_its_councils() -> None:
    model = RevolvingDoorModel(tiny(seed=2, warmup_years=1, years=1), councils_simulated=[0, 3])
    model.run()
    assert {f.council.index for f in model.agents_by_type[sim.model.Family]} <= {0, 3}
    stocks = model.timeseries.stocks.sum(axis=(0, 2))
    assert stocks[[0, 3]].sum() > 0 and stocks.sum() == stocks[[0, 3]].sum()
    model.release()
    with pytest.raises(ConfigError, match="councils_simulated"):
        RevolvingDoorModel(tiny(), councils_simulated=[0, 999])


def test_partition_is_balanced_complete_and_disjoint() -> None:
    sizes = [float(s) for s in range(1, 151)]
    groups = partition(sizes, 2)
    assert sorted(i for g in groups for i in g) == list(range(150))
    loads = [sum(sizes[i] for i in g) for g in groups]
    assert abs(loads[0] - loads[1]) <= max(sizes)
    assert partition(sizes, 2) == groups  # deterministic
    light, full = partition(sizes, 2, [0.9, 1.0])
    ratio = sum(sizes[i] for i in light) / sum(sizes[i] for i in full)
    assert ratio == pytest.approx(0.9, abs=0.02)
    assert len(partition([1.0, 2.0], 5)) == 2  # never an empty shard
    assert [len(g) for g in partition([1.0, 0.0, 0.0, 0.0], 2)] == [1, 3]


def test_workers_option_is_checked() -> None:
    assert resolve_workers("auto", 1.0, 150, in_sweep=True) == 1
    assert resolve_workers("auto", 0.01, 150) == 1
    import sim.shards as shards_mod
    for cores, expected in ((1, 1), (2, 2), (3, 3), (8, 8), (64, 8)):
        with pytest.MonkeyPatch.context() as mp_:
            mp_.setattr(shards_mod, "usable_cores", lambda c=cores: c)
            assert resolve_workers("auto", 1.0, 150) == expected, cores
            assert resolve_workers("auto", 0.2, 150) == expected  # 0.2 is big enough
            assert resolve_workers(None, 1.0, 2) == min(expected, 2)  # never more than councils
            assert resolve_workers("auto", 0.19, 150) == 1
    with pytest.MonkeyPatch.context() as mp_:
        mp_.setattr(shards_mod.os, "sched_getaffinity", lambda pid: {0, 5, 7}, raising=False)
        assert shards_mod.usable_cores() == 3  # the cores this process may use
    assert resolve_workers(4, 1.0, 3) == 3
    import numpy as np
    assert resolve_workers(np.int64(2), 1.0, 150) == 2
    for bad in (0, -1, "two", 1.5, True):
        with pytest.raises(ConfigError, match="run.workers"):
            resolve_workers(bad, 1.0, 150)  # type: ignore[arg-type]


@dataclass
class _Failing(Policy):
    """A policy that breaks when an eligible family goes home."""

    def on_return(self, family: Any, t: float) -> None:
        raise RuntimeError("policy failed on purpose")


_Failing.lever, _Failing.kind = "test_failing", "fails"


def test_failing_shard_stops_the_run_with_its_traceback() -> None:
    cfg = tiny(seed=4, warmup_years=2, years=2)
    model = RevolvingDoorModel(cfg)
    sizes = [c.size_share for c in model.councils]
    model.release()
    # the biggest council simulated by the second process, not this one
    other = max(partition(sizes, 2, [CALLER_CAPACITY, 1.0])[1], key=lambda i: sizes[i])
    with pytest.raises(ShardError, match="policy failed on purpose"):
        sim.run(cfg, workers=2, policies=[_Failing(councils=[other])])
    assert not mp.active_children()
