"""Make a calibration's fitted set the model's defaults, and say what changed.

    python scripts/adopt_fit.py calibration/default/fitted_params.yaml [--digits 4] [--dry-run]

``revolving-door-calibrate`` writes ``fitted_params.yaml``: dotted-path overrides such as
``params.family.relapse: 0.0123`` or ``councils.spread.thoroughness_mean: 0.25``. This script
writes each value, rounded to ``--digits`` significant digits, as the default of its
parameter in ``sim/parameters.py`` (``params.<group>.<name>``) or ``sim/config.py``
(``councils.spread.<name>``), where every parameter is declared as
``name: type = param(<default>, label=..., ...)``. It refuses a path it cannot place, and
prints old and new value for every parameter, so the commit that adopts a fit says what
moved. After adopting, refresh the regression baseline (``scripts/refresh_baseline.py``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: dotted prefix -> (file, dataclass that declares the parameters)
PLACES: dict[str, tuple[str, str]] = {
    "params.entry": ("sim/parameters.py", "EntryParams"),
    "params.family": ("sim/parameters.py", "FamilyParams"),
    "params.care": ("sim/parameters.py", "CareParams"),
    "params.after_return": ("sim/parameters.py", "AfterReturnParams"),
    "params.support": ("sim/parameters.py", "SupportParams"),
    "params.costs": ("sim/parameters.py", "CostParams"),
    "councils.spread": ("sim/config.py", "PracticeSpread"),
}


def _fmt(value: float, digits: int, integer: bool) -> str:
    if integer:
        return str(int(round(value)))
    return f"{float(f'{value:.{digits}g}')!r}"


def adopt(text: str, cls: str, name: str, value: float, digits: int) -> tuple[str, str, str]:
    """Replace the default of ``cls.name`` in ``text``; return (text, old, new)."""
    start = re.search(rf"^class {cls}\b.*$", text, re.M)
    if start is None:
        raise KeyError(f"class {cls} not found")
    nxt = re.search(r"^(class |@dataclass)", text[start.end():], re.M)
    end = start.end() + (nxt.start() if nxt else len(text) - start.end())
    body = text[start.end():end]
    pat = re.compile(rf"(^    {name}: (\w+) = param\(\s*)([-+0-9.eE_]+)(,)", re.M)
    m = pat.search(body)
    if m is None:
        raise KeyError(f"{cls}.{name}: no 'name: type = param(<number>, ...' declaration")
    old = m.group(3)
    new = _fmt(value, digits, m.group(2) == "int")
    body = body[:m.start(3)] + new + body[m.end(3):]
    return text[:start.end()] + body + text[end:], old, new


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("fitted", type=Path, help="fitted_params.yaml of revolving-door-calibrate")
    p.add_argument("--digits", type=int, default=4, help="significant digits kept")
    p.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
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
        file, cls = PLACES[prefix]
        text = texts.get(file) or (ROOT / file).read_text(encoding="utf-8")
        try:
            texts[file], old, new = adopt(text, cls, name, float(value), args.digits)
        except KeyError as e:
            p.error(f"{path}: {e}")
        changes.append((path, old, new))
    width = max(len(c[0]) for c in changes)
    for path, old, new in changes:
        mark = "" if float(old) == float(new) else "   changed"
        print(f"{path:<{width}}  {old:>10} -> {new:<10}{mark}")
    if not args.dry_run:
        for file, text in texts.items():
            (ROOT / file).write_text(text, encoding="utf-8")
        print(f"wrote {', '.join(texts)}; now run scripts/refresh_baseline.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
