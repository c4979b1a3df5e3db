"""One run split between processes by council, with the same results as in one process.

Councils do not interact in the model: a family lives in one council all its life, and
each council's practice, counts and spending are its own. So a run can be split into
*shards*, each simulating the children of some of the councils in its own process, and
the shards' books put together afterwards. Since agent state moved into arrays (issue 15)
a split pays only for national runs on a quiet machine (docs/performance.md), so
``workers="auto"`` splits only those.

The split cannot change the results, by construction:

* every shard builds every council and draws every month's entries for all of England
  from the ``entries`` stream, then simulates only its own councils' families
  (:meth:`sim.transitions.Transitions.entries`); so a family is created with the same
  attributes, at the same time, with the same unique id (the number Mesa gives it in a run
  of every council), and therefore gets the same numbers from every keyed stream;
* a family's events depend on nothing but its own state and its own keyed random numbers
  (:mod:`sim.engine`), so they are the same in a shard as in the whole run;
* the books are per council: the ledger, the month-by-council series and the harm
  months are arrays by council, and each cell is written by one shard only, so their sum is
  exact; the records (returns home, episodes ending) are concatenated and put in canonical
  order (:func:`sim.records.canonical`), the order a run in one process gives them.

``tests/test_shards.py`` checks that a split run writes byte-identical ``metrics.json``
and CSVs (``run.json`` records the number of workers, so it differs in that field).

Forking from a process that runs other threads (a Jupyter kernel with background
threads, a thread pool) can in rare cases leave a worker stuck on a lock the fork copied
in its held state; the caller then waits for it (it notices a worker that dies, not one
that hangs). Use ``workers=1`` there if a split run does not finish.

The calling process simulates the first shard itself and starts one process for each
other shard (forked on Linux, spawned elsewhere); a shard that fails stops the run with
its traceback.
"""

from __future__ import annotations

import multiprocessing as mp
import numbers
import os
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from sim.config import ConfigError, ModelConfig
from sim.model import RevolvingDoorModel
from sim.records import Records

#: ``workers="auto"`` splits runs at this scale or more (England: 1.0), into at most
#: :data:`AUTO_MAX_WORKERS` processes. Since agent state moved into arrays and a run's
#: months are worked at once (issue 15) a national run takes about 3 s in the model; on the
#: 2-core development machine, quiet, 2 processes took it from 3.57 s to 3.27 s in all
#: (1.09x, fastest of 3; benchmarks/run.py at 542b37e), and under load a split was slower
#: than one (0.71x): every shard still draws every council's entries and works through
#: every month, and the caller merges the books.
#: Smaller runs are dominated by that fixed work and stay in one process.
AUTO_MIN_SCALE = 1.0

#: ``workers="auto"`` uses at most this many processes: 2 is all that has been measured.
AUTO_MAX_WORKERS = 2


class ShardError(RuntimeError):
    """A shard of a split run failed; the message holds its traceback."""


#: Share of a full shard's councils (by size) that the calling process simulates. After
#: its shard the caller merges the books and computes the metrics (about 3 s of a
#: national run, against about 1 s for a worker to send its books), so it takes a little
#: less. An estimate: the two processes' finishing times vary by a few seconds from run
#: to run on the development machine, more than this corrects.
CALLER_CAPACITY = 0.95


def partition(sizes: Sequence[float], shards: int,
              capacity: Sequence[float] | None = None) -> list[list[int]]:
    """Council indices in ``shards`` groups whose total sizes (the work follows the number
    of children) are about proportional to ``capacity`` (default equal): largest council
    first, each to the group whose load relative to its capacity would be least (ties to
    the lower group). Deterministic; each group sorted."""
    if shards < 1:
        raise ConfigError(f"workers: must be at least 1, got {shards}")
    n = min(shards, len(sizes))
    cap = list(capacity[:n]) if capacity is not None else [1.0] * n
    groups: list[list[int]] = [[] for _ in range(n)]
    load = [0.0] * n
    for i in sorted(range(len(sizes)), key=lambda j: (-sizes[j], j)):
        # ties (councils of size 0) go to the group with the fewest councils
        g = min(range(n), key=lambda k: ((load[k] + sizes[i]) / cap[k], len(groups[k]), k))
        groups[g].append(i)
        load[g] += sizes[i]
    return [sorted(g) for g in groups if g]


def resolve_workers(workers: int | str | None, scale: float, n_councils: int,
                    in_sweep: bool = False) -> int:
    """The number of processes for one run. ``"auto"``: one a core (at most
    :data:`AUTO_MAX_WORKERS`) for a run at scale :data:`AUTO_MIN_SCALE` or more, else one;
    always one for a job of a sweep (the sweep already uses every core)."""
    if workers is None or workers == "auto":
        if in_sweep or scale < AUTO_MIN_SCALE:
            return 1
        return max(1, min(AUTO_MAX_WORKERS, usable_cores(), n_councils))
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise ConfigError(f"run.workers (workers): {workers!r} is not allowed; allowed: "
                          "'auto' or an integer of at least 1")
    return min(int(workers), n_councils)


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, which a batch scheduler or a
    container sets), not every core of the machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _start_method() -> str:
    """``fork`` on Linux: the worker starts at once with everything imported, and a script
    calling :func:`sim.run` needs no ``if __name__ == "__main__"`` guard. ``spawn``
    elsewhere (macOS and Windows, where forking is unsafe or missing): there, a script
    must guard its call, as for any use of :mod:`multiprocessing`."""
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _payload(model: Any) -> dict[str, Any]:
    """What the merged run needs of a finished shard: its records and per-council books."""
    ts = model.timeseries
    return {"returns": model.records.returns_frame(), "exits": model.records.exits_frame(),
            "episodes": model.records.episodes_frame(),
            "families": model.records.families, "entries_total": model.records.entries_total,
            "stocks": ts.stocks, "flows": ts.flows, "harm": ts.harm,
            "ledger": model.ledger.amounts,
            "activations": model.engine.activations, "events": model.engine.events}


