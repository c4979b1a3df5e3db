"""A run's figure drawn by a worker process started before the model runs
(sim/report_figure.py, issue 25): the same file as drawn in the command's own process,
matplotlib kept out of the command's process, and no figure lost when the worker dies or
fails."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.report_figure import FigureData, FigureWorker, draw

ROOT = Path(__file__).resolve().parents[1]

needs_fork = pytest.mark.skipif(sys.platform == "win32", reason="the worker is forked")


def _data() -> FigureData:
    months = list(range(0, 73))
    return FigureData(curve_month=[float(m) for m in months],
                      curve_share=[0.4 * (1 - 0.97 ** m) for m in months],
                      stock_month=[float(m) for m in range(120)],
                      stock=[800.0 + 2 * m for m in range(120)], from_data=False, scale=0.01,
                      costs=[3.0e8, 1.2e8, 2.0e7], years=10, price_year=2024,
                      published=[(3.0, 0.12, 0.03, "published (a source), ± tolerance"),
                                 (12.0, 0.2, 0.03, None), (72.0, 0.33, 0.05, None)])


@needs_fork
def test_the_worker_draws_the_figure_drawn_here(tmp_path: Path) -> None:
    here = draw(_data(), tmp_path / "here.png")
    worker = FigureWorker().start()
    assert worker._proc is not None and worker._proc.is_alive()
    worker.draw(_data(), tmp_path / "worker.png")
    worker.wait()
    assert (tmp_path / "worker.png").read_bytes() == here.read_bytes()
    assert worker._proc is None  # joined


@needs_fork
def test_a_worker_that_died_is_replaced_by_drawing_here(tmp_path: Path) -> None:
    worker = FigureWorker().start()
    pid = worker._proc.pid
    worker.draw(_data(), tmp_path / "report.png")  # sent: the worker may be drawing
    os.kill(pid, signal.SIGKILL)
    worker.wait()
    assert (tmp_path / "report.png").stat().st_size > 10_000
    dead = FigureWorker().start()
    os.kill(dead._proc.pid, signal.SIGKILL)
    time.sleep(0.5)
    dead.draw(_data(), tmp_path / "again.png")  # not sent to a dead worker: drawn here
    dead.wait()
    assert (tmp_path / "again.png").is_file()


@needs_fork
def test_a_failure_in_the_worker_is_raised_here(tmp_path: Path) -> None:
    worker = FigureWorker().start()
    worker.draw(_data(), tmp_path / "no such folder" / "report.png")
    with pytest.raises(RuntimeError, match="drawing report.png failed"):
        worker.wait()


@needs_fork
def test_the_command_process_never_imports_matplotlib(tmp_path: Path) -> None:
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from sim.report_figure import FigureWorker\n"
            "from sim import run_report\n"
            "from sim.results import run\n"
            "w = FigureWorker().start()\n"
            "r = run({'scale': 0.01, 'seed': 4, 'years': 2, 'warmup_years': 1})\n"
            f"run_report.write(Path({str(tmp_path)!r}), r, 1.0, figure_worker=w)\n"
            "print('matplotlib' in sys.modules)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["False"]
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert (tmp_path / "report.md").is_file()


def test_without_a_worker_the_figure_is_drawn_here(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVOLVING_DOOR_FIGURE_WORKER", "0")
    worker = FigureWorker().start()
    assert worker._proc is None
    worker.draw(_data(), tmp_path / "report.png")
    assert (tmp_path / "report.png").is_file()  # already there, before wait()
    worker.wait()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_numbers_sent_early_are_the_reports_numbers(workers: int) -> None:
    """The command sends the figure's numbers from the finished model, before collecting
    its results: they must be the numbers the collected results give (a split run too)."""
    from sim import run_report
    from sim.results import run

    early = []
    res = run({"scale": 0.03, "seed": 8, "years": 3, "warmup_years": 1}, workers=workers,
              on_model=lambda model: early.append(run_report.figure_data_from_model(model)))
    assert len(early) == 1
    assert early[0] == run_report.figure_data(res)
    assert early[0].stock and early[0].costs[0] > 0


@needs_fork
def test_the_early_worker_is_forked_before_the_library_and_draws_the_same(
        tmp_path: Path) -> None:
    """``revolving-door``'s entry point forks the worker before it imports the library
    (sim.cli_start): importing sim.report_figure then loads neither pandas nor the model,
    and the run takes that worker and its figure is the one drawn here."""
    code = ("import sys, pickle\n"
            "from pathlib import Path\n"
            "from sim.report_figure import start_early, take_early\n"
            "heavy = [m for m in ('pandas', 'sim.metrics', 'matplotlib') if m in sys.modules]\n"
            "start_early()\n"
            "from sim.report_figure import FigureData\n"
            "data = pickle.loads(sys.stdin.buffer.read())\n"
            "w = take_early()\n"
            "assert take_early() is None\n"
            "alive = w._proc is not None and w._proc.is_alive()\n"
            f"w.draw(data, Path({str(tmp_path / 'early.png')!r}))\n"
            "w.wait()\n"
            "print(heavy, alive, 'matplotlib' in sys.modules)\n"
            "from sim.report_figure import draw\n"  # here, in a fresh process as well
            f"draw(data, Path({str(tmp_path / 'here.png')!r}))\n")
    import pickle
    res = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(_data()),
                         capture_output=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    assert res.stdout.decode().split() == ["[]", "True", "False"]
    assert (tmp_path / "early.png").read_bytes() == (tmp_path / "here.png").read_bytes()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
def test_the_worker_loads_matplotlib_and_not_the_library(tmp_path: Path) -> None:
    """The worker imports matplotlib while the command starts, and nothing of the library (pandas, the model): that would be CPU taken from the model
    while it runs (issue 25). Its loaded shared libraries, read from /proc once it waits
    for its numbers: matplotlib's and not pandas'; then it draws what it is sent."""
    import pickle
    code = ("import sys, time, pickle\n"
            "from pathlib import Path\n"
            "from sim.report_figure import start_early, take_early\n"
            "start_early()\n"
            "w = take_early()\n"
            "maps, state = f'/proc/{w._proc.pid}/maps', f'/proc/{w._proc.pid}/stat'\n"
            "deadline, idle = time.time() + 120, 0\n"
            "while time.time() < deadline and idle < 5:\n"
            "    time.sleep(0.2)\n"
            "    text = open(maps).read()\n"
            "    waiting = open(state).read().rsplit(')', 1)[1].split()[0] == 'S'\n"
            "    idle = idle + 1 if waiting and 'ft2font' in text else 0\n"
            "print('matplotlib' if 'ft2font' in text else '-',\n"
            "      'pandas' if '/pandas/' in text else '-')\n"
            "data = pickle.loads(sys.stdin.buffer.read())\n"
            f"w.draw(data, Path({str(tmp_path / 'report.png')!r}))\n"
            "w.wait()\n"
            "from sim.report_figure import draw\n"  # in a fresh process: pytest's own may
            f"draw(data, Path({str(tmp_path / 'here.png')!r}))\n")  # hold others' settings
    res = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(_data()),
                         capture_output=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    assert res.stdout.decode().split() == ["matplotlib", "-"]
    assert (tmp_path / "report.png").read_bytes() == (tmp_path / "here.png").read_bytes()
