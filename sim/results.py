"""A finished run's outputs as data frames, and writing them to a folder atomically."""

from __future__ import annotations

import json
import math
import os
import platform
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import yaml

try:
    import fcntl  # the folder lock (flock)
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]

from sim.atomic_write import atomic_write
from sim.csv_write import write_csv
from sim.mesa_import import mesa
from sim.config import ModelConfig, check_ssda903_output, council_data
from sim.memory import check_memory
from sim.model import RevolvingDoorModel
from sim.metrics import (compute_metrics, councils_frame, failed_return_costs, reentry_curve,
                         timeseries_frame)
from sim.policy_names import policy_names
from sim.progress import ProgressCallback, progress_callback
from sim.shards import resolve_workers, run_sharded
from sim.ssda903.write import write_ssda903
from sim.version import __version__

#: Files every run writes, in the order they are written. ``metrics.json`` is written last,
#: so its presence means the run's outputs are complete.
OUTPUT_FILES = ("reentry_curve.csv", "timeseries.csv", "councils.csv",
                "failed_return_costs.csv", "config.yaml", "run.json", "metrics.json")

#: The lock file a run holds in its output folder while it runs (:func:`folder_lock`).
LOCK_FILE = ".revolving-door.lock"



class FolderInUse(RuntimeError):
    """Another run holds the output folder's lock."""


