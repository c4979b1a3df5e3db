"""The jobs of a sweep, and whether each is complete, failed or missing.

A sweep folder (``hydra.sweep.dir``) holds ``multirun.yaml``, written by Hydra when the
sweep starts, and one sub-folder a job, named by its number. The list of jobs a sweep
*should* have is rebuilt from ``multirun.yaml`` the way Hydra's basic sweeper builds it
(the sweep's ``hydra.sweeper.params`` and the command line's overrides, crossed in
order), so jobs that never started, or whose process was killed, are reported as missing
rather than silently left out.

A job is

* ``complete`` when its ``metrics.json`` (written last, atomically) can be read;
* ``failed`` when it wrote ``error.txt`` instead (the ``revolving-door`` command does that
  in a multirun rather than stop the other jobs; when the job's folder itself cannot be
  written, the error goes beside it, to ``<job number>.error.txt`` in the sweep folder);
* ``missing`` otherwise: not run yet, still running, or killed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from sim.results import atomic_write

#: The sweep folder's record of what was planned (written when the multirun starts).
INFO_FILE = "sweep_info.json"

METRICS_FILE = "metrics.json"
ERROR_FILE = "error.txt"
MULTIRUN_FILE = "multirun.yaml"
COMPLETE, FAILED, MISSING = "complete", "failed", "missing"
SUBDIR = "${hydra.job.num}"


class SweepError(ValueError):
    """A folder is not a sweep this package can read."""


@dataclass
class Job:
    num: int
    overrides: list[str]  # "key=value", as Hydra passes them to the job
    folder: Path
    status: str = MISSING
    error: str = ""

    @property
    def values(self) -> dict[str, Any]:
        """The job's overrides as ``{key: value}``, values parsed as YAML scalars."""
        out: dict[str, Any] = {}
        for o in self.overrides:
            key, _, value = o.partition("=")
            try:
                out[key.lstrip("+~")] = yaml.safe_load(value)
            except yaml.YAMLError:
                out[key.lstrip("+~")] = value
        return out


def planned_overrides(cfg: DictConfig) -> list[list[str]]:
    """Each job's overrides, in job-number order, as Hydra's basic sweeper makes them."""
    sweeper = cfg.hydra.sweeper
    target = str(sweeper.get("_target_", ""))
    if not target.endswith("BasicSweeper"):
        raise SweepError(f"only Hydra's basic sweeper is supported, this sweep used {target}")
    raw = sweeper.get("params")  # None or empty in an ad-hoc sweep (`-m seed=1,2`)
    params = OmegaConf.to_container(raw, resolve=False) if isinstance(raw, DictConfig) else {}
    task = OmegaConf.to_container(cfg.hydra.overrides.task, resolve=False)
    assert isinstance(params, dict) and isinstance(task, list)
    args = [f"{k}={v}" for k, v in params.items()] + [str(t) for t in task]
    overrides = OverridesParser.create().parse_overrides(args)
    return [list(job) for job in BasicSweeper.split_arguments(overrides, None)[0]]


def load_sweep_config(sweep_dir: str | Path) -> DictConfig:
    path = Path(sweep_dir) / MULTIRUN_FILE
    if not path.is_file():
        raise SweepError(f"{sweep_dir}: no {MULTIRUN_FILE}; not a sweep folder (run "
                         "`revolving-door -m ...` first, or give the folder it printed)")
    cfg = OmegaConf.load(path)
    assert isinstance(cfg, DictConfig)
    return cfg


def sweep_jobs(sweep_dir: str | Path, cfg: DictConfig | None = None) -> list[Job]:
    """Every planned job of the sweep in ``sweep_dir``, with its status."""
    sweep_dir = Path(sweep_dir)
    cfg = load_sweep_config(sweep_dir) if cfg is None else cfg
    subdir = OmegaConf.to_container(cfg.hydra.sweep, resolve=False).get("subdir")  # type: ignore
    if subdir != SUBDIR:
        raise SweepError(f"hydra.sweep.subdir is {subdir!r}; the sweep report needs the "
                         f"default {SUBDIR!r} (one folder a job, named by its number)")
    jobs = []
    for num, overrides in enumerate(planned_overrides(cfg)):
        job = Job(num, overrides, sweep_dir / str(num))
        job.status, job.error = run_status(job.folder)
        jobs.append(job)
    return jobs


def run_status(folder: Path) -> tuple[str, str]:
    """(status, error message) of one run's output folder."""
    metrics = folder / METRICS_FILE
    if metrics.is_file():
        try:
            json.loads(metrics.read_text())
            return COMPLETE, ""
        except (ValueError, OSError) as err:
            return FAILED, f"{METRICS_FILE} unreadable: {err}"
    error = folder / ERROR_FILE
    if not error.is_file():
        error = fallback_error_file(folder)
    if error.is_file():
        lines = [ln for ln in error.read_text().splitlines() if ln.strip()]
        return FAILED, lines[-1] if lines else "failed (empty error.txt)"
    return MISSING, ""


def is_complete(folder: Path, config: dict[str, Any]) -> bool:
    """Did an earlier run in ``folder`` finish, with exactly this model configuration?"""
    if run_status(folder)[0] != COMPLETE:
        return False
    try:
        done = yaml.safe_load((folder / "config.yaml").read_text())
    except (OSError, yaml.YAMLError):
        return False
    return bool(done == yaml.safe_load(yaml.safe_dump(config, sort_keys=True)))


def fallback_error_file(folder: Path) -> Path:
    """Where a job's error goes when its own folder cannot be written."""
    return folder.parent / f"{folder.name}.{ERROR_FILE}"


def mark_failed(folder: Path, message: str) -> Path:
    """Record a failed run (atomically), so the sweep report can list it: in the run's
    folder, or beside it if that cannot be written. Returns the file written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / ERROR_FILE, lambda p: Path(p).write_text(message))
        fallback_error_file(folder).unlink(missing_ok=True)
        return folder / ERROR_FILE
    except OSError as err:
        path = fallback_error_file(folder)
        atomic_write(path, lambda p: Path(p).write_text(
            f"{message.rstrip()}\n(error.txt could not be written in {folder}: {err})\n"))
        return path


def clear_failure(folder: Path) -> None:
    for path in (folder / ERROR_FILE, fallback_error_file(folder)):
        if path.is_file():
            path.unlink()


def count_status(sweep_dir: Path, n_jobs: int, since: float = 0.0) -> dict[str, int]:
    """How many of the jobs 0..n_jobs-1 are complete, failed, missing, and how many of
    them ended at or after ``since`` (a time stamp; ``ended``). Cheap: no parsing of the
    plan, for progress lines. An ``error.txt`` older than ``since`` is a failure from an
    earlier attempt that this one has not reached yet: counted as missing."""
    counts = {COMPLETE: 0, FAILED: 0, MISSING: 0, "ended": 0}
    for num in range(n_jobs):
        folder = sweep_dir / str(num)
        metrics, error = folder / METRICS_FILE, folder / ERROR_FILE
        if not error.is_file():
            error = fallback_error_file(folder)
        if metrics.is_file():
            counts[COMPLETE] += 1
            counts["ended"] += metrics.stat().st_mtime >= since
        elif error.is_file() and error.stat().st_mtime >= since:
            counts[FAILED] += 1
            counts["ended"] += 1
        else:
            counts[MISSING] += 1
    return counts
