"""Compare an experiment's report tables from two runs: is the new run statistically the
same as the old one?

Issue 15 replaced the per-object engine by an array engine and asked for *statistical*
equivalence, not byte identity: every calibration target and every headline effect of the
new run should agree with the last results before the change within their 95% intervals,
on the same seeds and sizes. This script puts the two runs' report tables side by side.

It reads, from each of the two folders, the CSV files that ``revolving-door-report``
writes and that carry a mean with a 95% interval:

- ``calibration.csv``: one row a calibration target (``mean``, ``low``, ``high``);
- ``effects.csv``: one row an (arm, metric) effect against current practice
  (``effect_mean``, ``effect_low``, ``effect_high``);
- ``headline_range.csv``: one row an arm of the false-economy range, with three measured
  quantities (return per pound, net cost a year, fall in failed returns) and three
  derived ones without an interval (spend and savings a year, break-even fall);
- ``interactions.csv`` and ``decomposition.csv`` (policy grid, council variation).

A row is identified by the file's leading key columns (everything before ``n``,
``n_pairs`` or ``kind``: the arm, its levers, the metric), joined with " / ". For each row it prints the
old mean and 95% interval, the new ones, the difference, whether the new mean lies inside
the old interval and whether the two intervals overlap. A row present in only one run is
listed as missing, never dropped. The exit status is 0 whatever the outcome (this is a
report, not a test); the last line counts the rows whose new mean falls outside the old
interval.

    python scripts/compare_results.py experiments/results/baseline /tmp/eq/baseline \
        --out docs/part.md --title baseline
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: where each file keeps its quantities: name -> (mean column, low column, high column);
#: low and high are None for a quantity reported without an interval
SPECS: dict[str, dict[str, tuple[str, str | None, str | None]]] = {
    "calibration.csv": {"": ("mean", "low", "high")},
    "effects.csv": {"": ("effect_mean", "effect_low", "effect_high")},
    "headline_range.csv": {
        "return_per_pound": ("return_per_pound", "return_per_pound_low", "return_per_pound_high"),
        "net_cost_per_year_gbp": ("net_cost_per_year_gbp", "net_cost_per_year_gbp_low",
                                  "net_cost_per_year_gbp_high"),
        "fall": ("fall", "fall_low", "fall_high"),
        "spend_per_year_gbp": ("spend_per_year_gbp", None, None),
        "savings_per_year_gbp": ("savings_per_year_gbp", None, None),
        "breakeven_fall": ("breakeven_fall", None, None),
    },
    "interactions.csv": {"": ("interaction_mean", "interaction_low", "interaction_high")},
    "decomposition.csv": {"": ("mean", "low", "high")},
}
#: the first column that is not part of a row's identity
KEY_ENDS = ("n", "n_pairs", "kind")

INSIDE, OUTSIDE, NO_INTERVAL = "yes", "**NO**", "n/a"
MISSING_NEW, MISSING_OLD = "missing in new", "missing in old"


@dataclass(frozen=True)
class Value:
    """One quantity of one run: its mean and 95% interval (NaN where there is none)."""

    mean: float
    low: float
    high: float

    @property
    def has_interval(self) -> bool:
        return not (math.isnan(self.low) or math.isnan(self.high))


@dataclass(frozen=True)
class Row:
    """One compared quantity: ``old`` or ``new`` is None where that run lacks the row."""

    file: str
    key: str
    old: Value | None
    new: Value | None

    @property
    def status(self) -> str:
        """``yes`` (new mean inside the old interval), ``**NO**`` (outside), ``n/a`` (no old
        interval, or no new mean), or which run lacks the row."""
        if self.new is None:
            return MISSING_NEW
        if self.old is None:
            return MISSING_OLD
        if not self.old.has_interval or math.isnan(self.new.mean):
            return NO_INTERVAL
        return INSIDE if _within(self.new.mean, self.old.low, self.old.high) else OUTSIDE

    @property
    def overlap(self) -> str:
        """Whether the old and new 95% intervals share any value."""
        if self.old is None or self.new is None:
            return ""
        if not (self.old.has_interval and self.new.has_interval):
            return NO_INTERVAL
        lo, hi = max(self.old.low, self.new.low), min(self.old.high, self.new.high)
        return "yes" if _within(lo, -math.inf, hi) else "**NO**"

    @property
    def difference(self) -> float:
        if self.old is None or self.new is None:
            return math.nan
        return self.new.mean - self.old.mean


def _within(x: float, low: float, high: float) -> bool:
    """``low <= x <= high``, with a tolerance of a billionth for the floats of CSV files
    (a zero effect in every seed gives an interval of width 0)."""
    tol = 1e-9 * max(1.0, abs(low) if math.isfinite(low) else 0.0, abs(high))
    return low - tol <= x <= high + tol


def _float(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def read_values(path: Path) -> dict[str, Value]:
    """A report file's quantities by row key (``key columns | quantity``)."""
    spec = SPECS[path.name]
    df = pd.read_csv(path, keep_default_na=True)
    ends = [i for i, c in enumerate(df.columns) if c in KEY_ENDS]
    key_cols = list(df.columns[: ends[0]]) if ends else [df.columns[0]]
    out: dict[str, Value] = {}
    for rec in df.to_dict("records"):
        parts = ["" if pd.isna(rec[c]) else str(rec[c]) for c in key_cols]
        base = " / ".join(p for p in parts if p != "")
        for name, (m, lo, hi) in spec.items():
            if m not in df.columns:
                continue
            key = f"{base} / {name}" if name else base
            out[key] = Value(_float(rec[m]), _float(rec[lo]) if lo else math.nan,
                             _float(rec[hi]) if hi else math.nan)
    return out


