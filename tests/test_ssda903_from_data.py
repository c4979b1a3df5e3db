"""A run that starts from a council's SSDA903 extract (``councils=from_data``, issue 14).

The extracts are the model's own: one council simulated and written as annual SSDA903
files, of which the first five collection years are the "council's files" (extract date
1 April 2017, month 60 of the measured period). Counts expected at the extract date are
made here with pandas on the raw CSV, not with the code under test. The table builder is
tested on a small hand-written extract, apart from the model.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.agents.child import ChildState, EntryReason, Placement
from sim.config import PROFILES, ConfigError, ModelConfig
from sim.initial_stock import COLUMNS, check
from sim.model import RevolvingDoorModel
from sim.parameters import Parameters
from sim.results import run
from sim.ssda903.fit import FitResult, Window
from sim.ssda903.seed import council_data, in_care_at, initial_table
from sim.ssda903.write import write_model

SCALE = 0.01
EXTRACT_DATE = pd.Timestamp("2017-04-01")
#: the extract date in months of the original run (10 years' warm-up, then 5 years)
T_EXTRACT = 12 * (10 + 5)
BANDS = [(0, 1, "under 1"), (1, 5, "1 to 4"), (5, 10, "5 to 9"), (10, 16, "10 to 15"),
         (16, 18, "16 and over")]


# ------------------------------------------------------------------ the original council
@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A typical council (about 240 children entering care a year) run for 10 + 8 years
    and written as annual files; the files of 2012-13 to 2016-17 are its extract."""
    cfg = {"seed": 3, "scale": SCALE, "years": 8, "warmup_years": 10, "start_year": 2012,
           "councils": {"mode": "listed", "listed": [{"name": "Example", "size_share": 1.0}]}}
    model = RevolvingDoorModel(cfg)
    model.run()
    root = tmp_path_factory.mktemp("from_data")
    write_model(model, root / "all", years=8)
    extract = root / "extract"
    extract.mkdir()
    for y in range(2013, 2018):
        for kind in ("episodes", "header"):
            shutil.copy(root / "all" / f"{kind}_{y}.csv", extract)
    stocks = model.timeseries.stocks[:, 0, :].copy()  # month-end stocks of every month
    flows = model.timeseries.flows[:, 0, :].copy()  # flows in every month
    harm = model.timeseries.harm[:, 0].copy()  # child-months in undetected harm
    model.release()
    return {"extract": extract, "root": root, "stocks": stocks, "flows": flows, "harm": harm}


def _raw_in_care(extract: Path) -> pd.DataFrame:
    """Children in care at the extract date, by hand: in the latest annual file an episode
    still open at its 31 March has no end date; with the child's age from the header."""
    ep = pd.read_csv(extract / "episodes_2017.csv", dtype=str).fillna("")
    hd = pd.read_csv(extract / "header_2017.csv", dtype=str).fillna("")
    open_ = ep[ep["DEC"] == ""].merge(hd[["CHILD", "DOB"]], on="CHILD", how="left")
    dob = pd.to_datetime(open_["DOB"], format="%d/%m/%Y")
    years = np.array([EXTRACT_DATE.year - d.year - ((EXTRACT_DATE.month, EXTRACT_DATE.day)
                                                   < (d.month, d.day)) for d in dob])
    return open_.assign(age_years=years)


def _band(years: np.ndarray) -> list[str]:
    return [next(name for lo, hi, name in BANDS if lo <= y < hi) for y in years]


