"""The ``revolving-door`` command's entry point: ``--help``, ``--version`` and a setting
written as a flag are answered before anything heavy is imported (about 2 s of Hydra,
Mesa, pandas and the model: issue 25 asks --help in under 2 s); anything else goes to
:func:`sim.cli.command`, the Hydra app. For a single run the report's figure worker is
forked first (:func:`sim.report_figure.start_early`)."""

from __future__ import annotations

import sys

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


if __name__ == "__main__":
    command()
