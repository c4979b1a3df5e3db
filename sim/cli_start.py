"""The ``revolving-door`` command's entry point: ``--help``, ``--version`` and a setting
written as a flag are answered before anything heavy is imported (about 2 s of Hydra,
Mesa, pandas and the model: issue 25 asks --help in under 2 s); anything else goes to
:func:`sim.cli.command`, the Hydra app."""

from __future__ import annotations

import sys

from sim.cli_help import early_answer


def command() -> None:
    answered = early_answer(sys.argv[1:])
    if answered is not None:
        sys.exit(answered)
    from sim import cli  # the run: Hydra, Mesa and the model

    cli.command()


if __name__ == "__main__":
    command()
