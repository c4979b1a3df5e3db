"""Placements over a period of care (issue 24, sim/placements.py; docs/model.md).

Known answers for the move rates (a large population in care for one month: the number who
move, and where to, within binomial bounds of the hand-computed chance); moves change
nothing but placements (the families' histories are those of the run without them); the
ledger's placement costs equal a count by hand of the children in care at each month end
from the episode log; off, the outputs are those of the code before the mechanism (the
stored digest written by that code); the SSDA903 episodes split at each move."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.agents.child import Placement
from sim.config import ConfigError
from sim.ledger import C, C_MOVES, COMPONENTS
from sim.model import RevolvingDoorModel
from sim.prices import convert
from sim.results import collect
from sim.ssda903.write import write_model

ROOT = Path(__file__).resolve().parents[1]
ONE = {"councils": {"mode": "listed", "listed": [{"name": "Example"}]}}
TWO_DAYS = 2.0 / 30.4375  # a move comes at least two days after the placement began


def _population(placement: dict[str, Any], n: int, age_years: float,
                care_order: bool = True) -> RevolvingDoorModel:
    """A model holding ``n`` one-child families that entered care at month 0 (nothing run),
    under a care order or (``care_order=False``) accommodated by agreement."""
    m = RevolvingDoorModel({"seed": 11, "scale": 0.001, "warmup_years": 1, "years": 1, **ONE,
                            "params": {"placement": {"moves": True, **placement}}})
    ages = np.full((n, 3), np.nan)
    ages[:, 0] = age_years
    uid = 10 + 2 * np.arange(n)
    m.transitions.new_families(np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n, dtype=np.int64),
                               ages, np.zeros((n, 3), dtype=bool), np.full(n, care_order),
                               np.ones(n), uid)
    return m


def _within(count: int, n: int, p: float, z: float = 4.5) -> bool:
    return abs(count - n * p) <= z * math.sqrt(n * p * (1 - p))


def test_one_month_of_moves_matches_the_rate_by_hand() -> None:
    """20,000 children aged 8 under a care order in care all month at 4.8 moves a year (0.4
    a month), exposed for the month less two days: each moves with chance
    1 - exp(-0.4 (1 - 2/30.4375)); the new placements follow the shares given (foster the
    rest, 0.3)."""
    n = 20_000
    shares = {"residential_under12": 0.1, "kinship_under12": 0.2, "with_parents_under12": 0.3,
              "other_under12": 0.1}
    m = _population({"move_rate_under12": 4.8, "unstable_share": 0.0, **shares}, n, 8.0)
    m.placements.month_end(0)
    p = 1.0 - math.exp(-0.4 * (1.0 - TWO_DAYS))
    assert _within(m.placements.moves, n, p), (m.placements.moves, n * p)
    moves = m.records.episodes.moves_frame()
    assert len(moves) == m.placements.moves
    got = moves["placement"].value_counts()
    for kind, share in ((Placement.FOSTER, 0.3), (Placement.RESIDENTIAL, 0.1),
                        (Placement.KINSHIP, 0.2), (Placement.WITH_PARENTS, 0.3),
                        (Placement.OTHER, 0.1)):
        assert _within(int(got.get(int(kind), 0)), len(moves), share), (kind, got)
    # every move in the month, at least two days into the placement
    assert moves["time"].between(TWO_DAYS, 1.0).all()
    # accommodated by agreement (section 20): never placed with parents (DfE rule 378),
    # that share goes to foster care (0.3 + 0.3)
    v = _population({"move_rate_under12": 4.8, "unstable_share": 0.0, **shares}, n, 8.0,
                    care_order=False)
    v.placements.month_end(0)
    got = v.records.episodes.moves_frame()["placement"].value_counts()
    assert int(got.get(int(Placement.WITH_PARENTS), 0)) == 0
    assert _within(int(got.get(int(Placement.FOSTER), 0)), v.placements.moves, 0.6), got
    # the counts follow the children: recounted from their rows
    from sim.agents.council import count_caseloads
    assert (count_caseloads(m) == m.caseloads).all()


def test_unstable_children_and_age_bands_take_their_own_rates() -> None:
    """Aged 13 (the 12-15 rate, 1.2 a year), half of them unstable at 4 times the rate:
    chance 0.5 (1 - exp(-0.1 x)) + 0.5 (1 - exp(-0.4 x)), x the month less two days."""
    n = 20_000
    m = _population({"move_rate_under12": 0.0, "move_rate_12to15": 1.2,
                     "move_rate_16plus": 0.0, "unstable_share": 0.5,
                     "unstable_multiplier": 4.0}, n, 13.0)
    m.placements.month_end(0)
    x = 1.0 - TWO_DAYS
    p = 0.5 * (1 - math.exp(-0.1 * x)) + 0.5 * (1 - math.exp(-0.4 * x))
    assert _within(m.placements.moves, n, p), (m.placements.moves, n * p)


def test_no_move_without_a_rate_and_none_with_parents_again() -> None:
    """Rate 0: nobody moves. Every move to 'with parents' (share 1): in a second month
    nobody already there moves again (the same carers are no new placement)."""
    m = _population({"move_rate_under12": 0.0}, 2000, 6.0)
    m.placements.month_end(0)
    assert m.placements.moves == 0
    m = _population({"move_rate_under12": 5.0, "unstable_share": 0.0, "residential_under12": 0.0,
                     "kinship_under12": 0.0, "with_parents_under12": 1.0,
                     "other_under12": 0.0}, 2000, 6.0)
    m.placements.month_end(0)
    first = m.placements.moves
    assert first > 600  # 1 - exp(-5/12 x): about 1 in 3 of 2000
    m.placements.month_end(1)
    moved_twice = m.records.episodes.moves_frame().duplicated("child").sum()
    assert m.placements.moves > first  # the others still move there
    assert moved_twice == 0  # but nobody with parents moves "to" them again


def test_destination_shares_above_one_are_refused_before_any_work() -> None:
    with pytest.raises(ConfigError, match=r"params.placement.residential_16plus .* allowed: "
                       r"at most 1"):
        RevolvingDoorModel({"params": {"placement": {"other_16plus": 0.95}}})


@pytest.fixture(scope="module")
def runs() -> tuple[RevolvingDoorModel, RevolvingDoorModel]:
    """The same small run (3 councils) with moves off and on."""
    out = []
    for moves in (False, True):
        m = RevolvingDoorModel({"seed": 4, "scale": 0.015, "warmup_years": 3, "years": 3,
                                "params": {"placement": {"moves": moves}},
                                "councils": {"mode": "listed", "listed": [
                                    {"name": "A"}, {"name": "B", "practice": {"cost_multiplier": 1.3}},
                                    {"name": "C"}]}})
        out.append(m.run())
    return out[0], out[1]


def test_moves_change_placements_only(runs: tuple) -> None:
    """No hazard reads the placement and the moves draw from their own stream: the
    families' histories, flows, stocks and every cost but placements are those of the run
    without moves."""
    off, on = runs
    assert on.placements.moves > 100
    pd.testing.assert_frame_equal(off.records.returns_frame(), on.records.returns_frame())
    pd.testing.assert_frame_equal(off.records.exits_frame(), on.records.exits_frame())
    assert np.array_equal(off.timeseries.stocks, on.timeseries.stocks)
    assert np.array_equal(off.timeseries.flows, on.timeseries.flows)
    others = [C[c] for c in COMPONENTS if not c.startswith("placement_")]
    assert np.array_equal(off.ledger.amounts[..., others], on.ledger.amounts[..., others])
    assert off.ledger.components == COMPONENTS
    assert on.ledger.components[len(COMPONENTS):] == ("placement_with_parents", "placement_other")


def _in_care_by_hand(model: RevolvingDoorModel, t: float) -> pd.DataFrame:
    """Children in care at time ``t`` with their placement then, from the episode log and
    the moves (the last move before ``t`` in the episode, else the entry placement)."""
    ep = model.records.episodes_frame()
    ep = ep[(ep["start"] < t) & ~(ep["end"] < t)]
    mv = model.records.episodes.moves_frame()
    mv = mv[mv["time"] < t]
    last = mv.groupby("child").last()
    place = ep["placement"].to_numpy().copy()
    for i, (child, start) in enumerate(zip(ep["child"], ep["start"])):
        if child in last.index and last.loc[child, "time"] > start:
            place[i] = last.loc[child, "placement"]
    return pd.DataFrame({"council": ep["council"].to_numpy(), "placement": place})


def test_ledger_placement_costs_equal_a_count_by_hand(runs: tuple) -> None:
    """At several month ends: children in care by council and placement, counted from the
    episode log and the moves, times each type's unit cost (the yaml's yearly cost over
    12, moved from its price year to the run's) times the council's cost multiplier, is
    what the ledger booked for that month; and placements_by_month.csv's cost adds up to
    the ledger's placement costs over the measured period."""
    _off, m = runs
    c = m.config.params.costs
    py = m.config.price_year
    unit = {int(Placement.FOSTER): convert(c.foster_per_year / 12, c.foster_price_year, py),
            int(Placement.RESIDENTIAL): convert(c.residential_per_year / 12, c.residential_price_year, py),
            int(Placement.KINSHIP): convert(c.kinship_per_year / 12, c.kinship_price_year, py),
            int(Placement.WITH_PARENTS): convert(c.with_parents_per_year / 12,
                                                 c.with_parents_price_year, py),
            int(Placement.OTHER): convert(c.other_placement_per_year / 12,
                                          c.other_placement_price_year, py)}
    column = {int(Placement.FOSTER): C["placement_foster"],
              int(Placement.RESIDENTIAL): C["placement_residential"],
              int(Placement.KINSHIP): C["placement_kinship"],
              int(Placement.WITH_PARENTS): C_MOVES["placement_with_parents"],
              int(Placement.OTHER): C_MOVES["placement_other"]}
    seen = set()
    for month in (40, 55, 71):
        kids = _in_care_by_hand(m, float(month + 1))
        for (council, place), n in kids.groupby(["council", "placement"]).size().items():
            want = n * unit[int(place)] * m.council_cost_multiplier[council]
            assert m.ledger.amounts[month, council, column[int(place)]] == pytest.approx(
                want, rel=1e-9), (month, council, place)
            seen.add(int(place))
    assert seen == set(unit)  # every placement type was there
    frame = m.placements.frame()
    ms = m.config.measure_start
    booked = m.ledger.amounts[ms:, :, list(column.values())].sum()
    assert frame["cost_gbp"].sum() == pytest.approx(booked, rel=1e-9)
    assert frame.groupby("month")["children"].sum().iloc[-1] == m.children_in_care()


