"""A newcomer's first hour (issue 16): a refused run leaves nothing behind, slips get one
line and a suggestion, --help says what the tool does, policies have one name, and a run
from Python can show progress."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.config_files import group_options
from conftest import tiny

TINY = ["scale=0.02", "warmup_years=2", "years=2", "run.progress=false"]


def command(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command, from a folder of its own (no hydra.run.dir given)."""
    exe = Path(sys.executable).with_name("revolving-door")
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.mark.parametrize("args", [["params.after_return.detect_open=1.5"],
                                  ["run.workers=zero"], ["councils.mode=imagined"]])
def test_a_run_refused_by_validation_leaves_no_output_folder(tmp_path: Path,
                                                             args: list[str]) -> None:
    res = command(TINY + args, tmp_path)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("revolving-door: configuration error: ")
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert list(tmp_path.iterdir()) == []  # no outputs/<date>/<time>/ with .hydra and a log


@pytest.mark.parametrize(("args", "line"), [
    (["sclae=0.1"], "sclae: no such setting; did you mean scale=0.1?"),
    (["workers=2"], "workers: no such setting; did you mean run.workers=2?"),
    (["run.wokers=2"], "run.wokers: no such setting; did you mean run.workers=2?"),
    (["policy/support=entitlment"], "policy/support=entitlment: no such option; did you mean "
     "entitlement? (options: entitlement, entitlement_cap12, entitlement_cap24, "
     "entitlement_holmes, status_quo)"),
    (["polcy/treatment=t05"], "polcy/treatment: no such config group; did you mean "
     "policy/treatment=t05?"),
    (["experiment=false"], "experiment=false: no such option; did you mean false_economy?"),
    (["-m", "seed=1,2", "policy/monitoring=m12,m18"], "policy/monitoring=m18: no such option; "
     "did you mean m12?"),
])
def test_hydra_level_slips_get_one_line_a_suggestion_and_exit_2(
        tmp_path: Path, args: list[str], line: str) -> None:
    res = command(args, tmp_path)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"revolving-door: configuration error: {line}"), lines[0]
    assert "+" not in lines[0].split("error: ", 1)[1].split("(")[0]  # no "+key=" advice
    assert list(tmp_path.iterdir()) == []


def test_help_says_what_the_tool_does_and_lists_groups_and_options(tmp_path: Path) -> None:
    res = command(["--help"], tmp_path)
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert text.startswith("revolving-door: simulate children returning home from care")
    assert "Hydra" not in text.splitlines()[0] and "== Config ==" not in text
    assert len(text.splitlines()) < 60
    for group in ("councils", "experiment", "policy/support", "policy/monitoring",
                  "policy/treatment", "size", "sensitivity"):
        row = next(ln for ln in text.splitlines() if ln.startswith(f"  {group} "))
        block = text[text.index(row):].split("\n  ", 8)  # the row and its wrapped lines
        listed = " ".join(block[:4])
        for option in group_options(group):
            assert option in listed, (group, option)
    assert "status_quo*" in text and "england*" in text  # the defaults are marked
    assert "run.workers=auto" in text and "scale=1.0" in text  # settings with defaults


def test_run_json_names_policies_the_same_from_the_command_line_and_python(
        tmp_path: Path) -> None:
    res = command(TINY + ["policy/monitoring=m12", "policy/support=entitlement_cap24",
                          "hydra.run.dir=out"], tmp_path)
    assert res.returncode == 0, res.stderr
    from_cli = json.loads((tmp_path / "out" / "run.json").read_text())["policies"]
    expected = {"support": "entitlement_cap24", "monitoring": "m12", "treatment": "status_quo"}
    assert from_cli == expected
    from_python = sim.run(tiny(warmup_years=2, years=2, policy={
        "monitoring": {"kind": "minimum_months", "min_months": 12},
        "support": {"kind": "entitlement", "cap_months": 24}})).run_info["policies"]
    assert from_python == expected


def test_run_json_spells_out_settings_no_option_has() -> None:
    res = sim.run(tiny(warmup_years=1, years=1, policy={
        "treatment": {"kind": "access", "share": 0.4, "waiting_months": 2}}))
    assert res.run_info["policies"] == {"support": "status_quo", "monitoring": "status_quo",
                                        "treatment": "access(share=0.4, waiting_months=2)"}


def test_progress_from_python_goes_to_stderr_when_asked(
        capsys: pytest.CaptureFixture[str]) -> None:
    sim.run(tiny(warmup_years=1, years=2), progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "\r  simulated  3 of 3 years\n" in err
    assert err.count("simulated") >= 3  # a line a year, rewritten in place
    sim.run(tiny(warmup_years=1, years=1))
    assert capsys.readouterr() == ("", "")  # off unless asked: loops of runs stay quiet
    with pytest.raises(TypeError, match="progress"):
        sim.run(tiny(), progress="yes")  # type: ignore[arg-type]