def test_children_in_care_at_month_0_are_the_extracts(original: dict) -> None:
    """(a) The model's children in care at month 0 are the extract's children in care at
    its date: the same number, and the same numbers by age band, legal basis and
    placement (counted here from the raw files)."""
    raw = _raw_in_care(original["extract"])
    # the files are the run's: the open episodes are its stock on 31 March 2017
    assert len(raw) == original["stocks"][T_EXTRACT - 1, 0]
    raw = raw[raw["age_years"] < 18]  # a birth date rounded down to the day can make 18
    model = RevolvingDoorModel({"seed": 1, "years": 1, "councils": {
        "mode": "from_data", "path": str(original["extract"])}})
    try:
        assert model.config.start_year == 2017 and model.config.warmup_years == 0
        assert model.children_in_care() == len(raw) > 400
        kids = [c for c in model.children() if c.state == ChildState.IN_CARE]
        assert len(kids) == len(raw)
        got_age = pd.Series(_band(np.floor(np.array([-c.birth_time / 12 for c in kids]))))
        want_age = pd.Series(_band(raw["age_years"].to_numpy()))
        assert got_age.value_counts().to_dict() == want_age.value_counts().to_dict()
        got_ls = pd.Series([c.care_order for c in kids]).value_counts().to_dict()
        want_ls = raw["LS"].isin(["C1", "C2", "D1", "E1"]).value_counts().to_dict()
        assert got_ls == want_ls and len(want_ls) == 2
        place = {"U6": Placement.FOSTER, "K2": Placement.RESIDENTIAL, "U3": Placement.KINSHIP,
                 "A6": Placement.FOSTER, "A4": Placement.FOSTER}  # placed for adoption
        got_pl = pd.Series([int(c.placement) for c in kids]).value_counts().to_dict()
        want_pl = raw["PLACE"].map(lambda p: int(place[p])).value_counts().to_dict()
        assert got_pl == want_pl and len(want_pl) == 3
        # the council's counts agree with its children, nothing was booked before month 0
        assert sum(model.councils[0].in_care) == len(kids)
        assert model.ledger.amounts.sum() == 0 and model.timeseries.flows.sum() == 0
    finally:
        model.release()


def test_children_at_home_after_a_return_are_seeded(original: dict) -> None:
    """Children whose latest period ended in a return home before the extract date and who
    are under 18 start at home after that return (counted from the raw files)."""
    files = sorted(original["extract"].glob("episodes_*.csv"))
    ep = pd.concat([pd.read_csv(f, dtype=str).fillna("") for f in files])
    ep = ep.drop_duplicates(["CHILD", "DECOM"], keep="last")  # newest file: closed rows
    ep = ep.assign(start=pd.to_datetime(ep["DECOM"], format="%d/%m/%Y")).sort_values(
        ["CHILD", "start"])
    last = ep.groupby("CHILD").tail(1)
    home = last[last["REC"].isin(["E4A", "E4B"])]
    hd = pd.read_csv(original["extract"] / "header_2017.csv", dtype=str)
    hd = pd.concat([pd.read_csv(f, dtype=str) for f in
                    sorted(original["extract"].glob("header_*.csv"))]).drop_duplicates("CHILD")
    dob = pd.to_datetime(home.merge(hd, on="CHILD")["DOB"], format="%d/%m/%Y")
    under18 = int((dob + pd.DateOffset(years=18) > EXTRACT_DATE).sum())
    model = RevolvingDoorModel({"seed": 1, "years": 1, "councils": {
        "mode": "from_data", "path": str(original["extract"])}})
    try:
        assert model.children_home_after_return() == under18 > 100
        assert model.councils[0].open_cases > 0  # returns within the months a case stays open
    finally:
        model.release()


# ------------------------------------------------------------------ policies and outputs
def test_a_policy_lever_works_on_a_run_from_data(original: dict) -> None:
    """(b) A policy lever works on a run from data, unchanged: both runs start from the
    same children, and the lever changes what it should (support to returning families)."""
    base = {"seed": 2, "years": 3, "councils": {"mode": "from_data",
                                                "path": str(original["extract"])}}
    holmes = dict(base, policy={"support": {"kind": "entitlement", "fixed_levels": True,
                                            "holmes_costs": True, "cap_months": None}})
    a, b = run(base), run(holmes)
    for r in (a, b):
        assert r.timeseries["month"].min() == 0 and r.timeseries["month"].max() == 35
        assert r.run_info["from_data"]["extract_date"] == "2017-04-01"
        assert r.metrics["returns_measured"] > 200
    assert a.timeseries.iloc[0]["children_in_care"] == b.timeseries.iloc[0]["children_in_care"]
    for r in (a, b):  # the stock moves by the month's flows, from the children started with
        ts = r.timeseries
        before = np.concatenate([[r.run_info["from_data"]["children_in_care"]],
                                 ts["children_in_care"].to_numpy()[:-1]])
        moved = ts["entries"] + ts["reentries"] - ts["returns"] - ts["exits_other"]
        assert (ts["children_in_care"].to_numpy() - before == moved.to_numpy()).all()
    assert b.run_info["policies"] != a.run_info["policies"]
    assert b.metrics["cost_after_return_gbp"] > 1.5 * a.metrics["cost_after_return_gbp"]
    assert b.metrics["support_families"] > a.metrics["support_families"]


