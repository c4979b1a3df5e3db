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

END_OPEN, END_REENTERED, END_AGED_OUT = 0, 1, 2


class ReturnRecord:
    """One child's return home, and what happened after it."""

    __slots__ = ("child", "family", "council", "time", "reason", "nth", "first_return",
                 "substance", "treated", "support_level", "end_time", "end_kind",
                 "first_maltreatment", "maltreatment_count", "harm_months", "after_maltreatment",
                 "problems", "care_order", "age", "unplanned")

    def __init__(self, child: int, family: int, council: int, time: float, reason: int,
                 nth: int, first_return: float, substance: bool, support_level: int) -> None:
        self.child = child
        self.family = family
        self.council = council
        self.time = time
        self.reason = reason
        self.nth = nth
        self.first_return = first_return
        self.substance = substance
        self.treated = False
        self.support_level = support_level
        self.end_time = math.nan
        self.end_kind = END_OPEN
        self.first_maltreatment = math.nan
        self.maltreatment_count = 0
        self.harm_months = 0.0
        self.after_maltreatment = False
        self.problems = 0  # parental problems unresolved at the return (bit mask, see transitions)
        self.care_order = False
        self.age = math.nan  # child's age at the return, months
        self.unplanned = False  # an unplanned return (see Transitions.return_home)


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

    def start(self, child: int, t: float, council: int, birth: float, reason: int,
              care_order: bool, placement: int) -> None:
        self.start_child.append(child)
        self.start_time.append(t)
        self.start_council.append(council)
        self.start_birth.append(birth)
        self.start_reason.append(reason)
        self.start_care_order.append(1 if care_order else 0)
        self.start_placement.append(placement)

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
    """Join each child's k-th episode start to its k-th end (events come in time order)."""
    starts = starts.sort_values(["child", "start"], kind="stable").reset_index(drop=True)
    ends = ends.sort_values(["child", "end"], kind="stable").reset_index(drop=True)
    starts["k"] = starts.groupby("child").cumcount()
    ends["k"] = ends.groupby("child").cumcount()
    out = starts.merge(ends, on=["child", "k"], how="left", validate="one_to_one")
    out["end_kind"] = out["end_kind"].fillna(-1).astype(np.int64)
    return out.drop(columns="k")


class Records:
    """All records of a run."""

    def __init__(self) -> None:
        self.returns: list[ReturnRecord] = []
        # episode endings: time, council, reason, kind
        self.exit_time: list[float] = []
        self.exit_council: list[int] = []
        self.exit_reason: list[int] = []
        self.exit_kind: list[int] = []
        # the need the family came in with (for the council-variation decomposition)
        self.exit_care_order: list[bool] = []
        self.exit_problems: list[int] = []  # parental problems at first entry (bit mask)
        self.exit_age: list[float] = []  # child's age when the episode ended, months
        self.exit_episode: list[int] = []  # the family's episode of care (1 = first)
        self.families = 0
        self.entries_total = 0
        #: every child's episodes of care (for SSDA903 output)
        self.episodes = EpisodeLog()
        #: frame name -> (number of records it was built from, frame)
        self._cache: dict[str, tuple[int, pd.DataFrame]] = {}
        #: set for a run split between processes: the shards' frames, merged, by name
        self._merged: dict[str, pd.DataFrame] = {}

    def episode_end(self, t: float, council: int, reason: int, kind: ExitKind, *,
                    care_order: bool = False, problems: int = 0, age: float = math.nan,
                    episode: int = 1) -> None:
        self.exit_time.append(t)
        self.exit_council.append(council)
        self.exit_reason.append(reason)
        self.exit_kind.append(int(kind))
        self.exit_care_order.append(care_order)
        self.exit_problems.append(problems)
        self.exit_age.append(age)
        self.exit_episode.append(episode)

    def _frame(self, name: str, n: int, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame ``name``: a split run's merged one, or the one built from the ``n``
        records so far (built once per number of records, then reused; the caller must not
        modify it)."""
        merged = self._merged.get(name)
        if merged is not None:
            return merged
        cached = self._cache.get(name)
        if cached is None or cached[0] != n:
            cached = self._cache[name] = (n, build())
        return cached[1]

    def returns_frame(self) -> pd.DataFrame:
        """All returns as a data frame, in canonical order (see :meth:`_frame`)."""
        return self._frame("returns", len(self.returns), self._build_returns_frame)

    def exits_frame(self) -> pd.DataFrame:
        """Every episode of care that ended, in canonical order (see :meth:`_frame`)."""
        return self._frame("exits", len(self.exit_time), self._build_exits_frame)

    def episodes_frame(self) -> pd.DataFrame:
        """Every child's episodes of care (see :meth:`EpisodeLog.frame`)."""
        return self._frame("episodes",
                           len(self.episodes.start_child) + len(self.episodes.end_child),
                           self.episodes.frame)

    def _build_returns_frame(self) -> pd.DataFrame:
        cols = ReturnRecord.__slots__
        data = {c: [getattr(r, c) for r in self.returns] for c in cols}
        return canonical(pd.DataFrame(data, columns=list(cols)))

    def _build_exits_frame(self) -> pd.DataFrame:
        return canonical(pd.DataFrame({"time": np.asarray(self.exit_time, dtype=float),
                             "council": np.asarray(self.exit_council, dtype=int),
                             "reason": np.asarray(self.exit_reason, dtype=int),
                             "kind": np.asarray(self.exit_kind, dtype=int),
                             "care_order": np.asarray(self.exit_care_order, dtype=bool),
                             "problems": np.asarray(self.exit_problems, dtype=int),
                             "age": np.asarray(self.exit_age, dtype=float),
                             "episode": np.asarray(self.exit_episode, dtype=int)}))

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
    order = np.lexsort((df["council"].to_numpy(), df["time"].to_numpy()))
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
        #: child-months spent in an undetected harmful home, by month and council
        self.harm = np.zeros((months, councils), dtype=np.float64)

    def flow(self, t: float, council: int, name: str, n: int = 1) -> None:
        month = int(t)
        if month < self.flows.shape[0]:
            self.flows[month, council, self._flow[name]] += n

    def add_harm(self, council: int, t0: float, t1: float, n: int = 1) -> None:
        """``n`` children in harm from ``t0`` to ``t1``: child-months split over the months."""
        last = self.harm.shape[0]
        month = max(0, int(t0))
        while month < last and month < t1:
            seg = min(t1, month + 1.0) - max(t0, float(month))
            if seg > 0.0:
                self.harm[month, council] += seg * n
            month += 1

    def record_stocks(self, month: int, council: object) -> None:
        s = self.stocks[month, council.index]  # type: ignore[attr-defined]
        s[0] = council.children_in_care  # type: ignore[attr-defined]
        s[1] = council.home_after_return  # type: ignore[attr-defined]
        s[2] = council.open_cases  # type: ignore[attr-defined]
        s[3] = sum(council.supported)  # type: ignore[attr-defined]
