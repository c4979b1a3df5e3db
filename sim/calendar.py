"""The event calendar: agents are activated when their next event is due, not every month.

A binary heap of ``(time, sequence, token, agent)``. Rescheduling an agent bumps its
``schedule_token``, so its older entries are skipped when they surface (lazy deletion).
Ties in time are broken by insertion order, so runs are deterministic.

A cancelled entry would otherwise stay in the heap until its time comes (for a child who
left care, its 18th birthday, up to 18 years on), keeping the removed agent and its family
in memory; so the heap is compacted (cancelled entries dropped) each time as many entries
have been pushed as it held after the previous compaction. That keeps memory proportional
to the agents alive at a cost of O(1) a push on average, and cannot change the order in
which agents are activated: the order is fixed by ``(time, sequence)``.
"""

from __future__ import annotations

import heapq
from typing import Any, Protocol


class Schedulable(Protocol):
    schedule_token: int

    def step(self) -> None: ...


_MIN_COMPACT = 1024


class Calendar:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0
        self.activations = 0  # agents activated (work done, for the regression guard)
        self.stale = 0  # cancelled entries (agent rescheduled or removed) skipped or dropped
        self.events = 0  # random family events fired (counted by ``Family.step``)
        self._pushes = 0  # since the last compaction
        self._compact_at = _MIN_COMPACT

    def schedule(self, agent: Schedulable, time: float) -> None:
        agent.schedule_token += 1
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, agent.schedule_token, agent))
        self._pushes += 1
        if self._pushes >= self._compact_at:
            self._compact()

    def _compact(self) -> None:
        """Drop cancelled entries, in place (``run_until`` holds the list)."""
        heap = self._heap
        live = [e for e in heap if e[2] == e[3].schedule_token]
        self.stale += len(heap) - len(live)
        heap[:] = live
        heapq.heapify(heap)
        self._pushes = 0
        self._compact_at = max(_MIN_COMPACT, len(heap))

    def run_until(self, end: float, model: Any) -> None:
        """Activate, in time order, every agent due before ``end``."""
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
        return len(self._heap)
