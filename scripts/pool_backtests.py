"""Pool the tables of several backtests (``backtest.csv`` of ``revolving-door-data
backtest --out DIR``) into one summary, each folder's councils kept apart (issue 24: the
five simulated councils of two seeds, 30 cases).

    python scripts/pool_backtests.py five/backtest five12/backtest [--by age_band]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim.ssda903.backtest import summary


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--by", default="total", help="total (default) or age_band")
    args = ap.parse_args(argv)
    tables = [pd.read_csv(f / "backtest.csv", keep_default_na=False,
                          na_values=[""]).assign(council=lambda t, i=i: t["council"] + f"#{i}")
              for i, f in enumerate(args.folders)]
    table = pd.concat(tables, ignore_index=True)
    for c in ("in80", "in95"):
        if c in table:
            table[c] = table[c].map({True: True, False: False, "True": True,
                                     "False": False})
    s = summary(table, args.by)
    show = s.copy()
    for c in ("coverage80", "coverage95"):
        if c in show:
            show[c] = show[c].map(lambda v: "" if v != v else f"{v:.0%}")
    print(f"Pooled: {len(args.folders)} backtest(s), "
          f"{table['council'].nunique()} council(s), "
          f"{table[['council', 'extract_date']].drop_duplicates().shape[0]} case(s) a horizon")
    print(show.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    return s


if __name__ == "__main__":
    main()
