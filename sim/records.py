"""What the model remembers for its outputs: returns home, episode endings, monthly series.

Records are written when something happens (never by scanning agents), and turned into
pandas data frames at the end of a run.
"""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the records sit below the agents: names of kinds only as types
    from sim.agents.child import ExitKind

from sim.state import Table

END_OPEN, END_REENTERED, END_AGED_OUT = 0, 1, 2

EXIT_COLUMNS: dict[str, tuple[object, int, object]] = {
    "time": (np.float64, 0, math.nan), "council": (np.int64, 0, 0), "reason": (np.int64, 0, 0),
    "kind": (np.int64, 0, 0), "care_order": (np.bool_, 0, False), "problems": (np.int64, 0, 0),
    "age": (np.float64, 0, math.nan), "episode": (np.int64, 0, 1)}


#: return-record columns (the ``returns`` frame), with their dtype and initial value
RETURN_COLUMNS: dict[str, tuple[object, int, object]] = {
    "child": (np.int64, 0, -1), "family": (np.int64, 0, -1), "council": (np.int64, 0, 0),
    "time": (np.float64, 0, math.nan), "reason": (np.int64, 0, 0), "nth": (np.int64, 0, 0),
    "first_return": (np.float64, 0, math.nan), "substance": (np.bool_, 0, False),
    "treated": (np.bool_, 0, False), "support_level": (np.int64, 0, 0),
    "end_time": (np.float64, 0, math.nan), "end_kind": (np.int64, 0, END_OPEN),
    "first_maltreatment": (np.float64, 0, math.nan),
    "maltreatment_count": (np.int64, 0, 0), "harm_months": (np.float64, 0, 0.0),
    "after_maltreatment": (np.bool_, 0, False),
    # parental problems unresolved at the return (bit mask, see transitions.bits)
    "problems": (np.int64, 0, 0),
    "care_order": (np.bool_, 0, False),
    "age": (np.float64, 0, math.nan),  # the child's age at the return, months
    "unplanned": (np.bool_, 0, False),  # an unplanned return (see Transitions.return_home)
}


class ReturnRecord:
    """One child's return home, and what happened after it, as a plain object (for tests
    and tools that build records by hand; a run keeps them in a :class:`ReturnLog`). The
    fields are :data:`RETURN_COLUMNS`, at their initial values unless given."""

    __slots__ = tuple(RETURN_COLUMNS)

    def __init__(self, child: int, family: int, council: int, time: float, reason: int,
                 nth: int, first_return: float, substance: bool, support_level: int) -> None:
        for name, (_dtype, _width, init) in RETURN_COLUMNS.items():
            setattr(self, name, init)
        self.child, self.family, self.council, self.time = child, family, council, time
        self.reason, self.nth, self.first_return = reason, nth, first_return
        self.substance, self.support_level = substance, support_level


class ReturnView:
    """One row of the return log, read (and written) through attributes, live: a view
    kept by the browser page sees the end of the return when it comes."""

    __slots__ = ("_log", "_i")

    def __init__(self, log: "ReturnLog", i: int) -> None:
        self._log = log
        self._i = i

    def __getattr__(self, name: str) -> object:
        if name in RETURN_COLUMNS:
            return getattr(self._log.table, name)[self._i].item()
        raise AttributeError(name)

    def __setattr__(self, name: str, value: object) -> None:
        if name in RETURN_COLUMNS:
            getattr(self._log.table, name)[self._i] = value
        else:
            object.__setattr__(self, name, value)


class ReturnLog:
    """Every child's return home and what followed, one row a return (arrays)."""

    def __init__(self) -> None:
        self.table = Table(RETURN_COLUMNS)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.table.n

    def __bool__(self) -> bool:
        return self.table.n > 0

    def __getitem__(self, i: int | slice) -> "ReturnView | list[ReturnView]":
        if isinstance(i, slice):
            return [ReturnView(self, j) for j in range(*i.indices(self.table.n))]
        if i < 0:
            i += self.table.n
        if not 0 <= i < self.table.n:
            raise IndexError(i)
        return ReturnView(self, i)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (ReturnView(self, j) for j in range(self.table.n))

    def add(self, k: int) -> np.ndarray:
        """``k`` new rows; returns their row numbers."""
        return self.table.add(k)

    def append(self, rec: ReturnRecord) -> None:
        """One return from a plain :class:`ReturnRecord` (tests and tools build these)."""
        row = int(self.table.add(1)[0])
        for name in RETURN_COLUMNS:
            getattr(self.table, name)[row] = getattr(rec, name)

    def clear(self) -> None:
        self.table = Table(RETURN_COLUMNS)  # type: ignore[arg-type]

    def frame(self) -> pd.DataFrame:
        n = self.table.n
        return pd.DataFrame({c: getattr(self.table, c)[:n].copy() for c in RETURN_COLUMNS})


