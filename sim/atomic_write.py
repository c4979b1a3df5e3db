"""Writing a file whole or not at all: every output of a run goes through
:func:`atomic_write`, so a killed run leaves no half-written file under an output's name
(only a temporary ``.NAME.PID-K.tmp`` beside it, which the next run in the folder removes:
:func:`sim.results.remove_stale_temporaries`).

A module of its own, light to import (no pandas, no model): the figure's worker process
(:mod:`sim.report_figure`) writes ``report.png`` with it without importing the library.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Callable

_tmp_names = itertools.count()


def atomic_write(path: Path, write: Callable[[str], Any]) -> None:
    """Write to a temporary file beside ``path`` and rename it into place.

    The temporary file is created with mode 0666 less the user's umask, the mode any
    ordinary file gets (``tempfile.mkstemp`` would make it 0600, unreadable by colleagues).
    """
    while True:
        tmp = str(path.parent / f".{path.name}.{os.getpid()}-{next(_tmp_names)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:  # left by a killed process of the same id: take the next
            continue
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
