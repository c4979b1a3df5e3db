"""Where the fitted forecast's upward bias came from (issue 24, docs/ssda903.md, "The
fitted forecast's upward bias"): a diagnosis with the truth known, on the simulated
councils of ``scripts/simulated_councils.py``.

    python scripts/fitted_bias_diagnosis.py draws DIR[,DIR...] COUNCIL[,COUNCIL...] [DRAWS]
    python scripts/fitted_bias_diagnosis.py seeding DIR[,DIR...] [SEEDS]

``DIR``: folders of ``scripts/simulated_councils.py`` (several, comma-separated, pooled).

``draws``: each council's cut at 1 April 2018, 2019 and 2020 is fitted once, as a
backtest fits it (``Settings``), and forecast by ``DRAWS`` (40) draws over the accepted set
under each variant, with common random numbers (the same uniform picks the grid point by
its cumulative weight, the same size jitter, months a case stays open and seed for draw
``i`` in every variant):

* ``before``: the weights and seeding before issue 24's change (the prior density of
  propensity itself, ``prior_weight / propensity``; frailty drawn as for a new family);
* ``typical_months``: ``before`` with the typical council's months a case stays open
  instead of draws from England's prior;
* ``log_prior``: ``before`` with the prior weight of the log (the code's
  ``prior_weight``);
* ``likelihood``: ``before`` without a prior;
* ``after``: the code as it is (the log's prior weight, frailty given the history).

It prints each case and then the mean difference from ``before`` over the cases (children
in care at 12, 24 and 36 months) with its standard error, and each variant's bias and mean
absolute error against the files.

``seeding``: ``scripts/forecast_decomposition.py``'s split (children in care after the
date by what they were then, runs from data at the **true** practice and size) at the three
dates, ``SEEDS`` (6) runs each, with the frailty drawn as for a new family (before) and
given the family's history (after); prints the runs' excess over the files by group,
pooled over councils and dates, with its standard error.
"""

from __future__ import annotations

import math
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

import sim.ssda903.seed as seed_module
from sim.ssda903.backtest import (Settings, counts, cut, fit_json, in_care_frame,
                                  monitoring_prior, prior_weight, run_from_data, write_cut)
from sim.ssda903.fit import Window, design_effect, fit_council
from sim.ssda903.read import read_extract
from sim.ssda903.seed import in_care_at

DATES = ("2018-04-01", "2019-04-01", "2020-04-01")
HORIZONS = [12, 24, 36]
VARIANTS = ("before", "typical_months", "log_prior", "likelihood", "after")
_FRAILTY = seed_module.frailty_given_history


def _frailty(history: bool) -> None:
    """Frailty given the history (the code) or as for a new family (before the change)."""
    if history:
        seed_module.frailty_given_history = _FRAILTY
    else:
        seed_module.frailty_given_history = (
            lambda gen, var, spells, survival: _FRAILTY(gen, var, spells, None))


def one_case(full, la: str, date: pd.Timestamp, draws: int) -> dict[str, np.ndarray]:
    s = Settings()
    x = cut(full, date, s.history_years, la)
    in_care = in_care_at(x.episodes, date)
    first = x.episodes["DECOM"].min()
    start = max(date - pd.DateOffset(years=s.history_years),
                pd.Timestamp(first.year if first.month >= 4 else first.year - 1, 4, 1))
    fit = fit_council(x, Window(start, date), seeds=s.fit_seeds, metrics=s.fit_metrics,
                      profile_scale=s.profile_scale, warmup_years=s.fit_warmup_years)
    mine = full.episodes[full.episodes["la"] == la]
    out = {"truth": np.array([counts(in_care_frame(mine, date + pd.DateOffset(months=h)))[0]
                              for h in HORIZONS])}
    g = fit.grid.drop_duplicates(["return_propensity", "thoroughness"]).sort_values(
        ["return_propensity", "thoroughness"]).reset_index(drop=True)
    rp, th = g["return_propensity"].to_numpy(), g["thoroughness"].to_numpy()
    like = np.exp(-0.5 * (g["objective"] - g["objective"].min())).to_numpy()
    log_prior = prior_weight(rp, th)
    weights = {"before": like * log_prior / rp, "typical_months": like * log_prior / rp,
               "log_prior": like * log_prior, "likelihood": like,
               "after": like * log_prior}
    rng = np.random.default_rng([7, date.year, zlib.crc32(la.encode())])
    u, z = rng.random(draws), rng.normal(size=draws)
    levels, mass = monitoring_prior()
    months_open = [int(v) for v in rng.choice(levels, size=draws, p=mass)]
    starts = fit.table.set_index(["period", "metric"]).loc[("fit", "entries_per_year"),
                                                           "observed"]
    se = math.sqrt(design_effect() / max(float(starts) * (Window(start, date).years - 1),
                                         1.0))
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_cut(x, Path(tmp) / "x")
        for v in VARIANTS:
            _frailty(v == "after")
            w = weights[v] / weights[v].sum()
            pick = np.searchsorted(np.cumsum(w), u).clip(0, len(w) - 1)
            runs = []
            for i, k in enumerate(pick):
                f = fit_json(Path(tmp), f"{v}{i}", float(rp[k]), float(th[k]),
                             float(g.loc[k, "scale"]) * math.exp(se * z[i]), date, in_care,
                             None if v == "typical_months" else months_open[i])
                runs.append(run_from_data(folder, f, 3000 + i, HORIZONS)[:, 0])
            out[v] = np.mean(runs, axis=0)
    _frailty(True)
    return out


