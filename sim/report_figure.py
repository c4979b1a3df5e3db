"""A run's figure, ``report.png``, drawn from a few plain numbers, in a helper process
started before the model runs (issue 25: the command's own time).

Importing matplotlib and drawing the three panels took about a second of every run's
command, on top of the model. The command therefore starts a :class:`FigureWorker` before
the model runs: a process forked from the command that imports matplotlib (and nothing of
the library: what the figure needs, its published points included, comes in
:class:`FigureData`) on the other core, then waits. ``revolving-door``'s entry point forks it
first of all, before it imports the library itself (:func:`start_early`, so that the fork
is of a small process and the worker's imports overlap the command's); a run started
otherwise (:mod:`sim.cli` from Python) forks it just before the model. When the results are
collected the command sends it the figure's numbers (:class:`FigureData`, a few hundred
values) and writes the run's tables while the worker draws. The figure is the same as
drawn in the command's own process (``tests/test_report_figure.py`` compares the two).

Where a process cannot be forked (not Linux or macOS), or the worker fails, the figure is
drawn in the command's own process, and a worker's error is raised there as it would have
been.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sim.atomic_write import atomic_write

#: The cost rows of the figure's third panel (metrics) and their labels.
COST_BARS = (("cost_placement_gbp", "placements"),
             ("cost_process_gbp", "social work\nand courts"),
             ("cost_after_return_gbp", "after a return"))


@dataclass(frozen=True)
class FigureData:
    """What the figure shows, as plain numbers (picklable, small)."""
    curve_month: list[float]
    curve_share: list[float]
    stock_month: list[float]
    stock: list[float]
    from_data: bool
    scale: float
    costs: list[float]
    years: int
    price_year: int
    #: the published points on the re-entry curve: ``(month, share, tolerance, label)``,
    #: label ``None`` for a point the legend does not name again (``sim.metrics.TARGETS``,
    #: given by the command, so that the worker need not import the library)
    published: list[tuple[float, float, float, str | None]]


def draw(data: FigureData, path: Path) -> Path:
    """``report.png``: the re-entry curve against its published points, children in care
    month by month, costs by kind. Legends sit below their panels, clear of the data."""
    fig = _figure(data)
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format="png"))
    return path


def _figure(data: FigureData) -> Any:
    """The figure of :func:`draw`, laid out, not saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import StrMethodFormatter

    fig = Figure(figsize=(13, 4.6))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3)
    ax = axes[0]
    ax.plot(data.curve_month, [x * 100 for x in data.curve_share], color="tab:blue", lw=2,
            label="this run")
    for month, target, tol, label in data.published:
        ax.errorbar([month], [target * 100], yerr=[tol * 100], fmt="o", color="tab:red",
                    capsize=4, label=label)
    ax.set_xlim(0, 74)
    ax.set_ylim(0, None)
    ax.set_xlabel("months since the return home")
    ax.set_ylabel("% of returns home that failed")
    ax.set_title("Returns home that fail", loc="left")
    ax = axes[1]
    factor = 1.0 if data.from_data else 1.0 / data.scale  # a council's own numbers, or England
    ax.plot([m / 12 for m in data.stock_month], [x * factor for x in data.stock],
            color="tab:orange", lw=2, label="this run, month by month")
    ax.set_ylim(0, None)
    ax.set_xlabel("years since the start of the measured period")
    ax.set_ylabel("children" + ("" if data.from_data else " (England)"))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_title("Children in care", loc="left")
    ax = axes[2]
    k = 1.0 if not data.from_data else data.scale
    ax.barh([label for _, label in COST_BARS], [v * k / 1e6 for v in data.costs],
            color=["#2166ac", "#762a83", "#1b7837"])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel(f"£ million over {data.years} years, {data.price_year} prices")
    ax.set_title("Costs by kind" + (" (the council)" if data.from_data else " (England)"),
                 loc="left")
    for a in axes[:2]:
        a.grid(alpha=0.3)
        a.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.18), frameon=False)
    fig.tight_layout()
    return fig


