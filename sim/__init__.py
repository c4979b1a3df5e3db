"""Revolving Door: an agent-based simulation of children returning home from care in England.

From a notebook::

    import sim
    results = sim.run({"scale": 0.1, "seed": 3})
    results.metrics["reentry_12m"]
    results.reentry_curve.head()

``sim.run`` and the other names below are imported when first used (PEP 562), so that
``import sim.cli_help`` (``revolving-door --help``) does not load Mesa and pandas first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.version import __version__

if TYPE_CHECKING:
    from sim.config import ConfigError, ModelConfig
    from sim.model import RevolvingDoorModel
    from sim.results import Results, collect, run

__all__ = ["ConfigError", "ModelConfig", "Results", "RevolvingDoorModel", "__version__",
           "collect", "run"]


def __getattr__(name: str) -> Any:
    """``sim.run`` and friends, imported on first use."""
    if name in ("ConfigError", "ModelConfig"):
        from sim import config as module
    elif name == "RevolvingDoorModel":
        from sim import model as module
    elif name in ("Results", "collect", "run"):
        from sim import results as module
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    return getattr(module, name)