def main_draws(folders: str, councils: str, draws: int = 40) -> None:
    cases = []
    for folder in folders.split(","):
        full = read_extract(sorted(Path(folder).glob("regional_*_20*.csv")))
        for la in councils.split(","):
            for d in DATES:
                c = one_case(full, la, pd.Timestamp(d), draws)
                cases.append(c)
                print(f"{Path(folder).name} {la} {d}: truth {c['truth'].tolist()}; error "
                      + "; ".join(f"{v} {np.round(c[v] - c['truth'], 1).tolist()}"
                                  for v in VARIANTS), flush=True)
    print(f"\n{len(cases)} cases, children in care at {HORIZONS} months")
    for v in VARIANTS:
        e = np.array([c[v] - c["truth"] for c in cases])
        d = np.array([c[v] - c["before"] for c in cases])
        print(f"{v:15s} bias {e.mean(0).round(1).tolist()} mean abs error "
              f"{np.abs(e).mean(0).round(1).tolist()}; minus before "
              f"{d.mean(0).round(1).tolist()} (se "
              f"{(d.std(0, ddof=1) / math.sqrt(len(d))).round(1).tolist()})")


def main_seeding(folders: str, seeds: int = 6) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import forecast_decomposition as fd  # noqa: E402
    from sim.ssda903.measure import periods_of_care
    rows: dict[bool, list[np.ndarray]] = {False: [], True: []}
    for folder, d in [(f, d) for f in folders.split(",") for d in DATES]:
        full = read_extract(sorted(Path(folder).glob("regional_*_20*.csv")))
        date = pd.Timestamp(d)
        for la in fd.TRUE:
            x = cut(full, date, 5, la)
            per = periods_of_care(full.episodes[full.episodes["la"] == la])
            seen, every = fd.status(periods_of_care(x.episodes), date), fd.status(per, date)
            t = fd.truth(per, seen, every, date)
            tin, thome = t.get("in_care", 0), t.get("at_home", 0)
            tnew = t.get("new", 0) + sum(t[c] for c in t if str(c).startswith("unseen"))
            for history in (False, True):
                _frailty(history)
                m = fd.model(x, la, date, seeds)
                rows[history].append(np.array([
                    m["in_care"] - tin, m["at_home"] - thome, m["new"] - tnew,
                    m[["in_care", "at_home", "new"]].sum(axis=1) - (tin + thome + tnew)]))
    _frailty(True)
    print(f"Runs from data at the true practice and size ({seeds} seeds) minus the files, "
          f"children in care at {HORIZONS} months, by what they were at the date; "
          f"{len(rows[True])} council-dates")
    for history, label in ((False, "frailty as for a new family (before)"),
                           (True, "frailty given the history (after)")):
        a = np.array(rows[history])  # cases x groups x horizons
        print(label)
        for j, g in enumerate(("in care", "at home", "new", "total")):
            print(f"  {g:8s} {a[:, j].mean(0).round(1).tolist()} (se "
                  f"{(a[:, j].std(0, ddof=1) / math.sqrt(len(a))).round(1).tolist()})")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "draws":
        main_draws(sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:5]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "seeding":
        main_seeding(sys.argv[2], *(int(a) for a in sys.argv[3:4]))
    else:
        sys.exit("usage: python scripts/fitted_bias_diagnosis.py draws DIR COUNCIL[,...] "
                 "[DRAWS] | seeding DIR [SEEDS]")
