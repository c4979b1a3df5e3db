"""Faults in a council's files that must not pass silently (issue 23): a file cut short in
its last row, dates written month first (mm/dd/yyyy), and a run from data that would leave
out more than a small share of the rows.

The extracts are the model's own (``revolving-door-data simulate``'s writer on a small
run); the damage is done here to the CSV text, and what is expected is counted here from
that text with plain Python, not with the reader under test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config import ConfigError, ModelConfig
from sim.model import RevolvingDoorModel
from sim.ssda903.cli import main
from sim.ssda903.read import Ssda903Error, read_extract
from sim.ssda903.write import write_model

HEAD = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST," \
       "PL_POST,URN\n"


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One council (scale 0.005) run 8 + 4 years and written as one episodes and one
    header file: a few hundred children."""
    model = RevolvingDoorModel({"seed": 5, "scale": 0.005, "years": 4, "warmup_years": 8,
                                "start_year": 2014, "councils": {
                                    "mode": "listed", "listed": [{"name": "Example"}]}})
    model.run()
    root = tmp_path_factory.mktemp("faults_data")
    write_model(model, root, years=None)
    model.release()
    assert (root / "episodes.csv").is_file() and (root / "header.csv").is_file()
    return root


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# ------------------------------------------------------------------ a truncated last row

def _cut_copies(extract: Path, tmp_path: Path) -> list[tuple[Path, int, str]]:
    """The episodes file cut in its last row at several points: after a whole field whose
    rest is optional (the silent case: every needed column there), and inside a date.
    Returns (folder, the cut row's line, how it was cut)."""
    text = (extract / "episodes.csv").read_text()
    lines = text.splitlines(keepends=True)
    # the last closed episode: cut it after REC (its reason for ending), mid-row
    last = max(i for i, ln in enumerate(lines) if _rows(ln)[0][8] != "" and i > 0)
    fields = _rows(lines[last])[0]
    upto_rec = ",".join(fields[:9])
    cuts = [("after REC, the rest of the row lost", upto_rec),
            ("inside DEC", ",".join(fields[:7]) + "," + fields[7][:5])]
    out = []
    for i, (how, partial) in enumerate(cuts):
        folder = tmp_path / f"cut{i}"
        folder.mkdir()
        (folder / "episodes.csv").write_text("".join(lines[:last]) + partial)
        (folder / "header.csv").write_text((extract / "header.csv").read_text())
        out.append((folder, last + 1, how))
    return out


def test_a_truncated_last_row_is_a_reported_problem(extract: Path, tmp_path: Path) -> None:
    """An episodes file cut in its last row: the row is left out and reported (its line
    named), never 'no problems found' with the partial row kept."""
    whole = read_extract([extract / "episodes.csv", extract / "header.csv"])
    assert "no problems found" in whole.report.summary()  # the model's files are clean
    for folder, line, how in _cut_copies(extract, tmp_path):
        ex = read_extract([folder / "episodes.csv", folder / "header.csv"])
        summary = ex.report.summary()
        assert "no problems found" not in summary, how
        cut = [i for i in ex.report.issues if "cut short" in i.problem]
        assert len(cut) == 1 and cut[0].file == "episodes.csv", (how, summary)
        assert cut[0].examples == [str(line)] and cut[0].rows == 1, how
        assert "left out" in cut[0].action
        # the row read, then left out: one fewer episode than the rows before the cut
        rows_before = line - 2
        assert ex.report.counts["episode rows read"] == rows_before + 1
        assert ex.report.counts["episode rows left out (see problems)"] >= 1
        assert len(ex.episodes) <= rows_before
        # and through the command
        out = tmp_path / f"described_{folder.name}"
        code = main(["describe", str(folder / "episodes.csv"), str(folder / "header.csv"),
                     "--out", str(out)])
        assert code == 0
        report = pd.read_csv(out / "quality_report.csv")
        assert report["problem"].str.contains("cut short").sum() == 1, how


def test_a_file_ending_without_a_line_break_is_reported(tmp_path: Path) -> None:
    """Every field of the last row there, but no line break after it: the last field may
    have been cut; the row is kept and the problem reported."""
    text = HEAD + "A,01/05/2015,S,C1,N1,U6,PR1,10/08/2016,E4A,,,,SC1\n" \
                  "B,01/06/2015,S,C1,N1,U6,PR1,10/08/2016,E4A,,,,SC1"
    (tmp_path / "episodes.csv").write_text(text)
    ex = read_extract([tmp_path / "episodes.csv"])
    issue = [i for i in ex.report.issues if "line break" in i.problem]
    assert len(issue) == 1 and issue[0].examples == ["3"] and "kept" in issue[0].action
    assert len(ex.episodes) == 2
    (tmp_path / "episodes.csv").write_text(text + "\n")
    assert not [i for i in read_extract([tmp_path / "episodes.csv"]).report.issues
                if "line break" in i.problem]


# ------------------------------------------------------------------ dates written month first

def _month_first(extract: Path, to: Path) -> Path:
    """The extract with every date written mm/dd/yyyy (a spreadsheet's US setting)."""
    to.mkdir()
    for name in ("episodes.csv", "header.csv"):
        text = (extract / name).read_text()
        (to / name).write_text(re.sub(r"\b(\d\d)/(\d\d)/(\d{4})\b", r"\2/\1/\3", text))
    return to


def _command(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("revolving-door")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, HYDRA_FULL_ERROR="0"), timeout=300)


