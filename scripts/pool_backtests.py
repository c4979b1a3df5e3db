"""Pool the tables of several backtests (``backtest.csv`` of ``revolving-door-data
backtest --out DIR``) into one summary, each folder's councils kept apart (issue 24: the
five simulated councils of four seeds, 60 cases), and the paired differences of the
fitted model's errors against persistence's and the stock-flow's.

    python scripts/pool_backtests.py five/backtest five12/backtest [--by age_band]
        [--councils]

``--councils``: also each council (its cases in every folder together): the mean absolute
error (%) of the fitted model, persistence and the stock-flow, and the fitted model's mean
error (children), by horizon.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from sim.ssda903.backtest import BREAKDOWNS, figure, figure_by, summary

#: the method judged, and those it is compared with case by case
JUDGED = "model_fitted"
AGAINST = ("persistence", "stock_flow")


def paired(table: pd.DataFrame, method: str = JUDGED, against: tuple[str, ...] = AGAINST
           ) -> pd.DataFrame:
    """Case by case (a council and extract date), at each horizon, ``|method's error| -
    |other's error|`` in % of the truth (``abs_pct_error``) and in children: the mean over
    the cases and its standard error (the differences' sample standard deviation over the
    square root of the cases). Negative: ``method`` did better. Totals only.

    ``se_percent_by_council``: the standard error treating each council, not each case, as
    independent (the mean difference of each council's dates, their standard deviation
    over the square root of the councils): a council's extract dates share most of their
    files and their futures, so its cases are not independent of each other."""
    t = table[table["breakdown"] == "total"] if "breakdown" in table else table
    case = ["council", "extract_date", "horizon_months"]
    rows = []
    for other in against:
        a = t[t["method"] == method].set_index(case)
        b = t[t["method"] == other].set_index(case)
        both = a.index.intersection(b.index)
        d_pct = a.loc[both, "abs_pct_error"] - b.loc[both, "abs_pct_error"]
        d_n = a.loc[both, "error"].abs() - b.loc[both, "error"].abs()
        for h in sorted(both.get_level_values("horizon_months").unique()):
            sel = both.get_level_values("horizon_months") == h
            n = int(sel.sum())

            def se(d: pd.Series) -> float:
                return float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")

            by_council = d_pct[sel].groupby(level="council").mean()
            k = len(by_council)
            rows.append({"method": method, "against": other, "horizon_months": int(h),
                         "cases": n, "diff_percent": float(d_pct[sel].mean()),
                         "se_percent": se(d_pct[sel]),
                         "se_percent_by_council": (float(by_council.std(ddof=1) / math.sqrt(k))
                                                   if k > 1 else float("nan")),
                         "diff_children": float(d_n[sel].mean()),
                         "se_children": se(d_n[sel])})
    return pd.DataFrame(rows)


def by_council(table: pd.DataFrame) -> pd.DataFrame:
    """Each council's cases in every folder together (``Typical#0`` and ``Typical#1`` are
    ``Typical``), totals: mean absolute error (%) by method and the fitted model's mean
    error (children), a row a council and horizon."""
    t = table[table["breakdown"] == "total"] if "breakdown" in table else table
    t = t.assign(council=t["council"].str.replace(r"#\d+$", "", regex=True))
    mae = t[t["method"].isin((JUDGED, *AGAINST))].pivot_table(
        index=["council", "horizon_months"], columns="method", values="abs_pct_error",
        aggfunc="mean")[[JUDGED, *AGAINST]]
    bias = t[t["method"] == JUDGED].groupby(["council", "horizon_months"])["error"].mean()
    cases = t[t["method"] == JUDGED].groupby(["council", "horizon_months"]).size()
    return mae.assign(fitted_bias_children=bias, cases=cases).reset_index()


def read(folders: list[Path]) -> pd.DataFrame:
    """The folders' ``backtest.csv`` in one table, each folder's councils named apart
    (``Typical#0``, ``Typical#1``)."""
    tables = [pd.read_csv(f / "backtest.csv", keep_default_na=False,
                          na_values=[""]).assign(
                                  council=lambda t, i=i: t["council"].astype(object).fillna("")
                                  .astype(str) + f"#{i}")
              for i, f in enumerate(folders)]
    table = pd.concat(tables, ignore_index=True)
    for c in ("in80", "in95"):
        if c in table:
            table[c] = table[c].map({True: True, False: False, "True": True,
                                     "False": False})
    return table


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--by", default="total",
                    help="total (default), age_band or placement")
    ap.add_argument("--councils", action="store_true",
                    help="also each council's errors (its cases in every folder)")
    ap.add_argument("--figure", type=Path, default=None,
                    help="write the pooled figure (a line a method; a panel a group "
                    "with --by) to this PNG")
    args = ap.parse_args(argv)
    table = read(args.folders)
    s = summary(table, args.by)
    show = s.copy()
    for c in ("coverage80", "coverage95"):
        if c in show:
            show[c] = show[c].map(lambda v: "" if v != v else f"{v:.0%}")
    print(f"Pooled: {len(args.folders)} backtest(s), "
          f"{table['council'].nunique()} council(s), "
          f"{table[['council', 'extract_date']].drop_duplicates().shape[0]} case(s) a horizon")
    if args.by == "total":
        print(show.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    else:  # as the backtest command prints a breakdown: the three methods side by side
        wide = s[s["method"].isin((JUDGED, *AGAINST))].pivot(
            index=["group", "horizon_months"], columns="method", values="mae_percent")
        wide = wide.reindex(BREAKDOWNS[args.by][0], level=0)[
            [m for m in (JUDGED, *AGAINST) if m in wide]]
        t = table[(table["breakdown"] == args.by) & (table["method"] == JUDGED)]
        g = t.groupby(["group", "horizon_months"])
        wide["fitted_bias_children"] = g["error"].mean()
        wide["children"] = g["truth"].mean()
        print(f"By {args.by.replace('_', ' ')}: mean absolute error, % of the group's "
              "children in care; the fitted model's mean error and the group's children "
              "(the truth's mean over the cases)")
        print(wide.to_string(float_format=lambda v: f"{v:.1f}"))
    if args.figure is not None:
        (figure if args.by == "total" else
         lambda t, f: figure_by(t, f, args.by))(s, args.figure)
    if args.by == "total":
        p = paired(table)
        print(f"\nPaired, case by case: |{JUDGED} error| - |other's error| (negative: "
              f"{JUDGED} better), mean and its standard error")
        print(p.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if args.councils:
        print("\nBy council: mean absolute error, % (and the fitted model's mean error, "
              "children)")
        print(by_council(table).to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    return s


if __name__ == "__main__":
    main()
