"""Reading SSDA903 files, the parts around the rows (issue 23: mutation testing of
``sim/ssda903/read.py``): which kind a file is, files that cannot be used, the columns
kept, line numbers, the counts of rows read and left out, a last row cut short, dates
written month first, and the episodes' own cleaning. Each file is written by hand in the
test; each expectation is read off that file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.ssda903.read import Ssda903Error, _last_line, _read_csv, kind_of, read_extract

HEAD = ("LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n")
HEADER = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nLA1,A,1,01/01/2008,WBRI,,,\n"
ROW_A = "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n"


def _write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_bytes(text.encode("utf-8"))
    return folder / name


def test_a_files_kind_is_told_by_its_columns() -> None:
    assert kind_of(["CHILD", "DECOM", "DOB"]) == "episodes"
    assert kind_of(["CHILD", "DOB"]) == "header"
    assert kind_of(["CHILD", "SEX"]) == "unknown"
    assert kind_of(iter(["DECOM"])) == "episodes"


def test_files_that_cannot_be_read_are_named(tmp_path: Path) -> None:
    with pytest.raises(Ssda903Error, match=r"nothere\.csv: no such file$"):
        _read_csv(tmp_path / "nothere.csv")
    with pytest.raises(Ssda903Error, match=r": a folder, not a CSV file$"):
        _read_csv(tmp_path)
    with pytest.raises(Ssda903Error, match=r"empty\.csv: not a readable CSV file \("):
        _read_csv(_write(tmp_path, "empty.csv", ""))
    (tmp_path / "latin.csv").write_bytes(b"CHILD,DOB\n\xff\xfe\xe9,1\n")
    with pytest.raises(Ssda903Error, match=r"latin\.csv: not a readable CSV file"):
        _read_csv(tmp_path / "latin.csv")
    # a byte-order mark, spaces and lower case in the names; values kept as text, "NA" too
    df = _read_csv(_write(tmp_path, "bom.csv", "\ufeff child , dob\nNA,01/01/2008\n,\n"))
    assert list(df.columns) == ["CHILD", "DOB"]
    assert df["CHILD"].tolist() == ["NA", ""] and df["DOB"].tolist() == ["01/01/2008", ""]


def test_files_without_the_columns_needed_are_refused(tmp_path: Path) -> None:
    with pytest.raises(Ssda903Error, match="^no files given: name SSDA903 episodes and header"):
        read_extract([])
    odd = _write(tmp_path, "odd.csv", "CHILD,SEX\nA,1\n")
    with pytest.raises(Ssda903Error, match=r"odd\.csv: neither an SSDA903 episodes file \(no "
                       r"column DECOM\) nor a header file \(no column DOB\); columns found: "
                       r"CHILD, SEX$"):
        read_extract([odd])
    ep = _write(tmp_path, "ep.csv", "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC\nA,01/05/2015,S,C2,N1,"
                                    "U3,\n")
    with pytest.raises(Ssda903Error, match=r"ep\.csv: episodes file without column REC \(an "
                       r"episodes file needs CHILD, DECOM, RNE, LS, CIN, PLACE, DEC, REC\)$"):
        read_extract([ep])
    ep2 = _write(tmp_path, "ep2.csv", "CHILD,DECOM,LS,CIN,PLACE,DEC\nA,01/05/2015,C2,N1,U3,\n")
    with pytest.raises(Ssda903Error, match=r"ep2\.csv: episodes file without column RNE, REC "):
        read_extract([ep2])
    hd = _write(tmp_path, "hd.csv", "SEX,DOB\n1,01/01/2008\n")
    with pytest.raises(Ssda903Error, match=r"hd\.csv: header file without column CHILD \(an "
                       r"header file needs CHILD, DOB\)$"):
        read_extract([_write(tmp_path, "e.csv", HEAD + ROW_A), hd])
    h = _write(tmp_path, "h.csv", HEADER)
    with pytest.raises(Ssda903Error, match=r"^no episodes file among .*h\.csv: an episodes "
                       r"file has the columns CHILD, DECOM, RNE, LS, CIN, PLACE, DEC, REC$"):
        read_extract([h])
    h2 = _write(tmp_path, "h2.csv", HEADER)
    with pytest.raises(Ssda903Error, match=r"h\.csv, \S*h2\.csv: an episodes file"):
        read_extract([h, h2])


def test_columns_kept_line_numbers_and_counts(tmp_path: Path) -> None:
    # a first file with only the columns needed (the others reported, every row kept),
    # values padded with spaces; a council column named by the caller
    lean = _write(tmp_path, "lean.csv", "Council,CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\n"
                  " LA1 , A ,01/05/2015, s ,C2,N1,U3,01/06/2016,e4a\n"
                  "LA1,B,01/07/2015,S,C2,N1,U3,,\n")
    full = _write(tmp_path, "full.csv", HEAD + "LA9,C,01/08/2015,S,C2,N1,U3,PR1,,,,,,\n")
    h = _write(tmp_path, "h.csv", HEADER + "LA1,B,2,01/01/2009,WBRI,,,\nLA9,C,1,01/01/2010,,,,\n")
    ex = read_extract([lean, full, h], la_column=" council ")
    missing = [(i.file, i.column, i.rows, i.action) for i in ex.report.issues
               if i.problem == "missing column"]
    assert missing == [("lean.csv", c, 2, "not needed for the measures; every row kept")
                       for c in ("PLACE_PROVIDER", "REASON_PLACE_CHANGE", "HOME_POST",
                                 "PL_POST", "URN")]  # the header file has every column
    e = ex.episodes.sort_values("DECOM")
    assert e["la"].tolist() == ["LA1", "LA1", ""]  # the full file has no column "COUNCIL"
    assert e["file"].tolist() == [0, 0, 1] and e["row"].tolist() == [2, 3, 2]
    assert e["RNE"].tolist() == ["S", "S", "S"] and e["REC"].tolist()[0] == "E4A"
    assert ex.files == ["lean.csv", "full.csv", "h.csv"]
    assert ex.report.counts["episode rows read"] == 3
    assert ex.report.counts["header rows read"] == 3
    assert "PLACE_PROVIDER" not in ex.episodes.columns and "HOME_POST" not in ex.episodes
    # no header file: reported, ages unknown
    alone = read_extract([full])
    assert [(i.file, i.problem, i.column, i.rows, i.examples, i.action)
            for i in alone.report.issues] == [
        ("", "no header file", "DOB", 0, [],
         "ages unknown: no age bands, returns not censored at 18")]
    assert alone.report.counts["header rows read"] == 0
    assert alone.episodes["la"].tolist() == ["LA9"]


def test_the_missing_columns_reported_are_those_of_the_file(tmp_path: Path) -> None:
    lean = _write(tmp_path, "lean.csv", "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,URN\n"
                  "A,01/05/2015,S,C2,N1,U3,01/06/2016,E4A,\n")
    ex = read_extract([lean])
    got = sorted((i.column, i.rows) for i in ex.report.issues if i.problem == "missing column")
    assert got == [("HOME_POST", 1), ("PLACE_PROVIDER", 1), ("PL_POST", 1),
                   ("REASON_PLACE_CHANGE", 1)]
    # the columns not in the file are read as blank, not as values to check
    assert {i.problem for i in ex.report.issues} == {"missing column", "no header file"}
    assert all(i.action == "not needed for the measures; every row kept" and i.file ==
               "lean.csv" and i.examples == [] for i in ex.report.issues
               if i.problem == "missing column")


def test_the_last_line_is_read_from_the_end(tmp_path: Path) -> None:
    assert _last_line(_write(tmp_path, "a.csv", "X,Y\n1,2\n")) == (["1", "2"], True)
    assert _last_line(_write(tmp_path, "b.csv", "X,Y\n1,\"2,3\"")) == (["1", "2,3"], False)
    assert _last_line(_write(tmp_path, "c.csv", "X,Y\r\n1,2\r\n\r\n  \n")) == (["1", "2"], True)
    assert _last_line(_write(tmp_path, "d.csv", "X,Y\r")) == (["X", "Y"], True)
    assert _last_line(_write(tmp_path, "e.csv", "")) == (None, True)
    assert _last_line(_write(tmp_path, "f.csv", "\n \n")) == (None, True)
    assert _last_line(_write(tmp_path, "g.csv", " ")) == (None, False)
    # a long file: only its end is read, the last line whatever the length
    long = "X,Y\n" + "".join(f"{i},{i}\n" for i in range(20000)) + "last,1\n"
    assert _last_line(_write(tmp_path, "h.csv", long)) == (["last", "1"], True)


def test_a_last_row_cut_short_is_left_out_and_reported(tmp_path: Path) -> None:
    ep = _write(tmp_path, "ep.csv", HEAD + ROW_A + "LA1,B,01/06/2015,S,C2,N1")
    hd = _write(tmp_path, "hd.csv", HEADER + "LA1,B,2,01/01/2009,WB")
    ex = read_extract([ep, hd])
    cut = [(i.file, i.column, i.rows, i.examples, i.action) for i in ex.report.issues
           if "cut short" in i.problem]
    assert cut == [("ep.csv", "PLACE", 1, ["3"], "episode row left out"),
                   ("hd.csv", "UPN", 1, ["3"], "header row left out")]
    assert [i.problem for i in ex.report.issues if "cut short" in i.problem][0] == (
        "last row cut short: fewer fields than the header (6 of 14; a truncated file?)")
    assert ex.episodes["row"].tolist() == [2]
    assert ex.report.counts["episode rows read"] == 2
    assert ex.report.counts["episode rows left out (see problems)"] == 1
    assert ex.report.counts["header rows read"] == 2
    assert ex.report.counts["header rows left out (cut short)"] == 1
    assert len(ex.header) == 1
    # every field there but no line break: kept, reported on the last column
    whole = read_extract([_write(tmp_path, "e2.csv", HEAD + ROW_A.rstrip("\n"))])
    nb = [(i.file, i.column, i.rows, i.examples) for i in whole.report.issues
          if "line break" in i.problem]
    assert nb == [("e2.csv", "URN", 1, ["2"])]
    assert len(whole.episodes) == 1
    assert "header rows left out (cut short)" not in whole.report.counts
    assert whole.report.counts["episode rows left out (see problems)"] == 0
    # a file of names only: nothing to cut
    empty = read_extract([_write(tmp_path, "e3.csv", HEAD), ep])
    assert empty.report.counts["episode rows read"] == 2


def test_dates_written_month_first_are_refused_file_by_file(tmp_path: Path) -> None:
    us = _write(tmp_path, "us.csv", HEAD + "LA1,A,05/13/2015,S,C2,N1,U3,PR1,06/01/2016,E4A,,,,\n"
                "LA1,B,02/01/2015,S,C2,N1,U3,PR1,,,,,,\n"
                "LA1,C,12/31/2015,S,C2,N1,U3,PR1,,,,,,\n")
    with pytest.raises(Ssda903Error) as err:
        read_extract([_write(tmp_path, "uk.csv", HEAD + ROW_A), us])
    msg = str(err.value)
    assert msg.startswith("us.csv: column DECOM: dates written month first (mm/dd/yyyy): "
                          "2 of 3 dates can be read only month first (e.g. line 2, 4) and "
                          "none has a day above 12 read day first")
    assert "05/13/2015" not in msg and "12/31/2015" not in msg
    # a day-first file with one date written otherwise: that row reported and left out
    mixed = _write(tmp_path, "mixed.csv", HEAD + ROW_A + "LA1,B,05/13/2015,S,C2,N1,U3,PR1,,,,,,\n"
                   "LA1,C,25/12/2015,S,C2,N1,U3,PR1,,,,,,\n")
    ex = read_extract([mixed])
    bad = [(i.column, i.rows, i.examples, i.action) for i in ex.report.issues
           if i.problem == "unparseable date"]
    assert bad == [("DECOM", 1, ["3"], "episode left out (start date unknown)")]
    assert len(ex.episodes) == 2
    # an end date month first: refused on DEC
    us_end = _write(tmp_path, "us_end.csv", HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,"
                    "06/13/2016,E4A,,,,\n")
    with pytest.raises(Ssda903Error, match=r"^us_end\.csv: column DEC: .* 1 of 1 dates"):
        read_extract([us_end])
    # unreadable either way: reported, not refused
    junk = _write(tmp_path, "junk.csv", HEAD + "LA1,A,not a date,S,C2,N1,U3,PR1,,,,,,\n" + ROW_A)
    assert len(read_extract([junk]).episodes) == 1


def test_the_episodes_cleaning(tmp_path: Path) -> None:
    ep = _write(tmp_path, "ep.csv", HEAD
                + "LA1,A,01/05/2015,s,c2,n1,u3,pr1,01/06/2016,e4a,x,,,\n"  # kept, upper case
                + "LA1,B,01/05/2015,S,C2,N1,U3,PR1,,E4A,,,,\n"  # REC without DEC: open
                + "LA1,C,01/05/2015,S,C2,N1,U3,PR1,01/04/2015,E4A,,,,\n"  # DEC before DECOM
                + ",,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n"  # no child
                + "LA1,E,01/05/2015,S,C2,N1,U3,PR1,32/01/2016,E4A,,,,\n"  # end unreadable
                + "LA1,F,,S,C2,N1,U3,PR1,,,,,,\n"  # no start
                + "LA1,G,xx,S,C2,N1,U3,PR1,,,,,,\n"  # start unreadable
                + "LA1,H,01/05/2015,,C2,N1,U3,PR1,,,,,,\n")  # a blank code: kept, none
    ex = read_extract([ep])
    e = ex.episodes.sort_values("row")
    assert e["row"].tolist() == [2, 3, 9]
    assert e.iloc[0][["RNE", "LS", "CIN", "PLACE", "REC"]].tolist() == ["S", "C2", "N1", "U3",
                                                                        "E4A"]
    assert e["REC"].isna().tolist() == [False, True, True]
    assert pd.isna(e["RNE"].iat[2])
    assert ex.report.counts["episode rows left out (see problems)"] == 5
    got = {(i.column, i.problem): (i.rows, i.examples, i.action) for i in ex.report.issues}
    assert got[("DEC", "unparseable date")] == (1, ["6"], "episode left out (end date "
                                                          "unknown)")
    assert got[("DECOM", "unparseable date")] == (1, ["8"], "episode left out (start date "
                                                            "unknown)")
    # the unreadable start is reported once (line 8), not also as missing (line 7 is)
    assert {k: v[1] for k, v in got.items() if k[0] == "DECOM"} == {
        ("DECOM", "unparseable date"): ["8"], ("DECOM", "missing value"): ["7"]}
    assert got[("DEC", "REC without DEC")][1] == ["3"]
    assert got[("DEC", "DEC before DECOM")][1:] == (["4"], "episode left out")
    assert got[("CHILD", "missing value")][1] == ["5"]
    assert "dec_given" not in ex.episodes.columns
    assert "REASON_PLACE_CHANGE" not in ex.episodes.columns


def test_cut_rows_in_two_files_and_a_longer_file(tmp_path: Path) -> None:
    rows3 = ROW_A + "LA1,B,01/06/2015,S,C2,N1,U3,PR1,,,,,,\n" + "LA1,C,01/07/2015,S,C2"
    e1 = _write(tmp_path, "e1.csv", HEAD + rows3)
    e2 = _write(tmp_path, "e2.csv", HEAD + "LA1,D,01/06/2015,S,C2,N1,U3,PR1,,,,,,\nLA1,E,0")
    ex = read_extract([e1, e2])
    # the cut row of each file left out, the rows before it kept
    assert sorted(ex.episodes["row"].tolist()) == [2, 2, 3]
    assert ex.report.counts["episode rows read"] == 5
    assert ex.report.counts["episode rows left out (see problems)"] == 2
    # a file of two whole rows without a line break: the last one named, the action said
    nb = read_extract([_write(tmp_path, "e3.csv", HEAD + ROW_A + ROW_A.replace(",A,", ",B,")
                              .rstrip("\n"))])
    issues = [i for i in nb.report.issues if "line break" in i.problem]
    assert [(i.problem, i.column, i.rows, i.examples, i.action) for i in issues] == [(
        "file ends without a line break (its last field may be incomplete)", "URN", 1, ["3"],
        "kept (every field is there); check the last row against the source")]


def test_the_last_line_of_a_long_file_cut_inside_a_character(tmp_path: Path) -> None:
    # 65,536 bytes from the end falls inside a two-byte character: read, not refused
    body = "X,Y\n" + "é,é\n" * 20000 + "é,last\n"
    data = body.encode("utf-8")
    start = len(data) - 65536
    assert 0x80 <= data[start] <= 0xBF  # a continuation byte
    (tmp_path / "long.csv").write_bytes(data)
    assert _last_line(tmp_path / "long.csv") == (["é", "last"], True)


def test_month_first_is_told_by_the_day_file_by_file(tmp_path: Path) -> None:
    def ep(name: str, *decoms: str) -> Path:
        return _write(tmp_path, name, HEAD + "".join(
            f"LA1,{chr(65 + i)},{d},S,C2,N1,U3,PR1,,,,,,\n" for i, d in enumerate(decoms)))

    # days up to 12 read day first, and dates only month first: refused; lines listed up
    # to three, dates counted without the blank one
    us = ep("us.csv", "12/05/2015", "05/13/2015", "05/14/2015", "", "05/15/2015",
            "05/16/2015")
    with pytest.raises(Ssda903Error) as err:
        read_extract([us])
    assert ("us.csv: column DECOM: dates written month first (mm/dd/yyyy): 4 of 5 dates can "
            "be read only month first (e.g. line 3, 4, 6) and none") in str(err.value)
    # a day of 13 read day first: a day-first file with a date written otherwise (reported)
    uk = ep("uk.csv", "13/05/2015", "05/14/2015")
    assert len(read_extract([uk]).episodes) == 1
    # a day-first file with a stray date does not stop the check of the next file
    with pytest.raises(Ssda903Error, match="^us.csv: column DECOM"):
        read_extract([uk, us])
    # a date in another format is not taken for month first
    other = ep("other.csv", "01/05/2015", "3 Feb 2016")
    ex = read_extract([other])
    assert len(ex.episodes) == 1
    assert [i.examples for i in ex.report.issues if i.problem == "unparseable date"] == [["3"]]


def test_differing_copies_of_an_episode_are_reported_in_their_file(tmp_path: Path) -> None:
    a = _write(tmp_path, "y2016.csv", HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n")
    b = _write(tmp_path, "y2017.csv", HEAD + "LA1,A,01/05/2015,P,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n")
    ex = read_extract([a, b])
    got = [(i.file, i.problem, i.examples) for i in ex.report.issues if i.file]
    assert got == [("y2016.csv", "same child and start date, different content", ["2"])]
    assert ex.episodes["RNE"].tolist() == ["P"]


def test_rows_of_several_files_are_told_apart(tmp_path: Path) -> None:
    # the first row of each file: the first file's ends before it starts (left out), the
    # second's is fine (kept); the first header file's first date of birth is unreadable
    e1 = _write(tmp_path, "e1.csv", HEAD + "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/04/2015,E4A,,,,\n"
                "LA1,C,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n")
    e2 = _write(tmp_path, "e2.csv", HEAD + "LA1,B,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n")
    h1 = _write(tmp_path, "h1.csv", "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                "LA1,A,1,99/99/2008,WBRI,,,\nLA1,C,1,01/01/2009,WBRI,,,\n")
    h2 = _write(tmp_path, "h2.csv", "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
                "LA1,B,2,01/01/2010,WBRI,,,\n")
    ex = read_extract([e1, e2, h1, h2])
    e = ex.episodes.sort_values(["file", "row"])
    assert list(zip(e["file"], e["row"])) == [(0, 3), (1, 2)]
    assert e["dob"].tolist() == [pd.Timestamp("2009-01-01"), pd.Timestamp("2010-01-01")]
    before = [(i.file, i.examples) for i in ex.report.issues if i.problem == "DEC before DECOM"]
    assert before == [("e1.csv", ["2"])]


def test_repeated_episodes_counted_and_reported_by_kind(tmp_path: Path) -> None:
    same = "LA1,A,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4A,,,,\n"
    files = [_write(tmp_path, f"y{i}.csv", HEAD + same
                    + ("LA1,B,01/05/2015,S,C2,N1,U3,PR1,,,,,,\n" if i == 0 else "")
                    + ("LA1,B,01/05/2015,S,C2,N1,U3,PR1,01/06/2016,E4B,,,,\n" if i == 1
                       else "")
                    + f"LA1,C,01/05/2015,{'SP'[i % 2]},C2,N1,U3,PR1,01/06/2016,E4A,,,,\n")
             for i in range(3)]
    ex = read_extract(files)
    c = ex.report.counts
    # A identical in three files (two left out); B open in one, closed in the next; C
    # with another RNE in the second file (the third file's kept)
    assert c["episode rows repeated in more than one file (one kept)"] == 2 + 1
    assert c["episode rows open in one file, closed in a later one (closed kept)"] == 1
    diff = [(i.file, i.problem, i.column, i.rows, i.examples, i.action)
            for i in ex.report.issues if i.file]
    assert diff == [("y1.csv", "same child and start date, different content", "DECOM", 1,
                     ["4"], "the row with an end date, else the later file's, kept; this "
                     "one left out")]
    assert sorted(zip(ex.episodes["file"], ex.episodes["row"])) == [(1, 3), (2, 2), (2, 3)]
    assert ex.episodes["RNE"].tolist() == ["S", "S", "S"]


def test_an_episode_ending_the_day_the_next_starts_is_no_overlap(tmp_path: Path) -> None:
    ex = read_extract([_write(tmp_path, "e.csv", HEAD + ROW_A
                              + "LA1,A,01/06/2016,S,C2,N1,U3,PR1,,,,,,\n")])
    assert ex.episodes.sort_values("DECOM")["REC"].tolist()[0] == "E4A"
    assert not [i for i in ex.report.issues if "overlap" in i.problem or "open" in i.problem]


def test_header_rows_linked_counted_and_checked(tmp_path: Path) -> None:
    ep = _write(tmp_path, "e.csv", HEAD + ROW_A + "LA1,B,01/06/2015,S,C2,N1,U3,PR1,,,,,,\n"
                "LA1,C,01/07/2015,S,C2,N1,U3,PR1,,,,,,\n")
    cols = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    h1 = _write(tmp_path, "h1.csv", cols + "LA1,A,1,01/01/2008,WBRI,,,\nLA1,B,9,01/01/2009,,,,\n"
                "LA1,Z,1,01/01/2010,,,,\nLA1,W,2,01/01/2011,,,,\nLA1,,1,01/01/2012,,,,\n")
    ex = read_extract([ep, h1])
    assert ex.report.counts["header rows with no episode (not used)"] == 2  # Z, W
    assert len(ex.header) == 4  # the row without a child left out
    got = {(i.file, i.column, i.problem): i.examples for i in ex.report.issues}
    assert got[("e.csv", "CHILD", "child without a header row")] == ["4"]  # C
    assert got[("h1.csv", "SEX", "unknown code")] == ["3"]  # B's 9
    # no header row matches any child: every child reported; every header row used: no count
    h2 = _write(tmp_path, "h2.csv", cols + "LA1,Z,1,01/01/2010,,,,\n")
    ex = read_extract([ep, h2])
    got = [(i.file, i.examples) for i in ex.report.issues if i.problem ==
           "child without a header row"]
    assert got == [("e.csv", ["2", "3", "4"])]
    h3 = _write(tmp_path, "h3.csv", cols + "LA1,A,1,01/01/2008,,,,\nLA1,B,1,01/01/2008,,,,\n"
                "LA1,C,1,01/01/2008,,,,\n")
    assert "header rows with no episode (not used)" not in read_extract([ep, h3]).report.counts


def test_a_date_of_birth_that_differs_between_files_is_reported_in_the_later(
        tmp_path: Path) -> None:
    ep = _write(tmp_path, "e.csv", HEAD + ROW_A + "LA1,Z,01/06/2015,S,C2,N1,U3,PR1,,,,,,\n")
    cols = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    h1 = _write(tmp_path, "h1.csv", cols + "LA1,A,1,01/01/2008,,,,\nLA1,Z,2,01/01/2009,,,,\n")
    h2 = _write(tmp_path, "h2.csv", cols + "LA1,A,1,02/01/2008,,,,\n")
    ex = read_extract([ep, h1, h2])
    got = [(i.file, i.rows, i.examples) for i in ex.report.issues
           if i.problem == "different dates of birth for one child"]
    assert got == [("h2.csv", 1, ["2"])]