def compare(old_dir: Path, new_dir: Path) -> list[Row]:
    """Every row of every known report file in either folder, old against new."""
    rows: list[Row] = []
    for name in SPECS:
        old_p, new_p = old_dir / name, new_dir / name
        if not old_p.exists() and not new_p.exists():
            continue
        old = read_values(old_p) if old_p.exists() else {}
        new = read_values(new_p) if new_p.exists() else {}
        for key in list(old) + [k for k in new if k not in old]:
            rows.append(Row(name, key, old.get(key), new.get(key)))
    return rows


def fmt(x: float) -> str:
    """Five significant figures; whole numbers with separators from 100,000 up."""
    if math.isnan(x):
        return ""
    if abs(x) >= 1e5:
        return f"{x:,.0f}"
    return f"{x:.5g}"


def _cell(v: Value | None) -> str:
    if v is None:
        return "(missing)"
    if not v.has_interval:
        return fmt(v.mean)
    return f"{fmt(v.mean)} ({fmt(v.low)} to {fmt(v.high)})"


def _relative(r: Row) -> str:
    if r.old is None or r.new is None or r.old.mean == 0 or math.isnan(r.difference):
        return ""
    return f"{100 * r.difference / abs(r.old.mean):+.2f}%"


def counts(rows: list[Row]) -> dict[str, int]:
    """How many rows have each status."""
    out = {s: 0 for s in (INSIDE, OUTSIDE, NO_INTERVAL, MISSING_NEW, MISSING_OLD)}
    for r in rows:
        out[r.status] += 1
    out["intervals do not overlap"] = sum(r.overlap == "**NO**" for r in rows)
    return out


def markdown(rows: list[Row], title: str = "", only_outside: bool = False) -> str:
    """The comparison as a markdown section: counts, then one table row a quantity."""
    c = counts(rows)
    lines = [f"### {title}", ""] if title else []
    lines += [
        f"{len(rows)} rows: new mean inside the old 95% interval {c[INSIDE]}, "
        f"**outside {c[OUTSIDE]}**, no interval to compare {c[NO_INTERVAL]}, "
        f"missing in new {c[MISSING_NEW]}, missing in old {c[MISSING_OLD]}; "
        f"intervals that do not overlap {c['intervals do not overlap']}.",
        "",
        "| file | row | old: mean (95% interval) | new: mean (95% interval) | difference "
        "| relative | new mean in old interval | intervals overlap |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if only_outside and r.status in (INSIDE, NO_INTERVAL):
            continue
        key = r.key.replace("|", "\\|")  # a pipe would end the markdown cell
        lines.append(f"| {r.file} | {key} | {_cell(r.old)} | {_cell(r.new)} | "
                     f"{fmt(r.difference)} | {_relative(r)} | {r.status} | {r.overlap} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path, help="the old run's report folder")
    ap.add_argument("new", type=Path, help="the new run's report folder")
    ap.add_argument("--out", type=Path, help="also write the markdown table to this file")
    ap.add_argument("--title", default="", help="a heading for the markdown section")
    ap.add_argument("--only-outside", action="store_true",
                    help="list only rows outside the old interval or missing")
    a = ap.parse_args(argv)
    rows = compare(a.old, a.new)
    text = markdown(rows, a.title, a.only_outside)
    sys.stdout.write(text)
    if a.out:
        a.out.write_text(text)
    n_out = counts(rows)[OUTSIDE]
    print(f"\n{n_out} of {len(rows)} rows: new mean outside the old 95% interval")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