def test_off_is_byte_identical_to_the_code_before() -> None:
    """With params.placement.moves=false written out, every output file of the stored run
    (tests/data/pressure_off_digest.json: written by the code before this mechanism, with
    SSDA903) has the same bytes; config.yaml only gains the new group."""
    spec = importlib.util.spec_from_file_location("refresh_off_digest",
                                                  ROOT / "scripts" / "refresh_off_digest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    stored = json.loads((ROOT / "tests" / "data" / "pressure_off_digest.json").read_text())
    got = mod.digests({"params": {"placement": {"moves": False}}})
    assert got == stored["files"]
    assert "placements_by_month.csv" not in got


EXTRACT = """\
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
A1,01/06/2019,S,C2,N1,U6,PR1,,,,,,
B1,01/09/2019,S,C2,N1,P1,PR0,,,,,,
C1,01/09/2018,S,V2,N4,U6,PR1,01/10/2019,X1,OTHER,,,
C1,01/10/2019,P,V2,N4,H5,PR4,,,,,,
D1,01/01/2019,S,V2,N5,K2,PR4,,,,,,
E1,01/02/2019,S,V2,N1,U3,PR1,,,,,,
"""
HEADER = """\
CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A1,1,15/03/2012,WBRI,,,
B1,2,01/01/2015,WBRI,,0,
C1,1,01/05/2003,WBRI,,,
D1,2,01/01/2006,WBRI,,0,
E1,1,01/01/2013,WBRI,,,
"""


def test_a_council_forecast_starts_with_its_placements_with_parents_and_other(
        tmp_path: Path) -> None:
    """A council's extract (by hand): A1 foster (U6), B1 placed with parents (P1), C1
    semi-independent (H5, aged 16), D1 children's home (K2), E1 kinship (U3). Moves off,
    the model's three placements (P1 as kinship, H5 as residential, as before); moves on,
    placed with parents and other are placements of their own from month 0, and the
    forecast writes its table of them."""
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "episodes.csv").write_text(EXTRACT)
    (tmp_path / "x" / "header.csv").write_text(HEADER)
    for moves, in_care, more in ((False, [1, 2, 2], [0, 0]), (True, [1, 1, 1], [1, 1])):
        m = RevolvingDoorModel({"seed": 1, "years": 1, "councils": {
            "mode": "from_data", "path": str(tmp_path / "x")},
            "params": {"placement": {"moves": moves}}})
        c = m.councils[0]
        assert (c.in_care, c.in_care_more) == (in_care, more), moves
        if moves:
            m.run()
            assert m.placements.counts[0].sum() >= 1
        m.release()