def _serve(conn: Connection) -> None:
    """The worker: import matplotlib now, then draw what is sent, once. It runs at a lower
    priority, so that on a busy machine it gives way to the model. (It drew a figure to
    nowhere while it waited until 2026-12-08: once the worker no longer imports the
    library, matplotlib's first figure takes about as long as the next, 0.21-0.28 s
    against 0.21 s in three fresh processes, and the throwaway one only took CPU from the
    model as it started.)"""
    try:
        os.nice(5)
    except OSError:  # pragma: no cover - not allowed here: run as is
        pass
    try:
        import matplotlib.backends.backend_agg  # noqa: F401  (the point: import it early)
        import matplotlib.figure  # noqa: F401
        import matplotlib.ticker  # noqa: F401
    except Exception:  # pragma: no cover - reported when the figure is asked for
        pass
    try:
        data, path = conn.recv()
    except (EOFError, OSError):  # the command ended without a figure (an error, a sweep)
        return
    try:
        draw(data, Path(path))
        conn.send(None)
    except BaseException:  # noqa: BLE001 - sent back, raised in the command
        conn.send(traceback.format_exc())


class FigureWorker:
    """A process that imports matplotlib while the model runs, then draws the figure.

    ``start()`` forks it (nothing happens where fork is not available); ``draw(data,
    path)`` hands it the figure (``given`` is then true); ``wait()`` waits for the figure
    and raises if drawing failed. Without a live worker, ``draw`` draws at once in this
    process.
    """

    def __init__(self) -> None:
        self._proc: Any = None
        self._conn: Connection | None = None
        self._pending: tuple[FigureData, Path] | None = None
        #: the figure was handed over (sent to the worker, or drawn here)
        self.given = False

    def start(self) -> "FigureWorker":
        if "fork" not in multiprocessing.get_all_start_methods() or os.environ.get(
                "REVOLVING_DOOR_FIGURE_WORKER", "1") == "0":
            return self
        ctx = multiprocessing.get_context("fork")
        mine, theirs = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(theirs,), daemon=True,
                                 name="revolving-door-figure")
        self._proc.start()
        theirs.close()
        self._conn = mine
        return self

    def draw(self, data: FigureData, path: Path) -> None:
        self.given = True
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send((data, str(path)))
                self._pending = (data, path)
                return
            except OSError:
                self.close()
        draw(data, path)

    def wait(self) -> None:
        """Wait for the figure sent; a worker that died is replaced by drawing here."""
        pending, self._pending = self._pending, None
        if pending is None or self._conn is None:
            self.close()
            return
        try:
            error = self._conn.recv()
        except (EOFError, OSError):  # the worker died (killed, out of memory): draw here
            self.close()
            draw(*pending)
            return
        self.close()
        if error is not None:
            raise RuntimeError(f"drawing report.png failed:\n{error}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(timeout=30)
            if self._proc.is_alive():  # pragma: no cover - a hung worker
                self._proc.kill()
            self._proc = None


#: The worker :func:`start_early` forked, until the run takes it (:func:`take_early`).
_early: FigureWorker | None = None


def start_early() -> None:
    """Fork the figure's worker now, before the command imports the library: the fork of
    a small process is quick, and the worker's imports (matplotlib, and the library
    :func:`draw` needs) run while the command imports Hydra, Mesa and pandas and composes
    its config, not while the model runs (``revolving-door``'s entry point does this for a
    single run: :mod:`sim.cli_start`)."""
    global _early
    if _early is None:
        _early = FigureWorker().start()


def take_early() -> FigureWorker | None:
    """The worker :func:`start_early` forked (then forgotten here), or ``None``."""
    global _early
    worker, _early = _early, None
    return worker


__all__ = ["COST_BARS", "FigureData", "FigureWorker", "draw", "start_early", "take_early"]
