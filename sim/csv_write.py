"""A run's tables written as CSV, byte for byte as ``DataFrame.to_csv(index=False,
float_format=...)`` writes them, but a row at a time instead of a value at a time.

pandas formats each float of a CSV in a Python call of its own; a national run's
``timeseries.csv`` (18,000 rows, 25 columns) took about a second that way, a quarter of a
run's time in the model (issue 25). Here each row is one ``%`` formatting of a format
string built from the columns' types: ``%d`` for integers, the float format for floats,
``%s`` for booleans and plain text. Where a table holds something this simple writer does
not handle as pandas does (a missing value, text that needs quoting, another type), the
table is written by pandas itself, so the file is always pandas' file.
``tests/test_csv_write.py`` compares the two, byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Characters that make pandas quote a text field (the default QUOTE_MINIMAL).
_NEEDS_QUOTES = (",", '"', "\n", "\r")


def _column_format(col: pd.Series, float_format: str) -> tuple[str, list[Any]] | None:
    """The row-format piece and the values of one column, or ``None``: let pandas write."""
    text = isinstance(col.dtype, pd.StringDtype)  # pandas' text dtype (its default, 3.0)
    if not text and not isinstance(col.dtype, np.dtype):  # nullable, categorical ...
        return None
    kind = "O" if text else col.dtype.kind
    values = col.to_numpy()
    if kind in "iu":
        return "%d", values.tolist()
    if col.dtype == np.float64:
        if np.isnan(values).any():
            return None
        return float_format, values.tolist()
    if kind == "b":
        return "%s", values.tolist()
    if kind == "O":
        items = values.tolist()
        if not all(type(v) is str and v and not v.startswith(" ") and v == v.strip()
                   and not any(c in v for c in _NEEDS_QUOTES) for v in items):
            return None
        return "%s", items
    return None


def csv_text(df: pd.DataFrame, float_format: str = "%.10g") -> str | None:
    """The CSV ``df.to_csv(index=False, float_format=float_format)`` gives, made a row at
    a time; ``None`` where pandas must write it (see the module's text)."""
    if not len(df.columns) or not all(isinstance(c, str) and not any(q in c for q in _NEEDS_QUOTES)
               for c in df.columns) or len(set(df.columns)) != len(df.columns):
        return None
    pieces, columns = [], []
    for name in df.columns:
        got = _column_format(df[name], float_format)
        if got is None:
            return None
        pieces.append(got[0])
        columns.append(got[1])
    row = ",".join(pieces)
    lines = [",".join(df.columns)]
    lines += [row % values for values in zip(*columns)] if columns else []
    return os.linesep.join(lines) + os.linesep  # pandas' line end


def write_csv(df: pd.DataFrame, path: str | Path, float_format: str = "%.10g") -> None:
    """Write ``df`` as ``df.to_csv(path, index=False, float_format=float_format)`` does."""
    text = csv_text(df, float_format)
    if text is None:
        df.to_csv(path, index=False, float_format=float_format)
        return
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
