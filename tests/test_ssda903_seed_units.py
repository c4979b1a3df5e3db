"""Pieces of a run from a council's data (issue 23: mutation testing of
``sim/ssda903/seed.py`` beyond the children chosen): the rows left out and the refusal, a
problem's chance of staying unresolved (against the matrix exponential of its two-state
chain), and sibling groups told by their shared history. Expectations by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import expm

from sim.ssda903.quality import QualityReport
from sim.ssda903.seed import (CouncilData, DataError, _families, _stay_unresolved,
                              check_left_out, left_out_line, rows_left_out)


def _report() -> QualityReport:
    r = QualityReport()
    r.count("episode rows read", 200)
    r.count("episode rows left out (see problems)", 5)
    r.add("a.csv", "unparseable date", "DECOM", 2, ["3", "9"], "episode left out (start date "
          "unknown)")
    r.add("b.csv", "unparseable date", "DECOM", 1, ["4"], "episode left out (start date "
          "unknown)")
    r.add("a.csv", "last row cut short", "PLACE", 1, ["30"], "episode row left out")
    r.add("a.csv", "DEC before DECOM", "DEC", 1, ["7"], "episode left out")
    r.add("a.csv", "unknown code", "RNE", 4, ["8"], "kept (not used by the measures)")
    r.add("h.csv", "last row cut short", "UPN", 1, ["5"], "header row left out")
    return r


def test_rows_left_out_and_why() -> None:
    info = rows_left_out(_report())
    assert info == {"episode_rows_read": 200, "episode_rows_left_out": 5, "share": 0.025,
                    "why": {"DECOM: unparseable date": 3, "PLACE: last row cut short": 1,
                            "DEC: DEC before DECOM": 1}}
    assert rows_left_out(QualityReport()) == {"episode_rows_read": 0,
                                              "episode_rows_left_out": 0, "share": 0.0,
                                              "why": {}}
    assert left_out_line(info) == (
        "Data-quality checks: 5 of 200 episode rows left out (2.5%): DECOM: unparseable "
        "date 3; PLACE: last row cut short 1; DEC: DEC before DECOM 1.")
    assert left_out_line({**info, "allowed_share": 0.02}).endswith(
        " 1 (allowed up to 2.0%, councils.max_left_out).")
    assert left_out_line({**info, "why": {}}) == (
        "Data-quality checks: 5 of 200 episode rows left out (2.5%).")


def _data(info: dict) -> CouncilData:
    return CouncilData(name="C", la="LA1", extract_date=pd.Timestamp("2020-03-31"),
                       children=pd.DataFrame(), starts_per_year=10.0, fit=None, counts={},
                       quality="", left_out=info)


def test_a_run_is_refused_when_more_than_the_allowed_share_is_left_out() -> None:
    info = rows_left_out(_report())
    check_left_out(_data(info), 0.025)  # exactly the share allowed: run
    check_left_out(_data({}), 0.0)  # nothing counted: run
    with pytest.raises(DataError) as err:
        check_left_out(_data(info), 0.02)
    assert str(err.value) == (
        "councils.path: 5 of 200 episode rows (2.5%) are left out by the data-quality "
        "checks (DECOM: unparseable date: 3 rows; PLACE: last row cut short: 1 rows; DEC: "
        "DEC before DECOM: 1 rows); allowed: at most 2.0% (councils.max_left_out): correct "
        "the files (revolving-door-data describe writes the report, with the lines), or "
        "raise councils.max_left_out")
    with pytest.raises(DataError, match=r"checks \(see the data-quality report\); allowed"):
        check_left_out(_data({**info, "why": {}}), 0.02)


@pytest.mark.parametrize("resolve, relapse", [(0.1, 0.05), (0.02, 0.3), (1.0, 0.0)])
def test_a_problem_stays_unresolved_as_its_two_state_chain_says(resolve: float,
                                                               relapse: float) -> None:
    t = np.array([0.0, 1.0, 10.0, 60.0])
    stay, back = _stay_unresolved(t, np.full(4, resolve), relapse)
    # unresolved -> resolved at ``resolve`` a month, back at ``relapse``
    q = np.array([[-resolve, resolve], [relapse, -relapse]])
    want = np.array([expm(q * x) for x in t])
    assert stay == pytest.approx(want[:, 0, 0]) and back == pytest.approx(want[:, 1, 0])


def test_sibling_groups_share_a_dated_history_need_order_and_place() -> None:
    T = pd.Timestamp
    per = pd.DataFrame({
        "child": [1, 2, 3, 4, 5, 5, 6],
        "start": [T("2015-01-01")] * 5 + [T("2016-01-01"), T("2015-01-01")],
        "end": [T("2015-06-01")] * 4 + [T("2015-06-01"), pd.NaT, pd.NaT],
        "rec": ["E4A"] * 5 + [None, None]})
    kids = pd.DataFrame({"child": [1, 2, 3, 4, 5, 6],
                         "need": ["abuse_neglect", "abuse_neglect", "other",
                                  "abuse_neglect", "abuse_neglect", "abuse_neglect"],
                         "care_order": [False, False, False, True, False, False],
                         "location": ["at_home"] * 6})
    fam = _families(per, kids).tolist()
    # 1 and 2 alike; 3 another need; 4 a care order; 5 a second period; 6 no date ended
    assert fam[0] == fam[1]
    assert len(set(fam)) == 5 and fam == sorted(fam)
    assert all(isinstance(x, int) for x in fam)
    # two children alike but with no ended period are not taken for siblings
    six = per[per["child"] == 6]
    undated = _families(pd.concat([six, six.assign(child=7)], ignore_index=True),
                        kids.iloc[[5, 5]].assign(child=[6, 7]).reset_index(drop=True))
    assert undated[0] != undated[1]


HEAD = ("LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n")
HEADER = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def _folder(root: Path, name: str, episodes: str, header: str = "") -> Path:
    d = root / name
    d.mkdir()
    (d / "episodes.csv").write_text(HEAD + episodes)
    (d / "header.csv").write_text(HEADER + header)
    return d


def test_the_council_of_the_files_is_chosen_or_named(tmp_path: Path) -> None:
    from sim.ssda903.seed import council_data

    # a folder whose name holds an X (no glob pattern); one council
    one = _folder(tmp_path, "Xone", "LA1,A,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n",
                  "LA1,A,1,01/01/2010,WBRI,,,\n")
    d = council_data(str(one))
    assert (d.la, d.name) == ("LA1", "LA1")
    two = _folder(tmp_path, "two", "LA1,A,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n"
                  "LA2,B,01/06/2015,S,C2,N1,U3,PR1,,,,,,\n",
                  "LA1,A,1,01/01/2010,WBRI,,,\nLA2,B,1,01/01/2011,WBRI,,,\n")
    with pytest.raises(DataError, match=r"^councils.council: the files hold 2 councils; name "
                                        r"one \(allowed: LA1, LA2\)"):
        council_data(str(two))
    d = council_data(str(two), council="LA2")
    assert (d.la, d.name, len(d.children)) == ("LA2", "LA2", 1)
    # nothing usable: refused naming the field, not a crash
    bad = _folder(tmp_path, "bad", "LA1,A,xx,S,C2,N1,U3,PR1,,,,,,\n")
    with pytest.raises(DataError, match="^councils.path: no usable episode left"):
        council_data(str(bad))
