"""Installable anywhere (issue 16): the configs ship inside the package, so a wheel works
from any folder, not only an editable checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from sim.config_files import CONFIG_PACKAGE, config_dir, group_options
from conftest import ROOT


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_list_names_every_package_under_sim() -> None:
    """The package list is written out (find cannot map configs/ to sim.configs): a new
    subpackage missing from it would be left out of the wheel."""
    listed = set(_pyproject()["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "sim").rglob("__init__.py")}
    assert on_disk | {CONFIG_PACKAGE} == listed


def test_the_license_file_is_the_one_pyproject_declares() -> None:
    assert _pyproject()["project"]["license"] == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_configs_are_found_through_the_package() -> None:
    """The lookup finds the checkout's configs/ in an editable install (the test venv)."""
    assert config_dir() == ROOT / "configs"
    assert group_options("policy/treatment") == sorted(
        p.stem for p in (ROOT / "configs" / "policy" / "treatment").glob("*.yaml"))


def _run(cmd: list[str], cwd: Path, env: dict[str, str],
         timeout: int = 900) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert res.returncode == 0, f"{cmd}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_runs_a_scenario_and_a_sweep_elsewhere(
        tmp_path: Path) -> None:
    # no variable may lead the installed command back to the checkout
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(HYDRA_FULL_ERROR="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    dist = tmp_path / "dist"
    # the declared build system, in pip's isolated build environment (pip cache, registry)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
         cwd=tmp_path, env=env)
    wheel, = dist.glob("revolving_door-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "sim/configs/config.yaml" in names
    assert "sim/configs/policy/treatment/t05.yaml" in names
    assert "sim/params/after_return.yaml" in names  # the parameter files
    assert not any(n.startswith(("configs/", "tests/")) for n in names)
    assert any(".dist-info/" in n and n.endswith("/LICENSE") for n in names)  # carried

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=env)  # no system site
    py = venv / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(py), "-c", "import sim, sim.configs; print(sim.__file__); "
                                 "print(sim.configs.__file__)"], cwd=elsewhere, env=env)
    for line in where.stdout.split():
        assert Path(line).is_relative_to(venv), line  # the installed copy, not the checkout

    exe = str(venv / "bin" / "revolving-door")
    tiny = ["scale=0.01", "warmup_years=2", "years=2", "run.progress=false"]
    res = _run([exe, *tiny, "policy/treatment=t05", "hydra.run.dir=one"], cwd=elsewhere,
               env=env)
    assert "Costs to councils" in res.stdout
    metrics = json.loads((elsewhere / "one" / "metrics.json").read_text())
    assert metrics["treatment_families"] > 0  # the t05 option file was read from the wheel

    res = _run([exe, "-m", "experiment=false_economy", "size=tiny", "run.progress=false",
                "policy/support=status_quo,entitlement", "hydra.sweep.dir=sweep"],
               cwd=elsewhere, env=env)  # size=tiny: 2 seeds, the joblib launcher plugin
    assert "4 jobs: 4 complete" in res.stdout
    for name in ("sweep.csv", "effects.csv", "report.md"):
        assert (elsewhere / "sweep" / name).is_file(), (name, res.stdout[-2000:])
