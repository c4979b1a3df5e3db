"""The ``revolving-door`` command's entry point: ``--help``, ``--version`` and a setting
written as a flag are answered before anything heavy is imported (about 2 s of Hydra,
Mesa, pandas and the model: issue 25 asks --help in under 2 s); anything else goes to
:func:`sim.cli.command`, the Hydra app. For a single run the report's figure worker is
forked first (:func:`sim.report_figure.start_early`)."""

from __future__ import annotations

import atexit
import os
import sys
import threading

from sim.cli_help import early_answer
from sim.report_figure import start_early


def single_run(args: list[str]) -> bool:
    """Whether the command line is a single run: overrides only, no flag (``-m``,
    ``--cfg``, ``--info`` and the like)."""
    return not any(a.startswith("-") for a in args)


def command() -> None:
    answered = early_answer(sys.argv[1:])
    if answered is not None:
        sys.exit(answered)
    if single_run(sys.argv[1:]):
        start_early()  # the report's figure worker, forked while this process is small
    from sim import cli  # the run: Hydra, Mesa and the model

    cli.command()


def entry() -> None:
    """The ``revolving-door`` console script: :func:`command`, then, once it has finished
    without an error, out of the process without tearing the interpreter down. Freeing a
    national run's gigabyte of arrays and objects one by one took about 0.15 s of every
    run's command (issue 25), for nothing: the process ends. Standard output and error
    are flushed and every exit handler runs first (logging's, which closes the run's
    ``cli.log``, and multiprocessing's); anything left to flush that fails takes the
    ordinary way out. A command that stops (``sys.exit``: ``--help``, a refused setting),
    any error, and a process with a thread still running (a sweep's launcher's) take the
    ordinary way."""
    command()
    if threading.active_count() > 1:  # a sweep's launcher, say: its threads end at exit
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()  # what the interpreter runs at exit, in the same order
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe, say: Python's own exit reports it
        return
    os._exit(0)


if __name__ == "__main__":
    entry()