def _worker(conn: Connection, config: dict[str, Any], policies: list[Any],
            councils: list[int]) -> None:
    """Run one shard in a worker process; report progress, then the payload or the error."""
    try:

        model = RevolvingDoorModel(config, policies=policies, councils_simulated=councils)
        model.run(progress=lambda month, total: conn.send(("progress", month)))
        conn.send(("done", _payload(model)))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class _Remote:
    """A shard running in another process, and what it last said."""

    def __init__(self, index: int, conn: Connection, proc: Any) -> None:
        self.index = index
        self.conn = conn
        self.proc = proc
        self.month = 0
        self.payload: dict[str, Any] | None = None

    def poll(self, block: bool = False) -> None:
        while self.payload is None:
            if not self.conn.poll(1.0 if block else 0.0):
                if not block:
                    return
                if not self.proc.is_alive() and not self.conn.poll(0.0):
                    self._died()
                continue  # still working: wait on
            try:
                kind, value = self.conn.recv()
            except EOFError:
                self._died()
            if kind == "progress":
                self.month = int(value)
            elif kind == "done":
                self.payload = value
            else:
                raise ShardError(f"shard {self.index} failed:\n{value}")

    def _died(self) -> None:
        self.proc.join(5)
        code = self.proc.exitcode
        why = (f"killed by signal {-code} (out of memory?)" if code is not None and code < 0
               else f"exit code {code}")
        raise ShardError(f"shard {self.index} ended without a result ({why})") from None


def run_sharded(config: ModelConfig | dict[str, Any] | None, *, policies: Iterable[Any] = (),
                workers: int = 2,
                progress: Callable[[int, int], None] | None = None) -> Any:
    """Run ``config`` split into ``workers`` shards; return a finished
    :class:`~sim.model.RevolvingDoorModel` holding the merged books, for
    :func:`sim.results.collect` (it has no agents: they lived in the shards)."""

    cfg = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(config)
    policies = list(policies)
    if mp.current_process().daemon:
        raise ConfigError("workers: a run cannot be split from inside a daemonic process "
                          "(a multiprocessing.Pool worker, for one); use workers=1 there")
    # validates and builds the councils; simulates none (its books are the shards')
    merged = RevolvingDoorModel(cfg, policies=policies, councils_simulated=())
    groups = partition([c.size_share for c in merged.councils], workers,
                       [CALLER_CAPACITY] + [1.0] * (workers - 1))
    total = cfg.total_months
    ctx = mp.get_context(_start_method())
    remotes: list[_Remote] = []
    try:
        for k, group in enumerate(groups[1:], start=1):
            mine, theirs = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=(theirs, cfg.to_dict(), policies, group),
                               name=f"revolving-door-shard-{k}", daemon=True)
            proc.start()
            theirs.close()
            remotes.append(_Remote(k, mine, proc))

        reported = [0]

        def own_progress(month: int, _total: int) -> None:
            for r in remotes:
                r.poll()  # a failed shard stops the run now, not at the end
            done = min([month] + [total if r.payload else r.month for r in remotes])
            if progress is not None and reported[0] < done < total:
                reported[0] = done
                progress(done, total)

        own = RevolvingDoorModel(cfg, policies=policies, councils_simulated=groups[0])
        try:
            own.run(progress=own_progress)
            payloads = [_payload(own)]
        finally:
            own.release()  # also on failure: Mesa's registry would keep it alive
            del own
        for r in remotes:
            r.poll(block=True)
            payloads.append(r.payload)  # type: ignore[arg-type]
            r.proc.join()
        if progress is not None:
            progress(total, total)
    except BaseException:
        merged.release()
        raise
    finally:
        for r in remotes:
            if r.proc.is_alive():
                r.proc.terminate()
                r.proc.join()
            r.conn.close()
    _merge(merged, payloads)
    return merged


def _merge(model: Any, payloads: list[dict[str, Any]]) -> None:
    """Put the shards' books into ``model`` (each council's cells come from one shard)."""

    model.records = Records.merged([(p["returns"], p["exits"], p["families"],
                                     p["entries_total"]) for p in payloads],
                                    episodes=[p["episodes"] for p in payloads])
    ts = model.timeseries
    ts.stocks = np.sum([p["stocks"] for p in payloads], axis=0)
    ts.flows = np.sum([p["flows"] for p in payloads], axis=0)
    ts.harm = np.sum([p["harm"] for p in payloads], axis=0)
    model.ledger.amounts = np.sum([p["ledger"] for p in payloads], axis=0)
    model.engine.activations = sum(p["activations"] for p in payloads)
    model.engine.events = sum(p["events"] for p in payloads)
    model.month = model.config.total_months
    model.now = float(model.month)
    model.running = False
    model.shards = len(payloads)


__all__ = ["AUTO_MAX_WORKERS", "AUTO_MIN_SCALE", "ShardError", "partition", "resolve_workers", "run_sharded"]
