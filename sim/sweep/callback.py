"""The Hydra callback of every ``revolving-door -m`` sweep (``hydra.callbacks.sweep``).

* Before a single run, and before a multirun's first job: checks that the output folder
  (the sweep folder in a multirun) can be written and takes its lock
  (:mod:`sim.sweep.folders`), held until the run or the whole sweep ends; a folder in use
  by another run, or a sweep folder that already holds a sweep and is not being resumed
  (``run.resume=true``), is a one-line error naming the folder and exit status 2, before
  Hydra writes anything there (its own error would be a long traceback).
* In a multirun, a job whose own folder cannot be prepared is a failed job like any other
  (:mod:`sim.sweep.guard`): its error is recorded, the other jobs run.
* When the multirun starts: counts the planned jobs and records ``sweep_info.json`` (model
  version and commit, command, number of jobs, start time) in the sweep folder.
* When each job ends (in the process that ran it, whatever the launcher): prints a
  progress line, counted from the sweep folder so it is right with parallel workers.
* When the multirun ends: runs :func:`sim.sweep.report.build` (``sweep.csv``,
  ``effects.csv``, figures, ``report.md``), prints the finding, lists failed and missing
  jobs, and exits with status 1 if there are any.

Hydra skips the end-of-multirun hook when a launcher itself fails (for example a worker
process killed outright); ``revolving-door-report DIR`` then makes the same report.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.results import FolderInUse, folder_in_use
from sim.sweep import folders, guard
from sim.sweep.jobs import COMPLETE, FAILED, INFO_FILE, MISSING, SweepError, count_status, \
    planned_overrides
from sim.version import model_version

# sim.sweep.report (tables and figures: seaborn, SciPy) is imported only when a multirun
# ends: Hydra builds this callback for single runs too, and importing it there cost every
# `revolving-door` run about 2.6 s.


def _say(text: str) -> None:
    print(f"[sweep] {text}", flush=True)


def folder_problem(folder: Path) -> str:
    """Why a run cannot write into ``folder`` ("" if it can): it cannot be made or written,
    or another run holds it. Leaves nothing behind but the folder itself."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".revolving-door-probe-{os.getpid()}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666))
        probe.unlink()
    except OSError as err:
        return f"cannot write to output folder {folder}: {err.strerror or err}"
    if folder_in_use(folder):
        return f"output folder {folder} is in use by another run; wait for it, or choose " \
               "another folder"
    return ""


def _refuse(problem: str) -> None:
    print(f"revolving-door: {problem}", file=sys.stderr, flush=True)
    sys.exit(2)


def _hold(folder: Path) -> None:
    """Refuse (exit 2) unless the folder can be written and its lock taken, then hold it."""
    problem = folder_problem(folder)
    if problem:
        _refuse(problem)
    try:
        folders.hold(folder)
    except FolderInUse as err:  # taken since the check: two runs started together
        _refuse(folders.in_use_message(folder, err))
    except OSError as err:
        _refuse(f"cannot write to output folder {folder}: {err.strerror or err}")


class SweepCallback(Callback):
    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        _hold(Path(str(config.hydra.run.dir)))  # before Hydra writes .hydra/ there

    def on_run_end(self, config: DictConfig, **kwargs: Any) -> None:
        folders.release(Path(str(config.hydra.run.dir)))

    def __getstate__(self) -> dict[str, Any]:
        # never empty: pickle calls __setstate__ only for a state
        return {**self.__dict__, "guard": True}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled with a job, in the process that runs it (a joblib worker, a SLURM
        task): a job whose folder cannot be prepared is a failed job there too."""
        self.__dict__.update(state)
        guard.install()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        guard.install()  # before the launcher runs a job (sim/sweep/guard.py)
        sweep_dir = Path(str(config.hydra.sweep.dir))
        _hold(sweep_dir)  # for the whole sweep, before Hydra writes multirun.yaml
        problem = folders.finished_sweep(sweep_dir, bool(OmegaConf.select(
            config, "run.resume", default=False)))
        if problem:
            folders.release(sweep_dir)
            _refuse(problem)
        try:
            n = len(planned_overrides(config))
        except SweepError as err:
            _say(f"no sweep report for this sweep: {err}")
            return
        name = config.get("experiment", {}).get("name", "adhoc") if config.get(
            "experiment") else "adhoc"
        launcher = str(config.hydra.runtime.choices.get("hydra/launcher", ""))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        info = {"experiment": name, "model": model_version(), "jobs": n,
                "command": shlex.join(["revolving-door", *sys.argv[1:]]),
                "launcher": launcher, "started": time.time()}
        (sweep_dir / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n")
        _say(f"{name}: {n} jobs into {sweep_dir} (launcher {launcher})")

    def on_job_end(self, config: DictConfig, job_return: Any, **kwargs: Any) -> None:
        out = Path(str(config.hydra.runtime.output_dir))
        sweep_dir = out.parent
        try:
            info = json.loads((sweep_dir / INFO_FILE).read_text())
        except (OSError, ValueError):
            return
        n, started = int(info["jobs"]), float(info["started"])
        c = count_status(sweep_dir, n, since=started)
        elapsed = time.time() - started
        left = ""
        if c["ended"] and c[MISSING]:  # from the jobs run (not skipped) by this command
            left = f"; about {elapsed / c['ended'] * c[MISSING] / 60:.0f} min left"
        _say(f"job {out.name} ended: {c[COMPLETE]} of {n} complete, {c[FAILED]} failed"
             f"{left}")

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.sweep.report import build, status_line

        sweep_dir = Path(str(config.hydra.sweep.dir))
        try:
            report = build(sweep_dir)
        except SweepError as err:
            _say(f"no sweep report: {err}")
            return
        finally:  # the report is made: another command may use the folder now
            folders.release(sweep_dir)
        _say(f"{status_line(report)}")
        if report.headline:
            _say(report.headline + ".")
        _say(f"tables, figures and report.md in {sweep_dir}")
        if report.incomplete:
            for j in report.incomplete:
                _say(f"job {j.num} {j.status}: {' '.join(j.overrides)}"
                     + (f" ({j.error})" if j.error else ""))
            _say(f"to complete them: the same command with hydra.sweep.dir={sweep_dir} "
                 "run.resume=true")
            sys.exit(1)
