"""The event calendar: agents are activated when their next event is due, not every month.

Entries are ``(time, sequence, token, agent)``. Rescheduling an agent bumps its
``schedule_token``, so its older entries are skipped when they surface (lazy deletion).
Ties in time are broken by insertion order (``sequence``), so runs are deterministic.

The calendar is a *calendar queue* with one bucket a month. Entries due before the end of
the months already opened (``run_until``) live in a binary heap; later entries are appended
to their month's bucket, unsorted, at O(1), and a bucket is heapified into the heap when
its month is opened. The heap therefore holds about one month of events (a few thousand
at national scale) instead of every agent's next event (a million, most of them children's
18th birthdays years ahead), so each pop is cheaper. The order of activation is exactly
that of a single heap over all entries, by ``(time, sequence)``: everything due before the
end of the opened months is in the heap, and everything in a bucket is due later.

A cancelled entry would otherwise stay in its bucket until its month comes (for a child
who left care, its 18th birthday, up to 18 years on), keeping the removed agent and its
family in memory; so the calendar is compacted (cancelled entries dropped) each time as
many entries have been pushed as it held after the previous compaction. That keeps memory
proportional to the agents alive at a cost of O(1) a push on average, and cannot change
the order in which agents are activated.
"""

from __future__ import annotations

import heapq
import math
from typing import Any, Protocol


class Schedulable(Protocol):
    schedule_token: int

    def step(self) -> None: ...


_MIN_COMPACT = 1024

Entry = tuple[float, int, int, Any]


def _live(entries: list[Entry]) -> list[Entry]:
    """The entries not cancelled since they were made (their token is still the agent's)."""
    return [e for e in entries if e[2] == e[3].schedule_token]


class Calendar:
    def __init__(self) -> None:
        self._heap: list[Entry] = []  # entries due before ``_open_until``
        self._buckets: dict[int, list[Entry]] = {}  # month -> entries due in it, later
        self._open_until = 0.0  # months before this one have been opened into the heap
        self._seq = 0
        self.activations = 0  # agents activated (work done, for the regression guard)
        self.stale = 0  # cancelled entries (agent rescheduled or removed) skipped or dropped
        self.events = 0  # random family events fired (counted by ``Family.step``)
        self._pushes = 0  # since the last compaction
        self._compact_at = _MIN_COMPACT

    def schedule(self, agent: Schedulable, time: float) -> None:
        agent.schedule_token += 1
        self._seq += 1
        entry = (time, self._seq, agent.schedule_token, agent)
        if time < self._open_until:
            heapq.heappush(self._heap, entry)
        else:
            month = int(time)
            bucket = self._buckets.get(month)
            if bucket is None:
                self._buckets[month] = [entry]
            else:
                bucket.append(entry)
        self._pushes += 1
        if self._pushes >= self._compact_at:
            self._compact()

    def _compact(self) -> None:
        """Drop cancelled entries, in place (``run_until`` holds the heap list)."""
        heap = self._heap
        live = _live(heap)
        dropped = len(heap) - len(live)
        heap[:] = live
        heapq.heapify(heap)
        size = len(heap)
        for month in list(self._buckets):
            bucket = self._buckets[month]
            kept = _live(bucket)
            dropped += len(bucket) - len(kept)
            if kept:
                self._buckets[month] = kept
                size += len(kept)
            else:
                del self._buckets[month]
        self.stale += dropped
        self._pushes = 0
        self._compact_at = max(_MIN_COMPACT, size)

    def _open(self, end: float) -> None:
        """Move the buckets of every month starting before ``end`` into the heap."""
        until = float(math.ceil(end))
        if until <= self._open_until:
            return
        heap = self._heap
        added = False
        for month in [m for m in self._buckets if m < until]:
            heap.extend(self._buckets.pop(month))
            added = True
        if added:
            heapq.heapify(heap)
        self._open_until = until

    def run_until(self, end: float, model: Any) -> None:
        """Activate, in time order, every agent due before ``end``."""
        self._open(end)
        heap = self._heap
        pop = heapq.heappop
        while heap and heap[0][0] < end:
            time, _, token, agent = pop(heap)
            if token != agent.schedule_token:
                self.stale += 1
                continue
            model.now = time
            self.activations += 1
            agent.step()

    def __len__(self) -> int:
        return len(self._heap) + sum(len(b) for b in self._buckets.values())
