"""Backtests (issue 24): the stock-flow baseline against hand-worked answers, the accepted
set's weights, the cut of an extract at a past date, and the command's refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.ssda903.backtest import accepted_set, cut, prior_weight, summary
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