def _episodes(folder: Path) -> pd.DataFrame:
    ep = pd.read_csv(folder / "episodes.csv", dtype=str).fillna("")
    for col in ("DECOM", "DEC"):
        ep[col + "_d"] = pd.to_datetime(ep[col].replace("", None), format="%d/%m/%Y")
    return ep.sort_values(["CHILD", "DECOM_d"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[RevolvingDoorModel, Path]:
    m = RevolvingDoorModel({"seed": 7, "scale": 0.012, "years": 6, "warmup_years": 12,
                            "start_year": 2013, **ONE,
                            "params": {"placement": {"moves": True}}}).run()
    folder = tmp_path_factory.mktemp("moves")
    write_model(m, folder, years=6)
    return m, folder


def test_ssda903_episodes_split_at_each_move(written: tuple) -> None:
    """One episode a placement: a move ends its episode with X1 and a reason, and the next
    starts that day with RNE P, the same legal status and a placement that differs in
    PLACE or PLACE_PROVIDER (rule 435 as the validator reads it); no gap, no overlap; as
    many RNE P episodes outside placements for adoption as moves."""
    m, folder = written
    ep = _episodes(folder)
    nxt = ep.groupby("CHILD").shift(-1)
    prev = ep.groupby("CHILD").shift(1)
    # no overlap: an episode starts on or after the end of the one before
    later = prev["DECOM_d"].notna()
    assert (ep.loc[later, "DECOM_d"] >= prev.loc[later, "DEC_d"]).all()
    # within a period: the episode an X1 ends is followed on the same day
    x1 = ep["REC"] == "X1"
    assert (nxt.loc[x1, "DECOM_d"] == ep.loc[x1, "DEC_d"]).all()
    assert (ep.loc[x1, "REASON_PLACE_CHANGE"] != "").all()
    p = (ep["RNE"] == "P") & ~ep["PLACE"].isin(["A3", "A4", "A5", "A6"])
    assert p.sum() == m.placements.moves == len(m.records.episodes.moves_frame())
    assert (prev.loc[p, "REC"] == "X1").all()
    assert (ep.loc[p, "LS"] == prev.loc[p, "LS"]).all()
    changed = ((ep.loc[p, "PLACE"] != prev.loc[p, "PLACE"])
               | (ep.loc[p, "PLACE_PROVIDER"] != prev.loc[p, "PLACE_PROVIDER"]))
    assert changed.all()
    # RNE P only where the placement changed: every other later episode of a period is
    # the adoption split's (a placement for adoption)
    other_later = (ep["RNE"] != "S") & ~p
    assert ep.loc[other_later, "PLACE"].isin(["A3", "A4", "A5", "A6"]).all()
    # the new placement types are written: placed with parents, other (16+ semi-independent)
    assert {"P1", "H5"} <= set(ep["PLACE"])


def test_ssda903_rules_hold_with_moves(written: tuple) -> None:
    """The DfE rules of tests/test_ssda903_rules.py that moves could break, on every annual
    file of a run with moves: 355 (no episode starts and ends on one day), 225 (a reason
    before a change of placement), 352 (no period starts at 18), 378 (no child placed with
    parents, P1, while accommodated under section 20, V2), semi-independent living (H5)
    only from 16."""
    _m, folder = written
    for y in range(2014, 2020):
        ep = pd.read_csv(folder / f"episodes_{y}.csv", dtype=str).fillna("")
        hd = pd.read_csv(folder / f"header_{y}.csv", dtype=str).fillna("")
        assert not (ep["DECOM"] == ep["DEC"]).any(), y
        assert not ((ep["PLACE"] == "P1") & (ep["LS"] == "V2")).any(), y
        ep["DECOM_d"] = pd.to_datetime(ep["DECOM"], format="%d/%m/%Y")
        ep = ep.sort_values(["CHILD", "DECOM_d"], kind="stable")
        nxt = ep.groupby("CHILD")["RNE"].shift(-1)
        change = (ep["REC"] == "X1") & nxt.isin(["P", "B", "T", "U"])
        assert (ep.loc[change, "REASON_PLACE_CHANGE"] != "").all(), y
        dob = ep["CHILD"].map(hd.set_index("CHILD")["DOB"])
        dob = pd.to_datetime(dob, format="%d/%m/%Y")
        sixteen = dob + pd.DateOffset(years=16)
        assert not ((ep["PLACE"] == "H5") & (ep["DECOM_d"] < sixteen)).any(), y
        eighteen = dob + pd.DateOffset(years=18)
        assert not ((ep["RNE"] == "S") & (ep["DECOM_d"] >= eighteen)).any(), y


def test_placements_by_month_is_written_with_moves_only(tmp_path: Path, runs: tuple) -> None:
    off, on = runs
    collect(off).write(tmp_path / "off")
    collect(on).write(tmp_path / "on")
    assert not (tmp_path / "off" / "placements_by_month.csv").exists()
    f = pd.read_csv(tmp_path / "on" / "placements_by_month.csv")
    assert list(f.columns) == ["month", "council", "age_band", "placement", "children",
                               "cost_gbp"]
    assert set(f["placement"]) == {"foster", "residential", "kinship", "with_parents", "other"}
    assert f["month"].max() + 1 == 12 * on.config.years
    ts = pd.read_csv(tmp_path / "on" / "timeseries.csv")
    by_month = f.groupby(["month", "council"])["children"].sum()
    assert (by_month.to_numpy() == ts.set_index(["month", "council"])
            .loc[by_month.index, "children_in_care"].to_numpy()).all()


@pytest.mark.slow
def test_england_check_meets_its_tolerances(tmp_path: Path) -> None:
    """scripts/placement_check.py at the page's scale and seed: every measure of the mix
    at 31 March and of placements in the year within its stated tolerance."""
    spec = importlib.util.spec_from_file_location("placement_check",
                                                  ROOT / "scripts" / "placement_check.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    model, per_year, seconds = mod.run(0.25, 1)
    tab = mod.table(per_year)
    assert tab["within"].all(), tab
    assert len(per_year) == model.config.years
    assert per_year["children_followed"].min() > 10_000  # England at a quarter: ~16,000
    text = mod.page(tab, per_year, 0.25, 1, seconds, model.placements.moves)
    assert "8 of 8 measures within" in text
