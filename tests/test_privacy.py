"""The data-quality report never shows a raw value of an identifying field (issue 23).

Malformed values in each identifying field (the child's identifier, dates of birth, the
postcodes, UPN, URN, the mother's and her child's) are fed to the reader with the report's
display of wrong values loosened to show everything (:data:`sim.ssda903.quality._CODE_LIKE`
matching any value, the way a well-meant change would loosen it); no raw value may reach
``quality_report.csv``, ``quality_report.md`` or the printed summary. The guard is in the
report itself (:class:`~sim.ssda903.quality.Issue`), so it holds whatever a caller passes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim.ssda903 import codes, quality
from sim.ssda903.cli import main
from sim.ssda903.read import read_extract

EPISODES = """\
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
QX71,01/05/2015,S,C1,N1,U6,PR1,10/08/2016,E4A,,ZZ99 9QZ!,SW1A,SC99X
QX72,03/02/2016,S,V2,N9,U6,PR1,,,,ZZ9!,ZZ8 8QD-,SCX 77
QX73 ?,05/06/2016,S,V2,N5,U6,PR1,01/07/2016,E8,,ZW1,PR4X,K2Q9
,07/07/2016,S,C1,N1,U6,PR1,,,,ZQ7,ZQ8,U6Z
"""
HEADER = """\
CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
QX71,1,31/02/2009,WBRI,A99900000001X,QM9,30/02/2031
QX72,2,2010-13-45,WBRI,UPN?77,QM8,07/19/2030
QX73 ?,1,19/10/05,WBRI,QQ1,QM7,1/1/1
QX74,1,1O/1O/2010,WBRI,,,
"""
#: the raw values of the identifying fields above (CHILD, DOB, HOME_POST, PL_POST, URN,
#: UPN, MOTHER, MC_DOB); several look like codes (SW1A, ZW1, K2Q9, QQ1)
RAW = ["QX71", "QX72", "QX73 ?", "QX74", "31/02/2009", "2010-13-45", "19/10/05",
       "1O/1O/2010", "ZZ99 9QZ!", "SW1A", "ZZ9!", "ZZ8 8QD-", "ZW1", "PR4X", "ZQ7", "ZQ8",
       "SC99X", "SCX 77", "K2Q9", "U6Z", "A99900000001X", "UPN?77", "QQ1", "QM9", "QM8",
       "QM7", "30/02/2031", "07/19/2030", "1/1/1"]


@pytest.fixture
def loosened(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's display of wrong values loosened to show any value."""
    monkeypatch.setattr(quality, "_CODE_LIKE", re.compile(r".*", re.S))
    assert quality.shown_value("QX71 ?") == "'QX71 ?'"


def _outputs(folder: Path, summary: str) -> dict[str, str]:
    return {"quality_report.csv": (folder / "quality_report.csv").read_text(),
            "quality_report.md": (folder / "quality_report.md").read_text(),
            "summary": summary}


def _leaks(texts: dict[str, str], report: quality.QualityReport) -> list[tuple[str, str]]:
    found = [(name, raw) for name, text in texts.items() for raw in RAW if raw in text]
    # and, value by value, the only column where a value is shown
    for issue in report.issues:
        if issue.column in codes.IDENTIFYING:
            found += [(f"values of {issue.column}", raw) for raw in RAW
                      if f"'{raw}'" in issue.values]
    return found


def test_no_raw_identifying_value_reaches_the_quality_report(tmp_path: Path,
                                                             loosened: None) -> None:
    (tmp_path / "episodes.csv").write_text(EPISODES)
    (tmp_path / "header.csv").write_text(HEADER)
    extract = read_extract([tmp_path / "episodes.csv", tmp_path / "header.csv"])
    report = extract.report
    # the malformed values were seen: each is a reported problem of its column
    problems = {(i.column, i.problem) for i in report.issues}
    assert ("DOB", "unparseable date") in problems and ("CHILD", "missing value") in problems
    out = tmp_path / "out"
    out.mkdir()
    report.write(out)
    assert not _leaks(_outputs(out, report.summary()), report)
    # and through the command, every output it writes
    out2 = tmp_path / "out2"
    assert main(["describe", str(tmp_path / "episodes.csv"), str(tmp_path / "header.csv"),
                 "--out", str(out2)]) == 0
    for f in out2.iterdir():  # the figure draws no text from the files
        if f.suffix == ".png":
            continue
        text = f.read_bytes().decode("latin-1")
        assert not [raw for raw in RAW if raw in text], f.name


@pytest.mark.parametrize("column", codes.IDENTIFYING)
def test_an_identifying_columns_values_are_not_shown_whatever_the_caller_passes(
        column: str, loosened: None, tmp_path: Path) -> None:
    """A caller that passes the raw values of an identifying column (a malformed date of
    birth, say, 'to help') gets them withheld; a code column's values are still shown."""
    rows = pd.DataFrame({"file": [0, 0], "row": [2, 3]}, index=[7, 8])
    raw = pd.Series(["QX71 ?", "31/02/2009"], index=[7, 8])
    report = quality.QualityReport()
    report.add_rows(rows, ["f.csv"], "unparseable", column, "kept", values=raw)
    report.add("f.csv", "odd", column, 1, ["4"], "kept", values="'SW1A' x1")
    report.add_rows(rows, ["f.csv"], "unknown code", "PLACE", "kept",
                    values=pd.Series(["Z9", "Z9"], index=[7, 8]))
    report.issues.append(quality.Issue("f.csv", "odd", column, 1, ["5"], "kept", "'QQ1' x1"))
    report.write(tmp_path)
    texts = _outputs(tmp_path, report.summary())
    for name, text in texts.items():
        for secret in ("QX71 ?", "31/02/2009", "SW1A", "QQ1"):
            assert secret not in text, (name, secret)
        assert "'Z9' x2" in text, name  # the code column's values, as before
    assert [i.values for i in report.issues if i.column == column] == \
        [quality.NOT_SHOWN] * 3
