"""Backtests (issue 24): the stock-flow baseline against hand-worked answers, the accepted
set's weights, the cut of an extract at a past date, and the command's refusals."""

from __future__ import annotations

from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from sim.ssda903.backtest import (MODEL_PLACEMENT_GROUP, Settings, accepted_set, age_band, counts, cut,
                                  in_care_frame, keys, model_frames, monitoring_draws,
                                  monitoring_prior, prior_weight, stock_flow_frames, summary)
from sim.ssda903.fit import is_count, size_multiplier
from sim.ssda903.cli import main
from sim.ssda903.quality import QualityReport
from sim.ssda903.read import Extract
from sim.ssda903.stockflow import GROUPS, estimate

DATA = Path(__file__).parent / "data" / "ssda903"
D = pd.Timestamp("2020-04-01")


def _extract(rows: list[tuple], dobs: dict[int, str]) -> Extract:
    """Episodes ``(child, DECOM, DEC or None, PLACE, REC or None)``."""
    ep = pd.DataFrame(rows, columns=["child", "DECOM", "DEC", "PLACE", "REC"])
    ep["DECOM"] = pd.to_datetime(ep["DECOM"])
    ep["DEC"] = pd.to_datetime(ep["DEC"])
    ep = ep.assign(la="", RNE="S", LS="C1", CIN="N1", file=0, row=np.arange(len(ep)),
                   dob=ep["child"].map({k: pd.Timestamp(v) for k, v in dobs.items()}))
    hd = pd.DataFrame({"la": "", "child": list(dobs), "dob": pd.to_datetime(list(dobs.values())),
                       "sex": "1"})
    return Extract(ep, hd, ["(test)"], QualityReport())


def test_stock_flow_rates_and_projection_by_hand() -> None:
    """Three years before 1 April 2020 (36 months). Child 1 (aged 8-11, foster U6) in care
    the whole window: 36 foster child-months at 5-9 and 10-15, no exit. Child 2 (aged 12)
    enters foster care 1 April 2018 and goes home 1 April 2019: 12 child-months, one exit,
    at 10-15. So the exit rate at 10-15 in foster care is 1 / (12 + child 1's months at
    10-15). Entries: one in 36 months, aged 144 months, foster. Child 1 starts the forecast
    in care, aged 131 months."""
    x = _extract([(1, "2016-01-01", None, "U6", None),
                  (2, "2018-04-01", "2019-04-01", "U6", "E4A")],
                 {1: "2009-05-01", 2: "2006-04-01"})
    sf = estimate(x.episodes, D, years=3.0)
    foster = GROUPS.index("foster")
    # child 1 is 10 from 1 May 2019: 11 months at 10-15 in the window, 25 at 5-9
    assert sf.exit[3, foster] == pytest.approx(1 / (12 + 11))
    assert sf.exit[2, foster] == 0.0  # 25 months at 5-9 without an exit
    assert sf.entries.sum() == pytest.approx(1 / 36)
    assert sf.entries[144, foster] == pytest.approx(1 / 36)
    assert sf.start.sum() == 1 and sf.start[130:133, foster].sum() == 1
    # a month ahead: child 1 stays with chance 1 - 1/23, plus a month's entries
    assert sf.totals(1)[0] == pytest.approx(1 - 1 / 23 + 1 / 36)
    # twelve months ahead, by hand: survival (22/23)^12 plus entries surviving
    want = (22 / 23) ** 12 + sum((22 / 23) ** k for k in range(12)) / 36
    assert sf.totals(12)[11] == pytest.approx(want)


def test_stock_flow_moves_between_placements() -> None:
    """A child moves from foster care (U6) to a placement for adoption (A6) after 30 of the
    window's 36 months: a move foster -> placed_for_adoption of 1 / 30 a month at 5-9 (30
    foster child-months; the child is 5 to 8), and the child is in A6 at the date."""
    x = _extract([(1, "2017-04-01", "2019-10-01", "U6", "X1"),
                  (1, "2019-10-01", None, "A6", None)], {1: "2011-06-01"})
    sf = estimate(x.episodes, D, years=3.0)
    f, a = GROUPS.index("foster"), GROUPS.index("placed_for_adoption")
    assert sf.move[2, f, a] == pytest.approx(1 / 30)
    assert sf.exit.sum() == 0.0
    assert sf.start[:, a].sum() == 1


