"""The output folders the ``revolving-door`` command holds (issue 23).

* **A single run's folder** is locked (:func:`sim.results.folder_lock`) by the Hydra
  callback's ``on_run_start``, before Hydra writes anything there (``.hydra/config.yaml``,
  ``overrides.yaml``, the log): of two runs started at the same moment into one folder,
  the second is refused having written nothing. The lock is held until the run ends;
  the command's own lock of the folder (``sim.cli.main``) sees it is already held here.
* **A sweep's folder** (``hydra.sweep.dir``) is locked by ``on_multirun_start``, before
  Hydra writes ``multirun.yaml``, and held until the sweep ends: a second sweep into it,
  or a single run, is refused before any job starts. A folder that already holds a sweep
  (its ``multirun.yaml``) is refused unless the command resumes it (``run.resume=true``:
  only the jobs without a complete run of the same configuration are run).

The locks are the operating system's (``flock``): they end with the process, even a
killed one. Held locks are kept here, in the process, not in the callback (which Hydra
pickles with each job for joblib's and submitit's workers).
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from sim.results import FolderInUse, folder_lock
from sim.sweep.jobs import COMPLETE, MULTIRUN_FILE, SweepError, sweep_jobs

_HELD: dict[str, ExitStack] = {}


def _key(folder: str | Path) -> str:
    return str(Path(folder).resolve())


def hold(folder: str | Path) -> None:
    """Take ``folder``'s lock and keep it until :func:`release` (or the process ends);
    :class:`~sim.results.FolderInUse` if another process holds it, ``OSError`` if the
    folder cannot be made or written. Taking it again in the same process does nothing."""
    key = _key(folder)
    if key in _HELD:
        return
    stack = ExitStack()
    stack.enter_context(folder_lock(folder))
    _HELD[key] = stack


def holds(folder: str | Path) -> bool:
    """Does this process hold ``folder``'s lock through :func:`hold`?"""
    return _key(folder) in _HELD


def release(folder: str | Path) -> None:
    stack = _HELD.pop(_key(folder), None)
    if stack is not None:
        stack.close()


def in_use_message(folder: Path, err: FolderInUse) -> str:
    holder = str(err).split("(process ", 1)[-1].split(")", 1)[0] if "(process " in str(err) \
        else "unknown"
    return (f"output folder {folder} is in use by another run (process {holder}); wait for "
            "it, or choose another folder")


def finished_sweep(sweep_dir: Path, resume: bool) -> str:
    """Why a new sweep may not start in ``sweep_dir`` ("" if it may): it already holds a
    sweep (``multirun.yaml``) and the command does not resume it."""
    if resume or not (sweep_dir / MULTIRUN_FILE).is_file():
        return ""
    try:
        jobs = sweep_jobs(sweep_dir)
        what = f"{sum(j.status == COMPLETE for j in jobs)} of {len(jobs)} jobs complete"
    except (SweepError, OSError, ValueError) as err:
        what = f"its {MULTIRUN_FILE} cannot be read: {err}".splitlines()[0]
    return (f"sweep folder {sweep_dir} already holds a sweep ({what}); to complete it, the "
            "same command with run.resume=true; to keep it, choose another hydra.sweep.dir")


__all__ = ["finished_sweep", "hold", "holds", "in_use_message", "release"]