@dataclass
class Results:
    """Outputs of one run (see README "Outputs" for every column)."""

    metrics: dict[str, Any]
    reentry_curve: pd.DataFrame
    timeseries: pd.DataFrame
    councils: pd.DataFrame
    config: dict[str, Any]
    run_info: dict[str, Any] = field(default_factory=dict)
    #: the cost of a failed return counted as Holmes counts it (sim.metrics.failed_return_costs)
    failed_return_costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the run's children as an episode log, when asked for (``ssda903=True``): written as
    #: SSDA903 ``episodes.csv`` and ``header.csv`` (:mod:`sim.ssda903.write`)
    episodes: pd.DataFrame | None = None
    #: children in care and placement cost by month, council, age band and placement
    #: (``placements_by_month.csv``), in a run with placements over a period of care
    #: (``params.placement.moves``, :mod:`sim.placements`); None otherwise
    placements: pd.DataFrame | None = None
    #: that run's placement changes within periods of care (SSDA903 episodes split at them)
    moves: pd.DataFrame | None = None

    def write(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        # the completion mark goes first: a rewrite interrupted half way must not leave an
        # earlier run's metrics.json beside this run's files (a folder that looks complete)
        (folder / "metrics.json").unlink(missing_ok=True)
        if self.episodes is not None:
            c = self.config
            write_ssda903(folder, self.episodes, seed=c["seed"], start_year=c["start_year"],
                          warmup_years=c["warmup_years"],
                          councils=list(self.councils["council"]), moves=self.moves)
        if self.placements is not None:
            atomic_write(folder / "placements_by_month.csv",
                         lambda p: write_csv(self.placements, p))
        atomic_write(folder / "reentry_curve.csv", lambda p: write_csv(self.reentry_curve, p))
        atomic_write(folder / "timeseries.csv", lambda p: write_csv(self.timeseries, p))
        atomic_write(folder / "councils.csv", lambda p: write_csv(self.councils, p))
        atomic_write(folder / "failed_return_costs.csv", lambda p: write_csv(self.failed_return_costs, p))
        atomic_write(folder / "config.yaml", lambda p: Path(p).write_text(
            yaml.safe_dump(self.config, sort_keys=True)))
        atomic_write(folder / "run.json", lambda p: Path(p).write_text(
            json.dumps(self.run_info, indent=2, sort_keys=True) + "\n"))
        atomic_write(folder / "metrics.json", lambda p: Path(p).write_text(
            json.dumps(_clean(self.metrics), indent=2, sort_keys=True) + "\n"))
        return folder


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


def stale_temporaries(folder: str | Path) -> list[Path]:
    """Temporary files that :func:`atomic_write` left in ``folder`` (a killed run's)."""
    return sorted(p for p in Path(folder).glob(".*.tmp") if p.is_file())


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove a killed run's temporary files; call it only while holding the folder's lock."""
    stale = stale_temporaries(folder)
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[Path]:
    """Hold ``folder``'s lock for a run: a second run into the same folder gets
    :class:`FolderInUse` instead of mixing its files with the first's. The lock is the
    operating system's (``flock``): it ends with the process, even a killed one. Where
    ``fcntl`` is missing (Windows) there is no lock."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - Windows
        yield folder
        return
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise FolderInUse(f"{folder}: another run (process {holder}) is writing to this "
                              "folder; wait for it, or choose another folder") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield folder
    finally:
        os.close(fd)  # releases the lock


def folder_in_use(folder: str | Path) -> bool:
    """Does a running process hold ``folder``'s lock? (Creates nothing.)"""
    path = Path(folder) / LOCK_FILE
    if fcntl is None:  # pragma: no cover - Windows: no lock
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def collect(model: Any, ssda903: bool = False) -> Results:
    """Turn a finished :class:`~sim.model.RevolvingDoorModel` into :class:`Results`
    (``ssda903``: keep the children's episodes, to write them as SSDA903)."""
    cfg: ModelConfig = model.config
    councils, costs, curve = councils_frame(model), failed_return_costs(model), \
        reentry_curve(model)
    run_info: dict[str, Any] = {
        "package": "revolving-door", "version": __version__, "seed": cfg.seed,
        "mesa": mesa.__version__, "python": platform.python_version(),
        "policies": policy_names(model.policies)}
    if cfg.councils.mode == "from_data":  # what the run started from (aggregate)
        run_info["from_data"] = council_data(cfg.councils).summary(cfg.councils.max_left_out)
    moves_on = model.placements is not None
    return Results(
        placements=model.placements.frame() if moves_on else None,
        moves=model.records.episodes.moves_frame() if moves_on and ssda903 else None,
        episodes=model.records.episodes_frame() if ssda903 else None,
        metrics=compute_metrics(model, councils, costs, curve),
        reentry_curve=curve,
        timeseries=timeseries_frame(model),
        councils=councils,
        config=cfg.to_dict(),
        run_info=run_info,
        failed_return_costs=costs,
    )


def run(config: ModelConfig | dict[str, Any] | None = None, *, policies: Any = (),
        progress: bool | ProgressCallback | None = None,
        workers: int | str = 1, ssda903: bool = False,
        on_model: Callable[[Any], None] | None = None) -> Results:
    """Build, run and collect one model: the main entry point for notebooks.

    ``progress=True`` prints the command line's progress line (a simulated year at a time)
    to standard error; a national run takes about 4 s in one process. A callable is called as
    ``progress(month, total_months)`` instead.

    ``workers``: processes to split the run between, by council (:mod:`sim.shards`); the
    results are the same for any number. ``"auto"`` splits a national run (scale 1.0 or
    more) between 2 processes when there are 2 cores, and keeps smaller runs in one.
    ``ssda903``: also write the run's children as SSDA903 ``episodes.csv`` and
    ``header.csv`` when the results are written (docs/ssda903.md).
    ``on_model``: called with the finished model before its results are collected (the
    command sends the figure's numbers to its drawing process then; it must not change
    the model).
    """
    cfg = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(config)
    check_ssda903_output(cfg, ssda903)
    check_memory(cfg)  # a run that cannot fit: one line before anything is built
    progress = progress_callback(progress)
    n = resolve_workers(workers, cfg.scale, cfg.councils.count)
    if cfg.params.placement.moves:  # the month-end placement table is not split by shard
        n = 1
    if n > 1:
        model = run_sharded(cfg, policies=policies, workers=n, progress=progress)
    else:
        model = RevolvingDoorModel(cfg, policies=policies)
    try:
        if n == 1:
            model.run(progress=progress)
        if on_model is not None:
            on_model(model)
        results = collect(model, ssda903=ssda903)
    finally:
        model.release()  # also on failure: Mesa's registry would keep the model alive
    results.run_info["workers"] = n
    return results
