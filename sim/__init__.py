"""Revolving Door: an agent-based simulation of children returning home from care in England.

From a notebook::

    import sim
    results = sim.run({"scale": 0.1, "seed": 3})
    results.metrics["reentry_12m"]
    results.reentry_curve.head()
"""

from sim.config import ConfigError, ModelConfig
from sim.model import RevolvingDoorModel
from sim.results import Results, collect, run
from sim.version import __version__

__all__ = ["ConfigError", "ModelConfig", "Results", "RevolvingDoorModel", "__version__",
           "collect", "run"]
