"""Reading SSDA903 episodes and header CSV files (one file a year, or one file for all years).

What leaves this module is a clean, de-identified table: the child's identifier is replaced
by a number (:func:`read_extract` never returns ``CHILD``), postcodes, ``URN``, ``UPN``,
``MOTHER`` and ``MC_DOB`` are dropped as soon as a file is read, and the date of birth is kept
only inside :class:`Extract` to compute ages (the measures output ages in bands only).

Problems are not fixed silently: every one goes into the
:class:`~sim.ssda903.quality.QualityReport` with counts and example row numbers, and says
what was kept or left out. A file that cannot be used at all (unreadable, or without a
column the measures need, or dates written month first: :func:`_refuse_month_first`) stops
the read with :class:`Ssda903Error`, naming the file and the column. A last row cut short
(a truncated file) is reported and left out (:func:`_cut_rows`).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from sim.ssda903 import codes
from sim.ssda903.quality import QualityReport, validate_episodes, validate_header

#: Episode columns the measures need; a file without one of them cannot be used.
EPISODE_REQUIRED = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC")
HEADER_REQUIRED = ("CHILD", "DOB")
#: Columns kept after reading (everything else, identifiers included, is dropped at once).
EPISODE_KEEP = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                "REASON_PLACE_CHANGE")
HEADER_KEEP = ("CHILD", "SEX", "DOB")
CODE_COLUMNS = ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE")
#: Columns compared when the same episode (child and start date) comes more than once.
COMPARED = ("DEC", "RNE", "LS", "CIN", "PLACE", "REC")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


class Ssda903Error(ValueError):
    """A file cannot be used (the message names the file and the column)."""


@dataclass
class Extract:
    """The episodes and header rows of an extract, checked and de-identified.

    ``episodes``: ``la, child, DECOM, DEC, RNE, LS, CIN, PLACE, REC, file, row`` in order of
    child and start (``child`` a number, not the council's identifier; ``file`` an index into
    ``files``; ``row`` the line in that file), with ``dob`` joined from the header (NaT when
    unknown). ``header``: ``la, child, dob, sex``.
    """

    episodes: pd.DataFrame
    header: pd.DataFrame
    files: list[str]
    report: QualityReport = field(default_factory=QualityReport)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[],
                         encoding="utf-8-sig")
    except FileNotFoundError:
        raise Ssda903Error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise Ssda903Error(f"{path}: a folder, not a CSV file") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise Ssda903Error(f"{path}: not a readable CSV file ({err})") from None
    df.columns = [str(c).strip().upper() for c in df.columns]
    return df


def kind_of(columns: Iterable[str]) -> str:
    """``episodes`` (has DECOM), ``header`` (has DOB, not DECOM) or ``unknown``."""
    cols = set(columns)
    if "DECOM" in cols:
        return "episodes"
    if "DOB" in cols:
        return "header"
    return "unknown"


def parse_dates(raw: pd.Series) -> pd.Series:
    """Dates written ``dd/mm/yyyy`` (the SSDA903 format) or ``yyyy-mm-dd``; anything else is
    NaT (reported by the caller)."""
    out = pd.to_datetime(raw, format=DATE_FORMATS[0], errors="coerce")
    todo = out.isna() & (raw != "")
    if todo.any():
        out[todo] = pd.to_datetime(raw[todo], format=DATE_FORMATS[1], errors="coerce")
    return out.astype("datetime64[s]")


def read_extract(paths: Iterable[str | Path], *, la_column: str = "LA") -> Extract:
    """Read SSDA903 episodes and header files (any number of each, in any order: a file's
    kind is told by its columns). When the same episode differs between files, the row with
    an end date wins, then the later file (files are taken in the order given)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise Ssda903Error("no files given: name SSDA903 episodes and header CSV files")
    report = QualityReport()
    cut = {"episodes": 0, "header": 0}  # rows cut short, left out (:func:`_cut_rows`)
    la_column = la_column.strip().upper()
    names = [p.name for p in paths]
    episodes: list[pd.DataFrame] = []
    headers: list[pd.DataFrame] = []
    for i, path in enumerate(paths):
        df = _read_csv(path)
        kind = kind_of(df.columns)
        if kind == "unknown":
            raise Ssda903Error(
                f"{path}: neither an SSDA903 episodes file (no column DECOM) nor a header "
                f"file (no column DOB); columns found: {', '.join(df.columns) or 'none'}")
        required = EPISODE_REQUIRED if kind == "episodes" else HEADER_REQUIRED
        missing = [c for c in required if c not in df.columns]
        if missing:
            raise Ssda903Error(f"{path}: {kind} file without column {', '.join(missing)} "
                               f"(an {kind} file needs {', '.join(required)})")
        expected = codes.EPISODE_COLUMNS if kind == "episodes" else codes.HEADER_COLUMNS
        for col in expected:
            if col not in df.columns:
                report.add(names[i], "missing column", col, len(df), [],
                           "not needed for the measures; every row kept")
        keep = EPISODE_KEEP if kind == "episodes" else HEADER_KEEP
        out = pd.DataFrame({c: (df[c].str.strip() if c in df.columns else "") for c in keep},
                           index=df.index)
        out["la"] = df[la_column].str.strip() if la_column in df.columns else ""
        out["file"] = np.int32(i)
        out["row"] = np.arange(2, len(df) + 2, dtype=np.int64)  # line 1 holds the names
        out = _cut_rows(df, out, path, kind, names, report, cut)
        del df  # identifiers (postcodes, URN, UPN, MOTHER, MC_DOB) go with it
        (episodes if kind == "episodes" else headers).append(out)
    if not episodes:
        raise Ssda903Error(f"no episodes file among {', '.join(map(str, paths))}: an "
                           f"episodes file has the columns {', '.join(EPISODE_REQUIRED)}")
    ep = pd.concat(episodes, ignore_index=True)
    report.count("episode rows read", len(ep) + cut["episodes"])
    if headers:
        hd = pd.concat(headers, ignore_index=True)
    else:
        hd = pd.DataFrame({"CHILD": pd.Series(dtype=object), "SEX": pd.Series(dtype=object),
                           "DOB": pd.Series(dtype=object), "la": pd.Series(dtype=object),
                           "file": pd.Series(dtype=np.int32), "row": pd.Series(dtype=np.int64)})
        report.add("", "no header file", "DOB", 0, [],
                   "ages unknown: no age bands, returns not censored at 18")
    report.count("header rows read", len(hd) + cut["header"])
    ep = _clean_episodes(ep, names, report, left_out=cut["episodes"])
    if cut["header"]:
        report.count("header rows left out (cut short)", cut["header"])
    hd = _clean_header(hd, names, report)
    ep, hd = _link(ep, hd, names, report)
    return Extract(episodes=ep, header=hd, files=names, report=report)