class EpisodeLog:
    """Every child's episodes of care, start and end, for writing SSDA903 (:mod:`sim.ssda903`).

    Kept in typed arrays (8 bytes a field), so a national run's 1.4 million events cost tens
    of megabytes, not the hundreds that Python objects would. Starts and ends are separate
    event lists: a child's k-th end closes its k-th start.
    """

    def __init__(self) -> None:
        self.start_child = array("q")
        self.start_time = array("d")
        self.start_council = array("q")
        self.start_birth = array("d")  # model month of birth
        self.start_reason = array("q")  # EntryReason of the family
        self.start_care_order = array("b")
        self.start_placement = array("q")  # Placement at entry
        self.end_child = array("q")
        self.end_time = array("d")
        self.end_kind = array("q")  # ExitKind
        #: placement changes within a period of care (sim.placements, when moves are on)
        self.move_child = array("q")
        self.move_time = array("d")
        self.move_placement = array("q")  # the new Placement

    def start(self, child: int, t: float, council: int, birth: float, reason: int,
              care_order: bool, placement: int) -> None:
        self.start_child.append(child)
        self.start_time.append(t)
        self.start_council.append(council)
        self.start_birth.append(birth)
        self.start_reason.append(reason)
        self.start_care_order.append(1 if care_order else 0)
        self.start_placement.append(placement)

    def start_many(self, child: np.ndarray, t: np.ndarray, council: np.ndarray,
                   birth: np.ndarray, reason: np.ndarray, care_order: np.ndarray,
                   placement: np.ndarray) -> None:
        """Many starts at once (arrays of equal length, in the order they are recorded)."""
        for arr, col, dt in ((self.start_child, child, np.int64), (self.start_time, t, np.float64),
                             (self.start_council, council, np.int64),
                             (self.start_birth, birth, np.float64),
                             (self.start_reason, reason, np.int64),
                             (self.start_care_order, care_order, np.int8),
                             (self.start_placement, placement, np.int64)):
            arr.frombytes(np.ascontiguousarray(col, dtype=dt).tobytes())

    def end_many(self, child: np.ndarray, t: np.ndarray, kind: np.ndarray) -> None:
        for arr, col, dt in ((self.end_child, child, np.int64), (self.end_time, t, np.float64),
                             (self.end_kind, kind, np.int64)):
            arr.frombytes(np.ascontiguousarray(col, dtype=dt).tobytes())

    def move_many(self, child: np.ndarray, t: np.ndarray, placement: np.ndarray) -> None:
        """Children ``child`` (ids) change placement at ``t``, to ``placement``, within a
        period of care (:mod:`sim.placements`)."""
        for arr, col, dt in ((self.move_child, child, np.int64), (self.move_time, t, np.float64),
                             (self.move_placement, placement, np.int64)):
            arr.frombytes(np.ascontiguousarray(col, dtype=dt).tobytes())

    def moves_frame(self) -> pd.DataFrame:
        """Every placement change within a period of care: ``child, time, placement`` (the
        new one), in order of child then time (empty unless moves are on)."""
        out = pd.DataFrame({"child": np.frombuffer(self.move_child, dtype=np.int64),
                            "time": np.frombuffer(self.move_time, dtype=np.float64),
                            "placement": np.frombuffer(self.move_placement, dtype=np.int64)})
        return out.sort_values(["child", "time"], kind="stable").reset_index(drop=True)

    def end(self, child: int, t: float, kind: int) -> None:
        self.end_child.append(child)
        self.end_time.append(t)
        self.end_kind.append(kind)

    def frame(self) -> pd.DataFrame:
        """One row an episode: ``child, council, start, end, end_kind, birth, reason,
        care_order, placement`` (``end`` NaN and ``end_kind`` -1 while open), in order of
        child then start."""
        starts = pd.DataFrame({
            "child": np.frombuffer(self.start_child, dtype=np.int64),
            "start": np.frombuffer(self.start_time, dtype=np.float64),
            "council": np.frombuffer(self.start_council, dtype=np.int64),
            "birth": np.frombuffer(self.start_birth, dtype=np.float64),
            "reason": np.frombuffer(self.start_reason, dtype=np.int64),
            "care_order": np.frombuffer(self.start_care_order, dtype=np.int8).astype(bool),
            "placement": np.frombuffer(self.start_placement, dtype=np.int64)})
        ends = pd.DataFrame({"child": np.frombuffer(self.end_child, dtype=np.int64),
                             "end": np.frombuffer(self.end_time, dtype=np.float64),
                             "end_kind": np.frombuffer(self.end_kind, dtype=np.int64)})
        return pair_episodes(starts, ends)


