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
200``). Each step runs under ``nice -n 10``. Exit status: 0 when all went through; the
failing step's status otherwise (2 for bad arguments).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENSEMBLE = "calibration/history_matching"


def _run(cmd: list[str]) -> int:
    print("+ " + " ".join(cmd), flush=True)
    return subprocess.run(["nice", "-n", "10", *cmd], cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="40 replicates at 5%% of England, a 24-run acceptance step, and "
                         "nothing published")
    ap.add_argument("--skip-calibration", action="store_true",
                    help=f"keep the committed {ENSEMBLE}/ensemble.yaml")
    ap.add_argument("--no-publish", action="store_true", help="leave the checkout as it is")
    ap.add_argument("--hm-runs", type=int, default=48,
                    help="parameter sets the acceptance step runs (default 48)")
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
                   "--waves", "2", "--around", "0.05", "--scale", "0.05", "--noise-runs",
                   "6", "--jobs", "2", "--out", ensemble])
        if rc:
            return rc
    else:
        ensemble = ENSEMBLE
    size = ["mc.replicates=40", "scale=0.05"] if a.quick else []
    rc = _run([py, "-m", "sim.cli", "-m", "experiment=false_economy_uncertainty",
               f"mc.ensemble={ensemble}/ensemble.yaml", *size, *a.extra,
               f"hydra.sweep.dir={folder}"])
    if rc:
        print(f"false_economy_uncertainty: the Monte Carlo ended with status {rc}; "
              f"resume with run.resume=true into {folder}", file=sys.stderr)
        return rc
    if a.quick or a.no_publish:
        print(f"false_economy_uncertainty: report in {folder} (not published)")
        return 0
    from sim.sweep.uncertainty_page import publish  # the checkout's package

    for path in publish(folder, ROOT):
        print(f"  wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