def test_cut_hides_what_happened_after_the_date() -> None:
    x = _extract([(1, "2018-01-01", "2021-01-01", "U6", "E4A"),
                  (2, "2020-06-01", None, "U6", None),
                  (3, "2012-01-01", "2013-01-01", "U6", "E8")],
                 {1: "2010-01-01", 2: "2010-01-01", 3: "2005-01-01"})
    c = cut(x, D, history_years=5, la="")
    assert c.episodes["child"].tolist() == [1]  # 2 starts later, 3 ended before 2015
    assert pd.isna(c.episodes["DEC"].iloc[0]) and c.episodes["REC"].isna().all()


def test_accepted_set_weights_are_likelihood_times_prior() -> None:
    """Two points with the same objective: their weights are in the ratio of the prior;
    a point 2 objective units worse is down by exp(-1) more."""
    g = pd.DataFrame({"return_propensity": [1.0, 2.0, 1.0],
                      "thoroughness": [0.4, 0.4, 0.6], "objective": [1.0, 1.0, 3.0]})
    acc = accepted_set(g).set_index(["return_propensity", "thoroughness"])["weight"]
    p = prior_weight(np.array([1.0, 2.0, 1.0]), np.array([0.4, 0.4, 0.6]))
    assert acc.sum() == pytest.approx(1.0)
    assert acc[(2.0, 0.4)] / acc[(1.0, 0.4)] == pytest.approx(p[1] / p[0])
    assert acc[(1.0, 0.6)] / acc[(1.0, 0.4)] == pytest.approx(np.exp(-1) * p[2] / p[0])
    # the prior: log propensity normal around 1 (the typical council)
    assert prior_weight(np.array([1.0]), np.array([0.4]))[0] > \
        prior_weight(np.array([4.0]), np.array([0.4]))[0]


def test_the_prior_weighs_a_grid_point_by_the_density_of_log_propensity() -> None:
    """Issue 24: the fit's grid is even in log return propensity, so a point's prior mass
    is the density of the log (normal, sd ``return_propensity_sigma``, centred on 1) times
    thoroughness's beta density, worked here with scipy's distributions: councils as far
    above the typical propensity in the log as below weigh the same. Fails with the
    density of propensity itself (its ``1 / propensity``), which gave 0.35 eight times the
    weight of 2.8 and pulled the forecasts up."""
    from scipy.stats import beta, norm
    from sim.config import PracticeSpread
    s = PracticeSpread()
    rp = np.array([0.35, 0.7, 1.0, 1.4, 2.8, 1 / 2.8, 2.8])
    th = np.array([0.3, 0.3, 0.3, 0.3, 0.3, 0.55, 0.55])
    want = norm.pdf(np.log(rp), 0.0, s.return_propensity_sigma) * beta.pdf(
        th, s.thoroughness_mean * s.thoroughness_concentration,
        (1 - s.thoroughness_mean) * s.thoroughness_concentration)
    got = prior_weight(rp, th)
    assert got / got[2] == pytest.approx(want / want[2], rel=1e-9)
    assert got[5] == pytest.approx(got[6], rel=1e-12)  # 1/2.8 and 2.8: the same weight


def test_summary_counts_coverage() -> None:
    t = pd.DataFrame({"council": "A", "method": ["model_fitted"] * 4 + ["persistence"] * 2,
                      "horizon_months": [12, 12, 24, 24, 12, 24],
                      "truth": [100, 100, 100, 100, 100, 100],
                      "error": [5.0, -15.0, 10.0, 0.0, 2.0, -4.0],
                      "abs_pct_error": [5.0, 15.0, 10.0, 0.0, 2.0, 4.0],
                      "in80": [True, False, True, True, None, None],
                      "in95": [True, True, True, True, None, None]})
    s = summary(t).set_index(["method", "horizon_months"])
    assert s.loc[("model_fitted", 12), "mae_children"] == 10.0
    assert s.loc[("model_fitted", 12), "coverage80"] == 0.5
    assert s.loc[("persistence", 24), "mae_percent"] == 4.0
    assert np.isnan(s.loc[("persistence", 24), "coverage80"])


