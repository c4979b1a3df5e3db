"""The SSDA903 a run writes passes the DfE's validation rules that apply to the tables it
writes (issue 24; docs/ssda903.md, "The DfE's rules"). Each rule is restated here from the
DfE's rule text as the sector's validator (Social Finance's ``quality-lac-data-validator``)
implements it, and checked on every annual file of a simulated council, as the council
would return them: the rule is the expectation, not the writer's own code."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim.model import RevolvingDoorModel
from sim.ssda903 import codes
from sim.ssda903.write import write_model

YEARS = range(2014, 2020)  # collection years ending 31 March 2014 ... 2019
FMT = "%d/%m/%Y"


@pytest.fixture(scope="module")
def annual(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[pd.DataFrame,
                                                                     pd.DataFrame]]:
    """A council (about 300 children entering care a year) run 12 + 6 years, written as
    annual files: ``{year: (episodes, header)}`` with dates parsed."""
    cfg = {"seed": 7, "scale": 0.012, "years": 6, "warmup_years": 12, "start_year": 2013,
           "councils": {"mode": "listed", "listed": [{"name": "Example"}]}}
    model = RevolvingDoorModel(cfg)
    model.run()
    folder = tmp_path_factory.mktemp("rules")
    write_model(model, folder, years=6)
    model.release()
    out = {}
    for y in YEARS:
        ep = pd.read_csv(folder / f"episodes_{y}.csv", dtype=str).fillna("")
        hd = pd.read_csv(folder / f"header_{y}.csv", dtype=str).fillna("")
        for col in ("DECOM", "DEC"):
            ep[col + "_d"] = pd.to_datetime(ep[col].replace("", None), format=FMT)
        hd["DOB_d"] = pd.to_datetime(hd["DOB"], format=FMT)
        out[y] = (ep, hd)
    return out


def _with_dob(ep: pd.DataFrame, hd: pd.DataFrame) -> pd.DataFrame:
    return ep.merge(hd[["CHILD", "DOB_d", "SEX", "MOTHER", "UPN"]], on="CHILD", how="left")


def test_209_no_UN1_for_a_child_of_school_age(annual: dict) -> None:
    """209: a child aged 4 or over on the 31 August before the collection year starts
    (the year ending 31 March Y starts 1 April Y-1) is of school age: UPN not ``UN1``."""
    seen = {"UN1": 0, "other": 0}
    for y, (_ep, hd) in annual.items():
        ref = pd.Timestamp(y - 2, 8, 31)
        school = hd["DOB_d"] + pd.DateOffset(years=4) <= ref
        assert not (school & (hd["UPN"] == "UN1")).any(), y
        seen["UN1"] += int((hd["UPN"] == "UN1").sum())
        seen["other"] += int(school.sum())
    assert seen["UN1"] > 50 and seen["other"] > 500  # both kinds of child are there


def test_168_upn_is_a_listed_placeholder(annual: dict) -> None:
    """168: a UPN is a valid number or one of the unknown codes UN1-UN5."""
    for _y, (_ep, hd) in annual.items():
        assert hd["UPN"].map(lambda u: bool(re.fullmatch(r"UN[1-5]", u))).all()


def test_208_upn_changes_between_years_only_as_allowed(annual: dict) -> None:
    """208: a child's UPN may change from one year's file to the next only from UN1 to
    UN2-UN5 (or from unknown to known)."""
    years = sorted(annual)
    changes = 0
    for a, b in zip(years, years[1:]):
        both = annual[a][1][["CHILD", "UPN"]].merge(annual[b][1][["CHILD", "UPN"]],
                                                     on="CHILD", suffixes=("_last", ""))
        moved = both[both["UPN"] != both["UPN_last"]]
        assert ((moved["UPN_last"] == "UN1") & moved["UPN"].isin(
            ["UN2", "UN3", "UN4", "UN5"])).all(), moved.head()
        changes += len(moved)
    assert changes > 0  # children do start school in these files


def test_393_and_607_girls_have_mother_completed(annual: dict) -> None:
    """393: a girl looked after (not in short breaks, V3/V4) has ``MOTHER`` completed;
    607: so does a girl who ceased to be looked after in the year. 612 and the code list:
    ``MOTHER`` is 0 or 1, never given for boys."""
    for y, (ep, hd) in annual.items():
        girls = hd[hd["SEX"] == "2"]
        looked_after = girls["CHILD"].isin(ep.loc[~ep["LS"].isin(["V3", "V4"]), "CHILD"])
        assert (girls.loc[looked_after, "MOTHER"] != "").all(), y
        assert set(girls["MOTHER"]) <= {"0", "1"}
        assert (hd.loc[hd["SEX"] == "1", "MOTHER"] == "").all()
        assert (hd.loc[hd["MOTHER"] == "1", "MC_DOB"] != "").all()


def test_390_adoption_follows_a_placement_for_adoption(annual: dict) -> None:
    """390: an episode ending in adoption (E11, E12) is a placement for adoption (A3-A6).
    408: A5/A6 only under a placement order (E1). 225: the episode before a change of
    placement (RNE P, B, T, U) gives a reason for the change."""
    adoptions = 0
    for y, (ep, _hd) in annual.items():
        adopted = ep[ep["REC"].isin(["E11", "E12"])]
        assert adopted["PLACE"].isin(["A3", "A4", "A5", "A6"]).all(), y
        adoptions += len(adopted)
        assert (ep.loc[ep["PLACE"].isin(["A5", "A6"]), "LS"] == "E1").all()
        ep = ep.sort_values(["CHILD", "DECOM_d"])
        nxt = ep.groupby("CHILD")[["RNE", "PLACE"]].shift(-1)
        change = (ep["REC"] == "X1") & nxt["RNE"].isin(["P", "B", "T", "U"])
        assert (ep.loc[change, "REASON_PLACE_CHANGE"] != "").all()
        assert set(ep["REASON_PLACE_CHANGE"]) - {""} <= set(codes.REASON_PLACE_CHANGE)
    assert adoptions > 20


def test_435_and_436_reason_for_new_episode_matches_what_changed(annual: dict) -> None:
    """435: a new episode for a change of placement only (RNE P, T) keeps the legal status
    and changes the placement; 436: one for both (B, U) changes both (as the validator
    reads the two rules)."""
    seen = set()
    for y, (ep, _hd) in annual.items():
        ep = ep.sort_values(["CHILD", "DECOM_d"])
        prev = ep.groupby("CHILD")[["LS", "PLACE"]].shift(1)
        later = prev["LS"].notna()
        pt = later & ep["RNE"].isin(["P", "T"])
        assert ((ep.loc[pt, "LS"] == prev.loc[pt, "LS"])
                & (ep.loc[pt, "PLACE"] != prev.loc[pt, "PLACE"])).all(), y
        bu = later & ep["RNE"].isin(["B", "U"])
        assert ((ep.loc[bu, "LS"] != prev.loc[bu, "LS"])
                & (ep.loc[bu, "PLACE"] != prev.loc[bu, "PLACE"])).all(), y
        seen |= set(ep.loc[later, "RNE"])
    assert seen  # the files hold episodes after the first of a period


def test_352_no_period_of_care_starts_at_18(annual: dict) -> None:
    """352: a child who started to be looked after (RNE S) was under 18."""
    for y, (ep, hd) in annual.items():
        m = _with_dob(ep, hd)
        started = m["RNE"] == "S"
        assert not (started & (m["DOB_d"] + pd.DateOffset(years=18) <= m["DECOM_d"])).any(), y


def test_355_no_episode_lasts_less_than_a_day(annual: dict) -> None:
    """355: an episode does not end on the day it starts."""
    for y, (ep, _hd) in annual.items():
        assert not (ep["DECOM"] == ep["DEC"]).any(), y


def test_460_stayed_at_18_only_at_18(annual: dict) -> None:
    """460: an episode ending E17 (aged 18 and stayed with carers) ends on or after the
    18th birthday."""
    n = 0
    for y, (ep, hd) in annual.items():
        m = _with_dob(ep, hd)
        e17 = m[m["REC"] == "E17"]
        assert not (e17["DOB_d"] + pd.DateOffset(years=18) > e17["DEC_d"]).any(), y
        n += len(e17)
    assert n > 10


def test_a_councils_file_has_no_la_column(tmp_path: Path) -> None:
    """A council returns its own file: a run of several councils writes one folder a
    council without an ``LA`` column (the validator rejects the column), and the
    regional file, named so, with it; the council files together are the regional file."""
    cfg = {"seed": 2, "scale": 0.004, "years": 2, "warmup_years": 3, "start_year": 2015,
           "councils": {"mode": "listed", "listed": [{"name": "North"}, {"name": "South"}]}}
    model = RevolvingDoorModel(cfg)
    model.run()
    write_model(model, tmp_path, years=2)
    model.release()
    assert not (tmp_path / "episodes.csv").exists()
    regional = pd.read_csv(tmp_path / "regional_episodes.csv", dtype=str).fillna("")
    assert list(regional.columns) == ["LA", *codes.EPISODE_COLUMNS]
    parts = []
    for name in ("North", "South"):
        for f in [tmp_path / name / "episodes.csv", tmp_path / name / "episodes_2017.csv",
                  tmp_path / name / "header.csv", tmp_path / name / "header_2016.csv"]:
            assert "LA" not in pd.read_csv(f, dtype=str).columns, f
        parts.append(pd.read_csv(tmp_path / name / "episodes.csv", dtype=str).fillna("")
                     .assign(LA=name))
    together = pd.concat(parts)[regional.columns].sort_values(["CHILD", "DECOM"])
    assert together.reset_index(drop=True).equals(
        regional.sort_values(["CHILD", "DECOM"]).reset_index(drop=True))


def test_352_and_460_at_the_day_of_an_18th_birthday() -> None:
    """The model's times are rounded down to the day, so a child born late on 29 February
    who enters care a moment before 18 (model time) can be written as starting on the day
    the DfE counts as the 18th birthday (pandas and the validator: 28 February), and one
    aged out can be written a day before it. Hand-made: month 0 is 1 April 2000, February
    2004 is month 46 and February 2022 month 262."""
    from sim.ssda903.write import ssda903_frames

    birth = 46.99  # 29 February 2004
    log = pd.DataFrame({"child": [1, 2], "start": [birth + 215.99, 100.0], "council": [0, 0],
                        "birth": [birth, 46.95], "reason": [0, 0], "care_order": [True, True],
                        "placement": [0, 0], "end": [birth + 216.0, 46.95 + 216.0],
                        "end_kind": [int(k) for k in (codes.ExitKind.AGED_OUT,) * 2]})
    ep, hd = ssda903_frames(log, seed=1, start_year=2001, warmup_years=1, councils=["X"])
    dob18 = pd.to_datetime(hd.set_index("CHILD")["DOB"], format=FMT) + pd.DateOffset(years=18)
    start = pd.to_datetime(ep["DECOM"], format=FMT)
    end = pd.to_datetime(ep["DEC"], format=FMT)
    assert (start < ep["CHILD"].map(dob18)).all()  # 352
    assert (end >= ep["CHILD"].map(dob18)).all()  # 460 (both end E17)
    assert (ep["DECOM"] != ep["DEC"]).all()  # 355
