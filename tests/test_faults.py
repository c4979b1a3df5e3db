"""Faults that lose nothing (issue 13): a folder in use, folders that cannot be written,
a killed run's temporary files, resume against a changed configuration, bad council
names in a policy. Through the `revolving-door` command where that is what users run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.config import ConfigError, ModelConfig, council_names
from sim.results import FolderInUse, LOCK_FILE, OUTPUT_FILES, folder_in_use, folder_lock
from sim.run_report import REPORT_FILES
from sim.sweep import jobs

from conftest import tiny

SMALL = ["scale=0.01", "warmup_years=2", "years=2", "run.progress=false"]


def cli(args: list[str], out: Path | None = None, multirun: bool = False,
        ) -> subprocess.CompletedProcess[str]:
    where = [] if out is None else [f"hydra.{'sweep' if multirun else 'run'}.dir={out}"]
    cmd = [sys.executable, "-m", "sim.cli", *(["-m"] if multirun else []), *args, *where]
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def _one_line_error(res: subprocess.CompletedProcess[str], *words: str) -> str:
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr[-2000:]
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert "Traceback" not in res.stderr + res.stdout
    return lines[0]


# ---------------------------------------------------------------- resume, through the command

def test_resume_skips_only_a_complete_run_of_the_same_config_and_clears_stale_files(
        tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = cli(SMALL + ["seed=1"], out)
    assert res.returncode == 0, res.stderr[-2000:]
    first = (out / "metrics.json").read_bytes()
    stamp = (out / "metrics.json").stat().st_mtime_ns
    # a killed writer's temporary file: removed by the next run into the folder
    (out / ".timeseries.csv.999-0.tmp").write_text("half a file")
    res = cli(SMALL + ["seed=1", "run.resume=true"], out)
    assert res.returncode == 0 and "already complete, skipped" in res.stdout
    assert (out / "metrics.json").stat().st_mtime_ns == stamp  # not run again
    assert not list(out.glob(".*.tmp"))
    # another configuration into the same folder: run, not skipped, whatever is there
    res = cli(SMALL + ["seed=2", "run.resume=true"], out)
    assert res.returncode == 0 and "skipped" not in res.stdout, res.stdout
    assert (out / "metrics.json").read_bytes() != first
    assert json.loads((out / "run.json").read_text())["seed"] == 2
    # and a run whose metrics.json is unreadable is not complete either
    (out / "metrics.json").write_text("{ truncated")
    res = cli(SMALL + ["seed=2", "run.resume=true"], out)
    assert res.returncode == 0 and "skipped" not in res.stdout
    assert json.loads((out / "metrics.json").read_text())


# ---------------------------------------------------------------- a folder in use

def test_a_second_run_into_a_folder_in_use_is_refused_and_changes_nothing(
        tmp_path: Path) -> None:
    out = tmp_path / "busy"
    with folder_lock(out):
        assert folder_in_use(out)
        with pytest.raises(FolderInUse, match=f"process {os.getpid()}"):
            with folder_lock(out):
                pass  # pragma: no cover
        before = sorted(p.name for p in out.rglob("*"))
        res = cli(SMALL, out)
        _one_line_error(res, str(out), "in use by another run")
        assert sorted(p.name for p in out.rglob("*")) == before  # Hydra wrote nothing there
    assert not folder_in_use(out)  # released with the holder
    with folder_lock(out):
        pass


def test_the_lock_ends_with_a_killed_process(tmp_path: Path) -> None:
    code = ("import sys, time; from sim.results import folder_lock\n"
            f"with folder_lock({str(tmp_path)!r}):\n"
            "    print('locked', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        assert folder_in_use(tmp_path)
    finally:
        proc.kill()
        proc.wait()
    assert (tmp_path / LOCK_FILE).exists() and not folder_in_use(tmp_path)


def test_stale_temporaries_are_the_writers_hidden_tmp_files_only(tmp_path: Path) -> None:
    from sim.results import remove_stale_temporaries, stale_temporaries

    stale = [tmp_path / ".metrics.json.123-4.tmp", tmp_path / ".councils.csv.9-0.tmp"]
    for p in stale:
        p.write_text("half")
    (tmp_path / ".a_folder.tmp").mkdir()
    for name in ("notes.tmp", ".hidden", "metrics.json"):
        (tmp_path / name).write_text("keep")
    assert stale_temporaries(tmp_path) == sorted(stale)
    assert remove_stale_temporaries(tmp_path) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".a_folder.tmp", ".hidden", "metrics.json", "notes.tmp"]
    assert stale_temporaries(tmp_path) == []
    assert not folder_in_use(tmp_path) and not (tmp_path / LOCK_FILE).exists()


def test_a_temporary_name_taken_by_a_killed_run_is_passed_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools

    import sim.atomic_write as writing
    import sim.results as results

    monkeypatch.setattr(writing, "_tmp_names", itertools.count())
    taken = tmp_path / f".out.txt.{os.getpid()}-0.tmp"  # a killed run of the same id left it
    taken.write_text("the killed run's")
    results.atomic_write(tmp_path / "out.txt", lambda p: Path(p).write_text("new"))
    assert (tmp_path / "out.txt").read_text() == "new"
    assert taken.read_text() == "the killed run's"  # not ours to remove while writing
    assert results.stale_temporaries(tmp_path) == [taken]


def test_a_metric_that_is_not_a_number_is_written_as_null(tmp_path: Path) -> None:
    import math

    import pandas as pd

    from sim.results import Results

    empty = pd.DataFrame()
    Results({"a": math.nan, "b": 1.5, "c": "text", "d": None}, empty, empty, empty,
            {"seed": 1}).write(tmp_path)
    assert (tmp_path / "metrics.json").read_text() == \
        '{\n  "a": null,\n  "b": 1.5,\n  "c": "text",\n  "d": null\n}\n'
    assert (tmp_path / "run.json").read_text() == "{}\n"


# ---------------------------------------------------------------- folders that cannot be written

def test_an_output_folder_that_cannot_be_written_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("")
    out = tmp_path / "a_file" / "run"
    _one_line_error(cli(SMALL, out), str(out), "cannot write")


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_a_sweep_job_whose_folder_cannot_be_written_is_a_failed_job(tmp_path: Path,
                                                                     launcher: str) -> None:
    """Hydra cannot make job 1's folder (a file is there): that job is failed, with its
    error beside the folder; the other jobs run and the sweep report is made."""
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "1").write_text("a file where job 1's folder goes")
    res = cli(SMALL + ["seed=1,2,3", f"hydra/launcher={launcher}"], folder, multirun=True)
    assert res.returncode == 1, res.stdout[-2000:] + res.stderr[-2000:]  # a job failed
    for num in (0, 2):
        assert (folder / str(num) / "metrics.json").is_file()
        assert json.loads((folder / str(num) / "run.json").read_text())["seed"] == num + 1
    error = (folder / "1.error.txt").read_text()
    assert f"cannot prepare the job's folder {folder / '1'}" in error
    assert (folder / "1").read_text() == "a file where job 1's folder goes"  # left as it was
    assert jobs.run_status(folder / "1")[0] == jobs.FAILED
    sweep = (folder / "sweep.csv").read_text().splitlines()
    assert len(sweep) == 4  # a header and a row a job, the failed one included
    assert "job 1 failed" in res.stdout and "Traceback" not in res.stderr


def test_the_guard_records_a_sweep_jobs_setup_error_and_leaves_a_single_run_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hydra.core.utils import JobStatus
    from omegaconf import OmegaConf

    from sim.sweep.guard import guarded

    calls = []

    def run_job(task_function: Any, config: Any, job_dir_key: str,
                job_subdir_key: str | None, hydra_context: Any,
                configure_logging: bool = True) -> Any:
        calls.append(job_dir_key)
        if config.hydra.job.num == 4:
            raise FileExistsError(17, "File exists", str(tmp_path / "s" / "4"))
        return "ran"

    def cfg(num: int) -> Any:
        return OmegaConf.create({"hydra": {
            "sweep": {"dir": str(tmp_path / "s"), "subdir": "${hydra.job.num}"},
            "run": {"dir": str(tmp_path / "r")}, "job": {"num": num},
            "overrides": {"task": [f"seed={num}"]}}})

    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "4").write_text("x")
    run = guarded(run_job)
    assert run(None, cfg(3), "hydra.sweep.dir", "hydra.sweep.subdir", None) == "ran"
    ret = run(hydra_context=None, task_function=None, config=cfg(4),
              job_dir_key="hydra.sweep.dir", job_subdir_key="hydra.sweep.subdir")
    assert ret.status == JobStatus.COMPLETED and ret.return_value is None
    assert ret.overrides == ["seed=4"]
    error = (tmp_path / "s" / "4.error.txt").read_text()
    assert f"cannot prepare the job's folder {tmp_path / 's' / '4'}: [Errno 17]" in error
    assert "job 4 failed" in capsys.readouterr().err
    assert jobs.run_status(tmp_path / "s" / "4")[0] == jobs.FAILED
    with pytest.raises(FileExistsError):  # a single run: Hydra's own error, unchanged
        run(None, cfg(4), "hydra.run.dir", None, None)
    assert calls == ["hydra.sweep.dir"] * 2 + ["hydra.run.dir"]
    assert getattr(run, "_revolving_door_guarded")
    import importlib

    from sim.sweep.guard import LAUNCHER_MODULES, install
    install()
    assert install() == []  # wrapped once only
    for name in LAUNCHER_MODULES:
        assert getattr(importlib.import_module(name).run_job, "_revolving_door_guarded")


def test_a_failure_whose_error_txt_cannot_be_written_is_recorded_beside_it(
        tmp_path: Path) -> None:
    job = tmp_path / "3"
    job.mkdir()
    (job / jobs.ERROR_FILE).mkdir()  # error.txt cannot be written in the job's folder
    where = jobs.mark_failed(job, "Traceback ...\nOSError: disk full\n")
    assert where == tmp_path / "3.error.txt"
    status, message = jobs.run_status(job)
    assert status == jobs.FAILED and message.startswith(f"(error.txt could not be written in "
                                                        f"{job}: ")
    assert "OSError: disk full" in where.read_text()
    assert jobs.count_status(tmp_path, 4)["failed"] == 1
    jobs.clear_failure(job)
    assert not where.exists()
    # and a folder whose own error.txt can be written keeps it there
    ok = tmp_path / "4"
    assert jobs.mark_failed(ok, "ValueError: boom\n") == ok / jobs.ERROR_FILE
    assert jobs.run_status(ok) == (jobs.FAILED, "ValueError: boom")


# ---------------------------------------------------------------- council names in policies

def test_unknown_council_in_a_policy_is_a_one_line_error_from_the_command(
        tmp_path: Path) -> None:
    res = cli(SMALL + ["policy/support=entitlement", "policy.support.councils=[C001,C999]"],
              tmp_path / "out")
    _one_line_error(res, "policy.support.councils", "'C999'", "C001", "0 to 149")
    assert not (tmp_path / "out" / "metrics.json").exists()


@pytest.mark.parametrize(("councils", "expected"), [
    (["C151"], "unknown council 'C151'"), ([150], "unknown council 150"),
    ([-1], "unknown council -1"), ([True], "unknown council True"),
    ("C001", "expected a list")])
def test_policy_council_lists_are_checked_when_the_config_is(councils: object,
                                                             expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        ModelConfig.from_dict({"policy": {"monitoring": {"kind": "minimum_months",
                                                         "councils": councils}}})
    ModelConfig.from_dict({"policy": {"monitoring": {"kind": "minimum_months",
                                                     "councils": ["C150", 0, 149]}}})


def test_duplicate_council_names_are_refused() -> None:
    listed = [{"name": "North"}, {"name": "South"}, {"name": "North"}]
    with pytest.raises(ConfigError, match=r"councils.listed\[2\].name: duplicate council "
                                          r"name 'North' \(also councils.listed\[0\]\)"):
        ModelConfig.from_dict({"councils": {"mode": "listed", "listed": listed}})


@pytest.mark.parametrize("councils", [
    {}, {"n": 7}, {"mode": "listed", "listed": [{"name": "B"}, {"name": "A"}]}])
def test_the_names_checked_are_the_names_the_model_gives(councils: dict[str, object]) -> None:
    from sim.model import RevolvingDoorModel

    cfg = ModelConfig.from_dict(tiny(councils=councils))
    model = RevolvingDoorModel(cfg)
    assert council_names(cfg.councils) == [c.name for c in model.councils]
    model.release()


def test_a_policy_for_listed_councils_applies_to_the_one_named() -> None:
    listed = [{"name": "A", "size_share": 1.0}, {"name": "B", "size_share": 1.0}]
    res = sim.run(tiny(seed=3, scale=0.01, councils={"mode": "listed", "listed": listed},
                       policy={"support": {"kind": "entitlement", "councils": ["B"]}}))
    base = sim.run(tiny(seed=3, scale=0.01, councils={"mode": "listed", "listed": listed}))
    pol, ref = res.councils.set_index("council"), base.councils.set_index("council")
    assert pol.loc["A"].equals(ref.loc["A"]) and not pol.loc["B"].equals(ref.loc["B"])


# ---------------------------------------------------------------- Hydra misuse (issue 23)

@pytest.mark.parametrize("flags", [["-m", "--cfg", "job"], ["--cfg", "job", "--info", "all"],
                                   ["-m", "--info", "config"], ["--run", "-m"]])
def test_two_of_hydras_modes_at_once_are_a_one_line_error(tmp_path: Path,
                                                          flags: list[str]) -> None:
    """`-m` with `--cfg` (or any two of --run, -m, --cfg, --info): Hydra raises a
    ValueError from inside its main, a traceback; the command says it in one line, exit 2,
    before any folder is made."""
    out = tmp_path / "sweep"
    cmd = [sys.executable, "-m", "sim.cli", *flags, "seed=1,2", f"hydra.sweep.dir={out}",
           f"hydra.run.dir={out}"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, HYDRA_FULL_ERROR="0"))
    line = _one_line_error(res, "only one of", "at a time")
    for flag in flags:
        if flag.startswith("-"):
            assert flag in line, (flag, line)
    assert not out.exists()


@pytest.mark.parametrize(("flags", "words"), [
    (["--cfg", "jobs"], ["--cfg", "'jobs'", "'job', 'hydra', 'all'"]),
    (["--info", "seed=2"], ["--info", "'seed=2'"]),
    (["--no-such-flag"], ["--no-such-flag"])])
def test_a_flag_hydras_parser_refuses_is_a_one_line_error(tmp_path: Path, flags: list[str],
                                                          words: list[str]) -> None:
    """argparse's own answer is its usage (eight lines) and the error; the command gives
    the error in one line, exit 2, nothing made."""
    out = tmp_path / "run"
    res = subprocess.run([sys.executable, "-m", "sim.cli", *flags, f"hydra.run.dir={out}"],
                         capture_output=True, text=True, timeout=300)
    line = _one_line_error(res, *words, "revolving-door --help")
    assert "usage:" not in line and not out.exists()


# ---------------------------------------------------------------- a sweep folder in use (issue 23)

SWEEP = ["scale=0.02", "warmup_years=4", "years=4", "run.progress=false"]


def _job_seeds(folder: Path) -> dict[int, tuple[int, str]]:
    """Each job folder's seed in run.json and the seed override Hydra saved there."""
    out = {}
    for job in sorted(p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()):
        over = (job / ".hydra" / "overrides.yaml").read_text()
        seed = next(ln.split("seed=")[1].strip() for ln in over.splitlines() if "seed=" in ln)
        out[int(job.name)] = (json.loads((job / "run.json").read_text())["seed"], seed)
    return out


