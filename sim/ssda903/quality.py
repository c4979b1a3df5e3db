"""The data-quality report of an SSDA903 extract, and the checks behind it.

Column and row checks (codes in the DfE lists, required values, an episode ending before it
starts) are pandera schemas; the checks across rows (the same episode twice, overlapping
episodes of one child, a child without a header row) are done where the rows are joined, in
:mod:`sim.ssda903.read`. Every problem is one :class:`Issue`: what, in which file and column,
how many rows, up to :data:`EXAMPLES` example row numbers, and what was done about it.

The report never shows an identifier: rows are named by file and line, and a wrong value is
shown only when it looks like a code (:func:`shown_value`), never a child's number,
postcode or date. Whatever that display allows and whatever a caller passes, an issue of an
identifying column (:data:`sim.ssda903.codes.IDENTIFYING`: the child's identifier, dates of
birth, postcodes, URN, UPN, the mother's) keeps no value: :class:`Issue` replaces them by
:data:`NOT_SHOWN` (``tests/test_privacy.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from sim.ssda903 import codes

EXAMPLES = 5
#: what an issue of an identifying column shows in place of the values it was given
NOT_SHOWN = "(identifying field: values never shown)"
_CODE_LIKE = re.compile(r"^(?:[A-Z]{1,5}|[A-Z]{1,3}[0-9]{1,2}[A-Z]?|[0-9])$")


def shown_value(value: Any) -> str:
    """A wrong value as the report may show it: codes are shown, anything else is not."""
    s = str(value)
    return repr(s) if _CODE_LIKE.match(s) else "(value not shown)"


@dataclass
class Issue:
    file: str
    problem: str
    column: str
    rows: int
    examples: list[str]
    action: str
    values: str = ""

    def __post_init__(self) -> None:
        # the guard of personal data: however the values were made, none of an identifying
        # column is kept (a malformed date of birth is still someone's date of birth)
        if self.values and self.column.strip().upper() in codes.IDENTIFYING:
            self.values = NOT_SHOWN


@dataclass
class QualityReport:
    issues: list[Issue] = field(default_factory=list)
    #: what happened to the rows: label -> count, in order
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, file: str, problem: str, column: str, rows: int, examples: list[str],
            action: str, values: str = "") -> None:
        self.issues.append(Issue(file, problem, column, int(rows), examples, action, values))

    def add_rows(self, rows: pd.DataFrame, names: list[str], problem: str, column: str,
                 action: str, values: pd.Series | None = None) -> None:
        """One issue a file, for the rows given (their ``file`` and ``row`` columns)."""
        for f, sub in rows.groupby("file", sort=True):
            shown = ""
            if values is not None:
                vc = values.loc[sub.index].value_counts()
                shown = ", ".join(f"{shown_value(v)} x{n}" for v, n in vc.head(8).items())
            self.add(names[int(f)], problem, column, len(sub),
                     [str(r) for r in sub["row"].head(EXAMPLES)], action, shown)

    def count(self, label: str, n: int) -> None:
        self.counts[label] = int(n)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"file": i.file, "problem": i.problem, "column": i.column,
                              "rows": i.rows, "example_rows": " ".join(i.examples),
                              "values": i.values, "action": i.action} for i in self.issues],
                            columns=["file", "problem", "column", "rows", "example_rows",
                                     "values", "action"])

    def summary(self) -> str:
        lines = ["Data quality:"]
        for label, n in self.counts.items():
            lines.append(f"  {label:68s} {n:>10,d}")
        if not self.issues:
            lines.append("  no problems found")
        else:
            lines.append(f"  {len(self.issues)} problem(s):")
            for i in self.issues:
                where = f"{i.file} " if i.file else ""
                lines.append(f"  - {where}{i.column}: {i.problem}, {i.rows:,d} row(s)"
                             + (f" (e.g. line {', '.join(i.examples[:3])})" if i.examples
                                else "") + (f" [{i.values}]" if i.values else "")
                             + f": {i.action}")
        return "\n".join(lines)

    def markdown(self) -> str:
        out = ["# Data-quality report", "", "## Rows", "", "| | rows |", "|---|---:|"]
        out += [f"| {k} | {v:,d} |" for k, v in self.counts.items()]
        out += ["", "## Problems", ""]
        if not self.issues:
            out.append("No problems found.")
        else:
            out += ["| file | column | problem | rows | example lines | values | action |",
                    "|---|---|---|---:|---|---|---|"]
            out += [f"| {i.file} | {i.column} | {i.problem} | {i.rows:,d} | "
                    f"{' '.join(i.examples)} | {i.values} | {i.action} |" for i in self.issues]
        return "\n".join(out) + "\n"

    def write(self, folder: Path) -> None:
        self.frame().to_csv(folder / "quality_report.csv", index=False)
        (folder / "quality_report.md").write_text(self.markdown())


# ------------------------------------------------------------------ pandera schemas
def _codes(col: str, allowed: Any, nullable: bool) -> pa.Column:
    return pa.Column(object, pa.Check.isin(sorted(allowed), name="unknown code"),
                     nullable=nullable, required=True, name=col)


EPISODE_SCHEMA = pa.DataFrameSchema(
    {
        "CHILD": pa.Column(object, pa.Check(lambda s: s != "", name="missing value"),
                           nullable=False),
        "DECOM": pa.Column(nullable=False),
        "DEC": pa.Column(nullable=True),
        "RNE": _codes("RNE", codes.RNE, False),
        "LS": _codes("LS", codes.LS, False),
        "CIN": _codes("CIN", codes.CIN, False),
        "PLACE": _codes("PLACE", codes.PLACE, False),
        "PLACE_PROVIDER": _codes("PLACE_PROVIDER", codes.PLACE_PROVIDER, True),
        "REC": _codes("REC", codes.REC, True),
        "REASON_PLACE_CHANGE": _codes("REASON_PLACE_CHANGE", codes.REASON_PLACE_CHANGE, True),
    },
    checks=[
        pa.Check(lambda d: d["DEC"].isna() | d["DECOM"].isna() | (d["DEC"] >= d["DECOM"]),
                 name="DEC before DECOM"),
        pa.Check(lambda d: d["DEC"].isna() | d["REC"].notna(), name="DEC without REC"),
        pa.Check(lambda d: d["DEC"].notna() | d["REC"].isna() | d["dec_given"],
                 name="REC without DEC"),
    ],
    name="SSDA903 episodes",
)

HEADER_SCHEMA = pa.DataFrameSchema(
    {
        "CHILD": pa.Column(object, pa.Check(lambda s: s != "", name="missing value"),
                           nullable=False),
        "DOB": pa.Column(nullable=False),
        "SEX": _codes("SEX", codes.SEX, True),
    },
    name="SSDA903 header",
)

#: What is done about each failed check (the rows themselves are dropped in read.py).
EPISODE_ACTIONS: dict[tuple[str, str], str] = {
    ("CHILD", "missing value"): "episode left out (cannot be linked to a child)",
    ("CHILD", "not_nullable"): "episode left out (cannot be linked to a child)",
    ("DECOM", "not_nullable"): "episode left out (no start date)",
    ("RNE", "unknown code"): "kept; periods of care are told by the dates and REC",
    ("RNE", "not_nullable"): "kept; periods of care are told by the dates and REC",
    ("LS", "unknown code"): "kept, legal status counted as 'unknown'",
    ("LS", "not_nullable"): "kept, legal status counted as 'unknown'",
    ("CIN", "unknown code"): "kept, in the 'all' curve only (group unknown)",
    ("CIN", "not_nullable"): "kept, in the 'all' curve only (group unknown)",
    ("PLACE", "unknown code"): "kept (placement not used by the measures)",
    ("PLACE", "not_nullable"): "kept (placement not used by the measures)",
    ("PLACE_PROVIDER", "unknown code"): "kept (not used by the measures)",
    ("REASON_PLACE_CHANGE", "unknown code"): "kept (not used by the measures)",
    ("REC", "unknown code"): "kept; the ending counts as not a return home",
    ("", "DEC before DECOM"): "episode left out",
    ("", "DEC without REC"): "kept; the ending counts as not a return home",
    ("", "REC without DEC"): "kept as an open episode (REC ignored)",
}
#: The column a frame-wide check is reported under.
FRAME_CHECK_COLUMN = {"DEC before DECOM": "DEC", "DEC without REC": "REC",
                      "REC without DEC": "DEC"}
HEADER_ACTIONS: dict[tuple[str, str], str] = {
    ("CHILD", "missing value"): "header row left out",
    ("CHILD", "not_nullable"): "header row left out",
    ("DOB", "not_nullable"): "kept; age unknown (no age band, returns not censored at 18)",
    ("SEX", "unknown code"): "kept (sex not used by the measures)",
}


def run_schema(schema: pa.DataFrameSchema, df: pd.DataFrame, names: list[str],
               report: QualityReport, actions: dict[tuple[str, str], str]
               ) -> dict[tuple[str, str], pd.Index]:
    """Validate ``df`` (lazily: every failure), report each failed check, and return the
    index of the failing rows for each ``(column, check)``."""
    try:
        schema.validate(df, lazy=True)
        return {}
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
    fc = fc[fc["index"].notna()].copy()
    # pandera names a built-in check by its call (isin([...])): name it by its meaning
    fc["check"] = fc["check"].astype(str).str.replace(r"^isin\(.*$", "unknown code",
                                                       regex=True)
    fc.loc[fc["schema_context"] == "DataFrameSchema", "column"] = ""
    fc["column"] = fc["column"].fillna("").astype(str)
    out: dict[tuple[str, str], pd.Index] = {}
    for (col, check), sub in fc.groupby(["column", "check"], sort=False):
        idx = pd.Index(sub["index"].astype(int).unique())
        out[(col, check)] = idx
        problem = "missing value" if check in ("not_nullable", "missing value") else check
        action = actions.get((col, check), "kept")
        values = df.loc[idx, col] if (col and check == "unknown code") else None
        report.add_rows(df.loc[idx], names, problem, col or FRAME_CHECK_COLUMN.get(check, ""),
                        action, values=values)
    return out


def validate_episodes(ep: pd.DataFrame, names: list[str], report: QualityReport
                      ) -> dict[tuple[str, str], pd.Index]:
    return run_schema(EPISODE_SCHEMA, ep, names, report, EPISODE_ACTIONS)


def validate_header(hd: pd.DataFrame, names: list[str], report: QualityReport
                    ) -> dict[tuple[str, str], pd.Index]:
    return run_schema(HEADER_SCHEMA, hd, names, report, HEADER_ACTIONS)
