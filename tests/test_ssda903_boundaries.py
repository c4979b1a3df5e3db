"""SSDA903 at its boundaries (issue 23, survivor 7): the 31 March stock, and the clocks of a
case seeded from a council's data.

A child who leaves care on 31 March is not in that day's stock (SSDA903 counts the
children looked after *at* 31 March: an episode with that end date is closed); a child who
starts that day is. A family at home after a return when a run from data starts keeps its
case open for the council's months *from its return*, not from month 0. Every expectation
is worked out by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.agents.child import EntryReason
from sim.initial_stock import COLUMNS
from sim.model import RevolvingDoorModel
from sim.ssda903.measure import measure
from sim.ssda903.read import read_extract
from sim.ssda903.seed import children_at, in_care_at

EPISODES = """LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
LA1,A,01/06/2015,S,C2,N1,U3,PR1,31/03/2016,E4A,,,,
LA1,B,31/03/2016,S,C2,N1,U3,PR1,,,,,,
LA1,C,01/01/2016,S,C2,N1,U3,PR1,01/04/2016,E11,,,,
LA1,D,01/05/2016,S,C2,N1,U3,PR1,31/03/2017,E4A,,,,
LA1,E,01/05/2016,S,C2,N1,U3,PR1,,,,,,
LA1,F,31/03/2017,S,C2,N1,U3,PR1,,,,,,
"""
HEADER = """LA,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
LA1,A,1,15/06/2008,WBRI,UN1,,
LA1,B,2,20/01/2009,WBRI,UN1,,
LA1,C,1,03/03/2010,WBRI,UN1,,
LA1,D,2,07/07/2011,WBRI,UN1,,
LA1,E,1,01/01/2012,WBRI,UN1,,
LA1,F,2,01/02/2013,WBRI,UN1,,
"""


@pytest.fixture
def extract(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "episodes.csv").write_text(EPISODES)
    (tmp_path / "header.csv").write_text(HEADER)
    return read_extract([tmp_path / "episodes.csv", tmp_path / "header.csv"])


def test_a_child_leaving_on_31_march_is_not_in_that_days_stock(extract) -> None:  # type: ignore[no-untyped-def]
    m = measure(extract, pd.Timestamp("2015-04-01"), pd.Timestamp("2017-04-01"))
    stock = m.stock_31march.set_index(["date", "la"])["children_in_care"].to_dict()
    # by hand. 31 March 2016: A left that day (not counted), B started that day (counted),
    # C leaves the day after (counted): 2. 31 March 2017: B, E and F (started that day);
    # D left that day: 3.
    assert stock == {("2016-03-31", "LA1"): 2, ("2017-03-31", "LA1"): 3}
    # and at the end of the period (the start of 1 April 2017): the same three
    assert m.metrics["children_in_care_end"] == 3


def test_the_extract_dates_children_leave_out_those_who_left_on_31_march(extract) -> None:  # type: ignore[no-untyped-def]
    date = pd.Timestamp("2017-04-01")
    assert in_care_at(extract.episodes, date) == 3  # B, E, F
    kids, counts = children_at(extract.episodes, date)
    assert counts["children_in_care"] == 3 and counts["children_at_home_after_return"] == 2
    home = kids[kids["location"] == "at_home"].sort_values("return_time")
    # A went home on 31 March 2016, 12 months and a day before; D on 31 March 2017, a day
    # before (a day is 1/31 of March's month)
    assert list(home["return_time"]) == pytest.approx([-12 - 1 / 31, -1 / 31])
    assert list(home["period_start"]) == pytest.approx([-22.0, -11.0])


def _family(family: int, return_time: float) -> dict[str, object]:
    """One child at home after a return at ``return_time`` (months before month 0)."""
    return {"family": family, "council": 0, "location": "at_home",
            "reason": int(EntryReason.OTHER), "age_months": 100.0, "care_order": False,
            "placement": -1, "period_start": return_time - 10.0, "return_time": return_time,
            "unplanned": False, "episodes": 1, "returns": 1, "first_return_time": return_time,
            "problems": 0, "unresolved": 0, "frailty": 1.0}


def test_a_seeded_cases_monitoring_clock_counts_from_its_return() -> None:
    model = RevolvingDoorModel({
        "seed": 1, "scale": 0.01, "years": 1, "warmup_years": 0,
        # nothing at home ends a return early, so every case runs its course
        "params": {"after_return": {"maltreatment_base": 0.0, "breakdown_other": 0.0}},
        "councils": {"mode": "listed", "listed": [
            {"name": "A", "size_share": 1.0,
             "practice": {"monitoring_months": 6, "support_share": 1.0}}]}})
    try:
        returns = [-4.0, -1.5, -6.0, -8.5]
        table = pd.DataFrame([_family(i, t) for i, t in enumerate(returns)])
        model.seed_population(table.astype(COLUMNS))
        F = model.families
        rows = np.arange(len(returns))  # the first families added
        # by hand, a case kept open 6 months after the return: -4 + 6 = 2, -1.5 + 6 = 4.5;
        # the returns 6 and 8.5 months ago have their cases closed already
        assert list(F.case_open[rows]) == [True, True, False, False]
        assert list(F.close_at[rows[:2]]) == pytest.approx([2.0, 4.5])
        # status-quo support (every family here) lasts while the case is open
        assert list(F.support_level[rows] > 0) == [True, True, False, False]
        assert list(F.support_until[rows[:2]]) == pytest.approx([2.0, 4.5])
        assert model.councils[0].open_cases == 2
        # the run closes them then: open after month 2's start, closed by month 3's
        model.step()
        model.step()
        assert bool(F.case_open[0]) and bool(F.case_open[1])
        model.step()
        assert not F.case_open[0] and bool(F.case_open[1])
    finally:
        model.release()
