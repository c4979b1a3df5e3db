"""SSDA903 measuring, piece by piece, against dates worked out by hand (issue 23: the
survivors of mutation testing of ``sim/ssda903/measure.py``): the default measured period
at the boundaries of the collection year, calendar months, and which returns home count and
when their follow-up stops (the 18th birthday, the end of the period, no date of birth)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.ssda903.measure import default_period, months, periods_of_care, returns_table

T = pd.Timestamp
NAT = pd.NaT


def _episodes(rows: list[tuple[str, object, object]]) -> pd.DataFrame:
    """Episodes (child, DECOM, DEC) as the reader leaves them."""
    return pd.DataFrame({"child": [r[0] for r in rows],
                         "DECOM": pd.to_datetime([r[1] for r in rows]),
                         "DEC": pd.to_datetime([r[2] for r in rows])})


@pytest.mark.parametrize("rows, period", [
    # the first ending on 1 June 2015 is in the year from 1 April 2015; the last date,
    # 10 Feb 2016, in the year to 31 March 2016
    ([("a", "2014-05-01", "2015-06-01"), ("b", "2016-02-10", None)],
     ("2015-04-01", "2016-04-01")),
    # an ending on 31 March belongs to the year before; a last date on 1 April to the next
    ([("a", "2015-05-01", "2016-03-31"), ("b", "2017-04-01", None)],
     ("2015-04-01", "2018-04-01")),
    # an ending on 1 April starts its own year; a last date on 31 March ends its year
    ([("a", "2015-05-01", "2016-04-01"), ("b", "2017-03-31", None)],
     ("2016-04-01", "2017-04-01")),
    # no ending at all: from the first start (March: the year before)
    ([("a", "2015-03-10", None), ("b", "2015-09-01", None)],
     ("2014-04-01", "2016-04-01")),
    # the first ending, not the first start, when there is one
    ([("a", "2010-01-01", "2015-08-01"), ("b", "2015-09-01", None)],
     ("2015-04-01", "2016-04-01")),
])
def test_default_period_follows_the_collection_years(rows: list, period: tuple) -> None:
    assert default_period(_episodes(rows)) == (T(period[0]), T(period[1]))


def test_months_are_calendar_months_and_the_fraction_gone() -> None:
    got = months(pd.Series(pd.to_datetime(["2016-03-16", "2016-01-01", "2015-12-01",
                                           "2016-02-16"])), T("2016-01-01"))
    # by hand: 2 + 15/31; 0; -1; 1 + 15/29 (2016 is a leap year)
    assert list(got) == pytest.approx([2 + 15 / 31, 0.0, -1.0, 1 + 15 / 29])
    # an origin within its month: its own fraction taken off
    assert months(pd.Series([T("2016-02-01")]), T("2016-01-16"))[0] == pytest.approx(
        1 - 15 / 31)


def _periods(rows: list[tuple[str, str, object, object, str, str]]) -> pd.DataFrame:
    """Periods of care from episodes (child, DECOM, DEC, REC, CIN, DOB), one council."""
    ep = pd.DataFrame({
        "la": "LA1", "child": [r[0] for r in rows],
        "DECOM": pd.to_datetime([r[1] for r in rows]),
        "DEC": pd.to_datetime([r[2] for r in rows]),
        "REC": [r[3] for r in rows], "CIN": [r[4] for r in rows],
        "LS": "C2", "RNE": "S", "dob": pd.to_datetime([r[5] for r in rows])})
    return periods_of_care(ep)


T0, T1 = T("2016-04-01"), T("2018-04-01")


def test_which_returns_count_and_when_their_follow_up_stops() -> None:
    per = _periods([
        # a: home exactly at the start of the period; back 6 months later (an event)
        ("a", "2015-01-01", "2016-04-01", "E4A", "N1", "2008-01-01"),
        ("a", "2016-10-01", None, None, "N1", "2008-01-01"),
        # b: home on 31 March 2016, the day before: not in the period
        ("b", "2015-01-01", "2016-03-31", "E4A", "N4", "2008-01-01"),
        # c: home on 1 April 2018, the end (excluded): not in the period
        ("c", "2015-01-01", "2018-04-01", "E4B", "N4", "2008-01-01"),
        # d: no date of birth, home 1 Oct 2017, back after the end: censored at the end
        ("d", "2016-05-01", "2017-10-01", "E4A", "", None),
        ("d", "2018-06-01", None, None, "", None),
        # e: turns 18 on 1 Jan 2018 and comes back into care that very day: not an event
        ("e", "2016-05-01", "2017-07-01", "E4B", "N4", "2000-01-01"),
        ("e", "2018-01-01", None, None, "N4", "2000-01-01"),
        # f: back into care on the day the period ends: not an event
        ("f", "2016-05-01", "2017-12-01", "E4A", "N2", "2009-01-01"),
        ("f", "2018-04-01", None, None, "N2", "2009-01-01"),
    ])
    ret = returns_table(per, T0, T1).set_index("child")
    assert sorted(ret.index) == ["a", "d", "e", "f"]
    # the group is the category of need of the child's first period; no code: unknown
    assert ret["group"].to_dict() == {"a": "abuse_neglect", "d": "unknown", "e": "other",
                                      "f": "other"}
    assert ret["event"].to_dict() == {"a": True, "d": False, "e": False, "f": False}
    # durations in calendar months, by hand: a 6; d 18 - 12 = 6 (to the end); e from
    # 1 July 2017 to its 18th birthday on 1 Jan 2018, 6; f 4 (1 Dec 2017 to 1 April 2018)
    assert ret["duration"].to_dict() == pytest.approx({"a": 6.0, "d": 6.0, "e": 6.0,
                                                      "f": 4.0})
    assert ret["time"].to_dict() == pytest.approx({"a": 0.0, "d": 18.0, "e": 15.0,
                                                  "f": 20.0})
    # numbered afresh, with no column of the old numbers
    ret = returns_table(per, T0, T1)
    assert list(ret.index) == list(range(4)) and "index" not in ret.columns
    assert not any(math.isnan(x) for x in ret["duration"])
    assert np.all(ret["duration"] >= 0)


# ------------------------------------------------------------------ measure() at its edges

EDGES = """LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
LA1,A,01/01/2013,S,C2,N1,U3,PR1,01/04/2014,E4A,,,,
LA1,A,16/04/2015,S,C2,N1,U3,PR1,,,,,,
LA1,B,01/04/2014,S,C2,N1,U3,PR1,01/04/2015,E4A,,,,
LA1,B,16/04/2017,S,C2,N1,U3,PR1,01/04/2019,E11,,,,
LA1,C,01/04/2019,S,C2,N4,U3,PR1,,,,,,
LA1,D,01/06/2014,S,C2,N4,U3,PR1,01/06/2016,E11,,,,
LA1,E,01/05/2014,S,C2,N4,U3,PR1,01/09/2014,E11,,,,
LA1,E,01/01/2015,S,C2,N4,U3,PR1,,,,,,
"""
HEADER = "LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n" + "".join(
    f"LA1,{c},1,01/01/2008,WBRI,,,\n" for c in "ABCDE") + "LA2,Z,1,01/01/2008,WBRI,,,\n"


def _extract(tmp_path, episodes: str = EDGES, header: str = HEADER):  # type: ignore[no-untyped-def]
    from sim.ssda903.read import read_extract

    (tmp_path / "episodes.csv").write_text(episodes)
    (tmp_path / "header.csv").write_text(header)
    return read_extract([tmp_path / "episodes.csv", tmp_path / "header.csv"])


def test_measures_at_the_edges_of_the_period(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Period 1 April 2014 to 1 April 2019 (5 years). A goes home on its first day and
    comes back 12.5 months later; B starts on the first day, goes home a year later and
    comes back 24.5 months after that, and leaves on the period's end day (so it is in
    care at the end); C starts on the end day (not in the period); D and E's first period
    end otherwise (E11); E starts a later period not after a return."""
    from sim.ssda903.measure import measure

    m = measure(_extract(tmp_path), T("2014-04-01"), T("2019-04-01"))
    mm = m.metrics
    assert mm["returns_measured"] == 2 and mm["returns_per_year"] == pytest.approx(0.4)
    # ended in the period: A1, B1 (returns), D, E1; B2 ends on the end day (not in it)
    assert mm["returned_home_share"] == pytest.approx(2 / 4)
    # re-entries after 12.5 and 24.5 months, both followed to the end
    assert mm["reentry_12m"] == 0.0 and mm["reentry_24m"] == pytest.approx(0.5)
    assert mm["breakdown_24m_abuse_neglect"] == pytest.approx(0.5)
    curve = m.reentry_curve.set_index(["group", "month"])["share_reentered"]
    assert curve[("all", 13)] == pytest.approx(0.5) and curve[("all", 25)] == 1.0
    for group, g in m.reentry_curve.groupby("group"):
        assert list(g["month"]) == list(range(1, 73)), group
    assert m.reentry_curve["month"].dtype.kind == "i"  # written 1, 2, ... not 1.0
    assert list(m.reentry_curve.index) == list(range(len(m.reentry_curve)))
    # started in the period: first periods B1, D, E1; after a return A2, B2; other E2
    assert mm["entries_per_year"] == pytest.approx(3 / 5)
    assert mm["reentries_per_year"] == pytest.approx(2 / 5)
    assert mm["other_later_periods_per_year"] == pytest.approx(1 / 5)
    # in care at the end: A2, B2 (leaves on the end day), E2; not C (starts that day)
    assert mm["children_in_care_end"] == 3
    assert (mm["periods_of_care"], mm["children"]) == (8, 5)
    assert (mm["measured_from"], mm["measured_to"]) == ("2014-04-01", "2019-04-01")
    assert mm["years_measured"] == pytest.approx(5.0)
    # without a period: the default one (the first ending, 1 Apr 2014, to the 1 April
    # after the last date, 1 Apr 2019: 1 April 2020)
    d = measure(_extract(tmp_path)).metrics
    assert (d["measured_from"], d["measured_to"]) == ("2014-04-01", "2020-04-01")
    with pytest.raises(ValueError, match="is not before end"):
        measure(_extract(tmp_path), T("2016-04-01"), T("2016-04-01"))