def _secret_extract(extract: Path, to: Path) -> set[str]:
    """The extract with identifiers as a council's look (codes, postcodes, URN, UPN), and
    everything that identifies a child in it."""
    rng = random.Random(7)
    to.mkdir()
    ids: dict[str, str] = {}
    secrets: set[str] = set()

    def new_id(old: str) -> str:
        if old not in ids:
            ids[old] = "".join(rng.choices(string.ascii_uppercase + string.digits, k=9))
        return ids[old]

    def postcode() -> str:
        return (f"{rng.choice('BDLMNSW')}{rng.choice('ABEHKR')}{rng.randint(1, 19)} "
                f"{rng.randint(1, 9)}{rng.choice('ABDEFG')}{rng.choice('HJLNPQ')}")

    for f in sorted(extract.glob("*.csv")):
        df = pd.read_csv(f, dtype=str).fillna("")
        df["CHILD"] = df["CHILD"].map(new_id)
        if "DECOM" in df:
            df["HOME_POST"] = [postcode() for _ in range(len(df))]
            df["PL_POST"] = [postcode() for _ in range(len(df))]
            df["URN"] = [f"SC{rng.randint(100000, 999999)}" for _ in range(len(df))]
            secrets |= set(df["HOME_POST"]) | set(df["PL_POST"]) | set(df["URN"])
        else:
            df["UPN"] = [f"A{rng.randint(10**11, 10**12 - 1)}" for _ in range(len(df))]
            secrets |= set(df["UPN"])
            for d in pd.to_datetime(df["DOB"], format="%d/%m/%Y"):
                secrets |= {d.strftime("%d/%m/%Y"), d.strftime("%Y-%m-%d"),
                            d.strftime("%Y%m%d")}
        df.to_csv(to / f.name, index=False)
    secrets |= set(ids.values())
    secrets |= {p.replace(" ", "") for p in secrets if " " in p}
    return secrets


def _command(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("revolving-door")
    env = dict(os.environ, HYDRA_FULL_ERROR="0")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=300)


