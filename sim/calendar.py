"""The event calendar: agents are activated when their next event is due, not every month.

A binary heap of ``(time, sequence, token, agent)``. Rescheduling an agent bumps its
``schedule_token``, so its older entries are skipped when they surface (lazy deletion).
Ties in time are broken by insertion order, so runs are deterministic.
"""

from __future__ import annotations

import heapq
from typing import Any, Protocol


class Schedulable(Protocol):
    schedule_token: int

    def step(self) -> None: ...


class Calendar:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, Any]] = []
        self._seq = 0
        self.activations = 0  # agents activated (work done, for the regression guard)
        self.stale = 0  # entries skipped because the agent was rescheduled
        self.events = 0  # random family events fired (counted by ``Family.step``)

    def schedule(self, agent: Schedulable, time: float) -> None:
        agent.schedule_token += 1
        self._seq += 1
        heapq.heappush(self._heap, (time, self._seq, agent.schedule_token, agent))

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