def _dates(df: pd.DataFrame, col: str, names: list[str], report: QualityReport,
           action: str) -> tuple[pd.Series, pd.Series]:
    """Parsed dates, and the rows whose date was given but could not be read."""
    raw = df[col]
    parsed = parse_dates(raw)
    bad = parsed.isna() & (raw != "")
    _refuse_month_first(df, raw, parsed, bad, col, names)
    if bad.any():
        report.add_rows(df[bad], names, "unparseable date", col, action)
    return parsed, bad


def _cut_rows(df: pd.DataFrame, out: pd.DataFrame, path: Path, kind: str, names: list[str],
              report: QualityReport, cut: dict[str, int]) -> pd.DataFrame:
    """A file cut short in its last row (a truncated copy or download): pandas fills the
    missing fields with "" like empty ones, so the last line is read again here. With fewer
    fields than the header, the row is reported and left out (the cut may be inside the
    last field it still has: a date, a code); with every field but no line break after it,
    the last field may have lost its end: reported, the row kept. Counts the rows left out
    in ``cut[kind]``."""
    if not len(out):
        return out
    fields, ends_with_break = _last_line(path)
    if fields is not None and len(fields) < len(df.columns):
        missing = str(df.columns[len(fields)])
        report.add_rows(out.tail(1), names, "last row cut short: fewer fields than the "
                        f"header ({len(fields)} of {len(df.columns)}; a truncated file?)",
                        missing, f"{'episode' if kind == 'episodes' else 'header'} row "
                        "left out")
        cut[kind] += 1
        return out.iloc[:-1]
    if not ends_with_break:
        report.add_rows(out.tail(1), names, "file ends without a line break (its last "
                        "field may be incomplete)", str(df.columns[-1]),
                        "kept (every field is there); check the last row against the source")
    return out


