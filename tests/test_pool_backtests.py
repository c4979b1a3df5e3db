"""scripts/pool_backtests.py: the paired differences of the fitted model's errors against
the baselines', checked against a hand-made table whose answer is worked out by hand."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("pool_backtests",
                                              ROOT / "scripts" / "pool_backtests.py")
pool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pool)


def _table() -> pd.DataFrame:
    """Three cases at 12 months and two at 36; truth 100 everywhere, so % = children.
    fitted errors +2, -5, +1 (12) and +10, -4 (36); persistence -4, +3, -1 (12) and +6,
    +8 (36); stock-flow 0, 0, 0 (12) and -10, 0 (36). A by-age row and a model_unfitted
    row that must not count."""
    rows = []
    errs = {"model_fitted": {12: [2, -5, 1], 36: [10, -4]},
            "persistence": {12: [-4, 3, -1], 36: [6, 8]},
            "stock_flow": {12: [0, 0, 0], 36: [-10, 0]},
            "model_unfitted": {12: [50, 50, 50], 36: [50, 50]}}
    for method, by_h in errs.items():
        for h, es in by_h.items():
            for i, e in enumerate(es):
                rows.append({"council": f"C{i}", "extract_date": "2018-04-01",
                             "method": method, "horizon_months": h, "breakdown": "total",
                             "group": "all", "truth": 100.0, "forecast": 100.0 + e,
                             "error": float(e), "abs_pct_error": abs(e) * 1.0})
    rows.append({"council": "C0", "extract_date": "2018-04-01", "method": "model_fitted",
                 "horizon_months": 12, "breakdown": "age_band", "group": "under 1",
                 "truth": 10.0, "forecast": 90.0, "error": 80.0, "abs_pct_error": 800.0})
    return pd.DataFrame(rows)


def test_paired_differences_match_a_hand_computation() -> None:
    p = pool.paired(_table()).set_index(["against", "horizon_months"])
    # against persistence, 12 months: |2|-|-4| = -2, |-5|-|3| = 2, |1|-|-1| = 0:
    # mean 0, sd sqrt((4 + 4 + 0) / 2) = 2, se 2 / sqrt(3)
    r = p.loc[("persistence", 12)]
    assert r["cases"] == 3
    assert r["diff_percent"] == pytest.approx(0.0)
    assert r["se_percent"] == pytest.approx(2 / math.sqrt(3))
    # 36 months: 10-6 = 4, 4-8 = -4: mean 0, sd sqrt(32) , se sqrt(32)/sqrt(2) = 4
    r = p.loc[("persistence", 36)]
    assert (r["cases"], r["diff_percent"], r["se_percent"]) == (2, pytest.approx(0.0),
                                                                pytest.approx(4.0))
    # against the stock-flow, 12 months: 2, 5, 1: mean 8/3, sd sqrt(((2-8/3)^2 +
    # (5-8/3)^2 + (1-8/3)^2) / 2) = sqrt(13/3 ... ) worked: deviations -2/3, 7/3, -5/3,
    # squares 4/9 + 49/9 + 25/9 = 78/9, / 2 = 39/9
    r = p.loc[("stock_flow", 12)]
    assert r["diff_percent"] == pytest.approx(8 / 3)
    assert r["se_percent"] == pytest.approx(math.sqrt(39 / 9) / math.sqrt(3))
    # 36 months: 10-10 = 0, 4-0 = 4: mean 2, in children the same (truth 100)
    r = p.loc[("stock_flow", 36)]
    assert r["diff_percent"] == pytest.approx(2.0)
    assert r["diff_children"] == pytest.approx(2.0)
    assert r["se_children"] == pytest.approx(2.0)


def test_the_command_prints_the_pooled_and_paired_tables(tmp_path: Path, capsys) -> None:
    t = _table()
    for i, part in enumerate((t[t["council"] != "C2"], t[t["council"] == "C2"])):
        (tmp_path / f"b{i}").mkdir()
        part.to_csv(tmp_path / f"b{i}" / "backtest.csv", index=False)
    pool.main([str(tmp_path / "b0"), str(tmp_path / "b1")])
    out = capsys.readouterr().out
    assert "Pooled: 2 backtest(s), 3 council(s), 3 case(s) a horizon" in out
    assert "Paired, case by case" in out
    assert "stock_flow" in out.split("Paired")[1]


def test_by_a_breakdown_prints_the_methods_side_by_side(tmp_path: Path, capsys) -> None:
    """``--by age_band``: the fitted model, persistence and the stock-flow by group and
    horizon (the C0 under-1 row of the hand table: 800%), and a figure."""
    (tmp_path / "b").mkdir()
    _table().to_csv(tmp_path / "b" / "backtest.csv", index=False)
    pool.main([str(tmp_path / "b"), "--by", "age_band", "--figure",
               str(tmp_path / "by.png")])
    out = capsys.readouterr().out
    assert "By age band" in out and "Paired" not in out
    row = next(line for line in out.splitlines() if line.strip().startswith("under 1"))
    assert row.split()[3:] == ["800.0", "80.0", "10.0"]  # error %, bias, children
    assert (tmp_path / "by.png").stat().st_size > 1000


def test_standard_error_by_council_by_hand() -> None:
    """Council A at two dates (fitted minus persistence: |3|-|1| = 2 and |5|-|1| = 4, mean
    3), council B at one (|1|-|2| = -1): by council 3 and -1, mean of the cases 5/3; the
    standard error by council sqrt(((3-1)^2 + (-1-1)^2) / 1) / sqrt(2) = 2."""
    rows = []
    for council, date, fitted, pers in (("A", "2018-04-01", 3, 1), ("A", "2019-04-01", 5, 1),
                                        ("B", "2018-04-01", 1, 2)):
        for method, e in (("model_fitted", fitted), ("persistence", pers)):
            rows.append({"council": council, "extract_date": date, "method": method,
                         "horizon_months": 12, "breakdown": "total", "group": "all",
                         "truth": 100.0, "error": float(e), "abs_pct_error": float(e)})
    r = pool.paired(pd.DataFrame(rows), against=("persistence",)).iloc[0]
    assert r["diff_percent"] == pytest.approx(5 / 3)
    assert r["se_percent_by_council"] == pytest.approx(2.0)
    # by case: 2, 4, -1: sd sqrt(((1/3)^2 + (7/3)^2 + (8/3)^2) / 2) = sqrt(19/3)
    assert r["se_percent"] == pytest.approx(math.sqrt(19 / 3) / math.sqrt(3))


def test_by_council_joins_the_folders_cases() -> None:
    """C0 in two folders (``C0#0`` and ``C0#1``) is one council: its cases at 12 months
    are the fitted errors 2 and 4 (truth 100: 2% and 4%), mean 3%, bias +3 children;
    persistence -4 and -8: 6%."""
    t = _table()
    t = t[t["council"] == "C0"]
    both = pd.concat([t.assign(council="C0#0"),
                      t.assign(council="C0#1", error=lambda d: d["error"] * 2,
                               abs_pct_error=lambda d: d["abs_pct_error"] * 2)])
    r = pool.by_council(both).set_index(["council", "horizon_months"]).loc[("C0", 12)]
    assert r["cases"] == 2
    assert r["model_fitted"] == pytest.approx(3.0) and r["persistence"] == pytest.approx(6.0)
    assert r["fitted_bias_children"] == pytest.approx(3.0)


def test_folders_of_one_council_without_an_la_column(tmp_path: Path, capsys) -> None:
    """A backtest of one council's own files (no LA column) names its council "": such
    folders pool like any others (they failed on the empty name)."""
    t = _table()
    t = t[t["council"] == "C0"].assign(council="")
    for i in range(2):
        (tmp_path / str(i)).mkdir()
        t.to_csv(tmp_path / str(i) / "backtest.csv", index=False)
    pool.main([str(tmp_path / "0"), str(tmp_path / "1")])
    assert "Pooled: 2 backtest(s), 2 council(s), 2 case(s) a horizon" in capsys.readouterr().out
