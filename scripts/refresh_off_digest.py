#!/usr/bin/env python
"""Refresh the stored digest of a small run with the pressure mechanism off
(tests/data/pressure_off_digest.json), checked by tests/test_pressure.py.

The digest is the SHA-256 of each output file (but run.json, which holds the version, and
config.yaml, which gains the ``params.pressure`` group) of one small fixed-seed run with
every policy lever on. Issue 26 promises that with the mechanism off a run is
byte-identical to the code before it: the digest was first written by the code at 610eaf1
(``PYTHONPATH=<a checkout of 610eaf1> python scripts/refresh_off_digest.py``). When the
model's outputs change on purpose (another issue recalibrates it), refresh it::

    python scripts/refresh_off_digest.py          # write the file, print the digests
    python scripts/refresh_off_digest.py --check  # only compare (exit 1 if different)

and say in the commit which change moved them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIGEST = ROOT / "tests" / "data" / "pressure_off_digest.json"

#: the run: tests/conftest.py's tiny run (seed 17) with every lever on
CONFIG: dict[str, Any] = {"scale": 0.02, "warmup_years": 4, "years": 3, "seed": 17}
LEVERS = {"support": {"kind": "entitlement", "cap_months": 24},
          "monitoring": {"kind": "minimum_months", "min_months": 6},
          "treatment": {"kind": "access", "share": 1.0}}
SKIP = ("run.json", "config.yaml")


def digests(extra: dict[str, Any] | None = None) -> dict[str, str]:
    """SHA-256 of each output file of the run (``extra`` merged into its config)."""
    import logging

    from sim.model import RevolvingDoorModel
    from sim.results import collect

    logging.getLogger("MESA").setLevel(logging.WARNING)
    cfg = {**CONFIG, "policy": LEVERS, **(extra or {})}
    model = RevolvingDoorModel(cfg).run()
    with tempfile.TemporaryDirectory() as tmp:
        collect(model, ssda903=True).write(tmp)
        return {p.relative_to(tmp).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(Path(tmp).rglob("*")) if p.is_file() and p.name not in SKIP}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 if different")
    args = ap.parse_args(argv)
    new = digests()
    old = json.loads(DIGEST.read_text()) if DIGEST.exists() else {}
    changed = sorted(k for k in set(old.get("files", {})) | set(new)
                     if old.get("files", {}).get(k) != new.get(k))
    for k in changed:
        print(f"changed: {k}")
    if args.check:
        return 1 if changed else 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    DIGEST.write_text(json.dumps({"config": {**CONFIG, "policy": LEVERS},
                                  "written_at_commit": commit, "files": new},
                                 indent=2, sort_keys=True) + "\n")
    print(f"wrote {DIGEST.relative_to(ROOT)} ({len(new)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
