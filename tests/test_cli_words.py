"""What the command says matches what it does (issue 25's small mismatches): --help's
workers note against resolve_workers, the hint for a setting of another option, --version,
a setting written as a flag, the ensemble file a wheel does not carry, and the files a run
folder holds that docs/outputs.md must name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from sim import shards
from sim.cli_help import help_text
from sim.results import LOCK_FILE


def command(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("revolving-door")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, HYDRA_FULL_ERROR="0"), timeout=300)


def test_help_says_what_workers_auto_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """The numbers --help gives for run.workers=auto are the ones the code uses: on a
    machine of 16 cores, at the scale it names it splits into at most the number it names,
    and just below that scale it does not split."""
    text = " ".join(help_text().split())
    found = re.search(r"auto = one a core \(up to (\d+)\) for a national run \(scale >= "
                      r"([\d.]+)\), else 1", text)
    assert found, text
    most, scale = int(found.group(1)), float(found.group(2))
    monkeypatch.setattr(shards, "usable_cores", lambda: 16)
    assert shards.resolve_workers("auto", scale, 150) == most
    assert shards.resolve_workers("auto", scale * 0.99, 150) == 1
    assert shards.resolve_workers("auto", scale, 150, in_sweep=True) == 1


def test_a_setting_of_another_option_names_the_options_that_have_it(tmp_path: Path) -> None:
    res = command(["policy.support.cap_months=24"], tmp_path)
    assert res.returncode == 2
    line = res.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "start_month" not in line  # the old, wrong guess
    assert "policy/support=entitlement" in line and "policy.support.cap_months=24" in line
    assert list(tmp_path.iterdir()) == []


def test_version_is_the_projects(tmp_path: Path) -> None:
    res = command(["--version"], tmp_path)
    assert res.returncode == 0
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(),
                        re.M)
    assert version and res.stdout.strip() == f"revolving-door {version.group(1)}"
    assert "Hydra" not in res.stdout


@pytest.mark.parametrize("args", [["--scale", "0.1"], ["--scale=0.1"]])
def test_a_setting_written_as_a_flag_gets_the_key_value_hint(tmp_path: Path,
                                                             args: list[str]) -> None:
    res = command(args, tmp_path)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "write" in res.stderr or "written" in res.stderr
    assert "scale=0.1" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_missing_ensemble_file_says_how_to_get_it(tmp_path: Path) -> None:
    """Outside a clone (as from a wheel) the headline's ensemble is not there: say where it
    comes from, in one line, before any work."""
    res = command(["ensemble.file=calibration/default/ensemble.yaml"], tmp_path)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "repository" in res.stderr and "revolving-door-calibrate" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_file_of_a_run_folder_is_documented() -> None:
    """The lock and Hydra's log are in every run folder: docs/outputs.md says what they are."""
    text = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    for name in (LOCK_FILE, "cli.log", "report.md", "report.png", "report_table.csv",
                 "policy_comparison.csv"):
        assert re.search(rf"^\| [^|]*`{re.escape(name)}`", text, re.M), name


def test_readme_gives_the_test_suites_time() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tests_line = next(line for line in readme.splitlines() if "run the tests" in line)
    assert re.search(r"about \d+ minutes", tests_line), tests_line


def test_help_and_version_import_neither_hydra_nor_the_model() -> None:
    """Start-up (issue 25): --help is answered before Hydra, Mesa or pandas is imported
    (they cost about 2 s), so it takes a fraction of a second."""
    code = ("import sys; from sim.cli_start import command; sys.argv = ['revolving-door', "
            "'--help']\ntry:\n    command()\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'hydra', 'mesa', 'pandas', 'omegaconf', 'matplotlib'}), file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert "Config groups" in res.stdout
    assert res.stderr.strip().splitlines()[-1] == "[]", res.stderr
