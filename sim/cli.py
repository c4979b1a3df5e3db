"""The ``revolving-door`` command: a Hydra app around :func:`sim.run`.

This is the only module of the library that imports Hydra. Configs live in ``configs/``
at the top of the repository; the parameter schema (``params``) and the councils' spread
(``councils/spread``) are registered here from the dataclasses in :mod:`sim.parameters`
and :mod:`sim.config`, so their defaults, units and sources have one home.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

import hydra
from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError, ModelConfig, PracticeSpread
from sim.metrics import TARGETS
from sim.parameters import Parameters
from sim.results import Results, run

CONFIG_DIR = str(Path(__file__).resolve().parent.parent / "configs")

#: Keys of the Hydra config that steer the command, not the model.
CLI_KEYS = ("run", "experiment", "sweep_info")

_cs = ConfigStore.instance()
_cs.store(group="params", name="default", node=Parameters)
_cs.store(group="councils/spread", name="default", node=PracticeSpread)

log = logging.getLogger("revolving_door")


def model_config(cfg: DictConfig | dict[str, Any]) -> tuple[ModelConfig, dict[str, Any]]:
    """Split a composed Hydra config into the validated model config and the CLI options."""
    container = (OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig)
                 else dict(cfg))
    assert isinstance(container, dict)
    opts = {k: container.pop(k) for k in CLI_KEYS if k in container}
    return ModelConfig.from_dict(container), opts  # type: ignore[arg-type]


def summary(results: Results, seconds: float) -> str:
    m = results.metrics
    lines = [f"Revolving Door {results.run_info.get('version', '')}: seed {results.config['seed']}, "
             f"scale {results.config['scale']}, {results.config['years']} years measured "
             f"(after {results.config['warmup_years']} years' warm-up), {seconds:.1f} s",
             "", f"{'metric':36s} {'simulated':>9s} {'target':>7s} {'tol':>6s}  within",
             "-" * 68]
    for name, (target, tol, _) in TARGETS.items():
        v = m.get(name, float("nan"))
        ok = "yes" if (not math.isnan(v) and abs(v - target) <= tol) else "NO"
        lines.append(f"{name:36s} {v:9.3f} {target:7.2f} {tol:6.2f}  {ok}")
    py = results.config["price_year"]
    lines += ["", f"Costs to councils, England-equivalent, {py} prices, whole measured period:"]
    for key, label in (("cost_total_gbp", "total"), ("cost_placement_gbp", "placements"),
                       ("cost_process_gbp", "processes (entry, legal, planning, return, "
                                             "re-entry)"),
                       ("cost_after_return_gbp", "after return (monitoring, support, "
                                                 "treatment)")):
        lines.append(f"  {label:60s} £{m[key] / 1e9:8.2f} bn")
    lines.append(f"  {'a year on average':60s} £{m['cost_total_per_year_gbp'] / 1e9:8.2f} bn")
    return "\n".join(lines)


def _progress(month: int, total: int) -> None:
    print(f"\r  simulated {month // 12:>2d} of {total // 12} years", end="", file=sys.stderr,
          flush=True)
    if month >= total:
        print(file=sys.stderr)


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="config")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    try:
        model_cfg, opts = model_config(cfg)
    except ConfigError as err:
        print(f"revolving-door: configuration error: {err}", file=sys.stderr)
        sys.exit(2)
    out = Path(HydraConfig.get().runtime.output_dir)
    run_opts = opts.get("run") or {}
    if run_opts.get("resume") and (out / "metrics.json").exists():
        print(f"revolving-door: {out} already complete, skipped (run.resume=true)")
        return
    start = time.perf_counter()
    results = run(model_cfg, progress=_progress if run_opts.get("progress", True) else None)
    seconds = time.perf_counter() - start
    results.write(out)
    print(summary(results, seconds))
    print(f"\nOutputs in {out}")


if __name__ == "__main__":
    main()