def pair_episodes(starts: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    """Join each child's k-th episode start to its k-th end (events come in time order).

    The rows of ``starts`` in order of child, then start (a stable sort), with ``end``
    (NaN while open) and ``end_kind`` (-1 while open) added: the same frame as sorting both
    by child and time, numbering each child's rows and a left merge on child and number
    (``tests/test_records_pairing.py`` checks it against that merge), in numpy, because
    the merge was a tenth of a national run's time (issue 25).
    """
    s_child = starts["child"].to_numpy()
    order = _by_child_then_time(s_child, starts["start"].to_numpy())
    out = starts.iloc[order].reset_index(drop=True)  # a new frame: the caller's is untouched
    s_child = s_child[order]
    e_child, e_end = ends["child"].to_numpy(), ends["end"].to_numpy()
    e_order = _by_child_then_time(e_child, e_end)
    e_child, e_end = e_child[e_order], e_end[e_order]
    e_kind = ends["end_kind"].to_numpy()[e_order]
    k = _rank_in_group(s_child)  # the number of each start among its child's starts
    pos = np.searchsorted(e_child, s_child, side="left") + k  # that child's k-th end
    hit = pos < len(e_child)
    hit[hit] = e_child[pos[hit]] == s_child[hit]
    end = np.full(len(out), np.nan)
    kind = np.full(len(out), -1, dtype=np.int64)
    end[hit], kind[hit] = e_end[pos[hit]], e_kind[pos[hit]]
    out["end"], out["end_kind"] = end, kind
    return out


def _by_child_then_time(child: np.ndarray, time: np.ndarray) -> np.ndarray:
    """The order of rows by child, then time, ties in the order given: what
    ``np.lexsort((time, child))`` gives. A child's events are recorded as they happen, so
    within a child they are almost always in time order already, and a stable sort by
    child alone (quick on ids that mostly rise with time) gives the same order; it is
    checked, and the full sort is made where it does not hold (a run seeded from data,
    say)."""
    order = np.argsort(child, kind="stable")
    c, t = child[order], time[order]
    same = c[1:] == c[:-1]
    if bool((same & (t[1:] < t[:-1])).any()) or bool(np.isnan(t).any()):
        return np.lexsort((time, child))
    return order


def _rank_in_group(sorted_keys: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each run of equal values of an array sorted by key."""
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.ones(n, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    starts = np.flatnonzero(first)
    return np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))


class Records:
    """All records of a run."""

    def __init__(self) -> None:
        self.returns = ReturnLog()
        #: episode endings: time, council, reason, kind, and the need the family came in
        #: with (for the council-variation decomposition): care order, parental problems
        #: at first entry (bit mask), the child's age (months) and the family's episode
        self.exits = Table(EXIT_COLUMNS)  # type: ignore[arg-type]
        self.families = 0
        self.entries_total = 0
        #: every child's episodes of care (for SSDA903 output)
        self.episodes = EpisodeLog()
        #: a frame's or derived value's name -> (numbers of records it was built from, value)
        self._derived: dict[str, tuple[tuple[int, int, int], Any]] = {}
        #: set for a run split between processes: the shards' frames, merged, by name
        self._merged: dict[str, pd.DataFrame] = {}

    def episode_end(self, t: float, council: int, reason: int, kind: ExitKind, *,
                    care_order: bool = False, problems: int = 0, age: float = math.nan,
                    episode: int = 1) -> None:
        self.episode_ends(np.array([t]), np.array([council]), np.array([reason]),
                          np.array([int(kind)]), np.array([care_order]), np.array([problems]),
                          np.array([age]), np.array([episode]))

    def episode_ends(self, t: np.ndarray, council: np.ndarray, reason: np.ndarray,
                     kind: np.ndarray, care_order: np.ndarray, problems: np.ndarray,
                     age: np.ndarray, episode: np.ndarray) -> None:
        """Many episode endings at once (arrays of equal length)."""
        rows = self.exits.add(len(t))
        ex = self.exits
        ex.time[rows], ex.council[rows], ex.reason[rows], ex.kind[rows] = t, council, reason, kind
        ex.care_order[rows], ex.problems[rows], ex.age[rows] = care_order, problems, age
        ex.episode[rows] = episode

    def _frame(self, name: str, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame ``name``: a split run's merged one, or the one built from the records
        so far (:meth:`derived`: built once, reused while the records are the same; the
        caller must not modify it)."""
        merged = self._merged.get(name)
        if merged is not None:
            return merged
        return self.derived(name, build)

    def derived(self, name: str, build: Callable[[], Any]) -> Any:
        """A value computed from the records (a measured period's rows, the re-entry
        curve: :mod:`sim.metrics`), built once and reused while the records are the same
        (their numbers of returns, endings and episode events); ``name`` must say all the
        value depends on besides the records. The caller must not modify it."""
        key = (len(self.returns), self.exits.n,
               len(self.episodes.start_child) + len(self.episodes.end_child))
        cached = self._derived.get(name)
        if cached is None or cached[0] != key:
            cached = self._derived[name] = (key, build())
        return cached[1]

    def returns_frame(self) -> pd.DataFrame:
        """All returns as a data frame, in canonical order (see :meth:`_frame`)."""
        return self._frame("returns", self._build_returns_frame)

    def exits_frame(self) -> pd.DataFrame:
        """Every episode of care that ended, in canonical order (see :meth:`_frame`)."""
        return self._frame("exits", self._build_exits_frame)

    def episodes_frame(self) -> pd.DataFrame:
        """Every child's episodes of care (see :meth:`EpisodeLog.frame`)."""
        return self._frame("episodes", self.episodes.frame)

    def _build_returns_frame(self) -> pd.DataFrame:
        return canonical(self.returns.frame())

    def _build_exits_frame(self) -> pd.DataFrame:
        n = self.exits.n
        return canonical(pd.DataFrame({c: getattr(self.exits, c)[:n].copy()
                                       for c in EXIT_COLUMNS}))

    @classmethod
    def merged(cls, parts: list[tuple[pd.DataFrame, pd.DataFrame, int, int]],
               episodes: list[pd.DataFrame] | None = None) -> "Records":
        """The records of a run split between processes by council (:mod:`sim.shards`):
        each part is ``(returns_frame, exits_frame, families, entries_total)`` of one
        shard. The frames are concatenated and put in canonical order, which is the order
        the same run in one process gives. ``episodes``: the shards' episode frames."""
        rec = cls()
        if episodes is not None:
            ep = pd.concat(episodes, ignore_index=True)
            rec._merged["episodes"] = ep.sort_values(["child", "start"], kind="stable"
                                                     ).reset_index(drop=True)
        rec.families = sum(p[2] for p in parts)
        rec.entries_total = sum(p[3] for p in parts)
        rec._merged["returns"] = _concat([p[0] for p in parts])
        rec._merged["exits"] = _concat([p[1] for p in parts])
        return rec


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames stacked in canonical order. Empty frames are left out: a shard with no
    returns has a frame of untyped (float) columns, which would turn the others' bool and
    int columns into object and float."""
    full = [f for f in frames if len(f)]
    if not full:
        return frames[0]
    return canonical(pd.concat(full, ignore_index=True))


def in_period(df: pd.DataFrame, start: float, end: float) -> pd.DataFrame:
    """The rows whose ``time`` is in ``[start, end)``: with a run's ``config.measure_start``
    and ``config.total_months``, the measured period (the years after the warm-up)."""
    return df[(df["time"] >= start) & (df["time"] < end)]


def exits_in_period(records: "Records", start: float, end: float) -> pd.DataFrame:
    """The episodes of care that ended in ``[start, end)`` (:func:`in_period` of
    :meth:`Records.exits_frame`), built once for the records as they are
    (:meth:`Records.derived`); the caller must not modify it."""
    return records.derived(f"exits_in_period:{start!r}:{end!r}",
                           lambda: in_period(records.exits_frame(), start, end))


def returns_in_period(records: "Records", start: float, end: float) -> pd.DataFrame:
    """The returns home in ``[start, end)``, numbered from 0, built once for the records
    as they are (:meth:`Records.derived`); the caller must not modify it."""
    return records.derived(f"returns_in_period:{start!r}:{end!r}",
                           lambda: in_period(records.returns_frame(), start,
                                             end).reset_index(drop=True))


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in time order, then council order, keeping the order in which they were
    recorded otherwise (a stable sort).

    Records are written as events happen, so they come in time order already; rows at the
    same time are a sibling group's, which belong to one council. The sort therefore
    leaves a run made in one process as it is, and puts the concatenated records of a run
    split between processes by council (:mod:`sim.shards`) in that same order.
    """
    if len(df) < 2:
        return df
    t, c = df["time"].to_numpy(), df["council"].to_numpy()
    if bool(((t[1:] > t[:-1]) | ((t[1:] == t[:-1]) & (c[1:] >= c[:-1]))).all()):
        return df  # in order already (a run in one process): no sort needed
    order = np.lexsort((c, t))
    if bool((order[1:] > order[:-1]).all()):
        return df
    return df.iloc[order].reset_index(drop=True)


#: Columns of ``timeseries.csv`` besides ``month``, ``council`` and the costs.
STOCK_FIELDS = ("children_in_care", "children_home_after_return", "open_cases",
                "supported_families")
FLOW_FIELDS = ("entries", "reentries", "returns", "exits_other", "maltreatment_starts",
               "maltreatment_detected")


class TimeSeries:
    """Month-by-council counts: stocks at month end and flows during the month."""

    def __init__(self, months: int, councils: int) -> None:
        self.stocks = np.zeros((months, councils, len(STOCK_FIELDS)), dtype=np.int64)
        self.flows = np.zeros((months, councils, len(FLOW_FIELDS)), dtype=np.int64)
        self._flow = {name: i for i, name in enumerate(FLOW_FIELDS)}
        # child-months in an undetected harmful home (``harm``): part months, and a
        # difference array of whole months
        self._harm_part = np.zeros((months, councils), dtype=np.float64)
        self._harm_diff = np.zeros((months + 1, councils), dtype=np.float64)

    def flows_many(self, t: np.ndarray, council: np.ndarray, name: str,
                   n: np.ndarray | int = 1) -> None:
        """Many flows at once: ``n`` (per element) at times ``t`` in ``council``."""
        if len(t) == 0:
            return
        np.add.at(self.flows, (t.astype(np.int64), council, self._flow[name]), n)

    def add_harm_many(self, council: np.ndarray, t0: np.ndarray, t1: np.ndarray,
                      n: np.ndarray) -> None:
        """:meth:`add_harm` for many spells at once: the part months at each end are added
        directly, the whole months between through a difference array (one add a spell
        whatever its length), summed into :attr:`harm` when it is read."""
        last = self._harm_part.shape[0]
        n = np.asarray(n, dtype=np.float64)
        m0 = np.maximum(0, t0.astype(np.int64))
        m1 = t1.astype(np.int64)  # the month in which the spell ends
        one = (m0 == m1) & (m0 < last)
        np.add.at(self._harm_part, (m0[one], council[one]), (t1[one] - t0[one]) * n[one])
        many = (m0 < m1) & (m0 < last)
        c, a, b, k = council[many], m0[many], m1[many], n[many]
        head = np.minimum(t1[many], a + 1.0) - np.maximum(t0[many], a.astype(np.float64))
        np.add.at(self._harm_part, (a, c), head * k)
        tail = b < last
        np.add.at(self._harm_part, (b[tail], c[tail]), (t1[many][tail] - b[tail]) * k[tail])
        # whole months a+1 .. b-1
        np.add.at(self._harm_diff, (np.minimum(a + 1, last), c), k)
        np.add.at(self._harm_diff, (np.minimum(b, last), c), -k)

    @property
    def harm(self) -> np.ndarray:
        """Child-months spent in an undetected harmful home, by month and council."""
        return self._harm_part + np.cumsum(self._harm_diff, axis=0)[:-1]

    @harm.setter
    def harm(self, value: np.ndarray) -> None:
        self._harm_part = np.array(value, dtype=np.float64)
        self._harm_diff = np.zeros((value.shape[0] + 1, value.shape[1]), dtype=np.float64)

    def record_stocks_all(self, first: int, caseloads: np.ndarray) -> None:
        """Month-end stocks of every council in months ``first``, ``first + 1``, ..., from
        the councils' counts at each month's end (one block a month, one row a council)."""
        s = self.stocks[first:first + len(caseloads)]
        s[..., 0] = caseloads[..., 0:3].sum(axis=-1) + caseloads[..., 8:10].sum(axis=-1)
        s[..., 1] = caseloads[..., 3]
        s[..., 2] = caseloads[..., 4]
        s[..., 3] = caseloads[..., 5:8].sum(axis=-1)
