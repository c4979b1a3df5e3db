"""A run's CSV files written a row at a time (sim/csv_write.py, issue 25) are pandas'
``to_csv(index=False, float_format="%.10g")`` files, byte for byte: on awkward hand-made
tables, on tables it must hand back to pandas, and on a real run's tables."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.csv_write import csv_text, write_csv


def _pandas(df: pd.DataFrame, tmp_path: Path) -> bytes:
    path = tmp_path / "pandas.csv"
    df.to_csv(path, index=False, float_format="%.10g")
    return path.read_bytes()


def _ours(df: pd.DataFrame, tmp_path: Path) -> bytes:
    path = tmp_path / "ours.csv"
    write_csv(df, path)
    return path.read_bytes()


def _floats(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * 10.0 ** rng.integers(-12, 14, n)
    x[::7] = np.round(x[::7])  # whole numbers written without a point
    x[::11] = 0.0
    x[3] = -0.0
    x[5], x[6] = np.inf, -np.inf
    x[8] = 1e-300
    x[9] = 123456789012.5
    return x


def test_written_row_by_row_as_pandas_writes_it(tmp_path: Path) -> None:
    n = 500
    df = pd.DataFrame({
        "month": np.arange(n),
        "council": np.tile(["C001", "E09000033", "a-b_c"], n)[:n],
        "big": np.arange(n, dtype=np.int64) * 10**12,
        "unsigned": np.arange(n, dtype=np.uint32),
        "x": _floats(n, 1),
        "flag": np.arange(n) % 3 == 0,
        "y": _floats(n, 2) / 3.0})
    assert csv_text(df) is not None  # written by the row writer, not handed back
    assert _ours(df, tmp_path) == _pandas(df, tmp_path)


@pytest.mark.parametrize("make", [
    lambda: pd.DataFrame({"x": [1.0, np.nan, 2.5]}),  # a missing value
    lambda: pd.DataFrame({"name": ["a,b", "c"]}),  # text that needs quoting
    lambda: pd.DataFrame({"name": ['say "hi"', "c"]}),
    lambda: pd.DataFrame({"name": [" lead", "c"]}),
    lambda: pd.DataFrame({"name": ["", "c"]}),  # empty text
    lambda: pd.DataFrame({"mixed": ["a", 1]}),
    lambda: pd.DataFrame({"n": pd.array([1, None], dtype="Int64")}),
    lambda: pd.DataFrame({"f": np.array([0.1, 1 / 3], dtype=np.float32)}),
    lambda: pd.DataFrame({"c": pd.Categorical(["a", "b"])}),
    lambda: pd.DataFrame({"t": pd.to_datetime(["2024-03-31", "2025-01-01"])}),
    lambda: pd.DataFrame({"a,b": [1, 2]}),  # a header that needs quoting
    lambda: pd.DataFrame([[1, 2]], columns=["a", "a"]),
])
def test_tables_it_does_not_handle_go_to_pandas(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    df = make()
    assert csv_text(df) is None
    assert _ours(df, tmp_path) == _pandas(df, tmp_path)


def test_empty_tables(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": np.array([], dtype=np.int64), "b": np.array([], dtype=float)})
    assert _ours(df, tmp_path) == _pandas(df, tmp_path)


def test_a_runs_tables(tmp_path: Path) -> None:
    import sim

    res = sim.run({"scale": 0.02, "seed": 5, "years": 3, "warmup_years": 1})
    for name in ("timeseries", "councils", "reentry_curve", "failed_return_costs"):
        df = getattr(res, name)
        assert _ours(df, tmp_path) == _pandas(df, tmp_path), name
    assert csv_text(res.timeseries) is not None  # the big one takes the fast way
