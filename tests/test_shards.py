"""A run split between processes by council gives the same outputs, byte for byte, as the
same run in one process (``sim.shards``; same seed, same results in any arrangement)."""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np
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


def test_a_shard_numbers_families_as_the_whole_run_does() -> None:
    """Families and children are numbered in order of entry over every council, in a shard
    as in the whole run: the number keys a family's random numbers."""
    whole = RevolvingDoorModel(tiny(seed=2, warmup_years=1, years=1))
    whole.run()
    shard = RevolvingDoorModel(tiny(seed=2, warmup_years=1, years=1), councils_simulated=[0, 3])
    shard.run()

    def ids(model: RevolvingDoorModel) -> list[tuple[int, int]]:
        F, n = model.families, model.families.n
        mine = np.isin(F.council[:n], [0, 3])
        return sorted(zip(F.council[:n][mine].tolist(), F.uid[:n][mine].tolist()))

    got = ids(shard)
    assert got and got == ids(whole)
    # numbered over every council's entries: ids leave gaps for the other councils' families
    assert shard.transitions.next_uid == whole.transitions.next_uid
    assert len(got) < whole.families.n
    whole.release()
    shard.release()


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
    # small cases by hand: largest first, each to the group whose load relative to its
    # capacity would be least; a tie to the group with fewer councils, then the lower
    assert partition([1.0, 1.0, 2.0], 2) == [[2], [0, 1]]
    assert partition([2.0, 2.0], 2, [0.5, 1.0]) == [[1], [0]]
    assert partition([3.0, 1.0, 2.0], 1) == [[0, 1, 2]]  # one shard: every council


def test_workers_option_is_checked() -> None:
    assert resolve_workers("auto", 1.0, 150, in_sweep=True) == 1
    assert resolve_workers("auto", 0.01, 150) == 1
    import sim.shards as shards_mod
    for cores, expected in ((1, 1), (2, 2), (3, 2), (64, 2)):  # at most 2 (measured)
        with pytest.MonkeyPatch.context() as mp_:
            mp_.setattr(shards_mod, "usable_cores", lambda c=cores: c)
            assert resolve_workers("auto", 1.0, 150) == expected, cores
            assert resolve_workers("auto", 0.99, 150) == 1  # smaller runs: one process
            assert resolve_workers(None, 1.0, 1) == 1  # never more than councils
    with pytest.MonkeyPatch.context() as mp_:
        mp_.setattr(shards_mod.os, "sched_getaffinity", lambda pid: {0, 5, 7}, raising=False)
        assert shards_mod.usable_cores() == 3  # the cores this process may use
        mp_.setattr(shards_mod.os, "sched_getaffinity", lambda pid: {3}, raising=False)
        assert shards_mod.usable_cores() == 1
    for platform, method in (("linux", "fork"), ("darwin", "spawn"), ("win32", "spawn")):
        with pytest.MonkeyPatch.context() as mp_:
            mp_.setattr(shards_mod.sys, "platform", platform)
            assert shards_mod._start_method() == method, platform
    assert resolve_workers(4, 1.0, 3) == 3
    import numpy as np
    assert resolve_workers(np.int64(2), 1.0, 150) == 2
    for bad in (0, -1, "two", 1.5, True):
        with pytest.raises(ConfigError, match="run.workers"):
            resolve_workers(bad, 1.0, 150)  # type: ignore[arg-type]


@dataclass
class _Failing(Policy):
    """A policy that breaks when an eligible family goes home."""

    def on_return(self, model: Any, f: Any, t: Any) -> None:
        raise RuntimeError("policy failed on purpose")


_Failing.lever, _Failing.kind = "test_failing", "fails"


def test_failing_shard_stops_the_run_with_its_traceback() -> None:
    cfg = tiny(seed=4, warmup_years=2, years=2)
    model = RevolvingDoorModel(cfg)
    sizes = [c.size_share for c in model.councils]
    model.release()
    # the biggest council simulated by the second process, not this one
    other = max(partition(sizes, 2, [CALLER_CAPACITY, 1.0])[1], key=lambda i: sizes[i])
    with pytest.raises(ShardError, match="(?s)shard 1 failed:.*policy failed on purpose"):
        sim.run(cfg, workers=2, policies=[_Failing(councils=[other])])
    assert not mp.active_children()
    # a policy given to the run reaches the caller's own shard too
    own = max(partition(sizes, 2, [CALLER_CAPACITY, 1.0])[0], key=lambda i: sizes[i])
    with pytest.raises(RuntimeError, match="policy failed on purpose"):
        sim.run(cfg, workers=2, policies=[_Failing(councils=[own])])
    assert not mp.active_children()


def test_a_split_run_records_the_policies_given_to_it() -> None:
    from sim.policies.support_entitlement import SupportEntitlement

    res = sim.run(tiny(seed=4, warmup_years=1, years=1), workers=2,
                  policies=[SupportEntitlement(councils=[0, 1])])
    assert res.run_info["policies"] == {"monitoring": "status_quo",
                                        "support": "entitlement(councils=[0, 1])",
                                        "treatment": "status_quo"}
    assert res.run_info["workers"] == 2


