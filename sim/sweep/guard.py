"""A sweep job whose folder Hydra cannot prepare is a failed job like any other.

Before Hydra calls a job's task (or any callback's ``on_job_start``), its ``run_job``
makes the job's folder, opens the job's log file there and saves ``.hydra/``. If the
folder cannot be written (a file where the folder goes, a read-only folder), the error
leaves ``run_job``, then the launcher and the sweeper: the whole sweep stops, later jobs
never run and no ``sweep.csv`` is made. Hydra 1.3 has no hook before those steps, and a
launcher of our own would have to be a plugin in the ``hydra_plugins`` namespace, which
Hydra 1.3 does not find in an editable install (hydra issue 2359).

So, during a sweep, the ``run_job`` that each launcher calls is wrapped: an error out of
``run_job`` (every error of the task itself is caught inside it, so this one comes from
preparing the folder) is written where the sweep report looks for it, ``error.txt`` or,
when the folder cannot take it, ``<job number>.error.txt`` beside it
(:func:`sim.sweep.jobs.mark_failed`), and the job returns normally, as the
``revolving-door`` command does for a job that fails (a failed ``JobReturn`` would make
Hydra's sweeper stop the sweep). The other jobs run; the report lists this one as failed.

The wrapping is installed by :class:`sim.sweep.callback.SweepCallback` in the process
that starts the sweep and in every process that runs a job (joblib workers, SLURM tasks),
where the callback is unpickled with the job. It depends on where Hydra 1.3.8 and its
joblib and submitit launchers 1.2.0 (pinned in ``pyproject.toml``) look ``run_job`` up:
``tests/test_faults.py`` runs it through the basic and the joblib launchers.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

from hydra.core.utils import JobReturn, JobStatus
from omegaconf import OmegaConf

from sim.sweep.jobs import mark_failed

#: The modules whose ``run_job`` the launchers call (the basic launcher; joblib's workers;
#: submitit's tasks).
LAUNCHER_MODULES = ("hydra._internal.core_plugins.basic_launcher",
                    "hydra_plugins.hydra_joblib_launcher._core",
                    "hydra_plugins.hydra_submitit_launcher.submitit_launcher")

_MARK = "_revolving_door_guarded"


def install() -> list[str]:
    """Wrap ``run_job`` in every launcher module that can be imported (once each).
    Returns the modules wrapped now."""
    wrapped = []
    for name in LAUNCHER_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # that launcher is not installed
            continue
        current = getattr(module, "run_job", None)
        if current is None or getattr(current, _MARK, False):
            continue
        module.run_job = guarded(current)  # type: ignore[attr-defined]
        wrapped.append(name)
    return wrapped


def guarded(run_job: Callable[..., Any]) -> Callable[..., Any]:
    """``run_job`` that turns an error preparing a sweep job into a failed job."""
    signature = inspect.signature(run_job)

    @functools.wraps(run_job)
    def run_job_or_record_failure(*args: Any, **kwargs: Any) -> Any:
        try:
            return run_job(*args, **kwargs)
        except Exception as err:
            bound = signature.bind(*args, **kwargs)
            if bound.arguments.get("job_subdir_key") is None:  # a single run: Hydra's way
                raise
            return _failed_job(bound.arguments, err)

    setattr(run_job_or_record_failure, _MARK, True)
    return run_job_or_record_failure


def _failed_job(arguments: dict[str, Any], err: Exception) -> Any:
    config = arguments["config"]
    folder = Path(str(OmegaConf.select(config, arguments["job_dir_key"]))) / str(
        OmegaConf.select(config, arguments["job_subdir_key"]))
    why = f"cannot prepare the job's folder {folder}: {err}"
    where = mark_failed(folder, f"{traceback.format_exc()}\n{why}\n")
    print(f"revolving-door: job {folder.name} failed ({why}); error in {where}",
          file=sys.stderr, flush=True)
    overrides = OmegaConf.to_container(config.hydra.overrides.task)
    # completed as far as Hydra is concerned: the failure is recorded for the sweep report
    return JobReturn(overrides=overrides, hydra_cfg=config, working_dir=os.getcwd(),
                     status=JobStatus.COMPLETED, _return_value=None)


__all__ = ["LAUNCHER_MODULES", "guarded", "install"]