def _first_sweep_intact(folder: Path, seeds: list[int]) -> None:
    assert _job_seeds(folder) == {i: (s, str(s)) for i, s in enumerate(seeds)}
    assert f"seed={','.join(map(str, seeds))}" in (folder / "multirun.yaml").read_text()
    sweep = (folder / "sweep.csv").read_text().splitlines()
    assert len(sweep) == 1 + len(seeds)
    assert all(jobs.run_status(folder / str(i))[0] == jobs.COMPLETE for i in range(len(seeds)))


@pytest.mark.slow
def test_a_second_sweep_into_a_sweep_folder_is_refused_and_the_first_kept(
        tmp_path: Path) -> None:
    """Two sweeps into one hydra.sweep.dir: before, neither was refused; the second
    overwrote multirun.yaml and the first jobs' folders, and the first exited 0 reporting
    the other's jobs. Now the second is refused (exit 2, one line) while the first runs,
    and a finished sweep folder is refused unless the command resumes it."""
    folder = tmp_path / "sweep"
    seeds = [1, 2, 3, 4, 5, 6, 7, 8]
    cmd = [sys.executable, "-m", "sim.cli", "-m", *SWEEP, f"seed={','.join(map(str, seeds))}",
           f"hydra.sweep.dir={folder}"]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, HYDRA_FULL_ERROR="0"))
    try:
        deadline = time.time() + 120
        while not (folder / "multirun.yaml").exists() and first.poll() is None:
            assert time.time() < deadline
            time.sleep(0.05)
        second = cli(SWEEP + ["seed=11,12,13"], folder, multirun=True)
        still_running = first.poll() is None
        out, err = first.communicate(timeout=600)
    finally:
        first.kill()
    _one_line_error(second, str(folder), "in use by another run")
    assert still_running, "the first sweep ended before the second was refused: lengthen it"
    assert first.returncode == 0, out[-2000:] + err[-2000:]
    assert "8 of 8" in out and "seed=11" not in out
    _first_sweep_intact(folder, seeds)
    # finished: another sweep into it is refused, whatever its jobs
    third = cli(SWEEP + ["seed=11,12,13"], folder, multirun=True)
    _one_line_error(third, str(folder), "already holds a sweep", "8 of 8 jobs complete",
                    "run.resume=true")
    _first_sweep_intact(folder, seeds)
    # resumed: the same sweep runs again, skipping every complete job
    stamps = {i: (folder / str(i) / "metrics.json").stat().st_mtime_ns for i in range(8)}
    res = cli(SWEEP + [f"seed={','.join(map(str, seeds))}", "run.resume=true"], folder,
              multirun=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert res.stdout.count("already complete, skipped") == 8
    assert {i: (folder / str(i) / "metrics.json").stat().st_mtime_ns for i in range(8)} == stamps
    _first_sweep_intact(folder, seeds)
    assert not folder_in_use(folder)  # released when the sweep ended


# ---------------------------------------------------------------- two runs at once (issue 23)

AT_TIME = """\
import sys, time
from sim.cli import command
start = float(sys.argv[1])
sys.argv = ["revolving-door", *sys.argv[2:]]
time.sleep(max(0.0, start - time.time()))  # both processes imported: start together
command()
"""


@pytest.mark.slow
def test_two_runs_started_together_into_one_folder_leave_nothing_of_the_refused_one(
        tmp_path: Path) -> None:
    """Two runs into one folder at the same moment (to a few milliseconds, and a little
    apart): one runs, the other is refused (exit 2, one line). Before, the lock was taken
    after Hydra had written .hydra/ (config.yaml, overrides.yaml): in 2 of 3 tries the
    refused run's files, with its seed, were left in the winner's folder. Now every file
    there is the winner's."""
    script = tmp_path / "at_time.py"
    script.write_text(AT_TIME)
    for i, lag in enumerate((0.0, 0.0, 0.05, 0.1, 0.2)):
        out = tmp_path / f"try{i}"
        start = time.time() + 10.0
        procs = [subprocess.Popen(
            [sys.executable, str(script), str(start + (lag if seed == 202 else 0.0)), *SMALL,
             f"seed={seed}", f"hydra.run.dir={out}"], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=dict(os.environ, HYDRA_FULL_ERROR="0"))
            for seed in (101, 202)]
        results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
        codes = sorted(r[2] for r in results)
        assert codes == [0, 2], (lag, [r[1][-1500:] for r in results])
        won = 101 if results[0][2] == 0 else 202
        lost = 303 - won
        assert json.loads((out / "run.json").read_text())["seed"] == won
        for name in ("config.yaml", "overrides.yaml", "hydra.yaml"):
            text = (out / ".hydra" / name).read_text()
            assert f"seed={lost}" not in text and f"seed: {lost}" not in text, (lag, name)
            assert f"seed={won}" in text or f"seed: {won}" in text, (lag, name)
        names = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
        assert names == sorted([".hydra", ".hydra/config.yaml", ".hydra/hydra.yaml",
                                ".hydra/overrides.yaml", LOCK_FILE, "cli.log",
                                *OUTPUT_FILES, *REPORT_FILES]), names
        assert not folder_in_use(out)
        # refused before Hydra wrote there: by the callback, not by the run's own lock
        refused = next(r for r in results if r[2] == 2)
        lines = [ln for ln in refused[1].splitlines() if ln.strip()]
        assert len(lines) == 1 and "in use by another run" in lines[0], (lag, refused[1])


# ---------------------------------------------------------------- a run too big (issue 23)

BIG = {"scale": 10.0, "warmup_years": 40, "years": 50}


def test_a_run_too_big_for_the_memory_available_is_refused_in_one_line() -> None:
    from sim.memory import check_memory, estimate_bytes

    cfg = ModelConfig.from_dict(BIG)
    need = estimate_bytes(cfg)
    assert need > 30e9  # scale 10 over 90 years: tens of GB
    with pytest.raises(ConfigError) as err:
        check_memory(cfg, available=int(22.3e9))
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("scale, years, warmup_years: ")
    assert f"needs about {need / 1e9:.1f} GB of memory and 22.3 GB is available" in msg
    assert "scale up to about" in msg
    # the largest scale it offers fits, at the same years
    largest = float(msg.split("scale up to about ")[1].split(")")[0])
    check_memory(ModelConfig.from_dict(dict(BIG, scale=largest * 0.999)),
                 available=int(22.3e9))
    # the national run (815 MB measured) fits in 2 GB
    check_memory(ModelConfig(), available=2 * 10**9)


def test_sim_run_refuses_a_run_too_big_before_building_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.memory
    import sim.results

    def no_model(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the model was built")

    monkeypatch.setattr(sim.results, "RevolvingDoorModel", no_model)
    monkeypatch.setattr(sim.memory, "available_bytes", lambda: 4 * 10**9)
    with pytest.raises(ConfigError, match="is available"):
        sim.run(BIG)


def test_the_command_refuses_a_run_too_big_and_leaves_no_folder(tmp_path: Path) -> None:
    from sim.memory import available_bytes, estimate_bytes

    available = available_bytes()
    if available is None or available >= estimate_bytes(ModelConfig.from_dict(BIG)):
        pytest.skip("this machine could hold the run: it would be run, not refused")
    out = tmp_path / "big"
    res = cli([f"{k}={v}" for k, v in BIG.items()] + ["run.progress=false"], out)
    line = _one_line_error(res, "configuration error: scale, years, warmup_years",
                           "GB of memory and", "GB is available")
    assert "MemoryError" not in line and not out.exists()


def test_the_memory_estimate_is_above_a_measured_peak_and_near_it(tmp_path: Path) -> None:
    """A run of 440,000 expected children (scale 0.6 over 22 years), measured in a fresh
    process as benchmarks/memory.py measures: its peak above the start is below the
    estimate, and more than half of it (the estimate follows the model's memory)."""
    code = ("import json, os, resource, sim\nfrom sim.config import ModelConfig\n"
            "from sim.memory import estimate_bytes\n"
            "start = int(open('/proc/self/statm').read().split()[1]) * "
            "os.sysconf('SC_PAGE_SIZE')\n"
            "cfg = ModelConfig.from_dict({'scale': 0.6})\n"
            "sim.run(cfg, workers=1)\n"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
            "print(json.dumps([peak - start, estimate_bytes(cfg)]))\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    peak, estimate = json.loads(res.stdout.strip().splitlines()[-1])
    assert 0.5 * estimate < peak < estimate, (peak / 1e6, estimate / 1e6)