def test_command_runs_from_data_and_no_identifier_leaves(original: dict,
                                                         tmp_path: Path) -> None:
    """(c) The command runs from a council's files with a policy on, says what it started
    from, and no identifier, postcode, URN, UPN or date of birth of the input appears in
    any output file. A run from data may not write its children as SSDA903."""
    secrets = _secret_extract(original["extract"], tmp_path / "files")
    out = tmp_path / "out"
    res = _command(["councils=from_data", f"councils.path={tmp_path / 'files'}", "years=2",
                    "policy/support=entitlement_holmes", "run.progress=false",
                    f"hydra.run.dir={out}"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Started from council 'council' at its extract date 2017-04-01" in res.stdout
    # a council's forecast in its own numbers against its own past (issue 25)
    assert "in the council's own numbers against its own past" in res.stdout
    # and how many episode rows the data-quality checks left out, even none (issue 23)
    assert re.search(r"Data-quality checks: [\d,]+ of [\d,]+ episode rows left out", res.stdout)
    assert "published figures for England" not in res.stdout and "bn" not in res.stdout
    files = [f for f in out.rglob("*") if f.is_file()]
    assert {"metrics.json", "timeseries.csv", "run.json", "config.yaml"} <= \
        {f.name for f in files}
    assert json.loads((out / "run.json").read_text())["from_data"]["children_in_care"] > 400
    for f in files:
        text = f.read_bytes().decode("latin-1")
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{f.name} holds {leaked[:5]}"
    refused = _command(["councils=from_data", f"councils.path={tmp_path / 'files'}",
                        "run.ssda903=true", f"hydra.run.dir={tmp_path / 'refused'}"], tmp_path)
    assert refused.returncode == 2 and "run.ssda903" in refused.stderr
    assert not (tmp_path / "refused").exists()


# ------------------------------------------------------------------ a forecast
def _fit_file(extract: Path, out: Path) -> Path:
    """The fit ``revolving-door-data fit`` would write if it found the council's true
    practice and size (the typical council, scale 0.01)."""
    from sim.ssda903.cli import write_fit
    from sim.ssda903.read import read_extract

    ep = read_extract(sorted(extract.glob("*.csv"))).episodes
    fit = FitResult(1.0, PROFILES["typical"].thoroughness, SCALE, pd.DataFrame(), 0.0, 0)
    write_fit(fit, out, "Example", Window(pd.Timestamp("2012-04-01"), EXTRACT_DATE), [1, 2],
              la="", in_care=in_care_at(ep, EXTRACT_DATE))
    return out / "fit.json"


def _full_history(original: dict, to: Path) -> Path:
    """The council's whole history as one extract made on 1 April 2017: every episode begun
    before then, with no end date if it was open then (from the run's own file)."""
    ep = pd.read_csv(original["root"] / "all" / "episodes.csv", dtype=str).fillna("")
    hd = pd.read_csv(original["root"] / "all" / "header.csv", dtype=str).fillna("")
    start = pd.to_datetime(ep["DECOM"], format="%d/%m/%Y")
    end = pd.to_datetime(ep["DEC"].replace("", None), format="%d/%m/%Y")
    ep = ep[(start < EXTRACT_DATE).to_numpy()].copy()
    ep.loc[(end[start < EXTRACT_DATE] >= EXTRACT_DATE).to_numpy(), ["DEC", "REC"]] = ""
    to.mkdir()
    ep.to_csv(to / "episodes.csv", index=False)
    hd[hd["CHILD"].isin(ep["CHILD"])].to_csv(to / "header.csv", index=False)
    return to


def test_forecast_follows_the_original_council(original: dict, tmp_path: Path) -> None:
    """(d) Started from the council's own extract (its whole history, as a council that
    passes all its years) with its true practice and size, the forecast of the next three
    years follows what the original run did in them: children in care, children at home
    after a return, re-entries.

    The original run is one draw of the future; the forecasts are draws of the model's
    future given what SSDA903 records (parents' problems, frailty and harm going on at
    home drawn). Tolerance: the original's mean stock over the 36 months, in care and at
    home after a return, within 6% of the mean of 10 forecasts; its stock in care at each
    year end, its re-entries in the first year and in three years, and the child-months
    spent in undetected harm at home in the first year, within 3 standard deviations of
    the forecasts'. The forecasts' spread of a 36-month mean stock is about
    2.5% of it (measured on seeds 1-5 of the original: 12-17 children of about 600), so
    2 sd is 5%; 1% more covers the drift from what the extract cannot tell (measured on
    those seeds: the stocks within 3.4%, re-entries in three years within 1.3 sd)."""
    from sim.records import FLOW_FIELDS

    full = _full_history(original, tmp_path / "full")
    fit = _fit_file(full, tmp_path / "fit")
    orig = original["stocks"][T_EXTRACT:T_EXTRACT + 36, :2].astype(float)
    reent = original["flows"][T_EXTRACT:T_EXTRACT + 36, FLOW_FIELDS.index("reentries")]
    harm0 = original["harm"][T_EXTRACT:T_EXTRACT + 12].sum()
    stocks, flows, harm = [], [], []
    for seed in range(1, 11):
        m = RevolvingDoorModel({"seed": seed, "years": 3, "councils": {
            "mode": "from_data", "path": str(full), "fit": str(fit)}})
        assert m.config.scale == SCALE and m.councils[0].return_propensity == 1.0
        m.run()
        stocks.append(m.timeseries.stocks[:, 0, :2].astype(float))
        flows.append(m.timeseries.flows[:, 0, FLOW_FIELDS.index("reentries")])
        harm.append(m.timeseries.harm[:12, 0].sum())
        m.release()
    fc, fr = np.array(stocks), np.array(flows)
    for j, what in enumerate(("in care", "at home after a return")):
        assert abs(orig[:, j].mean() / fc[:, :, j].mean() - 1) <= 0.06, \
            (what, orig[:, j].mean(), fc[:, :, j].mean())
    for month in (11, 23, 35):
        sd = fc[:, month, 0].std(ddof=1)
        assert abs(orig[month, 0] - fc[:, month, 0].mean()) <= 3 * sd, \
            (month, orig[month, 0], fc[:, month, 0].mean(), sd)
    # harm going on at home at the extract date shows in the first year's harm
    assert abs(harm0 - np.mean(harm)) <= 3 * np.std(harm, ddof=1), (harm0, harm)
    for months in (12, 36):
        got = fr[:, :months].sum(axis=1)
        assert abs(reent[:months].sum() - got.mean()) <= 3 * got.std(ddof=1), \
            (months, reent[:months].sum(), got.mean(), got.std(ddof=1))


# ------------------------------------------------------------------ refused before any work
def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


EPISODE_HEAD = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE," \
    "HOME_POST,PL_POST,URN\n"
HEADER_HEAD = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def _bad_cases(tmp: Path, original: dict) -> list[tuple[dict, list[str]]]:
    ended = tmp / "ended"
    _write(ended, "episodes.csv", EPISODE_HEAD + "A,01/05/2018,S,V2,N1,U6,PR1,01/09/2018,"
           "E4A,,,,\n")
    _write(ended, "header.csv", HEADER_HEAD + "A,1,01/01/2010,WBRI,,,\n")
    head_only = tmp / "head_only"
    _write(head_only, "header.csv", HEADER_HEAD + "A,1,01/01/2010,WBRI,,,\n")
    regional = tmp / "regional"
    _write(regional, "episodes.csv", "LA," + EPISODE_HEAD + "X,A,01/05/2018,S,V2,N1,U6,PR1,,"
           ",,,,\nY,A,01/05/2018,S,V2,N1,U6,PR1,,,,,,\n")
    wrong = tmp / "wrong_fit.json"
    fit = json.loads(_fit_file(original["extract"], tmp / "fit").read_text())
    wrong.write_text(json.dumps(dict(fit, extract_date="2019-04-01")))
    old = tmp / "old_fit.json"
    old.write_text(json.dumps({k: fit[k] for k in ("return_propensity", "thoroughness",
                                                   "scale")}))
    path = str(original["extract"])
    return [
        ({}, ["councils.path", "none given", "allowed: a folder"]),
        ({"path": str(tmp / "nowhere")}, ["councils.path", "no such file or folder",
                                          "allowed: a folder"]),
        ({"path": str(head_only)}, ["councils.path", "no episodes file", "DECOM"]),
        ({"path": str(ended)}, ["councils.path", "no child is in care at the extract date "
                                "2019-04-01", "allowed: an extract with at least one"]),
        ({"path": str(regional)}, ["councils.council", "2 councils", "allowed: X, Y"]),
        ({"path": str(regional), "council": "Z"}, ["councils.council", "'Z'",
                                                   "allowed: X, Y"]),
        ({"path": path, "fit": str(wrong)}, ["councils.fit", "extract date 2019-04-01",
                                             "extract date 2017-04-01", "allowed: the fit"]),
        ({"path": path, "fit": str(old)}, ["councils.fit", "has no council, extract_date",
                                           "allowed: the fit"]),
        ({"path": path, "fit": str(tmp / "no_fit")}, ["councils.fit", "no such file",
                                                      "allowed: the fit.json"]),
    ]


def test_bad_data_is_refused_naming_the_field(original: dict, tmp_path: Path) -> None:
    """A missing path, a path without an episodes file, an extract without children in
    care, a regional file without a council, a fit of another extract: one error naming
    the field and what is allowed, when the config is read (before any work)."""
    for councils, words in _bad_cases(tmp_path, original):
        with pytest.raises(ConfigError) as err:
            ModelConfig.from_dict({"councils": {"mode": "from_data", **councils}})
        for w in words:
            assert w in str(err.value), (councils, w, str(err.value))
    for key in ("path", "fit", "council"):
        with pytest.raises(ConfigError, match=rf"councils.{key}: only used by councils.mode "
                           "from_data"):
            ModelConfig.from_dict({"councils": {key: "x"}})
    with pytest.raises(ConfigError, match="run.ssda903"):
        run({"councils": {"mode": "from_data", "path": str(original["extract"])}},
            ssda903=True)


def test_command_refuses_bad_data_with_exit_2_and_no_folder(original: dict,
                                                            tmp_path: Path) -> None:
    cases = _bad_cases(tmp_path / "data", original)
    for i in (0, 3, 6):  # no path; no child in care; a fit of another extract
        councils, words = cases[i]
        args = ["councils=from_data"] + [f"councils.{k}={v}" for k, v in councils.items()]
        out = tmp_path / f"out{i}"
        res = _command([*args, f"hydra.run.dir={out}"], tmp_path)
        assert res.returncode == 2, res.stderr
        assert res.stderr.startswith("revolving-door: configuration error: councils.")
        assert words[0] in res.stderr and len(res.stderr.strip().splitlines()) == 1
        assert not out.exists()


# ------------------------------------------------------------------ the table, by hand
HAND_EPISODES = EPISODE_HEAD + """\
A1,01/06/2018,S,V2,N1,U6,PR1,01/12/2018,E4A,,,,
A1,01/03/2019,S,C1,N1,U6,PR1,01/05/2019,X1,,,,
A1,01/05/2019,P,C2,N1,K2,PR4,,,,,,
A2,01/06/2018,S,V2,N1,U6,PR1,01/12/2018,E4A,,,,
A2,01/03/2019,S,C1,N1,U6,PR1,01/05/2019,X1,,,,
A2,01/05/2019,P,C2,N1,K2,PR4,,,,,,
B1,01/09/2019,S,V2,N5,P1,PR0,,,,,,
B2,01/09/2019,S,V2,N5,P1,PR0,,,,,,
C1,01/01/2019,S,V2,N4,U6,PR1,15/10/2019,E4B,,,,
D1,01/01/2017,S,C2,N1,U4,PR1,01/02/2019,E11,,,,
E1,01/01/2019,S,V2,N1,U6,PR1,,,,,,
F1,01/04/2019,S,V2,N1,U6,PR1,01/02/2020,E4A,,,,
G1,01/02/2020,S,V2,,U6,PR1,,,,,,
"""
HAND_HEADER = HEADER_HEAD + """\
A1,1,15/03/2010,WBRI,,,
A2,2,20/07/2012,WBRI,,,
B1,1,01/01/2015,WBRI,,,
B2,2,01/01/2016,WBRI,,,
C1,1,05/05/2008,WBRI,,,
D1,1,01/01/2015,WBRI,,,
E1,2,01/01/2002,WBRI,,,
F1,2,01/03/2002,WBRI,,,
"""


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    _write(tmp_path / "hand", "episodes.csv", HAND_EPISODES)
    _write(tmp_path / "hand", "header.csv", HAND_HEADER)
    return tmp_path / "hand"


def test_table_from_a_hand_written_extract(hand: Path) -> None:
    """Worked out by hand (extract date 1 April 2020, the 1 April after 1 Feb 2020): A1 and
    A2 went home on 1 Dec 2018 and came back on 1 Mar 2019 together: one family, in care
    13 months, 2 periods, 1 return, now under a care order (C2) in a children's home (K2).
    B1 and B2 started the same day, their only date: two families, placed with parents
    (P1: kinship), other reason (N5). C1 went home unplanned (E4B) on 15 Oct 2019. D1 was
    adopted; E1 is in care but 18 (left out); F1 went home but is 18; G1 has no header row
    (age drawn) and no category of need (reason drawn)."""
    data = council_data(str(hand))
    assert data.extract_date == pd.Timestamp("2020-04-01")
    assert data.counts == {"children_in_care": 5, "children_at_home_after_return": 1,
                           "families": 5, "children_age_unknown": 1,
                           "left_out_in_care_aged_18_or_over": 1}
    t = initial_table(data, Parameters(), seed=1, thoroughness=0.4)
    check(t)
    assert list(t.columns) == list(COLUMNS) and len(t) == 6
    a = t[t["episodes"] == 2]
    assert len(a) == 2 and a["family"].nunique() == 1
    assert (a["location"] == "in_care").all() and a["care_order"].all()
    assert (a["placement"] == int(Placement.RESIDENTIAL)).all()
    assert (a["period_start"] == -13.0).all() and (a["returns"] == 1).all()
    assert (a["first_return_time"] == -4.0 - 12.0).all()
    assert set(a["reason"]) <= {int(EntryReason.NEGLECT), int(EntryReason.OTHER_ABUSE)}
    # A2 born 20 Jul 2012, A1 15 Mar 2010: calendar months to 1 Apr 2020
    assert sorted(a["age_months"]) == pytest.approx([93 - 19 / 31, 121 - 14 / 31])
    b = t[(t["location"] == "in_care") & (t["placement"] == int(Placement.KINSHIP))]
    assert len(b) == 2 and b["family"].nunique() == 2
    assert (b["reason"] == int(EntryReason.OTHER)).all() and not b["care_order"].any()
    c = t[t["location"] == "at_home"]
    assert len(c) == 1 and c["unplanned"].all() and (c["returns"] == 1).all()
    assert c["return_time"].iat[0] == pytest.approx(-6 + 14 / 31)
    assert (c["placement"] == -1).all() and (c["reason"] == int(EntryReason.OTHER)).all()
    g = t[(t["period_start"] == -2.0)]
    assert len(g) == 1 and 2.0 <= g["age_months"].iat[0] < 18 * 12
    # what SSDA903 does not record is drawn from the seeded stream: the same for a seed
    again = initial_table(council_data(str(hand)), Parameters(), seed=1, thoroughness=0.4)
    pd.testing.assert_frame_equal(t, again)
    other = initial_table(data, Parameters(), seed=2, thoroughness=0.4)
    assert not other["frailty"].equals(t["frailty"])
    assert ((t["unresolved"] & ~t["problems"]) == 0).all()


def test_check_names_the_broken_column(hand: Path) -> None:
    t = initial_table(council_data(str(hand)), Parameters(), seed=1, thoroughness=0.4)
    check(t)
    with pytest.raises(ValueError, match="one value a family"):
        check(t.assign(family=0))
    with pytest.raises(ValueError, match="age_months"):
        check(t.assign(age_months=t["age_months"] + 300))
    with pytest.raises(ValueError, match="missing columns frailty"):
        check(t.drop(columns="frailty"))


def test_seeded_model_counts_match_the_table(hand: Path) -> None:
    """The model's entry point puts every row where the table says, with the council's
    counts, and takes unique ids before the first entering family."""
    model = RevolvingDoorModel({"seed": 1, "years": 1, "councils": {"mode": "from_data",
                                                                    "path": str(hand)}})
    try:
        c = model.councils[0]
        assert c.in_care == [1, 2, 2]  # G1 foster; A1, A2 residential; B1, B2 kinship
        assert c.home_after_return == 1 and c.open_cases == 1  # C1: 5.5 months ago
        assert model.transitions.next_uid == 2 + 5 + 6  # 1 council, 5 families, 6 children
        model.run()
        assert model.month == 12
    finally:
        model.release()


# ------------------------------------------------------------------ months a case stays open
def test_fit_monitoring_months_reaches_the_council(original: dict, tmp_path: Path) -> None:
    """``monitoring_months`` in ``fit.json`` (optional; issue 24) becomes the council's
    ``monitoring_months``; a fit without it keeps the typical council's. Its effect is
    checked in what the run does: with cases open 24 months, returning families are
    visited for longer than with 4, so more is spent after a return (same seed, same
    children)."""
    plain = _fit_file(original["extract"], tmp_path / "fit")
    fit = json.loads(plain.read_text())
    assert "monitoring_months" not in fit  # fit does not write it: SSDA903 cannot tell it
    files = {}
    for m in (4, 24):
        files[m] = tmp_path / f"fit_{m}.json"
        files[m].write_text(json.dumps(dict(fit, monitoring_months=m)))
    base = {"seed": 2, "years": 2, "councils": {"mode": "from_data",
                                                "path": str(original["extract"])}}
    spend = {}
    for key, f in (("plain", plain), (4, files[4]), (24, files[24])):
        cfg = dict(base, councils=dict(base["councils"], fit=str(f)))
        model = RevolvingDoorModel(cfg)
        try:
            months = model.councils[0].monitoring_months
        finally:
            model.release()
        assert months == (PROFILES["typical"].monitoring_months if key == "plain" else key)
        spend[key] = run(cfg).metrics["cost_after_return_gbp"]
    assert spend[24] > 1.2 * spend[4]
    assert spend[4] < spend["plain"] < spend[24]  # typical: 9 months


@pytest.mark.parametrize("bad", [4.5, -1, 121, "9", True, None])
def test_a_bad_monitoring_months_is_refused_naming_the_field(original: dict, tmp_path: Path,
                                                             bad: object) -> None:
    fit = json.loads(_fit_file(original["extract"], tmp_path / "fit").read_text())
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(dict(fit, monitoring_months=bad)))
    with pytest.raises(ConfigError) as err:
        ModelConfig.from_dict({"councils": {"mode": "from_data",
                                            "path": str(original["extract"]),
                                            "fit": str(f)}})
    msg = str(err.value)
    assert "councils.fit" in msg and "monitoring_months is" in msg
    assert "allowed: a whole number of months from 0 to 120" in msg
    assert len(msg.strip().splitlines()) == 1
