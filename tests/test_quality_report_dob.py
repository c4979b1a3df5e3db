"""A malformed date of birth never reaches the data-quality report (issue 23, survivor 8).

A date of birth that cannot be read is reported as a problem (file, line, what was done),
never with its value, even when the report's display of wrong values is loosened to show
everything (``quality._CODE_LIKE`` matching any value): the identifier tests alone passed
with the raw value in ``quality_report.*``, because that value is not a well-formed date.
The wider privacy tests (every identifying field) are in ``tests/test_privacy.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim.ssda903 import quality
from sim.ssda903.cli import main

EPISODES = """LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
LA1,K1,01/05/2015,S,C1,N1,U6,PR1,10/08/2016,E4A,,,,
LA1,K2,03/02/2016,S,V2,N1,U6,PR1,,,,,,
LA1,K3,05/06/2016,S,V2,N5,U6,PR1,,,,,,
"""
#: malformed dates of birth: an impossible day, month 13, a letter O for a zero, and one
#: that looks like a code (which the loosened display would show first)
MALFORMED = ["31/02/2009", "2010-13-45", "1O/1O/2010", "B12"]
HEADER = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n" + "".join(
    f"LA1,K{i + 1},1,{dob},WBRI,,,\n" for i, dob in enumerate(MALFORMED[:3])) + \
    "LA1,K4,2,B12,WBRI,,,\n"


def test_a_malformed_date_of_birth_is_reported_without_its_value(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quality, "_CODE_LIKE", re.compile(r".*", re.S))  # display loosened
    assert quality.shown_value("31/02/2009") == "'31/02/2009'"  # it is loosened
    (tmp_path / "episodes.csv").write_text(EPISODES)
    (tmp_path / "header.csv").write_text(HEADER)
    out = tmp_path / "out"
    assert main(["describe", str(tmp_path / "episodes.csv"), str(tmp_path / "header.csv"),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr()
    # the problem is reported: four dates of birth, by line
    rep = pd.read_csv(out / "quality_report.csv", dtype=str).fillna("")
    dob = rep[(rep["column"] == "DOB") & (rep["problem"] == "unparseable date")]
    assert len(dob) == 1 and int(dob["rows"].iat[0]) == 4
    assert (rep["column"] == "DOB").sum() == 1  # reported once, not again as missing
    assert dob["example_rows"].iat[0].split() == ["2", "3", "4", "5"]
    assert dob["action"].iat[0].startswith("kept")  # what was done: kept, age unknown
    # and no value of it anywhere: the report's files, every other output, the screen
    written = sorted(out.iterdir())
    assert {p.name for p in written} >= {"quality_report.csv", "quality_report.md"}
    for path in written:
        if path.suffix == ".png":  # a picture's bytes can spell "B12" by chance
            continue
        text = path.read_text(errors="replace")
        for value in MALFORMED:
            assert value not in text, (value, path.name)
    for value in MALFORMED:
        assert value not in printed.out + printed.err, value
