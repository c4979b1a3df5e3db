"""Remake the false-economy Monte Carlo and everything that quotes it, in one command.

    python scripts/false_economy_uncertainty.py            # the documented default size
    python scripts/false_economy_uncertainty.py --quick    # a quick look (not for the page)

In order, from the checkout's root:

1. the calibration's acceptance step: ``python -m sim.calibration.history_matching``
   into ``calibration/history_matching/`` (its ``ensemble.yaml`` is the Monte Carlo's
   ``mc.ensemble``; with ``--quick``, into a folder beside the sweep's instead);
   ``--skip-calibration`` keeps the committed one;
2. the Monte Carlo: ``revolving-door -m experiment=false_economy_uncertainty`` into
   ``multirun/false_economy_uncertainty/<time>/`` (its report is made when it ends);
3. the publication: the page ``experiments/false_economy_uncertainty.md``, its tables in
   ``experiments/results/false_economy_uncertainty/``, its figures in ``experiments/img/``
   and README's probability paragraph (only between the ``headline-probability`` markers).

Extra arguments after ``--`` go to the Monte Carlo's command line (e.g. ``-- mc.replicates=
200``). Each step runs under ``nice -n 10`` (``--normal-priority``: not, as for the run that
is published and timed). The Monte Carlo step is timed: its wall time, the replicates, the
command and the load average while it ran (sampled every 10 s) go to ``mc_timing.json`` in
the sweep folder and, when published, in ``experiments/results/false_economy_uncertainty/``
(``python benchmarks/run.py --mc-recorded`` prints it against the 10-minute target). Exit
status: 0 when all went through; the failing step's status otherwise (2 for bad arguments).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENSEMBLE = "calibration/history_matching"


TIMING = "mc_timing.json"
NICE = ["nice", "-n", "10"]


def _run(cmd: list[str], nice: bool = True) -> int:
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run([*(NICE if nice else []), *cmd], cwd=ROOT).returncode


def _timed(cmd: list[str], nice: bool) -> tuple[int, dict[str, Any]]:
    """Run ``cmd``; its status, and its wall time with the machine's load average
    (1-minute) sampled every 10 s while it ran."""
    loads: list[float] = [os.getloadavg()[0]]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(10.0):
            loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    rc = _run(cmd, nice)
    wall = time.perf_counter() - t0
    done.set()
    loads.append(os.getloadavg()[0])
    shown = [c for c in cmd[3:] if not c.startswith("hydra.sweep.dir=")]
    return rc, {"wall_s": round(wall, 1), "command": " ".join(["revolving-door", *shown]),
                "nice": 10 if nice else 0, "cores": os.cpu_count(),
                "load_average_start": loads[0], "load_average_end": loads[-1],
                "load_average_mean": round(sum(loads) / len(loads), 2),
                "load_average_max": max(loads), "load_samples": len(loads),
                "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="40 replicates at 5%% of England, a 24-run acceptance step, and "
                         "nothing published")
    ap.add_argument("--skip-calibration", action="store_true",
                    help=f"keep the committed {ENSEMBLE}/ensemble.yaml")
    ap.add_argument("--no-publish", action="store_true", help="leave the checkout as it is")
    ap.add_argument("--hm-runs", type=int, default=144,
                    help="parameter sets the acceptance step runs (default 144, in 3 waves, "
                         "the first within half of each plausible range of the fit, "
                         "accepted within 3 tolerances)")
    ap.add_argument("--normal-priority", action="store_true",
                    help="run the steps at normal priority, not under nice -n 10 (the "
                         "published, timed run)")
    ap.add_argument("extra", nargs="*", help="overrides for the Monte Carlo (after --)")
    a = ap.parse_args(argv)
    py = sys.executable
    stamp = dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    folder = ROOT / "multirun" / "false_economy_uncertainty" / stamp
    # a quick look never overwrites the committed ensemble
    ensemble = str(folder.parent / f"{stamp}_history_matching") if a.quick else ENSEMBLE
    if not a.skip_calibration:
        runs = 24 if a.quick else a.hm_runs
        rc = _run([py, "-m", "sim.calibration.history_matching", "--runs", str(runs),
                   "--waves", "3", "--around", "0.5", "--cutoff", "3", "--scale", "0.05",
                   "--noise-runs", "6", "--jobs", "2", "--out", ensemble], not a.normal_priority)
        if rc:
            return rc
    else:
        ensemble = ENSEMBLE
    size = ["mc.replicates=40", "scale=0.05"] if a.quick else []
    rc, timing = _timed([py, "-m", "sim.cli", "-m", "experiment=false_economy_uncertainty",
                         f"mc.ensemble={ensemble}/ensemble.yaml", *size, *a.extra,
                         f"hydra.sweep.dir={folder}"], not a.normal_priority)
    if folder.is_dir():
        timing["replicates"] = _replicates(folder)
        (folder / TIMING).write_text(json.dumps(timing, indent=2) + "\n")
        print(f"false_economy_uncertainty: the Monte Carlo took {timing['wall_s']:.0f} s "
              f"(load average {timing['load_average_mean']:.1f} on {timing['cores']} cores)")
    if rc:
        print(f"false_economy_uncertainty: the Monte Carlo ended with status {rc}; "
              f"resume with run.resume=true into {folder}", file=sys.stderr)
        return rc
    if a.quick or a.no_publish:
        print(f"false_economy_uncertainty: report in {folder} (not published)")
        return 0
    from sim.sweep.uncertainty_page import publish  # the checkout's package

    from sim.sweep.uncertainty_page import RESULTS

    for path in publish(folder, ROOT):
        print(f"  wrote {path.relative_to(ROOT)}")
    (ROOT / RESULTS / TIMING).write_text((folder / TIMING).read_text())
    print(f"  wrote {RESULTS}/{TIMING}")
    return 0


def _replicates(folder: Path) -> int:
    """Paired replicates the report counted (0 when it wrote no summary)."""
    summary = folder / "mc_summary.csv"
    if not summary.is_file():
        return 0
    import pandas as pd

    return int(pd.read_csv(summary)["n"].max())


if __name__ == "__main__":
    sys.exit(main())
