"""Functions of a finished model computed in a forked process while this one goes on.

Collecting a national run's results took about a second after the model had run, all of
it in one process on a machine with two cores (issue 25). Some of that work reads the
finished model and nothing else: the councils' table and the council-variation
decompositions. :class:`Forked` runs such functions in a process forked from this one (it
shares the model's memory, copy on write), in order, and sends each value back as it is
ready; :meth:`Forked.result` waits for one.

The values are the functions' own: computing them elsewhere changes no number
(``tests/test_forked.py`` compares the results of a run collected both ways). Where a
process cannot be forked, or the forked one dies or fails, the function is run here
instead, so a failure raises here as it would have.
"""

from __future__ import annotations

import multiprocessing
import traceback
from multiprocessing.connection import Connection
from typing import Any, Callable, Sequence

#: Not forked below this many records (episode endings and returns home, the tables the
#: functions read): a fork and the copies it makes would cost more than they save.
MIN_RECORDS = 100_000


def _serve(funcs: Sequence[Callable[..., Any]], args: tuple[Any, ...],
           conn: Connection) -> None:
    for f in funcs:
        try:
            value = f(*args)
        except BaseException:  # noqa: BLE001 - the parent runs it again to raise it
            conn.send(("error", traceback.format_exc()))
            return
        conn.send(("ok", value))


class Forked:
    """``funcs``, each called with ``args``, in a forked process (or here, later)."""

    def __init__(self, funcs: Sequence[Callable[..., Any]], *args: Any,
                 fork: bool = True) -> None:
        self._funcs, self._args = list(funcs), args
        self._values: list[tuple[str, Any]] = []
        self._conn: Connection | None = None
        self._proc: Any = None
        if fork and "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            mine, theirs = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_serve, args=(self._funcs, args, theirs),
                                     daemon=True, name="revolving-door-collect")
            self._proc.start()
            theirs.close()
            self._conn = mine

    @property
    def forked(self) -> bool:
        """Is a forked process computing the values?"""
        return self._proc is not None

    def result(self, i: int) -> Any:
        """The value of ``funcs[i]``: from the forked process, or computed here."""
        while self._conn is not None and len(self._values) <= i:
            try:
                self._values.append(self._conn.recv())
            except (EOFError, OSError):  # it died: the rest is computed here
                self._close()
        if i < len(self._values) and self._values[i][0] == "ok":
            value = self._values[i][1]
        else:  # not forked, died, or failed: run it here (a failure raises here)
            value = self._funcs[i](*self._args)
        if i == len(self._funcs) - 1:
            self._close()
        return value

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(timeout=60)
            if self._proc.is_alive():  # pragma: no cover - a hung process
                self._proc.kill()
                self._proc.join()
            self._proc = None


__all__ = ["MIN_RECORDS", "Forked"]