@pytest.mark.parametrize("args, words", [
    (["--at", "2016-04-01"], ["--at 2016-04-01", "2 years"]),
    (["--at", "2016-13-01"], ["--at"]),
    (["--at", "2020-04-01", "--runs", "2"], ["--runs"]),
])
def test_backtest_refuses_bad_input(tmp_path: Path, args: list[str], words: list[str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Before any work, one line naming the option, exit status 2, no output folder."""
    files = [str(DATA / "edge_episodes.csv"), str(DATA / "edge_header.csv")]
    with pytest.raises(SystemExit) if "2016-13-01" in args else _no_raise():
        code = main(["backtest", *files, "--out", str(tmp_path / "out"), *args])
        assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert all(w in err[-1] for w in words), err
    assert not (tmp_path / "out").exists()


class _no_raise:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


# ------------------------------------------------------------------ issue 24, by age band
def test_in_care_by_age_band_by_hand() -> None:
    """On 1 April 2020: child 1 (born 1 June 2019, 10 months: under 1) in care; child 2
    (born 1 April 2015, exactly 5: 5 to 9) in care; child 3 (born 2 April 2004, a day short
    of 16: 10 to 15) in care; child 4 went home on 1 March 2020 (not in care); child 5
    (born 1 January 2003, 17) began care on 1 April 2020 itself (not yet in care)."""
    x = _extract([(1, "2019-07-01", None, "U6", None),
                  (2, "2018-01-01", None, "U6", None),
                  (3, "2019-01-01", "2021-01-01", "U6", "E4A"),
                  (4, "2019-01-01", "2020-03-01", "U6", "E4A"),
                  (5, "2020-04-01", None, "U6", None)],
                 {1: "2019-06-01", 2: "2015-04-01", 3: "2004-04-02", 4: "2010-01-01",
                  5: "2003-01-01"})
    got = dict(zip(keys(), counts(in_care_frame(x.episodes, D))))
    assert got[("total", "all")] == 3
    assert got[("age_band", "under 1")] == 1
    assert got[("age_band", "1 to 4")] == 0
    assert got[("age_band", "5 to 9")] == 1
    assert got[("age_band", "10 to 15")] == 1
    assert got[("age_band", "16 and over")] == 0
    # a day later child 5 is in care, aged 17, and child 3 has turned 16
    later = dict(zip(keys(), counts(in_care_frame(x.episodes, D + pd.DateOffset(days=1)))))
    assert later[("age_band", "16 and over")] == 2 and later[("total", "all")] == 4
    assert later[("age_band", "10 to 15")] == 0


def test_age_band_boundaries() -> None:
    got = age_band(np.array([0.0, 0.99, 1.0, 4.99, 5.0, 9.99, 10.0, 15.99, 16.0, 17.9]))
    assert got.tolist() == ["under 1", "under 1", "1 to 4", "1 to 4", "5 to 9", "5 to 9",
                            "10 to 15", "10 to 15", "16 and over", "16 and over"]


def test_model_frames_count_what_the_run_counts(tmp_path: Path) -> None:
    """A run from data's children in care at each horizon, counted from its episodes by
    :func:`model_frames` (with their ages), equal its own time series (a second count),
    and the age bands add up to the total."""
    from sim.model import RevolvingDoorModel
    from sim.results import run
    from sim.ssda903.write import write_model

    m = RevolvingDoorModel({"seed": 3, "scale": 0.003, "years": 3, "warmup_years": 6,
                            "start_year": 2015, "councils": {"mode": "listed", "listed": [
                                {"name": "A", "size_share": 1.0}]}})
    try:
        m.run()
        write_model(m, tmp_path / "files", years=3)
    finally:
        m.release()
    cfg = {"seed": 4, "years": 3, "councils": {"mode": "from_data",
                                               "path": str(tmp_path / "files")}}
    ts = run(cfg).timeseries.groupby("month")["children_in_care"].sum().to_numpy()
    model = RevolvingDoorModel(cfg)
    try:
        model.run()
        ep = model.records.episodes_frame()
    finally:
        model.release()
    frames = model_frames(ep, [12, 24, 36])
    c = np.array([counts(f) for f in frames])
    assert c[:, 0].tolist() == [ts[11], ts[23], ts[35]]
    for b in ("age_band", "placement"):  # each breakdown's groups add up to the total
        cols = [j for j, k in enumerate(keys()) if k[0] == b]
        assert (c[:, cols].sum(axis=1) == c[:, 0]).all(), b
    # the model's placements as the children's open episodes had them (a second count)
    at12 = ep[(ep["start"] < 12) & (ep["end"].isna() | (ep["end"] >= 12))]
    foster = int((at12.drop_duplicates("child")["placement"] == 0).sum())
    assert c[0, keys().index(("placement", "foster"))] == foster > 0
    assert all(((f["age_years"] >= 0) & (f["age_years"] < 18)).all() for f in frames)


def test_stock_flow_frames_total_is_its_projection() -> None:
    x = _extract([(1, "2016-01-01", None, "U6", None),
                  (2, "2018-04-01", "2019-04-01", "U6", "E4A")],
                 {1: "2009-05-01", 2: "2006-04-01"})
    sf = estimate(x.episodes, D, years=3.0)
    frames = stock_flow_frames(sf, [1, 12])
    tot = sf.totals(12)
    got = np.array([counts(f) for f in frames])
    assert got[0, 0] == pytest.approx(tot[0]) and got[1, 0] == pytest.approx(tot[11])
    # child 1 is 131 months at the date: 132 a month on, 143 at 12 months: 10 to 15
    band = keys().index(("age_band", "10 to 15"))
    assert got[0, band] == pytest.approx(1 - 1 / 23 + 0.0, abs=1 / 36 + 1e-9)


def test_summary_by_age_band() -> None:
    t = pd.DataFrame({"council": "A", "method": "persistence", "horizon_months": 12,
                      "breakdown": ["total", "age_band", "age_band"],
                      "group": ["all", "under 1", "5 to 9"],
                      "truth": [10, 4, 6], "error": [2.0, -1.0, 3.0],
                      "abs_pct_error": [20.0, 25.0, 50.0]})
    tot = summary(t)
    assert len(tot) == 1 and tot["mae_children"].iloc[0] == 2.0
    by = summary(t, "age_band").set_index("group")
    assert by.loc["under 1", "mae_children"] == 1.0 and by.loc["5 to 9", "bias_children"] == 3.0
    assert list(by.index) == ["under 1", "5 to 9"]  # the bands' order


def test_size_multiplier_by_hand() -> None:
    """Counts scale with the run's size, shares do not: one count 100 simulated against
    120 observed gives 1.2; two counts (100 and 50 against 120 and 50, equal variances)
    give (100 x 120 + 50 x 50) / (100^2 + 50^2) = 1.16; a share changes nothing; a count
    with four times the variance weighs a quarter."""
    assert size_multiplier({"entries_per_year": 100.0}, {"entries_per_year": 120.0},
                           {"entries_per_year": 1.0}) == pytest.approx(1.2)
    two = ({"entries_per_year": 100.0, "held_out_children_in_care_end": 50.0,
            "reentry_12m": 0.2},
           {"entries_per_year": 120.0, "held_out_children_in_care_end": 50.0,
            "reentry_12m": 0.9},
           {"entries_per_year": 1.0, "held_out_children_in_care_end": 1.0,
            "reentry_12m": 1e-4})
    assert size_multiplier(*two) == pytest.approx(1.16)
    assert size_multiplier({"reentry_12m": 0.2}, {"reentry_12m": 0.3},
                           {"reentry_12m": 1.0}) == 1.0
    w = size_multiplier({"entries_per_year": 100.0, "children_in_care_end": 100.0},
                        {"entries_per_year": 120.0, "children_in_care_end": 100.0},
                        {"entries_per_year": 1.0, "children_in_care_end": 4.0})
    assert w == pytest.approx((12000 + 10000 / 4) / (10000 + 10000 / 4))
    assert is_count("held_out_children_in_care_end") and not is_count("reentry_12m")


def test_measure_without_tables_gives_the_same_metrics() -> None:
    """A fit measures with ``tables=False`` (the speed-up of issue 24's benchmark): the
    metrics and the re-entry curve are those of the full measurement."""
    from sim.ssda903.measure import measure
    from sim.ssda903.read import read_extract

    x = read_extract([DATA / "edge_episodes.csv", DATA / "edge_header.csv"])
    full, quick = measure(x), measure(x, tables=False)
    assert quick.metrics == full.metrics or all(
        (a == b) or (a != a and b != b) for a, b in zip(full.metrics.values(),
                                                        quick.metrics.values()))
    assert list(quick.metrics) == list(full.metrics)
    pd.testing.assert_frame_equal(quick.reentry_curve, full.reentry_curve)
    assert quick.entries_by_year.empty and not full.entries_by_year.empty


def test_held_out_metrics_are_the_latest_years() -> None:
    """``held_out_children_in_care_end`` (a backtest's fit adds it to its objective) is the
    stock at the window's end, the extract date, counted again by hand: children 1, 2 and
    4 in care on 1 April 2020; child 3 went home in March 2020; ``children_in_care_end``
    of the fit years is the stock a year earlier (children 1 and 3)."""
    from sim.ssda903.fit import Window, _both

    x = _extract([(1, "2016-01-01", None, "U6", None),
                  (2, "2019-06-01", None, "U6", None),
                  (3, "2018-04-01", "2020-03-01", "U6", "E4A"),
                  (4, "2019-05-01", None, "U6", None)],
                 {1: "2009-05-01", 2: "2006-04-01", 3: "2010-01-01", 4: "2012-01-01"})
    m = _both(x, Window(pd.Timestamp("2017-04-01"), D), True)
    assert m["held_out_children_in_care_end"] == 3
    assert m["children_in_care_end"] == 2  # 1 and 3 on 1 April 2019
    assert m["held_out_returns_per_year"] == pytest.approx(1.0)
    assert "held_out_children_in_care_end" not in _both(x, Window(pd.Timestamp(
        "2017-04-01"), D), False)


def test_monitoring_prior_by_hand() -> None:
    """England's spread of the months a case stays open (median 9, sd of log 0.7, at most
    36; sim/params/spread.yaml), rounded to whole months: P(9) is the log-normal's mass
    between 8.5 and 9.5, P(0) below 0.5, P(36) at 35.5 and above (worked with the standard
    library's normal distribution, not the code's)."""
    months, mass = monitoring_prior()
    z = NormalDist()

    def cdf(x: float) -> float:
        return z.cdf((np.log(x) - np.log(9.0)) / 0.7)

    assert list(months) == list(range(37)) and mass.sum() == pytest.approx(1.0)
    assert mass[9] == pytest.approx(cdf(9.5) - cdf(8.5), rel=1e-9)
    assert mass[4] == pytest.approx(cdf(4.5) - cdf(3.5), rel=1e-9)
    assert mass[0] == pytest.approx(cdf(0.5), rel=1e-9)
    assert mass[36] == pytest.approx(1 - cdf(35.5), rel=1e-9)
    # a second way of counting: the model's own draw for a council (sim/model.py)
    g = np.random.default_rng(5)
    x = np.clip(np.round(g.lognormal(np.log(9.0), 0.7, 400_000)), 0, 36).astype(int)
    freq = np.bincount(x, minlength=37) / len(x)
    assert np.abs(freq - mass).max() < 0.003


def test_monitoring_draws_follow_the_prior_and_the_seed() -> None:
    d = pd.Timestamp("2019-04-01")
    a = monitoring_draws(Settings(runs=4000), "Quick", d)
    assert a == monitoring_draws(Settings(runs=4000), "Quick", d)  # same seed, same draws
    assert a != monitoring_draws(Settings(runs=4000, seed=2), "Quick", d)
    months, mass = monitoring_prior()
    freq = np.bincount(np.array(a), minlength=37) / len(a)
    assert abs(freq[:8].sum() - mass[:8].sum()) < 0.03 and np.median(a) == 9
    assert monitoring_draws(Settings(runs=3, monitoring_from_prior=False), "Quick", d) == \
        [None, None, None]


def test_in_care_by_placement_by_hand() -> None:
    """On 1 April 2020, the PLACE of each child's episode open then, grouped as the
    stock-flow groups it: child 1 moved from foster (U6) to a children's home (K2) in
    2019: residential; child 2 placed with parents (P1); child 3 placed for adoption (A4);
    child 4 in kinship care (U1) who moves to foster care after the date: kinship; child 5
    in an unlisted placement (Z1) until the date itself, when it moves to foster care:
    other (the state at the start of the day); child 6 went home before the date: not
    counted."""
    x = _extract([(1, "2018-01-01", "2019-06-01", "U6", "P4"),
                  (1, "2019-06-01", None, "K2", None),
                  (2, "2019-02-01", None, "P1", None),
                  (3, "2019-03-01", None, "A4", None),
                  (4, "2019-03-01", "2020-05-01", "U1", "P4"),
                  (4, "2020-05-01", None, "U6", None),
                  (5, "2019-05-01", "2020-04-01", "Z1", "P4"),
                  (5, "2020-04-01", None, "U6", None),
                  (6, "2019-01-01", "2020-02-01", "U6", "E4A")],
                 {1: "2010-01-01", 2: "2012-01-01", 3: "2018-01-01", 4: "2008-01-01",
                  5: "2004-01-01", 6: "2011-01-01"})
    got = dict(zip(keys(), counts(in_care_frame(x.episodes, D))))
    assert got[("total", "all")] == 5
    assert {g: got[("placement", g)] for g in GROUPS} == {
        "foster": 0, "kinship": 1, "residential": 1, "placed_for_adoption": 1,
        "placed_with_parents": 1, "other": 1}
    later = dict(zip(keys(), counts(in_care_frame(x.episodes, pd.Timestamp("2020-06-01")))))
    assert later[("placement", "foster")] == 2 and later[("placement", "kinship")] == 0
    assert later[("placement", "other")] == 0


def test_model_placements_are_grouped_as_the_files() -> None:
    """The model's placements by the PLACE code it writes: other placements are written
    H5 (semi-independent living), which the stock-flow counts as residential."""
    from sim.agents.child import Placement

    assert MODEL_PLACEMENT_GROUP == {
        int(Placement.FOSTER): "foster", int(Placement.RESIDENTIAL): "residential",
        int(Placement.KINSHIP): "kinship", int(Placement.WITH_PARENTS): "placed_with_parents",
        int(Placement.OTHER): "residential"}


def test_the_fit_of_a_backtest_warms_up_long_enough(monkeypatch) -> None:
    """The forecast fit's simulations are warmed up ``Settings.fit_warmup_years`` (20): a
    council started empty has not settled its stock in care by 14 or 15 years, where a
    10-year warm-up had the fit measure it (``scripts/stock_settling.py``), and the fit
    then took practices whose settled stock was higher than the council's."""
    import sim.ssda903.backtest as bt

    seen: dict = {}

    class Stop(Exception):
        pass

    def fit(extract, window, **kw):  # noqa: ANN001, ANN003
        seen.update(kw)
        raise Stop

    monkeypatch.setattr(bt, "fit_council", fit)
    monkeypatch.setattr(bt, "run_from_data",
                        lambda folder, fit_file, seed, horizons: np.zeros((len(horizons),
                                                                           len(keys()))))
    x = _extract([(1, "2016-05-01", None, "U4", None), (2, "2017-06-01", "2018-09-01", "U4",
                                                          "E4A"), (3, "2018-01-01", None, "R1", None)],
                 {1: "2010-01-01", 2: "2012-01-01", 3: "2005-01-01"})
    assert Settings().fit_warmup_years == 20
    with pytest.raises(Stop):
        bt.backtest_one(x, "", D, [12], Settings(runs_unfitted=1))
    assert seen["warmup_years"] == 20
    with pytest.raises(Stop):
        bt.backtest_one(x, "", D, [12], Settings(runs_unfitted=1, fit_warmup_years=12))
    assert seen["warmup_years"] == 12
