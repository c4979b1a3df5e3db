"""Benchmark (issue 14): one million SSDA903 episode rows read, validated and measured.

Makes a synthetic England-sized extract (numpy, seeded; codes valid, dates consistent:
children with one to three periods of care of one to three episodes each, 2011 to 2021),
writes it as episodes and header CSV files, then times ``read_extract`` (reading, pandera
validation, de-duplication, linking) and ``measure`` in a fresh process and reports its
peak memory (maximum resident set size). Target: under 30 s and 2 GB.

    python benchmarks/ssda903.py                 # 1,000,000 rows
    python benchmarks/ssda903.py --rows 100000   # a quick check
    python benchmarks/ssda903.py --council       # describe, fit, backtest: one council

``--council`` (issue 24) times what a council analyst runs on five years of annual files
(the worked example's council: ``revolving-door-data simulate --seed 1 --annual``, made
before the clock starts): ``describe``, ``fit`` and ``backtest --at 2018-04-01
--horizons 12 24`` (the one date five years can check at 12 and 24 months, with two years
before it to fit), each as the command, one after the other. Target: under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

DAY0 = pd.Timestamp("2011-04-01")


def synthetic_extract(rows: int, folder: Path, seed: int = 1) -> tuple[Path, Path]:
    """At least ``rows`` episode rows (whole children) and their header rows."""
    rng = np.random.default_rng(seed)
    n_children = int(rows / 1.5)  # about 1.4 periods of 2 episodes a child: a margin
    n_per = rng.choice([1, 2, 3], size=n_children, p=[0.7, 0.2, 0.1])
    child = np.repeat(np.arange(n_children), n_per)
    first = rng.uniform(0, 3650, n_children)
    dob = first - rng.uniform(0, 17 * 365.25, n_children)
    length = rng.exponential(420, len(child)) + 7
    gap = rng.exponential(300, len(child)) + 1
    # start of each period: the child's first start plus earlier lengths and gaps
    step = length + gap
    cum = np.cumsum(step)
    start_of_child = np.repeat(np.r_[0, np.cumsum(n_per)[:-1]], n_per)
    before = cum - step - np.where(start_of_child > 0, cum[start_of_child - 1], 0.0)
    p_start = np.repeat(first, n_per) + before
    p_end = p_start + length
    age_out = np.repeat(dob, n_per) + 18 * 365.25
    p_end = np.minimum(p_end, age_out)
    keep = p_start < np.minimum(age_out, 3653)
    child, p_start, p_end = child[keep], p_start[keep], p_end[keep]
    rec = rng.choice(["E4A", "E4B", "E11", "E8", "E47", "E13"], size=len(child),
                     p=[0.35, 0.05, 0.15, 0.3, 0.1, 0.05])
    n_ep = rng.choice([1, 2, 3], size=len(child), p=[0.5, 0.3, 0.2])
    # cut at the first child boundary at or after ``rows`` episode rows
    total = np.cumsum(n_ep)
    stop = int(np.searchsorted(total, rows * 1.04))  # a few rows fall after the extract
    while stop + 1 < len(child) and child[stop + 1] == child[stop]:
        stop += 1
    child, p_start, p_end, rec, n_ep = (a[:stop + 1] for a in (child, p_start, p_end, rec,
                                                                n_ep))
    # episodes: each period split evenly, joined by X1
    pid = np.repeat(np.arange(len(child)), n_ep)
    k = np.arange(len(pid)) - np.repeat(np.r_[0, np.cumsum(n_ep)[:-1]], n_ep)
    frac = k / n_ep[pid]
    e_start = p_start[pid] + frac * (p_end[pid] - p_start[pid])
    is_last = np.r_[pid[1:] != pid[:-1], True]
    e_end = np.where(is_last, p_end[pid], np.r_[e_start[1:], 0.0])
    e_rec = np.where(is_last, rec[pid], "X1")
    extract_end = 3653.0  # 1 April 2021
    seen = e_start < extract_end  # episodes after the extract date are not in it
    pid, k, e_start, e_end, e_rec = (a[seen] for a in (pid, k, e_start, e_end, e_rec))
    open_ = e_end >= extract_end
    days = np.floor(e_start).astype(np.int64)
    ends = np.floor(e_end).astype(np.int64)
    ends = np.maximum(ends, days)
    e_start_d = (DAY0 + pd.to_timedelta(days, unit="D")).strftime("%d/%m/%Y")
    e_end_d = pd.Series((DAY0 + pd.to_timedelta(ends, unit="D")).strftime("%d/%m/%Y"))
    ep = pd.DataFrame({
        "CHILD": pd.Series(child[pid]).map("C{:07d}".format),
        "DECOM": e_start_d,
        "RNE": np.where(k == 0, "S", "P"),
        "LS": rng.choice(["C1", "C2", "V2", "E1"], size=len(pid)),
        "CIN": rng.choice([f"N{i}" for i in range(1, 9)], size=len(pid),
                          p=[0.63, 0.03, 0.04, 0.08, 0.14, 0.03, 0.01, 0.04]),
        "PLACE": rng.choice(["U6", "U3", "K2", "P1"], size=len(pid)),
        "PLACE_PROVIDER": "PR1", "DEC": e_end_d.where(~open_, "").to_numpy(),
        "REC": np.where(open_, "", e_rec), "REASON_PLACE_CHANGE": "",
        "HOME_POST": "", "PL_POST": "", "URN": ""})
    kids = np.unique(child)
    hd = pd.DataFrame({"CHILD": pd.Series(kids).map("C{:07d}".format),
                       "SEX": rng.choice(["1", "2"], size=len(kids)),
                       "DOB": (DAY0 + pd.to_timedelta(np.floor(dob[kids]), unit="D")
                               ).strftime("%d/%m/%Y"),
                       "ETHNIC": "NOBT", "UPN": "UN1", "MOTHER": "", "MC_DOB": ""})
    e, h = folder / "episodes.csv", folder / "header.csv"
    ep.to_csv(e, index=False)
    hd.to_csv(h, index=False)
    return e, h


_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from sim.ssda903.read import read_extract
from sim.ssda903.measure import measure
t1 = time.perf_counter()
x = read_extract(sys.argv[1:3])
t2 = time.perf_counter()
m = measure(x)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "read_validate_s": t2 - t1, "measure_s": t3 - t2,
                  "total_s": t3 - t1, "peak_rss_mb": resource.getrusage(
                      resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": x.report.counts,
                  "problems": len(x.report.issues),
                  "returns_measured": m.metrics["returns_measured"]}))
"""