def _last_line(path: Path) -> tuple[list[str] | None, bool]:
    """The fields of the file's last non-empty line, and whether the file ends with a
    line break (read from the end: a national extract is not read twice)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 65536))
        tail = f.read()
    if not tail:
        return None, True
    ends_with_break = tail[-1:] in (b"\n", b"\r")
    lines = [ln for ln in tail.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    if not lines:
        return None, ends_with_break
    return next(csv.reader([lines[-1]])), ends_with_break


def _refuse_month_first(df: pd.DataFrame, raw: pd.Series, parsed: pd.Series, bad: pd.Series,
                        col: str, names: list[str]) -> None:
    """Dates written month first (mm/dd/yyyy, a spreadsheet's US setting) are refused: read
    day first, those with a day above 12 would be left out and every other one read as the
    wrong day (a run from them started with about a third of the council's children). Told
    file by file: some dates cannot be read day first but can month first, and none read
    day first has a day above 12 (a day-first file of more than a handful of dates has).
    The message gives counts and lines, never a value (a date of birth is personal data)."""
    if not bad.any():
        return
    month_first = bad & pd.to_datetime(raw.where(bad, ""), format="%m/%d/%Y",
                                       errors="coerce").notna()
    if not month_first.any():
        return
    day_above_12 = parsed.dt.day > 12
    for f in sorted(set(df.loc[month_first, "file"].tolist())):
        in_file = df["file"] == f
        if day_above_12[in_file].any():
            continue  # day first, with a few dates written otherwise: reported, left out
        rows = df.loc[month_first & in_file, "row"]
        lines = ", ".join(str(r) for r in rows.head(3))
        raise Ssda903Error(
            f"{names[int(f)]}: column {col}: dates written month first (mm/dd/yyyy): "
            f"{len(rows):,d} of {int((in_file & (raw != '')).sum()):,d} dates can be read "
            f"only month first (e.g. line {lines}) and none has a day above 12 read day "
            "first; SSDA903 dates are dd/mm/yyyy (or yyyy-mm-dd): save the file with "
            "dates day first")


def _clean_episodes(ep: pd.DataFrame, names: list[str], report: QualityReport,
                    left_out: int = 0) -> pd.DataFrame:
    """Parse, check and de-duplicate the episodes (``left_out``: rows already left out
    while reading, counted with the rest)."""
    ep["DECOM"], bad_start = _dates(ep, "DECOM", names, report,
                                    "episode left out (start date unknown)")
    ep["dec_given"] = ep["DEC"] != ""
    ep["DEC"], bad_end = _dates(ep, "DEC", names, report, "episode left out (end date unknown)")
    for col in CODE_COLUMNS:
        ep[col] = ep[col].str.upper().replace("", None)
    # blank start dates are reported by the schema (not_nullable); unparseable ones above
    checks = validate_episodes(_for_schema(ep, bad_start), names, report)
    drop = bad_start | bad_end | ep["DECOM"].isna() | (ep["CHILD"] == "")
    for key in (("", "DEC before DECOM"),):
        if key in checks:
            drop[checks[key]] = True
    # REC given without an end date: an open episode (REC ignored)
    ep.loc[ep["DEC"].isna(), "REC"] = None
    ep = ep.loc[~drop].drop(columns=["PLACE_PROVIDER", "REASON_PLACE_CHANGE", "dec_given"])
    report.count("episode rows left out (see problems)", int(drop.sum()) + left_out)
    ep = _dedupe(ep, names, report)
    ep = _overlaps(ep, names, report)
    return ep


def _for_schema(ep: pd.DataFrame, bad_start: pd.Series) -> pd.DataFrame:
    """The frame the schema sees: an unparseable start date (already reported) is not also
    a missing one."""
    if not bad_start.any():
        return ep
    out = ep.copy()
    out.loc[bad_start, "DECOM"] = pd.Timestamp("1900-01-01")
    return out


def _dedupe(ep: pd.DataFrame, names: list[str], report: QualityReport) -> pd.DataFrame:
    """One row an episode (child and start date). Annual extracts repeat every episode open
    across 31 March: the row with an end date wins, then the later file."""
    key = ["la", "CHILD", "DECOM"]
    ep = ep.assign(_closed=ep["DEC"].notna()).sort_values(
        [*key, "_closed", "file", "row"], kind="stable").reset_index(drop=True)
    last = ~ep.duplicated(key, keep="last")
    n_removed = int((~last).sum())
    if n_removed:
        group = ep.groupby(key, sort=False).ngroup().to_numpy()
        chosen_of_group = np.empty(group.max() + 1, dtype=np.int64)
        chosen_of_group[group[last.to_numpy()]] = np.flatnonzero(last.to_numpy())
        removed = ep.loc[~last]
        kept = ep.iloc[chosen_of_group[group[~last.to_numpy()]]].set_index(removed.index)
        same = pd.Series(True, index=removed.index)
        for c in COMPARED:
            a, b = removed[c], kept[c]
            same &= (a == b) | (a.isna() & b.isna())
        closed_later = ~same & removed["DEC"].isna() & kept["DEC"].notna()
        other = ~same & ~closed_later
        report.count("episode rows repeated in more than one file (one kept)", int(same.sum()))
        if closed_later.any():
            report.count("episode rows open in one file, closed in a later one (closed kept)",
                         int(closed_later.sum()))
        if other.any():
            report.add_rows(removed[other], names, "same child and start date, different "
                            "content", "DECOM", "the row with an end date, else the later "
                            "file's, kept; this one left out")
    return ep.loc[last].drop(columns="_closed").reset_index(drop=True)


def _overlaps(ep: pd.DataFrame, names: list[str], report: QualityReport) -> pd.DataFrame:
    """An episode still open, or ending after the next episode of the same child starts, is
    cut at that start (and treated as ``X1``: the period of care goes on)."""
    same_child = (ep["la"].to_numpy()[1:] == ep["la"].to_numpy()[:-1]) & \
        (ep["CHILD"].to_numpy()[1:] == ep["CHILD"].to_numpy()[:-1])
    nxt = np.append(same_child, False)
    next_start = ep["DECOM"].shift(-1)
    is_open = nxt & ep["DEC"].isna().to_numpy()
    overlap = nxt & ep["DEC"].notna().to_numpy() & (ep["DEC"] > next_start).to_numpy()
    for mask, problem in ((is_open, "open episode followed by a later episode of the same "
                                    "child"),
                          (overlap, "overlapping episodes of one child")):
        if mask.any():
            report.add_rows(ep[mask], names, problem, "DEC", "kept, cut at the start of the "
                            "next episode (treated as X1: the period of care goes on)")
    cut = is_open | overlap
    if cut.any():
        ep.loc[cut, "DEC"] = next_start[cut]
        ep.loc[cut, "REC"] = codes.SAME_PERIOD_REC
    return ep


def _clean_header(hd: pd.DataFrame, names: list[str], report: QualityReport) -> pd.DataFrame:
    hd["DOB"], _bad = _dates(hd, "DOB", names, report,
                             "kept; age unknown (no age band, returns not censored at 18)")
    hd["SEX"] = hd["SEX"].str.upper().replace("", None)
    validate_header(hd.assign(DOB=hd["DOB"].where(~_bad, pd.Timestamp("1900-01-01"))),
                    names, report)
    no_child = hd["CHILD"] == ""
    hd = hd.loc[~no_child]
    hd = hd.sort_values(["la", "CHILD", "file", "row"], kind="stable")
    last = ~hd.duplicated(["la", "CHILD"], keep="last")
    if (~last).any():
        firsts = hd.groupby(["la", "CHILD"], sort=False)["DOB"].transform("first")
        differ = (hd["DOB"] != firsts) & hd["DOB"].notna() & firsts.notna()
        if differ.any():
            report.add_rows(hd[differ], names, "different dates of birth for one child", "DOB",
                            "the later file's row kept")
        report.count("header rows repeated in more than one file (one kept)",
                     int((~last).sum()))
    return hd.loc[last].reset_index(drop=True)


def _link(ep: pd.DataFrame, hd: pd.DataFrame, names: list[str], report: QualityReport
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace the council's child identifier by a number, and join the date of birth."""
    keys = pd.concat([ep["la"] + "\x1f" + ep["CHILD"], hd["la"] + "\x1f" + hd["CHILD"]],
                     ignore_index=True)
    codes_, _uniques = pd.factorize(keys)
    ep = ep.assign(child=codes_[:len(ep)]).drop(columns="CHILD")
    hd = hd.assign(child=codes_[len(ep):]).drop(columns="CHILD").rename(
        columns={"DOB": "dob", "SEX": "sex"})
    dob = pd.Series(hd["dob"].to_numpy(), index=hd["child"].to_numpy())
    ep["dob"] = dob.reindex(ep["child"].to_numpy()).to_numpy()
    has_header = np.isin(ep["child"].to_numpy(), hd["child"].to_numpy())
    if (~has_header).any() and len(hd):
        first_rows = ep[~has_header].drop_duplicates("child")
        report.add_rows(first_rows, names, "child without a header row", "CHILD",
                        "kept; age unknown (no age band, returns not censored at 18)")
    unused = ~np.isin(hd["child"].to_numpy(), ep["child"].to_numpy())
    if unused.any():
        report.count("header rows with no episode (not used)", int(unused.sum()))
    report.count("episodes kept", len(ep))
    report.count("children", int(ep["child"].nunique()))
    return ep.reset_index(drop=True), hd.reset_index(drop=True)
