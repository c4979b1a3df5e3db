#!/usr/bin/env python
"""Refresh the regression baseline (tests/data/baseline_metrics.json) and say what changed.

The baseline is the summary metrics of one small fixed-seed run (BASELINE_CONFIG).
tests/test_regression_baseline.py re-runs it and compares every metric within tolerance,
so that an unintended change in the model's behaviour fails the suite. When the model is
changed *on purpose* (new defaults, a fixed bug), run::

    python scripts/refresh_baseline.py --reason "why the numbers moved"  # write, print
    python scripts/refresh_baseline.py --check  # only print the changes (exit 1 if any)

and commit the new file with the change that caused it. Writing needs ``--reason``: a
refresh absorbs any change of the fixed-seed run, so the file records why beside the
numbers (``reason``, with the changed metrics in ``changes``); without one the script stops
with a one-line error and exit status 2 before running anything, and the file is kept.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "data" / "baseline_metrics.json"

#: The fixed run: small (about 2 s) but with every metric defined.
BASELINE_CONFIG: dict[str, Any] = {"seed": 7, "scale": 0.02, "warmup_years": 6, "years": 10}
#: Metrics are compared with math.isclose(new, old, rel_tol=REL_TOL, abs_tol=ABS_TOL): the
#: run is deterministic, so the tolerances only absorb floating-point differences between
#: platforms and library versions, not model changes.
REL_TOL = 1e-6
ABS_TOL = 1e-9


def current_metrics() -> dict[str, Any]:
    import logging

    import sim

    logging.getLogger("MESA").setLevel(logging.WARNING)
    m = sim.run(dict(BASELINE_CONFIG)).metrics
    out: dict[str, Any] = {}
    for k in sorted(m):
        v = m[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        out[k] = None if isinstance(v, float) and math.isnan(v) else v
    return out


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable lines for every metric added, removed or changed beyond tolerance."""
    lines = []
    for k in sorted(set(old) | set(new)):
        if k not in old:
            lines.append(f"+ {k}: new metric = {new[k]!r}")
        elif k not in new:
            lines.append(f"- {k}: metric removed (was {old[k]!r})")
        elif not same(old[k], new[k]):
            a, b = old[k], new[k]
            rel = ""
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a:
                rel = f" ({100 * (b - a) / abs(a):+.2f}%)"
            lines.append(f"~ {k}: {a!r} -> {b!r}{rel}")
    return lines


def same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="print the changes, do not write")
    p.add_argument("--reason", default="",
                   help="why the baseline changes (required to write; recorded in the file)")
    args = p.parse_args(argv)
    reason = " ".join(args.reason.split())
    if not args.check and not reason:
        print("refresh_baseline: --reason is required to write "
              f"{BASELINE.relative_to(ROOT)} (say why the fixed-seed run changed; "
              "--check only prints the changes)", file=sys.stderr)
        return 2
    new = current_metrics()
    old = {}
    if BASELINE.is_file():
        old = json.loads(BASELINE.read_text())["metrics"]
    diff = differences(old, new)
    if not old:
        print(f"no baseline yet: {len(new)} metrics")
    elif diff:
        print(f"{len(diff)} metric(s) changed against {BASELINE.relative_to(ROOT)}:")
        print("\n".join(diff))
    else:
        print("no metric changed beyond tolerance")
    if args.check:
        return 1 if diff else 0
    import sim

    BASELINE.parent.mkdir(parents=True, exist_ok=True)
    BASELINE.write_text(json.dumps({
        "note": "regression baseline; refresh only with: python scripts/refresh_baseline.py",
        "config": BASELINE_CONFIG, "rel_tol": REL_TOL, "abs_tol": ABS_TOL,
        "model_version": sim.__version__,
        "refreshed": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "reason": reason, "changes": diff if old else ["first baseline"],
        "metrics": new}, indent=2, sort_keys=False) + "\n")
    print(f"wrote {BASELINE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
