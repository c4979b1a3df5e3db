"""A finished run's outputs as data frames, and writing them to a folder atomically."""

from __future__ import annotations

import json
import math
import os
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import yaml

from sim.config import ModelConfig
from sim.metrics import compute_metrics, councils_frame, reentry_curve, timeseries_frame
from sim.policy_names import policy_names
from sim.progress import ProgressCallback, progress_callback
from sim.version import __version__

#: Files every run writes, in the order they are written. ``metrics.json`` is written last,
#: so its presence means the run's outputs are complete.
OUTPUT_FILES = ("reentry_curve.csv", "timeseries.csv", "councils.csv", "config.yaml",
                "run.json", "metrics.json")


@dataclass
class Results:
    """Outputs of one run (see README "Outputs" for every column)."""

    metrics: dict[str, Any]
    reentry_curve: pd.DataFrame
    timeseries: pd.DataFrame
    councils: pd.DataFrame
    config: dict[str, Any]
    run_info: dict[str, Any] = field(default_factory=dict)

    def write(self, folder: str | Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        _atomic(folder / "reentry_curve.csv", lambda p: self.reentry_curve.to_csv(
            p, index=False, float_format="%.10g"))
        _atomic(folder / "timeseries.csv", lambda p: self.timeseries.to_csv(
            p, index=False, float_format="%.10g"))
        _atomic(folder / "councils.csv", lambda p: self.councils.to_csv(
            p, index=False, float_format="%.10g"))
        _atomic(folder / "config.yaml", lambda p: Path(p).write_text(
            yaml.safe_dump(self.config, sort_keys=True)))
        _atomic(folder / "run.json", lambda p: Path(p).write_text(
            json.dumps(self.run_info, indent=2, sort_keys=True) + "\n"))
        _atomic(folder / "metrics.json", lambda p: Path(p).write_text(
            json.dumps(_clean(self.metrics), indent=2, sort_keys=True) + "\n"))
        return folder


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


def _atomic(path: Path, write: Callable[[str], Any]) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def collect(model: Any) -> Results:
    """Turn a finished :class:`~sim.model.RevolvingDoorModel` into :class:`Results`."""
    import mesa

    cfg: ModelConfig = model.config
    return Results(
        metrics=compute_metrics(model),
        reentry_curve=reentry_curve(model),
        timeseries=timeseries_frame(model),
        councils=councils_frame(model),
        config=cfg.to_dict(),
        run_info={"package": "revolving-door", "version": __version__, "seed": cfg.seed,
                  "mesa": mesa.__version__, "python": platform.python_version(),
                  "policies": policy_names(model.policies)},
    )


def run(config: ModelConfig | dict[str, Any] | None = None, *, policies: Any = (),
        progress: bool | ProgressCallback | None = None,
        workers: int | str = 1) -> Results:
    """Build, run and collect one model: the main entry point for notebooks.

    ``progress=True`` prints the command line's progress line (a simulated year at a time)
    to standard error; a national run takes about a minute. A callable is called as
    ``progress(month, total_months)`` instead.

    ``workers``: processes to split the run between, by council (:mod:`sim.shards`); the
    results are the same for any number. ``"auto"`` uses one process a core (up to 8) for
    runs at scale 0.2 or more. A national run takes about half the time on 2.
    """
    from sim.model import RevolvingDoorModel
    from sim.shards import resolve_workers, run_sharded

    cfg = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(config)
    progress = progress_callback(progress)
    n = resolve_workers(workers, cfg.scale, cfg.councils.count)
    if n > 1:
        model = run_sharded(cfg, policies=policies, workers=n, progress=progress)
    else:
        model = RevolvingDoorModel(cfg, policies=policies)
    try:
        if n == 1:
            model.run(progress=progress)
        results = collect(model)
    finally:
        model.release()  # also on failure: Mesa's registry would keep the model alive
    results.run_info["workers"] = n
    return results
