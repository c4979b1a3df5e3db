"""The output tables of SSDA903 measuring (issue 23: mutation testing of
``sim/ssda903/measure.py``, the functions behind ``entries_by_year.csv``,
``time_in_care.csv``, ``returns_per_child.csv`` and the written files), on a small extract
whose every number is worked out by hand in the comments."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.ssda903.measure import (_age_band, _age_years, _describe, _year_ending, measure)
from sim.ssda903.read import read_extract

T = pd.Timestamp
T0, T1 = T("2014-04-01"), T("2019-04-01")
HEAD = ("LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n")
# the periods, measured 1 April 2014 to 1 April 2019:
# A1 1 Jan 2013 - 1 Apr 2014 home (E4A); A2 from 16 Apr 2015, open (after a return)
# B1 1 Apr 2014 - 1 Apr 2015 home; B2 16 Apr 2017 - 1 Apr 2019 (E11), after a return
# C1 from 1 Apr 2019 (the end: not in the period)
# D1 1 Jun 2014 - 1 Jun 2016 (E11), category of need N0 (not a code)
# E1 1 May 2014 - 1 Sep 2014 (E11); E2 from 1 Jan 2015, open, not after a return; legal
#    status ZZ (not a code)
EPISODES = HEAD + """LA1,A,01/01/2013,S,C2,N1,U3,PR1,01/04/2014,E4A,,,,
LA1,A,16/04/2015,S,C2,N1,U3,PR1,,,,,,
LA1,B,01/04/2014,S,C2,N1,U3,PR1,01/04/2015,E4A,,,,
LA1,B,16/04/2017,S,C2,N1,U3,PR1,01/04/2019,E11,,,,
LA1,C,01/04/2019,S,C2,N4,U3,PR1,,,,,,
LA1,D,01/06/2014,S,C2,N0,U3,PR1,01/06/2016,E11,,,,
LA1,E,01/05/2014,S,ZZ,N4,U3,PR1,01/09/2014,E11,,,,
LA1,E,01/01/2015,S,ZZ,N4,U3,PR1,,,,,,
"""
# dates of birth: A 1 Jan 2014 (1.29 at A2's start); B 1 Jan 2000 (14.25 at B1, 17.29 at
# B2); C 2010; D none (no header row); E 1 Mar 2014 (under 1 at both starts)
HEADER = """LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
LA1,A,1,01/01/2014,WBRI,,,
LA1,B,1,01/01/2000,WBRI,,,
LA1,C,1,01/01/2010,WBRI,,,
LA1,E,1,01/03/2014,WBRI,,,
"""


def _measures(tmp_path: Path, extra: str = "") -> object:
    (tmp_path / "e.csv").write_text(EPISODES + extra)
    (tmp_path / "h.csv").write_text(HEADER)
    return measure(read_extract([tmp_path / "e.csv", tmp_path / "h.csv"]), T0, T1)


def test_collection_years_age_bands_and_ages() -> None:
    got = _year_ending(pd.Series(pd.to_datetime(["2015-03-31", "2015-04-01", "2015-12-31",
                                                 "2016-01-01"])))
    assert got.tolist() == [2015, 2016, 2016, 2016]
    ages = np.array([0.0, 0.99, 1.0, 4.99, 5.0, 9.99, 10.0, 15.99, 16.0, 17.5, 99.0, np.nan,
                     -0.1])
    assert _age_band(ages).tolist() == [
        "under 1", "under 1", "1 to 4", "1 to 4", "5 to 9", "5 to 9", "10 to 15", "10 to 15",
        "16 and over", "16 and over", "unknown", "unknown", "unknown"]
    at = pd.Series(pd.to_datetime(["2016-01-01", "2020-01-01", "2020-01-01"]))
    dob = pd.Series(pd.to_datetime(["2015-01-01", "2010-01-01", None]))
    got = _age_years(at, dob)
    # days over 365.25: 365 days; ten years with three leap days, 3,652 days (not yet 10)
    assert got[:2].tolist() == pytest.approx([365 / 365.25, 3652 / 365.25])
    assert math.isnan(got[2])


def test_describe_gives_the_quartiles_of_the_months() -> None:
    d = _describe(np.array([4.0, 1.0, 3.0, 2.0]), "x")
    assert d == {"periods": "x", "n": 4, "mean_months": 2.5, "p25_months": 1.75,
                 "median_months": 2.5, "p75_months": 3.25}
    e = _describe(np.zeros(0), "none")
    assert (e["periods"], e["n"]) == ("none", 0)
    assert all(math.isnan(e[k]) for k in ("mean_months", "p25_months", "median_months",
                                          "p75_months"))
    assert list(e) == list(d)


def test_entries_by_year_by_age_band_need_and_legal_status(tmp_path: Path) -> None:
    t = _measures(tmp_path).entries_by_year
    assert list(t.columns) == ["year_ending_31_march", "la", "breakdown", "value",
                               "periods_started", "first_periods", "after_return_home"]
    rows = {(r.year_ending_31_march, r.breakdown, r.value):
            (r.periods_started, r.first_periods, r.after_return_home)
            for r in t.itertuples()}
    # started in the period: B1, D1, E1, E2 (year to March 2015); A2 (2016); B2 (2018)
    assert rows == {
        (2015, "age_band", "10 to 15"): (1, 1, 0),  # B1
        (2015, "age_band", "under 1"): (2, 1, 0),  # E1, E2
        (2015, "age_band", "unknown"): (1, 1, 0),  # D1, no date of birth
        (2016, "age_band", "1 to 4"): (1, 0, 1),  # A2
        (2018, "age_band", "16 and over"): (1, 0, 1),  # B2
        (2015, "cin", "N1"): (1, 1, 0), (2015, "cin", "N4"): (2, 1, 0),
        (2015, "cin", "unknown"): (1, 1, 0),
        (2016, "cin", "N1"): (1, 0, 1), (2018, "cin", "N1"): (1, 0, 1),
        (2015, "legal_status", "C2"): (2, 2, 0), (2015, "legal_status", "unknown"): (2, 1, 0),
        (2016, "legal_status", "C2"): (1, 0, 1), (2018, "legal_status", "C2"): (1, 0, 1)}
    assert (t["la"] == "LA1").all()
    # in order: breakdown by breakdown, then year and value
    assert t["breakdown"].tolist() == ["age_band"] * 5 + ["cin"] * 5 + ["legal_status"] * 4
    assert t["value"].tolist()[:5] == ["10 to 15", "under 1", "unknown", "1 to 4",
                                       "16 and over"]
    assert list(t.index) == list(range(14))


def test_time_in_care_of_ended_and_open_periods(tmp_path: Path) -> None:
    t = _measures(tmp_path).time_in_care.set_index("periods")
    assert list(t.index) == ["ended: all", "ended: returned home", "ended: other",
                             "still in care at the end (so far)"]
    # ended in the period (1 Apr 2014 included, 1 Apr 2019 not): A1 15 months, B1 12
    # (home); D1 24, E1 4 (other). Quartiles of 4, 12, 15, 24: 10, 13.5, 17.25
    assert t.loc["ended: all"].tolist() == pytest.approx([4, 13.75, 10.0, 13.5, 17.25])
    assert t.loc["ended: returned home"].tolist() == pytest.approx([2, 13.5, 12.75, 13.5,
                                                                   14.25])
    assert t.loc["ended: other"].tolist() == pytest.approx([2, 14.0, 9.0, 14.0, 19.0])
    # open at the end: A2 47.5 months (16 Apr 2015, half of April gone), B2 23.5 (ends on
    # the end day), E2 51; not C1 (starts on the end day)
    assert t.loc["still in care at the end (so far)"].tolist() == pytest.approx(
        [3, (47.5 + 23.5 + 51) / 3, 35.5, 47.5, 49.25])


def test_returns_per_child_in_the_period(tmp_path: Path) -> None:
    # F goes home four times in 2014, G twice; A and B once each (A on the first day);
    # D, E and H never (H's only period ends on the period's first day: looked after in
    # it); C is not looked after in the period
    extra = "LA1,H,01/01/2013,S,C2,N4,U3,PR1,01/04/2014,E11,,,,\n" + "".join(
        f"LA1,F,01/{m:02d}/2014,S,C2,N4,U3,PR1,15/{m:02d}/2014,E4A,,,,\n"
        for m in (5, 6, 7, 8)) + "".join(
        f"LA1,G,01/{m:02d}/2016,S,C2,N4,U3,PR1,15/{m:02d}/2016,E4B,,,,\n" for m in (5, 6))
    t = _measures(tmp_path, extra).returns_per_child
    assert t.to_dict("list") == {"returns_home": ["0", "1", "2", "3 or more"],
                                 "children": [3, 2, 1, 1]}


def test_measures_are_written_as_documented(tmp_path: Path) -> None:
    m = _measures(tmp_path)
    m.metrics["returned_home_share"] = float("nan")  # written as null
    out = tmp_path / "a" / "b"
    m.write(out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["councils.csv", "entries_by_year.csv", "metrics.json", "reentry_curve.csv",
                     "returns_per_child.csv", "stock_31march.csv", "time_in_care.csv"]
    text = (out / "time_in_care.csv").read_text()
    assert text.splitlines()[0] == ("periods,n,mean_months,p25_months,median_months,"
                                    "p75_months")
    # ten significant digits
    assert text.splitlines()[4] == ("still in care at the end (so far),3,40.66666667,35.5,47.5,"
                                    "49.25")
    for name, frame in (("entries_by_year.csv", m.entries_by_year),
                        ("returns_per_child.csv", m.returns_per_child),
                        ("councils.csv", m.councils), ("stock_31march.csv", m.stock_31march),
                        ("reentry_curve.csv", m.reentry_curve)):
        back = pd.read_csv(out / name, dtype={"returns_home": str})
        assert list(back.columns) == list(frame.columns), name
        assert len(back) == len(frame), name
    raw = (out / "metrics.json").read_text()
    assert raw.endswith("}\n") and '\n  "' in raw
    got = json.loads(raw)
    assert got["returned_home_share"] is None
    assert got["returns_measured"] == m.metrics["returns_measured"]
    assert list(got) == sorted(got)
    m.write(out)  # again into the same folder


def test_periods_of_care_join_any_childs_episodes_that_go_on() -> None:
    from sim.ssda903.measure import periods_of_care

    # child 1's second episode starts the day its first ends with X1: one period; child 0
    # (sorted first) has one episode ending 1 June 2015, which is no one else's start
    ep = pd.DataFrame({
        "la": "LA1", "child": [1, 0, 1],
        "DECOM": pd.to_datetime(["2015-02-01", "2015-01-01", "2015-03-01"]),
        "DEC": pd.to_datetime(["2015-03-01", "2015-06-01", None]),
        "REC": ["X1", "E4A", None], "CIN": "N1", "LS": "C2", "RNE": ["S", "S", "P"],
        "dob": pd.to_datetime(["2008-01-01"] * 3)})
    per = periods_of_care(ep)
    assert list(per.columns) == ["la", "child", "start", "end", "rec", "cin", "ls", "dob",
                                 "rne", "nth"]
    assert per["child"].tolist() == [0, 1]
    assert per["start"].tolist() == [T("2015-01-01"), T("2015-02-01")]
    assert per["end"].tolist()[0] == T("2015-06-01") and pd.isna(per["end"].iat[1])
    assert per["rec"].tolist()[0] == "E4A" and per["nth"].tolist() == [1, 1]
    assert per["rne"].tolist() == ["S", "S"]  # the first episode's
    assert list(per.index) == [0, 1]
