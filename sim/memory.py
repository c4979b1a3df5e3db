"""The memory a run needs, estimated before the model is built, and the memory there is.

The model sizes its tables of families and children by the children expected to enter
care over the run (``params.entry.children_per_year`` x ``scale`` x simulated years), and
its records grow with them, so a run's peak memory above the process's start is close to
proportional to that number. :data:`BYTES_PER_CHILD` is the largest peak a child of the
runs measured by ``benchmarks/memory.py`` (scales 0.1 to 1.0, 22 to 60 simulated years;
``benchmarks/memory.json``), with :data:`MARGIN` on top; docs/performance.md, "Memory".

:func:`check_memory` refuses, with one line naming the settings, the estimate and the
memory available, a run whose estimate is above what the machine has free (Linux's
``MemAvailable``, or the container's limit less its use when that is lower): numpy would
otherwise fail with a ``MemoryError`` traceback while the model is built, after the
command has made the run's folder, or the machine would start to swap. Where the memory
available cannot be read (not Linux), nothing is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.config import ModelConfig
from sim.schema import ConfigError

#: Peak resident memory above the process's start, per child expected to enter care over
#: the run: the largest of benchmarks/memory.json's seven runs (1,587 bytes at scale 0.1
#: over 22 years; 1,328 to 1,547 for the others; measured 2026-12-07), rounded up
BYTES_PER_CHILD = 1600.0
#: Headroom on the measured figure (Python's allocator, the split run's merge)
MARGIN = 1.25
#: Paths of the memory figures (Linux; a cgroup v2 container's limit and use)
MEMINFO = Path("/proc/meminfo")
CGROUP_MAX = Path("/sys/fs/cgroup/memory.max")
CGROUP_CURRENT = Path("/sys/fs/cgroup/memory.current")


def expected_children(cfg: ModelConfig) -> float:
    """Children expected to enter care over the whole run (what the tables are sized by)."""
    return cfg.params.entry.children_per_year * cfg.scale * cfg.total_months / 12.0


def estimate_bytes(cfg: ModelConfig) -> int:
    """The run's estimated peak memory above the process's start, in bytes."""
    return int(expected_children(cfg) * BYTES_PER_CHILD * MARGIN)


def available_bytes() -> int | None:
    """Memory available to this process now, in bytes: ``MemAvailable``, or a container's
    limit less its use when that is lower; ``None`` where neither can be read."""
    found: list[int] = []
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit = CGROUP_MAX.read_text().strip()
        if limit != "max":
            found.append(int(limit) - int(CGROUP_CURRENT.read_text().strip()))
    except (OSError, ValueError):
        pass
    return max(0, min(found)) if found else None


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def check_memory(cfg: ModelConfig, available: int | None = None) -> None:
    """:class:`ConfigError` (one line) when the run's estimate is above the memory
    available (``available``: bytes, default :func:`available_bytes`)."""
    available = available_bytes() if available is None else available
    if available is None:
        return
    need = estimate_bytes(cfg)
    if need <= available:
        return
    largest = cfg.scale * available / need
    raise ConfigError(
        f"scale, years, warmup_years: a run at scale {cfg.scale:g} over "
        f"{cfg.warmup_years + cfg.years} years ({cfg.warmup_years} warm-up, {cfg.years} "
        f"measured) needs about {_gb(need)} of memory and {_gb(available)} is available; "
        f"allowed: a smaller run (at these years, scale up to about {largest:.3g}), or a "
        "machine with more memory (docs/performance.md, Memory)")


__all__ = ["BYTES_PER_CHILD", "MARGIN", "available_bytes", "check_memory", "estimate_bytes",
           "expected_children"]
