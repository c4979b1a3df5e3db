"""SSDA903: reading, the data-quality report, the measures, writing a run's children, and
personal data (issue 14). Expected values are worked out by hand from the small files in
tests/data/ssda903/ (see the comments), or come from the model's own records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.model import RevolvingDoorModel
from sim.results import collect
from sim.ssda903 import codes
from sim.ssda903.cli import main
from sim.ssda903.measure import MEASURED_METRICS, measure
from sim.ssda903.read import Ssda903Error, read_extract
from sim.ssda903.write import write_model

DATA = Path(__file__).parent / "data" / "ssda903"
EDGE = [DATA / "edge_episodes.csv", DATA / "edge_header.csv"]
DAMAGED = [DATA / "damaged_episodes.csv", DATA / "damaged_header.csv"]
T0, T1 = pd.Timestamp("2015-04-01"), pd.Timestamp("2020-04-01")
#: run metrics that are counts per year or stocks (England-equivalent: divided by scale)
SCALED = ("entries_per_year", "reentries_per_year", "returns_per_year", "children_in_care_end")


# ------------------------------------------------------------------ hand-written edge cases
def test_edge_cases_measured_by_hand() -> None:
    """LA1/A: episodes joined by X1 make one period ending E4A on 1 Oct 2015; re-entry
    1 Apr 2016 (6 months); that period ends E4B on 1 May 2016 and a new period starts the
    same day (re-entry after 0 months), placed with parents (P1: still in care) and open.
    LA1/B (N4) returns 1 Aug 2016 and turns 18 on 20 Jan 2020: censored there. LA1/C is
    adopted (E11). LA1/D (N4) returns 1 Apr 2016 and re-enters 1 Nov 2019 (43 months), after
    B's follow-up stopped at 18 (41.6 months): so D is the only one at risk then. LA2/A is
    another child (same identifier, other council), open."""
    m = measure(read_extract(EDGE), T0, T1)
    mm = m.metrics
    assert mm["periods_of_care"] == 8 and mm["children"] == 5
    assert mm["returned_home_share"] == pytest.approx(4 / 5)  # E4A, E4B, E4A, E4A; E11
    assert mm["returns_measured"] == 4
    # Kaplan-Meier by hand: 0 (event), 6 (event), 41.6 (censored at 18), 43 (event)
    assert mm["reentry_12m"] == pytest.approx(1 - (3 / 4) * (2 / 3))
    assert mm["breakdown_24m_abuse_neglect"] == pytest.approx(1.0)
    curve = m.reentry_curve.set_index(["group", "month"])["share_reentered"]
    assert curve[("other", 24)] == 0.0
    assert curve[("other", 48)] == pytest.approx(1.0)  # B no longer followed after 18
    assert np.isnan(curve[("neglect", 12)])  # no SSDA903 code for neglect alone
    assert mm["entries_per_year"] == pytest.approx(5 / 5)  # LA1 A, B, C, D and LA2 A
    assert mm["reentries_per_year"] == pytest.approx(3 / 5)  # all after a return home
    assert mm["returns_per_year"] == pytest.approx(4 / 5)
    assert mm["children_in_care_end"] == 3  # LA1/A (with parents, P1), LA1/D, LA2/A
    stock = m.stock_31march.set_index(["date", "la"])["children_in_care"]
    assert stock[("2016-03-31", "LA1")] == 2  # B and D (A home since Oct, C adopted)
    per_child = m.returns_per_child.set_index("returns_home")["children"]
    assert per_child.to_dict() == {"0": 2, "1": 2, "2": 1, "3 or more": 0}
    e = m.entries_by_year
    ages = e[(e["breakdown"] == "age_band") & (e["year_ending_31_march"] == 2016)]
    assert ages.set_index("value")["periods_started"].to_dict() == {"5 to 9": 3,
                                                                   "10 to 15": 1}
    councils = m.councils.set_index("council")
    assert councils.loc["LA1", "children_returned"] == 4
    assert councils.loc["LA2", "episodes_ended"] == 0


def test_return_home_codes_are_e4a_and_e4b() -> None:
    assert codes.RETURN_HOME_REC == {"E4A", "E4B"}
    assert codes.NEW_PERIOD_RNE == "S" and codes.PLACED_WITH_PARENTS == "P1"
    assert set(codes.CIN) == {f"N{i}" for i in range(1, 9)}
    assert set(codes.CIN_GROUP) == set(codes.CIN)


# ------------------------------------------------------------------ the damaged file
def test_damaged_file_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each line of damaged_episodes.csv carries one problem (line numbers count the
    column names as line 1)."""
    assert main(["describe", *map(str, DAMAGED), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    rep = pd.read_csv(tmp_path / "quality_report.csv", dtype=str).fillna("")
    got = {(r.column, r.problem): (int(r.rows), r.example_rows, r.action)
           for r in rep.itertuples()}
    expected = {
        ("DECOM", "unparseable date"): "9",       # QX7006 'not a date'
        ("DEC", "unparseable date"): "4",         # QX7002 32/13/2016
        ("DEC", "DEC before DECOM"): "5",         # QX7003
        ("RNE", "unknown code"): "8",             # QX7005 'Q'
        ("CIN", "unknown code"): "4",             # QX7002 'N9'
        ("DEC", "overlapping episodes of one child"): "6",  # QX7004 ends after next starts
        ("CHILD", "child without a header row"): "6",       # QX7004
    }
    for key, line in expected.items():
        assert key in got, f"{key} not reported: {sorted(got)}"
        assert got[key][0] == 1 and got[key][1] == line, (key, got[key])
    assert len(got) == len(expected)
    assert "left out" in got[("DEC", "DEC before DECOM")][2]
    assert "kept" in got[("RNE", "unknown code")][2]
    assert "'N9'" in rep.set_index(["column", "problem"]).loc[("CIN", "unknown code"), "values"]
    # the printed summary says what was kept and dropped
    assert re.search(r"episode rows left out \(see problems\)\s+3", printed)
    assert re.search(r"episodes kept\s+5", printed)
    assert "DEC before DECOM" in printed
    # what was kept is what is measured: QX7004's first episode is cut at the start of its
    # second (X1), so QX7001 has two periods, QX7004 and QX7005 one each; returns home:
    # QX7001 (E4A) and QX7005 (E4A), not QX7004's cut one
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["periods_of_care"] == 4 and metrics["returns_measured"] == 2


@pytest.mark.parametrize("content, words", [
    ("CHILD,DECOM,RNE,LS,CIN,PLACE,DEC\nA,01/01/2016,S,V2,N1,U6,\n", ["REC"]),
    ("CHILD,START,END\nA,1,2\n", ["DECOM", "DOB"]),
    ("", ["not a readable CSV"]),
])
def test_unusable_file_named_with_its_column(tmp_path: Path, content: str, words: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad_episodes.csv"
    f.write_text(content)
    assert main(["describe", str(f), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad_episodes.csv" in err and all(w in err for w in words)
    assert not (tmp_path / "out").exists()  # stopped before any work


def test_header_only_is_an_error() -> None:
    with pytest.raises(Ssda903Error, match="no episodes file"):
        read_extract([DATA / "edge_header.csv"])


# ------------------------------------------------------------------ personal data
def test_no_identifier_leaves_the_reader(tmp_path: Path) -> None:
    """Identifiers, postcodes, URNs, UPNs and dates of birth of the input appear in no
    output file, in any of the ways a date could be written."""
    ep = pd.read_csv(DATA / "damaged_episodes.csv", dtype=str).fillna("")
    hd = pd.read_csv(DATA / "damaged_header.csv", dtype=str).fillna("")
    secrets = set(ep["CHILD"]) | set(ep["HOME_POST"]) | set(ep["PL_POST"]) | set(ep["URN"])
    secrets |= set(hd["UPN"])
    secrets |= {p.replace(" ", "") for p in secrets if " " in p}
    for dob in pd.to_datetime(hd["DOB"], format="%d/%m/%Y"):
        secrets |= {dob.strftime("%d/%m/%Y"), dob.strftime("%Y-%m-%d"), dob.strftime("%Y%m%d")}
    secrets.discard("")
    out = tmp_path / "out"
    assert main(["describe", *map(str, DAMAGED), "--out", str(out)]) == 0
    files = list(out.iterdir())
    assert len(files) >= 9
    for f in files:
        text = f.read_bytes().decode("latin-1")
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{f.name} holds {leaked}"


# ------------------------------------------------------------------ a run's own SSDA903
@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    cfg = {"scale": 0.02, "years": 8, "warmup_years": 10, "seed": 3, "start_year": 2011}
    model = RevolvingDoorModel(cfg)
    model.run()
    res = collect(model, ssda903=True)
    folder = tmp_path_factory.mktemp("ssda903")
    write_model(model, folder, years=8)
    returns = model.records.returns_frame()
    model.release()
    return cfg, res, folder, returns


def _km_tolerance(returns: pd.DataFrame, start: float, end: float, h: float) -> float:
    """What rounding times down to the day can move a Kaplan-Meier share at month ``h``:
    each return whose follow-up ends within a day (1/28 month) of ``h`` may cross it, moving
    the share by at most 1/(returns still followed at h); one more such step covers the order
    of a re-entry and a censoring on the same day."""
    r = returns[(returns["time"] >= start) & (returns["time"] < end)]
    stop = np.where(np.isnan(r["end_time"]), end, r["end_time"]) - r["time"].to_numpy()
    near = int(np.sum(np.abs(stop - h) < 1 / 28))
    at_risk = max(int(np.sum(stop >= h - 1 / 28)), 1)
    return (near + 1) / at_risk


def test_round_trip_gives_the_runs_metrics(small_run: tuple) -> None:
    """The run's children written as SSDA903 and read back give the run's own metrics:
    counts exactly (dates are rounded down to the day, which keeps every event in its
    month), re-entry shares within what a day's rounding can move (:func:`_km_tolerance`)."""
    cfg, res, folder, returns = small_run
    x = read_extract([folder / "regional_episodes.csv", folder / "regional_header.csv"])
    assert not x.report.issues  # the written codes are all in the DfE lists
    m = measure(x, pd.Timestamp("2011-04-01"), pd.Timestamp("2019-04-01")).metrics
    for k in ("returned_home_share", "returns_measured", *SCALED):
        want = res.metrics[k] * (cfg["scale"] if k in SCALED else 1)
        assert m[k] == pytest.approx(want, rel=1e-12), k
    start, end = 120.0, 216.0
    for k, h, group in (("reentry_12m", 12, None), ("reentry_24m", 24, None),
                        ("breakdown_24m_abuse_neglect", 24, "abuse_neglect")):
        r = returns if group is None else returns[returns["reason"] != 2]
        tol = _km_tolerance(r, start, end, h)
        assert tol < 0.01
        assert abs(m[k] - res.metrics[k]) <= tol, (k, m[k], res.metrics[k], tol)
    assert m["returns_measured"] > 1000
    # the whole curve, month by month, in each group SSDA903 can tell
    got = measure(x, pd.Timestamp("2011-04-01"), pd.Timestamp("2019-04-01")).reentry_curve
    both = res.reentry_curve.merge(got, on=["group", "month"], suffixes=("_run", "_data"))
    reason = {"all": None, "abuse_neglect": lambda r: r != 2, "other": lambda r: r == 2}
    for row in both[both["group"] != "neglect"].itertuples():
        sel = reason[row.group]
        r = returns if sel is None else returns[sel(returns["reason"])]
        tol = _km_tolerance(r, start, end, float(row.month))
        assert abs(row.share_reentered_data - row.share_reentered_run) <= tol, row
    assert both.loc[both["group"] == "neglect", "share_reentered_data"].isna().all()


def test_annual_files_are_deduplicated(small_run: tuple) -> None:
    """One file a collection year (episodes open across 31 March repeated, without an end
    date until the year they end) gives the same periods in the measured years as the one
    file; only first entries and re-entries differ, since years before the first file are
    not seen."""
    _cfg, _res, folder, _ = small_run
    full = measure(read_extract([folder / "regional_episodes.csv",
                                 folder / "regional_header.csv"]),
                   pd.Timestamp("2011-04-01"), pd.Timestamp("2019-04-01")).metrics
    # newest first: the closed row must win over the open one whatever the order
    files = sorted(folder.glob("regional_episodes_*.csv"), reverse=True) + \
        sorted(folder.glob("regional_header_*.csv"))
    assert len(files) == 16
    x = read_extract(files)
    assert not x.report.issues
    assert x.report.counts["episode rows open in one file, closed in a later one "
                           "(closed kept)"] > 0
    annual = measure(x).metrics  # the default period: the years of the files
    assert annual["measured_from"] == "2011-04-01" and annual["measured_to"] == "2019-04-01"
    for k in ("returned_home_share", "reentry_12m", "reentry_24m",
              "breakdown_24m_abuse_neglect", "returns_measured", "children_in_care_end"):
        assert annual[k] == pytest.approx(full[k], rel=1e-12), k
    assert annual["entries_per_year"] + annual["reentries_per_year"] == pytest.approx(
        full["entries_per_year"] + full["reentries_per_year"])


def test_written_files_have_sector_columns_and_codes(small_run: tuple) -> None:
    _cfg, _res, folder, _ = small_run
    ep = pd.read_csv(folder / "regional_episodes.csv", dtype=str).fillna("")
    hd = pd.read_csv(folder / "regional_header.csv", dtype=str).fillna("")
    assert list(ep.columns) == ["LA", *codes.EPISODE_COLUMNS]
    assert list(hd.columns) == ["LA", *codes.HEADER_COLUMNS]
    assert set(ep["REC"]) - {""} <= set(codes.REC)
    assert set(ep["CIN"]) <= set(codes.CIN) and set(ep["LS"]) <= set(codes.LS)
    assert set(ep["RNE"]) <= {"S", "B", "P"} and set(hd["SEX"]) == {"1", "2"}
    assert "E4A" in set(ep["REC"])
    assert (ep["DEC"] == "").sum() == (ep["REC"] == "").sum()


def test_run_writes_ssda903_files(tmp_path: Path) -> None:
    """``run(..., ssda903=True)`` writes episodes.csv and header.csv beside the run's files,
    the same for a run split between two processes."""
    from sim.results import run

    cfg = {"scale": 0.005, "years": 2, "warmup_years": 3, "seed": 5}
    one = run(cfg, ssda903=True, workers=1)
    two = run(cfg, ssda903=True, workers=2)
    one.write(tmp_path / "one")
    two.write(tmp_path / "two")
    for name in ("regional_episodes.csv", "regional_header.csv", "C001/episodes.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert json.loads((tmp_path / "one" / "metrics.json").read_text())["returns_measured"] > 0


def test_measured_metrics_are_run_metric_names(small_run: tuple) -> None:
    _cfg, res, _folder, _ = small_run
    assert set(MEASURED_METRICS) <= set(res.metrics)
    assert list(res.reentry_curve.columns) == ["group", "month", "share_reentered"]


def test_model_times_are_written_as_the_day_they_fall_in() -> None:
    """Month 0 is 1 April of the origin year; a time is rounded down to its day, so it never
    moves into the next month (and a year's events stay in that year)."""
    from sim.ssda903.measure import months
    from sim.ssda903.write import model_dates

    t = np.array([0.0, 0.999, 1.5, -0.5, 11.99999, 12.0, np.nan])
    d = model_dates(t, 2000)
    assert [x.strftime("%Y-%m-%d") if not pd.isna(x) else "" for x in d] == [
        "2000-04-01", "2000-04-30", "2000-05-16", "2000-03-16", "2001-03-31", "2001-04-01", ""]
    back = months(pd.Series(d[:-1]), pd.Timestamp("2000-04-01"))
    assert np.all(back <= t[:-1]) and np.all(t[:-1] - back < 1 / 28)


# ------------------------------------------------------------------ fitting a council
TRUTH = (2.5, 0.15)  # return propensity, thoroughness: a quick-returning council


@pytest.mark.slow
def test_fit_recovers_a_known_council(tmp_path: Path) -> None:
    """A council with known practice (returns children 2.5 times as readily as the typical
    council, thoroughness 0.15 against 0.36) is simulated (seed 101, about 300 children
    entering care a year, 2014-2020), written as annual SSDA903 files, and fitted from them
    with other seeds. Tolerance: the true practice lies in the fit's approximate 95%
    confidence region (its objective within 5.99, chi-squared with 2 degrees of freedom, of
    the minimum: the extract's sampling error with the sibling design effect, plus the
    replicates' spread), and the fitted point within one coarse-grid step of the truth
    (a factor 2 in propensity, 0.25 in thoroughness): a grid fit is no finer than its grid.
    The fitted council, written as a councils config, runs with ``revolving-door``."""
    import glob
    import subprocess
    import sys

    import yaml

    from sim.ssda903.cli import write_fit
    from sim.ssda903.fit import Window, fit_council

    cfg = {"seed": 101, "scale": 0.01, "years": 6, "warmup_years": 10, "start_year": 2014,
           "councils": {"mode": "listed", "listed": [{"name": "Truth", "practice": {
               "return_propensity": TRUTH[0], "thoroughness": TRUTH[1]}}]}}
    model = RevolvingDoorModel(cfg)
    model.run()
    write_model(model, tmp_path / "extract", years=6)
    model.release()
    files = sorted(glob.glob(str(tmp_path / "extract" / "episodes_*.csv"))) + \
        sorted(glob.glob(str(tmp_path / "extract" / "header_*.csv")))
    window = Window(pd.Timestamp("2014-04-01"), pd.Timestamp("2020-04-01"))
    fit = fit_council(read_extract(files), window, seeds=(1, 2))
    assert fit.in_confidence_region(*TRUTH), (fit.return_propensity, fit.thoroughness,
                                              fit.objective, fit.objective_at(*TRUTH))
    # the fitted point within a grid step of the truth where the data separate the two
    # practice parameters; where they do not (a ridge, issue 24), the fit must say so, and
    # the truth in its confidence region (above) is what it can promise
    from sim.ssda903.backtest import _ridge, accepted_set

    ridge = _ridge(accepted_set(fit.grid))
    if ridge.startswith("separated"):
        assert abs(np.log(fit.return_propensity / TRUTH[0])) <= np.log(2.0), ridge
        assert abs(fit.thoroughness - TRUTH[1]) <= 0.25, ridge
    else:
        assert ridge.startswith("not separated: a ridge"), ridge
        assert abs(np.log(fit.return_propensity / TRUTH[0])) <= np.log(2.0) or \
            abs(fit.thoroughness - TRUTH[1]) <= 0.25, (ridge, fit.return_propensity,
                                                      fit.thoroughness)
    assert fit.scale == pytest.approx(0.01, rel=0.15)
    t = fit.table
    assert set(t["period"]) == {"fit", "held out"}
    # the fitted metrics agree with the observed ones: each within its 99.9% interval (the
    # table's 95% interval widened by 3.29 / 1.96). The table itself reports at 95%, which
    # one realisation of the truth misses now and then by chance (about 1 in 10 for two
    # metrics: seed 101's re-entry at 12 months, 0.203, is the lowest of seeds 1-6 and 101,
    # which run from 0.203 to 0.261); 99.9% keeps the check from failing on chance while a
    # fit that is wrong by more than the noise still fails it.
    fitted = t[t["fitted"]]
    mid, half = (fitted["low"] + fitted["high"]) / 2, (fitted["high"] - fitted["low"]) / 2
    assert ((fitted["observed"] - mid).abs() <= half * 3.29 / 1.96).all(), fitted
    assert ((t["low"] <= t["simulated"]) & (t["simulated"] <= t["high"])).all()
    # the fitted council runs as a councils config
    write_fit(fit, tmp_path / "fit", "Truth", window, [1, 2])
    listed = yaml.safe_load((tmp_path / "fit" / "councils" / "fitted.yaml").read_text())
    assert listed["listed"][0]["practice"]["return_propensity"] == fit.return_propensity
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "--config-dir", str(tmp_path / "fit"),
         "councils=fitted", "scale=0.005", "years=1", "warmup_years=2", "run.workers=1",
         f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    councils = pd.read_csv(tmp_path / "run" / "councils.csv")
    assert councils["return_propensity"].tolist() == [pytest.approx(fit.return_propensity)]


def test_fit_needs_two_seeds_and_one_council(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fit", *map(str, EDGE), "--out", str(tmp_path), "--seeds", "1"]) == 2
    assert "--seeds" in capsys.readouterr().err
    assert main(["fit", *map(str, EDGE), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--council" in err and "LA1, LA2" in err
