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
                          env=dict(os.environ, HYDRA_FULL_ERROR="0"), timeout=300)


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
