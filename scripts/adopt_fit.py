"""Make a calibration's fitted set the model's defaults, and say what changed.

    python scripts/adopt_fit.py calibration/default/fitted_params.yaml [--digits 4] [--dry-run]

``revolving-door-calibrate`` writes ``fitted_params.yaml``: dotted-path overrides such as
``params.family.relapse: 0.0123`` or ``councils.spread.thoroughness_mean: 0.25``. This script
writes each value, rounded to ``--digits`` significant digits, as the ``value:`` of its
parameter in the parameter file that holds it (``sim/params/<group>.yaml``, see
:mod:`sim.param_files`): data, not code. Only the value line changes; comments, the other
keys and the other parameters stay as they were, which the script checks by reading the file
back. It refuses a path it cannot place, and prints old and new value for every parameter, so
the commit that adopts a fit says what moved. After adopting, refresh the regression baseline
(``scripts/refresh_baseline.py``) and the parameter table (``revolving-door-params``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PARAMS_DIR = ROOT / "sim" / "params"

#: dotted prefix -> parameter file (in ``sim/params/``) that holds the group
PLACES: dict[str, str] = {
    "params.entry": "entry.yaml",
    "params.family": "family.yaml",
    "params.care": "care.yaml",
    "params.after_return": "after_return.yaml",
    "params.support": "support.yaml",
    "params.costs": "costs.yaml",
    "councils.spread": "spread.yaml",
}


def _fmt(value: float, digits: int, integer: bool) -> str:
    if integer:
        return str(int(round(value)))
    return f"{float(f'{value:.{digits}g}')!r}"


def adopt(text: str, name: str, value: float, digits: int) -> tuple[str, str, str]:
    """Replace the ``value:`` of parameter ``name`` in a parameter file's ``text``; return
    (text, old, new). An integer parameter stays an integer."""
    start = re.search(rf"^  {re.escape(name)}:[ \t]*$", text, re.M)
    if start is None:
        raise KeyError(f"{name}: no entry '  {name}:' in the file")
    nxt = re.search(r"^  \S", text[start.end():], re.M)
    end = start.end() + (nxt.start() if nxt else len(text) - start.end())
    m = re.search(r"^    value: ([^\s#]+)[ \t]*(#.*)?$", text[start.end():end], re.M)
    if m is None:
        raise KeyError(f"{name}: no 'value: <number>' line in its entry")
    old = m.group(1)
    old_value = yaml.safe_load(old)
    if isinstance(old_value, bool) or not isinstance(old_value, (int, float)):
        raise KeyError(f"{name}: value {old!r} is not a number")
    new = _fmt(value, digits, isinstance(old_value, int))
    at = start.end() + m.start(1)
    out = text[:at] + new + text[at + len(old):]
    before, after = yaml.safe_load(text), yaml.safe_load(out)
    before["parameters"][name]["value"] = yaml.safe_load(new)
    if before != after:  # only the one value may change
        raise KeyError(f"{name}: rewriting the value line changed more than the value")
    return out, old, new


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("fitted", type=Path, help="fitted_params.yaml of revolving-door-calibrate")
    p.add_argument("--digits", type=int, default=4, help="significant digits kept")
    p.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    p.add_argument("--params-dir", type=Path, default=PARAMS_DIR,
                   help="folder of the parameter files (default: sim/params)")
    args = p.parse_args(argv)
    if not args.fitted.is_file():
        p.error(f"fitted: no such file {args.fitted}")
    doc = yaml.safe_load(args.fitted.read_text(encoding="utf-8"))
    overrides = doc.get("overrides") if isinstance(doc, dict) else None
    if not isinstance(overrides, dict):
        p.error(f"fitted: {args.fitted} has no 'overrides' mapping")
    texts: dict[str, str] = {}
    changes = []
    for path, value in overrides.items():
        prefix, _, name = path.rpartition(".")
        if prefix not in PLACES:
            p.error(f"{path}: cannot place it; known prefixes: {', '.join(PLACES)}")
        file = PLACES[prefix]
        text = texts.get(file) or (args.params_dir / file).read_text(encoding="utf-8")
        try:
            texts[file], old, new = adopt(text, name, float(value), args.digits)
        except KeyError as e:
            p.error(f"{path}: {e.args[0]}")
        changes.append((path, old, new))
    width = max(len(c[0]) for c in changes)
    for path, old, new in changes:
        mark = "" if float(old) == float(new) else "   changed"
        print(f"{path:<{width}}  {old:>10} -> {new:<10}{mark}")
    if not args.dry_run:
        for file, text in texts.items():
            (args.params_dir / file).write_text(text, encoding="utf-8")
        print(f"wrote {', '.join(texts)} in {args.params_dir}; now run "
              "scripts/refresh_baseline.py and revolving-door-params")
    return 0


if __name__ == "__main__":
    sys.exit(main())