def test_dates_written_month_first_are_refused(extract: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Every date mm/dd/yyyy: those with a day above 12 cannot be read day first and the
    rest are read as the wrong day; before, a run from such files started with about a
    third of the children in care (230 of 604) and exited 0. Refused, naming the file and
    the column, by the reader, by describe, and by a run from data (no folder made)."""
    us = _month_first(extract, tmp_path / "us")
    text = (us / "episodes.csv").read_text()
    second = [int(m.group(2)) for m in re.finditer(r"\b(\d\d)/(\d\d)/(\d{4})\b", text)]
    assert max(second) > 12  # the damage shows: a "month" above 12
    with pytest.raises(Ssda903Error, match=r"episodes.csv: column DECOM: dates written "
                                           r"month first \(mm/dd/yyyy\)"):
        read_extract([us / "episodes.csv", us / "header.csv"])
    assert main(["describe", str(us / "episodes.csv"), str(us / "header.csv"), "--out",
                 str(tmp_path / "described")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "month first" in err[0] and "dd/mm/yyyy" in err[0]
    with pytest.raises(ConfigError, match=r"^councils.path: .*month first"):
        ModelConfig.from_dict({"councils": {"mode": "from_data", "path": str(us)}})
    out = tmp_path / "run"
    res = _command(["councils=from_data", f"councils.path={us}", "years=1",
                    "run.progress=false", f"hydra.run.dir={out}"], tmp_path)
    assert res.returncode == 2, res.stdout[-1500:] + res.stderr[-1500:]
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "month first" in lines[0] and "councils.path" in lines[0]
    assert not out.exists()
    # the header alone written month first is refused the same way (column DOB), and no
    # date of birth is in the message
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "episodes.csv").write_text((extract / "episodes.csv").read_text())
    (mixed / "header.csv").write_text((us / "header.csv").read_text())
    with pytest.raises(Ssda903Error, match=r"header.csv: column DOB: dates written month "
                                           r"first") as info:
        read_extract([mixed / "episodes.csv", mixed / "header.csv"])
    assert not re.search(r"\d\d/\d\d/\d{4}", str(info.value))


# ------------------------------------------------------------------ rows left out of a run from data

def _damaged(extract: Path, to: Path, share: float) -> tuple[Path, int, int]:
    """The extract with a start date made unreadable in every k-th episode row (about
    ``share`` of them). Returns the folder, the rows damaged and the rows in the file."""
    rows = _rows((extract / "episodes.csv").read_text())
    head, body = rows[0], rows[1:]
    step = max(1, round(1 / share))
    damaged = 0
    for i in range(0, len(body), step):
        body[i][head.index("DECOM")] = "not a date"
        damaged += 1
    to.mkdir()
    with open(to / "episodes.csv", "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([head, *body])
    (to / "header.csv").write_text((extract / "header.csv").read_text())
    return to, damaged, len(body)


def test_a_run_from_data_refuses_files_with_too_many_rows_left_out(extract: Path,
                                                                   tmp_path: Path) -> None:
    """More than councils.max_left_out (2% by default) of the episode rows left out by
    the data-quality checks: refused, naming the count, the share, why and the setting;
    at a share under it, or with the setting raised, the run goes on and says how many."""
    bad, damaged, total = _damaged(extract, tmp_path / "bad", 0.05)
    assert damaged / total > 0.04
    with pytest.raises(ConfigError) as err:
        ModelConfig.from_dict({"councils": {"mode": "from_data", "path": str(bad)}})
    msg = str(err.value)
    assert msg.startswith("councils.path: ") and f"{damaged:,d} of {total:,d} episode rows" \
        in msg and "DECOM: unparseable date" in msg and "councils.max_left_out" in msg, msg
    cfg = ModelConfig.from_dict({"councils": {"mode": "from_data", "path": str(bad),
                                              "max_left_out": 0.1}})
    assert cfg.councils.max_left_out == 0.1
    for value in (-0.1, 1.5, "x"):
        with pytest.raises(ConfigError, match="councils.max_left_out"):
            ModelConfig.from_dict({"councils": {"mode": "from_data", "path": str(bad),
                                                "max_left_out": value}})
    few, damaged_few, _ = _damaged(extract, tmp_path / "few", 0.01)
    assert 0 < damaged_few / total <= 0.02
    ModelConfig.from_dict({"councils": {"mode": "from_data", "path": str(few)}})


def test_a_run_from_data_prints_and_records_the_rows_left_out(extract: Path,
                                                              tmp_path: Path) -> None:
    """Always, even when none: the command's summary says how many episode rows were left
    out and why, and run.json's from_data records it."""
    bad, damaged, total = _damaged(extract, tmp_path / "bad", 0.05)
    out = tmp_path / "run"
    res = _command(["councils=from_data", f"councils.path={bad}", "councils.max_left_out=0.1",
                    "years=1", "run.progress=false", f"hydra.run.dir={out}"], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    share = f"{damaged / total:.1%}"
    assert f"{damaged:,d} of {total:,d} episode rows left out ({share})" in res.stdout, \
        res.stdout[:1500]
    assert f"DECOM: unparseable date {damaged:,d}" in res.stdout
    info = json.loads((out / "run.json").read_text())["from_data"]["rows_left_out"]
    assert info == {"episode_rows_read": total, "episode_rows_left_out": damaged,
                    "share": pytest.approx(damaged / total), "allowed_share": 0.1,
                    "why": {"DECOM: unparseable date": damaged}}
    clean = tmp_path / "clean"
    res = _command(["councils=from_data", f"councils.path={extract}", "years=1",
                    "run.progress=false", f"hydra.run.dir={clean}"], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    total_clean = len(_rows((extract / "episodes.csv").read_text())) - 1
    assert f"0 of {total_clean:,d} episode rows left out" in res.stdout
    info = json.loads((clean / "run.json").read_text())["from_data"]["rows_left_out"]
    assert info["episode_rows_left_out"] == 0 and info["why"] == {}