def council_benchmark() -> dict[str, float]:
    """Seconds for describe, fit and backtest of one council's five years (module
    docstring), each in a fresh process."""
    tool = [sys.executable, "-m", "sim.ssda903.cli"]
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run([*tool, "simulate", "--out", str(root / "example"), "--seed", "1",
                        "--annual"], check=True, capture_output=True)
        files = sorted(str(f) for f in (root / "example" / "ssda903").glob("*_20*.csv"))
        steps = {"describe": ["describe", *files, "--out", str(root / "described")],
                 "fit": ["fit", *files, "--out", str(root / "fit")],
                 "backtest": ["backtest", *files, "--at", "2018-04-01", "--horizons", "12",
                              "24", "--out", str(root / "backtest")]}
        for name, argv in steps.items():
            t = time.perf_counter()
            subprocess.run([*tool, *argv], check=True, capture_output=True)
            times[name] = time.perf_counter() - t
    times["total"] = sum(times.values())
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="write the extract here and keep it")
    ap.add_argument("--council", action="store_true",
                    help="time describe, fit and backtest of one council's five years")
    args = ap.parse_args()
    if args.council:
        t = council_benchmark()
        print("SSDA903 council benchmark: one council's five years of annual files")
        for k in ("describe", "fit", "backtest"):
            print(f"  {k:10s} {t[k]:6.1f} s")
        print(f"  total      {t['total']:6.1f} s (target < 120 s)")
        print(json.dumps(t))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        e, h = synthetic_extract(args.rows, folder)
        made = time.perf_counter() - t
        out = subprocess.run([sys.executable, "-c", _CHILD, str(e), str(h)], check=True,
                             capture_output=True, text=True)
        r = json.loads(out.stdout)
    rows = r["rows"]["episode rows read"]
    print(f"SSDA903 benchmark: {rows:,d} episode rows, {r['rows']['header rows read']:,d} "
          f"header rows (made in {made:.1f} s)")
    print(f"  read + validate (pandera) + de-duplicate + link  {r['read_validate_s']:6.1f} s")
    print(f"  measure (periods, returns, Kaplan-Meier, tables) {r['measure_s']:6.1f} s")
    print(f"  total                                            {r['total_s']:6.1f} s "
          f"(target < 30 s)")
    print(f"  peak memory of the measuring process             {r['peak_rss_mb']:6.0f} MB "
          f"(target < 2048 MB)")
    print(f"  problems reported: {r['problems']}; returns measured: {r['returns_measured']:,d}")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
