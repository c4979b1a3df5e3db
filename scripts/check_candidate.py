#!/usr/bin/env python
"""Re-check a calibration trial on fresh seeds and write its fit table (issue 21).

    python scripts/check_candidate.py calibration/default 265 --out calibration/default/fit_table_265.md

reads trial ``N``'s parameters from ``DIR/trials.csv``, runs them on the calibration's own
fresh check seeds (``DIR/fitted_params.yaml`` provenance ``check_seeds``, its scale and
years), and writes one row a target: target, tolerance, fresh mean, lowest and highest
replicate, pass or miss, source; then the fresh loss and whether every parameter lies
inside the inner 90% of its plausible range (``tests/test_calibration_bounds.py``).
Issue 21 adopts the accepted candidate with the lowest fresh loss among those with no
calibrated parameter within 5% of a bound; this is how a trial outside the calibration's
own top few is checked on the same seeds. A bad argument is a one-line error, exit 2.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

MARGIN = 0.05


def _one(args: tuple[dict[str, Any], dict[str, float]]) -> dict[str, float]:
    import sim
    from sim.calibration.ensemble import apply_overrides
    from sim.calibration.targets import run_metrics

    base, ov = args
    return run_metrics(sim.run(apply_overrides(base, ov)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("trial", type=int)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    trials_csv = args.folder / "trials.csv"
    if not trials_csv.is_file():
        print(f"error: folder: no trials.csv in {args.folder}", file=sys.stderr)
        return 2
    trials = pd.read_csv(trials_csv).set_index("trial")
    if args.trial not in trials.index:
        print(f"error: trial: {args.trial} not in {trials_csv} (0 to {trials.index.max()})",
              file=sys.stderr)
        return 2
    from sim.calibration.provenance import load_ranges
    from sim.calibration.targets import TARGETS

    prov = yaml.safe_load((args.folder / "fitted_params.yaml").read_text())["provenance"]
    b = prov["budget"]
    ranges = {p: r for p, r in load_ranges().items() if r.calibrate}
    ov = {p: float(trials.loc[args.trial, p]) for p in ranges}
    seeds = [int(s) for s in prov["check_seeds"]]
    jobs = [({"scale": b["scale"], "warmup_years": b["warmup_years"], "years": b["years"],
              "seed": s}, ov) for s in seeds]
    with ProcessPoolExecutor(max(1, args.jobs)) as ex:
        reps = list(ex.map(_one, jobs))
    lines = [f"Trial {args.trial} of {args.folder} on the fresh seeds "
             f"{seeds[0]}-{seeds[-1]} ({len(seeds)} replicates at scale {b['scale']}): "
             f"`python scripts/check_candidate.py {args.folder} {args.trial}`.", "",
             "| metric | target | tolerance | fresh mean | lowest to highest | result | source |",
             "|---|---|---|---|---|---|---|"]
    loss, met = 0.0, 0
    for name, (target, tol, src) in TARGETS.items():
        vals = [r[name] for r in reps]
        mean = sum(vals) / len(vals)
        z = (mean - target) / tol
        loss += z * z
        ok = abs(z) <= 1.0
        met += ok
        f = (lambda v: f"{v:,.0f}") if abs(target) >= 100 else (lambda v: f"{v:.3f}")
        lines.append(f"| `{name}` | {f(target)} | {f(tol)} | {f(mean)} | {f(min(vals))} to "
                     f"{f(max(vals))} | {'pass' if ok else '**miss**'} | {src} |")
    near = [p for p, r in ranges.items()
            if not r.low + MARGIN * (r.high - r.low) < ov[p] < r.high - MARGIN * (r.high - r.low)]
    lines += ["", f"**{met} of {len(TARGETS)} targets within tolerance**; fresh loss "
              f"{loss / len(TARGETS):.4f}; parameters within {MARGIN:.0%} of a bound of their "
              f"plausible range: {', '.join(near) if near else 'none'}."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
