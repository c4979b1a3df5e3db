"""The progress line of a run ("simulated 7 of 22 years"), the same from Python and the CLI.

It goes to standard error, rewritten in place (a carriage return) each simulated year, so
it neither mixes with printed results nor fills a notebook cell: Jupyter shows standard
error and honours the carriage return.
"""

from __future__ import annotations

import sys
from typing import Callable, TextIO

#: What ``sim.run(progress=...)`` takes: a callback ``(month, total_months)``.
ProgressCallback = Callable[[int, int], None]


def print_progress(month: int, total: int, stream: TextIO | None = None) -> None:
    """Rewrite the progress line (the model calls it once a simulated year)."""
    out = stream if stream is not None else sys.stderr
    print(f"\r  simulated {month // 12:>2d} of {total // 12} years", end="", file=out,
          flush=True)
    if month >= total:
        print(file=out, flush=True)


def progress_callback(progress: bool | ProgressCallback | None) -> ProgressCallback | None:
    """``True``: the progress line on standard error; ``False``/``None``: none; a callable:
    itself."""
    if progress is True:
        return print_progress
    if progress is False or progress is None:
        return None
    if not callable(progress):
        raise TypeError(f"progress: expected True, False or a callable (month, total), got "
                        f"{progress!r}")
    return progress
