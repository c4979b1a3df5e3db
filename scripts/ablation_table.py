#!/usr/bin/env python
"""What each issue-21 mechanism does to the targets: the defaults, and the defaults with
one mechanism switched off (its parameter at the value that makes it do nothing), on the
same seeds (common random numbers).

    python scripts/ablation_table.py --scale 0.25 --seeds 101 --out calibration/ablation_table.md

Not a refit: switching a mechanism off at the fitted values shows its own effect, which
the calibration then balanced with the other parameters.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OFF = {
    "early failures off": {"after_return": {"early_failure_share": 0.0,
                                            "early_failure_share_unplanned": 0.0}},
    "repeated failure off": {"care": {"return_after_failure_decay": 1.0,
                                      "reentry_early_restart": 1.0}},
    "treatment engagement off": {"family": {"treatment_disengaged_share": 1.0}},
}
EXTRA = ("reentry_2w", "returns_per_child_share_4plus", "returns_per_child_share_5plus",
         "returns_per_child_max", "maltreated_12m_substance_misuse")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--seeds", type=int, nargs="+", default=[101])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if not 0.0 < args.scale <= 1.0:
        print(f"error: --scale must be in (0, 1], got {args.scale}", file=sys.stderr)
        return 2
    import sim
    from sim.calibration.targets import TARGETS, run_metrics

    cols = {"defaults": {}, **OFF}
    res: dict[str, dict[str, float]] = {}
    for name, params in cols.items():
        acc: dict[str, float] = {}
        for s in args.seeds:
            r = sim.run({"scale": args.scale, "seed": s, "params": params})
            m = run_metrics(r)
            m.update({k: float(r.metrics[k]) for k in EXTRA})
            for k, v in m.items():
                acc[k] = acc.get(k, 0.0) + v / len(args.seeds)
        res[name] = acc
    names = list(TARGETS) + list(EXTRA)
    seeds = " ".join(map(str, args.seeds))
    lines = [f"Made by `python scripts/ablation_table.py --scale {args.scale} --seeds {seeds}`: "
             f"mean over the seeds; targets marked with their target ± tolerance.", "",
             "| metric | target | " + " | ".join(cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for k in names:
        t = TARGETS.get(k)
        big = t is not None and t[0] >= 100
        f = (lambda v: f"{v:,.0f}") if big else (lambda v: f"{v:.4f}")
        tgt = "" if t is None else f"{f(t[0])} ± {f(t[1])}"
        lines.append(f"| `{k}` | {tgt} | " + " | ".join(f(res[c][k]) for c in cols) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