def test_one_episode_and_no_ending_are_measured(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sim.ssda903.measure import measure

    one = EDGES.splitlines()[0] + "\nLA1,A,16/04/2015,S,C2,N1,U3,PR1,,,,,,\n"
    m = measure(_extract(tmp_path, one), T("2015-04-01"), T("2016-04-01")).metrics
    assert m["periods_of_care"] == 1 and m["children_in_care_end"] == 1
    assert math.isnan(m["returned_home_share"])  # nothing ended


def test_stock_and_councils_tables_of_the_edges(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sim.ssda903.measure import measure

    m = measure(_extract(tmp_path), T("2014-04-01"), T("2019-04-01"))
    # open at each 31 March (started on or before, not ended on or before), by hand:
    # 2015: B1, D, E2; 2016: A2, D, E2; 2017: A2, E2; 2018 and 2019: A2, B2, E2
    assert m.stock_31march.to_dict("list") == {
        "date": ["2015-03-31", "2016-03-31", "2017-03-31", "2018-03-31", "2019-03-31"],
        "la": ["LA1"] * 5, "children_in_care": [3, 3, 2, 3, 3]}
    # a period from a 31 March includes that day, and not the 31 March it ends on
    s = measure(_extract(tmp_path), T("2015-03-31"), T("2016-03-31")).stock_31march
    assert list(s["date"]) == ["2015-03-31"]
    # no 31 March in the period: no row, the columns all the same
    s = measure(_extract(tmp_path), T("2015-04-01"), T("2016-03-01")).stock_31march
    assert s.empty and list(s.columns) == ["date", "la", "children_in_care"]
    c = m.councils
    assert c.to_dict("records") == [{
        "council": "LA1", "children_returned": 2, "episodes_ended": 4,
        "return_home_share": 0.5, "breakdown_24m": 0.5, "reentry_12m": 0.0}]
    # a council with nothing ended and no return; a file without an LA column
    other = EDGES + "LA2,Z,01/05/2014,S,C2,N4,U3,PR1,,,,,,\n"
    c = measure(_extract(tmp_path, other), T("2014-04-01"), T("2019-04-01")).councils
    z = c.set_index("council").loc["LA2"]
    assert z["children_returned"] == 0 and z["episodes_ended"] == 0
    assert math.isnan(z["return_home_share"]) and math.isnan(z["breakdown_24m"])
    assert math.isnan(z["reentry_12m"])


def test_a_file_without_an_la_column_is_one_council_named_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sim.ssda903.measure import measure

    no_la = "\n".join(line.split(",", 1)[1] for line in EDGES.splitlines()) + "\n"
    (tmp_path / "h.csv").write_text("\n".join(line.split(",", 1)[1]
                                              for line in HEADER.splitlines()) + "\n")
    (tmp_path / "e.csv").write_text(no_la)
    from sim.ssda903.read import read_extract

    ex = read_extract([tmp_path / "e.csv", tmp_path / "h.csv"])
    c = measure(ex, T("2014-04-01"), T("2019-04-01")).councils
    assert list(c["council"]) == ["(no LA column)"] and list(c["children_returned"]) == [2]


# ------------------------------------------------- a run from data: the extract date's edges

def test_starts_per_year_are_measured_over_the_three_years_before_the_date(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sim.ssda903.seed import ENTRY_YEARS, _starts_per_year

    assert ENTRY_YEARS == 3
    ex = _extract(tmp_path)
    # 1 April 2013 to 1 April 2016: first periods B1, D, E1; E2 a later period not after a
    # return; A2 after a return (a re-entry, which the model makes itself): 4 in 3 years
    assert _starts_per_year(ex, T("2016-04-01")) == pytest.approx(4 / 3)
    # from the first start when the extract is shorter: 1 Jan 2013 to 1 Jan 2014, A1 alone
    assert _starts_per_year(ex, T("2014-01-01")) == pytest.approx(1.0)
    # nothing before the date
    assert _starts_per_year(ex, T("2013-01-01")) == 0.0


AT_DATE = EDGES + """LA1,G,01/04/2019,S,C2,N4,U3,PR1,,,,,,
LA1,H,01/05/2018,S,C2,N4,U3,PR1,01/04/2019,E4B,,,,
LA1,K,01/05/2018,S,C2,N4,U3,PR1,,,,,,
LA1,L,01/05/2018,S,C2,,U3,PR1,,,,,,
LA1,J,01/05/2018,P,C2,N4,U3,PR1,31/03/2019,X1,,,,
LA1,J,31/03/2019,P,C1,N4,K2,PR1,,,,,,
LA1,J,01/04/2019,P,C2,N4,U3,PR1,,,,,,
"""


def test_the_children_at_an_extract_date_are_those_in_care_at_its_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """1 April 2019: G starts that day (not yet in care); H goes home that day, unplanned
    (still in care at the start of it); J's latest episode before the date is the K2 one;
    K turns 18 that day (left out); L has no category of need."""
    from sim.agents.child import Placement
    from sim.ssda903 import codes
    from sim.ssda903.seed import children_at, in_care_at

    date = T("2019-04-01")
    ex = _extract(tmp_path, AT_DATE, HEADER + "LA1,K,1,01/04/2001,WBRI,,,\n"
                  + "".join(f"LA1,{c},1,01/01/2008,WBRI,,,\n" for c in "GHJL"))
    # by hand: in care at the start of 1 April 2019: A2, B2 (ends that day), C (starts
    # that day: no), E2, H (ends that day), J, K, L; not G
    assert in_care_at(ex.episodes, date) == 7
    kids, counts = children_at(ex.episodes, date)
    assert counts["children_in_care"] == 6  # A, B, E, H, J, L (K is 18)
    assert counts["left_out_in_care_aged_18_or_over"] == 1
    assert counts["children_at_home_after_return"] == 0
    # returns before the date: A's and B's; H's is on the date, not before it
    assert kids["returns"].sum() == 2 and not kids["unplanned"].any()
    assert sorted(kids["need"]) == ["abuse_neglect", "abuse_neglect"] + ["other"] * 3 + [
        "unknown"]
    # J alone is in a children's home (K2), its latest episode before the date
    assert list(kids["placement"]).count(int(codes.seed_placement("K2"))) == 1
    assert int(codes.seed_placement("K2")) == int(Placement.RESIDENTIAL)
    assert list(kids.index) == list(range(len(kids))) and "index" not in kids.columns
