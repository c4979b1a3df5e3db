"""SSDA903 reading, piece by piece (issue 23: survivors of mutation testing of
``sim/ssda903/read.py``): the two date formats and nothing else, and which copy of an
episode repeated across annual files is kept."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.ssda903.read import parse_dates, read_extract


def test_dates_are_read_in_the_two_formats_only() -> None:
    raw = pd.Series(["01/02/2016", "2016-02-03", "", "13/13/2016", "2016/02/03",
                     "3 Feb 2016", "31/02/2016"])
    got = parse_dates(raw)
    assert list(got[:2]) == [pd.Timestamp("2016-02-01"), pd.Timestamp("2016-02-03")]
    assert got[2:].isna().all()  # empty, impossible, or in a format not listed
    # whichever comes first: a format not listed is never taken up
    got = parse_dates(pd.Series(["2016/02/03", "2016-02-04"]))
    assert pd.isna(got[0]) and got[1] == pd.Timestamp("2016-02-04")


HEAD = "LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def test_the_copy_with_an_end_date_wins_whichever_file_it_is_in(tmp_path: Path) -> None:
    # 2016's file has the episode closed (a late correction); 2017's, read after it, open
    (tmp_path / "e2016.csv").write_text(HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n")
    (tmp_path / "e2017.csv").write_text(HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n")
    (tmp_path / "h.csv").write_text("LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                                    "LA1,A,1,01/01/2008,WBRI,,,\n")
    ex = read_extract([tmp_path / "e2016.csv", tmp_path / "e2017.csv", tmp_path / "h.csv"])
    assert len(ex.episodes) == 1
    assert ex.episodes["DEC"].iat[0] == pd.Timestamp("2016-06-01")
    assert ex.episodes["REC"].iat[0] == "E4A"
    assert "index" not in ex.episodes.columns


def _read(tmp_path: Path, *episode_files: str):  # type: ignore[no-untyped-def]
    names = []
    for i, text in enumerate(episode_files):
        (tmp_path / f"e{i}.csv").write_text(HEAD + text)
        names.append(tmp_path / f"e{i}.csv")
    (tmp_path / "h.csv").write_text("LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                                    "LA1,A,1,01/01/2008,WBRI,,,\nLA2,B,1,01/01/2008,WBRI,,,\n")
    return read_extract([*names, tmp_path / "h.csv"])


def test_repeats_are_counted_and_a_clean_file_reports_nothing(tmp_path: Path) -> None:
    closed_open = _read(tmp_path, "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n",
                        "LA1,A,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n")
    assert closed_open.report.counts[
        "episode rows open in one file, closed in a later one (closed kept)"] == 1
    clean = _read(tmp_path, "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n"
                            "LA2,B,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n")
    assert clean.report.issues == []
    assert not any("repeated" in k or "closed in a later" in k for k in clean.report.counts)
    assert list(clean.episodes["REC"].fillna("")) == ["E4A", ""]


def test_an_open_episode_followed_by_another_is_cut_there_in_its_own_council(
        tmp_path: Path) -> None:
    ex = _read(tmp_path, "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n"
                         "LA2,B,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n"
                         "LA2,B,01/09/2015,P,C2,N1,U6,PR1,,,,,,\n")
    b = ex.episodes[ex.episodes["la"] == "LA2"].sort_values("DECOM")
    assert b["DEC"].iat[0] == pd.Timestamp("2015-09-01") and pd.isna(b["DEC"].iat[1])
    assert list(b["REC"].fillna("")) == ["X1", ""]
    issues = ex.report.frame()
    assert list(issues["problem"]) == ["open episode followed by a later episode of the "
                                       "same child"]
    assert issues["action"].iat[0].startswith("kept, cut at the start of the next episode")


def test_header_rows_by_hand(tmp_path: Path) -> None:
    """A's header row is in two annual files with different dates of birth (the later
    kept, its blank sex unknown); Z has a header row and no episode; B has no header row."""
    (tmp_path / "e.csv").write_text(HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n"
                                           "LA1,B,01/06/2015,S,C2,N1,U3,PR1,,,,,,\n")
    cols = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    (tmp_path / "h1.csv").write_text(cols + "LA1,A,1,01/01/2008,WBRI,,,\n"
                                            "LA1,Z,2,01/01/2009,WBRI,,,\n")
    (tmp_path / "h2.csv").write_text(cols + "LA1,A,,02/01/2008,WBRI,,,\n")
    ex = read_extract([tmp_path / "e.csv", tmp_path / "h1.csv", tmp_path / "h2.csv"])
    hd = ex.header
    assert {"child", "dob", "sex"} <= set(hd.columns)
    assert not {"CHILD", "DOB", "SEX", "index"} & set(hd.columns)
    assert len(hd) == 2 and list(hd.index) == [0, 1]
    a = hd[hd["dob"] == pd.Timestamp("2008-01-02")]
    assert len(a) == 1 and pd.isna(a["sex"].iat[0])  # the later row, sex unknown
    assert sorted(hd["sex"].dropna()) == ["2"]
    ep = ex.episodes.sort_values("DECOM")
    assert ep["dob"].iat[0] == pd.Timestamp("2008-01-02") and pd.isna(ep["dob"].iat[1])
    assert "index" not in ex.episodes.columns
    c = ex.report.counts
    assert c["header rows repeated in more than one file (one kept)"] == 1
    assert c["header rows with no episode (not used)"] == 1
    assert c["episodes kept"] == 2 and c["children"] == 2
    issues = {(i.column, i.problem): i for i in ex.report.issues}
    assert set(issues) == {("DOB", "different dates of birth for one child"),
                           ("CHILD", "child without a header row")}
    assert issues[("DOB", "different dates of birth for one child")].action == \
        "the later file's row kept"
    assert issues[("CHILD", "child without a header row")].action == \
        "kept; age unknown (no age band, returns not censored at 18)"