# ------------------------------------------------- merging the shards' books (no simulation)

def _shard_records(returns: list[tuple[float, int, int]],
                   exits: list[tuple[float, int]]) -> tuple[Any, Any, int, int]:
    """One shard's ``(returns_frame, exits_frame, families, entries_total)``, recorded in
    the order given, as a shard records them (in time order within its councils)."""
    from sim.agents.child import ExitKind
    from sim.records import Records, ReturnRecord

    rec = Records()
    for t, council, child in returns:
        rec.returns.append(ReturnRecord(child, child, council, t, 0, 1, t, False, 0))
    for t, council in exits:
        rec.episode_end(t, council, 0, ExitKind.RETURNED_HOME, age=float(council))
    rec.families, rec.entries_total = len(returns), len(returns) + len(exits)
    return rec.returns_frame(), rec.exits_frame(), rec.families, rec.entries_total


def test_merged_records_are_in_the_order_of_one_process_for_any_order_of_shards() -> None:
    """The order a run in one process records things: by time; at the same time by council
    (written by hand here, not by the code's sort), and within a council as recorded (a
    sibling group, children 12 and 11)."""
    from sim.records import Records

    a = _shard_records([(1.0, 0, 10), (2.5, 2, 12), (2.5, 2, 11), (4.0, 0, 13)],
                       [(1.5, 0), (2.5, 2), (6.0, 2)])
    b = _shard_records([(0.5, 1, 20), (2.5, 1, 21), (3.0, 1, 22)], [(0.2, 1), (2.5, 1)])
    empty = _shard_records([], [])
    for parts in ([a, b], [b, a], [a, empty, b], [empty, b, a]):
        rec = Records.merged(parts)
        ret, ex = rec.returns_frame(), rec.exits_frame()
        assert ret["child"].tolist() == [20, 10, 21, 12, 11, 22, 13]
        assert ret["council"].tolist() == [1, 0, 1, 2, 2, 1, 0]
        assert ret.index.tolist() == list(range(7))
        assert list(zip(ex["time"], ex["council"])) == [
            (0.2, 1), (1.5, 0), (2.5, 1), (2.5, 2), (6.0, 2)]
        assert ex["age"].tolist() == [1.0, 0.0, 1.0, 2.0, 2.0]  # whole rows moved
        # an empty shard's untyped columns do not change the others' types
        assert ret["substance"].dtype == bool and ret["child"].dtype.kind == "i"
        assert ex["care_order"].dtype == bool and ex["council"].dtype.kind == "i"
        assert (rec.families, rec.entries_total) == (7, 12)


def test_merged_books_are_the_sums_of_the_shards_books() -> None:
    """Each council's cells come from one shard; the merged run is complete and finished."""
    from types import SimpleNamespace

    import numpy as np

    from sim.records import Records
    from sim.shards import _merge

    a = _shard_records([(1.0, 0, 10)], [(1.5, 0)])
    b = _shard_records([(0.5, 1, 20)], [])

    def payload(rec: tuple[Any, Any, int, int], council: int, k: int) -> dict[str, Any]:
        cell = np.zeros((3, 2, 2), dtype=np.int64)
        cell[:, council, :] = k
        harm = np.zeros((3, 2))
        harm[:, council] = 0.5 * k
        ledger = np.zeros((2, 4))
        ledger[council] = 10.0 * k
        return {"returns": rec[0], "exits": rec[1], "episodes": Records().episodes_frame(),
                "families": rec[2], "entries_total": rec[3], "stocks": cell,
                "flows": cell + 1, "harm": harm,
                "ledger": ledger, "activations": 100 * k, "events": 1000 * k}

    model = SimpleNamespace(config=SimpleNamespace(total_months=36), records=None,
                            timeseries=SimpleNamespace(), ledger=SimpleNamespace(),
                            engine=SimpleNamespace(), month=0, now=0.0, running=True)
    _merge(model, [payload(a, 0, 2), payload(b, 1, 3)])
    assert model.timeseries.stocks[:, 0, :].tolist() == [[2, 2]] * 3
    assert model.timeseries.stocks[:, 1, :].tolist() == [[3, 3]] * 3
    assert model.timeseries.flows[0].tolist() == [[4, 4], [5, 5]]  # each shard's +1 once
    assert model.timeseries.harm[0].tolist() == [1.0, 1.5]
    assert model.ledger.amounts.tolist() == [[20.0] * 4, [30.0] * 4]
    assert (model.engine.activations, model.engine.events) == (500, 5000)
    assert (model.month, model.now, model.running, model.shards) == (36, 36.0, False, 2)
    assert isinstance(model.now, float)
    assert model.records.returns_frame()["child"].tolist() == [20, 10]
    assert (model.records.families, model.records.entries_total) == (2, 3)
