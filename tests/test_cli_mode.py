"""The command reads Hydra's run mode from its own composition of the overrides instead of
letting Hydra compose them a further time for it (sim/cli.py ``_mode_known``, issue 25):
``hydra.mode=MULTIRUN`` without ``-m`` still makes a sweep, and a plain run still a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TINY = ["scale=0.02", "warmup_years=2", "years=1", "run.progress=false"]


def command(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("revolving-door")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, HYDRA_FULL_ERROR="0"), timeout=150)


def test_hydra_mode_multirun_without_m_makes_a_sweep(tmp_path: Path) -> None:
    res = command(TINY + ["hydra.mode=MULTIRUN", f"hydra.sweep.dir={tmp_path / 'sweep'}",
                          f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "sweep" / "0" / "metrics.json").is_file()
    assert not (tmp_path / "run").exists()
    assert not (tmp_path / "sweep" / "0" / "report.md").exists()  # a sweep's job: no report


def test_a_plain_run_is_a_run_with_its_report(tmp_path: Path) -> None:
    res = command(TINY + [f"hydra.run.dir={tmp_path / 'run'}",
                          f"hydra.sweep.dir={tmp_path / 'sweep'}"], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "run" / "metrics.json").is_file()
    assert (tmp_path / "run" / "report.png").stat().st_size > 10_000
    assert not (tmp_path / "sweep").exists()


def test_the_console_script_leaves_quickly_with_everything_written(tmp_path: Path) -> None:
    """``revolving-door`` is :func:`sim.cli_start.entry`, which ends the process without
    the interpreter's teardown once a run has finished (issue 25): what it prints reaches
    a pipe whole, its files and its log are complete, its exit status is 0; a refused
    setting still exits 2 the ordinary way."""
    from importlib.metadata import entry_points

    assert entry_points(group="console_scripts")["revolving-door"].value == \
        "sim.cli_start:entry"
    res = command(TINY + [f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.rstrip().endswith(f"All outputs (docs/outputs.md): {tmp_path / 'run'}")
    assert "Costs to councils" in res.stdout
    for name in ("metrics.json", "timeseries.csv", "report.md", "report.png", "cli.log"):
        assert (tmp_path / "run" / name).is_file(), name
    assert not list((tmp_path / "run").glob(".*.tmp"))  # no half-written file left
    bad = command(TINY + ["scale=-1", f"hydra.run.dir={tmp_path / 'bad'}"], tmp_path)
    assert bad.returncode == 2 and "scale" in bad.stderr


def test_entry_flushes_and_runs_the_exit_handlers_before_it_leaves(tmp_path: Path) -> None:
    """What :func:`sim.cli_start.entry` promises, without Hydra: a command's output still
    in the buffer of a pipe reaches it, exit handlers run, the status is 0; with a thread
    still running (a sweep's launcher's) it takes the ordinary way out, so the thread is
    waited for."""
    mark = tmp_path / "handler.txt"
    code = ("import atexit, sys, threading, time\n"
            "import sim.cli_start as cs\n"
            "def command():\n"
            "    print('printed, not flushed', end='')\n"
            f"    atexit.register(lambda: open({str(mark)!r}, 'a').write('ran;'))\n"
            "    if sys.argv[1:] == ['thread']:\n"
            "        threading.Thread(target=lambda: (time.sleep(0.5), print(' thread done',"
            " end=''))).start()\n"
            "cs.command = command\n"
            "cs.entry()\n")
    for args, out in (([], "printed, not flushed"),
                      (["thread"], "printed, not flushed thread done")):
        res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        assert res.stdout == out
    assert mark.read_text() == "ran;ran;"


_COUNTED = """
import contextlib, sys
import sim.cli as cli
from hydra._internal.config_loader_impl import ConfigLoaderImpl
count = [0]
real = ConfigLoaderImpl._load_configuration_impl
def counted(self, *a, **k):
    count[0] += 1
    return real(self, *a, **k)
ConfigLoaderImpl._load_configuration_impl = counted
if sys.argv[1] == "hydra-composes":
    cli._composition_known = lambda *a: contextlib.nullcontext()
sys.argv = ["revolving-door", *sys.argv[2:]]
try:
    cli.command()
finally:
    print("COMPOSITIONS", count[0])
"""


def test_a_run_is_composed_once_and_hydra_records_the_same_config(tmp_path: Path) -> None:
    """The command hands Hydra the config it composed to check a run
    (``sim/cli.py::_composition_known``, issue 25) instead of letting Hydra compose it
    again: one composition, not two, and the run's ``.hydra`` files (what Hydra records of
    the run: config, overrides, Hydra's own settings) are byte for byte those of Hydra's
    own composition, apart from the folder's name."""
    written = {}
    for how in ("handed", "hydra-composes"):
        out = tmp_path / how
        res = subprocess.run([sys.executable, "-c", _COUNTED, how, *TINY, "seed=4",
                              f"hydra.run.dir={out}"], cwd=tmp_path, capture_output=True,
                             text=True, env=dict(os.environ, HYDRA_FULL_ERROR="0"),
                             timeout=150)
        assert res.returncode == 0, res.stderr[-2000:]
        assert (out / "metrics.json").is_file()
        n = int(res.stdout.rsplit("COMPOSITIONS", 1)[1])
        assert n == (1 if how == "handed" else 2), (how, n)
        written[how] = {f: (out / ".hydra" / f).read_text().replace(str(out), "OUT")
                        for f in ("config.yaml", "overrides.yaml", "hydra.yaml")}
    assert "name: cli" in written["hydra-composes"]["hydra.yaml"]
    assert written["handed"] == written["hydra-composes"]
